/**
 * The local stand-in for the API Gateway HTTP API: a node:http server on 127.0.0.1 that
 * turns each request into a payload-format-2.0 event, calls the route's handler (the same
 * Lambda handler code as on AWS) and maps its result back to the response. It keeps the
 * parts of API Gateway's behaviour a handler can notice: the 10 MB payload limit, the
 * 30 s integration timeout, base64 bodies for binary content types, and bare
 * `{"message": ...}` error bodies that never carry internals.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HttpRoute {
  /** An HTTP method in upper case, or `ANY`. */
  method: string;
  /** `/webhooks/orders`, `/campaigns/{id}/report`; a last `{name+}` segment takes the rest of the path. */
  path: string;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
}

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  routes: HttpRoute[];
  health: () => Promise<Record<string, boolean>>;
  log?: (line: string) => void;
  /** API Gateway's integration timeout (30 s on HTTP APIs). */
  timeoutMs?: number;
}

export interface LocalHttpServer {
  url: string;
  stop(): Promise<void>;
}

/** API Gateway HTTP API payload quota. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const HOST = '127.0.0.1';

/** A local server could not bind its port; start.ts turns it into "set <ENV> to another port". */
export class PortInUseError extends Error {
  readonly service: string;
  readonly port: number;
  constructor(service: string, port: number, options?: { cause?: unknown }) {
    super(`port ${port} (${service}) is already in use on ${HOST}`, options);
    this.name = 'PortInUseError';
    this.service = service;
    this.port = port;
  }
}

/** Listens on 127.0.0.1 and resolves the bound port; a busy port rejects with PortInUseError. */
export function listen(server: Server, port: number, service: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(service, port, { cause: error }) : error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });
}

/** Closes a server, ending idle keep-alive sockets at once and busy ones after a grace period. */
export function closeServer(server: Server, graceMs = 2_000): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

type Segment = { literal: string } | { param: string; greedy: boolean };

interface CompiledRoute {
  route: HttpRoute;
  method: string;
  routeKey: string;
  segments: Segment[];
  literals: number;
}

function compile(route: HttpRoute): CompiledRoute {
  if (!route.path.startsWith('/')) throw new Error(`route path must start with "/": ${route.path}`);
  const method = route.method.toUpperCase();
  const segments: Segment[] = route.path
    .split('/')
    .slice(1)
    .map((part, index, parts) => {
      const param = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(part);
      if (!param) return { literal: part };
      const greedy = param[2] === '+';
      if (greedy && index !== parts.length - 1) throw new Error(`greedy parameter must be last: ${route.path}`);
      return { param: param[1]!, greedy };
    });
  return {
    route,
    method,
    routeKey: `${method} ${route.path}`,
    segments,
    literals: segments.filter((segment) => 'literal' in segment).length,
  };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Path parameters if the path fits the route's segments, else undefined. */
function match(route: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, segment] of route.segments.entries()) {
    if ('literal' in segment) {
      if (parts[index] !== segment.literal) return undefined;
      continue;
    }
    if (segment.greedy) {
      const rest = parts.slice(index);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[segment.param] = decode(rest.join('/'));
      return params;
    }
    const part = parts[index];
    if (part === undefined || part === '') return undefined;
    params[segment.param] = decode(part);
  }
  return parts.length === route.segments.length ? params : undefined;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(json|xml|javascript|x-www-form-urlencoded|x-ndjson|yaml|x-yaml|csv|graphql)$/,
  /^application\/[\w.+-]+\+(json|xml)$/,
];

function isTextual(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType !== undefined && TEXT_TYPES.some((pattern) => pattern.test(mediaType));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** requestContext.time as API Gateway writes it: `12/Mar/2020:19:03:58 +0000`. */
function gatewayTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function traceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

interface ParsedRequest {
  rawPath: string;
  rawQueryString: string;
}

function splitUrl(url: string | undefined): ParsedRequest {
  const raw = url ?? '/';
  const question = raw.indexOf('?');
  return question < 0
    ? { rawPath: raw, rawQueryString: '' }
    : { rawPath: raw.slice(0, question), rawQueryString: raw.slice(question + 1) };
}

export function buildEvent(input: {
  request: IncomingMessage;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  pathParameters: Record<string, string>;
  body: Buffer;
  requestId: string;
  now: number;
}): APIGatewayProxyEventV2 {
  const { request, rawPath, rawQueryString, body, now } = input;
  const sourceIp = (request.socket.remoteAddress ?? HOST).replace(/^::ffff:/, '');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (!values) continue;
    if (name === 'cookie') {
      cookies = values.flatMap((value) =>
        value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = values.join(',');
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']},${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??= traceId(now);

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      const previous = queryStringParameters[key];
      queryStringParameters[key] = previous === undefined ? value : `${previous},${value}`;
    }
  }

  const domainName = headers.host ?? `${HOST}:${request.socket.localPort}`;
  const textual = isTextual(headers['content-type']);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: gatewayTime(new Date(now)),
      timeEpoch: now,
    },
    ...(Object.keys(input.pathParameters).length > 0 ? { pathParameters: input.pathParameters } : {}),
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
  return event;
}

interface MappedResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Maps a handler result back the way API Gateway does, including a bare (non-structured) result. */
export function mapResult(result: unknown): MappedResponse {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : undefined;
  if (!structured) {
    // Format 2.0 infers a 200 JSON response from a result without statusCode.
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
  }
  const statusCode = structured.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new Error(`handler returned an invalid statusCode: ${String(statusCode)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  return { statusCode, headers, body };
}

function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  response.writeHead(statusCode, {
    ...extraHeaders,
    'content-type': 'application/json',
    'content-length': String(payload.length),
  });
  response.end(payload);
}

/** Reads the body, or reports that it is over the limit (after draining it, so the client sees the 413). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(request.headers['content-length'] ?? 0) > limit;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const routes = options.routes.map(compile);
  const keys = new Set<string>();
  for (const route of routes) {
    if (route.routeKey === 'GET /health' || route.routeKey === 'ANY /health') {
      throw new Error(`route ${route.routeKey} clashes with the built-in health check`);
    }
    if (keys.has(route.routeKey)) throw new Error(`duplicate route ${route.routeKey}`);
    keys.add(route.routeKey);
  }

  async function health(response: ServerResponse): Promise<void> {
    let services: Record<string, boolean> = {};
    try {
      services = await options.health();
    } catch (error) {
      log(`health check failed: ${describe(error)}`);
    }
    const values = Object.values(services);
    const ok = values.length > 0 && values.every(Boolean);
    sendJson(response, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', services });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const now = Date.now();
    const requestId = randomUUID();
    response.setHeader('apigw-requestid', requestId);
    const method = (request.method ?? 'GET').toUpperCase();
    const { rawPath, rawQueryString } = splitUrl(request.url);

    const body = await readBody(request, MAX_PAYLOAD_BYTES);
    if (body === 'too-large') return sendJson(response, 413, { message: 'Request Entity Too Large' });

    if (rawPath === '/health') {
      return method === 'GET'
        ? health(response)
        : sendJson(response, 405, { message: 'Method Not Allowed' }, { allow: 'GET' });
    }

    const parts = rawPath.split('/').slice(1);
    const candidates = routes
      .map((route) => ({ route, params: match(route, parts) }))
      .filter((candidate): candidate is { route: CompiledRoute; params: Record<string, string> } =>
        Boolean(candidate.params),
      );
    if (candidates.length === 0) return sendJson(response, 404, { message: 'Not Found' });
    const allowed = candidates
      .filter(({ route }) => route.method === method || route.method === 'ANY')
      // The most specific route wins, as on API Gateway: more literal segments, then the exact method.
      .sort(
        (a, b) =>
          b.route.literals - a.route.literals || Number(b.route.method !== 'ANY') - Number(a.route.method !== 'ANY'),
      );
    const chosen = allowed[0];
    if (!chosen) {
      const allow = [...new Set(candidates.map(({ route }) => route.method))].join(', ');
      return sendJson(response, 405, { message: 'Method Not Allowed' }, { allow });
    }

    const event = buildEvent({
      request,
      routeKey: chosen.route.routeKey,
      rawPath,
      rawQueryString,
      pathParameters: chosen.params,
      body,
      requestId,
      now,
    });
    let mapped: MappedResponse;
    try {
      const result = await withTimeout(
        Promise.resolve().then(() => chosen.route.route.handler(event)),
        timeoutMs,
      );
      if (result === 'timeout') {
        log(`${chosen.route.routeKey} (${requestId}) timed out after ${timeoutMs} ms`);
        return sendJson(response, 503, { message: 'Service Unavailable' });
      }
      mapped = mapResult(result);
    } catch (error) {
      log(`${chosen.route.routeKey} (${requestId}) failed: ${describe(error)}`);
      return sendJson(response, 500, { message: 'Internal Server Error' });
    }
    response.writeHead(mapped.statusCode, { ...mapped.headers, 'content-length': String(mapped.body.length) });
    response.end(mapped.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`request ${request.method} ${request.url} failed: ${describe(error)}`);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });
  // The gateway's own limits, not Node's defaults, decide what is rejected.
  server.requestTimeout = 0;
  const port = await listen(server, options.port, 'http');

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    stop: () => {
      stopping ??= closeServer(server);
      return stopping;
    },
  };
}
