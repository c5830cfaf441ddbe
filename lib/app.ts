import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface CampaignStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds the campaign stacks and the cdk-nag AwsSolutions checks to `app`.
 * Tests call this on an App of their own, so they can skip bundling.
 */
export function buildApp(app: App, env: Environment = defaultEnvironment()): CampaignStacks {
  const stateful = new StatefulStack(app, 'CampaignStateful', {
    env,
    description: 'Double-11 campaign scheduler: data (customer and campaign files, reports, tables)',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, 'CampaignStateless', {
    env,
    description: 'Double-11 campaign scheduler: functions and wiring',
    stateful,
  });

  // Unacknowledged findings fail synthesis: see each Validations.of(...).acknowledge for the reasons.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless };
}

/**
 * Tokyo has both SNS SMS and SES. Note that the cdk CLI always sets
 * CDK_DEFAULT_REGION (AWS_REGION, AWS_DEFAULT_REGION, the profile, else
 * us-east-1), so under the CLI the fallback here only matters to tests and
 * scripts; set AWS_REGION to choose the region of a synth or deploy.
 */
function defaultEnvironment(): Environment {
  return {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'ap-northeast-1',
  };
}

// Only synthesize when run as the CDK app (cdk.json), not when a test imports this module.
const entryScript = process.argv[1];
if (entryScript && pathToFileURL(realpathSync(entryScript)).href === import.meta.url) {
  const app = new App();
  buildApp(app);
  app.synth();
}
