/**
 * `GET|POST /unsubscribe?t=<token>` through the real handler on the embedded stack (dynalite):
 * GET changes nothing, POST records the opt-out once (also twice at once), bad tokens get a
 * 400 page and record nothing, a fuzzed token never gets a 5xx, pages escape what they print.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor, linkKeys } from '../../functions/composition.ts';
import { loadConfig } from '../../functions/config.ts';
import { sealJson, tokenKeys } from '../../functions/domain/signed-token.ts';
import { UNSUBSCRIBE_PURPOSE, unsubscribeToken } from '../../functions/domain/unsubscribe-link.ts';
import { handler } from '../../functions/handlers/unsubscribe.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { renderUnsubscribePage } from '../../functions/views/unsubscribe-page.ts';

const NOW = Date.parse('2026-10-25T10:00:00+08:00');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock: new VirtualClock(NOW),
    // Shown only when a test fails, with its other output.
    log: (line) => console.error(line),
  });
});

afterAll(async () => {
  await stack.stop();
});

/** A token as the send worker makes it, with the key the handler reads. */
async function tokenFor(customerId: string, campaignId = 'd11-2026'): Promise<string> {
  return unsubscribeToken(await linkKeys(loadConfig(), UNSUBSCRIBE_PURPOSE), { campaignId, customerId });
}

function request(
  method: string,
  query: Record<string, string> | undefined,
  body?: string,
  contentType = 'application/x-www-form-urlencoded',
): APIGatewayProxyEventV2 {
  const rawQueryString = query ? new URLSearchParams(query).toString() : '';
  return {
    version: '2.0',
    routeKey: `${method} /unsubscribe`,
    rawPath: '/unsubscribe',
    rawQueryString,
    headers: body === undefined ? {} : { 'content-type': contentType },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: { http: { method, path: '/unsubscribe' } } as APIGatewayProxyEventV2['requestContext'],
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

async function call(event: APIGatewayProxyEventV2) {
  const response = await handler(event);
  return {
    status: response.statusCode ?? 0,
    headers: (response.headers ?? {}) as Record<string, string>,
    body: String(response.body ?? ''),
  };
}

const ONE_CLICK = 'List-Unsubscribe=One-Click';

async function optOutItems(): Promise<Array<Record<string, unknown>>> {
  const result = await clientsFor(stack.config).dynamodb.send(
    new ScanCommand({ TableName: stack.config.tables.customers }),
  );
  return (result.Items ?? []).map((item) => unmarshall(item)).filter((item) => String(item.sk).startsWith('OPTOUT'));
}

async function optOutOf(customerId: string) {
  return (await optOutItems()).filter((item) => item.pk === `CUSTOMER#${customerId}`);
}

describe('GET /unsubscribe', () => {
  it('shows the confirmation page, Chinese first, with a button that posts the same link, and records nothing', async () => {
    // Prepare
    const token = await tokenFor('G1');

    // Act
    const response = await call(request('GET', { t: token }));

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.body).toContain('<form method="post" action="?t=');
    expect(response.body).toContain(`action="?t=${token}"`);
    const zh = response.body.indexOf('退订营销邮件');
    const en = response.body.indexOf('Unsubscribe from marketing emails');
    expect(zh, 'the Chinese text').toBeGreaterThan(0);
    expect(en, 'English after the Chinese').toBeGreaterThan(zh);
    expect(await optOutOf('G1'), 'a GET (a mail scanner) must record nothing').toEqual([]);
  });
});

describe('POST /unsubscribe', () => {
  it('records the one-click opt-out with channel, time, source and campaign, and answers the done page', async () => {
    // Prepare
    const token = await tokenFor('P1', 'warmup-2026');

    // Act
    const response = await call(request('POST', { t: token }, ONE_CLICK));

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toContain('您已退订');
    expect(response.body).toContain('You are unsubscribed');
    expect(await optOutOf('P1')).toEqual([
      {
        pk: 'CUSTOMER#P1',
        sk: 'OPTOUT#email',
        type: 'opt-out',
        customerId: 'P1',
        channel: 'email',
        campaignId: 'warmup-2026',
        at: expect.any(String),
        source: 'one-click',
      },
    ]);
    const [item] = await optOutOf('P1');
    expect(Date.parse(String(item?.at)), 'the opt-out time is the clock time').toBeGreaterThanOrEqual(NOW);
    expect(Date.parse(String(item?.at))).toBeLessThan(NOW + 60_000);
  });

  it('records the page button as source page', async () => {
    // Prepare
    const token = await tokenFor('P2');

    // Act
    const response = await call(request('POST', { t: token }, 'source=page'));

    // Assess
    expect(response.status).toBe(200);
    expect((await optOutOf('P2')).map((item) => item.source)).toEqual(['page']);
  });

  it('answers a second POST with the same 200 and changes nothing', async () => {
    // Prepare
    const token = await tokenFor('P3');
    await call(request('POST', { t: token }, ONE_CLICK));
    const before = await optOutOf('P3');

    // Act
    const again = await call(request('POST', { t: token }, 'source=page'));

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toContain('您已退订');
    expect(await optOutOf('P3'), 'the first record stays as it was').toEqual(before);
  });

  it('records two POSTs racing each other once', async () => {
    // Prepare
    const token = await tokenFor('P4');

    // Act
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => call(request('POST', { t: token }, ONE_CLICK))),
    );

    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await optOutOf('P4')).toHaveLength(1);
  });
});

describe('bad links', () => {
  it('answers a missing, empty, altered, truncated, foreign or wrong-purpose token with a 400 page and records nothing', async () => {
    // Prepare
    const token = await tokenFor('B1');
    const flip = (text: string, index: number) =>
      text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);
    const config = loadConfig();
    const linkSecret = config.runtime === 'local' ? config.linkSecret : '';
    const queries: Array<Record<string, string> | undefined> = [
      undefined,
      {},
      { t: '' },
      { t: flip(token, 5) },
      { t: flip(token, token.length - 1) },
      { t: token.slice(0, -2) },
      { t: `${token}AA` },
      { t: `${token},${token}` },
      { t: 'not a token <script>alert(1)</script>' },
      { t: 'x'.repeat(5000) },
      // Sealed by someone with another key, and with our key for another purpose.
      {
        t: unsubscribeToken(tokenKeys('someone-elses-secret-0123456789', UNSUBSCRIBE_PURPOSE), {
          campaignId: 'd11-2026',
          customerId: 'B1',
        }),
      },
      { t: sealJson(tokenKeys(linkSecret, 'link'), { v: 1, ch: 'email', c: 'd11-2026', u: 'B1' }) },
      { other: token },
    ];

    // Act
    const responses = [];
    for (const query of queries) {
      for (const method of ['GET', 'POST']) responses.push(await call(request(method, query, ONE_CLICK)));
    }

    // Assess
    expect(responses.map((r) => r.status)).toEqual(queries.flatMap(() => [400, 400]));
    for (const response of responses) {
      expect(response.body).toContain('链接无效');
      expect(response.body).toContain('This link is not valid');
      expect(response.body).not.toContain('<script>alert');
    }
    expect(await optOutOf('B1')).toEqual([]);
  });

  it('never answers a fuzzed token or body with a 5xx, and records nothing', async () => {
    // Prepare
    const before = (await optOutItems()).length;

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.base64String(), fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/)),
        fc.constantFrom('GET', 'POST'),
        fc.string(),
        async (t, method, body) => {
          const response = await call(request(method, { t }, body));
          expect(response.status).toBe(400);
        },
      ),
      { numRuns: 150 },
    );
    expect((await optOutItems()).length).toBe(before);
  });

  it('answers another method with 405', async () => {
    // Act
    const response = await call(request('PUT', { t: await tokenFor('B2') }));

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
    expect(await optOutOf('B2')).toEqual([]);
  });
});

describe('when the store fails', () => {
  it('answers a 500 page that says nothing internal', async () => {
    // Prepare
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = 'no-such-table';
    const token = await tokenFor('F1');

    // Act
    let response: Awaited<ReturnType<typeof call>>;
    try {
      response = await call(request('POST', { t: token }, ONE_CLICK));
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }

    // Assess
    expect(response.status).toBe(500);
    expect(response.body).toContain('暂时无法处理');
    expect(response.body).not.toMatch(/no-such-table|ResourceNotFound|Error|stack/i);
  });
});

describe('the pages', () => {
  it('escape what they print', () => {
    // Act
    const page = renderUnsubscribePage('confirm', '"><script>alert(1)</script>');

    // Assess
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('"><');
  });
});
