/**
 * `POST /campaigns/{id}/test-send {"waveId": ..., "to": [...]}` (a signed-in marketer on AWS): the wave's
 * real messages to the campaign's own test recipients. 202 with what was sent (and what a
 * provider refused); 400 with the field named for a bad body or an address not in
 * `testRecipients` (then nothing was sent at all); 404 unknown campaign, 400 unknown wave; 409 when the
 * campaign is cancelled or completed. A 500 says nothing internal.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { testSendDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE, TEST_SEND_ROUTE } from '../contract.ts';
import { observability } from '../observability.ts';
import { CampaignError } from '../usecases/errors.ts';
import { MAX_TEST_RECIPIENTS_PER_REQUEST, testSend } from '../usecases/test-send.ts';
import { authorize } from './actor.ts';
import { errorResponse, internalError, json, rawBody } from './http.ts';

const observed = observability(SERVICE.testSend);
const { logger } = observed;

const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
/** Well above a real request (10 addresses); a longer body is refused unread. */
const MAX_BODY_BYTES = 16 * 1024;

const body = z.strictObject({
  waveId: z.string().regex(CAMPAIGN_ID, 'must be a wave id of the campaign'),
  to: z
    .array(z.string().min(1).max(254), { error: 'must be a list of phones and email addresses' })
    .min(1, 'name at least one test recipient')
    .max(MAX_TEST_RECIPIENTS_PER_REQUEST, `at most ${MAX_TEST_RECIPIENTS_PER_REQUEST} recipients per test send`),
  /** Whose text: a playbook group, or `care`; default: the first group of the wave's audience. */
  group: z.string().min(1).max(64).optional(),
});

const refused = (...args: ConstructorParameters<typeof CampaignError>) => errorResponse(new CampaignError(...args));

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const config = loadConfig();
  let actor: string;
  try {
    ({ actor } = authorize(event, TEST_SEND_ROUTE, config));
  } catch (error) {
    if (error instanceof CampaignError) return errorResponse(error);
    throw error;
  }
  const campaignId = event.pathParameters?.id ?? '';
  if (!CAMPAIGN_ID.test(campaignId)) return refused('invalid-request', 'id: not a campaign id');
  const text = rawBody(event);
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    return refused('invalid-request', `body: over ${MAX_BODY_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refused('invalid-request', 'body: not JSON; send {"waveId": "...", "to": ["+86...", "me@..."]}');
  }
  const parsed = body.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path:
        issue.path
          .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
          .join('')
          .slice(1) || '(body)',
      message: issue.message,
    }));
    return refused('invalid-request', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { fields: problems });
  }
  try {
    const result = await testSend(testSendDependencies(config), {
      campaignId,
      waveId: parsed.data.waveId,
      to: parsed.data.to,
      ...(parsed.data.group === undefined ? {} : { group: parsed.data.group }),
      actor,
    });
    // Counts only: the addresses are personal data.
    logger.info('test send', {
      campaignId,
      waveId: parsed.data.waveId,
      version: result.version,
      sent: result.sent.length,
      failed: result.failed.length,
    });
    return json(202, { campaignId, waveId: parsed.data.waveId, ...result });
  } catch (error) {
    if (error instanceof CampaignError) return errorResponse(error);
    logger.error('test send failed', { campaignId, error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
