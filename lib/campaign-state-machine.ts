/**
 * What both state machines of the campaign share (the Distributed Map import, the sharded
 * plan): a log group of their own, X-Ray tracing, an alarm on executions that stopped for
 * good, Lambda steps with the same retries, and S3 access limited to the prefixes they use.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  DefinitionBody,
  type IChainable,
  JitterType,
  LogLevel,
  ResultWriterV2,
  type ResultWriterV2Props,
  S3CsvItemReader,
  type S3CsvItemReaderProps,
  StateMachine,
  StateMachineType,
  type TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
// cdk-nag's own rendering of a policy resource into a finding id; reusing it keeps our ids exact.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { acknowledgeWildcardsWhenResolved, type CampaignFunction, type IntendedWildcard } from './campaign-function.ts';
import type { OperatorAlarms } from './operator-alarms.ts';

/**
 * The errors a Lambda step retries with backoff: throttling (the account's or the function's
 * concurrency is spent) and the Lambda service's own transient failures. Every step is
 * idempotent, so a retry never doubles an effect.
 */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];

/** `value`, when it is a whole number from `min` to `max`; else a synthesis error naming `name` at `scope`. */
export function wholeNumberIn(scope: Construct, name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${scope.node.path}: ${name} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

export interface CampaignStateMachineProps {
  readonly definition: IChainable;
  readonly comment: string;
  /** The longest a run may take before it counts as failed. */
  readonly timeout: Duration;
  readonly alarms: OperatorAlarms;
  /** What the failed-executions alarm tells the operator. */
  readonly alarmDescription: string;
}

/** A standard state machine with its log group, tracing and failed-executions alarm. */
export class CampaignStateMachine extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;
  private readonly intendedWildcards: IntendedWildcard[] = [];

  constructor(scope: Construct, id: string, props: CampaignStateMachineProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // A Distributed Map runs only in a standard workflow.
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(props.definition),
      comment: props.comment,
      timeout: props.timeout,
      tracingEnabled: true,
      // Every event, without its data: batches carry customers' phone numbers and names.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    props.alarms.failedExecutions(this, 'FailedExecutionsAlarm', this.stateMachine, props.alarmDescription);
    const policy = () => {
      const found = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
      if (!(found instanceof Policy))
        throw new Error(`${this.node.path}: the state machine role has no default policy`);
      return found;
    };
    Validations.of(policy()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and vended log delivery (logs:CreateLogDelivery and the other delivery actions) support no resource-level permissions.',
    });
    acknowledgeWildcardsWhenResolved(this, policy, this.intendedWildcards);
    this.acknowledgeOwnExecutions();
  }

  /**
   * A Distributed Map starts child executions of its own state machine and watches them: CDK
   * grants that on `execution:<this machine>:*` and on its map runs (`<machine>/<label>:*`),
   * in a policy of its own. Their names are only known at run time; the grant names this one
   * state machine. Acknowledged once the resources are resolved, as the finding ids embed them.
   */
  private acknowledgeOwnExecutions(): void {
    this.node.addValidation({
      validate: () => {
        const found = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
        if (!(found instanceof Policy)) return [];
        const stack = Stack.of(this);
        const statements = stack.resolve(found.document).Statement as { Resource?: unknown }[];
        for (const resource of statements.flatMap((statement) => [statement.Resource ?? []].flat())) {
          const finding = flattenCfnReference(resource);
          if (!finding.includes(':execution:')) continue;
          Validations.of(found).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${finding}]`,
            reason:
              'The Distributed Map starts, describes and stops the child executions and map runs of this one state machine; their names are made at run time.',
          });
        }
        return [];
      },
    });
  }

  /** Acknowledges the wildcard `resource` the definition grants the role on purpose (cdk-nag AwsSolutions-IAM5). */
  public intendWildcard(resource: string, reason: string): this {
    this.intendedWildcards.push({ resource, reason });
    return this;
  }

  /** The wildcards every Lambda step grants: the function's versions and aliases (`<arn>:*`). */
  public invokes(...functions: CampaignFunction[]): this {
    for (const fn of functions) {
      this.intendWildcard(
        `${fn.function.functionArn}:*`,
        `Invokes ${fn.serviceName} (any of its versions or aliases): one function, named exactly.`,
      );
    }
    return this;
  }
}

export interface LambdaStepProps {
  /** @default - the state's input */
  readonly payload?: TaskInput;
  /** @default - the function's result replaces the state's input */
  readonly resultPath?: string;
  /** Error names (the handler's error classes) a retry cannot mend: the run fails at once. */
  readonly permanentErrors: readonly string[];
}

/**
 * A step that invokes `fn` and passes on its result. Throttling and Lambda's transient errors
 * are retried with exponential backoff and full jitter (so a thousand throttled children do
 * not come back in step); any other error of the handler a few times more; invalid input and
 * the like (`permanentErrors`) never.
 */
export function lambdaStep(scope: Construct, id: string, fn: CampaignFunction, props: LambdaStepProps): LambdaInvoke {
  const step = new LambdaInvoke(scope, id, {
    lambdaFunction: fn.function,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    ...(props.payload ? { payload: props.payload } : {}),
    ...(props.resultPath ? { resultPath: props.resultPath } : {}),
  });
  // Retriers match in order: the permanent errors first, so the catch-all below never retries them.
  step.addRetry({ errors: [...props.permanentErrors], maxAttempts: 0 });
  step.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 8,
    maxDelay: Duration.minutes(1),
    jitterStrategy: JitterType.FULL,
  });
  step.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: JitterType.FULL,
  });
  return step;
}

/** The S3 object actions a Distributed Map's result writer needs (it uploads in parts). */
const RESULT_WRITER_ACTIONS = [
  's3:PutObject',
  's3:GetObject',
  's3:ListMultipartUploadParts',
  's3:AbortMultipartUpload',
];

/** A CSV item reader whose role may read only the objects under `prefix` (CDK's grants the whole bucket). */
export class PrefixCsvItemReader extends S3CsvItemReader {
  constructor(
    private readonly readable: { bucket: IBucket; prefix: string },
    props: Omit<S3CsvItemReaderProps, 'bucket'>,
  ) {
    super({ ...props, bucket: readable.bucket });
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [this.readable.bucket.arnForObjects(`${this.readable.prefix}*`)],
      }),
    ];
  }
}

/** A result writer whose role may write only under its prefix (CDK's grants the whole bucket). */
export class PrefixResultWriter extends ResultWriterV2 {
  constructor(props: ResultWriterV2Props & { bucket: IBucket; prefix: string }) {
    super(props);
  }

  override providePolicyStatements(): PolicyStatement[] {
    const bucket = this.bucket as IBucket;
    return [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: RESULT_WRITER_ACTIONS,
        resources: [bucket.arnForObjects(`${this.prefix}/*`)],
      }),
    ];
  }
}
