import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Browser, BrowserContext, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONSOLE_ROUTES, type ConsoleRoute, ENV } from '../../functions/contract.ts';
import { handler as consoleHandler } from '../../functions/handlers/console.ts';
import { SIGN_IN_STORAGE } from '../../functions/views/console-sign-in.ts';
import { awsRuntimeEnvironment } from '../support/aws-runtime.ts';
import { DESKTOP, launchBrowser, PHONE, saveScreenshot } from '../support/browser.ts';

/**
 * The console's sign-in in chromium, as on AWS: the console's real handler on the AWS runtime
 * serves the shells and views at an https origin, and a fake authorization server plays the
 * Cognito managed login (authorize, then the token endpoint with CORS). Both are answered by
 * the browser's request interception: the sign-in script only accepts https addresses, and
 * interception gives the page a secure context (for crypto.subtle) without certificates. The
 * shell redirects to the authorization endpoint with a PKCE challenge, the code comes back to
 * the console's callback, the script exchanges it with the verifier, puts back the address the
 * sign-in started from, and the shell fetches the page's view with `Authorization: Bearer`.
 */

const CONSOLE = 'https://console.example';
const SIGN_IN_URL = 'https://d11-campaign-000000000000.auth.ap-northeast-1.amazoncognito.com';
const CLIENT_ID = 'consoleclient1';
const CALLBACK = `${CONSOLE}/console`;
const WAIT = { timeout: 60_000 };

/** The AWS runtime's variables, as the CDK sets them for the console function (no table is read here). */
const AWS_ENVIRONMENT = awsRuntimeEnvironment(
  {
    tables: { customers: 'customers', imports: 'imports', campaigns: 'campaigns', touches: 'touches', links: 'links' },
    dataBucket: 'data',
  },
  { [ENV.signInUrl]: SIGN_IN_URL, [ENV.consoleClientId]: CLIENT_ID, [ENV.consoleUrl]: CALLBACK },
);

let browser: Browser;

beforeAll(async () => {
  for (const [name, value] of Object.entries(AWS_ENVIRONMENT)) vi.stubEnv(name, value);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  vi.unstubAllEnvs();
});

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** The route key of a console address (as API Gateway would match it), or undefined. */
function routeOf(path: string): { routeKey: ConsoleRoute; id?: string } | undefined {
  for (const routeKey of CONSOLE_ROUTES) {
    const pattern = new RegExp(`^${routeKey.split(' ')[1]?.replace('{id}', '([^/]+)')}$`);
    const match = pattern.exec(path);
    if (match) return { routeKey, ...(match[1] ? { id: decodeURIComponent(match[1]) } : {}) };
  }
  return undefined;
}

interface FakeAuth {
  authorizations: URLSearchParams[];
  exchanges: URLSearchParams[];
  /** The query of every visit to the managed login's logout endpoint. */
  logouts: URLSearchParams[];
  /** The Authorization header of every view request. */
  viewAuth: Array<{ path: string; authorization: string | undefined }>;
}

/**
 * A browser context whose console origin is the console's handler and whose sign-in origin is
 * a fake authorization server; `groups`: the Cognito groups of the user the token is for.
 */
async function signInContext(groups: string, width: number): Promise<{ context: BrowserContext; auth: FakeAuth }> {
  const context = await browser.newContext({ viewport: { width, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 1 });
  const auth: FakeAuth = { authorizations: [], exchanges: [], logouts: [], viewAuth: [] };
  const issued = new Map<string, string>();

  await context.route(
    (url) => url.origin === CONSOLE,
    async (route: Route, request: Request) => {
      const url = new URL(request.url());
      const matched = routeOf(url.pathname);
      if (!matched) return route.fulfill({ status: 404, body: 'not found' });
      const authorization = (await request.allHeaders()).authorization;
      if (matched.routeKey.endsWith('/view')) auth.viewAuth.push({ path: url.pathname + url.search, authorization });
      // What the JWT authorizer passes on for a token it accepts; none for anything else.
      const token = authorization?.replace(/^Bearer /, '');
      const claims = token && issued.has(token) ? { sub: 'u-1', username: 'mei', 'cognito:groups': groups } : undefined;
      const event = {
        version: '2.0',
        routeKey: matched.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: await request.allHeaders(),
        cookies: ((await request.allHeaders()).cookie ?? '').split(/;\s*/).filter(Boolean),
        queryStringParameters: Object.fromEntries(url.searchParams),
        ...(matched.id === undefined ? {} : { pathParameters: { id: matched.id } }),
        requestContext: {
          http: { method: request.method(), path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9' },
          routeKey: matched.routeKey,
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
        },
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      const response = (await consoleHandler(event, {} as never)) as APIGatewayProxyStructuredResultV2;
      const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k, String(v)]));
      if (response.cookies?.length) headers['set-cookie'] = response.cookies.join('\n');
      return route.fulfill({ status: response.statusCode ?? 200, headers, body: response.body ?? '' });
    },
  );

  await context.route(
    (url) => url.origin === SIGN_IN_URL,
    async (route: Route, request: Request) => {
      const url = new URL(request.url());
      if (url.pathname === '/oauth2/authorize') {
        auth.authorizations.push(url.searchParams);
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.search = new URLSearchParams({
          code: `code-${auth.authorizations.length}`,
          state: url.searchParams.get('state') ?? '',
        }).toString();
        // The managed login's page, signed in already: it sends the browser back with the code (a page, not
        // a 302: the browser's interception does not see where an intercepted redirect leads).
        return route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: `<!doctype html><meta http-equiv="refresh" content="0;url=${back.href.replace(/&/g, '&amp;')}">`,
        });
      }
      if (url.pathname === '/logout') {
        auth.logouts.push(url.searchParams);
        // The managed login ends its session and would send the browser back to logout_uri.
        return route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: '<!doctype html><p>signed out',
        });
      }
      if (url.pathname === '/oauth2/token' && request.method() === 'POST') {
        const form = new URLSearchParams(request.postData() ?? '');
        auth.exchanges.push(form);
        const challenge = auth.authorizations.at(-1)?.get('code_challenge');
        const verified =
          base64url(
            createHash('sha256')
              .update(form.get('code_verifier') ?? '')
              .digest(),
          ) === challenge;
        const cors = { 'access-control-allow-origin': CONSOLE, 'content-type': 'application/json' };
        if (!verified || form.get('code') !== `code-${auth.authorizations.length}`) {
          return route.fulfill({ status: 400, headers: cors, body: JSON.stringify({ error: 'invalid_grant' }) });
        }
        const access = `access-${auth.exchanges.length}`;
        issued.set(access, groups);
        const idToken = [
          base64url('{"alg":"none"}'),
          base64url(JSON.stringify({ 'cognito:username': 'mei', email: 'mei@d11-shop.cn' })),
          'x',
        ].join('.');
        return route.fulfill({
          status: 200,
          headers: cors,
          body: JSON.stringify({
            access_token: access,
            id_token: idToken,
            refresh_token: 'refresh-1',
            expires_in: 3600,
          }),
        });
      }
      return route.fulfill({ status: 404, body: 'not found' });
    },
  );
  return { context, auth };
}

describe('the console signing in on AWS, in chromium', () => {
  it('redirects to the managed login with PKCE, exchanges the code, comes back and fetches the view with the token', async () => {
    // Prepare
    const { context, auth } = await signInContext('[marketer]', DESKTOP);
    const page = await context.newPage();

    // Act
    await page.goto(`${CONSOLE}/`);
    await page.waitForSelector('h1', WAIT);

    // Assess
    expect(await page.textContent('h1')).toBe('打开一个活动');
    expect(page.url(), 'the sign-in puts back the address it started from').toBe(`${CONSOLE}/`);
    expect(auth.authorizations).toHaveLength(1);
    const [authorization] = auth.authorizations;
    expect(Object.fromEntries(authorization ?? [])).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: CALLBACK,
      code_challenge_method: 'S256',
      lang: 'zh-CN',
    });
    expect(auth.exchanges.map((form) => form.get('grant_type'))).toEqual(['authorization_code']);
    expect(auth.viewAuth, 'the view was fetched once, with the token').toEqual([
      { path: '/console/view', authorization: 'Bearer access-1' },
    ]);
    const stored = await page.evaluate((key) => sessionStorage.getItem(key), SIGN_IN_STORAGE.tokens);
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ access: 'access-1', refresh: 'refresh-1' });

    // A reload is signed in already: no second trip to the managed login.
    await page.reload();
    await page.waitForSelector('h1', WAIT);
    expect(auth.authorizations).toHaveLength(1);
    expect(auth.viewAuth.at(-1)).toEqual({ path: '/console/view', authorization: 'Bearer access-1' });
    await saveScreenshot(page, 'console-signed-in-start', DESKTOP);
    await context.close();
  }, 120_000);

  it("comes back to the campaign's address it started from, and says a role refusal (403) in the page's language", async () => {
    // Prepare: a user in no group; the page in English.
    const { context, auth } = await signInContext('[]', PHONE);
    const page = await context.newPage();

    // Act
    await page.goto(`${CONSOLE}/console/campaigns/d11-2026?lang=en`);
    await page.waitForSelector('#console-status.error', WAIT);

    // Assess
    expect(page.url()).toBe(`${CONSOLE}/console/campaigns/d11-2026?lang=en`);
    expect(auth.authorizations[0]?.get('lang'), 'the managed login in the page language').toBe('en');
    expect(auth.viewAuth).toEqual([
      { path: '/console/campaigns/d11-2026/view?lang=en', authorization: 'Bearer access-1' },
    ]);
    expect(await page.textContent('#console-status')).toContain('Your account may not open this page (403)');
    expect(await page.getAttribute('#console-retry', 'href')).toBe(`${CONSOLE}/console/campaigns/d11-2026?lang=en`);
    await saveScreenshot(page, 'console-sign-in-forbidden', PHONE);
    await context.close();
  }, 120_000);

  it('shows who is signed in and their role in the header, and signs out through the managed login', async () => {
    // Prepare: an approver, the page at a phone's width.
    const { context, auth } = await signInContext('[approver marketer]', PHONE);
    const page = await context.newPage();
    await page.goto(`${CONSOLE}/`);
    await page.waitForSelector('#console-user', WAIT);

    // Act
    const header = {
      name: await page.textContent('#console-user-name'),
      email: await page.textContent('#console-user-email'),
      role: await page.textContent('#console-user-role'),
      button: await page.textContent('#sign-out'),
    };
    await saveScreenshot(page, 'console-header-signed-in', PHONE);
    await Promise.all([page.waitForURL((url) => url.origin === SIGN_IN_URL, WAIT), page.click('#sign-out')]);

    // Assess
    expect(header).toEqual({ name: 'mei', email: 'mei@d11-shop.cn', role: '审批人', button: '退出登录' });
    expect(auth.logouts.map((query) => Object.fromEntries(query))).toEqual([
      { client_id: CLIENT_ID, logout_uri: CALLBACK },
    ]);
    // The tokens are gone: the console signs in again instead of using them.
    await page.goto(`${CONSOLE}/`);
    await page.waitForSelector('h1', WAIT);
    expect(auth.authorizations, 'a second trip to the managed login after signing out').toHaveLength(2);
    expect(auth.viewAuth.at(-1)).toEqual({ path: '/console/view', authorization: 'Bearer access-2' });
    await context.close();
  }, 120_000);
});
