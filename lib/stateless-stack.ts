import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CampaignFunction } from './campaign-function.ts';
import { OperatorAlarms } from './operator-alarms.ts';
import { SegmentImport } from './segment-import.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly stateful: StatefulStack;
}

/** Code and wiring: everything here can be destroyed and redeployed without losing data. */
export class StatelessStack extends Stack {
  public readonly health: CampaignFunction;
  public readonly alarms: OperatorAlarms;
  public readonly segmentImport: SegmentImport;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful } = props;

    this.alarms = new OperatorAlarms(this, 'OperatorAlarms');
    new CfnOutput(this, 'OperatorAlarmsTopicArn', {
      description: 'Subscribe operators (email, chat, paging) to this topic to receive the campaign alarms',
      value: this.alarms.topic.topicArn,
    });

    this.health = new CampaignFunction(this, 'Health', {
      entry: 'functions/handlers/health.ts',
      serviceName: 'health',
      description: 'GET /health of the campaign HTTP API',
      memorySize: 128,
      timeout: Duration.seconds(5),
    }).useTable(stateful.customersTable, 'CUSTOMERS_TABLE', 'read');

    this.segmentImport = new SegmentImport(this, 'SegmentImport', {
      dataBucket: stateful.dataBucket,
      customersTable: stateful.customersTable,
      importsTable: stateful.importsTable,
      alarms: this.alarms,
    });
  }
}
