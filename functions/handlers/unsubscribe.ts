/**
 * `GET|POST /unsubscribe?t=<token>`, the link in every campaign email (no authorizer on AWS:
 * the sealed token is the auth).
 *
 * - GET: the confirmation page with a button that posts; it changes nothing, because mail
 *   scanners and link previews fetch links on their own.
 * - POST: the RFC 8058 one-click (`List-Unsubscribe=One-Click`, sent by the mail client) or
 *   the page's button: records the email opt-out and answers the done page (200). A second
 *   post is the same 200 and changes nothing.
 * - A token that is missing, altered or not ours: 400 with a page saying so; nothing recorded.
 *   Bad input never gets a 5xx; a 500 says nothing internal.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { unsubscribeDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { MAX_TOKEN_LENGTH } from '../domain/signed-token.ts';
import { observability } from '../observability.ts';
import type { OptOutSource } from '../ports/opt-out-store.ts';
import { checkUnsubscribeLink, InvalidLinkError, unsubscribe } from '../usecases/unsubscribe.ts';
import { renderUnsubscribePage, type UnsubscribePage } from '../views/unsubscribe-page.ts';
import { rawBody } from './http.ts';

const observed = observability(SERVICE.unsubscribe);
const { logger } = observed;

const query = z.object({ t: z.string().min(1).max(MAX_TOKEN_LENGTH) });

/** A form body longer than this is not one of ours or a mail client's; it is ignored, not parsed. */
const MAX_FORM_BYTES = 4096;

const STATUS: Record<UnsubscribePage, number> = { confirm: 200, done: 200, invalid: 400, error: 500 };

function page(which: UnsubscribePage, token?: string, headers: Record<string, string> = {}) {
  return {
    statusCode: STATUS[which],
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // The token is in the URL: no cache keeps it, no referrer carries it, no frame hides the button.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'x-robots-tag': 'noindex, nofollow',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      ...headers,
    },
    body: renderUnsubscribePage(which, token),
  } satisfies APIGatewayProxyStructuredResultV2;
}

/** The mail client's one-click says `List-Unsubscribe=One-Click`; the page's button says `source=page`. */
function sourceOf(event: APIGatewayProxyEventV2): OptOutSource {
  const body = rawBody(event);
  if (Buffer.byteLength(body, 'utf8') > MAX_FORM_BYTES) return 'one-click';
  return new URLSearchParams(body).get('source') === 'page' ? 'page' : 'one-click';
}

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    return { ...page('invalid', undefined, { allow: 'GET, POST' }), statusCode: 405 };
  }
  const parsed = query.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) return page('invalid');
  const token = parsed.data.t;
  try {
    const deps = unsubscribeDependencies(loadConfig());
    if (method === 'GET') {
      await checkUnsubscribeLink(deps, token);
      return page('confirm', token);
    }
    const result = await unsubscribe(deps, token, sourceOf(event));
    // Never the customer id or the address: the campaign and the outcome are enough to count.
    logger.info('email opt-out', { campaignId: result.request.campaignId, outcome: result.outcome });
    return page('done');
  } catch (error) {
    if (error instanceof InvalidLinkError) return page('invalid');
    logger.error('unsubscribe failed', { method, error });
    return page('error');
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
