import { TABLE_ENV, type TableName } from '../functions/config.ts';
import { ENV } from '../functions/contract.ts';
import type { CampaignTables } from './stateful-stack.ts';

/** What `loadConfig()` reads on AWS, as CDK values (names, URLs and ARNs, tokens mostly). */
export interface RuntimeConfig {
  readonly tables: CampaignTables;
  readonly dataBucketName: string;
  readonly importQueueUrl: string;
  readonly sendQueueUrl: string;
  /** What the send schedules invoke: the dispatch function. */
  readonly scheduleTargetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  readonly schedulerRoleArn: string;
  /** Where Scheduler parks invocations that still fail after its retries. */
  readonly schedulerDeadLetterArn: string;
  readonly emailFrom: string;
  readonly sesConfigurationSet: string;
  /** @default - none (China and many other countries support no alphanumeric sender ID) */
  readonly smsSenderId?: string;
  /**
   * The order webhook's signing secret (Secrets Manager). Every function's config names it;
   * only the order webhook function may read its value (`CampaignFunction.useSecret`).
   */
  readonly webhookSecretArn: string;
  /**
   * The link key (Secrets Manager). Every function's config names it; only the send worker
   * and the unsubscribe function may read its value.
   */
  readonly linkSecretArn: string;
}

/**
 * Every variable `loadConfig()` requires on AWS (it is strict: a missing one
 * fails the cold start), so that any function can load the one config module.
 * Apply it with `CampaignFunction.useNames` after the function's `use*` grants:
 * it sets the remaining variables without granting anything.
 */
export function runtimeEnvironment(config: RuntimeConfig): Record<string, string> {
  return {
    [ENV.runtime]: 'aws',
    ...Object.fromEntries(
      (Object.keys(TABLE_ENV) as TableName[]).map((table) => [TABLE_ENV[table], config.tables[table].tableName]),
    ),
    [ENV.dataBucket]: config.dataBucketName,
    [ENV.importQueueUrl]: config.importQueueUrl,
    [ENV.sendQueueUrl]: config.sendQueueUrl,
    [ENV.scheduleTargetArn]: config.scheduleTargetArn,
    [ENV.schedulerRoleArn]: config.schedulerRoleArn,
    [ENV.schedulerDeadLetterArn]: config.schedulerDeadLetterArn,
    [ENV.emailFrom]: config.emailFrom,
    [ENV.sesConfigurationSet]: config.sesConfigurationSet,
    ...(config.smsSenderId ? { [ENV.smsSenderId]: config.smsSenderId } : {}),
    [ENV.webhookSecretArn]: config.webhookSecretArn,
    [ENV.linkSecretArn]: config.linkSecretArn,
  };
}
