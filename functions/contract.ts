/**
 * The names the CDK app (`lib/`) and the functions must agree on: environment variables,
 * bucket prefixes, schedule groups, service names. Both sides import them from here, so a
 * rename on one side cannot leave the other reading a variable nobody sets.
 */

/** Environment variables the functions read (config.ts) and the CDK sets (lib/). */
export const ENV = {
  runtime: 'CAMPAIGN_RUNTIME',
  region: 'AWS_REGION',
  customersTable: 'CUSTOMERS_TABLE',
  importsTable: 'IMPORTS_TABLE',
  campaignsTable: 'CAMPAIGNS_TABLE',
  touchesTable: 'TOUCHES_TABLE',
  /** Tracked links and their clicks: the only table the public redirect may touch. */
  linksTable: 'LINKS_TABLE',
  dataBucket: 'DATA_BUCKET',
  importQueueUrl: 'IMPORT_QUEUE_URL',
  sendQueueUrl: 'SEND_QUEUE_URL',
  scheduleTargetArn: 'SCHEDULE_TARGET_ARN',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  schedulerDeadLetterArn: 'SCHEDULER_DLQ_ARN',
  emailFrom: 'EMAIL_FROM',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  smsSenderId: 'SMS_SENDER_ID',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  webhookSecret: 'WEBHOOK_SECRET',
  /** The largest order amount (CNY) the webhook believes; unset: 1,000,000. */
  maxOrderAmount: 'ORDER_MAX_AMOUNT_CNY',
  /** The key of the links in messages (unsubscribe, tracked links): Secrets Manager on AWS. */
  linkSecretArn: 'LINK_SECRET_ARN',
  /** The same key locally (`npm start` keeps one under its data dir; simulations use a fixed one). */
  linkSecret: 'LINK_SECRET',
  /** Where customers reach the HTTP API: the base of every link in a message. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** The console's sign-in on AWS: the managed login's base URL, the console's app client, the console's URL. */
  signInUrl: 'SIGN_IN_URL',
  consoleClientId: 'CONSOLE_CLIENT_ID',
  consoleUrl: 'CONSOLE_URL',
  /** What a trigger check's schedule invokes (the trigger-check Lambda) and as whom. */
  triggerCheckArn: 'TRIGGER_CHECK_ARN',
  triggerSchedulerRoleArn: 'TRIGGER_SCHEDULER_ROLE_ARN',
  /** The import state machine (the Distributed Map over a large CSV): only the importer starts it. */
  importStateMachineArn: 'IMPORT_STATE_MACHINE_ARN',
  /** Files at least this many bytes import through the Distributed Map; unset: DISTRIBUTED_IMPORT.thresholdBytes. */
  distributedImportBytes: 'IMPORT_DISTRIBUTED_BYTES',
  /** The sharded plan state machine: only the plan API starts it. */
  planStateMachineArn: 'PLAN_STATE_MACHINE_ARN',
  /** Campaigns of at least this many imported customers plan in shards; unset: SHARDED_PLAN.thresholdCustomers. */
  shardedPlanCustomers: 'SHARDED_PLAN_CUSTOMERS',
  /** Locally only: the role of the built-in user (`marketer` or `approver`, the default). AWS reads roles from the sign-in. */
  localUserRole: 'LOCAL_USER_ROLE',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Where things live in the data bucket. */
export const PREFIX = {
  /** Segment files: `segments/<campaign-id>/<name>.csv|.jsonl|.xlsx`; their uploads start an import. */
  segments: 'segments/',
  /** Campaign files: `campaigns/<name>.json`; their uploads start a plan. */
  campaigns: 'campaigns/',
  /** What the product writes back for the marketer (rejects, plan results, pages). */
  reports: 'reports/',
  /**
   * The provider's SMS opt-out list as the dispatcher read it for one send, for that send's
   * shards: `private/opt-outs/<campaign-id>/<send-id>.v<version>.json`. Only the dispatcher
   * writes here and only the send worker reads; no rule routes it and no marketer sees it.
   */
  optOuts: 'private/opt-outs/',
  /**
   * A sharded plan's intermediate files: `private/plan-shards/<campaign-id>/v<version>/`
   * (the campaign as planned, each shard's columns and summary, the reduce's plan, the
   * touch parts). Only the shard handler reads and writes here.
   */
  planShards: 'private/plan-shards/',
  /**
   * The Distributed Map import's work: `private/import-runs/<run>/parts/<first row>.json` (one
   * batch's rows read: counts, ids, rejects) and the map's own result files. Only the batch
   * writer and the state machine write here, only the finish step reads; no marketer sees it.
   */
  importRuns: 'private/import-runs/',
} as const;

/**
 * The Distributed Map import (lib/segment-import-map.ts builds it, the batch writer and the
 * local runner read the same numbers). A batch is at most `maxItemsPerBatch` rows and
 * `maxInputBytesPerBatch` bytes of state input: under the 256 KB payload limit of a Step
 * Functions state with room for the batch input beside the rows.
 */
export const DISTRIBUTED_IMPORT = {
  /** Files at least this big go to the map (200 MB: about 2 million rows of a typical export). */
  thresholdBytes: 200 * 1024 * 1024,
  maxItemsPerBatch: 1_000,
  maxInputBytesPerBatch: 200 * 1024,
  /** Batches written at once: with the importer's own writers, the write pressure on the customers table. */
  maxConcurrency: 40,
  /** The bytes read before the map to resolve the header and check the encoding. */
  headBytes: 1024 * 1024,
} as const;

/**
 * The sharded plan (lib/sharded-plan.ts builds its state machine; the plan API starts it).
 * One plan process holds about 1.56 GB per million customers, so a 10 GB Lambda plans about
 * six million at most: from two million on, the plan goes to shards of half a million each,
 * every one well inside its 3 GB first pass.
 */
export const SHARDED_PLAN = {
  thresholdCustomers: 2_000_000,
  customersPerShard: 500_000,
  /** Shards one run may have: `States.ArrayRange`, which numbers them, makes at most 1,000 items. */
  maxShards: 1_000,
  /** Parallel-Scan segments each shard reads at once, as the single-process plan reads the table. */
  segmentsPerShard: 4,
} as const;

/** Where one sharded plan's files live (see `PREFIX.planShards`). */
export const planWorkPrefix = (campaignId: string, version: number): string =>
  `${PREFIX.planShards}${campaignId}/v${version}/`;

/**
 * The plan execution's name: one per campaign and version, so a start repeated after a lost
 * reply finds the run it started (campaign ids are at most 48 of [A-Za-z0-9_-]: within 80).
 */
export const planExecutionName = (campaignId: string, version: number): string => `plan-${campaignId}-v${version}`;

/** The key of one map batch's part (see `PREFIX.importRuns`), ordered by its first row. */
export const importRunPartKey = (run: string, firstIndex: number): string =>
  `${PREFIX.importRuns}${run}/parts/${String(firstIndex).padStart(12, '0')}.json`;

/**
 * The object metadata (`x-amz-meta-sheet`) naming the sheet of an uploaded workbook to
 * import, percent-encoded UTF-8 (S3 metadata is ASCII); without it the first visible sheet
 * is read. `campaign import --sheet` sets it.
 */
export const SHEET_METADATA = 'sheet';
/** Object metadata naming who uploaded a segment file from the console (signed into its presigned PUT). */
export const UPLOADED_BY_METADATA = 'uploaded-by';

/**
 * Where the marketer's console lives under the API's URL: the sign-in sends the browser back
 * here (the Cognito app client's default callback and sign-out URL).
 */
export const CONSOLE_PATH = '/console';

/** The one-click unsubscribe route (`GET|POST <base>/unsubscribe?t=<token>`): links and the API agree on it. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';
/**
 * Tracked links (`GET <base>/l/{id}`): the path the messages carry and the route that
 * redirects them (`TRACKED_LINK_ROUTE`, in API Gateway's path syntax).
 */
export const TRACKED_LINK_PATH = '/l/';
/** Where `npm start` listens by default: the links of offline plans and simulations point there. */
export const LOCAL_BASE_URL = 'http://127.0.0.1:3000';
export const TRACKED_LINK_ROUTE = '/l/{token}';
/** The key of one send's opt-out list (see `PREFIX.optOuts`). */
export const optOutsKey = (send: { campaignId: string; sendId: string; version: number }): string =>
  `${PREFIX.optOuts}${send.campaignId}/${send.sendId}.v${send.version}.json`;

/**
 * The attribute DynamoDB's time to live deletes items by (epoch seconds), on the campaigns
 * table: the rate limiter's per-second rows carry it. The CDK enables TTL on it; locally
 * nothing expires (dynalite has no TTL), and nothing reads an expired row.
 */
export const CAMPAIGNS_TTL_ATTRIBUTE = 'expiresAt';

/** Every campaign's send schedules live in a group of their own: `campaign-<id>`. */
export const SCHEDULE_GROUP_PREFIX = 'campaign-';
export const scheduleGroup = (campaignId: string): string => `${SCHEDULE_GROUP_PREFIX}${campaignId}`;
/**
 * A campaign's triggered-reminder checks live in a group of their own, `triggers-<id>`: a
 * prefix of its own, so the send schedules' role and the trigger role never reach each other's.
 */
export const TRIGGER_GROUP_PREFIX = 'triggers-';
export const triggerScheduleGroup = (campaignId: string): string => `${TRIGGER_GROUP_PREFIX}${campaignId}`;

/**
 * One service name per function: the CDK sets it as POWERTOOLS_SERVICE_NAME and the
 * handler's logger and tracer use the same one, so logs, traces and alarms line up.
 */
export const SERVICE = {
  health: 'campaign-health',
  importSegment: 'campaign-import',
  /** The Distributed Map import's batch writer and its finish step. */
  importBatch: 'campaign-import-batch',
  importFinish: 'campaign-import-finish',
  planCampaign: 'campaign-plan',
  sendDispatch: 'campaign-dispatch',
  sendWorker: 'campaign-send',
  ordersWebhook: 'campaign-orders',
  /** A triggered reminder's check fires (EventBridge Scheduler). */
  triggerCheck: 'campaign-trigger-check',
  /** The campaign reads: `GET /campaigns/{id}` and its report. */
  campaignApi: 'campaign-api',
  /** `PUT /campaigns/{id}`: plans a draft version. */
  campaignPlanApi: 'campaign-plan-api',
  /** `POST /campaigns/{id}/approve|pause|resume|cancel`. */
  campaignControl: 'campaign-control',
  /** `POST /campaigns/{id}/test-send`. */
  testSend: 'campaign-test-send',
  unsubscribe: 'campaign-unsubscribe',
  /** `GET /l/{token}`: the tracked links' redirect. */
  trackedLink: 'campaign-link',
  /** The marketer's console: its page shells (open) and their views (signed in). */
  console: 'campaign-console',
  /** The console's segment uploads: presigned upload requests, the imports and their rejects. */
  segmentUploads: 'campaign-uploads',
  /** The sharded plan's passes (first pass, reduce, second pass), run by the plan state machine. */
  planShards: 'campaign-plan-shards',
} as const;
export type ServiceName = (typeof SERVICE)[keyof typeof SERVICE];

/**
 * The campaign router's routes (campaign-api.ts), as API Gateway route keys: the CDK creates
 * exactly these, the local server serves them, and the router has an entry for each (a route
 * added here without one fails to compile).
 */
export const CAMPAIGN_ROUTES = [
  'PUT /campaigns/{id}',
  'GET /campaigns/{id}',
  'POST /campaigns/{id}/approve',
  'POST /campaigns/{id}/pause',
  'POST /campaigns/{id}/resume',
  'POST /campaigns/{id}/cancel',
  'GET /campaigns/{id}/report',
  /** The night's live counts (sent, failed, unknown, pending, sent per second, time to finish). */
  'GET /campaigns/{id}/live',
] as const;
export type CampaignRoute = (typeof CAMPAIGN_ROUTES)[number];

/**
 * The console's page shells: open routes (no sign-in at the gateway), because a browser's
 * navigation cannot carry a bearer token. A shell holds no data: the page's frame, its inline
 * scripts (the sign-in on AWS) and a "loading" line; it then fetches the page's body from its
 * view route below, signed in. The start page (at `/` and `/console`, where a sign-in returns
 * to), one campaign's page, and the campaign's report.
 */
export const CONSOLE_SHELL_ROUTES = [
  'GET /',
  'GET /console',
  'GET /console/campaigns/{id}',
  'GET /console/campaigns/{id}/report',
] as const;
export type ConsoleShellRoute = (typeof CONSOLE_SHELL_ROUTES)[number];

/**
 * The console's views: the server-rendered, escaped body of a page, which its shell fetches
 * and puts in place. Marketer routes (the campaign's data is here). The report's shell fetches
 * `GET /campaigns/{id}/report?format=html`, a campaign route.
 */
export const CONSOLE_VIEW_ROUTES = ['GET /console/view', 'GET /console/campaigns/{id}/view'] as const;
export type ConsoleViewRoute = (typeof CONSOLE_VIEW_ROUTES)[number];

/** Every route of the console's function: the shells and their views. */
export const CONSOLE_ROUTES = [...CONSOLE_SHELL_ROUTES, ...CONSOLE_VIEW_ROUTES] as const;
export type ConsoleRoute = (typeof CONSOLE_ROUTES)[number];

/**
 * The console's segment uploads: a presigned request to put one file straight into the
 * bucket under `segments/<id>/` (never through the API's 10 MB body limit), the campaign's
 * imports with their progress and result, and one import's rejected rows.
 */
export const UPLOAD_ROUTES = [
  'POST /campaigns/{id}/uploads',
  'GET /campaigns/{id}/imports',
  'GET /campaigns/{id}/imports/rejects',
] as const;
export type UploadRoute = (typeof UPLOAD_ROUTES)[number];

/** The test send: its own function on AWS (it may send SMS and email), not one of the router's routes. */
export const TEST_SEND_ROUTE = 'POST /campaigns/{id}/test-send';

/**
 * Every marketer route: a signed-in user on AWS (the HTTP API's JWT authorizer, Cognito),
 * the built-in local user locally. A route added here needs a role in `REQUIRED_ROLE` (or
 * the code does not compile), and the CDK puts the authorizer on exactly these.
 */
export const MARKETER_ROUTES = [...CAMPAIGN_ROUTES, TEST_SEND_ROUTE, ...CONSOLE_VIEW_ROUTES, ...UPLOAD_ROUTES] as const;
export type MarketerRoute = (typeof MARKETER_ROUTES)[number];

/**
 * The two roles, as Cognito group names. An approver may do everything a marketer may:
 * `approver` implies `marketer`, so an approver needs no second group.
 */
export const ROLES = ['marketer', 'approver'] as const;
export type Role = (typeof ROLES)[number];

/** What a role includes: the roles a member of the group holds. */
export const ROLE_INCLUDES: Readonly<Record<Role, readonly Role[]>> = {
  marketer: ['marketer'],
  approver: ['approver', 'marketer'],
};

/**
 * Who may do what, in one place: the role each marketer route needs. A marketer uploads,
 * plans, reads, test-sends and pauses; only an approver approves, resumes and cancels
 * (the actions that send or end a campaign for good).
 */
export const REQUIRED_ROLE: Readonly<Record<MarketerRoute, Role>> = {
  'PUT /campaigns/{id}': 'marketer',
  'GET /campaigns/{id}': 'marketer',
  'GET /campaigns/{id}/report': 'marketer',
  'GET /campaigns/{id}/live': 'marketer',
  'GET /console/view': 'marketer',
  'GET /console/campaigns/{id}/view': 'marketer',
  'POST /campaigns/{id}/uploads': 'marketer',
  'GET /campaigns/{id}/imports': 'marketer',
  'GET /campaigns/{id}/imports/rejects': 'marketer',
  'POST /campaigns/{id}/pause': 'marketer',
  'POST /campaigns/{id}/test-send': 'marketer',
  'POST /campaigns/{id}/approve': 'approver',
  'POST /campaigns/{id}/resume': 'approver',
  'POST /campaigns/{id}/cancel': 'approver',
};
