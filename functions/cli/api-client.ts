/**
 * How the `campaign` commands talk to the campaign HTTP API: the local server `npm start`
 * runs (plain http on 127.0.0.1, no sign-in: it binds loopback only and every caller is its
 * built-in user), or a deployed stack, whose marketer routes want a signed-in user: each https
 * request carries the user's Cognito token (`Authorization: Bearer`, from --token or
 * CAMPAIGN_TOKEN). The token is only ever sent to https URLs, never to a plain-http endpoint.
 */
import { UsageError } from './errors.ts';
import type { OptionHelp } from './help.ts';

/** The variable a token may come from instead of --token (keeps it out of the shell history). */
export const TOKEN_ENV = 'CAMPAIGN_TOKEN';

/** The options every API command takes, as parseArgs reads them. */
export const API_OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** How to get a token, for the help and for the refusal of an https call without one. */
export const TOKEN_HINT =
  'aws cognito-idp initiate-auth --auth-flow USER_PASSWORD_AUTH --client-id <CliClientId> ' +
  '--auth-parameters USERNAME=<you>,PASSWORD=<password> (then respond-to-auth-challenge with your MFA code); ' +
  'the AccessToken it answers is the token';
export const TOKEN_HINT_ZH =
  'aws cognito-idp initiate-auth --auth-flow USER_PASSWORD_AUTH --client-id <CliClientId> ' +
  '--auth-parameters USERNAME=<用户名>,PASSWORD=<密码>（再用 respond-to-auth-challenge 提交 MFA 验证码）；' +
  '返回的 AccessToken 就是令牌';

export const API_OPTION_HELP: OptionHelp[] = [
  {
    flag: '--api URL',
    text: "the campaign HTTP API: the local one (npm start), or a deployed stack's\nHttpApiUrl output (https: needs a signed-in user's token, --token)",
    default: 'http://127.0.0.1:3000 (the port in PORT, when set)',
    zh: {
      text: '活动的 HTTP 接口：本地的（npm start），或已部署环境输出的 HttpApiUrl\n（https 需要登录用户的令牌，见 --token）',
      default: 'http://127.0.0.1:3000（设置了 PORT 时用它的端口）',
    },
  },
  {
    flag: '--token T',
    text: `your Cognito token for a deployed API (https only; sent as Authorization: Bearer):\n${TOKEN_HINT}`,
    default: `the ${TOKEN_ENV} variable`,
    zh: {
      text: `已部署接口的 Cognito 令牌（仅 https；以 Authorization: Bearer 发送）：\n${TOKEN_HINT_ZH}`,
      default: `环境变量 ${TOKEN_ENV}`,
    },
  },
  {
    flag: '--json',
    text: "print the API's JSON answer as it is instead of the summary",
    default: 'off',
    zh: { text: '原样打印接口返回的 JSON，不打印摘要', default: '关' },
  },
];

/** The default API: the local server on this machine. */
export function defaultApi(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.PORT || 3000}`;
}

/** The API base as given, checked: an http(s) URL without query or fragment. */
export function apiBase(option: string | undefined, env: NodeJS.ProcessEnv = process.env): URL {
  const text = option ?? defaultApi(env);
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new UsageError(`--api: "${text}" is not an http(s) URL like http://127.0.0.1:3000`, {
      showUsage: true,
      zh: `--api："${text}" 不是 http(s) 地址，例如 http://127.0.0.1:3000`,
    });
  }
  return url;
}

/**
 * The token to send: --token, else CAMPAIGN_TOKEN; none for a plain-http API (the local
 * server needs none, and a token must never travel unencrypted). An https API without one is
 * refused before any request, saying how to get one.
 */
export function bearerToken(base: URL, option: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  if (base.protocol !== 'https:') return undefined;
  const token = (option ?? env[TOKEN_ENV])?.trim().replace(/^Bearer\s+/i, '');
  if (!token) {
    throw new UsageError(
      `--token: ${base.host} wants a signed-in user: give your Cognito token with --token or ${TOKEN_ENV}. To get one: ${TOKEN_HINT}.`,
      {
        zh: `--token：${base.host} 需要登录用户：请用 --token 或 ${TOKEN_ENV} 给出你的 Cognito 令牌。获取方法：${TOKEN_HINT_ZH}。`,
      },
    );
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    throw new UsageError('--token: not a token (a JWT is three base64url parts separated by dots)', {
      zh: '--token：不是令牌（JWT 是以点分隔的三段 base64url）',
    });
  }
  return token;
}

export interface ApiClientOptions {
  base: URL;
  /** The bearer token of https calls (bearerToken()); never sent over plain http. */
  token?: string;
  fetch?: typeof fetch;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The API could not be reached at all (nothing listening, DNS, TLS). */
export class ApiUnreachableError extends Error {
  constructor(
    readonly base: URL,
    cause: unknown,
  ) {
    const code = (cause as { cause?: { code?: string } }).cause?.code;
    super(`cannot reach the campaign API at ${base.origin}: ${(cause as Error).message}${code ? ` (${code})` : ''}`, {
      cause,
    });
    this.name = 'ApiUnreachableError';
  }
}

export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  /** Calls `method path` (path under the API base), JSON in and out; with the token when the base is https. */
  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const { base } = this.options;
    // The base may carry a path (a stage, a custom domain's mapping): the route goes under it.
    const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const { token } = this.options;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token && url.protocol === 'https:' ? { authorization: `Bearer ${token}` } : {}),
    };
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, ...(text === undefined ? {} : { body: text }) });
    } catch (error) {
      throw new ApiUnreachableError(base, error);
    }
    const raw = await response.text();
    let parsed: unknown = raw;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Not JSON (a gateway's own page): kept as text for the error message.
    }
    return { status: response.status, body: parsed };
  }
}
