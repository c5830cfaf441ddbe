/**
 * The variables the AWS runtime requires, as the CDK sets them, for tests that run a handler
 * as it runs behind the HTTP API (strict config) against the embedded stack's tables.
 */
import { vi } from 'vitest';
import { ENV } from '../../functions/contract.ts';

export interface RuntimeNames {
  tables: { customers: string; imports: string; campaigns: string; touches: string };
  dataBucket: string;
}

export function awsRuntimeEnvironment(names: RuntimeNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [ENV.runtime]: 'aws',
    [ENV.region]: 'ap-northeast-1',
    [ENV.customersTable]: names.tables.customers,
    [ENV.importsTable]: names.tables.imports,
    [ENV.campaignsTable]: names.tables.campaigns,
    [ENV.touchesTable]: names.tables.touches,
    [ENV.dataBucket]: names.dataBucket,
    [ENV.importQueueUrl]: 'https://sqs.ap-northeast-1.amazonaws.com/000000000000/import',
    [ENV.sendQueueUrl]: 'https://sqs.ap-northeast-1.amazonaws.com/000000000000/send',
    [ENV.scheduleTargetArn]: 'arn:aws:lambda:ap-northeast-1:000000000000:function:dispatch',
    [ENV.schedulerRoleArn]: 'arn:aws:iam::000000000000:role/scheduler',
    [ENV.schedulerDeadLetterArn]: 'arn:aws:sqs:ap-northeast-1:000000000000:dlq',
    [ENV.emailFrom]: 'campaign@mail.d11-shop.cn',
    [ENV.sesConfigurationSet]: 'campaign',
    [ENV.webhookSecretArn]: 'arn:aws:secretsmanager:ap-northeast-1:000000000000:secret:webhook',
    [ENV.linkSecretArn]: 'arn:aws:secretsmanager:ap-northeast-1:000000000000:secret:link',
    ...extra,
  };
}

/** Runs `act` with `environment` set, restoring the variables after. */
export async function withEnvironment<T>(environment: Record<string, string>, act: () => Promise<T>): Promise<T> {
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  try {
    return await act();
  } finally {
    vi.unstubAllEnvs();
  }
}
