/**
 * The marketer's console: the start page (open a campaign by its id), a campaign's page (its
 * status and actions, draft plan, live view, imports, campaign file and report) and the
 * report's page. Server-rendered HTML in Simplified Chinese, or English with `?lang=en`,
 * remembered in a cookie.
 *
 * Each page is two routes: its shell (`GET /`, `GET /console`, `GET /console/campaigns/{id}`,
 * `GET /console/campaigns/{id}/report`), the document a browser's navigation opens, which
 * holds no data and is open, since a navigation cannot carry a bearer token; and its view
 * (`GET /console/view`, `GET /console/campaigns/{id}/view`), the page's body, a marketer route
 * behind the same sign-in as the campaign routes its buttons call, which the shell fetches
 * (signed in, on AWS) and puts in place. Locally the same two steps run, without the sign-in.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { consoleDependencies } from '../composition.ts';
import { type Config, loadConfig } from '../config.ts';
import { type ConsoleShellRoute, type ConsoleViewRoute, SERVICE } from '../contract.ts';
import { withChineseMessages } from '../domain/field-texts.ts';
import { observability } from '../observability.ts';
import { loadConsoleCampaign } from '../usecases/console-campaign.ts';
import { CampaignError } from '../usecases/errors.ts';
import { campaignPageModel } from '../views/console/model.ts';
import { type ConsoleUser, renderCampaignView, renderShell, renderStartView } from '../views/console/page.ts';
import { CONSOLE_SCRIPT } from '../views/console/script.ts';
import { SHELL_SCRIPT } from '../views/console/shell-script.ts';
import { type Lang, langOf } from '../views/console/words.ts';
import { consoleSignInScript, consoleSignInSettings } from '../views/console-sign-in.ts';
import { authorize, type Caller } from './actor.ts';
import { errorResponse, internalError, json } from './http.ts';

const observed = observability(SERVICE.console);
const { logger } = observed;
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
export const LANG_COOKIE = 'console_lang';
const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

/**
 * Inline scripts the shells run before their own: the sign-in on AWS (it signs the marketer in
 * and puts the token on the page's same-origin requests; every request of the console's
 * scripts goes through one `fetch`). None locally: the built-in user needs no sign-in. Each is
 * allowed by its hash in the shell's content security policy.
 */
function pageScripts(config: Config): string[] {
  const settings = consoleSignInSettings(config);
  return settings ? [consoleSignInScript(settings)] : [];
}

/** Where the browser may send requests besides the API: the bucket (uploads) and, on AWS, the sign-in's token endpoint. */
function connectSources(config: Config): string[] {
  if (config.runtime === 'local') return [new URL(config.endpoints.s3).origin];
  const settings = consoleSignInSettings(config);
  return ['https://*.amazonaws.com', ...(settings ? [new URL(settings.signInUrl).origin] : [])];
}

function cookieLang(event: APIGatewayProxyEventV2): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === LANG_COOKIE) return value.join('=');
  }
  return undefined;
}

function langCookie(event: APIGatewayProxyEventV2, lang: Lang): { cookies?: string[] } {
  return event.queryStringParameters?.lang !== undefined
    ? { cookies: [`${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`] }
    : {};
}

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

/** A shell: the document a navigation opens; it holds no data. */
function shellPage(
  event: APIGatewayProxyEventV2,
  config: Config,
  lang: Lang,
  path: string,
): APIGatewayProxyStructuredResultV2 {
  const scripts = pageScripts(config);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...COMMON_HEADERS,
      // The inline scripts are allowed by their hashes; nothing else runs, nothing frames the page.
      'content-security-policy': [
        "default-src 'none'",
        `script-src ${[...scripts, CONSOLE_SCRIPT, SHELL_SCRIPT].map(hashOf).join(' ')}`,
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        `connect-src 'self' ${connectSources(config).join(' ')}`,
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    },
    ...langCookie(event, lang),
    body: renderShell(lang, path, scripts),
  };
}

/** A view: the body of a page, for its shell's signed-in fetch (opened on its own, nothing in it runs). */
function viewPart(event: APIGatewayProxyEventV2, lang: Lang, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...COMMON_HEADERS,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
    ...langCookie(event, lang),
    body,
  };
}

function badCampaignId(): APIGatewayProxyStructuredResultV2 {
  return json(400, {
    error: 'invalid-request',
    message: 'id: is not a campaign id (1-48 letters, digits, - or _)',
    fields: withChineseMessages([{ path: 'id', message: 'is not a campaign id (1-48 letters, digits, - or _)' }]),
  });
}

type Shell = (event: APIGatewayProxyEventV2, config: Config, lang: Lang) => APIGatewayProxyStructuredResultV2;
type View = (
  event: APIGatewayProxyEventV2,
  config: Config,
  lang: Lang,
  caller: Caller,
) => Promise<APIGatewayProxyStructuredResultV2>;

const startShell: Shell = (event, config, lang) => {
  // The start page's form: `/?id=d11-2026` opens that campaign.
  const id = event.queryStringParameters?.id?.trim();
  if (id !== undefined && CAMPAIGN_ID.test(id)) {
    return { statusCode: 303, headers: { location: `/console/campaigns/${encodeURIComponent(id)}` }, body: '' };
  }
  return shellPage(event, config, lang, '/');
};

const campaignShell =
  (suffix: string): Shell =>
  (event, config, lang) => {
    const campaignId = event.pathParameters?.id ?? '';
    if (!CAMPAIGN_ID.test(campaignId)) return badCampaignId();
    return shellPage(event, config, lang, `/console/campaigns/${encodeURIComponent(campaignId)}${suffix}`);
  };

/** The shells: open routes, no data. */
const SHELLS: Record<ConsoleShellRoute, Shell> = {
  'GET /': startShell,
  'GET /console': startShell,
  'GET /console/campaigns/{id}': campaignShell(''),
  'GET /console/campaigns/{id}/report': campaignShell('/report'),
};

/** The header's user: the caller's name and roles; locally the built-in user, who cannot sign out. */
const userOf = (config: Config, caller: Caller): ConsoleUser => ({
  name: caller.actor,
  roles: caller.roles,
  local: config.runtime === 'local',
});

/** The views: marketer routes, each checked for its role. */
const VIEWS: Record<ConsoleViewRoute, View> = {
  'GET /console/view': async (event, config, lang, caller) =>
    viewPart(event, lang, renderStartView(lang, userOf(config, caller))),
  'GET /console/campaigns/{id}/view': async (event, config, lang, caller) => {
    const campaignId = event.pathParameters?.id ?? '';
    if (!CAMPAIGN_ID.test(campaignId)) return badCampaignId();
    const loaded = await loadConsoleCampaign(consoleDependencies(config), campaignId);
    const model = campaignPageModel({ lang, campaignId, ...loaded, roles: caller.roles });
    return viewPart(event, lang, renderCampaignView(model, userOf(config, caller)));
  },
};

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const shell = Object.hasOwn(SHELLS, event.routeKey) ? SHELLS[event.routeKey as ConsoleShellRoute] : undefined;
  const view = Object.hasOwn(VIEWS, event.routeKey) ? VIEWS[event.routeKey as ConsoleViewRoute] : undefined;
  if (!shell && !view) return json(404, { message: 'Not Found' });
  try {
    const config = loadConfig();
    const lang = langOf(event.queryStringParameters?.lang, cookieLang(event));
    if (shell) return shell(event, config, lang);
    const caller = authorize(event, event.routeKey as ConsoleViewRoute, config);
    return await (view as View)(event, config, lang, caller);
  } catch (error) {
    if (error instanceof CampaignError) return errorResponse(error);
    logger.error('console failed', { routeKey: event.routeKey, error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
