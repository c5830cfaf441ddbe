/**
 * The webhook's pure rules: which orders are believable (with the clock's `now` passed in),
 * which signature headers are accepted, and the body digest that ties an event id to a body.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bodyDigest,
  FUTURE_TOLERANCE_MS,
  implausibleFields,
  MAX_SIGNATURES,
  type OrderEvent,
  orderEventSchema,
  verifySignature,
} from '../../functions/domain/orders.ts';

const NOW = Date.parse('2026-11-11T00:10:00+08:00');
const LIMITS = { now: NOW, maxAmount: 1_000_000 };

/**
 * A valid event with `order` fields replaced (`paidAt: undefined` makes it an `order.created`);
 * parsed by the schema so only plausibility is left to test.
 */
function event(order: Partial<OrderEvent['order']> = {}): OrderEvent {
  return orderEventSchema.parse({
    eventId: 'evt_1',
    type: 'paidAt' in order && order.paidAt === undefined ? 'order.created' : 'order.paid',
    order: {
      orderId: 'o1',
      customerId: 'c1',
      amount: '599.00',
      currency: 'CNY',
      createdAt: '2026-11-11T00:03:12+08:00',
      paidAt: '2026-11-11T00:04:00+08:00',
      ...order,
    },
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('implausibleFields', () => {
  it('finds nothing wrong with an ordinary paid order', () => {
    expect(implausibleFields(event(), LIMITS)).toEqual([]);
  });

  it.each([
    ['the smallest amount', { amount: '0.01' }],
    ['exactly the maximum amount', { amount: '1000000.00' }],
    ['an order at 2000-01-01T00:00:00Z', { createdAt: '2000-01-01T00:00:00Z', paidAt: '2000-01-01T00:00:00Z' }],
    [
      'dates exactly one day ahead of now',
      { createdAt: iso(NOW + FUTURE_TOLERANCE_MS), paidAt: iso(NOW + FUTURE_TOLERANCE_MS) },
    ],
    ['a payment in the same instant as the order', { paidAt: '2026-11-11T00:03:12+08:00' }],
    ['a payment written in another offset but later', { paidAt: '2026-11-10T16:03:13Z' }],
    ['a Chinese customer id with a space', { customerId: '客户 001' }],
    ['an emoji customer id', { customerId: 'vip-🎉' }],
  ])('accepts %s', (_, order) => {
    expect(implausibleFields(event(order), LIMITS)).toEqual([]);
  });

  it.each([
    ['a zero amount', { amount: '0.00' }, 'order.amount', /above 0/],
    ['an amount a cent over the maximum', { amount: '1000000.01' }, 'order.amount', /at most 1000000 CNY/],
    ['an order before 2000', { createdAt: '1999-12-31T23:59:59Z', paidAt: undefined }, 'order.createdAt', /2000-01-01/],
    [
      'an order more than a day ahead',
      { createdAt: iso(NOW + FUTURE_TOLERANCE_MS + 1_000), paidAt: undefined },
      'order.createdAt',
      /one day ahead/,
    ],
    [
      'a payment more than a day ahead',
      { paidAt: iso(NOW + FUTURE_TOLERANCE_MS + 1_000) },
      'order.paidAt',
      /one day ahead/,
    ],
    [
      'a payment before 2000',
      { createdAt: '1999-12-31T00:00:00Z', paidAt: '1999-12-31T00:00:00Z' },
      'order.paidAt',
      /2000-01-01/,
    ],
    [
      'a payment a second before the order',
      { paidAt: '2026-11-11T00:03:11+08:00' },
      'order.paidAt',
      /before createdAt/,
    ],
    ['a customer id with the key separator', { customerId: 'c1#ORDERS' }, 'order.customerId', /"#"/],
    ['a customer id with a control character', { customerId: 'c1\u0007' }, 'order.customerId', /printable/],
    ['a customer id with a line break', { customerId: 'c1\nc2' }, 'order.customerId', /printable/],
    ['a customer id with a zero-width space', { customerId: 'c\u200b1' }, 'order.customerId', /printable/],
    ['a customer id with a line separator', { customerId: 'c\u20281' }, 'order.customerId', /printable/],
  ])('refuses %s', (_, order, path, message) => {
    // Act
    const errors = implausibleFields(event(order), LIMITS);

    // Assess
    expect(
      errors.map((error) => error.path),
      JSON.stringify(errors),
    ).toContain(path);
    expect(errors.find((error) => error.path === path)?.message).toMatch(message);
  });

  it('uses the maximum it is given', () => {
    expect(implausibleFields(event({ amount: '600.00' }), { now: NOW, maxAmount: 599.99 })).toEqual([
      { path: 'order.amount', message: 'must be at most 599.99 CNY' },
    ]);
  });

  it('measures "ahead" from the now it is given, not the machine clock', () => {
    // Prepare: an order from 2031, a day after a `now` in 2031.
    const later = Date.parse('2031-06-01T00:00:00Z');
    const order = event({ createdAt: '2031-06-01T12:00:00Z', paidAt: '2031-06-01T12:00:00Z' });

    // Act / Assess
    expect(implausibleFields(order, { now: later, maxAmount: 1_000_000 })).toEqual([]);
    expect(implausibleFields(order, LIMITS).map((error) => error.path)).toEqual(['order.createdAt', 'order.paidAt']);
  });

  it('reports every broken rule at once', () => {
    // Prepare
    const order = event({
      amount: '0.00',
      createdAt: '1999-01-01T00:00:00Z',
      paidAt: iso(NOW + 2 * FUTURE_TOLERANCE_MS),
      customerId: 'a#b',
    });

    // Act
    const paths = implausibleFields(order, LIMITS).map((error) => error.path);

    // Assess
    expect(paths).toEqual(['order.amount', 'order.createdAt', 'order.paidAt', 'order.customerId']);
  });
});

const SECRET = 'test-signing-secret-0123456789';
const OLD_SECRET = 'old-signing-secret-9876543210';
const BODY = '{"eventId":"evt_1"}';
const T = Math.floor(NOW / 1000);
const v1 = (secret: string, t = T, body = BODY) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
const check = (header: string | undefined, nowMs = NOW) => verifySignature(header, BODY, SECRET, nowMs);

describe('verifySignature', () => {
  it.each([
    ['one v1', `t=${T},v1=${v1(SECRET)}`],
    ['the matching v1 second (a store rotating keys)', `t=${T},v1=${v1(OLD_SECRET)},v1=${v1(SECRET)}`],
    ['the matching v1 first', `t=${T},v1=${v1(SECRET)},v1=${v1(OLD_SECRET)}`],
    ['two headers joined by a comma (API Gateway)', `t=${T},v1=${v1(OLD_SECRET)},t=${T},v1=${v1(SECRET)}`],
    ['two headers joined by ", " (Node)', `t=${T},v1=${v1(OLD_SECRET)}, t=${T},v1=${v1(SECRET)}`],
    ['two headers with their own times', `t=${T - 400},v1=${v1(SECRET, T - 400)},t=${T - 5},v1=${v1(SECRET, T - 5)}`],
    ['v1 before t', `v1=${v1(SECRET)},t=${T}`],
    ['upper-case hex', `t=${T},v1=${v1(SECRET).toUpperCase()}`],
    ['spaces around parts', ` t = ${T} , v1 = ${v1(SECRET)} `],
    ['malformed extra parts', `t=${T},v1=zz,v0=${v1(SECRET)},junk,v1=,=x,t=soon,v1=${v1(SECRET)},v1=${'a'.repeat(63)}`],
  ])('accepts %s', (_, header) => {
    expect(check(header)).toEqual({ ok: true });
  });

  it.each([
    ['no header', undefined, 'missing X-Signature'],
    ['an empty header', '', 'missing X-Signature'],
    ['no well-formed v1', `t=${T},v1=${v1(SECRET).slice(1)}`, 'malformed X-Signature'],
    ['only malformed parts', 'junk,v1=zz', 'malformed X-Signature'],
    ['no well-formed t', `t=${T}x,v1=${v1(SECRET)}`, 'malformed X-Signature'],
    ['no v1 matching', `t=${T},v1=${v1(OLD_SECRET)},v1=${'0'.repeat(64)}`, 'signature does not match'],
    ['a v1 of another body', `t=${T},v1=${v1(SECRET, T, '{}')}`, 'signature does not match'],
    ['a v1 signed for another t', `t=${T},v1=${v1(SECRET, T - 1)}`, 'signature does not match'],
    ['a time 301 s ago', `t=${T - 301},v1=${v1(SECRET, T - 301)}`, 'signature time outside 300 s'],
    ['a time 301 s ahead', `t=${T + 301},v1=${v1(SECRET, T + 301)}`, 'signature time outside 300 s'],
    [
      'a timely wrong v1 beside an old right one',
      `t=${T - 400},v1=${v1(SECRET, T - 400)},t=${T},v1=${v1(OLD_SECRET)}`,
      'signature does not match',
    ],
    [
      'too many v1 values',
      `t=${T},${Array.from({ length: MAX_SIGNATURES }, () => `v1=${'0'.repeat(64)}`).join(',')},v1=${v1(SECRET)}`,
      `more than ${MAX_SIGNATURES} v1 values`,
    ],
  ])('refuses %s', (_, header, reason) => {
    expect(check(header)).toEqual({ ok: false, reason });
  });

  it('accepts a time exactly 300 s away', () => {
    expect(check(`t=${T - 300},v1=${v1(SECRET, T - 300)}`)).toEqual({ ok: true });
    expect(check(`t=${T + 300},v1=${v1(SECRET, T + 300)}`)).toEqual({ ok: true });
  });
});

describe('bodyDigest', () => {
  it('is the SHA-256 of the raw body in hex', () => {
    expect(bodyDigest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('tells apart bodies that differ only in bytes, not in meaning', () => {
    expect(bodyDigest('{"a":1}')).not.toBe(bodyDigest('{"a": 1}'));
    expect(bodyDigest('{"id":"客户"}')).toBe(bodyDigest('{"id":"客户"}'));
  });
});
