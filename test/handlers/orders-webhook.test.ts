/**
 * `POST /webhooks/orders` through the real handler on the embedded stack: every
 * response code, replays, duplicates and conflicting bodies (also concurrent), a crash
 * between two writes, signatures with several v1 values (also as two headers through the
 * local HTTP server), the plausibility rules, and fuzzed bodies that must never get a 5xx
 * or change data.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor, orderDependencies } from '../../functions/composition.ts';
import { ENV } from '../../functions/contract.ts';
import { bodyDigest, signBody } from '../../functions/domain/orders.ts';
import { handler } from '../../functions/handlers/orders-webhook.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { ingestOrder } from '../../functions/usecases/ingest-order.ts';

const NOW = Date.parse('2026-11-11T00:10:00+08:00');
const SECRET = 'test-signing-secret-0123456789';
/** The key a store signs with beside the current one while it rotates. */
const OLD_SECRET = 'old-signing-secret-9876543210';
let stack: LocalStack;

beforeAll(async () => {
  process.env.WEBHOOK_SECRET = SECRET;
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    log: (line) => console.error(line),
    clock: new VirtualClock(NOW),
  });
});

afterAll(async () => {
  await stack.stop();
});

function orderEvent(
  overrides: {
    eventId?: string;
    type?: string;
    customerId?: string;
    orderId?: string;
    paid?: boolean;
    amount?: string;
    createdAt?: string;
    paidAt?: string;
  } = {},
) {
  return {
    eventId: overrides.eventId ?? `evt_${randomUUID()}`,
    type: overrides.type ?? 'order.paid',
    order: {
      orderId: overrides.orderId ?? `o_${randomUUID()}`,
      customerId: overrides.customerId ?? `c_${randomUUID()}`,
      amount: overrides.amount ?? '599.00',
      currency: 'CNY',
      createdAt: overrides.createdAt ?? '2026-11-11T00:03:12+08:00',
      ...(overrides.paid === false ? {} : { paidAt: overrides.paidAt ?? '2026-11-11T00:04:00+08:00' }),
    },
  };
}

function request(body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/orders',
    rawPath: '/webhooks/orders',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'x-signature': signBody(body, SECRET, stack.runtime.clock.now()),
      ...headers,
    },
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
    body,
    isBase64Encoded: false,
  };
}

async function post(event: unknown, headers: Record<string, string> = {}) {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const response = await handler(request(body, headers));
  return { status: response.statusCode ?? 0, body: JSON.parse(response.body ?? '{}') };
}

async function tableItems(): Promise<Array<Record<string, unknown>>> {
  const result = await clientsFor(stack.config).dynamodb.send(
    new ScanCommand({ TableName: stack.config.tables.customers }),
  );
  return (result.Items ?? []).map((item) => unmarshall(item));
}

async function statsOf(customerId: string) {
  return (await tableItems()).find((item) => item.pk === `CUSTOMER#${customerId}` && item.sk === 'ORDERS');
}

async function ordersOf(customerId: string) {
  return (await tableItems()).filter(
    (item) => item.pk === `CUSTOMER#${customerId}` && String(item.sk).startsWith('ORDER#'),
  );
}

async function claimOf(eventId: string) {
  return (await tableItems()).find((item) => item.pk === `EVENT#${eventId}`);
}

/** The v1 value the store computes for a body with a key at the clock's second `t`. */
function v1Of(body: string, secret: string, t: number): string {
  return /v1=([0-9a-f]+)/.exec(signBody(body, secret, t * 1000))![1]!;
}

const nowSeconds = () => Math.floor(stack.runtime.clock.now() / 1000);

/** Posts raw header lines through node:http, so a header can be sent twice (fetch would merge them). */
function postLines(url: string, body: string, lines: string[]): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const target = new URL('/webhooks/orders', url);
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: target.pathname,
        headers: ['Host', target.host, 'Content-Type', 'application/json', ...lines],
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const byNumber = (a: number, b: number) => a - b;

describe('the order webhook', () => {
  it('accepts a signed event with 202, creating an unknown customer with their stats', async () => {
    // Prepare
    const event = orderEvent();

    // Act
    const response = await post(event);

    // Assess
    expect(response).toEqual({ status: 202, body: { status: 'accepted' } });
    expect(await statsOf(event.order.customerId)).toMatchObject({
      orderCount: 1,
      totalSpend: 599,
      lastPaidAt: '2026-11-10T16:04:00.000Z',
      unpaidOrder: false,
      d11Years: [2026],
    });
  });

  it('answers a repeated eventId with 200 duplicate and no second effect', async () => {
    // Prepare
    const event = orderEvent();
    await post(event);

    // Act
    const again = await post(event);

    // Assess
    expect(again).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(await statsOf(event.order.customerId)).toMatchObject({ orderCount: 1, totalSpend: 599 });
  });

  it('applies 20 identical deliveries racing with one eventId once: one 202, nineteen duplicates', async () => {
    // Prepare
    const event = orderEvent();

    // Act
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(event)));

    // Assess
    expect(responses.map((r) => r.status).sort(byNumber)).toEqual([...Array<number>(19).fill(200), 202]);
    expect(responses.filter((r) => r.status === 200).every((r) => r.body.status === 'duplicate')).toBe(true);
    expect(await ordersOf(event.order.customerId)).toHaveLength(1);
    expect(await statsOf(event.order.customerId)).toMatchObject({ orderCount: 1, totalSpend: 599, eventsSeen: 1 });
  });

  it('applies one of 20 different bodies racing with one eventId and answers the other nineteen 409', async () => {
    // Prepare: one event id, twenty different orders of one customer, each its own amount.
    const eventId = `evt_${randomUUID()}`;
    const customerId = `c_${randomUUID()}`;
    const events = Array.from({ length: 20 }, (_, index) =>
      orderEvent({ eventId, customerId, type: 'order.created', paid: false, amount: `${100 + index}.00` }),
    );

    // Act
    const responses = await Promise.all(events.map((event) => post(event)));

    // Assess
    const statuses = responses.map((r) => r.status);
    expect(statuses.sort(byNumber), JSON.stringify(responses)).toEqual([202, ...Array<number>(19).fill(409)]);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.status === 'conflict')).toBe(true);
    const winner = events[responses.findIndex((r) => r.status === 202)]!;
    const written = await ordersOf(customerId);
    expect(
      written.map((order) => order.orderId),
      'only the accepted body may leave an order',
    ).toEqual([winner.order.orderId]);
    expect(written[0]).toMatchObject({ amount: Number(winner.order.amount) });
    expect(await statsOf(customerId)).toMatchObject({ orderCount: 1, totalSpend: 0, unpaidOrder: true, eventsSeen: 1 });
    expect(await claimOf(eventId)).toMatchObject({ status: 'applied', bodyDigest: bodyDigest(JSON.stringify(winner)) });
  });

  it('answers 409 to another body under an applied eventId and changes nothing', async () => {
    // Prepare
    const first = orderEvent();
    await post(first);
    const other = orderEvent({ eventId: first.eventId, customerId: first.order.customerId, amount: '888.00' });
    const before = await tableItems();

    // Act
    const response = await post(other);

    // Assess
    expect(response).toEqual({ status: 409, body: { status: 'conflict' } });
    expect(await tableItems()).toEqual(before);
  });

  it('binds a claim recorded without a digest to the first body that comes again, and refuses the other', async () => {
    // Prepare: a pending claim as deliveries recorded it before claims kept the body's digest.
    const eventId = `evt_${randomUUID()}`;
    const customerId = `c_${randomUUID()}`;
    await clientsFor(stack.config).documents.send(
      new PutCommand({
        TableName: stack.config.tables.customers,
        Item: { pk: `EVENT#${eventId}`, sk: 'EVENT', status: 'pending', receivedAt: new Date(NOW).toISOString() },
      }),
    );
    const a = orderEvent({ eventId, customerId, amount: '100.00' });
    const b = orderEvent({ eventId, customerId, amount: '200.00' });

    // Act
    const responses = await Promise.all([post(a), post(b)]);

    // Assess
    expect(responses.map((r) => r.status).sort(byNumber)).toEqual([200, 409]);
    const kept = responses[0]!.status === 200 ? a : b;
    expect((await ordersOf(customerId)).map((order) => order.orderId)).toEqual([kept.order.orderId]);
    expect(await statsOf(customerId)).toMatchObject({ orderCount: 1, totalSpend: Number(kept.order.amount) });
  });

  it('keeps stats right when events come out of order: paid before created, refunded after paid', async () => {
    // Prepare
    const customerId = `c_${randomUUID()}`;
    const orderId = `o_${randomUUID()}`;
    const paid = orderEvent({ customerId, orderId, type: 'order.paid' });
    const created = orderEvent({ customerId, orderId, type: 'order.created', paid: false });
    const refunded = orderEvent({ customerId, orderId, type: 'order.refunded' });

    // Act
    await post(paid);
    await post(created);
    const afterPaid = await statsOf(customerId);
    await post(refunded);

    // Assess
    expect(afterPaid).toMatchObject({ orderCount: 1, totalSpend: 599, unpaidOrder: false });
    expect(await statsOf(customerId)).toMatchObject({ orderCount: 1, totalSpend: 0, unpaidOrder: false });
  });

  it('after a crash between two writes, refuses another body under the id with 409 and no trace, then finishes the original', async () => {
    // Prepare: the first delivery (body A) dies after the order took the event, before the stats.
    const a = orderEvent();
    const bodyA = JSON.stringify(a);
    const deps = orderDependencies(stack.config);
    const dying = {
      ...deps,
      orders: Object.assign(Object.create(Object.getPrototypeOf(deps.orders)), deps.orders, {
        saveStats: async () => {
          throw new Error('killed');
        },
      }),
    };
    await expect(ingestOrder(dying, orderEventParsed(a), bodyDigest(bodyA))).rejects.toThrow('killed');
    // Body B: the same id and customer, another order and amount.
    const b = orderEvent({ eventId: a.eventId, customerId: a.order.customerId, amount: '888.00' });
    const beforeB = await tableItems();

    // Act
    const conflicting = await post(b);
    const afterB = await tableItems();
    const redelivered = await post(bodyA);

    // Assess
    expect(conflicting).toEqual({ status: 409, body: { status: 'conflict' } });
    expect(afterB, 'body B must leave nothing behind').toEqual(beforeB);
    expect(redelivered).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect((await ordersOf(a.order.customerId)).map((order) => order.orderId)).toEqual([a.order.orderId]);
    expect(await statsOf(a.order.customerId)).toMatchObject({ orderCount: 1, totalSpend: 599, eventsSeen: 1 });
    expect(await claimOf(a.eventId)).toMatchObject({ status: 'applied', bodyDigest: bodyDigest(bodyA) });
  });

  it.each([
    ['bad JSON', '{"eventId": ', {}, 400, /not valid JSON/],
    ['a missing signature', null, { 'x-signature': '' }, 401, /missing X-Signature/],
    [
      'a wrong signature',
      null,
      { 'x-signature': `t=${Math.floor(NOW / 1000)},v1=${'0'.repeat(64)}` },
      401,
      /does not match/,
    ],
    ['a body over 256 KB', 'x'.repeat(256 * 1024 + 1), {}, 413, /256 KB/],
    ['a body that is not JSON', null, { 'content-type': 'text/plain' }, 415, /application\/json/],
  ])('refuses %s without changing anything', async (_, body, headers, status, message) => {
    // Prepare
    const before = (await tableItems()).length;
    const text = body ?? JSON.stringify(orderEvent());

    // Act
    const response = await post(text, headers as Record<string, string>);

    // Assess
    expect(response.status).toBe(status);
    expect(response.body.message).toMatch(message);
    expect((await tableItems()).length).toBe(before);
  });

  it('refuses a replay signed more than 300 s ago', async () => {
    // Prepare
    const body = JSON.stringify(orderEvent());
    const old = signBody(body, SECRET, stack.runtime.clock.now() - 301_000);

    // Act
    const response = await post(body, { 'x-signature': old });

    // Assess
    expect(response).toEqual({ status: 401, body: { message: 'signature time outside 300 s' } });
  });

  it('names every invalid field in a 400', async () => {
    // Prepare
    const event = {
      ...orderEvent(),
      type: 'order.shipped',
      order: { ...orderEvent().order, amount: 599, currency: 'USD' },
    };

    // Act
    const response = await post(event);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'order.amount',
      'order.currency',
      'type',
    ]);
  });

  it.each([
    ['the matching v1 second', (right: string, old: string) => `v1=${old},v1=${right}`],
    ['the matching v1 first', (right: string, old: string) => `v1=${right},v1=${old}`],
    ['a malformed extra part beside the matching v1', (right: string) => `v1=not-hex,junk,v1=${right}`],
  ])('accepts a signature with several v1 values: %s', async (_, parts) => {
    // Prepare
    const event = orderEvent();
    const body = JSON.stringify(event);
    const t = nowSeconds();
    const header = `t=${t},${parts(v1Of(body, SECRET, t), v1Of(body, OLD_SECRET, t))}`;

    // Act
    const response = await post(body, { 'x-signature': header });

    // Assess
    expect(response).toEqual({ status: 202, body: { status: 'accepted' } });
    expect(await statsOf(event.order.customerId)).toMatchObject({ orderCount: 1 });
  });

  it.each([
    [
      'no v1 matching',
      (t: number, body: string) => `t=${t},v1=${v1Of(body, OLD_SECRET, t)},v1=${'0'.repeat(64)}`,
      /does not match/,
    ],
    ['no well-formed v1', (t: number) => `t=${t},v1=${'0'.repeat(63)},v1=xyz`, /malformed/],
  ])('refuses a signature with %s with 401 and changes nothing', async (_, header, message) => {
    // Prepare
    const body = JSON.stringify(orderEvent());
    const before = (await tableItems()).length;

    // Act
    const response = await post(body, { 'x-signature': header(nowSeconds(), body) });

    // Assess
    expect(response.status).toBe(401);
    expect(response.body.message).toMatch(message);
    expect((await tableItems()).length).toBe(before);
  });

  it('takes two X-Signature headers through the local HTTP server, either one matching', async () => {
    // Prepare
    const server = await startHttpServer({ port: 0, routes: localRoutes(), health: async () => ({ ok: true }) });
    try {
      const [first, second, third] = [orderEvent(), orderEvent(), orderEvent()];
      const sign = (event: unknown, secret: string) => {
        const body = JSON.stringify(event);
        return `t=${nowSeconds()},v1=${v1Of(body, secret, nowSeconds())}`;
      };

      // Act
      const oldThenNew = await postLines(server.url, JSON.stringify(first), [
        'X-Signature',
        sign(first, OLD_SECRET),
        'X-Signature',
        sign(first, SECRET),
      ]);
      const newThenOld = await postLines(server.url, JSON.stringify(second), [
        'X-Signature',
        sign(second, SECRET),
        'X-Signature',
        sign(second, OLD_SECRET),
      ]);
      const neither = await postLines(server.url, JSON.stringify(third), [
        'X-Signature',
        sign(third, OLD_SECRET),
        'X-Signature',
        sign(third, 'a-third-secret-nobody-uses-000'),
      ]);

      // Assess
      expect(oldThenNew).toEqual({ status: 202, body: { status: 'accepted' } });
      expect(newThenOld).toEqual({ status: 202, body: { status: 'accepted' } });
      expect(neither).toEqual({ status: 401, body: { message: 'signature does not match' } });
      expect(await statsOf(third.order.customerId)).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  const DAY_AHEAD = (extraMs: number) => new Date(NOW + 24 * 3_600_000 + extraMs).toISOString();
  it.each([
    ['a zero amount', { amount: '0.00' }, 'order.amount', /above 0/],
    ['an amount over 1,000,000 CNY', { amount: '1000000.01' }, 'order.amount', /at most 1000000 CNY/],
    ['an order before 2000', { createdAt: '1999-12-31T23:59:59+08:00' }, 'order.createdAt', /2000-01-01/],
    [
      'an order more than a day ahead',
      { createdAt: DAY_AHEAD(3_600_000), paidAt: DAY_AHEAD(3_600_000) },
      'order.createdAt',
      /one day ahead/,
    ],
    ['a payment more than a day ahead', { paidAt: DAY_AHEAD(3_600_000) }, 'order.paidAt', /one day ahead/],
    ['a payment before the order', { paidAt: '2026-11-11T00:03:11+08:00' }, 'order.paidAt', /before createdAt/],
    ['a customer id with "#"', { customerId: 'c1#ORDERS' }, 'order.customerId', /"#"/],
    ['a customer id with a control character', { customerId: 'c1\u0000' }, 'order.customerId', /printable/],
  ])('refuses %s with 400 naming the field, and changes nothing', async (_, overrides, path, message) => {
    // Prepare
    const before = (await tableItems()).length;

    // Act
    const response = await post(orderEvent(overrides));

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.message).toBe('invalid order event');
    expect(response.body.errors).toContainEqual({ path, message: expect.stringMatching(message) });
    expect((await tableItems()).length).toBe(before);
  });

  it('names every implausible field of one event in one 400', async () => {
    // Prepare
    const event = orderEvent({
      amount: '0.00',
      createdAt: '1999-01-01T00:00:00Z',
      paidAt: DAY_AHEAD(3_600_000),
      customerId: 'a#b',
    });

    // Act
    const response = await post(event);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'order.amount',
      'order.createdAt',
      'order.paidAt',
      'order.customerId',
    ]);
  });

  it(`refuses amounts over ${ENV.maxOrderAmount} when it is set`, async () => {
    // Prepare
    process.env[ENV.maxOrderAmount] = '500';
    try {
      // Act
      const over = await post(orderEvent({ amount: '500.01' }));
      const atMax = await post(orderEvent({ amount: '500.00' }));

      // Assess
      expect(over.status).toBe(400);
      expect(over.body.errors).toEqual([{ path: 'order.amount', message: 'must be at most 500 CNY' }]);
      expect(atMax.status).toBe(202);
    } finally {
      delete process.env[ENV.maxOrderAmount];
    }
  });

  it('never answers a fuzzed body with a 5xx, and changes data only for a valid event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.record({ eventId: fc.string(), type: fc.string(), order: fc.object() }),
          fc.constant(JSON.stringify(orderEvent()).replace('599.00', '-1')),
        ),
        async (body) => {
          // Prepare
          const text = typeof body === 'string' ? body : JSON.stringify(body);
          const before = (await tableItems()).length;

          // Act
          const response = await post(text);

          // Assess
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect((await tableItems()).length).toBe(before);
        },
      ),
      { numRuns: 60 },
    );
  });
});

function orderEventParsed(event: ReturnType<typeof orderEvent>) {
  return event as Parameters<typeof ingestOrder>[1];
}
