/**
 * Which wave earned an order (the report): an order paid within the attribution
 * window after a touch is credited to that touch's wave and channel; when several touches
 * qualify, the last one before the payment wins. Refunded and unpaid orders earn nothing.
 */
import type { OrderState } from './orders.ts';

export interface SentTouch {
  customerId: string;
  waveId: string;
  channel: 'sms' | 'email';
  /** When the message went out, epoch ms. */
  at: number;
  /** The customer's member tier, when the plan knew it. */
  tier?: string | undefined;
  /** The customer's group in the plan and the marketer's labels, when the touch recorded them. */
  group?: string | undefined;
  labels?: readonly string[] | undefined;
}

export interface Credit {
  orders: number;
  revenue: number;
}

/** The key credits are summed under by default: the touch's wave and channel. */
export const byWaveAndChannel = (touch: SentTouch): string => `${touch.waveId}/${touch.channel}`;

/** Credits per `keyOf` of the winning touch: `<waveId>/<channel>` unless told otherwise (the tier, for the report). */
export function attribute(
  touches: readonly SentTouch[],
  orders: readonly OrderState[],
  windowHours: number,
  keyOf: (touch: SentTouch) => string = byWaveAndChannel,
): Map<string, Credit> {
  const windowMs = windowHours * 3_600_000;
  const byCustomer = new Map<string, SentTouch[]>();
  for (const touch of touches) {
    const list = byCustomer.get(touch.customerId) ?? [];
    list.push(touch);
    byCustomer.set(touch.customerId, list);
  }
  const credits = new Map<string, Credit>();
  for (const order of orders) {
    if (!order.paidAt || order.refundedAt) continue;
    const paid = Date.parse(order.paidAt);
    let last: SentTouch | undefined;
    for (const touch of byCustomer.get(order.customerId) ?? []) {
      if (touch.at <= paid && paid - touch.at <= windowMs && (!last || touch.at > last.at)) last = touch;
    }
    if (!last) continue;
    const key = keyOf(last);
    const credit = credits.get(key) ?? { orders: 0, revenue: 0 };
    credit.orders += 1;
    credit.revenue = Math.round((credit.revenue + order.amount) * 100) / 100;
    credits.set(key, credit);
  }
  return credits;
}
