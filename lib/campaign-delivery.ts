import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { linkPk } from '../functions/adapters/dynamo/link-store.ts';
import { ENV, PREFIX, SCHEDULE_GROUP_PREFIX, SERVICE } from '../functions/contract.ts';
import { CampaignFunction } from './campaign-function.ts';
import { AT_LEAST_ONE, type OperatorAlarms } from './operator-alarms.ts';
import { type RuntimeConfig, runtimeEnvironment } from './runtime-config.ts';
import { allowSchedulerToInvoke, namedFunction, passRoleToScheduler, schedulerRole } from './scheduler-targets.ts';
import type { CampaignTables } from './stateful-stack.ts';

const PLAN_TIMEOUT = Duration.minutes(15);
/**
 * The dispatcher reads the whole SMS opt-out list, 100 numbers a page, one page after the
 * other (each needs the previous page's token). At about 100 ms a page (an estimate, not
 * measured on AWS; throttled pages are retried by the SDK and slow it down) 10 minutes read
 * about 600,000 numbers. Its log line counts them. A read longer than the two-minute
 * staging lead makes the send late, never wrong: the shards start once the list is stored.
 */
const DISPATCH_TIMEOUT = Duration.minutes(10);
const WORKER_TIMEOUT = Duration.minutes(15);
const DEFAULT_SEND_WORKERS = 8;
const DEAD_LETTER_RETENTION = Duration.days(14);

export interface CampaignDeliveryProps {
  readonly dataBucket: IBucket;
  readonly tables: CampaignTables;
  /** Only its URL: every function's config names it (loadConfig is strict on AWS). */
  readonly importQueue: IQueue;
  /** Only its ARN: every function's config names it; no function here may read it. */
  readonly webhookSecret: ISecret;
  /** The link key: the send worker reads it (it seals each email's unsubscribe link); the others only name it. */
  readonly linkSecret: ISecret;
  readonly alarms: OperatorAlarms;
  /**
   * Send workers running at once: the worker's reserved concurrency and the
   * queue poller's maximum concurrency. It caps the pressure on SNS, SES and
   * the tables; the senders pace to the provider's rate within it. 2 to 1000.
   * @default 8
   */
  readonly sendWorkers?: number;
  /**
   * Also reserve `sendWorkers` concurrency for the send worker, so other functions can never
   * starve a wave. Reserving takes from the account: AWS keeps 100 of its concurrency
   * unreserved, and a new account's quota of 10 allows no reservation at all; raise the
   * Lambda concurrent-executions quota first. @default false
   */
  readonly reserveConcurrency?: boolean;
  /** The SES identity (a verified domain) mail is sent from, as `campaign@<emailDomain>`. */
  readonly emailDomain: string;
  /** `SMS_SENDER_ID`, where the destination country supports alphanumeric sender IDs. @default - none */
  readonly smsSenderId?: string;
}

/**
 * Planning and sending.
 *
 * A campaign file under `campaigns/` of the data bucket -> EventBridge -> the
 * plan function, which writes a draft version (timeline, touches, cost, diff:
 * campaigns and touches tables) and schedules nothing. Approving a version (the
 * HTTP API's control function, given `allowScheduling`) writes one EventBridge
 * Scheduler `at()` schedule per send, in a schedule group `campaign-<id>`.
 * Each schedule invokes the dispatch function as the scheduler
 * role; the dispatcher splits its send into shard messages on the send queue,
 * which the send workers drain to SNS (SMS) and SES (email). For an SMS send the
 * dispatcher first reads the account's opt-out list and stores it under
 * `private/opt-outs/` of the data bucket, where the send's shards read it.
 *
 * Outside CDK, per account and region: the SNS SMS settings (monthly spend
 * limit, default SMS type Promotional) are set with `aws sns set-sms-attributes`,
 * and the SES identity `emailDomain` must be verified (and out of the sandbox).
 */
export class CampaignDelivery extends Construct {
  public readonly planner: CampaignFunction;
  public readonly planRule: Rule;
  /** Campaign files whose plan failed (after Lambda's retries) or whose event could not be delivered. */
  public readonly planDeadLetterQueue: Queue;
  public readonly dispatcher: CampaignFunction;
  /** What EventBridge Scheduler assumes to invoke the dispatcher. */
  public readonly schedulerRole: Role;
  /** Schedule invocations that failed, and dispatches that failed after Lambda's retries. */
  public readonly schedulerDeadLetterQueue: Queue;
  public readonly sendQueue: Queue;
  public readonly sendDeadLetterQueue: Queue;
  public readonly worker: CampaignFunction;
  public readonly configurationSet: CfnConfigurationSet;
  /** The SES identity the worker may send as. */
  public readonly emailIdentityArn: string;
  public readonly configurationSetArn: string;
  /** The full `loadConfig()` environment, with the dispatcher's real ARN as schedule target. */
  public readonly runtimeEnvironment: Record<string, string>;
  /** Every schedule in a campaign's schedule group (`campaign-*` groups). */
  public readonly scheduleArns: string;
  /** The campaigns' schedule groups. */
  public readonly scheduleGroupArns: string;

  constructor(scope: Construct, id: string, props: CampaignDeliveryProps) {
    super(scope, id);
    const { dataBucket, tables, importQueue, alarms } = props;
    const stack = Stack.of(this);
    const sendWorkers = props.sendWorkers ?? DEFAULT_SEND_WORKERS;
    // The SQS poller's maximum concurrency is 2 to 1000.
    if (!Number.isInteger(sendWorkers) || sendWorkers < 2 || sendWorkers > 1000) {
      throw new Error(`${this.node.path}: sendWorkers must be an integer from 2 to 1000, not ${sendWorkers}`);
    }
    const { emailDomain } = props;

    // --- Queues ---------------------------------------------------------------------------------

    this.schedulerDeadLetterQueue = this.deadLetterQueue('SchedulerDeadLetters');
    Validations.of(this.schedulerDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: of the send schedules (their DeadLetterConfig) and of the dispatch function (its on-failure destination); cdk-nag only recognises dead-letter queues of other queues.',
    });
    this.planDeadLetterQueue = this.deadLetterQueue('PlanDeadLetters');
    Validations.of(this.planDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: of the campaign-file rule target and of the plan function (its on-failure destination); cdk-nag only recognises dead-letter queues of other queues.',
    });
    // No acknowledgement: cdk-nag (AwsSolutions-SQS3) sees that it is SendQueue's dead-letter queue.
    this.sendDeadLetterQueue = this.deadLetterQueue('SendDeadLetters');
    this.sendQueue = new Queue(this, 'SendQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the worker timeout, so a shard is never redelivered while a worker still sends it.
      visibilityTimeout: WORKER_TIMEOUT.plus(Duration.minutes(1)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.sendDeadLetterQueue, maxReceiveCount: 5 },
    });

    // --- Email ----------------------------------------------------------------------------------

    this.configurationSet = new CfnConfigurationSet(this, 'EmailConfigurationSet', {
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      // Addresses that bounced or complained are never mailed again, whichever campaign sends.
      suppressionOptions: { suppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    // Ref of a configuration set is its name.
    const configurationSetName = this.configurationSet.ref;
    this.configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSetName,
    });
    this.emailIdentityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: emailDomain });

    // --- Scheduler role -------------------------------------------------------------------------

    const scheduleGroupArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: `${SCHEDULE_GROUP_PREFIX}*`,
    });
    // Only schedules in this account's campaign schedule groups.
    this.schedulerRole = schedulerRole(
      this,
      stack,
      'Assumed by EventBridge Scheduler to invoke the campaign send dispatcher',
      scheduleGroupArns,
    );

    // --- Dispatch -------------------------------------------------------------------------------

    // The dispatcher's config must name the schedule target, which is the dispatcher itself.
    const { name: dispatchFunctionName, arn: dispatchFunctionArn } = namedFunction(this, stack, 'SendDispatch');

    const config = (scheduleTargetArn: string): RuntimeConfig => ({
      tables,
      dataBucketName: dataBucket.bucketName,
      importQueueUrl: importQueue.queueUrl,
      sendQueueUrl: this.sendQueue.queueUrl,
      scheduleTargetArn,
      schedulerRoleArn: this.schedulerRole.roleArn,
      schedulerDeadLetterArn: this.schedulerDeadLetterQueue.queueArn,
      emailFrom: `campaign@${emailDomain}`,
      sesConfigurationSet: configurationSetName,
      smsSenderId: props.smsSenderId,
      webhookSecretArn: props.webhookSecret.secretArn,
      linkSecretArn: props.linkSecret.secretArn,
    });

    this.dispatcher = new CampaignFunction(this, 'Dispatcher', {
      entry: 'functions/handlers/send-dispatch.ts',
      handler: 'handler',
      serviceName: SERVICE.sendDispatch,
      description: 'Invoked by the send schedules: splits a send into shard messages on the send queue',
      functionName: dispatchFunctionName,
      timeout: DISPATCH_TIMEOUT,
      memorySize: 512,
    })
      // Reads the send and the campaign's state (the lifecycle's control item); marks the send
      // dispatched (UpdateItem) and records a firing while paused in the audit trail (PutItem
      // of the control item). Never deletes, never batch-writes.
      .useTableWrites(tables.campaigns, ENV.campaignsTable, ['UpdateItem', 'PutItem'], { read: true })
      .useQueue(this.sendQueue, ENV.sendQueueUrl, 'send')
      // It reads the opt-out list once per SMS send and leaves a copy for the send's shards.
      .useBucket(dataBucket, ENV.dataBucket, 'write', PREFIX.optOuts)
      .allowUnscoped(
        'SmsOptOuts',
        { actions: ['sns:ListPhoneNumbersOptedOut'] },
        'sns:ListPhoneNumbersOptedOut supports no resource-level permissions; the dispatcher reads the account opt-out list once per SMS send.',
      )
      .useNames(runtimeEnvironment(config(dispatchFunctionArn)));
    this.dispatcher.failuresTo(this.schedulerDeadLetterQueue);

    allowSchedulerToInvoke(
      this,
      this.schedulerRole,
      this.dispatcher.function,
      this.schedulerDeadLetterQueue,
      'dispatch',
    );

    // --- Plan -----------------------------------------------------------------------------------

    this.runtimeEnvironment = runtimeEnvironment(config(this.dispatcher.function.functionArn));
    this.scheduleArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${SCHEDULE_GROUP_PREFIX}*/*`,
    });
    this.scheduleGroupArns = scheduleGroupArns;
    this.planner = new CampaignFunction(this, 'Planner', {
      entry: 'functions/handlers/plan-campaign.ts',
      handler: 'handler',
      serviceName: SERVICE.planCampaign,
      description: `Plans campaign files uploaded under ${PREFIX.campaigns} as draft versions: timeline, touches, cost, diff`,
      timeout: PLAN_TIMEOUT,
      // 3,008 MB: planning a million customers holds them in memory (the target: under 1.5 GB) with room to spare.
      memorySize: 3008,
    })
      .useTable(tables.customers, ENV.customersTable, 'read')
      .useTable(tables.imports, ENV.importsTable, 'read')
      .useTable(tables.campaigns, ENV.campaignsTable, 'readWrite')
      .useTable(tables.touches, ENV.touchesTable, 'readWrite')
      .useBucket(dataBucket, ENV.dataBucket, 'read', PREFIX.campaigns)
      .useBucket(dataBucket, ENV.dataBucket, 'write', PREFIX.reports)
      // No scheduler permission: an upload plans a draft, and only an approval (the control
      // function, allowScheduling) schedules a version.
      .useNames(this.runtimeEnvironment);
    this.planner.failuresTo(this.planDeadLetterQueue);

    this.planRule = new Rule(this, 'CampaignUploaded', {
      description: `Routes uploads under ${PREFIX.campaigns} of the data bucket to the plan function`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [dataBucket.bucketName] },
          object: { key: Match.prefix(PREFIX.campaigns) },
        },
      },
      // Events EventBridge cannot deliver land next to the failed plans: one queue, one alarm.
      targets: [
        new LambdaFunction(this.planner.function, {
          retryAttempts: 2,
          deadLetterQueue: this.planDeadLetterQueue,
        }),
      ],
    });

    // --- Send workers ---------------------------------------------------------------------------

    this.worker = new CampaignFunction(this, 'Worker', {
      entry: 'functions/handlers/send-worker.ts',
      handler: 'handler',
      serviceName: SERVICE.sendWorker,
      description: 'Sends one shard of a send per invocation: SMS through SNS, email through SES',
      timeout: WORKER_TIMEOUT,
      // 1,769 MB is one full vCPU: signing and serialising thousands of calls is CPU-bound.
      memorySize: 1769,
      ...(props.reserveConcurrency ? { reservedConcurrentExecutions: sendWorkers } : {}),
    })
      // Reads the plan, the send and the campaign's state (the control item: pause, cancel);
      // writes shard leases, parked shards, finished-shard counts and rate-limit windows there
      // (UpdateItem), and the control item when its send's last shard completes the campaign
      // (PutItem, conditional on the revision). Never deletes. Outcomes (touches), the ledger (customers).
      .useTableWrites(tables.campaigns, ENV.campaignsTable, ['UpdateItem', 'PutItem'], { read: true })
      .useTable(tables.touches, ENV.touchesTable, 'readWrite')
      .useTable(tables.customers, ENV.customersTable, 'readWrite')
      // Registers each message's tracked link before it leaves: link items only, never a click.
      .useTableWrites(tables.links, ENV.linksTable, ['BatchWriteItem'], { partitionKeysLike: [`${linkPk('')}*`] })
      // A shard that cannot finish within one invocation hands the rest over as a new message.
      .useQueue(this.sendQueue, ENV.sendQueueUrl, 'send')
      // Seals each email's unsubscribe link; read once per container. (PUBLIC_BASE_URL, the links'
      // base, is the HTTP API's URL: the stateless stack adds it once the API exists.)
      .useSecret(props.linkSecret, ENV.linkSecretArn)
      // The send's opt-out list, as the dispatcher stored it.
      .useBucket(dataBucket, ENV.dataBucket, 'read', PREFIX.optOuts)
      .allow({ actions: ['ses:SendEmail'], resources: [this.emailIdentityArn, this.configurationSetArn] })
      // SNS has no condition key that limits Publish to phone numbers (sns:Protocol and
      // sns:Endpoint apply to Subscribe only); the requested region at least keeps SMS, its
      // spend limit and its sender settings in this stack's region.
      .allowUnscoped(
        'SmsPublish',
        { actions: ['sns:Publish'], conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } } },
        'SMS straight to a phone number has no resource ARN, so sns:Publish needs Resource "*"; limited to this region. The worker holds no topic permissions.',
      )
      .useNames(this.runtimeEnvironment);

    this.worker.function.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // The cap with or without a reservation; equal to a reservation, so the poller never invokes into throttling.
        maxConcurrency: sendWorkers,
      }),
    );

    // --- Alarms ---------------------------------------------------------------------------------

    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    /** Fires as soon as `metric` counts one or more. */
    const anyOf = (id: string, metric: IMetric, description: string) =>
      alarms.alarm(this, id, metric, { ...AT_LEAST_ONE, description });
    const deadLetters = (queue: Queue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' });
    const errors = (fn: CampaignFunction) => fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' });
    anyOf(
      'SchedulerDeadLettersAlarm',
      deadLetters(this.schedulerDeadLetterQueue),
      'A send schedule could not invoke the dispatcher, or a dispatch failed after its retries: see the scheduler dead-letter queue; the send did not start.',
    );
    anyOf(
      'SendDeadLettersAlarm',
      deadLetters(this.sendDeadLetterQueue),
      'A send shard failed five times: see the send dead-letter queue; its customers were not all reached. Fix, then redrive it to SendQueue.',
    );
    anyOf(
      'PlanDeadLettersAlarm',
      deadLetters(this.planDeadLetterQueue),
      'A campaign file could not be planned after the retries, or its upload event could not be delivered: see the plan dead-letter queue.',
    );
    anyOf(
      'WorkerErrorsAlarm',
      errors(this.worker),
      'The send worker crashed, timed out or could not start (e.g. missing configuration) in the last five minutes.',
    );
    anyOf(
      'DispatcherErrorsAlarm',
      errors(this.dispatcher),
      'The send dispatcher failed in the last five minutes: a scheduled send may be late.',
    );
    alarms.alarm(
      this,
      'SendBacklogAlarm',
      this.sendQueue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      {
        threshold: Duration.minutes(15).toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'A send shard has waited more than 15 minutes for a worker: sends are falling behind.',
      },
    );
  }

  /**
   * What scheduling a campaign's sends takes (approving a version, cancelling): its schedules
   * and schedule group, listing them, and passing the scheduler role to EventBridge Scheduler,
   * nothing else.
   */
  public allowScheduling(fn: CampaignFunction): CampaignFunction {
    return fn
      .allow(
        {
          actions: [
            'scheduler:CreateSchedule',
            'scheduler:UpdateSchedule',
            'scheduler:DeleteSchedule',
            'scheduler:GetSchedule',
          ],
          resources: [this.scheduleArns],
        },
        `Schedule names are only known at run time; limited to schedules in the ${SCHEDULE_GROUP_PREFIX}* schedule groups.`,
      )
      .allow(
        {
          actions: ['scheduler:CreateScheduleGroup', 'scheduler:GetScheduleGroup'],
          resources: [this.scheduleGroupArns],
        },
        `One schedule group per campaign, named at run time; limited to ${SCHEDULE_GROUP_PREFIX}* groups.`,
      )
      .allowUnscoped(
        'ScheduleListing',
        { actions: ['scheduler:ListSchedules'] },
        'scheduler:ListSchedules supports no resource-level permissions; it only lists schedule names and states (the group is a request parameter).',
      )
      .allow(passRoleToScheduler(this.schedulerRole));
  }

  private deadLetterQueue(id: string): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
  }
}
