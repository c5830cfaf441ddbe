import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CampaignFunction } from './campaign-function.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly stateful: StatefulStack;
}

/** Code and wiring: everything here can be destroyed and redeployed without losing data. */
export class StatelessStack extends Stack {
  public readonly health: CampaignFunction;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful } = props;

    this.health = new CampaignFunction(this, 'Health', {
      entry: 'functions/handlers/health.ts',
      serviceName: 'health',
      description: 'GET /health of the campaign HTTP API',
      memorySize: 128,
      timeout: Duration.seconds(5),
    }).useTable(stateful.customersTable, 'CUSTOMERS_TABLE', 'read');
  }
}
