import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV, SERVICE } from '../functions/contract.ts';
import { CampaignDelivery } from './campaign-delivery.ts';
import { CampaignFunction } from './campaign-function.ts';
import { CampaignHttpApi } from './http-api.ts';
import { OperatorAlarms } from './operator-alarms.ts';
import { SegmentImport } from './segment-import.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly stateful: StatefulStack;
  /** The verified SES domain campaign mail is sent from, as `campaign@<emailDomain>`. No default: see lib/deployment-settings.ts. */
  readonly emailDomain: string;
  /** `SMS_SENDER_ID`, where the destination country supports alphanumeric sender IDs. @default - none */
  readonly smsSenderId?: string;
  /** Subscribed (email) to the operator alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /**
   * The public HTTPS prefix of the unsubscribe and tracked links in messages.
   * Not wired to the functions yet: the change that builds the links from it passes it on.
   * @default - none
   */
  readonly publicBaseUrl?: string;
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
  /** Send workers running at once (see CampaignDeliveryProps.sendWorkers). @default 8 */
  readonly sendWorkers?: number;
}

/** Code and wiring: everything here can be destroyed and redeployed without losing data. */
export class StatelessStack extends Stack {
  public readonly health: CampaignFunction;
  public readonly alarms: OperatorAlarms;
  public readonly segmentImport: SegmentImport;
  public readonly delivery: CampaignDelivery;
  public readonly httpApi: CampaignHttpApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful } = props;

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
    });

    this.delivery = new CampaignDelivery(this, 'Delivery', {
      dataBucket: stateful.dataBucket,
      tables: stateful.tables,
      importQueue: this.segmentImport.queue,
      webhookSecret: stateful.webhookSigningSecret,
      alarms: this.alarms,
      sendWorkers: props.sendWorkers,
      reserveConcurrency: props.reservedConcurrency,
      emailDomain: props.emailDomain,
      smsSenderId: props.smsSenderId,
    });
    // The importer loads the same strict config: the rest of it by name, no grant.
    this.segmentImport.importer.useNames(this.delivery.runtimeEnvironment);

    this.httpApi = new CampaignHttpApi(this, 'HttpApi', {
      tables: stateful.tables,
      webhookSecret: stateful.webhookSigningSecret,
      runtimeEnvironment: this.delivery.runtimeEnvironment,
      alarms: this.alarms,
    });
    new CfnOutput(this, 'HttpApiUrl', {
      description:
        'Campaign HTTP API: the store posts order events to <url>webhooks/orders; GET campaigns/{id} and campaigns/{id}/report need IAM (SigV4) signing',
      value: this.httpApi.url,
    });
  }
}
