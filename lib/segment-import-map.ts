import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  CsvHeaders,
  DistributedMap,
  ItemBatcher,
  JsonPath,
  OutputType,
  TaskInput,
  Transformation,
  WriterConfig,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DISTRIBUTED_IMPORT, ENV, PREFIX, SERVICE } from '../functions/contract.ts';
import { CampaignFunction } from './campaign-function.ts';
import {
  CampaignStateMachine,
  lambdaStep,
  PrefixCsvItemReader,
  PrefixResultWriter,
  wholeNumberIn,
} from './campaign-state-machine.ts';
import type { OperatorAlarms } from './operator-alarms.ts';

/** Where the map writes its own result files (one per run, under the run's id). */
export const MAP_RESULTS_PREFIX = `${PREFIX.importRuns}map-results`;

export interface SegmentImportMapProps {
  readonly dataBucket: IBucket;
  readonly customersTable: ITableV2;
  readonly importsTable: ITableV2;
  readonly alarms: OperatorAlarms;
  /**
   * Batches written at once (the map's MaxConcurrency): each batch writer puts up to 32 rows
   * at a time, so this bounds the map's write pressure on the customers table.
   * @default DISTRIBUTED_IMPORT.maxConcurrency (40)
   */
  readonly maxConcurrency?: number;
}

/**
 * The Distributed Map import of one large UTF-8 CSV (the importer starts a run above the size
 * threshold, lib/segment-import.ts): the map's ItemReader reads the uploaded file itself
 * (`InputType: CSV`, the header from the first row), each row becomes `{ index, row }`, the
 * ItemBatcher hands the batch writer at most 1,000 rows or 200 KB with the run's fixed part,
 * at most `maxConcurrency` at once; then the finish step merges the parts into the import
 * record and the rejects report. No failed batch is tolerated: the finish would refuse the
 * gap anyway, and a redrive of the failed run reruns only the batches that failed.
 *
 * The execution input is the importer's `MapImportInput`: `{ key, batchInput }`.
 */
export class SegmentImportMap extends Construct {
  public readonly batchWriter: CampaignFunction;
  public readonly finisher: CampaignFunction;
  public readonly machine: CampaignStateMachine;
  public readonly maxConcurrency: number;

  constructor(scope: Construct, id: string, props: SegmentImportMapProps) {
    super(scope, id);
    const { dataBucket, customersTable, importsTable, alarms } = props;
    // A Distributed Map runs at most 10,000 child executions at once.
    this.maxConcurrency = wholeNumberIn(
      this,
      'maxConcurrency',
      props.maxConcurrency ?? DISTRIBUTED_IMPORT.maxConcurrency,
      1,
      10_000,
    );

    this.batchWriter = new CampaignFunction(this, 'BatchWriter', {
      entry: 'functions/handlers/import-batch.ts',
      serviceName: SERVICE.importBatch,
      description: 'Writes one batch of a large segment file (the import state machine) into the customers table',
      // 1,000 rows of conditional puts, 32 at a time: seconds, also when DynamoDB throttles a little.
      timeout: Duration.minutes(2),
      memorySize: 512,
    })
      .useTableWrites(customersTable, ENV.customersTable, ['PutItem'])
      .useBucket(dataBucket, ENV.dataBucket, 'write', PREFIX.importRuns);

    this.finisher = new CampaignFunction(this, 'Finisher', {
      entry: 'functions/handlers/import-finish.ts',
      serviceName: SERVICE.importFinish,
      description: 'Merges the batches of a large segment file into its import record and rejects report',
      // Reads every part (a few KB per 1,000 rows) and keeps the ids seen: 10 million rows in minutes.
      timeout: Duration.minutes(15),
      memorySize: 3008,
    })
      // It reads the import record and finishes it with one conditional update.
      .useTableWrites(importsTable, ENV.importsTable, ['UpdateItem'], { read: true })
      .useBucket(dataBucket, ENV.dataBucket, 'read', PREFIX.importRuns)
      .useBucket(dataBucket, ENV.dataBucket, 'write', PREFIX.reports);

    const writeBatch = lambdaStep(this, 'WriteBatch', this.batchWriter, {
      // The ItemBatcher nests the run's fixed part one level down; the writer takes it as BatchInput.
      payload: TaskInput.fromObject({
        BatchInput: JsonPath.objectAt('$.BatchInput.batchInput'),
        Items: JsonPath.listAt('$.Items'),
      }),
      permanentErrors: ['InvalidBatchError'],
    });

    const readRows = new DistributedMap(this, 'ReadRows', {
      label: 'ImportRows',
      itemReader: new PrefixCsvItemReader(
        { bucket: dataBucket, prefix: PREFIX.segments },
        { key: JsonPath.stringAt('$.key'), csvHeaders: CsvHeaders.useFirstRow() },
      ),
      // The map numbers rows from 0 after the header: the writer turns that into the file's line.
      itemSelector: {
        index: JsonPath.numberAt('$$.Map.Item.Index'),
        row: JsonPath.objectAt('$$.Map.Item.Value'),
      },
      itemBatcher: new ItemBatcher({
        maxItemsPerBatch: DISTRIBUTED_IMPORT.maxItemsPerBatch,
        maxInputBytesPerBatch: DISTRIBUTED_IMPORT.maxInputBytesPerBatch,
        // ItemBatcher passes BatchInput on as written (no JsonPath tokens rendered): the path key by hand.
        batchInput: { 'batchInput.$': '$.batchInput' },
      }),
      maxConcurrency: this.maxConcurrency,
      // Ten thousand batch results would pass the 256 KB a state may hand on: they go to S3.
      resultWriterV2: new PrefixResultWriter({
        bucket: dataBucket,
        prefix: MAP_RESULTS_PREFIX,
        writerConfig: new WriterConfig({ outputType: OutputType.JSONL, transformation: Transformation.COMPACT }),
      }),
      resultPath: JsonPath.DISCARD,
    });
    readRows.itemProcessor(writeBatch);

    const finish = lambdaStep(this, 'Finish', this.finisher, {
      payload: TaskInput.fromObject({ batchInput: JsonPath.objectAt('$.batchInput') }),
      permanentErrors: ['InvalidBatchError', 'IncompleteMapRunError', 'LeaseLostError'],
    });

    this.machine = new CampaignStateMachine(this, 'Machine', {
      definition: readRows.next(finish),
      comment: 'Imports one large segment CSV: its rows in batches through the batch writer, then the finish step',
      // 10 million rows at 40 batches at once take about an hour; a day leaves room for throttling.
      timeout: Duration.hours(24),
      alarms,
      alarmDescription:
        'A large segment import (the Distributed Map) failed or timed out: see the execution, fix the cause, then redrive it (the batches that succeeded are not run again).',
    })
      .invokes(this.batchWriter, this.finisher)
      .intendWildcard(
        dataBucket.arnForObjects(`${PREFIX.segments}*`),
        `The map reads the uploaded segment file it is started on; keys are only known at run time, and reads are limited to ${PREFIX.segments} of this one bucket.`,
      )
      .intendWildcard(
        dataBucket.arnForObjects(`${MAP_RESULTS_PREFIX}/*`),
        `The map writes its result files under a folder named by the map run; writes are limited to ${MAP_RESULTS_PREFIX}/ of this one bucket.`,
      );
  }
}
