import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
// Type only: the stacks name their tables with the functions' own keys, and the CDK app loads no function code.
import type { TableName } from '../functions/config.ts';
import { CAMPAIGNS_TTL_ATTRIBUTE, PREFIX, type Role } from '../functions/contract.ts';

/**
 * How to change the webhook signing key (the acknowledgement of cdk-nag's AwsSolutions-SMG4
 * carries it too). The order webhook function reads the key once per container, so a new
 * value only takes effect in new containers.
 */
export const WEBHOOK_SECRET_ROTATION =
  '(1) agree a window with the store; ' +
  '(2) put a new value: aws secretsmanager put-secret-value --secret-id <WebhookSigningSecretArn> --secret-string "$(aws secretsmanager get-random-password --password-length 48 --exclude-punctuation --query RandomPassword --output text)"; ' +
  "(3) set the same value in the store's webhook settings; " +
  '(4) make the OrdersWebhook function start new containers, which read the new value: aws lambda update-function-configuration --function-name <its name> --description "signing key rotated <date>" (a deploy that changes nothing in the function does not); ' +
  '(5) events signed with the other key in between are refused with 401 and must be redelivered by the store.';

/**
 * Why the link key has no rotation (the acknowledgement of cdk-nag's AwsSolutions-SMG4 on it
 * carries it too): every unsubscribe link in mail already sent is sealed with it, and those
 * links must keep working for as long as the mail may be read.
 */
export const LINK_SECRET_ROTATION =
  'A new value makes every unsubscribe link in mail already sent invalid (the page then says the link is not valid and nothing is recorded), and customers must be able to unsubscribe from any mail they received. Change it only after a leak: ' +
  '(1) aws secretsmanager put-secret-value --secret-id <LinkSigningSecret ARN> --secret-string "$(aws secretsmanager get-random-password --password-length 64 --exclude-punctuation --query RandomPassword --output text)"; ' +
  '(2) make the send Worker and the Unsubscribe function start new containers (aws lambda update-function-configuration --function-name <each> --description "link key rotated <date>"); ' +
  '(3) expect unsubscribe requests from older mail to fail, and offer customers another way out (reply or customer service) meanwhile.';
/** How long the send's copy of the SMS opt-out list (`PREFIX.optOuts`) is kept. */
export const OPT_OUT_COPY_LIFETIME = Duration.days(30);

/** What each role's group says in the Cognito console, and its precedence (the lower, the stronger). */
export const ROLE_GROUPS: Readonly<Record<Role, { description: string; precedence: number }>> = {
  marketer: {
    description: 'Marketers: upload segment files, plan campaigns, read plans and reports, test send, pause',
    precedence: 1,
  },
  approver: {
    description: 'Approvers: everything a marketer may, and approve, resume and cancel (no need to join marketer too)',
    precedence: 0,
  },
};

/** The password rules of the marketers' sign-in: long, and every kind of character. */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidity: Duration.days(3),
} as const;

export interface StatefulStackProps extends StackProps {
  /** The touches table's warm write throughput (the `touchesWarmWrites` setting); unset: DynamoDB's own. */
  readonly touchesWarmWrites?: number;
}

/** Every table of the campaign, keyed like `TABLES` in functions/config.ts. */
export type CampaignTables = Readonly<Record<TableName, TableV2>>;

/**
 * Everything that holds data the campaign cannot regenerate: uploaded segment
 * files, campaign files, reports and the tables. It is deployed apart
 * from the functions so that a bad code deploy can never replace or delete it.
 */
export class StatefulStack extends Stack {
  /** Segment files (`segments/`), campaign files (`campaigns/`), rejects and reports (`reports/`). */
  public readonly dataBucket: Bucket;
  /** Server access logs of `dataBucket`: who uploaded or read which customer file. */
  public readonly accessLogsBucket: Bucket;
  /** Customers and their consent, keyed generically (`pk`/`sk`) for the several item types it holds. */
  public readonly customersTable: TableV2;
  /** Segment imports: one record per uploaded file version, its progress, counts and report location. */
  public readonly importsTable: TableV2;
  /** Campaigns: the plan of each campaign, its sends, shard leases and rate-limit windows. */
  public readonly campaignsTable: TableV2;
  /** Touches: one item per planned message to a customer, and its outcome. */
  public readonly touchesTable: TableV2;
  /** Tracked links and their clicks: apart, so the public redirect reaches no other table. */
  public readonly linksTable: TableV2;
  /** All five tables, keyed like `TABLES` in functions/config.ts. */
  public readonly tables: CampaignTables;
  /**
   * The HMAC-SHA256 key of the order webhook's `X-Signature`, shared with the
   * store that sends the webhooks. It is state: a new value breaks the store's signing
   * until the store has it too, so it lives here, retained, and is never regenerated by
   * a deploy. See `WEBHOOK_SECRET_ROTATION` for how to change it.
   */
  public readonly webhookSigningSecret: Secret;
  /**
   * The key of the links in messages (the email unsubscribe link's sealed token; tracked
   * links later, under a purpose of their own). State: mail already sent carries tokens
   * sealed with it, so it is retained and never regenerated by a deploy. Only the send
   * worker (seals) and the unsubscribe function (opens) may read it.
   */
  public readonly linkSigningSecret: Secret;
  /**
   * The marketers and approvers who may sign in to the console and the marketer API. State:
   * the users, their passwords and MFA devices and their group memberships cannot be
   * regenerated, so it is retained and protected from deletion.
   */
  public readonly userPool: UserPool;
  /** One group per role (`marketer`, `approver`): a user's groups are their roles. */
  public readonly roleGroups: Readonly<Record<Role, UserPoolGroup>>;

  constructor(scope: Construct, id: string, props?: StatefulStackProps) {
    super(scope, id, props);

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // S3 server access logging can only deliver to SSE-S3 buckets, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log target itself; logging it into itself would log its own log deliveries forever, and CloudTrail covers API access to it.',
    });

    this.dataBucket = new Bucket(this, 'Data', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions let a marketer recover a segment file that was overwritten by mistake.
      versioned: true,
      // The console uploads segment files from the browser with a presigned PUT, straight to the
      // bucket. The signature (one key under segments/, 15 minutes) is what authorizes it; CORS
      // only lets the page read the answer. Any origin: the console's address is the API's, made
      // in the stateless stack after this one, and a rule cannot grant what the signature does not.
      cors: [{ allowedMethods: [HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 600 }],
      lifecycleRules: [
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          // Phone numbers kept no longer than a shard can still need them: a shard message lives
          // at most 14 days (the send dead-letter queue's retention counts from its first enqueue).
          id: 'expire-opt-out-copies',
          prefix: PREFIX.optOuts,
          expiration: OPT_OUT_COPY_LIFETIME,
        },
        {
          // A Distributed Map import's parts (accepted ids, rejected rows) and result files: the
          // finish step reads them, and a failed run can be redriven for 14 days after it stopped.
          id: 'expire-import-runs',
          prefix: PREFIX.importRuns,
          expiration: Duration.days(30),
        },
      ],
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Object events go to EventBridge, so rules in the stateless stack route
    // uploads to functions: Lambda notifications on the bucket would make this
    // stack depend on the functions' stack (a cycle). Set on the L1 because the
    // L2 `eventBridgeEnabled` deploys a notification custom resource Lambda.
    (this.dataBucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.webhookSigningSecret = new Secret(this, 'WebhookSigningSecret', {
      description:
        'HMAC-SHA256 key of the order webhook signature (X-Signature), shared with the store that sends order events',
      // 48 letters and digits (about 285 bits): no punctuation to mangle in the store's admin console or a shell.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      // Encrypted with the AWS managed key aws/secretsmanager: the readers are in this account.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.webhookSigningSecret.node.defaultChild as CfnSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `The key is shared with the store's order webhook sender, which Secrets Manager cannot update: automatic rotation would make every webhook fail its signature check. Rotation is a coordinated manual step: ${WEBHOOK_SECRET_ROTATION}`,
    });
    new CfnOutput(this, 'WebhookSigningSecretArn', {
      description: "The order webhook's signing key: give its value to the store's webhook settings",
      value: this.webhookSigningSecret.secretArn,
    });

    this.linkSigningSecret = new Secret(this, 'LinkSigningSecret', {
      description:
        'Key of the sealed tokens in the links of campaign messages (unsubscribe); read by the send worker and the unsubscribe function only',
      // 64 letters and digits (about 380 bits), the input of HKDF: no punctuation to mangle in a shell.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.linkSigningSecret.node.defaultChild as CfnSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `Automatic rotation would break the unsubscribe link of every email already sent. ${LINK_SECRET_ROTATION}`,
    });

    this.userPool = new UserPool(this, 'Marketers', {
      // An administrator creates every user (admin-create-user): nobody signs up themselves.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      // The invitation with the temporary password goes to this address; it also recovers the account.
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: PASSWORD_POLICY,
      // Required, not optional: an approver's sign-in schedules real SMS and email to the whole
      // customer base, and a password alone is what phishing takes. An authenticator app (TOTP)
      // only: SMS codes would need an SMS role and spend, and are the weaker factor.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      // Plus: threat protection blocks sign-ins from compromised credentials and risky sign-ins
      // (a handful of users, so a few cents a month).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: '双11 活动控制台：你的账号 / Your Double-11 console account',
        emailBody:
          '你的用户名是 {username}，临时密码是 {####}，首次登录时请设置新密码并绑定身份验证器。<br>' +
          'Your user name is {username} and your temporary password is {####}; at the first sign-in set a new password and an authenticator app.',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.roleGroups = {
      marketer: this.roleGroup('marketer'),
      approver: this.roleGroup('approver'),
    };
    new CfnOutput(this, 'UserPoolId', {
      description: 'The marketers and approvers: aws cognito-idp admin-create-user --user-pool-id <this> ...',
      value: this.userPool.userPoolId,
    });

    this.customersTable = this.campaignTable('Customers');
    this.importsTable = this.campaignTable('Imports');
    // The rate limiter's per-second rows carry an expiry; without TTL they would pile up for ever.
    this.campaignsTable = this.campaignTable('Campaigns', CAMPAIGNS_TTL_ATTRIBUTE);
    // A plan of 10,000,000 customers writes about 22,000,000 touches from its second passes at
    // once: a new on-demand table starts at 4,000 writes a second, so it may be warmed ahead.
    this.touchesTable = this.campaignTable('Touches', undefined, props?.touchesWarmWrites);
    this.linksTable = this.campaignTable('Links');
    this.tables = {
      customers: this.customersTable,
      imports: this.importsTable,
      campaigns: this.campaignsTable,
      touches: this.touchesTable,
      links: this.linksTable,
    };
  }

  /** A role's group; retained with the pool, since deleting it would drop every member's role. */
  private roleGroup(role: Role): UserPoolGroup {
    const group = new UserPoolGroup(this, `${role[0]?.toUpperCase()}${role.slice(1)}Group`, {
      userPool: this.userPool,
      groupName: role,
      ...ROLE_GROUPS[role],
    });
    group.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return group;
  }

  /**
   * Every table of the campaign: generic `pk`/`sk` string keys (each table holds
   * several item types), on demand, point-in-time recovery, AWS managed
   * encryption, and protected from deletion both by DynamoDB and by CloudFormation.
   * `timeToLiveAttribute` is AWS only: the local database (dynalite) has no TTL, so
   * local table creation never asks for it and nothing may rely on expired items being gone.
   */
  private campaignTable(id: string, timeToLiveAttribute?: string, warmWrites?: number): TableV2 {
    return new TableV2(this, id, {
      ...(timeToLiveAttribute ? { timeToLiveAttribute } : {}),
      ...(warmWrites === undefined ? {} : { warmThroughput: { writeUnitsPerSecond: warmWrites } }),
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      // Campaign traffic is spiky (imports, then midnight); provisioned capacity would throttle or idle.
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
