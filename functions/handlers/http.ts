/**
 * HTTP API responses, in one place: JSON bodies, the status of every refusal of a marketer
 * action, and 500s that say nothing internal.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withChineseMessages } from '../domain/field-texts.ts';
import type { CampaignError, CampaignErrorCode } from '../usecases/errors.ts';

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export const internalError = (): APIGatewayProxyStructuredResultV2 => json(500, { message: 'Internal Server Error' });

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

/** The body exactly as it was sent (the signature covers these bytes). */
export function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** The HTTP status of every refusal: a code without one fails to compile. */
export const ERROR_STATUS: Record<CampaignErrorCode, number> = {
  'unknown-campaign': 404,
  'wrong-state': 409,
  'stale-version': 409,
  'past-window': 409,
  'send-started': 409,
  'plan-conflict': 409,
  'unknown-wave': 400,
  'not-test-recipient': 400,
  'invalid-request': 400,
  unauthenticated: 401,
  forbidden: 403,
};

/**
 * A refusal as its response: `{ error: <code>, message, ...details }`, the details naming
 * what to put right (the state, the current version, the sends, the fields by JSON path).
 * Each field keeps its English `message` and gets its Chinese `messageZh` beside it.
 */
export function errorResponse(error: CampaignError): APIGatewayProxyStructuredResultV2 {
  const { fields, ...details } = error.details;
  return json(ERROR_STATUS[error.code], {
    error: error.code,
    message: error.message,
    ...details,
    ...(fields ? { fields: withChineseMessages(fields) } : {}),
  });
}
