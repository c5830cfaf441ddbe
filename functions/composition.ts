/**
 * The composition root: the one place that knows where the code runs. It builds every
 * AWS client from the config (with the endpoint override locally) and the adapters the
 * use cases take, so a handler is the same code on AWS and on the embedded stack.
 */

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCampaignStore, DynamoTouchStore } from './adapters/dynamo/campaign-store.ts';
import { readCampaignCustomers } from './adapters/dynamo/customer-reader.ts';
import { DynamoCustomerStore } from './adapters/dynamo/customer-store.ts';
import { DynamoImportStore } from './adapters/dynamo/import-store.ts';
import { DynamoLedger } from './adapters/dynamo/ledger.ts';
import { DynamoLifecycleStore } from './adapters/dynamo/lifecycle-store.ts';
import { DynamoLinkStore } from './adapters/dynamo/link-store.ts';
import { LiveRegistry } from './adapters/dynamo/live-registry.ts';
import { MARSHALL_OPTIONS } from './adapters/dynamo/marshalling.ts';
import { DynamoOptOutStore } from './adapters/dynamo/opt-out-store.ts';
import { DynamoOrderStore } from './adapters/dynamo/order-store.ts';
import { DynamoPurchaseCheck } from './adapters/dynamo/purchase-check.ts';
import { DynamoRateLimiter } from './adapters/dynamo/rate-limiter.ts';
import { DynamoTestTouchStore } from './adapters/dynamo/test-touch-store.ts';
import { DynamoContactBook, DynamoTriggerStore } from './adapters/dynamo/trigger-store.ts';
import { EventBridgeScheduler } from './adapters/eventbridge-scheduler.ts';
import { InProcessImportContinuation } from './adapters/local/import-continuation.ts';
import { LocalMapImport, type LocalMapSteps } from './adapters/local/map-import-runner.ts';
import { localRuntime } from './adapters/local/runtime.ts';
import { type LocalPlanSteps, LocalShardedPlan } from './adapters/local/sharded-plan-runner.ts';
import { S3ObjectStorage } from './adapters/s3-object-storage.ts';
import { S3UploadSigner } from './adapters/s3-upload-signer.ts';
import { SesEmailSender } from './adapters/ses-email.ts';
import { StepFunctionsExecutions } from './adapters/sfn-executions.ts';
import { SnsOptOutCheck } from './adapters/sns-opt-out-check.ts';
import { SnsOptOuts, SnsSmsSender } from './adapters/sns-sms.ts';
import { SqsImportContinuation } from './adapters/sqs-import-continuation.ts';
import { SqsSendQueue } from './adapters/sqs-send-queue.ts';
import { type Config, ConfigError } from './config.ts';
import { DISTRIBUTED_IMPORT, ENV, SHARDED_PLAN } from './contract.ts';
import { type TokenKeys, tokenKeys } from './domain/signed-token.ts';
import { LINK_PURPOSE } from './domain/tracked-link.ts';
import { UNSUBSCRIBE_PURPOSE, unsubscribeToken, unsubscribeUrl } from './domain/unsubscribe-link.ts';
import { instrument } from './observability.ts';
import { type Clock, systemClock } from './ports/clock.ts';
import type { ImportRef, MapImportStarter } from './ports/import-store.ts';
import type { ShardedPlanStarter } from './ports/plan-starter.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { ApproveDeps } from './usecases/approve-campaign.ts';
import type { ReportDeps } from './usecases/build-report.ts';
import type { ConsoleDeps } from './usecases/console-campaign.ts';
import type { ControlDeps } from './usecases/control-campaign.ts';
import type { FollowLinkDeps } from './usecases/follow-link.ts';
import type { GetCampaignDeps } from './usecases/get-campaign.ts';
import type { ImportBatchDeps } from './usecases/import-batch.ts';
import type { ImportFinishDeps } from './usecases/import-finish.ts';
import type { ImportLog, ImportSegmentDeps } from './usecases/import-segment.ts';
import type { IngestOrderDeps } from './usecases/ingest-order.ts';
import type { LiveDeps } from './usecases/live-progress.ts';
import type { PlanDraftDeps } from './usecases/plan-draft.ts';
import type { PlanRequestDeps, ShardingDeps } from './usecases/plan-request.ts';
import type { PlanShardDeps } from './usecases/plan-shards.ts';
import type { PlanUploadDeps } from './usecases/plan-uploaded-campaign.ts';
import type { SegmentUploadDeps } from './usecases/segment-uploads.ts';
import type { DispatchDeps, SendQueue, SendShardDeps, UnsubscribeLinks } from './usecases/send-wave.ts';
import type { TestSendDeps } from './usecases/test-send.ts';
import type { TrackedLinkDeps } from './usecases/tracked-links.ts';
import type { FireCheckDeps, ScheduleChecksDeps } from './usecases/trigger-check.ts';
import type { UnsubscribeDeps } from './usecases/unsubscribe.ts';

/** s3rver accepts only this key pair; every local client uses it (the others ignore it). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface AwsClients {
  /** Low-level, each command's resolved middleware kept (`cacheMiddleware`): the hot paths' client. */
  dynamodb: DynamoDBClient;
  /** Over a DynamoDB client of its own: the document client refuses `cacheMiddleware`. */
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  ses: SESv2Client;
  sqs: SQSClient | undefined;
  /** SNS for sending: no SDK retries (see createClients). */
  sns: SNSClient | undefined;
  /** SNS for reading (the opt-out list): with the SDK's retries, which are safe for reads. */
  snsReads: SNSClient | undefined;
  scheduler: SchedulerClient | undefined;
}

function common(config: Config) {
  return config.runtime === 'local'
    ? { region: config.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 5 }
    : { region: config.region, maxAttempts: 5 };
}

export function createClients(config: Config): AwsClients {
  const base = common(config);
  const local = config.runtime === 'local' ? config : undefined;
  const dynamodbConfig = { ...base, ...(local ? { endpoint: local.endpoints.dynamodb } : {}) };
  // Our middleware is all added here (instrument, below), never between requests: the
  // condition under which the SDK may keep each command's resolved stack.
  const dynamodb = new DynamoDBClient({ ...dynamodbConfig, cacheMiddleware: true });
  const documents = DynamoDBDocumentClient.from(instrument(new DynamoDBClient(dynamodbConfig)), {
    marshallOptions: { ...MARSHALL_OPTIONS },
  });
  const s3 = new S3Client({
    ...base,
    ...(local
      ? {
          endpoint: local.endpoints.s3,
          forcePathStyle: true,
          // s3rver stores streamed uploads with the chunk framing inside unless checksums are off.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
  // Sending has no idempotency key: a retried Publish or SendEmail whose first reply was lost
  // sends twice. The send use case decides about retries (throttling only), not the SDK.
  const sending = { ...base, maxAttempts: 1 };
  const ses = new SESv2Client({ ...sending, ...(local ? { endpoint: local.endpoints.ses } : {}) });
  const aws = config.runtime === 'aws';
  const clients: AwsClients = {
    dynamodb,
    documents,
    s3,
    ses,
    sqs: aws ? new SQSClient(base) : undefined,
    sns: aws ? new SNSClient(sending) : undefined,
    // Adaptive: a throttled page slows the next ones down instead of failing the whole listing.
    snsReads: aws ? new SNSClient({ ...base, retryMode: 'adaptive' }) : undefined,
    scheduler: aws ? new SchedulerClient(base) : undefined,
  };
  // Provider errors come out masked, and on AWS every call is traced (the document client
  // shares its own DynamoDB client's middleware: instrumented with it, above).
  for (const client of Object.values(clients)) if (client && client !== documents) instrument(client);
  return clients;
}

/** The zone for segment dates without an offset, until a campaign says otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** What `cache` holds for this config, made by `make` the first time: once per container and distinct config. */
function oncePerConfig<T>(cache: Map<string, T>, config: Config, make: () => T): T {
  const key = JSON.stringify(config);
  let kept = cache.get(key);
  if (kept === undefined) {
    kept = make();
    cache.set(key, kept);
  }
  return kept;
}

const clientCache = new Map<string, AwsClients>();

/** Clients are built once per container (per distinct config) and reused by every invocation. */
export function clientsFor(config: Config): AwsClients {
  return oncePerConfig(clientCache, config, () => createClients(config));
}

export function importDependencies(
  config: Config,
  options: {
    log: ImportLog;
    owner?: string;
    /** Locally, how a continuation is delivered (the handler itself). */
    deliverLocally: (body: { continueImport: ImportRef }) => Promise<unknown>;
    /** Locally, the map import's steps (its handlers): without them every file streams through one writer. */
    localMapSteps?: LocalMapSteps;
  },
): ImportSegmentDeps {
  const clients = clientsFor(config);
  const continuation =
    config.runtime === 'aws'
      ? new SqsImportContinuation(clients.sqs as NonNullable<AwsClients['sqs']>, config.importQueueUrl)
      : new InProcessImportContinuation(options.deliverLocally);
  const storage = new S3ObjectStorage(clients.s3, config.dataBucket);
  const starter = mapImportStarter(config, storage, options.localMapSteps);
  return {
    ...(starter
      ? {
          mapImport: {
            starter,
            thresholdBytes: config.distributedImportBytes ?? DISTRIBUTED_IMPORT.thresholdBytes,
          },
        }
      : {}),
    storage,
    customers: new DynamoCustomerStore(clients.dynamodb, config.tables.customers),
    imports: new DynamoImportStore(clients.documents, config.tables.imports),
    continuation,
    timeZone: DEFAULT_TIME_ZONE,
    owner: options.owner ?? randomUUID(),
    clock: Date.now,
    log: options.log,
  };
}

const sfnClients = new Map<string, SFNClient>();

function sfnClientFor(config: Config): SFNClient {
  let sfn = sfnClients.get(config.region);
  if (!sfn) {
    sfn = instrument(new SFNClient(common(config)));
    sfnClients.set(config.region, sfn);
  }
  return sfn;
}

/** The Distributed Map import's starter: the state machine on AWS (where deployed), the local runner here. */
function mapImportStarter(
  config: Config,
  storage: S3ObjectStorage,
  localSteps: LocalMapSteps | undefined,
): MapImportStarter | undefined {
  if (config.runtime === 'aws') {
    if (!config.importStateMachineArn) return undefined;
    return new StepFunctionsExecutions(sfnClientFor(config), config.importStateMachineArn);
  }
  return localSteps ? new LocalMapImport(storage, localSteps) : undefined;
}

/** The sharded plan's starter: the plan state machine on AWS (where given), the shard handler in this process here. */
function shardedPlanStarter(config: Config, localSteps: LocalPlanSteps | undefined): ShardedPlanStarter | undefined {
  if (config.runtime === 'aws') {
    if (!config.planStateMachineArn) return undefined;
    return new StepFunctionsExecutions(sfnClientFor(config), config.planStateMachineArn);
  }
  return localSteps
    ? new LocalShardedPlan(localSteps, {
        onFailure: (name, error) => console.error(`sharded plan ${name} failed: ${(error as Error).message}`),
      })
    : undefined;
}

/** One batch of the map import: the file's rows into the customers table (last line wins), its part to storage. */
export function importBatchDependencies(config: Config): ImportBatchDeps {
  const clients = clientsFor(config);
  const customers = new DynamoCustomerStore(clients.dynamodb, config.tables.customers);
  return {
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    openWriter: () => customers.openLastLineWinsWriter(),
  };
}

/** The map import's finish step: the parts in, the import record and the rejects report out. */
export function importFinishDependencies(config: Config, log: ImportLog): ImportFinishDeps {
  const clients = clientsFor(config);
  return {
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    imports: new DynamoImportStore(clients.documents, config.tables.imports),
    clock: Date.now,
    log,
  };
}

/** The campaigns table's control plane: lifecycles with their audit trails, and planned versions. */
function lifecycleStore(config: Config): DynamoLifecycleStore {
  return new DynamoLifecycleStore(clientsFor(config).documents, config.tables.campaigns);
}

function schedulerFor(config: Config): Scheduler {
  return config.runtime === 'aws'
    ? new EventBridgeScheduler(clientsFor(config).scheduler as SchedulerClient, config.scheduler)
    : localRuntime().scheduler;
}

/**
 * The trigger checks' scheduler: their own target and role on AWS, the local one locally. On
 * AWS the two names are required of the functions that schedule checks (the order webhook,
 * the check itself): without them an order would silently start no reminder.
 */
function triggerSchedulerFor(config: Config): Scheduler {
  if (config.runtime !== 'aws') return localRuntime().scheduler;
  if (!config.triggerScheduler) {
    throw new ConfigError([
      `${ENV.triggerCheckArn}, ${ENV.triggerSchedulerRoleArn}: required to schedule order reminders`,
    ]);
  }
  return new EventBridgeScheduler(clientsFor(config).scheduler as SchedulerClient, {
    ...config.triggerScheduler,
    deadLetterArn: config.scheduler.deadLetterArn,
  });
}

function triggerStore(config: Config): DynamoTriggerStore {
  return new DynamoTriggerStore(clientsFor(config).documents, config.tables.campaigns);
}

/** A trigger check: the order, the contact, the one number's opt-out, the ledger, the SMS sender. */
export function triggerCheckDependencies(config: Config): FireCheckDeps {
  const clients = clientsFor(config);
  const scheduler = triggerSchedulerFor(config);
  return {
    triggers: triggerStore(config),
    lifecycle: lifecycleStore(config),
    orders: new DynamoOrderStore(clients.dynamodb, clients.documents, config.tables.customers),
    contacts: new DynamoContactBook(clients.documents, config.tables.customers),
    optOuts: config.runtime === 'aws' ? new SnsOptOutCheck(clients.snsReads as SNSClient) : localRuntime().optOuts,
    ledger: new DynamoLedger(clients.documents, config.tables.customers),
    sms: smsSenderFor(config, clients),
    scheduler,
    clock: clockFor(config),
    trackedLinks: trackedLinkRegistry(config),
  };
}

/** Where the send paths (wave shards, reminders) register tracked links, and the links' keys. */
function trackedLinkRegistry(config: Config): TrackedLinkDeps {
  const clients = clientsFor(config);
  return {
    store: new DynamoLinkStore(clients.dynamodb, clients.documents, config.tables.links),
    keys: () => linkKeys(config, LINK_PURPOSE),
  };
}

/** Planning a draft: customers and imports to read, the version and its touches to write. */
export function planDependencies(config: Config): PlanDraftDeps & { clock: Clock } {
  const clients = clientsFor(config);
  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  return {
    loadCustomers: (campaign) => readCampaignCustomers(clients, config.tables.customers, imports, campaign.id),
    lifecycle: lifecycleStore(config),
    touches: new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches),
    clock: clockFor(config),
    linkBase: linkBaseFor(config),
  };
}

/** The base of tracked links a campaign does not set: PUBLIC_BASE_URL, else the local HTTP server once it listens. */
function linkBaseFor(config: Config): () => string | undefined {
  return () => config.publicBaseUrl ?? (config.runtime === 'local' ? localRuntime().publicBaseUrl : undefined);
}

/** The sharded plan's passes: the bucket their files live in, and the table a shard reads its segments of. */
export function planShardDependencies(config: Config): PlanShardDeps {
  const clients = clientsFor(config);
  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  return {
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    readTableSegments: (campaignId, segments) =>
      readCampaignCustomers(clients, config.tables.customers, imports, campaignId, segments),
    // Only the finish is given the campaigns and touches tables; the passes never build their stores.
    get drafts() {
      return {
        lifecycle: lifecycleStore(config),
        touches: new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches),
      };
    },
  };
}

/** The plan Lambda: planning, and the bucket the campaign files and their reports live in. */
export function planUploadDependencies(
  config: Config,
  options: { localPlanSteps?: LocalPlanSteps } = {},
): PlanUploadDeps & { clock: Clock } {
  const sharding = shardingFor(config, options.localPlanSteps);
  return {
    ...planDependencies(config),
    storage: new S3ObjectStorage(clientsFor(config).s3, config.dataBucket),
    ...(sharding ? { sharding } : {}),
  };
}

/** Where a plan from the threshold's customers on goes: none where no starter is (every plan in one process). */
function shardingFor(config: Config, localSteps: LocalPlanSteps | undefined): ShardingDeps | undefined {
  const starter = shardedPlanStarter(config, localSteps);
  if (!starter) return undefined;
  const clients = clientsFor(config);
  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  return {
    starter,
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    thresholdCustomers: config.shardedPlanCustomers ?? SHARDED_PLAN.thresholdCustomers,
    countCustomers: (campaignId: string) => imports.importedCustomers(campaignId),
  };
}

/** Approving: the version to read, its sends to store, its schedules to keep. */
export function approveDependencies(config: Config): ApproveDeps & { clock: Clock } {
  const clients = clientsFor(config);
  return {
    lifecycle: lifecycleStore(config),
    campaigns: new DynamoCampaignStore(clients.documents, config.tables.campaigns),
    scheduler: schedulerFor(config),
    clock: clockFor(config),
    triggers: triggerStore(config),
  };
}

/** The campaign API: every marketer action it routes to. */
export type CampaignApiDeps = PlanRequestDeps &
  ApproveDeps &
  ControlDeps &
  GetCampaignDeps &
  ReportDeps &
  LiveDeps & { clock: Clock };

export function campaignApiDependencies(
  config: Config,
  options: {
    /** Locally, the sharded plan's steps (the shard handler): without them every plan runs in one process. */
    localPlanSteps?: LocalPlanSteps;
  } = {},
): CampaignApiDeps {
  const clients = clientsFor(config);
  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  const sharding = shardingFor(config, options.localPlanSteps);
  return {
    ...(sharding ? { sharding } : {}),
    loadCustomers: (campaign) => readCampaignCustomers(clients, config.tables.customers, imports, campaign.id),
    touches: new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches),
    linkBase: linkBaseFor(config),
    links: new DynamoLinkStore(clients.dynamodb, clients.documents, config.tables.links),
    orders: new DynamoOrderStore(clients.dynamodb, clients.documents, config.tables.customers),
    // An approval registers the campaign's order rules for the webhook; the report counts their checks.
    triggers: triggerStore(config),
    ...controlDependencies(config),
  };
}

/**
 * Pause, resume and cancel: the lifecycle, the sends, their schedules, and the send queue
 * (resumed shards and cancel sweeps go on it; held sends go through the dispatcher again).
 */
export function controlDependencies(config: Config): ControlDeps & { campaigns: DynamoCampaignStore } {
  const clients = clientsFor(config);
  return {
    lifecycle: lifecycleStore(config),
    campaigns: new DynamoCampaignStore(clients.documents, config.tables.campaigns),
    scheduler: schedulerFor(config),
    queue: sendQueueFor(config, clients),
    clock: clockFor(config),
  };
}

function sendQueueFor(config: Config, clients: AwsClients): SendQueue {
  return config.runtime === 'aws'
    ? new SqsSendQueue(clients.sqs as SQSClient, config.sendQueueUrl)
    : localRuntime().sendQueue;
}

export function dispatchDependencies(config: Config): DispatchDeps {
  const clients = clientsFor(config);
  return {
    campaigns: new DynamoCampaignStore(clients.documents, config.tables.campaigns),
    lifecycle: lifecycleStore(config),
    queue: sendQueueFor(config, clients),
    clock: clockFor(config),
    optOuts: config.runtime === 'aws' ? new SnsOptOuts(clients.snsReads as SNSClient) : localRuntime().optOuts,
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
  };
}

/** The email sender, from the configured identity (a local one for the embedded SES). */
function emailSenderFor(config: Config, clients: AwsClients): SesEmailSender {
  return new SesEmailSender(
    clients.ses,
    config.runtime === 'aws'
      ? { fromEmailAddress: config.email.from, configurationSetName: config.email.configurationSet }
      : { fromEmailAddress: 'campaign@shop.example.com', fromName: '示例旗舰店' },
  );
}

function smsSenderFor(config: Config, clients: AwsClients) {
  return config.runtime === 'local'
    ? localRuntime().sms
    : new SnsSmsSender(clients.sns as SNSClient, config.sms.senderId ? { senderId: config.sms.senderId } : {});
}

/**
 * A test send: the campaign's lifecycle and versions (the audit entry), the test record, and
 * the same SMS and email senders and unsubscribe links as the send worker; no ledger.
 */
export function testSendDependencies(config: Config): TestSendDeps {
  const clients = clientsFor(config);
  return {
    lifecycles: new DynamoLifecycleStore(clients.documents, config.tables.campaigns),
    testTouches: new DynamoTestTouchStore(clients.documents, config.tables.touches),
    sms: smsSenderFor(config, clients),
    email: emailSenderFor(config, clients),
    unsubscribeLinks: unsubscribeLinksFor(config),
    clock: clockFor(config),
  };
}

export function sendDependencies(
  config: Config,
  options: { owner?: string; log: SendShardDeps['log'] },
): SendShardDeps {
  const clients = clientsFor(config);
  const local = config.runtime === 'local' ? localRuntime() : undefined;
  const clock = clockFor(config);
  const email = emailSenderFor(config, clients);
  return {
    campaigns: new DynamoCampaignStore(clients.documents, config.tables.campaigns),
    lifecycle: lifecycleStore(config),
    touches: new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches),
    ledger: new DynamoLedger(clients.documents, config.tables.customers),
    purchases: new DynamoPurchaseCheck(clients.documents, config.tables.customers),
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    sms: smsSenderFor(config, clients),
    email,
    limiter: (channel, rate) => {
      const perSecond = Math.max(1, Math.floor(rate));
      // In order on a virtual clock one worker sends at a time: it takes its second in one
      // write (and gives back what it leaves). Elsewhere small grants keep the workers fair.
      const grant = local?.sendInOrder ? perSecond : undefined;
      return new DynamoRateLimiter(clients.documents, config.tables.campaigns, channel, perSecond, clock, grant);
    },
    queue: sendQueueFor(config, clients),
    clock,
    owner: options.owner ?? randomUUID(),
    emailOptOuts: new DynamoOptOutStore(clients.documents, config.tables.customers),
    unsubscribeLinks: unsubscribeLinksFor(config),
    trackedLinks: trackedLinkRegistry(config),
    log: options.log,
    ...(local?.sendInOrder ? { inOrder: true } : {}),
    ...(local?.random ? { random: local.random } : {}),
  };
}

/**
 * How the send worker makes each email's unsubscribe link. The base is PUBLIC_BASE_URL, or
 * locally the URL of the HTTP server the local stack runs (known once it listens). On AWS a
 * worker without a base fails at once: an email without a working link is never sent.
 */
function unsubscribeLinksFor(config: Config): () => Promise<UnsubscribeLinks> {
  if (config.runtime === 'aws' && !config.publicBaseUrl) {
    throw new ConfigError([`${ENV.publicBaseUrl}: required by the send worker (the base of unsubscribe links)`]);
  }
  return async () => {
    const base = config.publicBaseUrl ?? (config.runtime === 'local' ? localRuntime().publicBaseUrl : undefined);
    if (!base) {
      throw new ConfigError([
        `${ENV.publicBaseUrl}: not set and no local HTTP server is running: emails would carry no working unsubscribe link`,
      ]);
    }
    const keys = await linkKeys(config, UNSUBSCRIBE_PURPOSE);
    return {
      urlFor: (campaignId, customerId) => unsubscribeUrl(base, unsubscribeToken(keys, { campaignId, customerId })),
    };
  };
}

/** The unsubscribe link's handler: the link keys, the opt-out record, the clock. */
export function unsubscribeDependencies(config: Config): UnsubscribeDeps {
  const clients = clientsFor(config);
  return {
    keys: () => linkKeys(config, UNSUBSCRIBE_PURPOSE),
    optOuts: new DynamoOptOutStore(clients.documents, config.tables.customers),
    clock: clockFor(config),
  };
}

const trackedLinkDeps = new WeakMap<Config, FollowLinkDeps>();

/**
 * The tracked links' redirect: the links table and the link keys, nothing else. Built once
 * per config (so once per container): its link store coalesces the reads and writes of
 * requests served at once, which only works if they share one store.
 */
export function trackedLinkDependencies(config: Config): FollowLinkDeps {
  let deps = trackedLinkDeps.get(config);
  if (!deps) {
    const clients = clientsFor(config);
    deps = {
      links: new DynamoLinkStore(clients.dynamodb, clients.documents, config.tables.links),
      keys: () => linkKeys(config, LINK_PURPOSE),
      // Asked each time: a local run may swap its clock (simulate's virtual time) under a kept store.
      clock: { now: () => clockFor(config).now() },
    };
    trackedLinkDeps.set(config, deps);
  }
  return deps;
}

const secretCache = new Map<string, Promise<string>>();

/** A Secrets Manager secret's value, read once per container (per ARN); a failed read is tried again next time. */
function secretValue(region: string, arn: string): Promise<string> {
  let value = secretCache.get(arn);
  if (!value) {
    const client = instrument(new SecretsManagerClient({ region }));
    value = client.send(new GetSecretValueCommand({ SecretId: arn })).then((result) => result.SecretString ?? '');
    value.catch(() => {
      secretCache.delete(arn);
    });
    secretCache.set(arn, value);
  }
  return value;
}

/** The webhook signing secret: Secrets Manager on AWS (read once per container), WEBHOOK_SECRET locally. */
export function webhookSecret(config: Config): Promise<string> {
  if (config.runtime === 'local') {
    if (!config.webhookSecret) throw new Error('WEBHOOK_SECRET is not set: the order webhook cannot check signatures');
    return Promise.resolve(config.webhookSecret);
  }
  return secretValue(config.region, config.webhookSecretArn);
}

const keyCache = new Map<string, Promise<TokenKeys>>();

/**
 * The keys of one link purpose (`unsubscribe`, later `link`), derived from the link secret:
 * Secrets Manager on AWS (LINK_SECRET_ARN, read once per container), LINK_SECRET locally.
 */
export function linkKeys(config: Config, purpose: string): Promise<TokenKeys> {
  const source = config.runtime === 'aws' ? `arn:${config.linkSecretArn}` : `local:${config.linkSecret}`;
  const cacheKey = `${purpose}\u0000${source}`;
  let keys = keyCache.get(cacheKey);
  if (!keys) {
    const secret =
      config.runtime === 'aws' ? secretValue(config.region, config.linkSecretArn) : Promise.resolve(config.linkSecret);
    keys = secret.then((value) => tokenKeys(value, purpose));
    keys.catch(() => {
      keyCache.delete(cacheKey);
    });
    keyCache.set(cacheKey, keys);
  }
  return keys;
}

/** The clock handlers use: the system's on AWS, the local stack's (maybe virtual) locally. */
export function clockFor(config: Config): Clock {
  return config.runtime === 'aws' ? systemClock : localRuntime().clock;
}

export function orderDependencies(config: Config): IngestOrderDeps {
  const clients = clientsFor(config);
  return {
    orders: new DynamoOrderStore(clients.dynamodb, clients.documents, config.tables.customers),
    timeZone: DEFAULT_TIME_ZONE,
    clock: clockFor(config),
    ...orderTriggers(config),
  };
}

/** One per container and table: the registry the webhook reads on every event (live-registry.ts). */
const liveRegistries = new Map<string, LiveRegistry>();

function orderTriggers(config: Config): { triggers: Omit<ScheduleChecksDeps, 'clock'> } {
  const triggers = triggerStore(config);
  const registry = oncePerConfig(liveRegistries, config, () => new LiveRegistry(triggers, lifecycleStore(config)));
  return {
    triggers: {
      triggers: {
        registered: () => registry.registered(),
        recordScheduled: (record) => triggers.recordScheduled(record),
      },
      lifecycle: { getControl: (campaignId) => registry.getControl(campaignId) },
      scheduler: triggerSchedulerFor(config),
    },
  };
}

export function reportDependencies(config: Config): ReportDeps & GetCampaignDeps {
  const clients = clientsFor(config);
  return {
    lifecycle: lifecycleStore(config),
    campaigns: new DynamoCampaignStore(clients.documents, config.tables.campaigns),
    touches: new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches),
    orders: new DynamoOrderStore(clients.dynamodb, clients.documents, config.tables.customers),
    triggers: triggerStore(config),
    links: new DynamoLinkStore(clients.dynamodb, clients.documents, config.tables.links),
    clock: clockFor(config),
  };
}

/** The console's pages: the lifecycle and the latest version, read only. */
export function consoleDependencies(config: Config): ConsoleDeps {
  return { lifecycle: lifecycleStore(config), clock: clockFor(config) };
}

const signerCache = new Map<string, S3UploadSigner>();

/**
 * The console's uploads: presigned PUTs into the bucket (signed with the function's own role on
 * AWS, the local key pair against s3rver), the folder's objects, the import records, the rejects.
 */
export function segmentUploadDependencies(config: Config): SegmentUploadDeps {
  const clients = clientsFor(config);
  const signer = oncePerConfig(
    signerCache,
    config,
    () =>
      new S3UploadSigner(
        clients.s3,
        config.dataBucket,
        config.runtime === 'local'
          ? { ...common(config), endpoint: config.endpoints.s3, forcePathStyle: true }
          : common(config),
      ),
  );
  return {
    imports: new DynamoImportStore(clients.documents, config.tables.imports),
    listing: signer,
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    signer,
  };
}
