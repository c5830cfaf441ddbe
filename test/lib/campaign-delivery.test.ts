import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, TABLES } from '../../functions/config.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import { StatefulStack } from '../../lib/stateful-stack.ts';
import { StatelessStack } from '../../lib/stateless-stack.ts';
import {
  acknowledged,
  actionsOf,
  arnOf,
  atRuntime,
  DYNAMODB_WRITES,
  ENV,
  everyStatement,
  expectedSchedulerRole,
  functionProps,
  logicalId,
  objectsUnder,
  permissions,
  policyStatements,
  refOf,
  resourcesOf,
  type Statement,
  schedulerRoleOf,
  statementsOf,
  statementsOn,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

const SCHEDULE_ARNS = `arn:aws:scheduler:${ENV.region}:${ENV.account}:schedule/campaign-*/*`;
const SCHEDULE_GROUP_ARNS = `arn:aws:scheduler:${ENV.region}:${ENV.account}:schedule-group/campaign-*`;

/** Both stacks with non-default delivery settings, built the way app.ts builds them. */
function customStacks(props: {
  sendWorkers?: number;
  emailDomain?: string;
  publicBaseUrl?: string;
  reservedConcurrency?: boolean;
}) {
  const app = testApp();
  const stateful = new StatefulStack(app, 'CampaignStateful', { env: ENV });
  const stateless = new StatelessStack(app, 'CampaignStateless', {
    env: ENV,
    stateful,
    emailDomain: 'example.com',
    ...props,
  });
  return { app, stateful, stateless };
}

describe('planning and sending', () => {
  let stacks: CampaignStacks;
  let stateful: Template;
  let template: Template;

  beforeAll(() => {
    ({ stacks, stateful, stateless: template } = synthesizeApp());
  });

  const delivery = () => stacks.stateless.delivery;
  /** A cross-stack token as the stateless stack sees it; only valid after Template.fromStack synthesized. */
  const consumed = (value: string) => stacks.stateless.resolve(value);

  describe('tables', () => {
    it('are exposed as a map keyed like TABLES in functions/config.ts', () => {
      // Prepare
      const expected = [...TABLES].sort();

      // Act
      const keys = Object.keys(stacks.stateful.tables).sort();

      // Assess
      expect(keys).toEqual(expected);
      expect(stacks.stateful.tables.campaigns).toBe(stacks.stateful.campaignsTable);
      expect(stacks.stateful.tables.touches).toBe(stacks.stateful.touchesTable);
    });

    it.each(TABLES)('the %s table exists with point-in-time recovery, deletion protection and retention', (table) => {
      // Prepare
      const tableId = logicalId(stacks.stateful.tables[table]);

      // Act
      const resource = stateful.findResources('AWS::DynamoDB::GlobalTable')[tableId];

      // Assess
      expect(resource).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          SSESpecification: { SSEEnabled: true },
          Replicas: [
            expect.objectContaining({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        },
      });
    });
  });

  describe('campaign file rule', () => {
    it('sends objects created under campaigns/ straight to the plan function, with 2 retries and a dead-letter queue', () => {
      // Prepare
      const bucketName = consumed(stacks.stateful.dataBucket.bucketName);

      // Act
      const rules = template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { detail: { object: { key: [{ prefix: 'campaigns/' }] } } } },
      });

      // Assess
      expect(Object.values(rules).map((r) => r.Properties)).toEqual([
        expect.objectContaining({
          State: 'ENABLED',
          EventPattern: {
            source: ['aws.s3'],
            'detail-type': ['Object Created'],
            detail: { bucket: { name: [bucketName] }, object: { key: [{ prefix: 'campaigns/' }] } },
          },
          Targets: [
            expect.objectContaining({
              Arn: arnOf(delivery().planner.function),
              RetryPolicy: { MaximumRetryAttempts: 2 },
              DeadLetterConfig: { Arn: arnOf(delivery().planDeadLetterQueue) },
            }),
          ],
        }),
      ]);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(delivery().planner.function),
        Principal: 'events.amazonaws.com',
        SourceArn: arnOf(delivery().planRule),
      });
    });

    it('parks plans that failed after Lambda retried them in the plan dead-letter queue', () => {
      // Prepare
      const functionRef = refOf(delivery().planner.function);

      // Act
      const configs = template.findResources('AWS::Lambda::EventInvokeConfig', {
        Properties: { FunctionName: functionRef },
      });

      // Assess
      expect(Object.values(configs).map((c) => c.Properties)).toEqual([
        expect.objectContaining({
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: arnOf(delivery().planDeadLetterQueue) } },
        }),
      ]);
    });
  });

  describe('scheduler role', () => {
    it('may be assumed only by EventBridge Scheduler for campaign groups, and may only invoke the dispatch function and send to the scheduler dead-letter queue', () => {
      // Act
      const role = schedulerRoleOf(template, delivery().schedulerRole);

      // Assess
      expect(role).toEqual(
        expectedSchedulerRole(SCHEDULE_GROUP_ARNS, delivery().dispatcher.function, delivery().schedulerDeadLetterQueue),
      );
    });
  });

  describe('plan function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, delivery().planner.role);
    });

    it('schedules nothing and passes no role: an upload plans a draft, only an approval schedules', () => {
      // Act
      const actions = actionsOf(statements);

      // Assess
      expect(actions.filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')).toEqual([]);
      expect(delivery().planner.node.tryFindChild('ScheduleListing')).toBeUndefined();
    });

    it('reads campaign files, writes reports and a sharded plan input, reads customers and imports, writes campaigns and touches', () => {
      // Prepare
      const { tables } = stacks.stateful;

      // Act
      const readable = resourcesOf(statements, 's3:GetObject');
      const writable = resourcesOf(statements, 's3:PutObject');
      const written = DYNAMODB_WRITES.map((action) => resourcesOf(statements, action));
      const read = resourcesOf(statements, 'dynamodb:Query');

      // Assess
      expect(readable).toEqual([objectsUnder(stacks, 'campaigns/')]);
      expect(writable).toEqual(
        expect.arrayContaining([objectsUnder(stacks, 'reports/'), objectsUnder(stacks, 'private/plan-shards/')]),
      );
      expect(writable).toHaveLength(2);
      for (const resources of written) {
        expect(resources).toEqual([consumed(tables.campaigns.tableArn), consumed(tables.touches.tableArn)]);
      }
      expect(read).toEqual(
        expect.arrayContaining(
          [tables.customers, tables.imports, tables.campaigns, tables.touches].map((t) => consumed(t.tableArn)),
        ),
      );
    });

    it('has 15 minutes and 3008 MB, and targets the schedules at the dispatch function', () => {
      // Prepare
      const planner = delivery().planner.function;

      // Act
      const props = functionProps(template, planner);

      // Assess
      expect(props).toMatchObject({
        Handler: 'index.handler',
        Timeout: 900,
        MemorySize: 3008,
        Environment: {
          Variables: {
            CAMPAIGN_RUNTIME: 'aws',
            SCHEDULE_TARGET_ARN: arnOf(delivery().dispatcher.function),
            SCHEDULER_ROLE_ARN: arnOf(delivery().schedulerRole),
            SCHEDULER_DLQ_ARN: arnOf(delivery().schedulerDeadLetterQueue),
          },
        },
      });
    });
  });

  describe('dispatch function', () => {
    it('has 10 minutes (a long opt-out list) and 512 MB, and knows its own ARN from its physical name, not from a reference to itself', () => {
      // Prepare
      const dispatcher = delivery().dispatcher.function;

      // Act
      const props = functionProps(template, dispatcher);

      // Assess
      expect(props).toMatchObject({ Timeout: 600, MemorySize: 512, FunctionName: 'CampaignStateless-SendDispatch' });
      expect(props.Environment.Variables.SCHEDULE_TARGET_ARN).toBe(
        `arn:aws:lambda:${ENV.region}:${ENV.account}:function:CampaignStateless-SendDispatch`,
      );
    });

    it('reads the campaigns table (the send, the campaign state), writes it only with UpdateItem and PutItem, and sends to the send queue (and its failures to the scheduler DLQ)', () => {
      // Prepare
      const statements = statementsOf(template, delivery().dispatcher.role);
      const campaigns = consumed(stacks.stateful.campaignsTable.tableArn);

      // Act
      const written = Object.fromEntries(DYNAMODB_WRITES.map((action) => [action, resourcesOf(statements, action)]));
      const read = resourcesOf(statements, 'dynamodb:GetItem');
      const sent = resourcesOf(statements, 'sqs:SendMessage');

      // Assess
      expect(written).toEqual({
        'dynamodb:PutItem': [campaigns],
        'dynamodb:UpdateItem': [campaigns],
        'dynamodb:DeleteItem': [],
        'dynamodb:BatchWriteItem': [],
      });
      expect(read).toEqual([campaigns]);
      expect(sent).toEqual(
        expect.arrayContaining([arnOf(delivery().sendQueue), arnOf(delivery().schedulerDeadLetterQueue)]),
      );
      expect(sent).toHaveLength(2);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: refOf(delivery().dispatcher.function),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(delivery().schedulerDeadLetterQueue) } },
      });
    });

    it('reads the SMS opt-out list and may only write, never read, the copies under private/opt-outs/', () => {
      // Prepare
      const statements = statementsOf(template, delivery().dispatcher.role);

      // Act
      const sns = statementsOn(statements, 'sns:');
      const s3 = statementsOn(statements, 's3:');

      // Assess
      expect(permissions(sns)).toEqual(permissions([{ Action: 'sns:ListPhoneNumbersOptedOut', Resource: '*' }]));
      expect(permissions(s3)).toEqual(
        permissions([
          { Action: 's3:PutObject', Resource: objectsUnder(stacks, 'private/opt-outs/') },
          { Action: 's3:AbortMultipartUpload', Resource: objectsUnder(stacks, 'private/opt-outs/') },
        ]),
      );
    });
  });

  describe('send queue and worker', () => {
    it('hands the worker one shard per invocation, reports failures one by one and polls at most sendWorkers at once', () => {
      // Prepare
      const workerRef = refOf(delivery().worker.function);

      // Act
      const mappings = template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: workerRef },
      });

      // Assess
      expect(Object.values(mappings).map((m) => m.Properties)).toEqual([
        expect.objectContaining({
          EventSourceArn: arnOf(delivery().sendQueue),
          BatchSize: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 8 },
        }),
      ]);
      const worker = functionProps(template, delivery().worker.function);
      expect(worker).toMatchObject({ Timeout: 900, MemorySize: 1769 });
      // A reservation is opt-in (reservedConcurrency): a new account's quota could not host it.
      expect(worker.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('takes reserved and poller concurrency from the sendWorkers stack prop when reserving', () => {
      // Prepare
      const { stateless } = customStacks({ sendWorkers: 5, reservedConcurrency: true });

      // Act
      const custom = Template.fromStack(stateless);
      const workerId = logicalId(stateless.delivery.worker.function);

      // Assess
      expect(functionProps(custom, stateless.delivery.worker.function).ReservedConcurrentExecutions).toBe(5);
      custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: workerId },
        ScalingConfig: { MaximumConcurrency: 5 },
      });
    });

    it('refuses a sendWorkers the SQS poller cannot honour', () => {
      // Prepare
      const build = () => customStacks({ sendWorkers: 1 });

      // Act + Assess
      expect(build).toThrow(/sendWorkers must be an integer from 2 to 1000/);
    });

    it('keeps a shard invisible longer than a worker runs, and dead-letters it after 5 receives', () => {
      // Prepare
      const queueId = logicalId(delivery().sendQueue);

      // Act
      const queue = template.findResources('AWS::SQS::Queue')[queueId]?.Properties;

      // Assess
      expect(queue.VisibilityTimeout).toBe(Duration.minutes(16).toSeconds());
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: arnOf(delivery().sendDeadLetterQueue),
        maxReceiveCount: 5,
      });
    });

    it.each(['sendQueue', 'sendDeadLetterQueue', 'schedulerDeadLetterQueue', 'planDeadLetterQueue'] as const)(
      '%s is encrypted by SQS and refuses plain HTTP',
      (which) => {
        // Prepare
        const queueId = logicalId(delivery()[which]);

        // Act
        const queue = template.findResources('AWS::SQS::Queue')[queueId]?.Properties;
        const statements = policyStatements(template, 'AWS::SQS::QueuePolicy', { Queues: [{ Ref: queueId }] });

        // Assess
        expect(queue.SqsManagedSseEnabled).toBe(true);
        expect(statements).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
        if (which !== 'sendQueue') expect(queue.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());
      },
    );

    it('writes touches and customers, only updates or puts campaigns (leases, rate windows, the completion; it reads the campaign state there), never deletes there, and re-queues the rest of a shard it cannot finish', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const statements = statementsOf(template, delivery().worker.role);
      const arns = (...which: Array<keyof typeof tables>) =>
        which.map((t) => consumed(tables[t].tableArn)).sort(byJson);

      // Act
      const written = Object.fromEntries(
        DYNAMODB_WRITES.map((action) => [action, [...resourcesOf(statements, action)].sort(byJson)]),
      );
      const read = [...resourcesOf(statements, 'dynamodb:GetItem')].sort(byJson);
      const sent = resourcesOf(statements, 'sqs:SendMessage');

      // Assess
      expect(written).toEqual({
        'dynamodb:PutItem': arns('campaigns', 'touches', 'customers'),
        'dynamodb:UpdateItem': arns('campaigns', 'touches', 'customers'),
        'dynamodb:DeleteItem': arns('touches', 'customers'),
        // The links table: link items only (test/lib/tracked-link.test.ts checks the condition).
        'dynamodb:BatchWriteItem': arns('touches', 'customers', 'links'),
      });
      expect(read).toEqual(arns('campaigns', 'touches', 'customers'));
      expect(sent).toEqual([arnOf(delivery().sendQueue)]);
    });

    it('reads the link key (it seals each email unsubscribe link) and names it in LINK_SECRET_ARN', () => {
      // Prepare
      const statements = statementsOf(template, delivery().worker.role);
      const secretArn = consumed(stacks.stateful.linkSigningSecret.secretArn);

      // Act
      const readable = resourcesOf(statements, 'secretsmanager:GetSecretValue');
      const variables = functionProps(template, delivery().worker.function).Environment.Variables;

      // Assess
      expect(readable).toEqual([secretArn]);
      expect(variables.LINK_SECRET_ARN).toEqual(secretArn);
    });

    it('makes links from the HTTP API URL by default (PUBLIC_BASE_URL)', () => {
      // Prepare
      const api = refOf(stacks.stateless.httpApi.api);

      // Act
      const variables = functionProps(template, delivery().worker.function).Environment.Variables;

      // Assess
      expect(variables.PUBLIC_BASE_URL).toEqual({
        'Fn::Join': ['', ['https://', api, `.execute-api.${ENV.region}.`, { Ref: 'AWS::URLSuffix' }, '/']],
      });
    });

    it('takes PUBLIC_BASE_URL from the publicBaseUrl stack prop, and refuses one that is not a plain https URL', () => {
      // Prepare
      const { stateless } = customStacks({ publicBaseUrl: 'https://shop.example.cn/mail' });

      // Act
      const variables = functionProps(Template.fromStack(stateless), stateless.delivery.worker.function).Environment
        .Variables;

      // Assess
      expect(variables.PUBLIC_BASE_URL).toBe('https://shop.example.cn/mail');
      for (const bad of ['http://shop.example.cn', 'shop.example.cn', 'https://shop.example.cn/?a=1', 'https://x/#y']) {
        expect(() => customStacks({ publicBaseUrl: bad }), bad).toThrow(/publicBaseUrl must be an https URL/);
      }
    });

    it("sends SMS to phone numbers in its own region only, and reads the send's opt-out copy, not SNS's list", () => {
      // Prepare
      const statements = statementsOf(template, delivery().worker.role);
      const optOutCopies = objectsUnder(stacks, 'private/opt-outs/');

      // Act
      const sns = statementsOn(statements, 'sns:');
      const readable = resourcesOf(statements, 's3:GetObject');
      const writable = resourcesOf(statements, 's3:PutObject');

      // Assess
      expect(permissions(sns)).toEqual(
        permissions([
          { Action: 'sns:Publish', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ENV.region } } },
        ]),
      );
      expect(readable).toEqual([optOutCopies]);
      expect(writable).toEqual([]);
    });
  });

  describe('email', () => {
    it('may send only as the SES identity, through the configuration set', () => {
      // Prepare
      const setRef = refOf(delivery().configurationSet);
      const setArn = { 'Fn::Join': ['', [`arn:aws:ses:${ENV.region}:${ENV.account}:configuration-set/`, setRef]] };

      // Act
      const sendable = resourcesOf(statementsOf(template, delivery().worker.role), 'ses:SendEmail');
      const testSendable = resourcesOf(statementsOf(template, stacks.stateless.httpApi.testSend.role), 'ses:SendEmail');
      const sesAnywhere = statementsOn(everyStatement(template), 'ses:');

      // Assess
      const expected = [`arn:aws:ses:${ENV.region}:${ENV.account}:identity/example.com`, setArn];
      expect(sendable).toEqual(expected);
      // The test send mails as the campaign does; nothing else may send.
      expect(testSendable).toEqual(expected);
      expect(sesAnywhere).toHaveLength(2);
      expect(functionProps(template, delivery().worker.function).Environment.Variables).toMatchObject({
        EMAIL_FROM: 'campaign@example.com',
        SES_CONFIGURATION_SET: setRef,
      });
    });

    it('uses a configuration set with reputation metrics, sending on, and bounces and complaints suppressed', () => {
      // Prepare
      const setId = logicalId(delivery().configurationSet);

      // Act
      const props = template.findResources('AWS::SES::ConfigurationSet')[setId]?.Properties;

      // Assess
      expect(props).toEqual({
        ReputationOptions: { ReputationMetricsEnabled: true },
        SendingOptions: { SendingEnabled: true },
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      });
    });

    it('takes the sending domain from the emailDomain stack prop', () => {
      // Prepare
      const { stateless } = customStacks({ emailDomain: 'mail.d11-shop.cn' });

      // Act
      const custom = Template.fromStack(stateless);
      const statements = statementsOf(custom, stateless.delivery.worker.role);

      // Assess
      expect(resourcesOf(statements, 'ses:SendEmail')[0]).toBe(
        `arn:aws:ses:${ENV.region}:${ENV.account}:identity/mail.d11-shop.cn`,
      );
      custom.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EMAIL_FROM: 'campaign@mail.d11-shop.cn' }) },
      });
    });
  });

  describe('least privilege across the app', () => {
    it('grants no S3 delete and no wildcard action anywhere', () => {
      // Prepare
      const statements = [...everyStatement(stateful), ...everyStatement(template)];

      // Act
      const actions = actionsOf(statements);

      // Assess
      expect(actions.filter((a) => /^s3:Delete|DeleteObject/.test(a))).toEqual([]);
      expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    });

    it('lets only the control function (approve, cancel) manage send schedules or pass their role, and only the webhook and the trigger check the trigger schedules', () => {
      // Prepare
      const control = stacks.stateless.httpApi.campaignControl;
      const { triggerChecks } = stacks.stateless;
      const schedulers = [control, stacks.stateless.httpApi.ordersWebhook, triggerChecks.checker];
      const theirs = new Set(schedulers.flatMap((fn) => statementsOf(template, fn.role)).map((s) => JSON.stringify(s)));
      const scheduling = (s: Statement) =>
        [s.Action].flat().some((a) => a.startsWith('scheduler:') || a === 'iam:PassRole');
      const onSends = (s: Statement) =>
        JSON.stringify(s.Resource).includes(':schedule/campaign-') ||
        JSON.stringify(s.Resource).includes(':schedule-group/campaign-') ||
        JSON.stringify(s.Resource) === JSON.stringify(arnOf(delivery().schedulerRole));

      // Act
      const others = everyStatement(template).filter((s) => !theirs.has(JSON.stringify(s)));
      const sendScheduling = (fn: (typeof schedulers)[number]) =>
        statementsOf(template, fn.role).filter(scheduling).filter(onSends);

      // Assess
      expect(actionsOf(others.filter(scheduling))).toEqual([]);
      expect(sendScheduling(control).length).toBeGreaterThan(0);
      expect(sendScheduling(stacks.stateless.httpApi.ordersWebhook)).toEqual([]);
      expect(sendScheduling(triggerChecks.checker)).toEqual([]);
    });
  });

  describe('configuration', () => {
    it.each(['planner', 'dispatcher', 'worker', 'importer'] as const)(
      'the %s environment passes loadConfig()',
      (which) => {
        // Prepare
        const fn = which === 'importer' ? stacks.stateless.segmentImport.importer.function : delivery()[which].function;
        const env = atRuntime(functionProps(template, fn).Environment.Variables);

        // Act
        const config = loadConfig({ ...env, AWS_REGION: ENV.region });

        // Assess
        expect(config.runtime).toBe('aws');
      },
    );
  });

  describe('alarms', () => {
    it.each([
      {
        name: 'scheduler dead letters',
        metric: 'ApproximateNumberOfMessagesVisible',
        of: () => delivery().schedulerDeadLetterQueue,
      },
      {
        name: 'send dead letters',
        metric: 'ApproximateNumberOfMessagesVisible',
        of: () => delivery().sendDeadLetterQueue,
      },
      {
        name: 'plan dead letters',
        metric: 'ApproximateNumberOfMessagesVisible',
        of: () => delivery().planDeadLetterQueue,
      },
    ])('$name >= 1 notify the operator topic', ({ metric, of }) => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);
      const queueName = { 'Fn::GetAtt': [logicalId(of()), 'QueueName'] };

      // Act
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: metric, Dimensions: [{ Name: 'QueueName', Value: queueName }] },
      });

      // Assess
      expect(Object.values(alarms).map((a) => a.Properties)).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });

    it.each(['worker', 'dispatcher'] as const)('%s errors >= 1 notify the operator topic', (which) => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);

      // Act
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: refOf(delivery()[which].function) }],
        },
      });

      // Assess
      expect(Object.values(alarms).map((a) => a.Properties)).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });

    it('a send shard waiting more than 15 minutes notifies the operator topic', () => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);
      const queueName = { 'Fn::GetAtt': [logicalId(delivery().sendQueue), 'QueueName'] };

      // Act
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: queueName }],
        },
      });

      // Assess
      expect(Object.values(alarms).map((a) => a.Properties)).toEqual([
        expect.objectContaining({
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 900,
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });
  });
});

describe('cdk-nag on planning and sending', () => {
  it('passes, with each acknowledgement on the policy or queue it is about', () => {
    // Prepare
    const app = testApp();
    const { stateless } = buildApp(app, ENV);
    const { delivery } = stateless;
    const child = (fn: IConstruct, id: string) => fn.node.findChild(id);

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
    const unscoped = 'Annotation::AwsSolutions-IAM5[Resource::*]';
    const control = stateless.httpApi.campaignControl;
    expect(acknowledged(child(control, 'ScheduleListing'))).toEqual([unscoped]);
    expect(delivery.planner.node.tryFindChild('ScheduleListing')).toBeUndefined();
    expect(acknowledged(child(delivery.worker, 'SmsPublish'))).toEqual([unscoped]);
    expect(acknowledged(child(delivery.dispatcher, 'SmsOptOuts'))).toEqual([unscoped]);
    expect(delivery.worker.node.tryFindChild('SmsOptOuts')).toBeUndefined();
    expect(acknowledged(delivery.schedulerDeadLetterQueue)).toEqual(['Annotation::AwsSolutions-SQS3']);
    expect(acknowledged(delivery.planDeadLetterQueue)).toEqual(['Annotation::AwsSolutions-SQS3']);
    expect(acknowledged(delivery.sendDeadLetterQueue)).toEqual([]);
    expect(acknowledged(delivery)).toEqual([]);
    expect(acknowledged(control.role.node.findChild('DefaultPolicy'))).toEqual(
      expect.arrayContaining([
        unscoped, // X-Ray only: the unscoped scheduler action is in a policy of its own
        `Annotation::AwsSolutions-IAM5[Resource::${SCHEDULE_ARNS}]`,
        `Annotation::AwsSolutions-IAM5[Resource::${SCHEDULE_GROUP_ARNS}]`,
      ]),
    );
    expect(acknowledged(child(delivery, 'SchedulerPolicy'))).toEqual([
      `Annotation::AwsSolutions-IAM5[Resource::<${logicalId(delivery.dispatcher.function)}.Arn>:*]`,
    ]);
  });
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
