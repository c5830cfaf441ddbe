/**
 * Orders from the store's webhook: the event schema, the plausibility rules, the signature
 * check, the body digest that ties an event id to one body, and
 * a customer's order stats derived from their orders. Stats are always recomputed from the
 * orders themselves, so applying an event twice, or events out of order (a `paid` before
 * its `created`, a `refunded` after `paid`), gives the same stats.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { wallClockAt } from './local-time.ts';

export const ORDER_EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.cancelled',
  'order.refunded',
  /** A presale order's deposit (定金) is paid; its balance (尾款) is due from `balanceDueFrom`. */
  'order.deposit_paid',
] as const;
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
      /** Presale orders (定金/尾款): all optional, so bodies without them mean what they always did. */
      type: z.enum(['normal', 'presale']).optional(),
      depositPaidAt: instant.optional(),
      balanceDueFrom: instant.optional(),
      balanceDueTo: instant.optional(),
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
  /** Presale orders: when the deposit was paid and when the balance may be paid (`paidAt` is the balance's). */
  type?: 'normal' | 'presale';
  depositPaidAt?: string;
  balanceDueFrom?: string;
  balanceDueTo?: string;
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

/** A field of a request the webhook refuses, by its JSON path (`order.amount`). */
export interface FieldError {
  path: string;
  message: string;
}

/** What an order must fit besides its shape; `now` is the clock's. */
export interface OrderLimits {
  now: number;
  /** The largest amount (CNY) an order may have. */
  maxAmount: number;
}

/** No order of a store on this product is older than this. */
export const EARLIEST_ORDER_TIME = Date.UTC(2000, 0, 1);
/** A store's clock may run ahead of ours, but not by more than this. */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

/** Control, format, unassigned, private-use and lone surrogate code points, and line breaks. */
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;
/** The separator in the table keys (`CUSTOMER#<id>`): an id holding it could reach another customer's items. */
const KEY_SEPARATOR = '#';

/**
 * The rules a well-formed event must also meet to be believed: a positive amount up to the
 * maximum, dates from 2000-01-01 to one day ahead of now, a payment not before the order,
 * and a customer id that can be a key. Every broken rule is reported, by path.
 */
export function implausibleFields(event: OrderEvent, limits: OrderLimits): FieldError[] {
  const errors: FieldError[] = [];
  const { order } = event;
  const amount = Number(order.amount);
  if (!(amount > 0)) errors.push({ path: 'order.amount', message: 'must be above 0' });
  else if (amount > limits.maxAmount)
    errors.push({ path: 'order.amount', message: `must be at most ${limits.maxAmount} CNY` });
  const latest = limits.now + FUTURE_TOLERANCE_MS;
  const dates = [['createdAt', order.createdAt] as const, ...(order.paidAt ? [['paidAt', order.paidAt] as const] : [])];
  for (const [field, text] of dates) {
    const instant = Date.parse(text);
    if (!(instant >= EARLIEST_ORDER_TIME))
      errors.push({ path: `order.${field}`, message: 'must not be before 2000-01-01T00:00:00Z' });
    else if (instant > latest)
      errors.push({
        path: `order.${field}`,
        message: `must not be more than one day ahead of now (${new Date(limits.now).toISOString()})`,
      });
  }
  if (order.paidAt && Date.parse(order.paidAt) < Date.parse(order.createdAt))
    errors.push({ path: 'order.paidAt', message: 'must not be before createdAt' });
  if (order.depositPaidAt && Date.parse(order.depositPaidAt) < Date.parse(order.createdAt))
    errors.push({ path: 'order.depositPaidAt', message: 'must not be before createdAt' });
  if (order.balanceDueFrom && order.balanceDueTo && Date.parse(order.balanceDueTo) <= Date.parse(order.balanceDueFrom))
    errors.push({ path: 'order.balanceDueTo', message: 'must be after balanceDueFrom' });
  if (event.type === 'order.deposit_paid' && !order.depositPaidAt)
    errors.push({ path: 'order.depositPaidAt', message: 'is required for order.deposit_paid' });
  if (UNPRINTABLE.test(order.customerId))
    errors.push({ path: 'order.customerId', message: 'must be printable characters only' });
  if (order.customerId.includes(KEY_SEPARATOR))
    errors.push({ path: 'order.customerId', message: `must not contain "${KEY_SEPARATOR}"` });
  return errors;
}

/**
 * The raw body's SHA-256 (hex), kept on the event's record: one event id stands for one
 * body, so a second body under a used id is a conflict, not a duplicate.
 */
export function bodyDigest(rawBody: string): string {
  return createHash('sha256').update(rawBody, 'utf8').digest('hex');
}

/** How far the signature's time may be from now. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** More v1 values than a key rotation needs are refused before any HMAC is computed. */
export const MAX_SIGNATURES = 8;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Any v1 that
 * matches is enough: a store rotating keys sends one per key (`t=..,v1=a,v1=b`), and two
 * X-Signature headers arrive joined by commas (`t=..,v1=a,t=..,v1=b`), so each v1 is
 * checked against the t before it (or, if none is, the first after it). Parts that are not
 * a well-formed t or v1 are ignored; the time must be within 300 s of now; every comparison
 * is constant-time and all of them are made, match or not.
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowMs: number,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Signature' };
  const parts: Array<{ t: string } | { v1: string }> = [];
  for (const part of header.split(',')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const key = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (key === 't' && TIMESTAMP.test(value)) parts.push({ t: value });
    else if (key === 'v1' && HEX_SHA256.test(value)) parts.push({ v1: value });
  }
  const candidates: Array<{ t: string; v1: string }> = [];
  let current: string | undefined;
  for (const [index, part] of parts.entries()) {
    if ('t' in part) {
      current = part.t;
      continue;
    }
    const t = current ?? parts.slice(index + 1).find((later): later is { t: string } => 't' in later)?.t;
    if (t) candidates.push({ t, v1: part.v1 });
  }
  if (candidates.length === 0) return { ok: false, reason: 'malformed X-Signature' };
  if (candidates.length > MAX_SIGNATURES) return { ok: false, reason: `more than ${MAX_SIGNATURES} v1 values` };
  const timely = candidates.filter(({ t }) => Math.abs(nowMs / 1000 - Number(t)) <= SIGNATURE_TOLERANCE_SECONDS);
  if (timely.length === 0) return { ok: false, reason: 'signature time outside 300 s' };
  const expected = new Map<string, Buffer>();
  let matched = false;
  for (const { t, v1 } of timely) {
    let digest = expected.get(t);
    if (!digest) {
      digest = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
      expected.set(t, digest);
    }
    // Both are 32 bytes (v1 is 64 hex digits): no length check needed, and no early exit.
    matched = timingSafeEqual(Buffer.from(v1, 'hex'), digest) || matched;
  }
  return matched ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** Signs a body as the store does (tests, the simulation, the bench). */
export function signBody(rawBody: string, secret: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex')}`;
}
