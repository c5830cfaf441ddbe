/**
 * The tracked links on AWS: the links table in the stateful stack, the open but throttled
 * `GET /l/{token}` route, and the least privilege of the two functions that touch it (the
 * redirect reads link items and puts click items; the send worker only batch-writes links).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import {
  acknowledged,
  actionsOf,
  functionProps,
  logicalId,
  type Statement,
  statementsOf,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

let stacks: CampaignStacks;
let stateful: Template;
let template: Template;
const consumed = (value: string) => stacks.stateless.resolve(value);

beforeAll(() => {
  ({ stacks, stateful, stateless: template } = synthesizeApp());
});

/** The DynamoDB statements of a role: actions, resources and the partition keys they are limited to. */
function dynamoOf(statements: Statement[]) {
  return statements
    .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')))
    .map((statement) => ({
      actions: [statement.Action].flat().sort(),
      resources: [statement.Resource].flat(),
      leadingKeys: (statement.Condition as Record<string, Record<string, unknown>> | undefined)?.[
        'ForAllValues:StringLike'
      ]?.['dynamodb:LeadingKeys'],
    }));
}

describe('the links table', () => {
  it('is in the stateful stack, keyed pk/sk, retained', () => {
    // Act
    const table = stateful.findResources('AWS::DynamoDB::GlobalTable')[logicalId(stacks.stateful.linksTable)];

    // Assess
    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table?.DeletionPolicy).toBe('Retain');
  });
});

describe('GET /l/{token}', () => {
  it('is open (no authorizer) and served by the tracked-link function alone', () => {
    // Act
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (route) => route.Properties.RouteKey === 'GET /l/{token}',
    );
    const target = routes[0]?.Properties.Target['Fn::Join'][1][1].Ref as string;
    const uri = template.findResources('AWS::ApiGatewayV2::Integration')[target]?.Properties.IntegrationUri;

    // Assess
    expect(routes).toHaveLength(1);
    expect(routes[0]?.Properties.AuthorizationType).toBe('NONE');
    expect(uri).toEqual({ 'Fn::GetAtt': [logicalId(stacks.stateless.httpApi.trackedLink.function), 'Arn'] });
  });

  it('is throttled on its own, at 500 requests/s with bursts of 1000', () => {
    // Act
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];

    // Assess
    expect(stage?.Properties.RouteSettings['GET /l/{token}']).toEqual({
      ThrottlingRateLimit: 500,
      ThrottlingBurstLimit: 1000,
    });
  });
});

describe('the tracked-link function', () => {
  it('has 5 seconds and 512 MB, the link key ARN (not its value) and the links table', () => {
    // Act
    const props = functionProps(template, stacks.stateless.httpApi.trackedLink.function);

    // Assess
    expect(props).toMatchObject({ Handler: 'index.handler', Timeout: 5, MemorySize: 512 });
    expect(props.Environment.Variables).toMatchObject({
      LINK_SECRET_ARN: consumed(stacks.stateful.linkSigningSecret.secretArn),
      LINKS_TABLE: consumed(stacks.stateful.linksTable.tableName),
      POWERTOOLS_SERVICE_NAME: 'campaign-link',
    });
    expect(props.Environment.Variables.LINK_SECRET).toBeUndefined();
  });

  it('may only get link items and put click items of the links table: nothing else in DynamoDB, S3, SQS or SNS', () => {
    // Prepare
    const statements = statementsOf(template, stacks.stateless.httpApi.trackedLink.role);
    const links = consumed(stacks.stateful.linksTable.tableArn);

    // Act
    const dynamo = dynamoOf(statements);
    const others = actionsOf(statements).filter((a) => /^(s3|sqs|sns|ses):/.test(a));

    // Assess
    expect(dynamo).toEqual([
      { actions: ['dynamodb:GetItem'], resources: [links], leadingKeys: ['LINK#*'] },
      { actions: ['dynamodb:PutItem'], resources: [links], leadingKeys: ['CLICK#*'] },
    ]);
    expect(others).toEqual([]);
  });
});

describe('the send worker', () => {
  it('may only batch-write link items into the links table: no click, no read', () => {
    // Prepare
    const statements = statementsOf(template, stacks.stateless.delivery.worker.role);
    const links = consumed(stacks.stateful.linksTable.tableArn);

    // Act
    const onLinks = dynamoOf(statements).filter((statement) =>
      statement.resources.some((resource) => JSON.stringify(resource) === JSON.stringify(links)),
    );

    // Assess
    expect(onLinks).toEqual([{ actions: ['dynamodb:BatchWriteItem'], resources: [links], leadingKeys: ['LINK#*'] }]);
  });
});

describe('cdk-nag', () => {
  it('passes, with APIG4 acknowledged on the tracked-link route itself and nothing on its function', () => {
    // Prepare
    const app = testApp();
    const { stateless } = buildApp(app, { account: '123456789012', region: 'ap-northeast-1' });
    const l1 = (construct: IConstruct) => construct.node.defaultChild as IConstruct;

    // Act
    app.synth();

    // Assess
    expect(violationsOf(app)).toEqual([]);
    expect(acknowledged(l1(stateless.httpApi.trackedLinkRoute))).toEqual(['Annotation::AwsSolutions-APIG4']);
    expect(acknowledged(stateless.httpApi.trackedLink.function)).toEqual([]);
  });
});
