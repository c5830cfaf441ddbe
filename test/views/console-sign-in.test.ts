/**
 * The console's sign-in script, the very text the page inlines, run in a fake window: the
 * authorize and logout URLs it builds, PKCE (S256), the redirect's code exchange, and the
 * token on same-origin fetches only.
 */
import { createHash } from 'node:crypto';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/config.ts';
import { consoleSignInScript, consoleSignInSettings, SIGN_IN_STORAGE } from '../../functions/views/console-sign-in.ts';

const SETTINGS = {
  signInUrl: 'https://d11-shop.auth.ap-northeast-1.amazoncognito.com',
  clientId: '4example1client2id3abc',
  redirectUri: 'https://abc123.execute-api.ap-northeast-1.amazonaws.com/console',
};
const CONSOLE = SETTINGS.redirectUri;

interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

/** A page at `href` that has run the script; `answer` is what its fetches get. */
function page(options: {
  href?: string;
  lang?: string;
  storage?: Record<string, unknown>;
  answer?: (request: SentRequest) => Response;
}) {
  const storage = new Map(Object.entries(options.storage ?? {}).map(([key, value]) => [key, JSON.stringify(value)]));
  const sent: SentRequest[] = [];
  const assigned: string[] = [];
  let current = new URL(options.href ?? CONSOLE);
  const location = {
    get href() {
      return current.href;
    },
    get origin() {
      return current.origin;
    },
    get search() {
      return current.search;
    },
    assign: (url: string) => assigned.push(url),
  };
  const nativeFetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const request: SentRequest = {
      url: String(input instanceof Request ? input.url : input),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    sent.push(request);
    return options.answer?.(request) ?? new Response('{}', { status: 200 });
  };
  const context: Record<string, unknown> = {
    location,
    history: { replaceState: (_state: unknown, _title: string, url: string) => (current = new URL(url, current)) },
    document: { documentElement: { lang: options.lang ?? 'zh-CN' } },
    sessionStorage: {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => storage.set(key, String(value)),
      removeItem: (key: string) => storage.delete(key),
    },
    fetch: nativeFetch,
    crypto: globalThis.crypto,
    URL,
    URLSearchParams,
    Headers,
    Request,
    Response,
    TextEncoder,
    btoa,
    atob,
  };
  context.window = context;
  createContext(context);
  runInContext(consoleSignInScript(SETTINGS), context);
  const api = context.consoleSignIn as {
    ready: Promise<boolean>;
    signIn: () => Promise<never>;
    signOut: () => void;
    authorizeUrl: (state: string, challenge: string, lang: string) => string;
    logoutUrl: () => string;
    user: () => { name: string; groups: string[] } | undefined;
  };
  return {
    api,
    fetch: context.fetch as typeof fetch,
    sent,
    assigned,
    stored: (key: string) => JSON.parse(storage.get(key) ?? 'null'),
    location,
  };
}

const base64url = (buffer: Buffer) => buffer.toString('base64url');
const tokenAnswer = (body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
/** A JWT-shaped ID token with these claims (the script only reads it for the page header). */
const idToken = (claims: Record<string, unknown>) =>
  `e30.${base64url(Buffer.from(JSON.stringify(claims)))}.c2lnbmF0dXJl`;
/** Waits (generously, by event, not by time) until the page has navigated `count` times. */
const navigated = (assigned: string[], count = 1) =>
  vi.waitFor(() => expect(assigned).toHaveLength(count), { timeout: 10_000, interval: 5 });

describe('the console sign-in URLs', () => {
  it('authorize with the code flow, the console client, its redirect, S256 PKCE, the state and the language', () => {
    // Prepare
    const { api } = page({});

    // Act
    const url = new URL(api.authorizeUrl('the-state', 'the-challenge', 'zh-CN'));

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(`${SETTINGS.signInUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: SETTINGS.clientId,
      redirect_uri: CONSOLE,
      scope: 'openid email profile',
      state: 'the-state',
      code_challenge: 'the-challenge',
      code_challenge_method: 'S256',
      lang: 'zh-CN',
    });
  });

  it('sign out at the managed login, back to the console', () => {
    // Prepare
    const { api } = page({});

    // Act
    const url = new URL(api.logoutUrl());

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(`${SETTINGS.signInUrl}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: SETTINGS.clientId, logout_uri: CONSOLE });
  });

  it('signing in keeps a fresh verifier and state, and sends its SHA-256 challenge, in English on an English page', async () => {
    // Prepare
    const first = page({ lang: 'en' });
    const second = page({});

    // Act
    void first.api.signIn();
    void second.api.signIn();
    await navigated(first.assigned);
    await navigated(second.assigned);

    // Assess
    const pending = first.stored(SIGN_IN_STORAGE.pending);
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pending.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pending.back).toBe(CONSOLE);
    expect(first.assigned).toHaveLength(1);
    const url = new URL(first.assigned[0] ?? '');
    expect(url.searchParams.get('code_challenge')).toBe(
      base64url(createHash('sha256').update(pending.verifier).digest()),
    );
    expect(url.searchParams.get('state')).toBe(pending.state);
    expect(url.searchParams.get('lang')).toBe('en');
    expect(new URL(second.assigned[0] ?? '').searchParams.get('lang')).toBe('zh-CN');
    expect(second.stored(SIGN_IN_STORAGE.pending).verifier, 'a new verifier per sign-in').not.toBe(pending.verifier);
  });
});

describe('the console sign-in redirect', () => {
  it('exchanges the code with the verifier, keeps the tokens and takes the code out of the address', async () => {
    // Prepare
    const pending = { verifier: 'v'.repeat(43), state: 's'.repeat(43), back: `${CONSOLE}#/campaigns/d11-2026` };
    const id = idToken({ 'cognito:username': 'mei', 'cognito:groups': ['marketer'] });

    // Act
    const { api, sent, stored, location } = page({
      href: `${CONSOLE}?code=the-code&state=${pending.state}`,
      storage: { [SIGN_IN_STORAGE.pending]: pending },
      answer: () => tokenAnswer({ access_token: 'a.b.c', id_token: id, refresh_token: 'r', expires_in: 3600 }),
    });
    const finished = await api.ready;

    // Assess
    expect(finished).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(`${SETTINGS.signInUrl}/oauth2/token`);
    expect(sent[0]?.method).toBe('POST');
    expect(sent[0]?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(sent[0]?.body))).toEqual({
      client_id: SETTINGS.clientId,
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: CONSOLE,
      code_verifier: pending.verifier,
    });
    expect(stored(SIGN_IN_STORAGE.tokens)).toMatchObject({ access: 'a.b.c', id, refresh: 'r' });
    expect(stored(SIGN_IN_STORAGE.pending), 'the verifier is used once').toBeNull();
    expect(location.href).toBe(pending.back);
    expect(api.user()).toEqual({ name: 'mei', groups: ['marketer'] });
  });

  it('refuses a state it did not send, and an error from the managed login, exchanging nothing', async () => {
    // Prepare
    const pending = { verifier: 'v'.repeat(43), state: 's'.repeat(43), back: CONSOLE };

    // Act
    const forged = page({
      href: `${CONSOLE}?code=stolen&state=other`,
      storage: { [SIGN_IN_STORAGE.pending]: pending },
    });
    const refused = page({ href: `${CONSOLE}?error=access_denied&error_description=no`, storage: {} });

    // Assess
    await expect(forged.api.ready).rejects.toThrow(/state does not match/);
    await expect(refused.api.ready).rejects.toThrow(/sign-in refused: access_denied/);
    expect(forged.sent).toEqual([]);
    expect(forged.location.href, 'the code leaves the address anyway').toBe(CONSOLE);
  });
});

describe('fetches of the console', () => {
  const signedIn = (expiresAt: number, answer?: (request: SentRequest) => Response) =>
    page({
      storage: { [SIGN_IN_STORAGE.tokens]: { access: 'access.token.one', refresh: 'refresh-1', expiresAt } },
      ...(answer ? { answer } : {}),
    });

  it('carry the access token to the API (same origin) and never to another origin (a presigned S3 upload)', async () => {
    // Prepare
    const { fetch, sent } = signedIn(Date.now() + 3_600_000);

    // Act
    await fetch('/campaigns/d11-2026', { headers: { accept: 'application/json' } });
    await fetch('https://campaign-data.s3.ap-northeast-1.amazonaws.com/segments/x.csv?X-Amz-Signature=s', {
      method: 'PUT',
    });

    // Assess
    expect(sent.map((r) => [r.url, r.headers.get('authorization')])).toEqual([
      ['/campaigns/d11-2026', 'Bearer access.token.one'],
      ['https://campaign-data.s3.ap-northeast-1.amazonaws.com/segments/x.csv?X-Amz-Signature=s', null],
    ]);
    expect(sent[0]?.headers.get('accept')).toBe('application/json');
  });

  it('renew an access token about to expire with the refresh token first', async () => {
    // Prepare
    const { fetch, sent, stored } = signedIn(Date.now() + 30_000, (request) =>
      request.url.endsWith('/oauth2/token')
        ? tokenAnswer({ access_token: 'access.token.two', expires_in: 3600 })
        : new Response('{}'),
    );

    // Act
    await fetch('/campaigns/d11-2026');

    // Assess
    expect(Object.fromEntries(new URLSearchParams(sent[0]?.body))).toEqual({
      client_id: SETTINGS.clientId,
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
    });
    expect(sent[1]?.headers.get('authorization')).toBe('Bearer access.token.two');
    expect(stored(SIGN_IN_STORAGE.tokens), 'the refresh token is kept').toMatchObject({ refresh: 'refresh-1' });
  });

  it('sign in again when there is no token, or when the API answers 401', async () => {
    // Prepare
    const signedOut = page({});
    const revoked = signedIn(Date.now() + 3_600_000, () => new Response('{"message":"Unauthorized"}', { status: 401 }));

    // Act
    void signedOut.fetch('/campaigns/d11-2026');
    void revoked.fetch('/campaigns/d11-2026');
    await navigated(signedOut.assigned);
    await navigated(revoked.assigned);

    // Assess
    expect(signedOut.sent, 'nothing is sent without a token').toEqual([]);
    expect(signedOut.assigned[0]).toMatch(
      /^https:\/\/d11-shop\.auth\.ap-northeast-1\.amazoncognito\.com\/oauth2\/authorize\?/,
    );
    expect(revoked.stored(SIGN_IN_STORAGE.tokens)).toBeNull();
    expect(revoked.assigned[0]).toMatch(/\/oauth2\/authorize\?/);
  });
});

describe('the console sign-in script', () => {
  it('refuses settings that are not https URLs or a client id, and cannot be closed by what it embeds', () => {
    // Act + Assess
    expect(() => consoleSignInScript({ ...SETTINGS, redirectUri: 'http://127.0.0.1:3000/console' })).toThrow(
      /redirectUri must be an https URL/,
    );
    expect(() => consoleSignInScript({ ...SETTINGS, clientId: 'x"</script>' })).toThrow(/clientId/);
    expect(consoleSignInScript(SETTINGS)).not.toMatch(/<\/script/i);
  });

  it('is for AWS only: its settings come from the console function environment, and none locally', () => {
    // Prepare
    const aws = {
      CAMPAIGN_RUNTIME: 'aws',
      AWS_REGION: 'ap-northeast-1',
      CUSTOMERS_TABLE: 'c',
      IMPORTS_TABLE: 'i',
      CAMPAIGNS_TABLE: 'k',
      TOUCHES_TABLE: 't',
      LINKS_TABLE: 'l',
      DATA_BUCKET: 'd',
      IMPORT_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/0/import',
      SEND_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/0/send',
      SCHEDULE_TARGET_ARN: 'arn:t',
      SCHEDULER_ROLE_ARN: 'arn:r',
      SCHEDULER_DLQ_ARN: 'arn:q',
      EMAIL_FROM: 'campaign@mail.d11-shop.cn',
      SES_CONFIGURATION_SET: 'campaign',
      WEBHOOK_SECRET_ARN: 'arn:w',
      LINK_SECRET_ARN: 'arn:l',
    };

    // Act
    const withSignIn = loadConfig({
      ...aws,
      SIGN_IN_URL: SETTINGS.signInUrl,
      CONSOLE_CLIENT_ID: SETTINGS.clientId,
      CONSOLE_URL: CONSOLE,
    });
    const partial = () => loadConfig({ ...aws, SIGN_IN_URL: SETTINGS.signInUrl });

    // Assess
    expect(consoleSignInSettings(withSignIn)).toEqual(SETTINGS);
    expect(consoleSignInSettings(loadConfig(aws))).toBeUndefined();
    expect(consoleSignInSettings(loadConfig({ CAMPAIGN_RUNTIME: 'local' }))).toBeUndefined();
    expect(partial).toThrow(/CONSOLE_CLIENT_ID/);
    expect(partial).toThrow(/CONSOLE_URL/);
  });
});
