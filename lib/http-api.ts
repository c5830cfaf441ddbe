import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { clickPk, linkPk } from '../functions/adapters/dynamo/link-store.ts';
import { TEST_TOUCH_PK_PREFIX } from '../functions/adapters/dynamo/test-touch-store.ts';
import {
  CONSOLE_PATH,
  CONSOLE_SHELL_ROUTES,
  ENV,
  MARKETER_ROUTES,
  type MarketerRoute,
  PREFIX,
  SERVICE,
  TRACKED_LINK_ROUTE,
  UNSUBSCRIBE_PATH,
} from '../functions/contract.ts';
import type { CampaignDelivery } from './campaign-delivery.ts';
import { CampaignFunction } from './campaign-function.ts';
import { MarketerSignIn } from './marketer-sign-in.ts';
import { AT_LEAST_ONE, type OperatorAlarms } from './operator-alarms.ts';
import type { CampaignTables } from './stateful-stack.ts';

/** The route the store posts order events to. */
export const ORDERS_WEBHOOK_PATH = '/webhooks/orders';

/** Steady rate and burst of the default stage: far above the store's order events, far below the account quota. */
export const API_RATE_LIMIT = 200;
export const API_BURST_LIMIT = 400;

/**
 * The unsubscribe routes' own, lower limits: open to anyone on the internet (the token is the
 * auth), so a flood of them must not use up the stage's budget the store's order webhook needs.
 * 50/s is far above what the customers of a wave click.
 */
export const UNSUBSCRIBE_RATE_LIMIT = 50;
export const UNSUBSCRIBE_BURST_LIMIT = 100;

/**
 * The tracked links' limits: open to anyone (the link's id is the auth), so they have their
 * own budget apart from the stage's. The customers of a midnight push tap within minutes:
 * 300,000 messages with a tenth of them tapped in ten minutes is 50/s; 500/s leaves room
 * for a store ten times that size, and a flood of them costs at most this much.
 */
export const TRACKED_LINK_RATE_LIMIT = 500;
export const TRACKED_LINK_BURST_LIMIT = 1000;

/**
 * What each access log line holds: who asked what, and how it went. No request or
 * response body, no header, no query string and no path: bodies and signatures carry
 * customer data, and none of it is ever logged.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: AccessLogField.contextRequestId(),
  requestTime: AccessLogField.contextRequestTime(),
  ip: AccessLogField.contextIdentitySourceIp(),
  routeKey: AccessLogField.contextRouteKey(),
  status: AccessLogField.contextStatus(),
  responseLength: AccessLogField.contextResponseLength(),
  integrationLatency: AccessLogField.contextIntegrationLatency(),
};

/**
 * The marketer routes' own limits (signed-in people and the command line, a handful of requests a
 * minute): reads, changes of state, planning a draft (minutes of work for a large campaign),
 * and test sends (each up to 40 real messages, which cost money).
 */
export const CAMPAIGN_ROUTE_THROTTLE = {
  read: { rate: 20, burst: 40 },
  control: { rate: 5, burst: 10 },
  plan: { rate: 1, burst: 2 },
  testSend: { rate: 1, burst: 3 },
  /** The console's pages and its uploads: people in a browser, a few requests a minute each. */
  console: { rate: 10, burst: 20 },
  uploads: { rate: 10, burst: 20 },
} as const;
export type CampaignRouteKind = keyof typeof CAMPAIGN_ROUTE_THROTTLE;

/**
 * Which function serves each marketer route (functions/contract.ts MARKETER_ROUTES, every one
 * behind the JWT authorizer): a route added to the contract without a function here fails to
 * compile.
 */
export const MARKETER_ROUTE_KIND: Readonly<Record<MarketerRoute, CampaignRouteKind>> = {
  'GET /campaigns/{id}': 'read',
  'GET /campaigns/{id}/report': 'read',
  'GET /campaigns/{id}/live': 'read',
  'PUT /campaigns/{id}': 'plan',
  'POST /campaigns/{id}/approve': 'control',
  'POST /campaigns/{id}/pause': 'control',
  'POST /campaigns/{id}/resume': 'control',
  'POST /campaigns/{id}/cancel': 'control',
  'POST /campaigns/{id}/test-send': 'testSend',
  'GET /console/view': 'console',
  'GET /console/campaigns/{id}/view': 'console',
  'POST /campaigns/{id}/uploads': 'uploads',
  'GET /campaigns/{id}/imports': 'uploads',
  'GET /campaigns/{id}/imports/rejects': 'uploads',
};

/** The console's own functions: its pages, and its uploads. */
const CONSOLE_KINDS: ReadonlySet<CampaignRouteKind> = new Set(['console', 'uploads']);

// All inside the 30 s HTTP API integration limit, so a slow call fails in the function, not at the gateway.
const WEBHOOK_TIMEOUT = Duration.seconds(10);
const CAMPAIGN_API_TIMEOUT = Duration.seconds(20);
const UNSUBSCRIBE_TIMEOUT = Duration.seconds(10);
/** One read and one write: anything slower has failed, and the customer is better told at once. */
const TRACKED_LINK_TIMEOUT = Duration.seconds(5);
/** Planning a draft over HTTP: the most the gateway waits for; campaigns too large for it are uploaded instead. */
const PLAN_API_TIMEOUT = Duration.seconds(28);
const TEST_SEND_TIMEOUT = Duration.seconds(20);

export interface CampaignHttpApiProps {
  readonly tables: CampaignTables;
  /** The order webhook's signing key (the stateful stack's); only the webhook function may read it. */
  readonly webhookSecret: ISecret;
  /** The link key (the stateful stack's); here only the unsubscribe function may read it. */
  readonly linkSecret: ISecret;
  /** The full `loadConfig()` environment (CampaignDelivery.runtimeEnvironment), `WEBHOOK_SECRET_ARN` included. */
  readonly runtimeEnvironment: Record<string, string>;
  /** Scheduling (for approvals), the send queue, the SES identity and configuration set: the delivery's. */
  readonly delivery: CampaignDelivery;
  readonly alarms: OperatorAlarms;
  /** The data bucket: the console's uploads go straight to its `segments/` prefix. */
  readonly dataBucket: IBucket;
  /** The marketers and approvers (the stateful stack's user pool): the JWT authorizer's issuer. */
  readonly userPool: IUserPool;
  /** Where the sign-in returns to. @default - the console on this API: `<url>console` */
  readonly consoleUrl?: string;
  /** The managed login's domain prefix. @default - `d11-campaign-<account id>` */
  readonly signInDomainPrefix?: string;
}

/**
 * The campaign HTTP API (API Gateway HTTP API, payload format 2.0), one `$default` stage:
 *
 * - `POST /webhooks/orders` -> OrdersWebhook, no API Gateway authorization: the store
 *   signs each body with the shared key (`X-Signature`), and the function refuses
 *   anything not signed with it (401) before reading it.
 * - The marketer routes (MARKETER_ROUTES), the JWT authorizer: a Cognito user pool token
 *   (issuer) for the console's or the command line's app client (audience), checked by API
 *   Gateway; the function then checks the role the route needs (`cognito:groups`, in
 *   functions/handlers/actor.ts). Each throttled on its own (CAMPAIGN_ROUTE_THROTTLE), one function per
 *   kind of access so each holds only its own permissions:
 *   - `GET /campaigns/{id}` and `GET /campaigns/{id}/report` -> CampaignApi: reads only;
 *   - `PUT /campaigns/{id}` -> CampaignPlanApi: reads customers and imports, writes a draft
 *     version (campaigns, touches); schedules nothing;
 *   - `POST /campaigns/{id}/approve|pause|resume|cancel` -> CampaignControl: the campaigns
 *     table (no touches: the workers drop a cancelled send's touches), the `campaign-*`
 *     schedules (and passing the scheduler role), the send queue (resumed shards, sweeps);
 *   - `POST /campaigns/{id}/test-send` -> TestSend: reads the campaign, records the audit
 *     entry, writes test records (touches items under `TEST#` only), SMS and the SES identity,
 *     the link key (unsubscribe links).
 * - The console's page shells (CONSOLE_SHELL_ROUTES: `GET /`, `/console`,
 *   `/console/campaigns/{id}` and its `/report`) -> Console, no API Gateway authorization:
 *   a navigation cannot carry a token, and a shell holds no data; it signs in and fetches the
 *   page's view (`GET /console/view`, `GET /console/campaigns/{id}/view`: marketer routes, JWT).
 * - `GET /l/{token}` -> TrackedLink, no API Gateway authorization: the link's self-checking
 *   id is the auth; one GetItem of the link, one conditional PutItem of its click; throttled
 *   on its own.
 * - `GET /unsubscribe` and `POST /unsubscribe` -> Unsubscribe, no API Gateway authorization:
 *   the link's sealed token is the auth (the function refuses any token it did not seal),
 *   throttled on their own. The customer's browser and mail client call them.
 *
 * IAM stays the API's default authorizer, so a route added later without an authorizer of its
 * own is closed to everyone but IAM principals granted `execute-api:Invoke` on it. No CORS: the
 * console is served from this API's own origin; browsers otherwise only open the unsubscribe
 * link and post its form, which are top-level navigations, not scripts.
 */
export class CampaignHttpApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogs: LogGroup;
  public readonly ordersWebhook: CampaignFunction;
  public readonly campaignApi: CampaignFunction;
  public readonly unsubscribe: CampaignFunction;
  /** `GET /l/{token}`: the tracked links' redirect. */
  public readonly trackedLink: CampaignFunction;
  public readonly trackedLinkRoute: HttpRoute;
  /** `PUT /campaigns/{id}`. */
  public readonly campaignPlanApi: CampaignFunction;
  /** `POST /campaigns/{id}/approve|pause|resume|cancel`. */
  public readonly campaignControl: CampaignFunction;
  /** `POST /campaigns/{id}/test-send`. */
  public readonly testSend: CampaignFunction;
  public readonly webhookRoute: HttpRoute;
  /** `GET /unsubscribe` and `POST /unsubscribe`. */
  public readonly unsubscribeRoutes: readonly HttpRoute[];
  /** Every marketer route (JWT): the reads, PUT, the controls and the test send. */
  public readonly campaignRoutes: readonly HttpRoute[];
  /** The console's shells and views. */
  public readonly console: CampaignFunction;
  /** `POST /campaigns/{id}/uploads`, `GET /campaigns/{id}/imports[/rejects]`. */
  public readonly segmentUploads: CampaignFunction;
  /** The console's routes (its views and uploads): marketer routes, behind the JWT authorizer. */
  public readonly consoleRoutes: readonly HttpRoute[];
  /** The console's page shells (`CONSOLE_SHELL_ROUTES`): open, no data; they sign in and fetch their views. */
  public readonly consoleShellRoutes: readonly HttpRoute[];
  /** The console's and the command line's sign-in: app clients, managed login, the JWT authorizer. */
  public readonly signIn: MarketerSignIn;
  /** The invoke URL of the `$default` stage (ends with `/`). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: CampaignHttpApiProps) {
    super(scope, id);
    const { tables, webhookSecret, linkSecret, runtimeEnvironment, delivery, alarms, dataBucket } = props;

    // --- Functions ------------------------------------------------------------------------------

    this.ordersWebhook = new CampaignFunction(this, 'OrdersWebhook', {
      entry: 'functions/handlers/orders-webhook.ts',
      handler: 'handler',
      serviceName: SERVICE.ordersWebhook,
      description: `POST ${ORDERS_WEBHOOK_PATH}: checks the store's signature, then records the order event, the order and the customer's stats`,
      timeout: WEBHOOK_TIMEOUT,
      memorySize: 1024,
    })
      // Orders, customer stats, purchase marks and webhook event records: all in the customers table.
      .useTable(tables.customers, ENV.customersTable, 'readWrite')
      // Read once per container; never in the environment itself.
      .useSecret(webhookSecret, ENV.webhookSecretArn)
      .useNames(runtimeEnvironment);

    this.campaignApi = new CampaignFunction(this, 'CampaignApi', {
      entry: 'functions/handlers/campaign-api.ts',
      handler: 'handler',
      serviceName: SERVICE.campaignApi,
      description: 'GET /campaigns/{id} and GET /campaigns/{id}/report: a campaign, its timeline and its report',
      timeout: CAMPAIGN_API_TIMEOUT,
      memorySize: 1024,
    })
      .useTable(tables.campaigns, ENV.campaignsTable, 'read')
      .useTable(tables.touches, ENV.touchesTable, 'read')
      .useTable(tables.customers, ENV.customersTable, 'read')
      // The report's clicks.
      .useTable(tables.links, ENV.linksTable, 'read')
      .useNames(runtimeEnvironment);

    // The campaign router serves these too; each function is its own export of it, with its own service name.
    this.campaignPlanApi = new CampaignFunction(this, 'CampaignPlanApi', {
      entry: 'functions/handlers/campaign-api.ts',
      handler: 'planHandler',
      serviceName: SERVICE.campaignPlanApi,
      description: 'PUT /campaigns/{id}: plans a draft version (timeline, touches, cost, diff); schedules nothing',
      timeout: PLAN_API_TIMEOUT,
      // Planning holds the campaign's customers in memory.
      memorySize: 3008,
    })
      .useTable(tables.customers, ENV.customersTable, 'read')
      .useTable(tables.imports, ENV.importsTable, 'read')
      .useTable(tables.campaigns, ENV.campaignsTable, 'readWrite')
      .useTable(tables.touches, ENV.touchesTable, 'readWrite')
      .useNames(runtimeEnvironment);

    this.campaignControl = delivery
      .allowScheduling(
        new CampaignFunction(this, 'CampaignControl', {
          entry: 'functions/handlers/campaign-api.ts',
          handler: 'controlHandler',
          serviceName: SERVICE.campaignControl,
          description:
            'POST /campaigns/{id}/approve|pause|resume|cancel: schedules an approved version, pauses, resumes, cancels',
          timeout: CAMPAIGN_API_TIMEOUT,
          memorySize: 1024,
        }),
      )
      // The lifecycle and its audit trail, the versions, sends and parked shards (campaigns). No
      // touches: the workers drop a cancelled send's touches, from the sweep messages sent here.
      .useTable(tables.campaigns, ENV.campaignsTable, 'readWrite')
      // Resumed shards and cancel sweeps go to the workers.
      .useQueue(delivery.sendQueue, ENV.sendQueueUrl, 'send')
      .useNames(runtimeEnvironment);

    this.testSend = new CampaignFunction(this, 'TestSend', {
      entry: 'functions/handlers/test-send.ts',
      handler: 'handler',
      serviceName: SERVICE.testSend,
      description: "POST /campaigns/{id}/test-send: a wave's real messages to the campaign's own test recipients",
      timeout: TEST_SEND_TIMEOUT,
      memorySize: 512,
    })
      // Reads the lifecycle and the latest version; writes only the lifecycle's control item (the audit entry).
      .useTableWrites(tables.campaigns, ENV.campaignsTable, ['PutItem'], { read: true })
      // The test record, apart from the plan: only items under TEST# keys, never a plan's touch.
      .useTableWrites(tables.touches, ENV.touchesTable, ['PutItem'], {
        partitionKeysLike: [`${TEST_TOUCH_PK_PREFIX}*`],
      })
      // Seals the test mail's unsubscribe link as the worker does; read once per container.
      .useSecret(linkSecret, ENV.linkSecretArn)
      .allow({ actions: ['ses:SendEmail'], resources: [delivery.emailIdentityArn, delivery.configurationSetArn] })
      .allowUnscoped(
        'SmsPublish',
        {
          actions: ['sns:Publish'],
          conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(this).region } },
        },
        'SMS straight to a phone number has no resource ARN, so sns:Publish needs Resource "*"; limited to this region. The function publishes only to the campaign\'s listed test recipients and holds no topic permissions.',
      )
      .useNames(runtimeEnvironment);

    this.unsubscribe = new CampaignFunction(this, 'Unsubscribe', {
      entry: 'functions/handlers/unsubscribe.ts',
      handler: 'handler',
      serviceName: SERVICE.unsubscribe,
      description: `GET|POST ${UNSUBSCRIBE_PATH}?t=<token>: the email unsubscribe link's page and its one-click opt-out`,
      timeout: UNSUBSCRIBE_TIMEOUT,
      memorySize: 512,
    })
      // One conditional PutItem of the opt-out item, nothing else: no read, no update, no delete.
      .allow({ actions: ['dynamodb:PutItem'], resources: [tables.customers.tableArn] })
      .useNames({ [ENV.customersTable]: tables.customers.tableName })
      // Opens the link's token; read once per container.
      .useSecret(linkSecret, ENV.linkSecretArn)
      .useNames(runtimeEnvironment);

    this.trackedLink = new CampaignFunction(this, 'TrackedLink', {
      entry: 'functions/handlers/tracked-link.ts',
      handler: 'handler',
      serviceName: SERVICE.trackedLink,
      description: `GET ${TRACKED_LINK_ROUTE}: records the first click of a message's tracked link, then 302 to the wave's link`,
      timeout: TRACKED_LINK_TIMEOUT,
      memorySize: 512,
    })
      // One GetItem of a link and one conditional PutItem of its click, nothing else: the links
      // table only, and in it only the link items to read and the click items to write.
      .allow({
        actions: ['dynamodb:GetItem'],
        resources: [tables.links.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${linkPk('')}*`] } },
      })
      .allow({
        actions: ['dynamodb:PutItem'],
        resources: [tables.links.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${clickPk('')}*`] } },
      })
      .useNames({ [ENV.linksTable]: tables.links.tableName })
      // Checks the id's own HMAC before anything is read; read once per container.
      .useSecret(linkSecret, ENV.linkSecretArn)
      .useNames(runtimeEnvironment);

    this.console = new CampaignFunction(this, 'Console', {
      entry: 'functions/handlers/console.ts',
      handler: 'handler',
      serviceName: SERVICE.console,
      description:
        "The marketer's console: its page shells (GET /, /console, /console/campaigns/{id}[/report]) and their views",
      timeout: CAMPAIGN_API_TIMEOUT,
      memorySize: 512,
    })
      // The lifecycle and the latest version, to render; the page's buttons call the campaign routes.
      .useTable(tables.campaigns, ENV.campaignsTable, 'read')
      .useNames(runtimeEnvironment);

    this.segmentUploads = new CampaignFunction(this, 'SegmentUploads', {
      entry: 'functions/handlers/segment-uploads.ts',
      handler: 'handler',
      serviceName: SERVICE.segmentUploads,
      description:
        'POST /campaigns/{id}/uploads (a presigned PUT straight to segments/), GET /campaigns/{id}/imports and their rejects',
      timeout: CAMPAIGN_API_TIMEOUT,
      memorySize: 512,
    })
      .useTable(tables.imports, ENV.importsTable, 'read')
      // A presigned PUT carries its signer's rights: this role may put segment files, never read them.
      .useBucket(dataBucket, ENV.dataBucket, 'write', PREFIX.segments)
      // The campaign's folder, listed for its imports (names and sizes only).
      .allow({
        actions: ['s3:ListBucket'],
        resources: [dataBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${PREFIX.segments}*`] } },
      })
      // The rejects report beside each import, read only.
      .useBucket(dataBucket, ENV.dataBucket, 'read', `${PREFIX.reports}${PREFIX.segments}`)
      .useNames(runtimeEnvironment);

    // --- API ------------------------------------------------------------------------------------

    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-http-api`,
      description:
        'Double-11 campaign scheduler: order webhook (signed by the store), unsubscribe links, and the marketer routes (Cognito JWT)',
      defaultAuthorizer: new HttpIamAuthorizer(),
      // The stage below carries the throttling and access logs the generated default stage cannot.
      createDefaultStage: false,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: API_RATE_LIMIT, burstLimit: API_BURST_LIMIT },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.stage.url;

    this.signIn = new MarketerSignIn(this, 'SignIn', {
      userPool: props.userPool,
      // The stage URL ends with `/`.
      consoleUrl: props.consoleUrl ?? `${this.url}${CONSOLE_PATH.slice(1)}`,
      domainPrefix: props.signInDomainPrefix ?? `d11-campaign-${Stack.of(this).account}`,
    });

    [this.webhookRoute] = this.api.addRoutes({
      path: ORDERS_WEBHOOK_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('OrdersWebhookIntegration', this.ordersWebhook.function),
      authorizer: new HttpNoneAuthorizer(),
    }) as [HttpRoute];
    Validations.of(this.webhookRoute.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        "The store's webhook sender cannot sign AWS requests or hold tokens; it signs each body with the shared HMAC-SHA256 key (X-Signature, 300 s window), and the function refuses every request not signed with it (401) before reading the body. Only this route is open.",
    });

    const servedBy: Record<CampaignRouteKind, { id: string; fn: CampaignFunction }> = {
      read: { id: 'CampaignApiIntegration', fn: this.campaignApi },
      plan: { id: 'CampaignPlanApiIntegration', fn: this.campaignPlanApi },
      control: { id: 'CampaignControlIntegration', fn: this.campaignControl },
      testSend: { id: 'TestSendIntegration', fn: this.testSend },
      console: { id: 'ConsoleIntegration', fn: this.console },
      uploads: { id: 'SegmentUploadsIntegration', fn: this.segmentUploads },
    };
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const throttledRoutes: HttpRoute[] = [];
    const integrations = new Map<CampaignRouteKind, HttpLambdaIntegration>();
    const integrationOf = (kind: CampaignRouteKind) => {
      const integration =
        integrations.get(kind) ?? new HttpLambdaIntegration(servedBy[kind].id, servedBy[kind].fn.function);
      integrations.set(kind, integration);
      return integration;
    };
    const marketerRoutes = (consoleOnes: boolean) =>
      MARKETER_ROUTES.filter((routeKey) => CONSOLE_KINDS.has(MARKETER_ROUTE_KIND[routeKey]) === consoleOnes);
    const addMarketerRoute = (routeKey: MarketerRoute) => {
      const kind = MARKETER_ROUTE_KIND[routeKey];
      const [method, path] = routeKey.split(' ') as [HttpMethod, string];
      const { rate, burst } = CAMPAIGN_ROUTE_THROTTLE[kind];
      routeSettings[routeKey] = { ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst };
      const routes = this.api.addRoutes({
        path,
        methods: [method],
        integration: integrationOf(kind),
        authorizer: this.signIn.authorizer,
      });
      throttledRoutes.push(...routes);
      return routes;
    };
    this.campaignRoutes = marketerRoutes(false).flatMap(addMarketerRoute);
    // The console's views and uploads: the same JWT authorizer.
    this.consoleRoutes = marketerRoutes(true).flatMap(addMarketerRoute);
    // The console's page shells: open. A browser's navigation carries no bearer token, so the
    // document it opens holds no data: the shell signs in (the sign-in script, with the console
    // app client's settings) and fetches the page's view from its JWT route.
    this.console.useNames(this.signIn.consoleEnvironment);
    this.consoleShellRoutes = CONSOLE_SHELL_ROUTES.flatMap((routeKey) => {
      const [method, path] = routeKey.split(' ') as [HttpMethod, string];
      const { rate, burst } = CAMPAIGN_ROUTE_THROTTLE.console;
      routeSettings[routeKey] = { ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst };
      const routes = this.api.addRoutes({
        path,
        methods: [method],
        integration: integrationOf('console'),
        authorizer: new HttpNoneAuthorizer(),
      });
      throttledRoutes.push(...routes);
      for (const route of routes) {
        Validations.of(route.node.defaultChild as CfnResource).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            "The console's page shell: a browser's navigation (typing the address, a bookmark, the managed login's return) cannot carry a bearer token. The shell holds no data: the page frame, a loading line and the inline sign-in script (its hash in the page's CSP); it signs in with Cognito (authorization code with PKCE) and fetches the page's body from its view route, which stays behind the JWT authorizer like every other data route. Only the console's shell routes are open this way.",
        });
      }
      return routes;
    });

    this.unsubscribeRoutes = this.api.addRoutes({
      path: UNSUBSCRIBE_PATH,
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('UnsubscribeIntegration', this.unsubscribe.function),
      authorizer: new HttpNoneAuthorizer(),
    });
    const stageL1 = this.stage.node.defaultChild as CfnStage;
    for (const method of [HttpMethod.GET, HttpMethod.POST]) {
      routeSettings[`${method} ${UNSUBSCRIBE_PATH}`] = {
        ThrottlingRateLimit: UNSUBSCRIBE_RATE_LIMIT,
        ThrottlingBurstLimit: UNSUBSCRIBE_BURST_LIMIT,
      };
    }
    [this.trackedLinkRoute] = this.api.addRoutes({
      path: TRACKED_LINK_ROUTE,
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('TrackedLinkIntegration', this.trackedLink.function),
      authorizer: new HttpNoneAuthorizer(),
    }) as [HttpRoute];
    routeSettings[`GET ${TRACKED_LINK_ROUTE}`] = {
      ThrottlingRateLimit: TRACKED_LINK_RATE_LIMIT,
      ThrottlingBurstLimit: TRACKED_LINK_BURST_LIMIT,
    };
    Validations.of(this.trackedLinkRoute.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        "A customer's phone or browser follows the link in an SMS or email: it cannot sign AWS requests or hold tokens. The link's id is the auth: an HMAC of the message under a key only the send worker and this function read, checked before anything is read; an id not made with it gets 404 and records nothing. The route only redirects and counts a first click, and has its own throttling.",
    });
    stageL1.routeSettings = routeSettings;
    // CloudFormation refuses route settings of a route that does not exist yet.
    for (const route of [...throttledRoutes, ...this.unsubscribeRoutes, this.trackedLinkRoute]) {
      stageL1.node.addDependency(route);
    }
    for (const route of this.unsubscribeRoutes) {
      Validations.of(route.node.defaultChild as CfnResource).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "The customer's browser and mail client (RFC 8058 one-click) follow the link in an email: they cannot sign AWS requests or hold tokens. The link's own token is the auth: AES-256-GCM sealed with a key only the send worker and this function read, so nobody can make one for another customer; the function refuses any other token (400) before it writes. GET changes nothing; these routes have their own throttling.",
      });
    }

    // --- Alarms ---------------------------------------------------------------------------------

    const fiveMinutes = Duration.minutes(5);
    alarms.alarm(this, 'ServerErrorsAlarm', this.stage.metricServerError({ period: fiveMinutes, statistic: 'Sum' }), {
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'The campaign HTTP API answered 5 or more 5xx in five minutes: order events may be lost unless the store redelivers them.',
    });
    alarms.alarm(
      this,
      'OrdersWebhookErrorsAlarm',
      this.ordersWebhook.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      {
        ...AT_LEAST_ONE,
        description:
          'The order webhook function crashed, timed out or could not start (e.g. missing configuration or no access to its signing key) in the last five minutes.',
      },
    );
    alarms.alarm(
      this,
      'UnsubscribeErrorsAlarm',
      this.unsubscribe.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      {
        ...AT_LEAST_ONE,
        description:
          'The unsubscribe function crashed, timed out or could not start (e.g. no access to the link key) in the last five minutes: customers may be unable to unsubscribe.',
      },
    );
    alarms.alarm(
      this,
      'TrackedLinkErrorsAlarm',
      this.trackedLink.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      {
        ...AT_LEAST_ONE,
        description:
          "The tracked-link function crashed, timed out or could not start (e.g. no access to the link key) in the last five minutes: customers tapping a message's link may not reach the store.",
      },
    );
    alarms.alarm(
      this,
      'IntegrationLatencyAlarm',
      this.stage.metricIntegrationLatency({ period: fiveMinutes, statistic: 'p99' }),
      {
        threshold: 1000,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'The p99 latency of the campaign HTTP API functions was over 1 s in the last five minutes.',
      },
    );
  }
}
