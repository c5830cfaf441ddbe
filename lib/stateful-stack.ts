import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
// Type only: the stacks name their tables with the functions' own keys, and the CDK app loads no function code.
import type { TableName } from '../functions/config.ts';

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
  /** All four tables, keyed like `TABLES` in functions/config.ts. */
  public readonly tables: CampaignTables;

  constructor(scope: Construct, id: string, props?: StackProps) {
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
      lifecycleRules: [
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
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

    this.customersTable = this.campaignTable('Customers');
    this.importsTable = this.campaignTable('Imports');
    this.campaignsTable = this.campaignTable('Campaigns');
    this.touchesTable = this.campaignTable('Touches');
    this.tables = {
      customers: this.customersTable,
      imports: this.importsTable,
      campaigns: this.campaignsTable,
      touches: this.touchesTable,
    };
  }

  /**
   * Every table of the campaign: generic `pk`/`sk` string keys (each table holds
   * several item types), on demand, point-in-time recovery, AWS managed
   * encryption, and protected from deletion both by DynamoDB and by CloudFormation.
   */
  private campaignTable(id: string): TableV2 {
    return new TableV2(this, id, {
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
