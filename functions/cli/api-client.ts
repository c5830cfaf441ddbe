/**
 * How the `campaign` commands talk to the campaign HTTP API: the local server `npm start`
 * runs (plain http on 127.0.0.1, no signing: it binds loopback only), or a deployed stack,
 * whose marketer routes are IAM-authorised: each https request is signed with the caller's
 * AWS credentials (SigV4 for `execute-api`, the default credential chain: environment,
 * profile, SSO, instance role). Only https URLs are signed, so credentials never go to a
 * plain-http endpoint.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import { UsageError } from './errors.ts';
import type { OptionHelp } from './help.ts';

/** The options every API command takes, as parseArgs reads them. */
export const API_OPTIONS = {
  api: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const API_OPTION_HELP: OptionHelp[] = [
  {
    flag: '--api URL',
    text: "the campaign HTTP API: the local one (npm start), or a deployed stack's\nHttpApiUrl output (https: signed with your AWS credentials, SigV4)",
    default: 'http://127.0.0.1:3000 (the port in PORT, when set)',
  },
  {
    flag: '--region R',
    text: 'the AWS region to sign for (https URLs only)',
    default: 'the region in an execute-api host name, else AWS_REGION',
  },
  { flag: '--json', text: "print the API's JSON answer as it is instead of the summary", default: 'off' },
];

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The default API: the local server on this machine. */
export function defaultApi(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.PORT || 3000}`;
}

/** The API base as given, checked: an http(s) URL without query or fragment. */
export function apiBase(option: string | undefined, env: NodeJS.ProcessEnv = process.env): URL {
  const text = option ?? defaultApi(env);
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new UsageError(`--api: "${text}" is not an http(s) URL like http://127.0.0.1:3000`, { showUsage: true });
  }
  return url;
}

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/**
 * The region to sign for: --region, else the execute-api host's own (a signature for another
 * region is refused there, whatever AWS_REGION says), else AWS_REGION or AWS_DEFAULT_REGION
 * (a custom domain names no region).
 */
export function signingRegion(url: URL, option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = option ?? EXECUTE_API_HOST.exec(url.hostname)?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UsageError(
      `--region: ${url.host} is not an execute-api host name, so give the stack's region (--region or AWS_REGION)`,
    );
  }
  return region;
}

export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  credentials: AwsCredentials;
  region: string;
  /** Fixed in tests; the current time otherwise. */
  date?: Date;
  /** `execute-api` for the campaign API; another name only for the signer's own test vectors. */
  service?: string;
}

/** The request's headers with SigV4's: `authorization`, `x-amz-date` and, with a session, `x-amz-security-token`. */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: input.service ?? 'execute-api',
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
    // The payload hash is in the canonical request already; API Gateway needs no header of it.
    applyChecksum: false,
  });
  const { url } = input;
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const known = query[key];
    query[key] = known === undefined ? value : [...[known].flat(), value];
  }
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      // The signer signs `host`; a fetch sends the same.
      headers: { ...input.headers, host: url.host },
      ...(input.body === undefined ? {} : { body: input.body }),
    },
    input.date ? { signingDate: input.date } : {},
  );
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

export interface ApiClientOptions {
  base: URL;
  region?: string;
  /** The credentials of https calls; the default chain when not given. */
  credentials?: () => Promise<AwsCredentials>;
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
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
  private credentials: (() => Promise<AwsCredentials>) | undefined;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.credentials = options.credentials;
  }

  /** Calls `method path` (path under the API base), JSON in and out; signed when the base is https. */
  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const { base } = this.options;
    // The base may carry a path (a stage, a custom domain's mapping): the route goes under it.
    const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = {
      accept: 'application/json',
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
    };
    if (url.protocol === 'https:') {
      const region = signingRegion(url, this.options.region, this.options.env);
      this.credentials ??= fromNodeProviderChain();
      const credentials = await this.credentials();
      headers = await signRequest({
        method,
        url,
        headers,
        ...(text === undefined ? {} : { body: text }),
        credentials,
        region,
      });
    }
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
