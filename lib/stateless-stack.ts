import { CfnOutput, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV, SERVICE } from '../functions/contract.ts';
import { CampaignDelivery } from './campaign-delivery.ts';
import { CampaignFunction } from './campaign-function.ts';
import { CampaignHttpApi } from './http-api.ts';
import { OperatorAlarms } from './operator-alarms.ts';
import { SegmentImport } from './segment-import.ts';
import { ShardedPlan } from './sharded-plan.ts';
import type { StatefulStack } from './stateful-stack.ts';
import { TriggerChecks } from './trigger-checks.ts';

export interface StatelessStackProps extends StackProps {
  readonly stateful: StatefulStack;
  /** The verified SES domain campaign mail is sent from, as `campaign@<emailDomain>`. No default: see lib/deployment-settings.ts. */
  readonly emailDomain: string;
  /** `SMS_SENDER_ID`, where the destination country supports alphanumeric sender IDs. @default - none */
  readonly smsSenderId?: string;
  /** Subscribed (email) to the operator alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /**
   * Reserve `importWorkers` and `sendWorkers` concurrency for the importer and the send
   * worker. Off by default: AWS keeps 100 of an account's concurrency unreserved (a new
   * account's quota of 10 allows no reservation at all), so the account's Lambda
   * concurrent-executions quota must exceed importWorkers + sendWorkers + 100 first.
   * @default false
   */
  readonly reservedConcurrency?: boolean;
  /** Segment files imported at once (see SegmentImportProps.importWorkers). @default 4 */
  readonly importWorkers?: number;
  /** Files of at least this many bytes import through the Distributed Map (see SegmentImportProps). @default 200 MB */
  readonly distributedImportBytes?: number;
  /** Batches the Distributed Map import writes at once. @default 40 */
  readonly distributedImportConcurrency?: number;
  /** Shards the sharded plan runs at once in each pass. @default 100 */
  readonly planShardConcurrency?: number;
  /** Campaigns with at least this many imported customers plan in shards. @default 2,000,000 */
  readonly shardedPlanCustomers?: number;
  /** Send workers running at once (see CampaignDeliveryProps.sendWorkers). @default 8 */
  readonly sendWorkers?: number;
  /**
   * Where customers reach the HTTP API (`PUBLIC_BASE_URL`): the base of the links in
   * messages, e.g. `https://go.yourstore.cn` when a custom domain or CDN fronts the API.
   * An https URL without query or fragment.
   * @default - the HTTP API's own invoke URL
   */
  readonly publicBaseUrl?: string;
  /**
   * The console's URL, where the managed login returns after sign-in and sign-out (a custom
   * domain or CDN in front of the API). @default - `<HttpApiUrl>console`
   */
  readonly consoleUrl?: string;
  /** The managed login's domain prefix (unique in the region). @default - `d11-campaign-<account id>` */
  readonly signInDomainPrefix?: string;
}

/** Code and wiring: everything here can be destroyed and redeployed without losing data. */
export class StatelessStack extends Stack {
  public readonly health: CampaignFunction;
  public readonly alarms: OperatorAlarms;
  public readonly segmentImport: SegmentImport;
  public readonly shardedPlan: ShardedPlan;
  public readonly delivery: CampaignDelivery;
  public readonly httpApi: CampaignHttpApi;
  /** Order-triggered and presale balance reminders: the check function, its schedules' role. */
  public readonly triggerChecks: TriggerChecks;
  /** The base of the links in messages: the `publicBaseUrl` prop, else the HTTP API's URL. */
  public readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful } = props;
    if (props.publicBaseUrl !== undefined && !Token.isUnresolved(props.publicBaseUrl)) {
      checkPublicBaseUrl(props.publicBaseUrl);
    }

    this.alarms = new OperatorAlarms(this, 'OperatorAlarms', {
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    });
    new CfnOutput(this, 'OperatorAlarmsTopicArn', {
      description:
        'The campaign alarms: the alarmEmail setting is subscribed (confirm the e-mail AWS sends); subscribe more operators (email, chat, paging) here',
      value: this.alarms.topic.topicArn,
    });

    this.health = new CampaignFunction(this, 'Health', {
      entry: 'functions/handlers/health.ts',
      serviceName: SERVICE.health,
      description: 'GET /health of the campaign HTTP API',
      memorySize: 128,
      timeout: Duration.seconds(5),
    }).useTable(stateful.customersTable, ENV.customersTable, 'read');

    this.segmentImport = new SegmentImport(this, 'SegmentImport', {
      dataBucket: stateful.dataBucket,
      customersTable: stateful.customersTable,
      importsTable: stateful.importsTable,
      alarms: this.alarms,
      importWorkers: props.importWorkers,
      reserveConcurrency: props.reservedConcurrency,
      distributedImportBytes: props.distributedImportBytes,
      distributedImportConcurrency: props.distributedImportConcurrency,
    });
    this.shardedPlan = new ShardedPlan(this, 'ShardedPlan', {
      dataBucket: stateful.dataBucket,
      customersTable: stateful.customersTable,
      importsTable: stateful.importsTable,
      campaignsTable: stateful.campaignsTable,
      touchesTable: stateful.touchesTable,
      alarms: this.alarms,
      ...(props.planShardConcurrency === undefined ? {} : { maxConcurrency: props.planShardConcurrency }),
      ...(props.shardedPlanCustomers === undefined ? {} : { thresholdCustomers: props.shardedPlanCustomers }),
    });

    this.delivery = new CampaignDelivery(this, 'Delivery', {
      dataBucket: stateful.dataBucket,
      tables: stateful.tables,
      importQueue: this.segmentImport.queue,
      webhookSecret: stateful.webhookSigningSecret,
      linkSecret: stateful.linkSigningSecret,
      alarms: this.alarms,
      sendWorkers: props.sendWorkers,
      reserveConcurrency: props.reservedConcurrency,
      emailDomain: props.emailDomain,
      smsSenderId: props.smsSenderId,
    });
    // The importer, the map's steps, the plan's passes and its finish load the same strict config: the rest of it by name, no grant.
    const { importer, map } = this.segmentImport;
    const { firstPass, reduce, secondPass, finish } = this.shardedPlan;
    for (const fn of [importer, map.batchWriter, map.finisher, firstPass, reduce, secondPass, finish]) {
      fn.useNames(this.delivery.runtimeEnvironment);
    }

    this.httpApi = new CampaignHttpApi(this, 'HttpApi', {
      dataBucket: stateful.dataBucket,
      tables: stateful.tables,
      webhookSecret: stateful.webhookSigningSecret,
      linkSecret: stateful.linkSigningSecret,
      runtimeEnvironment: this.delivery.runtimeEnvironment,
      delivery: this.delivery,
      alarms: this.alarms,
      userPool: stateful.userPool,
      ...(props.consoleUrl ? { consoleUrl: props.consoleUrl } : {}),
      ...(props.signInDomainPrefix ? { signInDomainPrefix: props.signInDomainPrefix } : {}),
    });
    this.triggerChecks = new TriggerChecks(this, 'TriggerChecks', {
      tables: stateful.tables,
      linkSecret: stateful.linkSigningSecret,
      runtimeEnvironment: this.delivery.runtimeEnvironment,
      schedulerDeadLetterQueue: this.delivery.schedulerDeadLetterQueue,
      alarms: this.alarms,
    });
    // The webhook schedules each check an order event starts (and creates the campaign's trigger group).
    this.triggerChecks.allowScheduling(this.httpApi.ordersWebhook);
    // Links are made by the worker and by the test send (the test mail's unsubscribe link is
    // made as the worker makes it). The API's URL names only the API resource, which depends on
    // no function, so even the test-send function behind it may carry it without a cycle.
    this.publicBaseUrl = props.publicBaseUrl ?? this.httpApi.url;
    this.delivery.worker.useNames({ [ENV.publicBaseUrl]: this.publicBaseUrl });
    this.httpApi.testSend.useNames({ [ENV.publicBaseUrl]: this.publicBaseUrl });
    // Planning counts SMS parts with the tracked links' length: it needs their base too.
    this.delivery.planner.useNames({ [ENV.publicBaseUrl]: this.publicBaseUrl });
    this.httpApi.campaignPlanApi.useNames({ [ENV.publicBaseUrl]: this.publicBaseUrl });
    // A campaign of the threshold's customers or more is planned by the sharded plan, not in
    // the plan API's or the plan function's own process.
    this.shardedPlan.allowStarting(this.httpApi.campaignPlanApi);
    this.shardedPlan.allowStarting(this.delivery.planner);
    new CfnOutput(this, 'HttpApiUrl', {
      description:
        'Campaign HTTP API: the store posts order events to <url>webhooks/orders; the campaigns/{id} routes (status, report, PUT, approve, pause, resume, cancel, test-send) need a Cognito token of a signed-in user (Authorization: Bearer), e.g. campaign status ID --api <url> --token <token>; customers follow <url>unsubscribe?t=... from emails',
      value: this.httpApi.url,
    });
  }
}

/** The links' base must be a URL a mail client may one-click (RFC 8058 wants HTTPS). */
function checkPublicBaseUrl(value: string): void {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:' || /[?#]/.test(value)) {
    throw new Error(`publicBaseUrl must be an https URL without query or fragment, not "${value}"`);
  }
}
