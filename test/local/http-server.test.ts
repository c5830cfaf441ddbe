import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalHttpServer,
  MAX_PAYLOAD_BYTES,
  startHttpServer,
} from '../../functions/adapters/local/http-server.ts';

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
