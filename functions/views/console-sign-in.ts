/**
 * The console's sign-in on AWS, as one small inline script for the console page: the OAuth
 * authorization code flow with PKCE against the Cognito managed login (in the page's
 * language: `zh-CN`, or `en` when the page is English), the token exchange, and the
 * `Authorization: Bearer <access token>` the marketer API wants on every same-origin fetch.
 *
 * - Tokens live in sessionStorage: one tab's sign-in, gone when the tab closes; the refresh
 *   token renews the access token (an hour) for up to the client's refresh validity.
 * - Only requests to the page's own origin get the token: a presigned S3 upload URL, or any
 *   other origin, never sees it (S3 would refuse a request with two kinds of auth anyway).
 * - A 401 from the API (expired or revoked) signs in again; a 403 is a role refusal and is
 *   the page's to show.
 * - Locally (`npm start`, 127.0.0.1) the page does not include it: the built-in user needs
 *   no sign-in.
 *
 * The script is plain JavaScript text, not a bundled module, so the page needs no build step;
 * test/views/console-sign-in.test.ts runs this very text with a fake window.
 */

import type { Config } from '../config.ts';

/** What the page needs to know of its sign-in (the CDK gives the console function these). */
export interface ConsoleSignInSettings {
  /** The managed login's base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  signInUrl: string;
  /** The console's app client (public: authorization code with PKCE, no secret). */
  clientId: string;
  /** The console's own URL: where the managed login returns after sign-in and sign-out. */
  redirectUri: string;
}

/** The sessionStorage keys: the tokens, and the PKCE verifier and state of a sign-in under way. */
export const SIGN_IN_STORAGE = { tokens: 'd11-console.tokens', pending: 'd11-console.sign-in' } as const;

/** The OAuth scopes the console asks for: who the user is (the groups come with every token). */
export const CONSOLE_SCOPES = 'openid email profile';

const SCRIPT = `(() => {
  const settings = __SETTINGS__;
  const KEYS = __KEYS__;
  const SCOPES = __SCOPES__;
  const origin = window.location.origin;
  const nativeFetch = window.fetch.bind(window);
  const base64url = (bytes) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challengeOf = async (verifier) =>
    base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const language = () => (/^en/i.test(document.documentElement.lang || '') ? 'en' : 'zh-CN');
  const endpoint = (path) => new URL(path, settings.signInUrl).href;
  const read = (key) => {
    try {
      return JSON.parse(sessionStorage.getItem(key) || 'null');
    } catch {
      return null;
    }
  };

  const authorizeUrl = (state, codeChallenge, lang) =>
    endpoint('/oauth2/authorize') + '?' + new URLSearchParams({
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: settings.redirectUri,
      scope: SCOPES,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      lang,
    });
  const logoutUrl = () =>
    endpoint('/logout') + '?' + new URLSearchParams({ client_id: settings.clientId, logout_uri: settings.redirectUri });

  let redirecting;
  const signIn = () => {
    redirecting ??= (async () => {
      const verifier = randomString();
      const state = randomString();
      sessionStorage.setItem(KEYS.pending, JSON.stringify({ verifier, state, back: window.location.href }));
      window.location.assign(authorizeUrl(state, await challengeOf(verifier), language()));
    })();
    // The page is leaving: whatever waits on this never continues.
    return redirecting.then(() => new Promise(() => {}));
  };

  const exchange = async (form) => {
    const response = await nativeFetch(endpoint('/oauth2/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: settings.clientId, ...form }).toString(),
    });
    if (!response.ok) throw new Error('sign-in token exchange refused: HTTP ' + response.status);
    const answer = await response.json();
    const previous = read(KEYS.tokens) || {};
    const tokens = {
      access: answer.access_token,
      id: answer.id_token || previous.id,
      refresh: answer.refresh_token || previous.refresh,
      expiresAt: Date.now() + Number(answer.expires_in || 3600) * 1000,
    };
    sessionStorage.setItem(KEYS.tokens, JSON.stringify(tokens));
    return tokens;
  };

  /** Finishes a sign-in when the managed login has sent the browser back with ?code=...&state=... */
  const handleRedirect = async () => {
    const params = new URLSearchParams(window.location.search);
    const code = params.get('code');
    const error = params.get('error');
    if (!code && !error) return false;
    const pending = read(KEYS.pending);
    sessionStorage.removeItem(KEYS.pending);
    const back = pending && pending.back && new URL(pending.back, origin).origin === origin ? pending.back : settings.redirectUri;
    window.history.replaceState(null, '', back);
    if (error) throw new Error('sign-in refused: ' + error + ' ' + (params.get('error_description') || ''));
    if (!pending || params.get('state') !== pending.state) throw new Error('sign-in state does not match: start again');
    await exchange({
      grant_type: 'authorization_code',
      code,
      redirect_uri: settings.redirectUri,
      code_verifier: pending.verifier,
    });
    return true;
  };

  /** A valid access token: the stored one, renewed a minute before it expires; none when signed out. */
  const accessToken = async () => {
    const tokens = read(KEYS.tokens);
    if (!tokens || !tokens.access) return undefined;
    if (tokens.expiresAt - 60000 > Date.now()) return tokens.access;
    if (!tokens.refresh) return undefined;
    try {
      return (await exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh })).access;
    } catch {
      sessionStorage.removeItem(KEYS.tokens);
      return undefined;
    }
  };

  const sameOrigin = (input) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, window.location.href);
    return url.origin === origin;
  };

  const ready = handleRedirect();
  // Handled here so a failed redirect is no unhandled rejection; the page awaits \`ready\` to show it.
  ready.catch(() => {});
  /** window.fetch with the token on same-origin requests; signs in when there is none or the API says 401. */
  const authorizedFetch = async (input, init = {}) => {
    if (!sameOrigin(input)) return nativeFetch(input, init);
    await ready.catch(() => {});
    const token = await accessToken();
    if (!token) return signIn();
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    headers.set('authorization', 'Bearer ' + token);
    const response = await nativeFetch(input, { ...init, headers });
    if (response.status === 401) {
      sessionStorage.removeItem(KEYS.tokens);
      return signIn();
    }
    return response;
  };

  const claims = () => {
    const tokens = read(KEYS.tokens);
    const part = tokens && tokens.id && tokens.id.split('.')[1];
    if (!part) return undefined;
    try {
      const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
      return JSON.parse(decodeURIComponent(Array.from(text, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('')));
    } catch {
      return undefined;
    }
  };
  const signOut = () => {
    sessionStorage.removeItem(KEYS.tokens);
    window.location.assign(logoutUrl());
  };

  window.fetch = authorizedFetch;
  window.consoleSignIn = {
    ready,
    signIn,
    signOut,
    accessToken,
    authorizeUrl,
    logoutUrl,
    /** Who is signed in (from the ID token, for the page header only: the API checks the access token). */
    user: () => {
      const c = claims();
      return c
        ? { name: c['cognito:username'] || c.sub, email: c.email || undefined, groups: c['cognito:groups'] || [] }
        : undefined;
    },
  };
})();
`;

/**
 * The console's sign-in settings on AWS (SIGN_IN_URL, CONSOLE_CLIENT_ID, CONSOLE_URL, which
 * the CDK sets from `MarketerSignIn.consoleEnvironment`); undefined locally, where the
 * built-in user needs no sign-in and the page leaves the script out.
 */
export function consoleSignInSettings(config: Config): ConsoleSignInSettings | undefined {
  return config.runtime === 'aws' ? config.consoleSignIn : undefined;
}

/** A value as JavaScript inside a `<script>` element: JSON, with `<` escaped so no text can close the element. */
function scriptValue(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The inline script (the text inside `<script>…</script>`) that signs the console in on AWS
 * and adds the token to its fetches. Put it before the page's own script; `window.consoleSignIn`
 * offers `ready` (a redirect being finished), `user()`, `signIn()` and `signOut()`.
 */
export function consoleSignInScript(settings: ConsoleSignInSettings): string {
  for (const [name, value] of Object.entries(settings)) {
    if (name !== 'clientId' && !/^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value)) {
      throw new Error(`console sign-in: ${name} must be an https URL without query or fragment, not "${value}"`);
    }
  }
  if (!/^[A-Za-z0-9]{1,128}$/.test(settings.clientId)) {
    throw new Error(`console sign-in: clientId "${settings.clientId}" is not a Cognito app client id`);
  }
  return SCRIPT.replace('__SETTINGS__', scriptValue(settings))
    .replace('__KEYS__', scriptValue(SIGN_IN_STORAGE))
    .replace('__SCOPES__', scriptValue(CONSOLE_SCOPES));
}
