/**
 * Synthetic order webhooks for a sample store export, for `campaign simulate --orders`:
 * some customers buy during the campaign, most in the first hours of 11 November; some
 * unpaid customers pay before the unpaid-order reminder; a few orders are refunded, a few
 * never paid. Deterministic: the same customers and seed give the same lines.
 */
import type { Customer } from '../domain/customer.ts';
import { formatInstant } from '../domain/local-time.ts';

export interface OrderLine {
  at: string;
  event: {
    eventId: string;
    type: 'order.created' | 'order.paid' | 'order.refunded';
    order: { orderId: string; customerId: string; amount: string; currency: 'CNY'; createdAt: string; paidAt?: string };
  };
}

const TZ = 'Asia/Shanghai';
const at = (text: string) => Date.parse(text);

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Order lines sorted by time, for customers of a Double-11 campaign in `year`. */
export function sampleOrderLines(
  customers: readonly Customer[],
  options: { seed?: number; year?: number } = {},
): OrderLine[] {
  const random = mulberry32(options.seed ?? 1111);
  const year = options.year ?? 2026;
  const windows = {
    presale: [at(`${year}-10-24T20:00:00+08:00`), at(`${year}-10-27T20:00:00+08:00`)],
    warmup: [at(`${year}-11-05T12:00:00+08:00`), at(`${year}-11-07T12:00:00+08:00`)],
    beforeReminder: [at(`${year}-11-08T09:00:00+08:00`), at(`${year}-11-09T18:00:00+08:00`)],
    midnight: [at(`${year}-11-11T00:00:00+08:00`), at(`${year}-11-11T02:00:00+08:00`)],
  };
  const lines: OrderLine[] = [];
  let sequence = 0;
  const within = ([from, to]: number[]) =>
    Math.floor((from as number) + random() * ((to as number) - (from as number)));
  for (const customer of customers) {
    const roll = random();
    let paidAt: number | undefined;
    if (customer.unpaidOrder && roll < 0.3) paidAt = within(windows.beforeReminder);
    else if (roll < 0.12) paidAt = within(windows.midnight);
    else if (roll < 0.15) paidAt = within(windows.warmup);
    else if (roll < 0.17) paidAt = within(windows.presale);
    if (paidAt === undefined) continue;
    sequence += 1;
    const orderId = `O${String(sequence).padStart(7, '0')}`;
    const createdAt = paidAt - Math.floor(random() * 300_000);
    const amount = (49 + Math.floor(random() * 1200) + random()).toFixed(2);
    const order = {
      orderId,
      customerId: customer.customerId,
      amount,
      currency: 'CNY' as const,
      createdAt: formatInstant(createdAt, TZ),
    };
    lines.push({
      at: formatInstant(createdAt, TZ),
      event: { eventId: `evt_${orderId}_created`, type: 'order.created', order },
    });
    // About 1 in 20 never pays: it stays an unpaid order.
    if (random() < 0.05) continue;
    const paid = { ...order, paidAt: formatInstant(paidAt, TZ) };
    lines.push({
      at: formatInstant(paidAt + 2_000, TZ),
      event: { eventId: `evt_${orderId}_paid`, type: 'order.paid', order: paid },
    });
    if (random() < 0.03) {
      const refundAt = paidAt + 86_400_000;
      lines.push({
        at: formatInstant(refundAt, TZ),
        event: { eventId: `evt_${orderId}_refunded`, type: 'order.refunded', order: paid },
      });
    }
  }
  return lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.event.eventId < b.event.eventId ? -1 : 1));
}
