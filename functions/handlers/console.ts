/**
 * The marketer's console pages: `GET /` (open a campaign by its id) and
 * `GET /console/campaigns/{id}` (a campaign's status and actions, draft plan, live view,
 * imports, campaign file and report). Server-rendered HTML in Simplified Chinese, or English
 * with `?lang=en`, remembered in a cookie. On AWS it sits behind the same sign-in as the
 * campaign routes its buttons call (the HTTP API's authorizer decides who may open it).
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { consoleDependencies } from '../composition.ts';
import { type Config, loadConfig } from '../config.ts';
import { type ConsoleRoute, SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { loadConsoleCampaign } from '../usecases/console-campaign.ts';
import { CampaignError } from '../usecases/errors.ts';
import { campaignPageModel } from '../views/console/model.ts';
import { renderCampaignPage, renderStartPage } from '../views/console/page.ts';
import { CONSOLE_SCRIPT } from '../views/console/script.ts';
import { type Lang, langOf } from '../views/console/words.ts';
import { authorize, type Caller } from './actor.ts';
import { errorResponse, internalError, json } from './http.ts';

const observed = observability(SERVICE.console);
const { logger } = observed;
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
export const LANG_COOKIE = 'console_lang';
const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

/**
 * Inline scripts the pages run before their own: the seam for the sign-in on AWS (a script
 * that signs the marketer in and puts the token on the page's same-origin requests; every
 * request of the console's script goes through one `fetch`). None locally: the built-in user
 * needs no sign-in. Each is allowed by its hash in the page's content security policy.
 */
function pageScripts(_config: Config): string[] {
  return [];
}

/** Where the browser may send uploads: the bucket's own origin, as the presigned requests name it. */
function storageOrigin(config: Config): string {
  return config.runtime === 'local' ? new URL(config.endpoints.s3).origin : 'https://*.amazonaws.com';
}

function cookieLang(event: APIGatewayProxyEventV2): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === LANG_COOKIE) return value.join('=');
  }
  return undefined;
}

function page(
  body: string,
  config: Config,
  lang: Lang,
  remember: boolean,
  scripts: readonly string[],
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The one inline script is allowed by its hash; nothing else runs, nothing frames the page.
      'content-security-policy': [
        "default-src 'none'",
        `script-src ${[...scripts, CONSOLE_SCRIPT].map(hashOf).join(' ')}`,
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        `connect-src 'self' ${storageOrigin(config)}`,
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    },
    ...(remember ? { cookies: [`${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`] } : {}),
    body,
  };
}

type Route = (
  event: APIGatewayProxyEventV2,
  config: Config,
  lang: Lang,
  caller: Caller,
) => Promise<APIGatewayProxyStructuredResultV2>;

const startPage: Route = async (event, config, lang) => {
  // The start page's form: `/?id=d11-2026` opens that campaign.
  const id = event.queryStringParameters?.id?.trim();
  if (id !== undefined && CAMPAIGN_ID.test(id)) {
    return { statusCode: 303, headers: { location: `/console/campaigns/${encodeURIComponent(id)}` }, body: '' };
  }
  const scripts = pageScripts(config);
  return page(renderStartPage(lang, scripts), config, lang, event.queryStringParameters?.lang !== undefined, scripts);
};

const ROUTES: Record<ConsoleRoute, Route> = {
  'GET /': startPage,
  'GET /console': startPage,
  'GET /console/campaigns/{id}': async (event, config, lang, caller) => {
    const campaignId = event.pathParameters?.id ?? '';
    if (!CAMPAIGN_ID.test(campaignId)) {
      return json(400, {
        error: 'invalid-request',
        message: 'id: is not a campaign id (1-48 letters, digits, - or _)',
        fields: [{ path: 'id', message: 'is not a campaign id (1-48 letters, digits, - or _)' }],
      });
    }
    const loaded = await loadConsoleCampaign(consoleDependencies(config), campaignId);
    const model = campaignPageModel({ lang, campaignId, ...loaded, roles: caller.roles });
    const scripts = pageScripts(config);
    return page(
      renderCampaignPage(model, scripts),
      config,
      lang,
      event.queryStringParameters?.lang !== undefined,
      scripts,
    );
  },
};

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const route = Object.hasOwn(ROUTES, event.routeKey) ? ROUTES[event.routeKey as ConsoleRoute] : undefined;
  if (!route) return json(404, { message: 'Not Found' });
  try {
    const config = loadConfig();
    const caller = authorize(event, event.routeKey as ConsoleRoute, config);
    const lang = langOf(event.queryStringParameters?.lang, cookieLang(event));
    return await route(event, config, lang, caller);
  } catch (error) {
    if (error instanceof CampaignError) return errorResponse(error);
    logger.error('console failed', { routeKey: event.routeKey, error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
