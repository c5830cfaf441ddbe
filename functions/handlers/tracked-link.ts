/**
 * `GET /l/{token}`, the tracked link in every message (no authorizer on AWS, throttled at
 * the route: the id is the auth). 302 to the wave's mobile or PC link; 404 for an id that is
 * not ours or altered (nothing recorded); a 500 says nothing internal. Never the customer id
 * in a log: the campaign, the wave and whether the click was new are enough to count.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { trackedLinkDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { followLink } from '../usecases/follow-link.ts';

const observed = observability(SERVICE.trackedLink);
const { logger } = observed;

/** The id is in the URL: no cache keeps the answer, no referrer carries the id on to the store. */
const PRIVATE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' };

function text(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', ...PRIVATE }, body };
}

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const outcome = await followLink(trackedLinkDependencies(loadConfig()), event.pathParameters?.token);
    if (outcome.kind === 'not-found') return text(404, '链接无效或已失效 / This link is not valid.\n');
    if (outcome.click === 'recorded') logger.info('click', { campaignId: outcome.campaignId, waveId: outcome.waveId });
    return { statusCode: 302, headers: { location: outcome.to, ...PRIVATE }, body: '' };
  } catch (error) {
    logger.error('tracked link failed', { error });
    return text(500, '服务暂时不可用，请稍后再试 / Please try again later.\n');
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
