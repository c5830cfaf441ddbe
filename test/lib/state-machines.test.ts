import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE } from '../../functions/contract.ts';
import { batchInputSchema } from '../../functions/handlers/import-batch.ts';
import { finishEvent, firstPassEvent, reduceEvent, secondPassEvent } from '../../functions/handlers/plan-shards.ts';
import type { MapImportInput } from '../../functions/usecases/import-segment.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import type { CampaignFunction } from '../../lib/campaign-function.ts';
import type { CampaignStateMachine } from '../../lib/campaign-state-machine.ts';
import {
  acknowledged,
  actionsOf,
  arnOf,
  ENV,
  functionProps,
  logicalId,
  objectsUnder,
  permissions,
  refOf,
  resourcesOf,
  type Statement,
  statementsOf,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

type Json = Record<string, unknown>;
type States = Record<string, Json & { Type: string }>;

/**
 * The state machine's definition as the template holds it, with every CloudFormation value in
 * it (an ARN, the bucket's name) replaced by its JSON text, so the ASL can be read and compared.
 */
function definitionOf(template: Template, machine: CampaignStateMachine): { StartAt: string; States: States } {
  const resource = template.findResources('AWS::StepFunctions::StateMachine')[logicalId(machine.stateMachine)];
  if (!resource) throw new Error(`no state machine ${machine.node.path} in the template`);
  const [, parts] = resource.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
  // Each value sits inside a JSON string of the definition: a marker there first, its text after parsing.
  const values: unknown[] = [];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      values.push(part);
      return `@@${values.length - 1}@@`;
    })
    .join('');
  return JSON.parse(text, (_, value) =>
    typeof value === 'string' ? value.replace(/@@(\d+)@@/g, (_, at: string) => shown(values[Number(at)])) : value,
  );
}

/** The states of a map's item processor. */
function processorOf(state: Json | undefined): States {
  return fieldOf(state, 'ItemProcessor').States as States;
}

function fieldOf(state: Json | undefined, field: string): Json {
  const value = state?.[field];
  if (typeof value !== 'object' || value === null) throw new Error(`the state has no ${field}`);
  return value as Json;
}

/** A CloudFormation value as `definitionOf` shows it. */
const shown = (value: unknown) => `<${JSON.stringify(value)}>`;

/**
 * What a state passes on, from its `...$` fields, for the few paths the definitions use: `$.a.b`
 * of the state's input, `$$.Map.Item.*` of the map's context, and the one intrinsic that
 * numbers the shards. Enough to check that what the steps send is what the handlers parse.
 */
function evaluate(template: unknown, input: unknown, item?: { Index: number; Value: unknown }): unknown {
  if (Array.isArray(template)) return template.map((value) => evaluate(value, input, item));
  if (typeof template !== 'object' || template === null) return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = valueAt(value as string, input, item);
    else out[key] = evaluate(value, input, item);
  }
  return out;
}

function valueAt(path: string, input: unknown, item?: { Index: number; Value: unknown }): unknown {
  const range = /^States\.ArrayRange\(0, States\.MathAdd\((\$\.[\w.]+), -1\), 1\)$/.exec(path);
  if (range) return Array.from({ length: valueAt(range[1] as string, input, item) as number }, (_, index) => index);
  const [root, ...steps] = path.split('.');
  let at: unknown = root === '$$' ? { Map: { Item: item } } : input;
  for (const step of steps) {
    if (typeof at !== 'object' || at === null || !(step in at)) throw new Error(`${path}: no ${step} in the input`);
    at = (at as Json)[step];
  }
  return at;
}

describe('state machines', () => {
  let stacks: CampaignStacks;
  let template: Template;
  const consumed = (value: string) => stacks.stateless.resolve(value);
  const roleOf = (fn: CampaignFunction) => statementsOf(template, fn.role);

  beforeAll(() => {
    ({ stacks, stateless: template } = synthesizeApp());
  });

  describe('the Distributed Map import', () => {
    const map = () => stacks.stateless.segmentImport.map;
    const states = () => definitionOf(template, map().machine).States;
    const mapInput: MapImportInput = {
      key: 'segments/d11-2026/members.csv',
      batchInput: {
        run: 'import-0123456789abcdef0123456789abcdef-1',
        key: 'segments/d11-2026/members.csv',
        etag: '"9b2cf535f27731c974343645a3985328"',
        campaignId: 'd11-2026',
        label: 'members',
        timeZone: 'Asia/Shanghai',
        header: ['customer_id', 'phone'],
      },
    };

    it('reads the uploaded CSV itself, header from the first row, in batches of at most 1,000 rows and 200 KB, 40 at once', () => {
      // Prepare
      const bucketName = consumed(stacks.stateful.dataBucket.bucketName);

      // Act
      const { ReadRows: readRows } = states();

      // Assess
      expect(readRows).toMatchObject({
        Type: 'Map',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
        ItemReader: {
          ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
          Parameters: { Bucket: shown(bucketName), 'Key.$': '$.key' },
        },
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'row.$': '$$.Map.Item.Value' },
        ItemBatcher: { MaxItemsPerBatch: 1000, MaxInputBytesPerBatch: 204800 },
        MaxConcurrency: 40,
        ResultWriter: { Parameters: { Bucket: shown(bucketName), Prefix: 'private/import-runs/map-results' } },
        ResultPath: null,
        Next: 'Finish',
      });
      expect(String(fieldOf(readRows, 'ItemReader').Resource)).toMatch(/:states:::s3:getObject$/);
      // No failed batch tolerated: the finish refuses a gap in the parts.
      expect(readRows?.ToleratedFailurePercentage ?? 0).toBe(0);
      expect(readRows?.ToleratedFailureCount ?? 0).toBe(0);
    });

    it('hands the batch writer and the finish step exactly what their handlers parse', () => {
      // Prepare: the map's input as the importer starts it, two rows as the ItemReader reads them
      const { ReadRows: readRows, Finish: finish } = states();
      const processor = processorOf(readRows);
      const rows = [
        { customer_id: 'c-1', phone: '13800000001' },
        { customer_id: 'c-2', phone: '13800000002' },
      ];

      // Act: the ItemSelector per row, the ItemBatcher's batch, the writer's and the finish's parameters
      const items = rows.map((row, index) => evaluate(readRows?.ItemSelector, mapInput, { Index: index, Value: row }));
      const batch = { BatchInput: evaluate(fieldOf(readRows, 'ItemBatcher').BatchInput, mapInput), Items: items };
      const writerEvent = evaluate(processor.WriteBatch?.Parameters, batch) as Json;
      const finishEvent = evaluate(finish?.Parameters, mapInput) as Json;

      // Assess
      expect(writerEvent).toEqual({
        BatchInput: mapInput.batchInput,
        Items: [
          { index: 0, row: rows[0] },
          { index: 1, row: rows[1] },
        ],
      });
      expect(batchInputSchema.safeParse(writerEvent.BatchInput).success).toBe(true);
      expect(finishEvent).toEqual({ batchInput: mapInput.batchInput });
      expect(batchInputSchema.safeParse(finishEvent.batchInput).success).toBe(true);
    });

    it('invokes the batch writer, then the finish step, retrying throttling with backoff and never a bad batch', () => {
      // Act
      const { ReadRows: readRows, Finish: finish } = states();
      const writeBatch = processorOf(readRows).WriteBatch;

      // Assess
      expect(writeBatch?.Resource).toBe(shown(arnOf(map().batchWriter.function)));
      expect(finish?.Resource).toBe(shown(arnOf(map().finisher.function)));
      expect(finish?.End).toBe(true);
      for (const step of [writeBatch, finish]) {
        const retries = step?.Retry as Array<Json & { ErrorEquals: string[] }>;
        expect(retries[0]).toEqual({ ErrorEquals: expect.arrayContaining(['InvalidBatchError']), MaxAttempts: 0 });
        expect(retries.find((retry) => retry.ErrorEquals.includes('Lambda.TooManyRequestsException'))).toMatchObject({
          BackoffRate: 2,
          JitterStrategy: 'FULL',
          MaxAttempts: 8,
        });
      }
    });

    it('lets the writer put customers and its parts only, the finisher read parts and finish the import record', () => {
      // Prepare
      const customers = consumed(stacks.stateful.customersTable.tableArn);
      const imports = consumed(stacks.stateful.importsTable.tableArn);
      const writer = roleOf(map().batchWriter);
      const finisher = roleOf(map().finisher);

      // Act
      const writerDynamo = actionsOf(writer).filter((action) => action.startsWith('dynamodb:'));
      const finisherWrites = actionsOf(finisher).filter((action) =>
        /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action),
      );

      // Assess
      expect(writerDynamo).toEqual(['dynamodb:PutItem']);
      expect(resourcesOf(writer, 'dynamodb:PutItem')).toEqual([customers]);
      expect(resourcesOf(writer, 's3:PutObject')).toEqual([objectsUnder(stacks, 'private/import-runs/')]);
      expect(resourcesOf(writer, 's3:GetObject')).toEqual([]);
      expect(finisherWrites).toEqual(['dynamodb:UpdateItem']);
      expect(resourcesOf(finisher, 'dynamodb:UpdateItem')).toEqual([imports]);
      expect(resourcesOf(finisher, 'dynamodb:GetItem')).not.toContainEqual(customers);
      expect(resourcesOf(finisher, 's3:GetObject')).toEqual([objectsUnder(stacks, 'private/import-runs/')]);
      expect(resourcesOf(finisher, 's3:PutObject')).toEqual([objectsUnder(stacks, 'reports/')]);
    });

    it('is started by the importer alone, above the 200 MB threshold, with the state machine named in its environment', () => {
      // Prepare
      const { importer } = stacks.stateless.segmentImport;
      const machine = refOf(map().machine.stateMachine);

      // Act
      const variables = functionProps(template, importer.function)?.Environment.Variables;
      const starters = Object.values(stacks.stateless.node.findAll())
        .filter((node): node is CampaignFunction => 'role' in node && 'serviceName' in node)
        .filter((fn) => actionsOf(roleOf(fn)).includes('states:StartExecution'));

      // Assess
      expect(variables).toMatchObject({ IMPORT_STATE_MACHINE_ARN: machine, IMPORT_DISTRIBUTED_BYTES: '209715200' });
      expect(starters.map((fn) => fn.serviceName).sort()).toEqual(
        [SERVICE.campaignPlanApi, SERVICE.importSegment, SERVICE.planCampaign].sort(),
      );
      expect(resourcesOf(roleOf(importer), 'states:StartExecution')).toEqual([machine]);
      const planApi = stacks.stateless.httpApi.campaignPlanApi;
      expect(resourcesOf(roleOf(planApi), 'states:StartExecution')).not.toContain(machine);
    });

    it('takes its threshold and concurrency from the deployment settings', () => {
      // Prepare
      const app = testApp({ dryRun: 'true', importMapThresholdMb: '50', importMapConcurrency: '12' });

      // Act
      const built = buildApp(app, ENV).stateless;
      const own = Template.fromStack(built);
      const variables = functionProps(own, built.segmentImport.importer.function)?.Environment.Variables;

      // Assess
      expect(variables.IMPORT_DISTRIBUTED_BYTES).toBe(String(50 * 1024 * 1024));
      expect(definitionOf(own, built.segmentImport.map.machine).States.ReadRows?.MaxConcurrency).toBe(12);
    });
  });

  describe('the sharded plan', () => {
    const plan = () => stacks.stateless.shardedPlan;
    const states = () => definitionOf(template, plan().machine).States;
    const planInput = {
      campaignId: 'd11-2026',
      version: 3,
      workPrefix: 'private/plan-shards/d11-2026/v3/',
      shardCount: 3,
      source: { kind: 'table', totalSegments: 24 },
    };

    it('numbers the shards, maps the first pass over them, reduces, then maps the second pass', () => {
      // Act
      const definition = definitionOf(template, plan().machine);
      const order: string[] = [];
      for (let name: string | undefined = definition.StartAt; name; ) {
        order.push(name);
        name = definition.States[name]?.Next as string | undefined;
      }

      // Assess
      expect(order).toEqual(['NumberShards', 'FirstPasses', 'ReduceStep', 'SecondPasses', 'FinishStep', 'Planned']);
      for (const name of ['FirstPasses', 'SecondPasses']) {
        expect(definition.States[name]).toMatchObject({
          Type: 'Map',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
          ItemsPath: '$.numbered.shards',
          MaxConcurrency: 100,
          ResultPath: null,
          ResultWriter: { Parameters: { Prefix: 'private/plan-shards/map-results' } },
        });
      }
    });

    it.each([
      { kind: 'table', totalSegments: 24 },
      { kind: 'csv', key: 'segments/d11-2026/members.csv', etag: '"abc"' },
    ])('sends every pass exactly the event its handler parses (source $kind)', (source) => {
      // Prepare
      const all = states();
      const input = { ...planInput, source };
      const numbered = { ...input, numbered: evaluate(all.NumberShards?.Parameters, input) };
      const stepOf = (map: string) => processorOf(all[map]);

      // Act
      const shards = (numbered.numbered as { shards: number[] }).shards;
      const first = shards.map((value, index) =>
        evaluate(all.FirstPasses?.ItemSelector, numbered, { Index: index, Value: value }),
      );
      const reduce = evaluate(all.ReduceStep?.Parameters, numbered);
      const second = shards.map((value, index) =>
        evaluate(all.SecondPasses?.ItemSelector, numbered, { Index: index, Value: value }),
      );

      // Assess
      expect(shards).toEqual([0, 1, 2]);
      expect(stepOf('FirstPasses').FirstPassStep?.Parameters).toBeUndefined(); // the item is the event
      expect(stepOf('SecondPasses').SecondPassStep?.Parameters).toBeUndefined();
      const { campaignId, version, workPrefix } = planInput;
      expect(first.map((event) => firstPassEvent.parse(event))).toEqual(
        shards.map((index) => ({ campaignId, version, workPrefix, shard: { index, count: 3 }, source })),
      );
      expect(reduceEvent.parse(reduce)).toEqual({ campaignId, version, workPrefix, shardCount: 3 });
      const finish = evaluate(all.FinishStep?.Parameters, { ...numbered, reduced: { counts: {} } });
      expect(finishEvent.parse(finish)).toEqual({ campaignId, version, workPrefix, shardCount: 3, source });
      expect(all.FinishStep?.ResultPath).toBe('$.draft');
      expect(second.map((event) => secondPassEvent.parse(event))).toEqual(
        shards.map((index) => ({ campaignId, version, workPrefix, shard: { index, count: 3 }, source })),
      );
    });

    it('runs the three passes and the finish from the one handler file, each its own function', () => {
      // Act
      const props = [plan().firstPass, plan().reduce, plan().secondPass, plan().finish].map((fn) =>
        functionProps(template, fn.function),
      );
      const steps = states();

      // Assess
      expect(props.map((p) => p?.Handler)).toEqual([
        'index.firstPass',
        'index.reduce',
        'index.secondPass',
        'index.finish',
      ]);
      expect(props.map((p) => p?.Environment.Variables.POWERTOOLS_SERVICE_NAME)).toEqual(
        Array(4).fill(SERVICE.planShards),
      );
      expect(steps.FinishStep?.Resource).toBe(shown(arnOf(plan().finish.function)));
      expect(processorOf(steps.FirstPasses).FirstPassStep?.Resource).toBe(shown(arnOf(plan().firstPass.function)));
      expect(steps.ReduceStep?.Resource).toBe(shown(arnOf(plan().reduce.function)));
      expect(processorOf(steps.SecondPasses).SecondPassStep?.Resource).toBe(shown(arnOf(plan().secondPass.function)));
    });

    it('lets the first and second passes read the tables and segment files, only the second write touches; every pass writes objects only under the plan work prefix', () => {
      // Prepare
      const [first, reduce, second] = [plan().firstPass, plan().reduce, plan().secondPass].map(roleOf) as [
        Statement[],
        Statement[],
        Statement[],
      ];
      const work = objectsUnder(stacks, 'private/plan-shards/');
      const customerTables = [stacks.stateful.customersTable, stacks.stateful.importsTable].map((table) =>
        consumed(table.tableArn),
      );

      // Act
      const writes = (statements: Statement[]) =>
        actionsOf(statements).filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action));

      // Assess
      for (const statements of [first, reduce, second]) expect(resourcesOf(statements, 's3:PutObject')).toEqual([work]);
      expect(writes(first)).toEqual([]);
      expect(writes(reduce)).toEqual([]);
      expect(writes(second)).toEqual(['dynamodb:BatchWriteItem']);
      expect(resourcesOf(second, 'dynamodb:BatchWriteItem')).toEqual([consumed(stacks.stateful.touchesTable.tableArn)]);
      for (const statements of [first, second]) {
        expect(resourcesOf(statements, 'dynamodb:Scan')).toEqual(expect.arrayContaining(customerTables));
        expect(resourcesOf(statements, 's3:GetObject')).toEqual(
          expect.arrayContaining([work, objectsUnder(stacks, 'segments/')]),
        );
      }
      expect(actionsOf(reduce).filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
      expect(resourcesOf(reduce, 's3:GetObject')).toEqual([work]);
    });

    it('is started by the plan API and the plan function, from 2,000,000 customers, which write only the run input under the plan work prefix', () => {
      // Prepare
      const planApi = stacks.stateless.httpApi.campaignPlanApi;
      const machine = refOf(plan().machine.stateMachine);

      // Act
      const variables = functionProps(template, planApi.function)?.Environment.Variables;
      const statements = roleOf(planApi);

      // Assess
      expect(variables).toMatchObject({ PLAN_STATE_MACHINE_ARN: machine, SHARDED_PLAN_CUSTOMERS: '2000000' });
      expect(resourcesOf(statements, 'states:StartExecution')).toEqual([machine]);
      expect(resourcesOf(statements, 's3:PutObject')).toEqual([objectsUnder(stacks, 'private/plan-shards/')]);
      expect(resourcesOf(statements, 's3:GetObject')).toEqual([]);
      const planner = stacks.stateless.delivery.planner;
      expect(resourcesOf(roleOf(planner), 'states:StartExecution')).toEqual([machine]);
      expect(functionProps(template, planner.function)?.Environment.Variables).toMatchObject({
        PLAN_STATE_MACHINE_ARN: machine,
        SHARDED_PLAN_CUSTOMERS: '2000000',
      });
    });

    it('takes its threshold from the deployment settings', () => {
      // Prepare
      const app = testApp({ dryRun: 'true', planShardThreshold: '750000' });

      // Act
      const built = buildApp(app, ENV).stateless;
      const variables = functionProps(Template.fromStack(built), built.httpApi.campaignPlanApi.function)?.Environment
        .Variables;

      // Assess
      expect(variables.SHARDED_PLAN_CUSTOMERS).toBe('750000');
    });

    it("lets the finish write only the draft (version and lifecycle puts) and an uploaded file's answer, and read no customer", () => {
      // Prepare
      const statements = roleOf(plan().finish);
      const campaigns = consumed(stacks.stateful.campaignsTable.tableArn);

      // Act
      const writes = actionsOf(statements).filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action));

      // Assess
      expect([...new Set(writes)]).toEqual(['dynamodb:PutItem']);
      expect(resourcesOf(statements, 'dynamodb:PutItem')).toEqual([campaigns]);
      expect(resourcesOf(statements, 's3:PutObject')).toEqual([objectsUnder(stacks, 'reports/campaigns/')]);
      expect(resourcesOf(statements, 's3:GetObject')).toEqual([objectsUnder(stacks, 'private/plan-shards/')]);
      expect(resourcesOf(statements, 'dynamodb:Scan')).toEqual([campaigns]);
    });
  });

  describe('both state machines', () => {
    const machines = () => [stacks.stateless.segmentImport.map.machine, stacks.stateless.shardedPlan.machine];

    it('log every event without its data to a log group of their own, and trace with X-Ray', () => {
      for (const machine of machines()) {
        // Act
        const props = template.findResources('AWS::StepFunctions::StateMachine')[logicalId(machine.stateMachine)]
          ?.Properties;

        // Assess
        expect(props.LoggingConfiguration).toEqual({
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(machine.logGroup) } }],
          IncludeExecutionData: false,
          Level: 'ALL',
        });
        expect(props.TracingConfiguration).toEqual({ Enabled: true });
        expect(props.StateMachineType ?? 'STANDARD').toBe('STANDARD');
      }
    });

    it('raise an operator alarm on a failed or timed-out execution', () => {
      for (const machine of machines()) {
        // Act
        const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((alarm) =>
          JSON.stringify(alarm.Properties.Metrics ?? []).includes(logicalId(machine.stateMachine)),
        );

        // Assess
        expect(alarms).toHaveLength(1);
        const metrics = alarms[0]?.Properties.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string } } }>;
        expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort()).toEqual([
          'ExecutionsFailed',
          'ExecutionsTimedOut',
        ]);
        expect(alarms[0]?.Properties).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [refOf(stacks.stateless.alarms.topic)],
        });
      }
    });

    it('may invoke only their own functions and touch only their own prefixes of the bucket', () => {
      // Prepare
      const { map } = stacks.stateless.segmentImport;
      const plan = stacks.stateless.shardedPlan;
      const sorted = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort();
      const invoked = (fns: CampaignFunction[]) =>
        sorted(fns.flatMap((fn) => [arnOf(fn.function), { 'Fn::Join': ['', [arnOf(fn.function), ':*']] }]));

      // Act
      const importRole = statementsOf(template, map.machine.stateMachine.role);
      const planRole = statementsOf(template, plan.machine.stateMachine.role);

      // Assess
      expect(sorted(resourcesOf(importRole, 'lambda:InvokeFunction'))).toEqual(
        invoked([map.batchWriter, map.finisher]),
      );
      expect(sorted(resourcesOf(planRole, 'lambda:InvokeFunction'))).toEqual(
        invoked([plan.firstPass, plan.reduce, plan.secondPass, plan.finish]),
      );
      expect(permissions(importRole.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:'))))).toEqual(
        permissions([
          { Action: 's3:GetObject', Resource: objectsUnder(stacks, 'segments/') },
          {
            Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
            Resource: objectsUnder(stacks, 'private/import-runs/map-results/'),
          },
        ]),
      );
      expect(permissions(planRole.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:'))))).toEqual(
        permissions([
          {
            Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
            Resource: objectsUnder(stacks, 'private/plan-shards/map-results/'),
          },
        ]),
      );
      for (const role of [importRole, planRole]) {
        expect(actionsOf(role).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
      }
    });
  });
});

describe('cdk-nag on the state machines', () => {
  it('passes, with each wildcard acknowledged on the policy it is in', () => {
    // Prepare
    const app = testApp();
    const { stateless } = buildApp(app, ENV);

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
    for (const machine of [stateless.segmentImport.map.machine, stateless.shardedPlan.machine]) {
      const own = machine.stateMachine.node.findChild('DistributedMapPolicy');
      expect(acknowledged(own).length).toBeGreaterThanOrEqual(2);
      expect(acknowledged(own).every((id) => id.includes(':execution:'))).toBe(true);
      expect(acknowledged(machine.stateMachine.role.node.findChild('DefaultPolicy'))).toContain(
        'Annotation::AwsSolutions-IAM5[Resource::*]',
      );
    }
  });
});
