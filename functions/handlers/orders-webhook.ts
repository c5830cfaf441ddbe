/**
 * `POST /webhooks/orders`. Checks, in order: size (413), content type (415),
 * signature (401; any one of several v1 values may match), JSON (400), schema, then
 * plausibility (400 with every field error); then one use case: 202 accepted, 200
 * duplicate (the same body under an id seen before), or 409 conflict (another body under
 * it, which changes nothing). Bad input never gets a 5xx and never changes data.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { clockFor, orderDependencies, webhookSecret } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { formatPath } from '../domain/campaign.ts';
import { bodyDigest, implausibleFields, orderEventSchema, verifySignature } from '../domain/orders.ts';
import { observability } from '../observability.ts';
import { type IngestOutcome, ingestOrder } from '../usecases/ingest-order.ts';
import { header, internalError, json, rawBody } from './http.ts';

const observed = observability(SERVICE.ordersWebhook);
const { logger } = observed;
export const MAX_WEBHOOK_BYTES = 256 * 1024;
/** The answer to a longer body; the local server gives the same one when it cuts such a body off. */
export const WEBHOOK_TOO_LARGE = 'body over 256 KB';

/** Every outcome of the use case and its response, in one place. */
const OUTCOME_RESPONSES: Readonly<Record<IngestOutcome, { statusCode: number; status: string }>> = {
  accepted: { statusCode: 202, status: 'accepted' },
  duplicate: { statusCode: 200, status: 'duplicate' },
  conflict: { statusCode: 409, status: 'conflict' },
};

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const body = rawBody(event);
    if (Buffer.byteLength(body, 'utf8') > MAX_WEBHOOK_BYTES) return json(413, { message: WEBHOOK_TOO_LARGE });
    const contentType = header(event, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType))
      return json(415, { message: 'content-type must be application/json' });
    const config = loadConfig();
    const now = clockFor(config).now();
    const check = verifySignature(header(event, 'x-signature'), body, await webhookSecret(config), now);
    if (!check.ok) return json(401, { message: check.reason });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return json(400, { message: 'body is not valid JSON' });
    }
    const result = orderEventSchema.safeParse(parsed);
    const errors = result.success
      ? implausibleFields(result.data, { now, maxAmount: config.maxOrderAmount })
      : result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    if (!result.success || errors.length > 0) return json(400, { message: 'invalid order event', errors });
    const outcome = await ingestOrder(orderDependencies(config), result.data, bodyDigest(body));
    logger.info('order event', { eventId: result.data.eventId, type: result.data.type, outcome });
    const response = OUTCOME_RESPONSES[outcome];
    return json(response.statusCode, { status: response.status });
  } catch (error) {
    logger.error('order webhook failed', { error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
