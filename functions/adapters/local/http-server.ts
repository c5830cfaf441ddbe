/**
 * The local stand-in for the API Gateway HTTP API: a node:http server on 127.0.0.1 that
 * turns each request into a payload-format-2.0 event, calls the route's handler (the same
 * Lambda handler code as on AWS) and maps its result back to the response. It keeps the
 * parts of API Gateway's behaviour a handler can notice: the 10 MB payload limit, the
 * 30 s integration timeout, base64 bodies for binary content types, and bare
 * `{"message": ...}` error bodies that never carry internals.
 *
 * It also stands up to clients that misbehave, as a gateway in front of the handlers would:
 * headers and bodies must arrive within their timeouts (slow or silent connections are
 * closed), a body that stops short of its Content-Length is answered 400 rather than
 * waited for, a body over the limit is answered 413 as soon as the limit is passed (not
 * read to its end), and a request the HTTP parser refuses gets a JSON 4xx, never a crash.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HttpRoute {
  /** An HTTP method in upper case, or `ANY`. */
  method: string;
  /** `/webhooks/orders`, `/campaigns/{id}/report`; a last `{name+}` segment takes the rest of the path. */
  path: string;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /**
   * The handler's own body limit, below the gateway's, and its 413 answer: a longer body is
   * cut off with that answer as soon as it passes the limit, instead of being read whole
   * only for the handler to refuse it.
   */
  bodyLimit?: { bytes: number; message: string };
}

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  routes: HttpRoute[];
  health: () => Promise<Record<string, boolean>>;
  log?: (line: string) => void;
  /** API Gateway's integration timeout (30 s on HTTP APIs). */
  timeoutMs?: number;
  /** From a connection's (or a request's) first byte to the end of its headers; then 408 and closed. */
  headersTimeoutMs?: number;
  /** From a request's first byte to the end of its body; a body still short then is answered 400. */
  requestTimeoutMs?: number;
  /** How long a keep-alive connection may sit idle between requests before it is closed. */
  keepAliveTimeoutMs?: number;
}

export interface LocalHttpServer {
  url: string;
  stop(): Promise<void>;
}

/** API Gateway HTTP API payload quota. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Client-side limits: generous for a real client on 127.0.0.1, short enough that stuck ones go. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
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

/**
 * 24 hex digits as X-Ray writes them, from randomUUID's buffered pool (92 random bits: one
 * digit is the UUID's version), where a randomBytes call a request cost 15 µs under load.
 */
function traceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
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

/** Answers and ends the connection: whatever is left of the request is never read. */
function refuse(response: ServerResponse, statusCode: number, message: string): void {
  sendJson(response, statusCode, { message }, { connection: 'close' });
}

/** A whole response written straight to a connection that has no request to answer on. */
function rawJson(statusCode: number, message: string): Buffer {
  const payload = JSON.stringify({ message });
  return Buffer.from(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(payload)}\r\n` +
      'connection: close\r\n\r\n' +
      payload,
    'utf8',
  );
}

/** Why a body stopped before its end: the request timeout, the client's side closed, or bytes the parser refused. */
type BodyEnd = 'timeout' | 'closed' | 'malformed';

type BodyResult =
  | { kind: 'complete'; body: Buffer }
  | { kind: 'too-large' }
  | { kind: 'incomplete'; end: BodyEnd; received: number; reason?: string }
  /** The connection was torn down under it: nobody is left to answer. */
  | { kind: 'gone' };

type StopReading = (end: BodyEnd, reason?: string) => void;

/**
 * Reads a body up to `limit` bytes. It settles at the body's end, at the first byte over the
 * limit (nothing more is kept), or when the server's client-error handler stops it through
 * `readers`, the one place that learns of a timeout or a half-closed connection.
 */
function readBody(request: IncomingMessage, limit: number, readers: Map<Duplex, StopReading>): Promise<BodyResult> {
  const socket = request.socket;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      if (readers.get(socket) === stop) readers.delete(socket);
      if (result.kind !== 'complete') chunks.length = 0;
      resolve(result);
    };
    const stop: StopReading = (end, reason) =>
      settle({ kind: 'incomplete', end, received: size, ...(reason ? { reason } : {}) });
    readers.set(socket, stop);
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) settle({ kind: 'too-large' });
      else chunks.push(chunk);
    });
    request.on('end', () => settle({ kind: 'complete', body: Buffer.concat(chunks, size) }));
    request.on('error', () => settle({ kind: 'gone' }));
    request.on('close', () => settle({ kind: 'gone' }));
  });
}

function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  // The parser has already refused a Content-Length that is not one decimal number.
  return header === undefined ? undefined : Number(header);
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

type ParserError = Error & { code?: string; reason?: string };

function positiveMs(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive whole number of ms: ${value}`);
  return value;
}

type Target =
  | { kind: 'health' }
  | { kind: 'route'; route: CompiledRoute; params: Record<string, string> }
  | { kind: 'refused'; statusCode: number; message: string; headers: Record<string, string> };

const GATEWAY_LIMIT = { bytes: MAX_PAYLOAD_BYTES, message: 'Request Entity Too Large' };

export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headersTimeoutMs = positiveMs('headersTimeoutMs', options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS);
  const requestTimeoutMs = positiveMs('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const keepAliveTimeoutMs = positiveMs(
    'keepAliveTimeoutMs',
    options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  );
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(`headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`);
  }
  const routes = options.routes.map(compile);
  const keys = new Set<string>();
  for (const route of routes) {
    if (route.routeKey === 'GET /health' || route.routeKey === 'ANY /health') {
      throw new Error(`route ${route.routeKey} clashes with the built-in health check`);
    }
    if (keys.has(route.routeKey)) throw new Error(`duplicate route ${route.routeKey}`);
    keys.add(route.routeKey);
  }

  /** Connections whose request body is being read, and how to stop reading it. */
  const readers = new Map<Duplex, StopReading>();
  /** Connections with a request being answered: a raw error response there would garble the real one. */
  const answering = new Map<Duplex, number>();

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

  function targetOf(method: string, rawPath: string): Target {
    if (rawPath === '/health') {
      return method === 'GET'
        ? { kind: 'health' }
        : { kind: 'refused', statusCode: 405, message: 'Method Not Allowed', headers: { allow: 'GET' } };
    }
    const parts = rawPath.split('/').slice(1);
    const candidates = routes
      .map((route) => ({ route, params: match(route, parts) }))
      .filter((candidate): candidate is { route: CompiledRoute; params: Record<string, string> } =>
        Boolean(candidate.params),
      );
    if (candidates.length === 0) return { kind: 'refused', statusCode: 404, message: 'Not Found', headers: {} };
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
      return { kind: 'refused', statusCode: 405, message: 'Method Not Allowed', headers: { allow } };
    }
    return { kind: 'route', ...chosen };
  }

  function incomplete(result: { end: BodyEnd; received: number; reason?: string }, declared?: number): string {
    if (result.end === 'malformed') return `malformed request body: ${result.reason ?? 'unparseable'}`;
    const what =
      declared === undefined
        ? `request body incomplete (${result.received} bytes)`
        : `request body shorter than its Content-Length (${result.received} of ${declared} bytes)`;
    return result.end === 'timeout'
      ? `${what}: the rest did not arrive within ${requestTimeoutMs} ms`
      : `${what}: the client closed the connection`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const now = Date.now();
    const requestId = randomUUID();
    response.setHeader('apigw-requestid', requestId);
    const method = (request.method ?? 'GET').toUpperCase();
    const { rawPath, rawQueryString } = splitUrl(request.url);
    const target = targetOf(method, rawPath);
    const limit =
      target.kind === 'route' &&
      target.route.route.bodyLimit &&
      target.route.route.bodyLimit.bytes < GATEWAY_LIMIT.bytes
        ? target.route.route.bodyLimit
        : GATEWAY_LIMIT;

    // A declared length over the limit is refused before a byte of the body is read (or sent, after Expect).
    const declared = declaredLength(request);
    if (declared !== undefined && declared > limit.bytes) return refuse(response, 413, limit.message);
    if (expectsContinue) response.writeContinue();
    const read = await readBody(request, limit.bytes, readers);
    if (read.kind === 'gone') return;
    if (read.kind === 'too-large') return refuse(response, 413, limit.message);
    if (read.kind === 'incomplete') return refuse(response, 400, incomplete(read, declared));

    if (target.kind === 'health') return health(response);
    if (target.kind === 'refused')
      return sendJson(response, target.statusCode, { message: target.message }, target.headers);

    const event = buildEvent({
      request,
      routeKey: target.route.routeKey,
      rawPath,
      rawQueryString,
      pathParameters: target.params,
      body: read.body,
      requestId,
      now,
    });
    let mapped: MappedResponse;
    try {
      const result = await withTimeout(
        Promise.resolve().then(() => target.route.route.handler(event)),
        timeoutMs,
      );
      if (result === 'timeout') {
        log(`${target.route.routeKey} (${requestId}) timed out after ${timeoutMs} ms`);
        return sendJson(response, 503, { message: 'Service Unavailable' });
      }
      mapped = mapResult(result);
    } catch (error) {
      log(`${target.route.routeKey} (${requestId}) failed: ${describe(error)}`);
      return sendJson(response, 500, { message: 'Internal Server Error' });
    }
    response.writeHead(mapped.statusCode, { ...mapped.headers, 'content-length': String(mapped.body.length) });
    response.end(mapped.body);
  }

  function onRequest(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): void {
    const socket = request.socket;
    answering.set(socket, (answering.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (answering.get(socket) ?? 1) - 1;
      if (left > 0) answering.set(socket, left);
      else answering.delete(socket);
    });
    handle(request, response, expectsContinue).catch((error: unknown) => {
      log(`request ${request.method} ${request.url} failed: ${describe(error)}`);
      try {
        if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
        else response.destroy();
      } catch {
        response.destroy();
      }
    });
  }

  /**
   * Everything the HTTP parser or Node's timeouts refuse lands here, once per connection: a body
   * being read is stopped (its request answers 400), anything else gets a JSON 4xx written
   * straight to the connection, which then closes.
   */
  function onClientError(error: ParserError, socket: Duplex): void {
    try {
      const end: BodyEnd =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'timeout'
          : error.code === 'HPE_INVALID_EOF_STATE' || error.code === 'ECONNRESET'
            ? 'closed'
            : 'malformed';
      const stop = readers.get(socket);
      if (stop) {
        stop(end, error.reason);
        return;
      }
      if (socket.destroyed) return;
      if (end === 'closed' || !socket.writable || answering.has(socket)) {
        socket.destroy();
        return;
      }
      const [statusCode, message] =
        end === 'timeout'
          ? [408, `request headers incomplete after ${headersTimeoutMs} ms`]
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'request headers too large']
            : [400, `malformed request: ${error.reason ?? 'unparseable'}`];
      socket.end(rawJson(statusCode, message), () => socket.destroy());
      // A client that never reads the answer does not keep the connection either.
      setTimeout(() => socket.destroy(), headersTimeoutMs).unref();
    } catch {
      socket.destroy();
    }
  }

  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      // Node looks for connections past their timeouts on this interval.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
    },
    (request, response) => onRequest(request, response, false),
  );
  // Answered before the client sends the body, so an over-limit upload is refused unsent.
  server.on('checkContinue', (request, response) => onRequest(request, response, true));
  server.on('clientError', onClientError);
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
