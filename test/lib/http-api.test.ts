import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.ts';
import { CONSOLE_SHELL_ROUTES, ENV as ENV_NAMES, MARKETER_ROUTES } from '../../functions/contract.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import {
  acknowledged,
  actionsOf,
  arnOf,
  atRuntime,
  DYNAMODB_READS,
  DYNAMODB_WRITES,
  ENV,
  functionProps,
  logicalId,
  objectsUnder,
  permissions,
  refOf,
  resourcesOf,
  type Statement,
  statementsOf,
  statementsOn,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

const SECRET_READS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];

describe('campaign HTTP API', () => {
  let stacks: CampaignStacks;
  let stateful: Template;
  let template: Template;

  beforeAll(() => {
    ({ stacks, stateful, stateless: template } = synthesizeApp());
  });

  const httpApi = () => stacks.stateless.httpApi;
  /** A cross-stack token as the stateless stack sees it; only valid after Template.fromStack synthesized. */
  const consumed = (value: string) => stacks.stateless.resolve(value);
  const routes = () =>
    Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties) as {
      RouteKey: string;
      AuthorizationType: string;
      AuthorizerId?: unknown;
      Target: { 'Fn::Join': [string, [string, { Ref: string }]] };
    }[];
  /** The function ARN the integration a route targets invokes. */
  const integrationUriOf = (route: { Target: { 'Fn::Join': [string, [string, { Ref: string }]] } }) =>
    template.findResources('AWS::ApiGatewayV2::Integration')[route.Target['Fn::Join'][1][1].Ref]?.Properties
      .IntegrationUri;

  describe('webhook signing secret', () => {
    it('is generated in the stateful stack: 48 characters, no punctuation, AWS managed key, retained', () => {
      // Prepare
      const secretId = logicalId(stacks.stateful.webhookSigningSecret);
      const linkSecretId = logicalId(stacks.stateful.linkSigningSecret);

      // Act
      const secrets = stateful.findResources('AWS::SecretsManager::Secret');

      // Assess
      expect(Object.keys(secrets).sort()).toEqual([linkSecretId, secretId].sort());
      expect(secrets[secretId]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false } },
      });
      expect(secrets[secretId]?.Properties.KmsKeyId).toBeUndefined();
      expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
      stateful.hasOutput('WebhookSigningSecretArn', { Value: { Ref: secretId } });
    });

    it('has a sibling, the link key: 64 characters, no punctuation, AWS managed key, retained', () => {
      // Prepare
      const secretId = logicalId(stacks.stateful.linkSigningSecret);

      // Act
      const secret = stateful.findResources('AWS::SecretsManager::Secret')[secretId];

      // Assess
      expect(secret).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } },
      });
      expect(secret?.Properties.KmsKeyId).toBeUndefined();
    });

    it('has no rotation schedule: rotation is a manual step coordinated with the store', () => {
      // Prepare
      const types = ['AWS::SecretsManager::RotationSchedule', 'AWS::SecretsManager::SecretTargetAttachment'];

      // Act
      const found = types.flatMap((type) => Object.keys(stateful.findResources(type)));

      // Assess
      expect(found).toEqual([]);
    });
  });

  describe('routes', () => {
    it("are exactly the webhook, the unsubscribe link and the console's page shells without authorization and every marketer route behind the JWT authorizer", () => {
      // Prepare
      const [authorizerId, ...others] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
      const jwt = { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } };
      const open = { AuthorizationType: 'NONE' };
      const expected = [
        { RouteKey: 'GET /campaigns/{id}', ...jwt },
        { RouteKey: 'GET /campaigns/{id}/report', ...jwt },
        { RouteKey: 'GET /campaigns/{id}/live', ...jwt },
        { RouteKey: 'GET /', ...open },
        { RouteKey: 'GET /console', ...open },
        { RouteKey: 'GET /console/campaigns/{id}', ...open },
        { RouteKey: 'GET /console/campaigns/{id}/report', ...open },
        { RouteKey: 'GET /console/view', ...jwt },
        { RouteKey: 'GET /console/campaigns/{id}/view', ...jwt },
        { RouteKey: 'POST /campaigns/{id}/uploads', ...jwt },
        { RouteKey: 'GET /campaigns/{id}/imports', ...jwt },
        { RouteKey: 'GET /campaigns/{id}/imports/rejects', ...jwt },
        { RouteKey: 'POST /campaigns/{id}/approve', ...jwt },
        { RouteKey: 'POST /campaigns/{id}/cancel', ...jwt },
        { RouteKey: 'POST /campaigns/{id}/pause', ...jwt },
        { RouteKey: 'POST /campaigns/{id}/resume', ...jwt },
        { RouteKey: 'POST /campaigns/{id}/test-send', ...jwt },
        { RouteKey: 'PUT /campaigns/{id}', ...jwt },
        { RouteKey: 'GET /unsubscribe', ...open },
        { RouteKey: 'POST /unsubscribe', ...open },
        { RouteKey: 'GET /l/{token}', ...open },
        { RouteKey: 'POST /webhooks/orders', ...open },
      ];

      // Act
      const found = routes()
        .map(({ RouteKey, AuthorizationType, AuthorizerId }) => ({
          RouteKey,
          AuthorizationType,
          ...(AuthorizerId ? { AuthorizerId } : {}),
        }))
        .sort((a, b) => a.RouteKey.localeCompare(b.RouteKey));

      // Assess
      expect(others, 'one authorizer').toEqual([]);
      expect(found).toEqual([...expected].sort((a, b) => a.RouteKey.localeCompare(b.RouteKey)));
      expect(
        found.filter((route) => route.AuthorizationType === 'JWT').map((route) => route.RouteKey),
        "the JWT routes are exactly the contract's marketer routes",
      ).toEqual([...MARKETER_ROUTES].sort((a, b) => a.localeCompare(b)));
      expect(
        found
          .filter((route) => route.AuthorizationType === 'NONE' && !/unsubscribe|webhooks|\/l\//.test(route.RouteKey))
          .map((route) => route.RouteKey),
        "the other open routes are exactly the contract's console shells",
      ).toEqual([...CONSOLE_SHELL_ROUTES].sort((a, b) => a.localeCompare(b)));
    });

    it('send the webhook to OrdersWebhook, the campaign reads to CampaignApi, PUT to CampaignPlanApi, the controls to CampaignControl, the test send to TestSend and the link to Unsubscribe, as Lambda proxy 2.0', () => {
      // Prepare
      const byKey = Object.fromEntries(routes().map((r) => [r.RouteKey, r]));

      // Act
      const targets = Object.fromEntries(Object.entries(byKey).map(([key, r]) => [key, integrationUriOf(r)]));

      // Assess
      expect(targets).toEqual({
        'POST /webhooks/orders': arnOf(httpApi().ordersWebhook.function),
        'GET /campaigns/{id}': arnOf(httpApi().campaignApi.function),
        'GET /campaigns/{id}/report': arnOf(httpApi().campaignApi.function),
        'GET /campaigns/{id}/live': arnOf(httpApi().campaignApi.function),
        'GET /': arnOf(httpApi().console.function),
        'GET /console': arnOf(httpApi().console.function),
        'GET /console/campaigns/{id}': arnOf(httpApi().console.function),
        'GET /console/campaigns/{id}/report': arnOf(httpApi().console.function),
        'GET /console/view': arnOf(httpApi().console.function),
        'GET /console/campaigns/{id}/view': arnOf(httpApi().console.function),
        'POST /campaigns/{id}/uploads': arnOf(httpApi().segmentUploads.function),
        'GET /campaigns/{id}/imports': arnOf(httpApi().segmentUploads.function),
        'GET /campaigns/{id}/imports/rejects': arnOf(httpApi().segmentUploads.function),
        'PUT /campaigns/{id}': arnOf(httpApi().campaignPlanApi.function),
        'POST /campaigns/{id}/approve': arnOf(httpApi().campaignControl.function),
        'POST /campaigns/{id}/pause': arnOf(httpApi().campaignControl.function),
        'POST /campaigns/{id}/resume': arnOf(httpApi().campaignControl.function),
        'POST /campaigns/{id}/cancel': arnOf(httpApi().campaignControl.function),
        'POST /campaigns/{id}/test-send': arnOf(httpApi().testSend.function),
        'GET /unsubscribe': arnOf(httpApi().unsubscribe.function),
        'POST /unsubscribe': arnOf(httpApi().unsubscribe.function),
        'GET /l/{token}': arnOf(httpApi().trackedLink.function),
      });
      for (const integration of Object.values(template.findResources('AWS::ApiGatewayV2::Integration'))) {
        expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      }
    });

    it('let API Gateway invoke each function only through its own routes', () => {
      // Prepare
      const apiRef = refOf(httpApi().api);
      const sourceArn = (path: string) => ({
        'Fn::Join': ['', [`arn:aws:execute-api:${ENV.region}:${ENV.account}:`, apiRef, `/*/*${path}`]],
      });
      const invokers = (fn: IConstruct) =>
        Object.values(
          template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: arnOf(fn) } }),
        ).map((p) => p.Properties);

      // Act
      const webhook = invokers(httpApi().ordersWebhook.function);
      const campaignApi = invokers(httpApi().campaignApi.function);
      const unsubscribe = invokers(httpApi().unsubscribe.function);

      // Assess
      expect(webhook).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: expect.anything(),
          Principal: 'apigateway.amazonaws.com',
          SourceArn: sourceArn('/webhooks/orders'),
        },
      ]);
      expect(campaignApi.map((p) => p.SourceArn)).toEqual(
        expect.arrayContaining([
          sourceArn('/campaigns/{id}'),
          sourceArn('/campaigns/{id}/report'),
          sourceArn('/campaigns/{id}/live'),
        ]),
      );
      expect(campaignApi).toHaveLength(3);
      // Both methods of the one path share the source ARN pattern.
      expect(unsubscribe.map((p) => p.SourceArn)).toEqual([sourceArn('/unsubscribe'), sourceArn('/unsubscribe')]);
    });

    it('have no CORS configuration and the API is an HTTP API', () => {
      // Prepare
      const apiId = logicalId(httpApi().api);

      // Act
      const api = template.findResources('AWS::ApiGatewayV2::Api')[apiId]?.Properties;

      // Assess
      expect(api.ProtocolType).toBe('HTTP');
      expect(api.CorsConfiguration).toBeUndefined();
      expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))).toEqual([apiId]);
    });
  });

  describe('default stage', () => {
    it('is the only stage: auto-deployed, throttled at 200 requests/s with bursts of 400', () => {
      // Prepare
      const stageId = logicalId(httpApi().stage);

      // Act
      const stages = template.findResources('AWS::ApiGatewayV2::Stage');

      // Assess
      expect(Object.keys(stages)).toEqual([stageId]);
      expect(stages[stageId]?.Properties).toMatchObject({
        ApiId: refOf(httpApi().api),
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      });
      // The open unsubscribe routes and every marketer route have lower limits of their own, and
      // the stage waits for them (CloudFormation refuses settings of a route that does not exist yet).
      const limit = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
      expect(stages[stageId]?.Properties.RouteSettings).toEqual({
        'GET /unsubscribe': limit(50, 100),
        'POST /unsubscribe': limit(50, 100),
        'GET /l/{token}': limit(500, 1000),
        'GET /campaigns/{id}': limit(20, 40),
        'GET /campaigns/{id}/report': limit(20, 40),
        'GET /campaigns/{id}/live': limit(20, 40),
        'GET /': limit(10, 20),
        'GET /console': limit(10, 20),
        'GET /console/campaigns/{id}': limit(10, 20),
        'GET /console/campaigns/{id}/report': limit(10, 20),
        'GET /console/view': limit(10, 20),
        'GET /console/campaigns/{id}/view': limit(10, 20),
        'POST /campaigns/{id}/uploads': limit(10, 20),
        'GET /campaigns/{id}/imports': limit(10, 20),
        'GET /campaigns/{id}/imports/rejects': limit(10, 20),
        'PUT /campaigns/{id}': limit(1, 2),
        'POST /campaigns/{id}/approve': limit(5, 10),
        'POST /campaigns/{id}/pause': limit(5, 10),
        'POST /campaigns/{id}/resume': limit(5, 10),
        'POST /campaigns/{id}/cancel': limit(5, 10),
        'POST /campaigns/{id}/test-send': limit(1, 3),
      });
      expect(stages[stageId]?.DependsOn).toEqual(
        expect.arrayContaining(
          [
            ...httpApi().unsubscribeRoutes,
            ...httpApi().campaignRoutes,
            ...httpApi().consoleRoutes,
            ...httpApi().consoleShellRoutes,
          ].map((route) => logicalId(route)),
        ),
      );
      expect(httpApi().campaignRoutes).toHaveLength(9);
      expect(httpApi().consoleRoutes).toHaveLength(5);
      expect(httpApi().consoleShellRoutes).toHaveLength(4);
      template.hasOutput('HttpApiUrl', {
        Value: {
          'Fn::Join': [
            '',
            ['https://', refOf(httpApi().api), `.execute-api.${ENV.region}.`, { Ref: 'AWS::URLSuffix' }, '/'],
          ],
        },
      });
    });

    it('logs each request as JSON to a one-month log group, without body, headers or path', () => {
      // Prepare
      const stageId = logicalId(httpApi().stage);
      const logGroupId = logicalId(httpApi().accessLogs);

      // Act
      const settings = template.findResources('AWS::ApiGatewayV2::Stage')[stageId]?.Properties.AccessLogSettings;
      const format: Record<string, string> = JSON.parse(settings.Format);

      // Assess
      expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays).toBe(30);
      expect(format).toEqual({
        requestId: '$context.requestId',
        requestTime: '$context.requestTime',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLength: '$context.responseLength',
        integrationLatency: '$context.integrationLatency',
      });
      expect(settings.Format).not.toMatch(/body|header|path|querystring|\$input|\$request|userAgent/i);
    });
  });

  describe('order webhook function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, httpApi().ordersWebhook.role);
    });

    it('has 10 seconds and 1024 MB, and the secret ARN (not its value) in WEBHOOK_SECRET_ARN', () => {
      // Prepare
      const secretArn = consumed(stacks.stateful.webhookSigningSecret.secretArn);

      // Act
      const props = functionProps(template, httpApi().ordersWebhook.function);

      // Assess
      expect(props).toMatchObject({ Handler: 'index.handler', Timeout: 10, MemorySize: 1024 });
      expect(props.Environment.Variables.WEBHOOK_SECRET_ARN).toEqual(secretArn);
      expect(secretArn).toEqual({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'CampaignStateful' }) });
    });

    it('may read that one secret', () => {
      // Prepare
      const secretArn = consumed(stacks.stateful.webhookSigningSecret.secretArn);

      // Act
      const readable = SECRET_READS.map((action) => resourcesOf(statements, action));
      const secretActions = actionsOf(statements).filter((a) => a.startsWith('secretsmanager:'));

      // Assess
      for (const resources of readable) expect(resources).toEqual([secretArn]);
      expect(secretActions.sort()).toEqual(SECRET_READS);
    });

    it('writes the customers table, puts only check records (CHECKS#) in the campaigns table, and has no S3 access', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const customers = consumed(tables.customers.tableArn);
      const campaigns = consumed(tables.campaigns.tableArn);

      // Act
      const written = Object.fromEntries(DYNAMODB_WRITES.map((action) => [action, resourcesOf(statements, action)]));
      const read = resourcesOf(statements, 'dynamodb:GetItem');
      const checkPuts = statements.filter(
        (s) =>
          [s.Action].flat().includes('dynamodb:PutItem') && JSON.stringify(s.Resource) === JSON.stringify(campaigns),
      );

      // Assess
      expect(written).toEqual({
        'dynamodb:PutItem': [customers, campaigns],
        'dynamodb:UpdateItem': [customers],
        'dynamodb:DeleteItem': [customers],
        'dynamodb:BatchWriteItem': [customers],
      });
      expect(checkPuts.map((s) => s.Condition)).toEqual([
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CHECKS#*'] } },
      ]);
      expect(read).toEqual([customers, campaigns]);
      expect(actionsOf(statements).filter((a) => a.startsWith('s3:') || a.startsWith('sqs:'))).toEqual([]);
    });
  });

  describe('who reads which secret', () => {
    it('the webhook key only the order webhook, the link key only the send worker, the trigger check, the test send, the unsubscribe and the tracked-link functions', () => {
      // Prepare
      const webhookArn = JSON.stringify(consumed(stacks.stateful.webhookSigningSecret.secretArn));
      const linkArn = JSON.stringify(consumed(stacks.stateful.linkSigningSecret.secretArn));
      const readers: Record<string, string[]> = {};

      // Act: every role with any Secrets Manager or KMS action, and on what.
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
          const actions = [statement.Action].flat();
          if (!actions.some((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:'))) continue;
          expect(actions.sort()).toEqual(SECRET_READS);
          for (const role of policy.Properties.Roles as { Ref: string }[]) {
            readers[role.Ref] = [
              ...(readers[role.Ref] ?? []),
              ...[statement.Resource].flat().map((r) => JSON.stringify(r)),
            ];
          }
        }
      }

      // Assess
      expect(readers).toEqual({
        [logicalId(httpApi().ordersWebhook.role)]: [webhookArn],
        [logicalId(stacks.stateless.delivery.worker.role)]: [linkArn],
        [logicalId(httpApi().unsubscribe.role)]: [linkArn],
        [logicalId(httpApi().testSend.role)]: [linkArn],
        [logicalId(httpApi().trackedLink.role)]: [linkArn],
        [logicalId(stacks.stateless.triggerChecks.checker.role)]: [linkArn],
      });
    });
  });

  describe('unsubscribe function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, httpApi().unsubscribe.role);
    });

    it('has 10 seconds and 512 MB, the link key ARN (not its value) and the customers table', () => {
      // Act
      const props = functionProps(template, httpApi().unsubscribe.function);

      // Assess
      expect(props).toMatchObject({ Handler: 'index.handler', Timeout: 10, MemorySize: 512 });
      expect(props.Environment.Variables).toMatchObject({
        LINK_SECRET_ARN: consumed(stacks.stateful.linkSigningSecret.secretArn),
        CUSTOMERS_TABLE: consumed(stacks.stateful.customersTable.tableName),
        POWERTOOLS_SERVICE_NAME: 'campaign-unsubscribe',
      });
      expect(props.Environment.Variables.LINK_SECRET).toBeUndefined();
    });

    it('may only put items into the customers table: no read, update, delete, S3 or queue', () => {
      // Prepare
      const customers = consumed(stacks.stateful.customersTable.tableArn);

      // Act
      const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
      const others = actionsOf(statements).filter(
        (a) => a.startsWith('s3:') || a.startsWith('sqs:') || a.startsWith('sns:'),
      );

      // Assess
      expect(dynamo).toEqual(['dynamodb:PutItem']);
      expect(resourcesOf(statements, 'dynamodb:PutItem')).toEqual([customers]);
      expect(others).toEqual([]);
    });
  });

  describe('campaign API function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, httpApi().campaignApi.role);
    });

    it('has 20 seconds and 1024 MB', () => {
      // Prepare
      const fn = httpApi().campaignApi.function;

      // Act
      const props = functionProps(template, fn);

      // Assess
      expect(props).toMatchObject({ Handler: 'index.handler', Timeout: 20, MemorySize: 1024 });
    });

    it('reads the campaigns, touches, customers and links tables and may write nothing', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const readOnly = (action: string) =>
        DYNAMODB_READS.has(action) ||
        ['logs:CreateLogStream', 'logs:PutLogEvents'].includes(action) ||
        action.startsWith('xray:');

      // Act
      const actions = actionsOf(statements);
      const read = resourcesOf(statements, 'dynamodb:Query');

      // Assess
      expect(actions.filter((a) => !readOnly(a))).toEqual([]);
      expect(read).toEqual(
        expect.arrayContaining(
          [tables.campaigns, tables.touches, tables.customers, tables.links].map((t) => consumed(t.tableArn)),
        ),
      );
      expect(read).toHaveLength(4);
    });
  });

  describe('console function (the pages)', () => {
    it('reads the campaigns table only, and may write nothing and reach no object', () => {
      // Prepare
      const statements = statementsOf(template, httpApi().console.role);
      const readOnly = (action: string) =>
        DYNAMODB_READS.has(action) ||
        ['logs:CreateLogStream', 'logs:PutLogEvents'].includes(action) ||
        action.startsWith('xray:');

      // Act
      const actions = actionsOf(statements);
      const read = resourcesOf(statements, 'dynamodb:Query');

      // Assess
      expect(
        actions.filter((a) => !readOnly(a)),
        'the pages change nothing',
      ).toEqual([]);
      expect(read).toEqual([consumed(stacks.stateful.tables.campaigns.tableArn)]);
    });

    it("alone has the console's sign-in settings (managed login, app client, callback), so its shells include the sign-in script", () => {
      // Prepare
      const variables = (fn: IConstruct) => functionProps(template, fn)?.Environment?.Variables ?? {};
      const others = [httpApi().campaignApi, httpApi().segmentUploads, httpApi().testSend, httpApi().unsubscribe];

      // Act
      const consoleVariables = variables(httpApi().console.function);
      const config = loadConfig({ ...atRuntime(consoleVariables), AWS_REGION: ENV.region });

      // Assess
      expect(consoleVariables).toMatchObject({
        [ENV_NAMES.signInUrl]: consumed(httpApi().signIn.signInUrl),
        [ENV_NAMES.consoleClientId]: consumed(httpApi().signIn.consoleClient.userPoolClientId),
        [ENV_NAMES.consoleUrl]: expect.anything(),
      });
      expect(config.runtime === 'aws' && config.consoleSignIn, 'the console function loads its sign-in').toBeTruthy();
      for (const other of others) {
        expect(Object.keys(variables(other.function)), other.node.id).not.toContain(ENV_NAMES.signInUrl);
      }
    });
  });

  describe('segment uploads function (presigned uploads, imports, rejects)', () => {
    it('may put segment files (what its presigned PUTs carry) but never read them, list the folder, read the rejects and the imports', () => {
      // Prepare
      const statements = statementsOf(template, httpApi().segmentUploads.role);

      // Act
      const writable = resourcesOf(statements, 's3:PutObject');
      const readable = resourcesOf(statements, 's3:GetObject');
      const listings = statements.filter((statement) => [statement.Action].flat().includes('s3:ListBucket'));
      const read = resourcesOf(statements, 'dynamodb:Query');
      const written = DYNAMODB_WRITES.flatMap((action) => resourcesOf(statements, action));

      // Assess
      expect(writable).toEqual([objectsUnder(stacks, 'segments/')]);
      expect(readable, 'no customer file is readable, only the rejects reports').toEqual([
        objectsUnder(stacks, 'reports/segments/'),
      ]);
      expect(listings.map((statement) => statement.Condition)).toEqual(
        expect.arrayContaining([{ StringLike: { 's3:prefix': ['segments/*'] } }]),
      );
      expect(read).toEqual([consumed(stacks.stateful.tables.imports.tableArn)]);
      expect(written).toEqual([]);
    });

    it('the data bucket lets a browser PUT with a presigned request (CORS: PUT only)', () => {
      // Act
      const buckets = Object.values(stateful.findResources('AWS::S3::Bucket')).filter(
        (bucket) => bucket.Properties.CorsConfiguration,
      );

      // Assess
      expect(buckets).toHaveLength(1);
      expect(buckets[0]?.Properties.CorsConfiguration).toEqual({
        CorsRules: [{ AllowedMethods: ['PUT'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], MaxAge: 600 }],
      });
    });
  });

  describe('campaign plan function (PUT)', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, httpApi().campaignPlanApi.role);
    });

    it('is the router entry planHandler, 28 seconds (inside the gateway limit) and 3008 MB', () => {
      // Act
      const props = functionProps(template, httpApi().campaignPlanApi.function);

      // Assess
      expect(httpApi().campaignPlanApi.entry).toBe('functions/handlers/campaign-api.ts');
      expect(props).toMatchObject({ Handler: 'index.planHandler', Timeout: 28, MemorySize: 3008 });
      expect(props.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('campaign-plan-api');
    });

    it('reads customers and imports, writes campaigns and touches, reads no object, writes only a sharded plan input, and schedules or sends nothing', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const arns = (...which: Array<keyof typeof tables>) =>
        which.map((t) => consumed(tables[t].tableArn)).sort(byJson);

      // Act
      const written = DYNAMODB_WRITES.map((action) => [...resourcesOf(statements, action)].sort(byJson));
      const read = [...resourcesOf(statements, 'dynamodb:Query')].sort(byJson);
      const others = actionsOf(statements).filter((a) => !/^(dynamodb|logs|xray):/.test(a));

      // Assess
      for (const resources of written) expect(resources).toEqual(arns('campaigns', 'touches'));
      expect(read).toEqual(arns('customers', 'imports', 'campaigns', 'touches'));
      // A campaign from the sharded-plan threshold on: its run's input.json, then the plan state machine.
      expect([...new Set(others)].sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject', 'states:StartExecution']);
      expect(resourcesOf(statements, 's3:PutObject')).toEqual([objectsUnder(stacks, 'private/plan-shards/')]);
    });
  });

  describe('campaign control function (approve, pause, resume, cancel)', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, httpApi().campaignControl.role);
    });

    it('is the router entry controlHandler, 20 seconds and 1024 MB', () => {
      // Act
      const props = functionProps(template, httpApi().campaignControl.function);

      // Assess
      expect(httpApi().campaignControl.entry).toBe('functions/handlers/campaign-api.ts');
      expect(props).toMatchObject({ Handler: 'index.controlHandler', Timeout: 20, MemorySize: 1024 });
      expect(props.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('campaign-control');
    });

    it('manages only schedules and schedule groups named campaign-*, and passes only the scheduler role to Scheduler', () => {
      // Prepare
      const scheduleActions = ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule'];
      const schedules = `arn:aws:scheduler:${ENV.region}:${ENV.account}:schedule/campaign-*/*`;
      const groups = `arn:aws:scheduler:${ENV.region}:${ENV.account}:schedule-group/campaign-*`;

      // Act
      const scheduling = permissions(statementsOn(statements, 'scheduler:'));
      const passRole = permissions(statements.filter((s) => [s.Action].flat().includes('iam:PassRole')));

      // Assess
      expect(scheduling).toEqual(
        permissions([
          ...scheduleActions.map((a) => ({ Action: `scheduler:${a}`, Resource: schedules })),
          ...['CreateScheduleGroup', 'GetScheduleGroup'].map((a) => ({ Action: `scheduler:${a}`, Resource: groups })),
          { Action: 'scheduler:ListSchedules', Resource: '*' },
        ]),
      );
      expect(passRole).toEqual(
        permissions([
          {
            Action: 'iam:PassRole',
            Resource: arnOf(stacks.stateless.delivery.schedulerRole),
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ]),
      );
    });

    it('writes the campaigns table only (no touches), sends to the send queue only, and holds no SMS, email, secret or object access', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const arns = (...which: Array<keyof typeof tables>) =>
        which.map((t) => consumed(tables[t].tableArn)).sort(byJson);

      // Act
      const written = DYNAMODB_WRITES.map((action) => [...resourcesOf(statements, action)].sort(byJson));
      const read = [...resourcesOf(statements, 'dynamodb:GetItem')].sort(byJson);
      const sent = resourcesOf(statements, 'sqs:SendMessage');
      const others = actionsOf(statements).filter(
        (a) => !/^(dynamodb|logs|xray|scheduler|sqs):|^iam:PassRole$/.test(a),
      );

      // Assess
      for (const resources of written) expect(resources).toEqual(arns('campaigns'));
      expect(read).toEqual(arns('campaigns'));
      expect(sent).toEqual([arnOf(stacks.stateless.delivery.sendQueue)]);
      expect(actionsOf(statements).filter((a) => a.startsWith('sqs:'))).toEqual(['sqs:SendMessage']);
      expect(others).toEqual([]);
    });
  });

  describe('test-send function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, httpApi().testSend.role);
    });

    it('is functions/handlers/test-send.ts, 20 seconds and 512 MB, with the link key ARN (not its value)', () => {
      // Act
      const props = functionProps(template, httpApi().testSend.function);

      // Assess
      expect(httpApi().testSend.entry).toBe('functions/handlers/test-send.ts');
      expect(props).toMatchObject({ Handler: 'index.handler', Timeout: 20, MemorySize: 512 });
      expect(props.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'campaign-test-send',
        LINK_SECRET_ARN: consumed(stacks.stateful.linkSigningSecret.secretArn),
      });
      expect(props.Environment.Variables.LINK_SECRET).toBeUndefined();
    });

    it('has exactly its permissions: read campaigns and put their control item, put TEST# touches only, SMS in its region, mail as the identity, the link key', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const campaigns = consumed(tables.campaigns.tableArn);
      const setArn = {
        'Fn::Join': [
          '',
          [
            `arn:aws:ses:${ENV.region}:${ENV.account}:configuration-set/`,
            refOf(stacks.stateless.delivery.configurationSet),
          ],
        ],
      };
      const own = (s: Statement) => ![s.Action].flat().some((a) => /^(logs|xray):/.test(a));

      // Act
      const granted = permissions(statements.filter(own));

      // Assess
      expect(granted).toEqual(
        permissions([
          ...[...DYNAMODB_READS].map((Action) => ({ Action, Resource: campaigns })),
          { Action: 'dynamodb:PutItem', Resource: campaigns },
          {
            Action: 'dynamodb:PutItem',
            Resource: consumed(tables.touches.tableArn),
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TEST#*'] } },
          },
          { Action: 'sns:Publish', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ENV.region } } },
          { Action: 'ses:SendEmail', Resource: `arn:aws:ses:${ENV.region}:${ENV.account}:identity/example.com` },
          { Action: 'ses:SendEmail', Resource: setArn },
          ...SECRET_READS.map((Action) => ({
            Action,
            Resource: consumed(stacks.stateful.linkSigningSecret.secretArn),
          })),
        ]),
      );
    });
  });

  describe('configuration', () => {
    it.each([
      'ordersWebhook',
      'campaignApi',
      'campaignPlanApi',
      'campaignControl',
      'testSend',
      'unsubscribe',
      'trackedLink',
    ] as const)('the %s environment passes loadConfig()', (which) => {
      // Prepare
      const variables: Record<string, unknown> = functionProps(template, httpApi()[which].function).Environment
        .Variables;
      const env = atRuntime(variables);

      // Act
      const config = loadConfig({ ...env, AWS_REGION: ENV.region });

      // Assess
      expect(config.runtime).toBe('aws');
      expect(variables.WEBHOOK_SECRET_ARN).toEqual(consumed(stacks.stateful.webhookSigningSecret.secretArn));
    });

    it.each([
      ['WEBHOOK_SECRET_ARN', 'webhookSigningSecret'],
      ['LINK_SECRET_ARN', 'linkSigningSecret'],
    ] as const)('names %s in every function of the app (the config is strict on AWS)', (variable, secret) => {
      // Prepare
      const secretArn = consumed(stacks.stateful[secret].secretArn);
      const healthId = logicalId(stacks.stateless.health.function);

      // Act
      const missing = Object.entries(template.findResources('AWS::Lambda::Function'))
        .filter(([id]) => id !== healthId)
        .filter(([, fn]) => JSON.stringify(fn.Properties.Environment.Variables[variable]) !== JSON.stringify(secretArn))
        .map(([id]) => id);

      // Assess
      expect(missing).toEqual([]);
    });

    it('gives PUBLIC_BASE_URL, the base of the links in messages, to the send worker, the test send and the two planners alone', () => {
      // Prepare
      const expected = [
        stacks.stateless.delivery.worker.function,
        httpApi().testSend.function,
        stacks.stateless.delivery.planner.function,
        httpApi().campaignPlanApi.function,
      ]
        .map(logicalId)
        .sort();

      // Act
      const having = Object.entries(template.findResources('AWS::Lambda::Function'))
        .filter(([, fn]) => fn.Properties.Environment?.Variables?.PUBLIC_BASE_URL !== undefined)
        .map(([id]) => id)
        .sort();
      const values = having.map(
        (id) => template.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables.PUBLIC_BASE_URL,
      );

      // Assess
      expect(having).toEqual(expected);
      for (const value of values) expect(value).toEqual(values[0]);
    });
  });

  describe('alarms', () => {
    const alarmsOf = (metricName: string) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } })).map(
        (a) => a.Properties,
      );
    const stageDimensions = () => [
      { Name: 'ApiId', Value: refOf(httpApi().api) },
      { Name: 'Stage', Value: '$default' },
    ];

    it('5 or more 5xx in five minutes notify the operator topic', () => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);

      // Act
      const alarms = alarmsOf('5xx');

      // Assess
      expect(alarms).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          Dimensions: stageDimensions(),
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 5,
          TreatMissingData: 'notBreaching',
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });

    it('an order webhook error notifies the operator topic', () => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);
      const functionName = refOf(httpApi().ordersWebhook.function);

      // Act
      const alarms = alarmsOf('Errors').filter(
        (a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: functionName }]),
      );

      // Assess
      expect(alarms).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 300,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });

    it('an unsubscribe function error notifies the operator topic', () => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);
      const functionName = refOf(httpApi().unsubscribe.function);

      // Act
      const alarms = alarmsOf('Errors').filter(
        (a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: functionName }]),
      );

      // Assess
      expect(alarms).toEqual([expect.objectContaining({ Threshold: 1, AlarmActions: [topic], OKActions: [topic] })]);
    });

    it('a p99 integration latency over 1000 ms in five minutes notifies the operator topic', () => {
      // Prepare
      const topic = refOf(stacks.stateless.alarms.topic);

      // Act
      const alarms = alarmsOf('IntegrationLatency');

      // Assess
      expect(alarms).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          Dimensions: stageDimensions(),
          ExtendedStatistic: 'p99',
          Period: 300,
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 1000,
          AlarmActions: [topic],
          OKActions: [topic],
        }),
      ]);
    });
  });
});

describe('cdk-nag on the HTTP API', () => {
  it('passes, with APIG4 acknowledged on the webhook, unsubscribe and console shell routes only and SMG4 on the secrets only', () => {
    // Prepare
    const app = testApp();
    const { stateful, stateless } = buildApp(app, ENV);
    const { httpApi } = stateless;
    const l1 = (construct: IConstruct) => construct.node.defaultChild as IConstruct;

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
    expect(acknowledged(l1(httpApi.webhookRoute))).toEqual(['Annotation::AwsSolutions-APIG4']);
    expect(httpApi.unsubscribeRoutes).toHaveLength(2);
    for (const route of httpApi.unsubscribeRoutes) {
      expect(acknowledged(l1(route))).toEqual(['Annotation::AwsSolutions-APIG4']);
      expect(acknowledged(route)).toEqual([]);
    }
    expect(httpApi.consoleShellRoutes).toHaveLength(4);
    for (const route of httpApi.consoleShellRoutes) {
      expect(acknowledged(l1(route))).toEqual(['Annotation::AwsSolutions-APIG4']);
      expect(acknowledged(route)).toEqual([]);
    }
    expect(httpApi.consoleRoutes, 'the two views and the three upload routes').toHaveLength(5);
    expect(httpApi.campaignRoutes).toHaveLength(9);
    for (const route of [...httpApi.campaignRoutes, ...httpApi.consoleRoutes]) {
      expect(acknowledged(route)).toEqual([]);
      expect(acknowledged(l1(route))).toEqual([]);
    }
    expect(acknowledged(httpApi.testSend.node.findChild('SmsPublish'))).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
    ]);
    for (const construct of [httpApi, httpApi.api, httpApi.stage, l1(httpApi.stage), httpApi.webhookRoute]) {
      expect(acknowledged(construct)).toEqual([]);
    }
    expect(acknowledged(l1(stateful.webhookSigningSecret))).toEqual(['Annotation::AwsSolutions-SMG4']);
    expect(acknowledged(stateful.webhookSigningSecret)).toEqual([]);
    expect(acknowledged(l1(stateful.linkSigningSecret))).toEqual(['Annotation::AwsSolutions-SMG4']);
    expect(acknowledged(stateful.linkSigningSecret)).toEqual([]);
    expect(acknowledged(stateful)).toEqual([]);
  });
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
