/**
 * `POST /webhooks/orders` through the real handler on the embedded stack: every
 * response code, replays, duplicates (also concurrent), a crash between two writes, and
 * fuzzed bodies that must never get a 5xx or change data.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor, orderDependencies } from '../../functions/composition.ts';
import { signBody } from '../../functions/domain/orders.ts';
import { handler } from '../../functions/handlers/orders-webhook.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { ingestOrder } from '../../functions/usecases/ingest-order.ts';

const NOW = Date.parse('2026-11-11T00:10:00+08:00');
const SECRET = 'test-signing-secret-0123456789';
let stack: LocalStack;

beforeAll(async () => {
  process.env.WEBHOOK_SECRET = SECRET;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
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
      createdAt: '2026-11-11T00:03:12+08:00',
      ...(overrides.paid === false ? {} : { paidAt: '2026-11-11T00:04:00+08:00' }),
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

  it('applies a duplicate delivered concurrently once', async () => {
    // Prepare
    const event = orderEvent();

    // Act
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(event)));

    // Assess
    expect(responses.filter((r) => r.status === 202).length).toBeLessThanOrEqual(1);
    expect(responses.every((r) => r.status === 202 || r.status === 200)).toBe(true);
    expect(await statsOf(event.order.customerId)).toMatchObject({ orderCount: 1, totalSpend: 599, eventsSeen: 1 });
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

  it('finishes the effect once when the handler died between two writes and the event comes again', async () => {
    // Prepare: the first delivery dies after the order took the event, before the stats.
    const event = orderEvent();
    const deps = orderDependencies(stack.config);
    const dying = {
      ...deps,
      orders: Object.assign(Object.create(Object.getPrototypeOf(deps.orders)), deps.orders, {
        saveStats: async () => {
          throw new Error('killed');
        },
      }),
    };
    await expect(ingestOrder(dying, orderEventParsed(event))).rejects.toThrow('killed');

    // Act
    const redelivered = await post(event);

    // Assess
    expect(redelivered.status).toBe(200);
    expect(await statsOf(event.order.customerId)).toMatchObject({ orderCount: 1, totalSpend: 599, eventsSeen: 1 });
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
