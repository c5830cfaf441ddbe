import type { APIGatewayProxyHandlerV2 } from 'aws-lambda';

// Liveness probe for the HTTP API: it touches no dependency on purpose, so a
// red health check means the function itself cannot start, not that DynamoDB is slow.
export const handler: APIGatewayProxyHandlerV2 = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ status: 'ok' }),
});
