import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalHttpServer,
  MAX_PAYLOAD_BYTES,
  startHttpServer,
} from '../../functions/adapters/local/http-server.ts';
import { MAX_WEBHOOK_BYTES, handler as ordersWebhook } from '../../functions/handlers/orders-webhook.ts';
import { localRoutes } from '../../functions/local/routes.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch, to send repeated header lines and read raw bytes back (raw array headers get no Host by default). */
function send(
  url: string,
  method: string,
  path: string,
  options: { headers?: string[]; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: `${target.pathname}${target.search}`,
        headers: ['Host', target.host, ...(options.headers ?? [])],
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const json = (reply: Reply) => JSON.parse(reply.body.toString('utf8')) as Record<string, unknown>;

describe('startHttpServer', () => {
  let server: LocalHttpServer;
  const events: APIGatewayProxyEventV2[] = [];
  const logs: string[] = [];
  let healthy = { dynamodb: true, s3: true, ses: true };

  beforeAll(async () => {
    server = await startHttpServer({
      port: 0,
      health: async () => healthy,
      log: (line) => logs.push(line),
      routes: [
        {
          method: 'POST',
          path: '/campaigns/{id}/report',
          handler: async (event) => {
            events.push(event);
            return {
              statusCode: 202,
              headers: { 'Content-Type': 'application/json', 'X-Campaign': event.pathParameters?.id ?? '' },
              cookies: ['seen=1; Path=/'],
              body: JSON.stringify({ accepted: true }),
            };
          },
        },
        {
          method: 'GET',
          path: '/files/{name}',
          handler: async () => ({
            statusCode: 200,
            headers: { 'content-type': 'application/octet-stream' },
            isBase64Encoded: true,
            body: Buffer.from([0, 1, 2, 255]).toString('base64'),
          }),
        },
        {
          method: 'GET',
          path: '/boom',
          handler: async () => {
            throw new Error('connection to secret-db-host refused');
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('turns a request into an API Gateway HTTP API v2 event', async () => {
    // Prepare
    const body = JSON.stringify({ note: '双十一 report' });
    // Act
    const before = Date.now();
    const reply = await send(server.url, 'POST', '/campaigns/d11-2026/report?format=csv&tag=a&tag=b', {
      headers: [
        'Content-Type',
        'application/json; charset=utf-8',
        'X-Trace-Tag',
        'one',
        'X-Trace-Tag',
        'two',
        'Cookie',
        'session=abc; theme=dark',
        'User-Agent',
        'vitest',
      ],
      body,
    });
    const after = Date.now();
    // Assess
    expect(reply.status).toBe(202);
    const event = events.at(-1)!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /campaigns/{id}/report',
      rawPath: '/campaigns/d11-2026/report',
      rawQueryString: 'format=csv&tag=a&tag=b',
      queryStringParameters: { format: 'csv', tag: 'a,b' },
      pathParameters: { id: 'd11-2026' },
      cookies: ['session=abc', 'theme=dark'],
      body,
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /campaigns/{id}/report',
        stage: '$default',
        http: {
          method: 'POST',
          path: '/campaigns/d11-2026/report',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest',
        },
      },
    });
    expect(event.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(event.headers['x-trace-tag']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Stamped while the request was being served: bracketed by the test's own clock readings.
    expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(event.requestContext.timeEpoch).toBeLessThanOrEqual(after);
  });

  it('base64-encodes a body whose content type is not text', async () => {
    // Prepare
    const bytes = Buffer.from([0xff, 0x00, 0x10, 0x80]);
    // Act
    await send(server.url, 'POST', '/campaigns/x/report', {
      headers: ['Content-Type', 'application/octet-stream'],
      body: bytes,
    });
    // Assess
    const event = events.at(-1)!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  it("maps a handler's 202 result back: status, headers, cookies, body", async () => {
    // Prepare: the report route answers 202.
    // Act
    const reply = await send(server.url, 'POST', '/campaigns/d11-2026/report', {
      headers: ['Content-Type', 'application/json'],
      body: '{}',
    });
    // Assess
    expect(reply.status).toBe(202);
    expect(reply.headers['x-campaign']).toBe('d11-2026');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['set-cookie']).toEqual(['seen=1; Path=/']);
    expect(json(reply)).toEqual({ accepted: true });
  });

  it('decodes a base64 result into bytes', async () => {
    // Prepare: the files route answers base64.
    // Act
    const reply = await send(server.url, 'GET', '/files/logo.bin');
    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('answers 404 for an unknown route and 405 for a wrong method on a known path', async () => {
    // Prepare: no route for /nope, only POST on the report path.
    // Act
    const missing = await send(server.url, 'GET', '/nope');
    const wrongMethod = await send(server.url, 'GET', '/campaigns/d11-2026/report');
    // Assess
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ message: 'Not Found' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });

  it('answers 413 over 10 MB without calling the handler, and accepts exactly 10 MB', async () => {
    // Prepare
    const before = events.length;
    const tooLarge = Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 'a');
    const atLimit = Buffer.alloc(MAX_PAYLOAD_BYTES, 'a');
    // Act
    const rejected = await send(server.url, 'POST', '/campaigns/big/report', {
      headers: ['Content-Type', 'text/plain'],
      body: tooLarge,
    });
    const accepted = await send(server.url, 'POST', '/campaigns/big/report', {
      headers: ['Content-Type', 'text/plain'],
      body: atLimit,
    });
    // Assess
    expect(MAX_PAYLOAD_BYTES).toBe(10 * 1024 * 1024);
    expect(rejected.status).toBe(413);
    expect(accepted.status).toBe(202);
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)?.body).toHaveLength(MAX_PAYLOAD_BYTES);
  });

  it('answers 500 without internals when the handler throws, and logs the error', async () => {
    // Prepare: /boom throws.
    // Act
    const reply = await send(server.url, 'GET', '/boom');
    // Assess
    expect(reply.status).toBe(500);
    expect(json(reply)).toEqual({ message: 'Internal Server Error' });
    expect(reply.body.toString()).not.toContain('secret');
    expect(logs.some((line) => line.includes('secret-db-host'))).toBe(true);
  });

  it('serves GET /health: 200 when every service is up, 503 otherwise', async () => {
    // Prepare
    healthy = { dynamodb: true, s3: true, ses: true };
    // Act
    const up = await send(server.url, 'GET', '/health');
    healthy = { dynamodb: true, s3: false, ses: true };
    const down = await send(server.url, 'GET', '/health');
    // Assess
    expect(up.status).toBe(200);
    expect(json(up)).toEqual({ status: 'ok', services: { dynamodb: true, s3: true, ses: true } });
    expect(down.status).toBe(503);
    expect(json(down)).toEqual({ status: 'unavailable', services: { dynamodb: true, s3: false, ses: true } });
  });

  it('refuses connections once stopped (stop twice is safe)', async () => {
    // Prepare
    const other = await startHttpServer({ port: 0, routes: [], health: async () => ({}) });
    // Act
    await other.stop();
    await other.stop();
    // Assess
    await expect(send(other.url, 'GET', '/health')).rejects.toThrow(/ECONNREFUSED/);
  });
});

/** A connection opened by hand, to send what no well-behaved client would. */
interface RawConnection {
  socket: Socket;
  /** Every byte the server sent, once it closed the connection. */
  closed: Promise<string>;
  /** Resolves with what has arrived once `predicate` holds for it. */
  receivedWhen(predicate: (text: string) => boolean): Promise<string>;
}

function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.off('error', reject);
      // The server may close while a test is still writing: that is the point, not a failure.
      socket.on('error', () => {});
      resolve({
        socket,
        closed,
        receivedWhen: (predicate) =>
          new Promise((done) => {
            const check = () => {
              if (!predicate(received)) return;
              socket.off('data', check);
              done(received);
            };
            socket.on('data', check);
            check();
          }),
      });
    });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('error', reject);
  });
}

/** A generous bound on waiting for an event, so a missing one fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** The first response in raw bytes: status, lower-case headers, body. */
function firstResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response in ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const length = Number(headers['content-length'] ?? 0);
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4, end + 4 + length) };
}

function jsonMessage(response: { headers: Record<string, string>; body: string }): string {
  expect(response.headers['content-type'], 'a JSON answer').toMatch(/^application\/json/);
  const parsed = JSON.parse(response.body) as { message?: unknown };
  expect(typeof parsed.message, `a message in ${response.body}`).toBe('string');
  return parsed.message as string;
}

describe('startHttpServer under abuse', () => {
  let server: LocalHttpServer;
  const calls: string[] = [];
  const LIMITS = { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 1_000 };
  const request = (method: string, path: string, headers: string[] = []) =>
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`;

  beforeAll(async () => {
    server = await startHttpServer({
      port: 0,
      health: async () => ({ dynamodb: true }),
      ...LIMITS,
      routes: [
        {
          method: 'POST',
          path: '/campaigns/{id}/report',
          handler: async (event) => {
            calls.push(`report ${event.body?.length ?? 0}`);
            return { statusCode: 202, body: '{}' };
          },
        },
        {
          method: 'POST',
          path: '/small',
          bodyLimit: { bytes: 1024, message: 'body over 1 KB' },
          handler: async (event) => {
            calls.push(`small ${event.body?.length ?? 0}`);
            return { statusCode: 202, body: '{}' };
          },
        },
        {
          method: 'GET',
          path: '/bad-header',
          handler: async () => ({ statusCode: 200, headers: { 'x-broken': 'a\r\nInjected: yes' }, body: '' }),
        },
      ],
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(() => {
    calls.length = 0;
  });

  it('closes 40 slow connections: silent ones, headers byte by byte, a body byte by byte', async () => {
    // Prepare: 14 connections that send nothing, 13 that dribble a header, 13 that dribble a body.
    const timers: NodeJS.Timeout[] = [];
    const dribble = (connection: RawConnection, first: string) => {
      connection.socket.write(first);
      const timer = setInterval(() => connection.socket.write('a'), 20);
      timers.push(timer);
      connection.socket.once('close', () => clearInterval(timer));
    };
    const silent = await Promise.all(Array.from({ length: 14 }, () => openRaw(server.url)));
    const slowHeaders = await Promise.all(Array.from({ length: 13 }, () => openRaw(server.url)));
    const slowBodies = await Promise.all(Array.from({ length: 13 }, () => openRaw(server.url)));

    // Act
    for (const connection of slowHeaders)
      dribble(connection, `${request('POST', '/campaigns/x/report').slice(0, -2)}X-Slow: `);
    for (const connection of slowBodies) {
      dribble(connection, request('POST', '/campaigns/x/report', ['Content-Length: 1000', 'Content-Type: text/plain']));
    }
    const answers = await within(
      Promise.all([...silent, ...slowHeaders, ...slowBodies].map((connection) => connection.closed)),
      'every slow connection closed by the server',
    );
    for (const timer of timers) clearInterval(timer);

    // Assess
    const silentAnswers = answers.slice(0, 14).map(firstResponse);
    const headerAnswers = answers.slice(14, 27).map(firstResponse);
    const bodyAnswers = answers.slice(27).map(firstResponse);
    for (const answer of [...silentAnswers, ...headerAnswers]) {
      expect(answer.status).toBe(408);
      expect(jsonMessage(answer)).toMatch(/headers incomplete after 200 ms/);
    }
    for (const answer of bodyAnswers) {
      expect(answer.status).toBe(400);
      expect(jsonMessage(answer)).toMatch(
        /shorter than its Content-Length \(\d+ of 1000 bytes\): the rest did not arrive/,
      );
    }
    expect(calls).toEqual([]);
    expect((await send(server.url, 'GET', '/health')).status).toBe(200);
  });

  it('answers 400 when the client stops sending before its Content-Length is reached', async () => {
    // Prepare
    const connection = await openRaw(server.url);
    // Act
    connection.socket.write(`${request('POST', '/campaigns/x/report', ['Content-Length: 100'])}0123456789`);
    const answer = firstResponse(await within(connection.closed, 'the answer and the close'));
    // Assess
    expect(answer.status).toBe(400);
    expect(jsonMessage(answer)).toBe(
      'request body shorter than its Content-Length (10 of 100 bytes): the rest did not arrive within 400 ms',
    );
    expect(calls).toEqual([]);
  });

  it('answers 400 when the client closes its side before its Content-Length is reached', async () => {
    // Prepare
    const connection = await openRaw(server.url);
    // Act: half-close, as `curl` does at the end of its input; the answer can still come back.
    connection.socket.end(`${request('POST', '/campaigns/x/report', ['Content-Length: 100'])}0123456789`);
    const answer = firstResponse(await within(connection.closed, 'the answer and the close'));
    // Assess
    expect(answer.status).toBe(400);
    expect(jsonMessage(answer)).toBe(
      'request body shorter than its Content-Length (10 of 100 bytes): the client closed the connection',
    );
    expect(calls).toEqual([]);
  });

  it('answers 413 to a Content-Length over 10 MB before any of the body is sent', async () => {
    // Prepare
    const connection = await openRaw(server.url);
    // Act: the headers only; the body never follows.
    connection.socket.write(request('POST', '/campaigns/x/report', [`Content-Length: ${MAX_PAYLOAD_BYTES + 1}`]));
    const answer = firstResponse(await within(connection.closed, 'the 413 and the close'));
    // Assess: a 413, not the 400 the request timeout would give an unsent body.
    expect(answer.status).toBe(413);
    expect(jsonMessage(answer)).toBe('Request Entity Too Large');
    expect(answer.headers.connection).toBe('close');
    expect(calls).toEqual([]);
  });

  it("cuts a chunked body off with the route's 413 as soon as it passes the route's limit", async () => {
    // Prepare
    const connection = await openRaw(server.url);
    connection.socket.write(request('POST', '/small', ['Transfer-Encoding: chunked', 'Content-Type: text/plain']));
    // Act: 2,000 bytes in one chunk, and the body is left open (no last chunk).
    connection.socket.write(`7d0\r\n${'x'.repeat(2000)}\r\n`);
    const answer = firstResponse(
      await within(
        connection.receivedWhen((text) => text.includes('\r\n\r\n{')),
        '413',
      ),
    );
    // Assess
    expect(answer.status).toBe(413);
    expect(jsonMessage(answer)).toBe('body over 1 KB');
    await within(connection.closed, 'the server closing the connection');
    expect(calls).toEqual([]);
  });

  it('refuses an over-limit body announced with Expect: 100-continue without inviting it', async () => {
    // Prepare
    const connection = await openRaw(server.url);
    // Act
    connection.socket.write(request('POST', '/small', ['Content-Length: 5000', 'Expect: 100-continue']));
    const raw = await within(connection.closed, 'the answer and the close');
    // Assess
    expect(raw.startsWith('HTTP/1.1 413'), `the first answer: ${raw.slice(0, 40)}`).toBe(true);
    expect(jsonMessage(firstResponse(raw))).toBe('body over 1 KB');
  });

  it('invites a body within the limit after Expect: 100-continue and passes it on', async () => {
    // Prepare
    const connection = await openRaw(server.url);
    connection.socket.write(
      request('POST', '/small', ['Content-Length: 5', 'Content-Type: text/plain', 'Expect: 100-continue']),
    );
    // Act
    await within(
      connection.receivedWhen((text) => text.startsWith('HTTP/1.1 100 Continue')),
      '100 Continue',
    );
    connection.socket.write('hello');
    const raw = await within(
      connection.receivedWhen((text) => text.includes('HTTP/1.1 202')),
      'the handler answer',
    );
    connection.socket.destroy();
    // Assess
    expect(raw).toContain('HTTP/1.1 202');
    expect(calls).toEqual(['small 5']);
  });

  it('closes an idle keep-alive connection after its keep-alive timeout, and says so in Keep-Alive', async () => {
    // Prepare
    const connection = await openRaw(server.url);
    // Act
    connection.socket.write(request('GET', '/health', ['Connection: keep-alive']));
    const raw = await within(connection.closed, 'the idle keep-alive connection closed by the server');
    // Assess
    const answer = firstResponse(raw);
    expect(answer.status).toBe(200);
    expect(answer.headers['keep-alive']).toBe('timeout=1');
  });

  it('answers malformed requests with a JSON 4xx and keeps serving', async () => {
    // Prepare: requests the HTTP parser or the router refuses.
    const malformed: Array<[string, string, number]> = [
      ['not HTTP at all', 'GARBAGE\r\n\r\n', 400],
      ['a NUL in the path', 'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['a bad HTTP version', 'GET / HTTP/7.1\r\nHost: x\r\n\r\n', 400],
      ['a Content-Length that is not a number', 'POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: ab\r\n\r\n', 400],
      [
        'Content-Length with Transfer-Encoding',
        'POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
        400,
      ],
      ['a bad chunk size', 'POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n', 400],
      ['headers over 16 KB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      [
        'bad percent-encoding on a known path',
        'GET /campaigns/%E0%A4%A/report?%zz=%%&a HTTP/1.1\r\nHost: x\r\n\r\n',
        405,
      ],
      ['a handler header no HTTP allows', 'GET /bad-header HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 500],
    ];
    const answers: Array<[string, number, string]> = [];
    // Act
    for (const [name, bytes] of malformed) {
      const connection = await openRaw(server.url);
      connection.socket.write(Buffer.from(bytes, 'latin1'));
      const answer = firstResponse(
        await within(
          connection.receivedWhen((text) => text.includes('\r\n\r\n{')),
          name,
        ),
      );
      connection.socket.destroy();
      answers.push([name, answer.status, jsonMessage(answer)]);
    }
    // Assess
    expect(answers.map(([name, status]) => [name, status])).toEqual(
      malformed.map(([name, , status]) => [name, status]),
    );
    expect(answers.find(([name]) => name === 'a handler header no HTTP allows')?.[2]).toBe('Internal Server Error');
    expect(calls).toEqual([]);
    expect((await send(server.url, 'GET', '/health')).status).toBe(200);
  });

  it('never crashes or hangs on random bytes after a request line', async () => {
    // Prepare: a property over arbitrary bytes.
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const connection = await openRaw(server.url);
        // Act
        connection.socket.end(Buffer.concat([Buffer.from('POST /campaigns/x/report HTTP/1.1\r\n'), bytes]));
        const raw = await within(connection.closed, 'the server closing the connection');
        // Assess: either nothing came back or a complete answer did; never a 5xx.
        if (raw.length > 0) expect(firstResponse(raw).status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    expect((await send(server.url, 'GET', '/health')).status).toBe(200);
  });
});

describe('the local routes', () => {
  it("cuts an order webhook body over 256 KB off with the handler's own 413, before it is sent", async () => {
    // Prepare
    const server = await startHttpServer({ port: 0, routes: localRoutes(), health: async () => ({ ok: true }) });
    const tooLarge = 'x'.repeat(MAX_WEBHOOK_BYTES + 1);
    const handlerAnswer = await ordersWebhook({ body: tooLarge, headers: {} } as unknown as APIGatewayProxyEventV2);
    try {
      const connection = await openRaw(server.url);
      // Act: the headers announce the size; the body never follows.
      connection.socket.write(
        `POST /webhooks/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${tooLarge.length}\r\n\r\n`,
      );
      const answer = firstResponse(await within(connection.closed, 'the 413 and the close'));
      // Assess
      expect(handlerAnswer.statusCode).toBe(413);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual(JSON.parse(handlerAnswer.body ?? ''));
    } finally {
      await server.stop();
    }
  });
});
