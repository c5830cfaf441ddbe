import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';

const observed = observability(SERVICE.health);

// Liveness probe for the HTTP API: it touches no dependency on purpose, so a
// red health check means the function itself cannot start, not that DynamoDB is slow.
async function handle(): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'ok' }),
  };
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
