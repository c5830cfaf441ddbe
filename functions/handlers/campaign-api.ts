/**
 * The marketer's campaign API (a signed-in Cognito user on AWS; locally the built-in user on
 * 127.0.0.1): a router over the campaign routes, each allowed only to the role it needs
 * (actor.ts). Each route validates its path and body, calls one use
 * case and answers; every refusal maps to its status in one place (http.ts), bad input is
 * always a 4xx naming the field, and a 500 says nothing internal.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { type CampaignApiDeps, campaignApiDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { type CampaignRoute, SERVICE } from '../contract.ts';
import { formatPath } from '../domain/campaign.ts';
import { DEFAULT_LANG, HTML_LANG, type Lang, parseLang, warningTexts } from '../domain/i18n.ts';
import { observability } from '../observability.ts';
import { approveCampaign } from '../usecases/approve-campaign.ts';
import { buildReport } from '../usecases/build-report.ts';
import { controlCampaign } from '../usecases/control-campaign.ts';
import { CampaignError, invalidRequest } from '../usecases/errors.ts';
import { getCampaign } from '../usecases/get-campaign.ts';
import { readLiveProgress } from '../usecases/live-progress.ts';
import { planRequested } from '../usecases/plan-request.ts';
import { renderReportPage } from '../views/report-page.ts';
import { authorize } from './actor.ts';
import { errorResponse, header, internalError, json, rawBody } from './http.ts';
import { planShardSteps } from './plan-shards.ts';

const observed = observability(SERVICE.campaignApi);
const { logger } = observed;
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

interface RouteRequest {
  event: APIGatewayProxyEventV2;
  campaignId: string;
  actor: string;
  deps: CampaignApiDeps;
}
type Route = (request: RouteRequest) => Promise<APIGatewayProxyStructuredResultV2>;

const approveBody = z.strictObject({ version: z.int().min(1) });
const controlBody = z.strictObject({
  waveId: z.string().min(1).max(64).optional(),
  reason: z.string().min(1).max(500).optional(),
});

/** The body as JSON, `{}` when there is none; a body that is not JSON is refused by name. */
function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const text = rawBody(event);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw invalidRequest([{ path: '(body)', message: 'is not valid JSON' }]);
  }
}

function validBody<T>(event: APIGatewayProxyEventV2, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(jsonBody(event));
  if (parsed.success) return parsed.data;
  throw invalidRequest(
    parsed.error.issues.map((issue) => ({
      path: issue.path.length === 0 ? '(body)' : formatPath(issue.path),
      message: issue.code === 'unrecognized_keys' ? `has unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}

/** The page's language from `?lang=`: Chinese when absent; a language the pages do not have is refused by name. */
function pageLang(event: APIGatewayProxyEventV2): Lang {
  const asked = event.queryStringParameters?.lang;
  if (asked === undefined || asked === '') return DEFAULT_LANG;
  const lang = parseLang(asked);
  if (!lang) throw invalidRequest([{ path: 'lang', message: 'must be zh or en' }]);
  return lang;
}

function wantsHtml(event: APIGatewayProxyEventV2): boolean {
  if (event.queryStringParameters?.format === 'html') return true;
  const accept = header(event, 'accept') ?? '';
  return /text\/html/i.test(accept) && !/application\/json/i.test(accept);
}

const control =
  (action: 'pause' | 'resume' | 'cancel'): Route =>
  async ({ event, campaignId, actor, deps }) => {
    const body = validBody(event, controlBody);
    const { lifecycle } = await controlCampaign(deps, { campaignId, action, actor, ...body });
    return json(200, lifecycle);
  };

/** One entry per route of the contract: a route without a use case fails to compile. */
const ROUTES: Record<CampaignRoute, Route> = {
  'PUT /campaigns/{id}': async ({ event, campaignId, actor, deps }) => {
    const campaign = validBody(event, z.record(z.string(), z.unknown(), { error: 'must be a campaign JSON object' }));
    // Without a configured base, the links lead back through the API this request came in by.
    const linkBase = () => deps.linkBase?.() ?? `https://${event.requestContext.domainName}`;
    const outcome = await planRequested({ ...deps, linkBase }, { campaign, campaignId, actor, now: deps.clock.now() });
    if (outcome.kind === 'planning') {
      logger.info('sharded plan started', {
        campaignId,
        version: outcome.version,
        shards: outcome.shards,
        customers: outcome.customers,
        executionArn: outcome.executionArn,
      });
      // Accepted: the run stores the draft version; GET /campaigns/{id} shows it once it has.
      return json(202, {
        version: outcome.version,
        status: 'planning',
        shards: outcome.shards,
        customers: outcome.customers,
      });
    }
    const result = outcome.draft;
    return json(201, {
      version: result.version,
      diff: result.diff ?? null,
      cost: result.cost,
      warnings: result.warnings,
      // The same warnings in Chinese, in the same order, for the marketer's console.
      warningsZh: warningTexts(result.timeline, 'zh'),
    });
  },
  'GET /campaigns/{id}': async ({ campaignId, deps }) => json(200, await getCampaign(deps, campaignId)),
  'POST /campaigns/{id}/approve': async ({ event, campaignId, actor, deps }) => {
    const { version } = validBody(event, approveBody);
    const { lifecycle } = await approveCampaign(deps, { campaignId, version, actor, now: deps.clock.now() });
    return json(200, lifecycle);
  },
  'POST /campaigns/{id}/pause': control('pause'),
  'POST /campaigns/{id}/resume': control('resume'),
  'POST /campaigns/{id}/cancel': control('cancel'),
  'GET /campaigns/{id}/report': async ({ event, campaignId, deps }) => {
    const { report } = await buildReport(deps, campaignId);
    if (!wantsHtml(event)) return json(200, report);
    // Chinese by default; `?lang=en` is the English switch, and each page links to the other.
    const lang = pageLang(event);
    const otherHref = `?format=html&lang=${lang === 'zh' ? 'en' : 'zh'}`;
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-language': HTML_LANG[lang] },
      body: renderReportPage(report, { lang, otherHref }),
    };
  },
  // Polled every few seconds by the console on the night: never cached on the way.
  'GET /campaigns/{id}/live': async ({ campaignId, deps }) =>
    json(200, await readLiveProgress(deps, campaignId), { 'cache-control': 'no-store' }),
};

function isCampaignRoute(routeKey: string): routeKey is CampaignRoute {
  return Object.hasOwn(ROUTES, routeKey);
}

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const routeKey = event.routeKey;
  if (!isCampaignRoute(routeKey)) return json(404, { message: 'Not Found' });
  const campaignId = event.pathParameters?.id ?? '';
  try {
    const config = loadConfig();
    // Who first: a caller without the role learns nothing, not even whether the id is well formed.
    const { actor } = authorize(event, routeKey, config);
    if (!CAMPAIGN_ID.test(campaignId)) {
      throw invalidRequest([{ path: 'id', message: 'is not a campaign id (1-48 letters, digits, - or _)' }]);
    }
    // Locally a sharded plan runs the shard handler's own steps in this process.
    const deps = campaignApiDependencies(config, { localPlanSteps: planShardSteps });
    return await ROUTES[routeKey]({ event, campaignId, actor, deps });
  } catch (error) {
    if (error instanceof CampaignError) return errorResponse(error);
    logger.error('campaign API failed', { routeKey: event.routeKey, campaignId, error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);

/**
 * The same router behind the plan (PUT) and control (approve, pause, resume, cancel) routes,
 * each its own function on AWS so each gets only its own permissions and service name.
 */
export const planHandler = observability(SERVICE.campaignPlanApi).handler(handle);
export const controlHandler = observability(SERVICE.campaignControl).handler(handle);
