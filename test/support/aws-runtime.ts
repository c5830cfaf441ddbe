/**
 * The variables the AWS runtime requires, as the CDK sets them, for tests that run a handler
 * as it runs behind the HTTP API (strict config) against the embedded stack's tables.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { vi } from 'vitest';
import { TABLE_ENV, TABLES, type TableName } from '../../functions/config.ts';
import { ENV } from '../../functions/contract.ts';

export interface RuntimeNames {
  /** Every table, as the CDK names every one to every function. */
  tables: Readonly<Record<TableName, string>>;
  dataBucket: string;
}

export function awsRuntimeEnvironment(names: RuntimeNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [ENV.runtime]: 'aws',
    [ENV.region]: 'ap-northeast-1',
    ...Object.fromEntries(TABLES.map((table) => [TABLE_ENV[table], names.tables[table]])),
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

/** An API Gateway (HTTP API v2) event of `routeKey` on campaign `id`, with the JWT authorizer's claims when given. */
export function gatewayEvent(
  routeKey: string,
  id: string,
  options: { body?: unknown; claims?: Record<string, string | string[]>; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  const rawPath = path.replace('{id}', id);
  const { body, claims, headers = {} } = options;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      requestId: 'r',
      routeKey,
      stage: '$default',
      time: '20/Oct/2026:04:00:00 +0000',
      timeEpoch: 0,
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(routeKey.includes('{id}') ? { pathParameters: { id } } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}
