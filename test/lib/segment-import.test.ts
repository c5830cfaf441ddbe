import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStacks } from '../../lib/app.ts';
import {
  actionsOf,
  arnOf,
  DYNAMODB_WRITES,
  ENV,
  functionProps,
  logicalId,
  objectsUnder,
  policyStatements,
  refOf,
  resourcesOf,
  type Statement,
  statementsOf,
  synthesizeApp,
} from './cdk-test-support.ts';

describe('segment import pipeline', () => {
  let stacks: CampaignStacks;
  let template: Template;
  let importerStatements: Statement[];

  beforeAll(() => {
    ({ stacks, stateless: template } = synthesizeApp());
    importerStatements = statementsOf(template, stacks.stateless.segmentImport.importer.role);
  });

  /** A cross-stack token as the stateless stack sees it; only valid after Template.fromStack synthesized. */
  const consumed = (value: string) => stacks.stateless.resolve(value);
  const queueArn = () => arnOf(stacks.stateless.segmentImport.queue);

  describe('EventBridge rule', () => {
    it('routes only objects created under segments/ of the data bucket to the import queue', () => {
      // Prepare
      const bucketName = consumed(stacks.stateful.dataBucket.bucketName);

      // Act: the import slice's rules are those that target the import queue
      const rules = template.findResources('AWS::Events::Rule', {
        Properties: { Targets: Match.arrayWith([Match.objectLike({ Arn: queueArn() })]) },
      });

      // Assess
      expect(Object.values(rules)).toHaveLength(1);
      expect(Object.values(rules)[0]?.Properties).toMatchObject({
        State: 'ENABLED',
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: [bucketName] }, object: { key: [{ prefix: 'segments/' }] } },
        },
        Targets: [expect.objectContaining({ Arn: queueArn() })],
      });
      expect(Object.values(rules)[0]?.Properties.EventBusName).toBeUndefined(); // the default bus
    });
  });

  describe('import queue', () => {
    it('has a dead-letter queue after 5 receives and a visibility timeout longer than the function timeout', () => {
      // Prepare
      const { queue, deadLetterQueue, importer } = stacks.stateless.segmentImport;
      const queueId = logicalId(queue);

      // Act
      const queueProps = template.findResources('AWS::SQS::Queue')[queueId]?.Properties;
      const functionTimeout = functionProps(template, importer.function).Timeout;

      // Assess
      expect(queueProps.RedrivePolicy).toEqual({
        deadLetterTargetArn: arnOf(deadLetterQueue),
        maxReceiveCount: 5,
      });
      expect(functionTimeout).toBe(Duration.minutes(15).toSeconds());
      expect(queueProps.VisibilityTimeout).toBeGreaterThan(functionTimeout);
      expect(queueProps.MessageRetentionPeriod).toBe(Duration.days(4).toSeconds());
    });

    it.each(['queue', 'deadLetterQueue'] as const)('%s is encrypted by SQS and refuses plain HTTP', (which) => {
      // Prepare
      const queueId = logicalId(stacks.stateless.segmentImport[which]);

      // Act
      const queueProps = template.findResources('AWS::SQS::Queue')[queueId]?.Properties;
      const statements = policyStatements(template, 'AWS::SQS::QueuePolicy', { Queues: [{ Ref: queueId }] });

      // Assess
      expect(queueProps.SqsManagedSseEnabled).toBe(true);
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    });

    it('keeps dead letters for 14 days', () => {
      // Prepare
      const dlqId = logicalId(stacks.stateless.segmentImport.deadLetterQueue);

      // Act
      const dlqProps = template.findResources('AWS::SQS::Queue')[dlqId]?.Properties;

      // Assess
      expect(dlqProps.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());
    });
  });

  describe('import function', () => {
    it('gets one file per invocation and reports failed messages one by one', () => {
      // Prepare
      const functionRef = refOf(stacks.stateless.segmentImport.importer.function);

      // Act: whatever polls the import queue
      const mappings = template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: queueArn() },
      });

      // Assess
      expect(Object.values(mappings).map((m) => m.Properties)).toEqual([
        expect.objectContaining({
          EventSourceArn: queueArn(),
          FunctionName: functionRef,
          BatchSize: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 4 },
        }),
      ]);
    });

    it('has one vCPU, 15 minutes, no reserved executions by default and its wiring in the environment', () => {
      // Prepare
      const { stateful } = stacks;

      // Act
      const props = functionProps(template, stacks.stateless.segmentImport.importer.function);

      // Assess
      expect(props).toMatchObject({
        Handler: 'index.handler',
        MemorySize: 1769,
        Timeout: 900,
        Environment: {
          Variables: {
            CAMPAIGN_RUNTIME: 'aws',
            CUSTOMERS_TABLE: consumed(stateful.customersTable.tableName),
            IMPORTS_TABLE: consumed(stateful.importsTable.tableName),
            DATA_BUCKET: consumed(stateful.dataBucket.bucketName),
            IMPORT_QUEUE_URL: refOf(stacks.stateless.segmentImport.queue),
          },
        },
      });
      expect(props.EphemeralStorage).toBeUndefined();
      // A reservation is opt-in (reservedConcurrency): a new account's quota could not host it.
      expect(props.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('may read objects only under segments/ and write only under reports/, never delete', () => {
      // Prepare
      const s3Actions = actionsOf(importerStatements).filter((a) => a.startsWith('s3:'));

      // Act
      const readable = resourcesOf(importerStatements, 's3:GetObject');
      const writable = resourcesOf(importerStatements, 's3:PutObject');

      // Assess
      expect(readable).toEqual([objectsUnder(stacks, 'segments/')]);
      expect(writable).toEqual([objectsUnder(stacks, 'reports/')]);
      expect(s3Actions.sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
      expect(s3Actions.filter((a) => a.includes('Delete') || a.includes('*'))).toEqual([]);
    });

    it('may write only to the customers and imports tables', () => {
      // Prepare
      const tables = [stacks.stateful.customersTable, stacks.stateful.importsTable].map((t) => consumed(t.tableArn));

      // Act
      const written = DYNAMODB_WRITES.map((action) => resourcesOf(importerStatements, action));

      // Assess
      for (const resources of written) {
        expect(resources).toHaveLength(2);
        expect(resources).toEqual(expect.arrayContaining(tables));
      }
      expect(actionsOf(importerStatements).filter((a) => a === 'dynamodb:*')).toEqual([]);
    });

    it('may send messages only to the import queue', () => {
      // Prepare
      const sqsSendActions = ['sqs:SendMessage', 'sqs:SendMessageBatch', 'sqs:*'];

      // Act
      const targets = sqsSendActions.flatMap((action) => resourcesOf(importerStatements, action));

      // Assess
      expect(targets).toEqual([queueArn()]);
    });
  });

  describe('alarms', () => {
    /** The import slice's alarms, told apart from the other slices' by what they watch. */
    const queueDimension = (which: 'queue' | 'deadLetterQueue') => [
      {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [logicalId(stacks.stateless.segmentImport[which]), 'QueueName'] },
      },
    ];
    const importerDimension = () => [
      {
        Name: 'FunctionName',
        Value: refOf(stacks.stateless.segmentImport.importer.function),
      },
    ];

    it.each([
      {
        name: 'dead letters',
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        dimensions: () => queueDimension('deadLetterQueue'),
        operator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
      },
      {
        name: 'function errors over 5 minutes',
        namespace: 'AWS/Lambda',
        metric: 'Errors',
        dimensions: importerDimension,
        operator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        period: 300,
      },
      {
        name: 'a file waiting more than 30 minutes',
        namespace: 'AWS/SQS',
        metric: 'ApproximateAgeOfOldestMessage',
        dimensions: () => queueDimension('queue'),
        operator: 'GreaterThanThreshold',
        threshold: 1800,
      },
    ])('$name notifies the operator topic', ({ namespace, metric, dimensions, operator, threshold, period }) => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);

      // Act
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: namespace, MetricName: metric, Dimensions: dimensions() },
      });

      // Assess
      expect(Object.values(alarms).map((a) => a.Properties)).toEqual([
        expect.objectContaining({
          ComparisonOperator: operator,
          Threshold: threshold,
          EvaluationPeriods: 1,
          ...(period ? { Period: period } : {}),
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });

    it('watch the dead-letter queue, the import function and the import queue', () => {
      // Prepare
      const { queue, deadLetterQueue, importer } = stacks.stateless.segmentImport;

      // Act
      const dimensions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties.Dimensions,
      );

      // Assess
      expect(dimensions).toEqual(
        expect.arrayContaining([
          [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(deadLetterQueue), 'QueueName'] } }],
          [{ Name: 'FunctionName', Value: refOf(importer.function) }],
          [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }],
        ]),
      );
    });

    it('go to a topic encrypted with a rotated key that CloudWatch may use, and that refuses plain HTTP', () => {
      // Prepare
      const { topic, key } = stacks.stateless.alarms;
      const topicId = logicalId(topic);
      const keyId = logicalId(key);

      // Act
      const topicProps = template.findResources('AWS::SNS::Topic')[topicId]?.Properties;
      const keyProps = template.findResources('AWS::KMS::Key')[keyId]?.Properties;

      // Assess
      expect(topicProps.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(keyProps.EnableKeyRotation).toBe(true);
      expect(keyProps.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      );
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: {
                ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${ENV.region}:${ENV.account}:alarm:*` },
                StringEquals: { 'aws:SourceAccount': ENV.account },
              },
            }),
          ]),
        },
      });
    });
  });
});
