import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  DistributedMap,
  JsonPath,
  OutputType,
  Pass,
  TaskInput,
  Transformation,
  WriterConfig,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, PREFIX, SERVICE, SHARDED_PLAN } from '../functions/contract.ts';
import { CampaignFunction } from './campaign-function.ts';
import { CampaignStateMachine, lambdaStep, PrefixResultWriter, wholeNumberIn } from './campaign-state-machine.ts';
import type { OperatorAlarms } from './operator-alarms.ts';

/** Shards one run may have (the shard handler itself accepts up to 10,000). */
export const MAX_PLAN_SHARDS = SHARDED_PLAN.maxShards;
/** Where the two maps write their result files (one folder per map run). */
export const PLAN_MAP_RESULTS_PREFIX = `${PREFIX.planShards}map-results`;
const PLAN_TIMEOUT = Duration.minutes(15);

export interface ShardedPlanProps {
  readonly dataBucket: IBucket;
  readonly customersTable: ITableV2;
  readonly importsTable: ITableV2;
  /** Where the finish stores the draft version (its lifecycle and version items). */
  readonly campaignsTable: ITableV2;
  /** Where the second passes write the version's touches. */
  readonly touchesTable: ITableV2;
  readonly alarms: OperatorAlarms;
  /**
   * Campaigns with at least this many imported customers are planned in shards (the plan API
   * starts this machine); below it the plan API plans in its own process.
   * @default SHARDED_PLAN.thresholdCustomers (2,000,000)
   */
  readonly thresholdCustomers?: number;
  /**
   * Shards planned at once in each pass (the maps' MaxConcurrency). Each first pass scans its
   * share of the customers table's segments, so this bounds the read pressure on it.
   * @default 100
   */
  readonly maxConcurrency?: number;
}

/**
 * The sharded plan: a Distributed Map runs the first pass over every shard (a range of the
 * customers table's parallel-Scan segments, or a byte range of one segment CSV), the reduce
 * makes the campaign's global decisions from every shard's columns, a second Distributed
 * Map writes each shard's part of touches.jsonl and its customers' touch items, and the
 * finish stores the plan as a draft version (the single-process plan's storing code). Every
 * pass reads and writes only under the run's `workPrefix` in the data bucket; steps hand on
 * keys and counts, never lists.
 *
 * The execution input, exactly what the shard handlers parse (handlers/plan-shards.ts):
 * `{ campaignId, version, workPrefix, shardCount, source }` with `source` either
 * `{ kind: 'table', totalSegments }` or `{ kind: 'csv', key, etag }`, after
 * `<workPrefix>input.json` (`{ campaign, now }`) was written.
 */
export class ShardedPlan extends Construct {
  public readonly firstPass: CampaignFunction;
  public readonly reduce: CampaignFunction;
  public readonly secondPass: CampaignFunction;
  public readonly finish: CampaignFunction;
  public readonly machine: CampaignStateMachine;
  public readonly maxConcurrency: number;
  public readonly thresholdCustomers: number;
  private readonly dataBucket: IBucket;

  constructor(scope: Construct, id: string, props: ShardedPlanProps) {
    super(scope, id);
    const { dataBucket, customersTable, importsTable, campaignsTable, touchesTable, alarms } = props;
    this.maxConcurrency = wholeNumberIn(this, 'maxConcurrency', props.maxConcurrency ?? 100, 1, MAX_PLAN_SHARDS);
    this.thresholdCustomers = wholeNumberIn(
      this,
      'thresholdCustomers',
      props.thresholdCustomers ?? SHARDED_PLAN.thresholdCustomers,
      1,
      1_000_000_000,
    );
    this.dataBucket = dataBucket;

    const pass = (passId: string, handler: string, description: string, memorySize: number) =>
      new CampaignFunction(this, passId, {
        entry: 'functions/handlers/plan-shards.ts',
        handler,
        serviceName: SERVICE.planShards,
        description,
        timeout: PLAN_TIMEOUT,
        memorySize,
      }).useBucket(dataBucket, ENV.dataBucket, 'readWrite', PREFIX.planShards);
    // A shard's customers: its Scan segments of the customers table (and which file versions
    // are current), or its byte range of a segment CSV.
    const readsShardCustomers = (fn: CampaignFunction) =>
      fn
        .useTable(customersTable, ENV.customersTable, 'read')
        .useTable(importsTable, ENV.importsTable, 'read')
        .useBucket(dataBucket, ENV.dataBucket, 'read', PREFIX.segments);

    // A shard of half a million customers plans in well under the 3 GB; the reduce holds every
    // customer's columns at once (the bench measures both), so it gets Lambda's largest size.
    this.firstPass = readsShardCustomers(
      pass('FirstPass', 'firstPass', 'Plans one shard of a campaign: candidates and summary', 3008),
    );
    this.reduce = pass('Reduce', 'reduce', "Makes a sharded plan's global decisions from every shard", 10_240);
    // Each second pass reads its shard's customers again (as its first pass did) and writes
    // their touches: every shard's in parallel, never all of them from one function.
    this.secondPass = readsShardCustomers(
      pass(
        'SecondPass',
        'secondPass',
        "Writes one shard's part of a sharded plan's touches: its touches.jsonl part and its customers' touch items",
        3008,
      ),
    ).useTableWrites(touchesTable, ENV.touchesTable, ['BatchWriteItem']);
    // The finish reads the reduce's plan and writes only the draft: the version and lifecycle
    // items (and an uploaded file's answer).
    this.finish = new CampaignFunction(this, 'Finish', {
      entry: 'functions/handlers/plan-shards.ts',
      handler: 'finish',
      serviceName: SERVICE.planShards,
      description:
        'Stores a sharded plan as a draft version: the version and the lifecycle (the passes wrote its touches)',
      timeout: PLAN_TIMEOUT,
      memorySize: 10_240,
    })
      .useBucket(dataBucket, ENV.dataBucket, 'read', PREFIX.planShards)
      // An uploaded campaign file's answer beside it: reports/campaigns/<file>.plan.json and
      // its timeline pages.
      .useBucket(dataBucket, ENV.dataBucket, 'write', `${PREFIX.reports}${PREFIX.campaigns}`)
      // Claims nothing (the starter claimed the version): saves the version over its reservation, records the plan.
      .useTableWrites(campaignsTable, ENV.campaignsTable, ['PutItem'], { read: true });

    const shardOf = { index: JsonPath.numberAt('$$.Map.Item.Value'), count: JsonPath.numberAt('$.shardCount') };
    const common = {
      campaignId: JsonPath.stringAt('$.campaignId'),
      version: JsonPath.numberAt('$.version'),
      workPrefix: JsonPath.stringAt('$.workPrefix'),
    };
    const shardMap = (mapId: string, itemSelector: Record<string, unknown>) =>
      new DistributedMap(this, mapId, {
        label: mapId,
        itemsPath: '$.numbered.shards',
        itemSelector,
        maxConcurrency: this.maxConcurrency,
        // A thousand shards' results would pass the 256 KB a state may hand on: they go to S3.
        resultWriterV2: new PrefixResultWriter({
          bucket: dataBucket,
          prefix: PLAN_MAP_RESULTS_PREFIX,
          writerConfig: new WriterConfig({ outputType: OutputType.JSONL, transformation: Transformation.COMPACT }),
        }),
        resultPath: JsonPath.DISCARD,
      });
    const permanentErrors = ['ShardEventError'];

    const numberShards = new Pass(this, 'NumberShards', {
      comment: 'The shard indices 0 .. shardCount - 1, one map item each',
      parameters: { 'shards.$': 'States.ArrayRange(0, States.MathAdd($.shardCount, -1), 1)' },
      // Beside the input, not in place of it: every step after reads the input's fields.
      resultPath: '$.numbered',
    });
    const firstPasses = shardMap('FirstPasses', {
      ...common,
      shard: shardOf,
      source: JsonPath.objectAt('$.source'),
    }).itemProcessor(lambdaStep(this, 'FirstPassStep', this.firstPass, { permanentErrors }));
    const reduceStep = lambdaStep(this, 'ReduceStep', this.reduce, {
      payload: TaskInput.fromObject({ ...common, shardCount: JsonPath.numberAt('$.shardCount') }),
      resultPath: '$.reduced',
      permanentErrors,
    });
    const secondPasses = shardMap('SecondPasses', {
      ...common,
      shard: shardOf,
      source: JsonPath.objectAt('$.source'),
    }).itemProcessor(lambdaStep(this, 'SecondPassStep', this.secondPass, { permanentErrors }));
    const finishStep = lambdaStep(this, 'FinishStep', this.finish, {
      payload: TaskInput.fromObject({
        ...common,
        shardCount: JsonPath.numberAt('$.shardCount'),
        source: JsonPath.objectAt('$.source'),
      }),
      resultPath: '$.draft',
      // A refusal (the campaign was cancelled or completed meanwhile) stays one on a retry.
      permanentErrors: [...permanentErrors, 'CampaignError'],
    });
    const planned = new Pass(this, 'Planned', {
      comment: 'The draft version is stored; touches/<shard>.jsonl under workPrefix in shard order are touches.jsonl',
      parameters: { ...common, reduced: JsonPath.objectAt('$.reduced'), draft: JsonPath.objectAt('$.draft') },
    });

    this.machine = new CampaignStateMachine(this, 'Machine', {
      definition: numberShards.next(firstPasses).next(reduceStep).next(secondPasses).next(finishStep).next(planned),
      comment:
        'Plans one campaign in shards: first pass per shard, the reduce, second pass per shard, the draft stored',
      timeout: Duration.hours(6),
      alarms,
      alarmDescription:
        'A sharded campaign plan failed or timed out: see the execution, fix the cause, then redrive it (the shards that succeeded are not run again).',
    })
      .invokes(this.firstPass, this.reduce, this.secondPass, this.finish)
      .intendWildcard(
        dataBucket.arnForObjects(`${PLAN_MAP_RESULTS_PREFIX}/*`),
        `The maps write their result files under a folder named by the map run; writes are limited to ${PLAN_MAP_RESULTS_PREFIX}/ of this one bucket.`,
      );
  }

  /**
   * What starting a sharded plan takes (the plan API, the plan function of uploads): write
   * the run's input.json under the plan's own prefix, start an execution of this machine
   * (named by campaign and version), and the machine's ARN and the threshold by name.
   * Nothing else of the run: its passes read and write with their own roles.
   */
  public allowStarting(fn: CampaignFunction): CampaignFunction {
    const machineArn = this.machine.stateMachine.stateMachineArn;
    return fn
      .useBucket(this.dataBucket, ENV.dataBucket, 'write', PREFIX.planShards)
      .allow({ actions: ['states:StartExecution'], resources: [machineArn] })
      .useNames({
        [ENV.planStateMachineArn]: machineArn,
        [ENV.shardedPlanCustomers]: String(this.thresholdCustomers),
      });
  }
}
