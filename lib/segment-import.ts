import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DISTRIBUTED_IMPORT, ENV, PREFIX, SERVICE } from '../functions/contract.ts';
import { CampaignFunction } from './campaign-function.ts';
import { wholeNumberIn } from './campaign-state-machine.ts';
import { AT_LEAST_ONE, type OperatorAlarms } from './operator-alarms.ts';
import { SegmentImportMap } from './segment-import-map.ts';

/** At most this many files import at once: it caps the write pressure on the customers table. */
const DEFAULT_IMPORT_WORKERS = 4;
const IMPORT_TIMEOUT = Duration.minutes(15);

export interface SegmentImportProps {
  readonly dataBucket: IBucket;
  readonly customersTable: ITableV2;
  readonly importsTable: ITableV2;
  readonly alarms: OperatorAlarms;
  /**
   * Files imported at once: the queue poller's maximum concurrency (2 to 1000), which caps
   * the write pressure on the customers table. @default 4
   */
  readonly importWorkers?: number;
  /**
   * Also reserve `importWorkers` concurrency for the importer, so other functions can never
   * starve it (and nothing else may invoke it beyond that). Reserving takes from the account:
   * AWS keeps 100 of its concurrency unreserved, and a new account's quota of 10 allows no
   * reservation at all; raise the Lambda concurrent-executions quota first. @default false
   */
  readonly reserveConcurrency?: boolean;
  /**
   * UTF-8 CSV files of at least this many bytes import through the Distributed Map; smaller
   * files (and workbooks, JSON Lines, GB18030 text of any size) stream through the importer,
   * handing over to a continuation when one invocation is not enough.
   * @default DISTRIBUTED_IMPORT.thresholdBytes (200 MB)
   */
  readonly distributedImportBytes?: number;
  /** Batches the Distributed Map writes at once (see SegmentImportMapProps.maxConcurrency). @default 40 */
  readonly distributedImportConcurrency?: number;
}

/**
 * Segment import: an upload under `segments/` of the data bucket -> EventBridge
 * (the bucket sends its object events there) -> ImportQueue -> the import
 * function, one file per invocation. The queue absorbs bursts of uploads and
 * retries; after five failed receives a message goes to the dead-letter queue.
 * A file too large for one invocation is continued by a message the function
 * sends to the same queue; a UTF-8 CSV above `distributedImportBytes` is handed to the
 * Distributed Map import instead (lib/segment-import-map.ts).
 */
export class SegmentImport extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly rule: Rule;
  public readonly importer: CampaignFunction;
  /** The Distributed Map import the importer hands large CSV files to. */
  public readonly map: SegmentImportMap;

  constructor(scope: Construct, id: string, props: SegmentImportProps) {
    super(scope, id);
    const { dataBucket, customersTable, importsTable, alarms } = props;
    const importWorkers = props.importWorkers ?? DEFAULT_IMPORT_WORKERS;
    // The SQS poller's maximum concurrency is 2 to 1000.
    if (!Number.isInteger(importWorkers) || importWorkers < 2 || importWorkers > 1000) {
      throw new Error(`${this.node.path}: importWorkers must be an integer from 2 to 1000, not ${importWorkers}`);
    }

    // No dead-letter queue of its own: cdk-nag (AwsSolutions-SQS3) sees that it is ImportQueue's, so no acknowledgement.
    this.deadLetterQueue = new Queue(this, 'ImportDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the source queue's: a message keeps its first enqueue time when it moves here.
      retentionPeriod: Duration.days(14),
    });

    this.queue = new Queue(this, 'ImportQueue', {
      // SSE-SQS, not a KMS key: EventBridge can send to it without a key policy.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the function timeout, so a message is never redelivered while an invocation still works on it.
      visibilityTimeout: IMPORT_TIMEOUT.plus(Duration.minutes(1)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    this.rule = new Rule(this, 'SegmentUploaded', {
      description: `Routes uploads under ${PREFIX.segments} of the data bucket to the import queue`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [dataBucket.bucketName] },
          object: { key: Match.prefix(PREFIX.segments) },
        },
      },
      // Events EventBridge cannot deliver land next to the failed imports: same body, same alarm, same redrive.
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });

    this.map = new SegmentImportMap(this, 'Map', {
      dataBucket,
      customersTable,
      importsTable,
      alarms,
      ...(props.distributedImportConcurrency === undefined
        ? {}
        : { maxConcurrency: props.distributedImportConcurrency }),
    });
    const thresholdBytes = wholeNumberIn(
      this,
      'distributedImportBytes',
      props.distributedImportBytes ?? DISTRIBUTED_IMPORT.thresholdBytes,
      1,
      Number.MAX_SAFE_INTEGER,
    );

    this.importer = new CampaignFunction(this, 'Importer', {
      entry: 'functions/handlers/import-segment.ts',
      handler: 'handler',
      serviceName: SERVICE.importSegment,
      description: `Imports segment files uploaded under ${PREFIX.segments} into the customers table`,
      timeout: IMPORT_TIMEOUT,
      // 1,769 MB is one full vCPU: parsing and transcoding are CPU-bound.
      memorySize: 1769,
      ...(props.reserveConcurrency ? { reservedConcurrentExecutions: importWorkers } : {}),
      environment: { CAMPAIGN_RUNTIME: 'aws' },
    })
      .useTable(customersTable, ENV.customersTable, 'readWrite')
      .useTable(importsTable, ENV.importsTable, 'readWrite')
      .useBucket(dataBucket, ENV.dataBucket, 'read', PREFIX.segments)
      .useBucket(dataBucket, ENV.dataBucket, 'write', PREFIX.reports)
      .useQueue(this.queue, ENV.importQueueUrl, 'send')
      .allow({ actions: ['states:StartExecution'], resources: [this.map.machine.stateMachine.stateMachineArn] })
      .useNames({
        [ENV.importStateMachineArn]: this.map.machine.stateMachine.stateMachineArn,
        [ENV.distributedImportBytes]: String(thresholdBytes),
      });

    this.importer.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // The cap with or without a reservation; equal to a reservation, so the poller never invokes into throttling.
        maxConcurrency: importWorkers,
      }),
    );

    const fiveMinutes = Duration.minutes(5);
    alarms.alarm(
      this,
      'DeadLettersAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      {
        ...AT_LEAST_ONE,
        description:
          'Segment imports failed five times, or upload events could not be delivered: see the import dead-letter queue, fix, then redrive it to ImportQueue.',
      },
    );
    // A file that fails is reported as a batch item failure, not as an invocation error: it is retried
    // and then raises the dead-letter alarm. Errors count what never gets that far.
    alarms.alarm(
      this,
      'ImporterErrorsAlarm',
      this.importer.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      {
        ...AT_LEAST_ONE,
        description:
          'The segment import function crashed, timed out or could not start (e.g. missing configuration) in the last five minutes.',
      },
    );
    alarms.alarm(
      this,
      'ImportBacklogAlarm',
      this.queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      {
        threshold: Duration.minutes(30).toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'An uploaded segment file has waited more than 30 minutes for its import.',
      },
    );
  }
}
