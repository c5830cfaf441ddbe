import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  type DeploymentSettings,
  DeploymentSettingsError,
  DRY_RUN_DESCRIPTION_PREFIX,
  readDeploymentSettings,
  refuseDeployment,
} from './deployment-settings.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface CampaignStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly settings: DeploymentSettings;
}

/**
 * Adds the campaign stacks and the cdk-nag AwsSolutions checks to `app`, configured by the
 * deployment settings in the app's context (lib/deployment-settings.ts): a missing or
 * placeholder setting throws DeploymentSettingsError before any stack exists.
 * Tests call this on an App of their own, so they can skip bundling.
 */
export function buildApp(app: App, env: Environment = defaultEnvironment()): CampaignStacks {
  const settings = readDeploymentSettings(app);
  const description = (text: string) => (settings.dryRun ? `${DRY_RUN_DESCRIPTION_PREFIX}${text}` : text);
  const stateful = new StatefulStack(app, 'CampaignStateful', {
    env,
    description: description('Double-11 campaign scheduler: data (customer and campaign files, reports, tables)'),
    terminationProtection: true,
    ...(settings.touchesWarmWrites === undefined ? {} : { touchesWarmWrites: settings.touchesWarmWrites }),
  });
  const stateless = new StatelessStack(app, 'CampaignStateless', {
    env,
    description: description('Double-11 campaign scheduler: functions and wiring'),
    stateful,
    emailDomain: settings.emailDomain,
    alarmEmail: settings.alarmEmail,
    publicBaseUrl: settings.publicBaseUrl,
    ...(settings.consoleUrl ? { consoleUrl: settings.consoleUrl } : {}),
    ...(settings.signInDomainPrefix ? { signInDomainPrefix: settings.signInDomainPrefix } : {}),
    ...(settings.smsSenderId ? { smsSenderId: settings.smsSenderId } : {}),
    reservedConcurrency: settings.reservedConcurrency,
    importWorkers: settings.importWorkers,
    sendWorkers: settings.sendWorkers,
    ...(settings.importMapThresholdMb === undefined
      ? {}
      : { distributedImportBytes: settings.importMapThresholdMb * 1024 * 1024 }),
    ...(settings.importMapConcurrency === undefined
      ? {}
      : { distributedImportConcurrency: settings.importMapConcurrency }),
    ...(settings.planShardConcurrency === undefined ? {} : { planShardConcurrency: settings.planShardConcurrency }),
    ...(settings.planShardThreshold === undefined ? {} : { shardedPlanCustomers: settings.planShardThreshold }),
  });
  if (settings.dryRun) {
    refuseDeployment(stateful);
    refuseDeployment(stateless);
  }

  // Unacknowledged findings fail synthesis: see each Validations.of(...).acknowledge for the reasons.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless, settings };
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
  try {
    buildApp(app);
  } catch (error) {
    // The message is the whole story (which setting, how to set it): no stack trace.
    if (!(error instanceof DeploymentSettingsError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  app.synth();
}
