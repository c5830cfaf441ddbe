/**
 * Marketer endpoints (IAM auth on AWS): `GET /campaigns/{id}` (the plan, its sends and
 * their state) and `GET /campaigns/{id}/report` (JSON; the HTML page when asked for HTML).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { reportDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { buildReport, UnknownCampaignError } from '../usecases/build-report.ts';
import { renderReportPage } from '../views/report-page.ts';
import { header, internalError, json } from './http.ts';

const observed = observability(SERVICE.campaignApi);
const { logger } = observed;
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

function wantsHtml(event: APIGatewayProxyEventV2): boolean {
  if (event.queryStringParameters?.format === 'html') return true;
  const accept = header(event, 'accept') ?? '';
  return /text\/html/i.test(accept) && !/application\/json/i.test(accept);
}

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
  // Only the reads are served here yet; the changes (PUT, approve, pause, ...) come with the campaign router.
  if (method !== 'GET') return json(405, { message: `${method} ${event.rawPath}: not served here` }, { allow: 'GET' });
  const campaignId = event.pathParameters?.id ?? '';
  if (!CAMPAIGN_ID.test(campaignId)) return json(400, { message: 'id: not a campaign id' });
  try {
    const deps = reportDependencies(loadConfig());
    if (event.rawPath.endsWith('/report')) {
      const { report } = await buildReport(deps, campaignId);
      return wantsHtml(event)
        ? { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: renderReportPage(report) }
        : json(200, report);
    }
    const plan = await deps.campaigns.getPlan(campaignId);
    if (!plan) return json(404, { message: `no campaign ${campaignId}` });
    const sends = await deps.campaigns.getSends(campaignId);
    return json(200, {
      campaignId,
      version: plan.version,
      plannedAt: plan.plannedAt,
      timeline: plan.timeline,
      sends: sends
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1))
        .map(({ id, waveId, channel, group, slice, at, customers, state, dispatchedAt, version }) => ({
          id,
          waveId,
          channel,
          group,
          slice,
          at,
          customers,
          state,
          dispatchedAt,
          version,
        })),
    });
  } catch (error) {
    if (error instanceof UnknownCampaignError) return json(404, { message: error.message });
    logger.error('campaign API failed', { campaignId, error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);

/**
 * The same routes as the entry points of the functions that serve `PUT /campaigns/{id}` and
 * the controls, each under its own service name (the CDK gives each function its own, with
 * only its own permissions). The campaign router keeps these export names.
 */
export const planHandler = observability(SERVICE.campaignPlanApi).handler(handle);
export const controlHandler = observability(SERVICE.campaignControl).handler(handle);
