import type { TableName } from '../functions/config.ts';
import type { CampaignTables } from './stateful-stack.ts';

/** The variable each table's name is read from (`tableEnv` in functions/config.ts). */
export const TABLE_ENV: Readonly<Record<TableName, string>> = {
  customers: 'CUSTOMERS_TABLE',
  imports: 'IMPORTS_TABLE',
  campaigns: 'CAMPAIGNS_TABLE',
  touches: 'TOUCHES_TABLE',
};

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
}

/**
 * Every variable `loadConfig()` requires on AWS (it is strict: a missing one
 * fails the cold start), so that any function can load the one config module.
 * Apply it with `CampaignFunction.useNames` after the function's `use*` grants:
 * it sets the remaining variables without granting anything.
 */
export function runtimeEnvironment(config: RuntimeConfig): Record<string, string> {
  return {
    CAMPAIGN_RUNTIME: 'aws',
    ...Object.fromEntries(
      (Object.keys(TABLE_ENV) as TableName[]).map((table) => [TABLE_ENV[table], config.tables[table].tableName]),
    ),
    DATA_BUCKET: config.dataBucketName,
    IMPORT_QUEUE_URL: config.importQueueUrl,
    SEND_QUEUE_URL: config.sendQueueUrl,
    SCHEDULE_TARGET_ARN: config.scheduleTargetArn,
    SCHEDULER_ROLE_ARN: config.schedulerRoleArn,
    SCHEDULER_DLQ_ARN: config.schedulerDeadLetterArn,
    EMAIL_FROM: config.emailFrom,
    SES_CONFIGURATION_SET: config.sesConfigurationSet,
    ...(config.smsSenderId ? { SMS_SENDER_ID: config.smsSenderId } : {}),
    WEBHOOK_SECRET_ARN: config.webhookSecretArn,
  };
}
