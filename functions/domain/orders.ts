/**
 * Orders from the store's webhook: the event schema, the signature check, and
 * a customer's order stats derived from their orders. Stats are always recomputed from the
 * orders themselves, so applying an event twice, or events out of order (a `paid` before
 * its `created`, a `refunded` after `paid`), gives the same stats.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { wallClockAt } from './local-time.ts';

export const ORDER_EVENT_TYPES = ['order.created', 'order.paid', 'order.cancelled', 'order.refunded'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

const instant = z.iso.datetime({
  offset: true,
  error: 'must be ISO 8601 with an offset, e.g. 2026-11-11T00:04:00+08:00',
});
const amount = z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be a decimal string like "599.00"');

export const orderEventSchema = z
  .strictObject({
    eventId: z.string().min(1).max(128),
    type: z.enum(ORDER_EVENT_TYPES),
    order: z.strictObject({
      orderId: z.string().min(1).max(128),
      customerId: z.string().min(1).max(128),
      amount,
      currency: z.literal('CNY', { error: 'must be CNY' }),
      createdAt: instant,
      paidAt: instant.optional(),
    }),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'order.paid' && !event.order.paidAt) {
      ctx.addIssue({ code: 'custom', path: ['order', 'paidAt'], message: 'is required for order.paid' });
    }
  });

export type OrderEvent = z.infer<typeof orderEventSchema>;

/** One order as stored: what every event about it has said, whatever the order they came in
 * (the latest amount and creation time, the payment time once known, the first cancellation or refund). */
export interface OrderState {
  orderId: string;
  customerId: string;
  amount: number;
  createdAt: string;
  paidAt?: string;
  cancelledAt?: string;
  refundedAt?: string;
}

export interface OrderStats {
  /** Orders placed and not cancelled. */
  orderCount: number;
  /** CNY paid and not refunded. */
  totalSpend: number;
  lastOrderAt?: string;
  /** When the customer last paid: stopOnPurchase waves skip them after it. */
  lastPaidAt?: string;
  /** An order placed, not paid, not cancelled. */
  unpaidOrder: boolean;
  /** Years with a paid order on 11 November (campaign zone). */
  d11Years: number[];
}

export function statsOf(orders: readonly OrderState[], timeZone: string): OrderStats {
  let orderCount = 0;
  let totalSpend = 0;
  let lastOrderAt: number | undefined;
  let lastPaidAt: number | undefined;
  let unpaidOrder = false;
  const d11Years = new Set<number>();
  for (const order of orders) {
    if (order.cancelledAt && !order.paidAt) continue;
    orderCount += 1;
    const created = Date.parse(order.createdAt);
    lastOrderAt = Math.max(lastOrderAt ?? created, created);
    if (!order.paidAt) {
      unpaidOrder = true;
      continue;
    }
    const paid = Date.parse(order.paidAt);
    lastPaidAt = Math.max(lastPaidAt ?? paid, paid);
    if (order.refundedAt) continue;
    totalSpend += order.amount;
    const wall = wallClockAt(paid, timeZone);
    if (wall.month === 11 && wall.day === 11) d11Years.add(wall.year);
  }
  const stats: OrderStats = {
    orderCount,
    totalSpend: Math.round(totalSpend * 100) / 100,
    unpaidOrder,
    d11Years: [...d11Years].sort((a, b) => a - b),
  };
  if (lastOrderAt !== undefined) stats.lastOrderAt = new Date(lastOrderAt).toISOString();
  if (lastPaidAt !== undefined) stats.lastPaidAt = new Date(lastPaidAt).toISOString();
  return stats;
}

/** How far the signature's time may be from now. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, compared in constant time. */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowMs: number,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Signature' };
  const parts = new Map(
    header.split(',').map((part) => {
      const index = part.indexOf('=');
      return [part.slice(0, index).trim(), part.slice(index + 1).trim()] as const;
    }),
  );
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/i.test(v1))
    return { ok: false, reason: 'malformed X-Signature' };
  if (Math.abs(nowMs / 1000 - Number(t)) > SIGNATURE_TOLERANCE_SECONDS)
    return { ok: false, reason: 'signature time outside 300 s' };
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, reason: 'signature does not match' };
}

/** Signs a body as the store does (tests, the simulation, the bench). */
export function signBody(rawBody: string, secret: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex')}`;
}
