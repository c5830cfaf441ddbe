import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../../functions/adapters/dynamo/table-definitions.ts';
import { TABLES } from '../../functions/config.ts';
import { CAMPAIGNS_TTL_ATTRIBUTE, PREFIX, SERVICE } from '../../functions/contract.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import { CampaignFunction } from '../../lib/campaign-function.ts';
import {
  arnOf,
  DYNAMODB_READS,
  ENV,
  functionProps,
  logicalId,
  policyStatements,
  refOf,
  statementsOf,
  statementsOn,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

describe('campaign stacks', () => {
  let stacks: CampaignStacks;
  let stateful: Template;
  let stateless: Template;

  beforeAll(() => {
    ({ stacks, stateful, stateless } = synthesizeApp());
  });

  describe('data bucket', () => {
    it('blocks public access, is encrypted, versioned and retained', () => {
      // Prepare
      const bucketId = logicalId(stacks.stateful.dataBucket);

      // Act
      const bucket = stateful.findResources('AWS::S3::Bucket')[bucketId];

      // Assess
      expect(bucket).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: { DestinationBucketName: expect.anything() },
        },
      });
    });

    it('expires noncurrent versions after 30 days and aborts stale multipart uploads after 7', () => {
      // Prepare
      const expectedRule = {
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        Status: 'Enabled',
      };

      // Act
      const buckets = stateful.findResources('AWS::S3::Bucket', {
        Properties: { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike(expectedRule)]) } },
      });

      // Assess
      expect(Object.keys(buckets)).toHaveLength(1);
    });

    it("expires the sends' copies of the SMS opt-out list and the map imports' work after 30 days, and nothing else", () => {
      // Prepare
      const bucketId = logicalId(stacks.stateful.dataBucket);

      // Act
      const rules = stateful.findResources('AWS::S3::Bucket')[bucketId]?.Properties.LifecycleConfiguration.Rules;
      const expiring = rules.filter((rule: { ExpirationInDays?: number }) => rule.ExpirationInDays !== undefined);

      // Assess
      expect(expiring).toEqual([
        { Id: 'expire-opt-out-copies', Prefix: PREFIX.optOuts, ExpirationInDays: 30, Status: 'Enabled' },
        { Id: 'expire-import-runs', Prefix: PREFIX.importRuns, ExpirationInDays: 30, Status: 'Enabled' },
      ]);
    });

    it('denies every request not made over TLS', () => {
      // Prepare
      const bucketRef = refOf(stacks.stateful.dataBucket);

      // Act
      const statements = policyStatements(stateful, 'AWS::S3::BucketPolicy', { Bucket: bucketRef });

      // Assess
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });
  });

  describe('tables', () => {
    it.each(TABLES)(
      'the %s table is on demand, point-in-time recoverable, encrypted, deletion-protected and retained',
      (table) => {
        // Prepare
        const tableId = logicalId(stacks.stateful.tables[table]);

        // Act
        const resource = stateful.findResources('AWS::DynamoDB::GlobalTable')[tableId];

        // Assess
        expect(resource).toMatchObject({
          DeletionPolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            // KMS with the AWS managed key: no replica names a key of its own.
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
            Replicas: [
              expect.objectContaining({
                PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
                DeletionProtectionEnabled: true,
              }),
            ],
          },
        });
        expect(resource?.Properties.Replicas[0].SSESpecification).toBeUndefined();
      },
    );

    it('expire the rate limiter rows of the campaigns table by the attribute it writes, and nothing in the others', () => {
      // Prepare
      const resources = stateful.findResources('AWS::DynamoDB::GlobalTable');

      // Act
      const ttl = Object.fromEntries(
        TABLES.map((name) => [
          name,
          resources[logicalId(stacks.stateful.tables[name])]?.Properties.TimeToLiveSpecification,
        ]),
      );

      // Assess
      expect(ttl).toEqual({
        customers: undefined,
        imports: undefined,
        campaigns: { AttributeName: CAMPAIGNS_TTL_ATTRIBUTE, Enabled: true },
        touches: undefined,
      });
    });

    it('warm the touches table for writes only when touchesWarmWrites is set, and no other table', () => {
      // Prepare
      const warmed = buildApp(testApp({ dryRun: 'true', touchesWarmWrites: '40000' }), ENV);

      // Act
      const warmthOf = (built: CampaignStacks) => {
        const resources = Template.fromStack(built.stateful).findResources('AWS::DynamoDB::GlobalTable');
        return Object.fromEntries(
          TABLES.map((name) => [name, resources[logicalId(built.stateful.tables[name])]?.Properties.WarmThroughput]),
        );
      };

      // Assess
      expect(warmthOf(warmed), 'with the setting').toEqual({ touches: { WriteUnitsPerSecond: 40_000 } });
      expect(
        Object.values(warmthOf(stacks)).filter(Boolean),
        'without it, DynamoDB keeps its own warm throughput',
      ).toEqual([]);
    });

    it('are exactly the tables the functions know, with the key schema the local database is created with', () => {
      // Prepare
      const cdkTables = stacks.stateful.tables;
      const resources = stateful.findResources('AWS::DynamoDB::GlobalTable');

      // Act
      const schemas = Object.fromEntries(
        TABLES.map((name) => {
          const id = logicalId(cdkTables[name]);
          return [name, resources[id]?.Properties.KeySchema];
        }),
      );

      // Assess
      expect(Object.keys(resources)).toHaveLength(TABLES.length);
      for (const name of TABLES) {
        expect(schemas[name]).toEqual(createTableInput(name).KeySchema);
      }
    });
  });

  describe('service names', () => {
    it('give every function the service name its handler logs and traces under', async () => {
      // Prepare
      const functions = stacks.stateless.node.findAll().filter((node) => node instanceof CampaignFunction);

      // Act
      const named = await Promise.all(
        functions.map(async (fn) => {
          const source = new URL(`../../${fn.entry}`, import.meta.url).href;
          const module = (await import(/* @vite-ignore */ source)) as Record<string, { service?: string } | undefined>;
          const variables = functionProps(stateless, fn.function)?.Environment.Variables;
          return {
            entry: `${fn.entry}#${fn.handlerName}`,
            cdk: variables?.POWERTOOLS_SERVICE_NAME,
            handler: module[fn.handlerName]?.service,
          };
        }),
      );

      // Assess
      // Handlers built and tested locally whose functions (and state machines) the stacks do not deploy yet.
      const notDeployedYet: Array<keyof typeof SERVICE> = [];
      expect(new Set(named.map((n) => n.cdk)).size).toBeGreaterThanOrEqual(
        Object.keys(SERVICE).length - notDeployedYet.length,
      );
      const deployed = new Set(named.map((n) => n.cdk));
      for (const service of notDeployedYet) {
        expect(deployed.has(SERVICE[service]), `${service} is deployed now: take it off notDeployedYet`).toBe(false);
      }
      for (const { entry, cdk, handler } of named) expect({ entry, cdk }).toEqual({ entry, cdk: handler });
      // A service name is one handler file's: the plan's three passes are three functions of one file.
      const filesOf = new Map<string, Set<string>>();
      for (const { entry, cdk } of named)
        filesOf.set(cdk, (filesOf.get(cdk) ?? new Set()).add(entry.split('#')[0] ?? ''));
      for (const [service, files] of filesOf) expect([...files], `${service} is one handler file's`).toHaveLength(1);
    });
  });

  describe('health function', () => {
    it('runs on ARM64 with tracing and gets the table name from useTable', () => {
      // Prepare
      const tableName = stacks.stateless.resolve(stacks.stateful.customersTable.tableName);

      // Act
      const props = functionProps(stateless, stacks.stateless.health.function);

      // Assess
      expect(props).toMatchObject({
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: {
            CUSTOMERS_TABLE: tableName,
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: SERVICE.health,
          },
        },
      });
      expect(Object.keys(props?.Environment.Variables).sort()).toEqual([
        'CUSTOMERS_TABLE',
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
      ]);
    });

    it('may only read the customers table', () => {
      // Prepare
      const tableArn = stacks.stateless.resolve(stacks.stateful.customersTable.tableArn);

      // Act
      const statements = statementsOf(stateless, stacks.stateless.health.role);
      const dynamoActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('dynamodb:'));

      // Assess
      expect(dynamoActions).toContain('dynamodb:GetItem');
      expect(dynamoActions).toContain('dynamodb:Query');
      expect(dynamoActions).not.toContain('dynamodb:PutItem');
      expect(dynamoActions.filter((a) => !DYNAMODB_READS.has(a))).toEqual([]);
      const tableStatements = statementsOn(statements, 'dynamodb:');
      expect(tableStatements.map((s) => s.Resource)).toEqual([tableArn]);
    });

    it('has no AWS managed policy and writes only to its own one-month log group', () => {
      // Prepare
      const logGroupArn = arnOf(stacks.stateless.health.logGroup);

      // Act
      const roles = stateless.findResources('AWS::IAM::Role');

      // Assess
      for (const role of Object.values(roles)) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      stateless.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      stateless.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Effect: 'Allow',
              Resource: logGroupArn,
            },
          ]),
        },
      });
    });
  });
});

describe('dependencies inside each stack', () => {
  it('have no cycle (CloudFormation would refuse the template)', () => {
    // Prepare
    const { stateful, stateless } = synthesizeApp();

    // Act
    const cycles = [stateful, stateless].map((template) => cycleIn(template.toJSON().Resources));

    // Assess
    expect(cycles).toEqual([undefined, undefined]);
  });

  it('are checked by a cycle finder that finds one', () => {
    // Prepare: a function naming the API, and the API naming the function.
    const resources = {
      Api: { Properties: { Name: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
      Fn: {
        Properties: { Environment: { Variables: { URL: { 'Fn::Sub': ['https://', '$', '{Api}.example'].join('') } } } },
      },
      Other: { DependsOn: 'Fn', Properties: {} },
    };

    // Act / Assess
    expect(cycleIn(resources)).toEqual(['Api', 'Fn', 'Api']);
    expect(cycleIn({ ...resources, Api: { Properties: {} } })).toBeUndefined();
  });
});

/** A cycle of Ref, Fn::GetAtt, Fn::Sub and DependsOn between resources, as a list of ids; undefined if none. */
function cycleIn(resources: Record<string, { DependsOn?: string | string[] } & Record<string, unknown>>) {
  const ids = new Set(Object.keys(resources));
  const edges = new Map<string, Set<string>>();
  const collect = (value: unknown, into: Set<string>): void => {
    if (Array.isArray(value)) for (const item of value) collect(item, into);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && ids.has(inner)) into.add(inner);
        else if (key === 'Fn::GetAtt' && Array.isArray(inner) && ids.has(String(inner[0]))) into.add(String(inner[0]));
        else if (key === 'Fn::Sub') {
          for (const match of JSON.stringify(inner).matchAll(/\$\{([A-Za-z0-9]+)/g)) {
            if (ids.has(match[1] as string)) into.add(match[1] as string);
          }
          collect(inner, into);
        } else collect(inner, into);
      }
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const into = new Set<string>([resource.DependsOn ?? []].flat());
    collect(resource.Properties, into);
    edges.set(id, into);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('cdk-nag AwsSolutions checks', () => {
  it('leave no unacknowledged finding in the campaign app', () => {
    // Prepare
    const app = testApp();
    buildApp(app, ENV);

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
  });

  it('fail synthesis on a finding nobody acknowledged', () => {
    // Prepare: a bucket that allows plain HTTP, next to the real stacks
    const app = testApp();
    buildApp(app, ENV);
    const careless = new Stack(app, 'Careless', { env: ENV });
    new Bucket(careless, 'PlainHttp');

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-S10/);
    const report = readFileSync(`${app.outdir}/validation-report.json`, 'utf8');
    expect(report).toContain('Careless/PlainHttp');
    expect(report).not.toContain('CampaignStateful/');
    expect(report).not.toContain('CampaignStateless/');
  });
});
