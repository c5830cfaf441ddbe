import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { CampaignFunction } from '../../lib/campaign-function.ts';

const ENV = { account: '123456789012', region: 'ap-northeast-1' };

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The real stacks plus one function that uses the helpers the way the import handler will. */
function appWithImporter() {
  const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stacks = buildApp(app, ENV);
  stacks.stateful.customersTable.addGlobalSecondaryIndex({
    indexName: 'byPhone',
    partitionKey: { name: 'phone', type: AttributeType.STRING },
  });
  const importer = new CampaignFunction(stacks.stateless, 'Importer', {
    entry: 'functions/handlers/health.ts',
    serviceName: 'importer',
  })
    .useBucket(stacks.stateful.dataBucket, 'DATA_BUCKET', 'readWrite', 'segments')
    .useTable(stacks.stateful.customersTable, 'CUSTOMERS_TABLE', 'readWrite');
  return { app, stacks, importer };
}

function statementsOf(template: Template, importer: CampaignFunction): Statement[] {
  const roleId = Stack.of(importer).getLogicalId(importer.role.node.defaultChild as CfnElement);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** One line per allowed action and resource, so the check ignores how IAM minimization merged statements. */
function permissions(statements: Statement[]): string[] {
  return statements
    .flatMap((s) =>
      [s.Action]
        .flat()
        .flatMap((action) =>
          [s.Resource].flat().map((resource) => JSON.stringify({ action, resource, condition: s.Condition })),
        ),
    )
    .sort();
}

describe('CampaignFunction.useBucket', () => {
  it('scopes object and list access to the key prefix, without delete', () => {
    // Prepare
    const { stacks, importer } = appWithImporter();

    // Act
    const template = Template.fromStack(stacks.stateless);
    const s3 = statementsOf(template, importer).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));

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
