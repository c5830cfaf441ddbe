import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { SERVICE } from '../../functions/contract.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import { CampaignFunction } from '../../lib/campaign-function.ts';
import { arnOf, ENV, logicalId, permissions, refOf, statementsOf, statementsOn, testApp } from './cdk-test-support.ts';

/** The real stacks plus one function that uses the helpers the way the import handler will. */
function appWithImporter() {
  const app = testApp();
  const stacks = buildApp(app, ENV);
  stacks.stateful.customersTable.addGlobalSecondaryIndex({
    indexName: 'byPhone',
    partitionKey: { name: 'phone', type: AttributeType.STRING },
  });
  const importer = new CampaignFunction(stacks.stateless, 'Importer', {
    entry: 'functions/handlers/health.ts',
    serviceName: SERVICE.importSegment,
  })
    .useBucket(stacks.stateful.dataBucket, 'DATA_BUCKET', 'readWrite', 'segments')
    .useTable(stacks.stateful.customersTable, 'CUSTOMERS_TABLE', 'readWrite');
  return { app, stacks, importer };
}

describe('CampaignFunction.useBucket', () => {
  it('scopes object and list access to the key prefix, without delete', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();

    // Act
    const template = Template.fromStack(stacks.stateless);
    const s3 = statementsOn(statementsOf(template, importer.role), 's3:');

    // Assess: cross-stack tokens resolve to the consumer's form only after synthesis
    const bucketArn = stacks.stateless.resolve(stacks.stateful.dataBucket.bucketArn);
    const objects = { 'Fn::Join': ['', [bucketArn, '/segments/*']] };
    expect(permissions(s3)).toEqual(
      permissions([
        { Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], Resource: objects },
        { Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['segments/*'] } } },
      ]),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { DATA_BUCKET: stacks.stateless.resolve(stacks.stateful.dataBucket.bucketName) } },
    });
  });

  it('rejects an environment variable wired twice to different resources', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();

    // Act
    const rewire = () => importer.useBucket(stacks.stateful.accessLogsBucket, 'DATA_BUCKET', 'read');

    // Assess
    expect(rewire).toThrow(/DATA_BUCKET is already wired/);
  });

  it('adds each prefix its own access when called again with the same bucket and variable', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();

    // Act
    importer.useBucket(stacks.stateful.dataBucket, 'DATA_BUCKET', 'write', 'reports/');
    const template = Template.fromStack(stacks.stateless);
    const s3 = statementsOn(statementsOf(template, importer.role), 's3:');

    // Assess
    const bucketArn = stacks.stateless.resolve(stacks.stateful.dataBucket.bucketArn);
    const under = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
    expect(permissions(s3)).toEqual(
      permissions([
        { Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], Resource: under('segments/') },
        { Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['segments/*'] } } },
        { Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: under('reports/') },
      ]),
    );
    const fn = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: SERVICE.importSegment } } },
    });
    expect(Object.values(fn)[0]?.Properties.Environment.Variables.DATA_BUCKET).toEqual(
      stacks.stateless.resolve(stacks.stateful.dataBucket.bucketName),
    );
  });
});

/** A queue cdk-nag accepts (the app's checks run on Template.fromStack too). */
function compliantQueue(stacks: CampaignStacks, props: QueueProps): Queue {
  return new Queue(stacks.stateless, 'Outbox', {
    ...props,
    enforceSSL: true,
    deadLetterQueue: { queue: stacks.stateless.segmentImport.deadLetterQueue, maxReceiveCount: 3 },
  });
}

describe('CampaignFunction.useQueue', () => {
  it('grants only sqs:SendMessage on the queue and wires its URL', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();
    const queue = compliantQueue(stacks, { encryption: QueueEncryption.SQS_MANAGED });

    // Act
    importer.useQueue(queue, 'OUTBOX_URL', 'send');
    const template = Template.fromStack(stacks.stateless);
    const sqs = statementsOn(statementsOf(template, importer.role), 'sqs:');

    // Assess
    expect(permissions(sqs)).toEqual(permissions([{ Action: 'sqs:SendMessage', Resource: arnOf(queue) }]));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { OUTBOX_URL: refOf(queue) } },
    });
  });

  it('lets the function use the key of a queue encrypted with a customer managed key', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();
    const key = new Key(stacks.stateless, 'OutboxKey', { enableKeyRotation: true });
    const queue = compliantQueue(stacks, { encryption: QueueEncryption.KMS, encryptionMasterKey: key });

    // Act
    importer.useQueue(queue, 'OUTBOX_URL', 'send');
    const template = Template.fromStack(stacks.stateless);
    const kms = statementsOn(statementsOf(template, importer.role), 'kms:');

    // Assess
    expect(permissions(kms)).toEqual(
      permissions([{ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arnOf(key) }]),
    );
  });
});

describe('CampaignFunction wildcard acknowledgements', () => {
  it('cover the prefix and index wildcards the helpers grant, so cdk-nag passes', () => {
    // Prepare
    const { app } = appWithImporter();

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });
});

describe('CampaignFunction.allow and allowUnscoped', () => {
  it('refuse a wildcard without a reason, and Resource "*" outside a policy of its own', () => {
    // Prepare
    const { importer } = appWithImporter();
    const statement = (resource: string) => ({ actions: ['scheduler:GetSchedule'], resources: [resource] });

    // Act
    const unexplained = () => importer.allow(statement('arn:aws:scheduler:ap-northeast-1:123456789012:schedule/a-*/*'));
    const everything = () => importer.allow(statement('*'), 'a reason');

    // Assess
    expect(unexplained).toThrow(/has a wildcard: give the reason/);
    expect(everything).toThrow(/must go through allowUnscoped/);
  });

  it('puts an unscoped action in a policy of its own that the function waits for', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();

    // Act
    importer.allowUnscoped('Listing', { actions: ['scheduler:ListSchedules'] }, 'no resource-level permissions');
    const template = Template.fromStack(stacks.stateless);

    // Assess
    const policyId = logicalId(importer.node.findChild('Listing'));
    const functionId = logicalId(importer.function);
    expect(template.findResources('AWS::IAM::Policy')[policyId]?.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'scheduler:ListSchedules', Effect: 'Allow', Resource: '*' },
    ]);
    expect(template.findResources('AWS::Lambda::Function')[functionId]?.DependsOn).toContain(policyId);
  });
});

describe('CampaignFunction.useNames', () => {
  it('sets variables without granting anything, and refuses to rewire one', () => {
    // Prepare
    const plain = appWithImporter();
    const named = appWithImporter();

    // Act
    named.importer.useNames({ EMAIL_FROM: 'campaign@example.com' });
    const rewire = () => named.importer.useNames({ CUSTOMERS_TABLE: 'another-table' });
    const template = Template.fromStack(named.stacks.stateless);

    // Assess
    expect(rewire).toThrow(/CUSTOMERS_TABLE is already wired/);
    expect(template.findResources('AWS::IAM::Policy')).toEqual(
      Template.fromStack(plain.stacks.stateless).findResources('AWS::IAM::Policy'),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: SERVICE.importSegment,
          EMAIL_FROM: 'campaign@example.com',
        }),
      },
    });
  });
});

describe('CampaignFunction.useTableWrites', () => {
  it('grants only the listed writes, on matching partition keys when told, and the name; reads only when asked', () => {
    // Prepare
    const app = testApp();
    const stacks = buildApp(app, ENV);
    const fn = new CampaignFunction(stacks.stateless, 'Writer', {
      entry: 'functions/handlers/health.ts',
      serviceName: SERVICE.importSegment,
    })
      .useTableWrites(stacks.stateful.touchesTable, 'TOUCHES_TABLE', ['PutItem'], { partitionKeysLike: ['TEST#*'] })
      .useTableWrites(stacks.stateful.campaignsTable, 'CAMPAIGNS_TABLE', ['UpdateItem'], { read: true });

    // Act
    const template = Template.fromStack(stacks.stateless);
    const dynamo = statementsOn(statementsOf(template, fn.role), 'dynamodb:');
    const touches = stacks.stateless.resolve(stacks.stateful.touchesTable.tableArn);
    const campaigns = stacks.stateless.resolve(stacks.stateful.campaignsTable.tableArn);

    // Assess
    const lines = permissions(dynamo);
    expect(lines.filter((line) => line.includes('Touches'))).toEqual(
      permissions([
        {
          Action: 'dynamodb:PutItem',
          Resource: touches,
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TEST#*'] } },
        },
      ]),
    );
    const onCampaigns = dynamo.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(campaigns));
    const campaignActions = onCampaigns.flatMap((s) => [s.Action].flat());
    expect(campaignActions).toContain('dynamodb:UpdateItem');
    expect(campaignActions).toContain('dynamodb:GetItem');
    expect(campaignActions.filter((a) => /PutItem|DeleteItem|BatchWriteItem/.test(a))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TOUCHES_TABLE: stacks.stateless.resolve(stacks.stateful.touchesTable.tableName),
          CAMPAIGNS_TABLE: stacks.stateless.resolve(stacks.stateful.campaignsTable.tableName),
        }),
      },
    });
    expect(() => fn.useTableWrites(stacks.stateful.customersTable, 'CUSTOMERS_TABLE', [])).toThrow(
      /at least one write/,
    );
  });
});
