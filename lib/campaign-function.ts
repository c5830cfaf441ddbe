import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  Effect,
  type IGrantable,
  type IPrincipal,
  Policy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
// cdk-nag's own rendering of a policy resource into a finding id; reusing it keeps our ids exact.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The one Lambda runtime of the project. cdk-nag (AwsSolutions-L1) asks for the
 * newest Node.js runtime this aws-cdk-lib knows; esbuild's target follows it.
 */
export const CAMPAIGN_RUNTIME = Runtime.NODEJS_24_X;

/**
 * esbuild emits ESM, but some bundled dependencies still call `require`. The
 * alias keeps the banner's binding from clashing with a bundled module that
 * imports `createRequire` itself.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __campaignCreateRequire } from 'node:module'; const require = __campaignCreateRequire(import.meta.url);";

export interface CampaignFunctionProps {
  /** Handler source file, relative to the repository root, e.g. `functions/handlers/health.ts`. */
  readonly entry: string;
  /** @default 'handler' */
  readonly handler?: string;
  /** `POWERTOOLS_SERVICE_NAME`: how this function names itself in logs, metrics and traces. */
  readonly serviceName: string;
  readonly description?: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 30 seconds (the HTTP API integration limit) */
  readonly timeout?: Duration;
  /** Extra environment; table and bucket names come from `useTable` / `useBucket`. */
  readonly environment?: Record<string, string>;
  /** Caps concurrency, e.g. to pace a rate-limited provider. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
}

export type TableAccess = 'read' | 'readWrite';
export type BucketAccess = 'read' | 'write' | 'readWrite';
/** Only sending: consuming a queue is the event source mapping's grant. */
export type QueueAccess = 'send';

/**
 * The base construct for every Lambda of the campaign scheduler, so that all
 * of them share bundling, runtime, logging, tracing and least-privilege IAM.
 *
 * It owns its role and log group instead of taking CDK's defaults: the
 * default role carries the AWSLambdaBasicExecutionRole managed policy, which
 * may write to any log group in the account.
 */
export class CampaignFunction extends Construct implements IGrantable {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  public readonly grantPrincipal: IPrincipal;
  private readonly wiredEnvironment = new Map<string, string>();
  /** Wildcard resources the helpers granted on purpose, with the reason, for cdk-nag. */
  private readonly intendedWildcards: { resource: string; reason: string }[] = [];

  constructor(scope: Construct, id: string, props: CampaignFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.grantPrincipal = this.role;
    this.logGroup.grants.write(this.role);
    for (const [name, value] of Object.entries(props.environment ?? {})) {
      this.wiredEnvironment.set(name, value);
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${props.entry}`,
      handler: props.handler ?? 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      description: props.description,
      runtime: CAMPAIGN_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
      },
      bundling: {
        format: OutputFormat.ESM,
        // Prefer packages' ESM builds: they tree-shake, their CommonJS builds do not.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // The Lambda runtime ships the AWS SDK v3; bundling it only slows cold starts.
        externalModules: ['@aws-sdk/*'],
      },
    });

    Validations.of(this.defaultPolicy()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });

    // A wildcard's finding id embeds the resource as the consuming stack sees it
    // (e.g. Fn::GetStackOutput for a bucket of the stateful stack), which is only
    // known once synthesis has resolved cross-stack references. Construct
    // validation runs after that and before the cdk-nag plugin, so acknowledge then.
    this.node.addValidation({
      validate: () => {
        this.acknowledgeIntendedWildcards();
        return [];
      },
    });
  }

  /** Grants the table access and sets `envName` to the table name, in one call. */
  public useTable(table: ITableV2 | ITable, envName: string, access: TableAccess): this {
    if (access === 'read') {
      table.grantReadData(this);
    } else {
      table.grantReadWriteData(this);
    }
    // Present only when the table has secondary indexes.
    this.intendedWildcards.push({
      resource: `${table.tableArn}/index/*`,
      reason: 'Queries on the secondary indexes of this one table; index names are not part of the grant.',
    });
    this.wireEnvironment(envName, table.tableName);
    return this;
  }

  /**
   * Grants object access, limited to `prefix` when given, and sets `envName`
   * to the bucket name, in one call. Writers get no delete: nothing in the
   * campaign deletes customer files, and versioning keeps overwritten ones.
   *
   * Call it once per prefix with the same bucket and `envName` to give
   * different access under different prefixes through one variable, e.g.
   * read `segments/` and write `reports/`: each call adds only its own grants.
   * Wiring `envName` to another bucket throws.
   */
  public useBucket(bucket: IBucket, envName: string, access: BucketAccess, prefix?: string): this {
    const keyPrefix = normalizePrefix(prefix);
    const objects = bucket.arnForObjects(`${keyPrefix}*`);

    if (access !== 'write') {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject'], resources: [objects] }),
      );
      // Listing tells a reader "no such key" (404) instead of "access denied" (403).
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: keyPrefix ? { StringLike: { 's3:prefix': [`${keyPrefix}*`] } } : undefined,
        }),
      );
      bucket.encryptionKey?.grantDecrypt(this);
    }
    if (access !== 'read') {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          // Multipart uploads (reports, large rejects files) are covered by PutObject, except their abort.
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [objects],
        }),
      );
      bucket.encryptionKey?.grantEncryptDecrypt(this);
    }
    this.intendedWildcards.push({
      resource: objects,
      reason: keyPrefix
        ? `Object keys are only known at run time; access is limited to keys under ${keyPrefix} of this one bucket.`
        : 'Object keys are only known at run time; access is limited to the objects of this one bucket.',
    });

    this.wireEnvironment(envName, bucket.bucketName);
    return this;
  }

  /**
   * Grants `sqs:SendMessage` on the queue (and the use of its key, when it has
   * a customer managed one) and sets `envName` to the queue URL, in one call.
   * No GetQueueUrl or GetQueueAttributes: the URL comes from the environment.
   */
  public useQueue(queue: IQueue, envName: string, access: QueueAccess): this {
    if (access === 'send') {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
      );
      // SQS needs both to send to a queue encrypted with a KMS key; SSE-SQS needs neither.
      queue.encryptionMasterKey?.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    }
    this.wireEnvironment(envName, queue.queueUrl);
    return this;
  }

  private defaultPolicy(): Policy {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof Policy)) {
      throw new Error(`${this.node.path}: the role has no default policy`);
    }
    return policy;
  }

  /** Acknowledges exactly the wildcard resources the helpers put in the policy, nothing else. */
  private acknowledgeIntendedWildcards(): void {
    const stack = Stack.of(this);
    const policy = this.defaultPolicy();
    const granted = new Set(
      (stack.resolve(policy.document).Statement as { Resource?: unknown }[])
        .flatMap((statement) => [statement.Resource ?? []].flat())
        .map(flattenCfnReference),
    );
    for (const { resource, reason } of this.intendedWildcards) {
      const finding = flattenCfnReference(stack.resolve(resource));
      if (granted.has(finding)) {
        Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${finding}]`, reason });
      }
    }
  }

  private wireEnvironment(envName: string, value: string): void {
    if (!/^[A-Z][A-Z0-9_]*$/.test(envName)) {
      throw new Error(`${this.node.path}: environment variable name "${envName}" must be UPPER_SNAKE_CASE`);
    }
    const existing = this.wiredEnvironment.get(envName);
    if (existing !== undefined && existing !== value) {
      throw new Error(`${this.node.path}: ${envName} is already wired to another resource`);
    }
    this.wiredEnvironment.set(envName, value);
    this.function.addEnvironment(envName, value);
  }
}

/** `segments`, `/segments/` and `segments/` all mean the keys under `segments/`. */
function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  if (trimmed === '') return '';
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}
