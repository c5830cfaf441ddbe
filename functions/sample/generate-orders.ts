/**
 * Synthetic order webhooks for a sample store export, for `campaign simulate --orders`:
 * some customers buy during the campaign, most in the first hours of 11 November; some
 * unpaid customers pay before the unpaid-order reminder; a few orders are refunded, a few
 * never paid. Deterministic: the same customers and seed give the same lines.
 *
 * The messages work, by a stated amount: each customer a wave reaches (planned an SMS or an
 * email of it) places, with probability `uplift`, one more paid order because of it, within
 * a day after the wave's SMS reaches them. Held-out customers (a wave's control group) and
 * customers not reached get none, so a wave's control group measures exactly that uplift:
 * `uplift` more orders per customer reached, and a conversion lift of `uplift` times the share
 * who would not have bought in that window anyway. The responses come from a random stream of
 * their own, so the orders customers place anyway are the same whatever the uplift.
 *
 * For the order rules (the sample campaign's pay reminder and presale balance), from a third
 * stream: orders placed on 11 November some of which are paid within the reminder's 30
 * minutes, some later, some never, some cancelled, a few placed late in the evening (their
 * reminder falls in quiet hours); and presale orders whose deposit is paid in October and
 * whose balance is due on 11 November, paid early, late or never.
 */
import type { Campaign } from '../domain/campaign.ts';
import type { Customer } from '../domain/customer.ts';
import type { CustomerSet } from '../domain/customer-set.ts';
import { formatInstant } from '../domain/local-time.ts';
import type { Plan } from '../domain/planner.ts';

/** More paid orders per customer a wave reaches, by default (3 in 100). */
export const DEFAULT_UPLIFT = 0.03;

/** Whom a wave's messages reach, and when: the customers who may respond to it. */
export interface WaveReach {
  waveId: string;
  /** The wave's SMS time, epoch ms: the lift is measured from it. */
  smsAt: number;
  /** Hours after the SMS time within which a response counts (the campaign's attribution window). */
  windowHours: number;
  /** Customer id -> when their SMS of this wave is sent (epoch ms), or the wave's SMS time for email only. */
  reached: ReadonlyMap<string, number>;
}

export interface OrderLine {
  at: string;
  event: {
    eventId: string;
    type: 'order.created' | 'order.paid' | 'order.refunded' | 'order.cancelled' | 'order.deposit_paid';
    order: {
      orderId: string;
      customerId: string;
      amount: string;
      currency: 'CNY';
      createdAt: string;
      paidAt?: string;
      type?: 'presale';
      depositPaidAt?: string;
      balanceDueFrom?: string;
      balanceDueTo?: string;
    };
  };
}

const TZ = 'Asia/Shanghai';
const at = (text: string) => Date.parse(text);

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Per wave, the customers the plan sends it to (any channel), and when their SMS goes; only
 * those the plan put in `onlyGroup` when it is given (an uplift in one customer group).
 */
export function reachOf(plan: Plan, customers: CustomerSet, campaign: Campaign, onlyGroup?: string): WaveReach[] {
  const inGroup = (index: number) =>
    onlyGroup === undefined || plan.groups.codes[plan.groups.ofCustomer[index] ?? -1] === onlyGroup;
  return plan.timeline.waves.map((wave) => {
    const smsAt = Date.parse(wave.smsAt);
    const reached = new Map<string, number>();
    plan.timeline.sends.forEach((send, position) => {
      if (send.waveId !== wave.id) return;
      const at = send.channel === 'sms' ? Math.max(smsAt, Date.parse(send.at)) : smsAt;
      for (const index of plan.members[position] ?? []) {
        if (!inGroup(index)) continue;
        const id = (customers.customers[index] as Customer).customerId;
        reached.set(id, Math.max(reached.get(id) ?? smsAt, at));
      }
    });
    return { waveId: wave.id, smsAt, windowHours: campaign.attributionHours, reached };
  });
}

export interface SampleOrderOptions {
  seed?: number;
  year?: number;
  /** Extra paid orders per reached customer and wave, 0 to 1; needs `reach`. Default DEFAULT_UPLIFT. */
  uplift?: number;
  /** Whom each wave reaches (`reachOf` the plan); without it, nobody responds to a message. */
  reach?: readonly WaveReach[];
}

/** Order lines sorted by time, for customers of a Double-11 campaign in `year`. */
export function sampleOrderLines(customers: readonly Customer[], options: SampleOrderOptions = {}): OrderLine[] {
  const uplift = options.uplift ?? DEFAULT_UPLIFT;
  if (!(uplift >= 0 && uplift <= 1)) throw new RangeError(`uplift: ${uplift} is not between 0 and 1`);
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
  lines.push(...responseLines(customers, options.reach ?? [], uplift, (options.seed ?? 1111) ^ 0x5eed_0011));
  lines.push(...festivalOrderLines(customers, year, (options.seed ?? 1111) ^ 0x7419_0013));
  return lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.event.eventId < b.event.eventId ? -1 : 1));
}

/** An hour after the SMS at the earliest (a send of many takes minutes), within a day and the window. */
const RESPONSE_LEAD_MS = 3_600_000;
const RESPONSE_SPAN_MS = 24 * 3_600_000;

/** The orders placed because of a message: one draw per reached customer and wave, from a stream of their own. */
function responseLines(customers: readonly Customer[], reach: readonly WaveReach[], uplift: number, seed: number) {
  const random = mulberry32(seed);
  const lines: OrderLine[] = [];
  let sequence = 0;
  for (const wave of reach) {
    const windowMs = wave.windowHours * 3_600_000;
    const lead = Math.min(RESPONSE_LEAD_MS, windowMs / 4);
    for (const customer of customers) {
      const sentAt = wave.reached.get(customer.customerId);
      if (sentAt === undefined) continue;
      const respond = random() < uplift;
      const offset = random();
      const amountDraw = random();
      if (!respond) continue;
      // Within the window from the wave's SMS time, whenever this customer's SMS went.
      const from = sentAt + lead;
      const to = Math.max(from, Math.min(wave.smsAt + windowMs - 60_000, sentAt + RESPONSE_SPAN_MS));
      const paidAt = Math.floor(from + offset * (to - from));
      sequence += 1;
      const orderId = `R${String(sequence).padStart(7, '0')}`;
      const createdAt = paidAt - 60_000;
      const order = {
        orderId,
        customerId: customer.customerId,
        amount: (49 + amountDraw * 1200).toFixed(2),
        currency: 'CNY' as const,
        createdAt: formatInstant(createdAt, TZ),
      };
      lines.push({
        at: formatInstant(createdAt, TZ),
        event: { eventId: `evt_${orderId}_created`, type: 'order.created', order },
      });
      const paid = { ...order, paidAt: formatInstant(paidAt, TZ) };
      lines.push({
        at: formatInstant(paidAt + 2_000, TZ),
        event: { eventId: `evt_${orderId}_paid`, type: 'order.paid', order: paid },
      });
    }
  }
  return lines;
}

/** Customers who place an order on the festival day (the pay reminder's orders), out of 100. */
const FESTIVAL_ORDER_SHARE = 0.04;
/** Customers who paid a presale deposit in October, out of 100. */
const PRESALE_SHARE = 0.015;
const MINUTE_MS = 60_000;

/**
 * Orders for the order rules, from their own random stream. Festival-day orders are placed on
 * 11 November between 09:30 and 21:30, a tenth of them between 21:30 and 22:00 (their reminder
 * would fall in quiet hours); each is paid within 25 minutes (no reminder), paid 40 minutes to
 * 6 hours later (reminded, then paid), never paid, or cancelled within 20 minutes. Presale
 * deposits are paid between 24 and 31 October; the balance is due from 10:00 to 23:59 on
 * 11 November and is paid in the first hours, in the evening after the closing reminder, or never.
 */
function festivalOrderLines(customers: readonly Customer[], year: number, seed: number): OrderLine[] {
  const random = mulberry32(seed);
  const lines: OrderLine[] = [];
  const day = (text: string) => at(`${year}-${text}+08:00`);
  const balanceFrom = day('11-11T10:00:00');
  const balanceTo = day('11-11T23:59:00');
  let sequence = 0;
  const amountOf = () => (59 + Math.floor(random() * 900) + random()).toFixed(2);
  const line = (when: number, type: OrderLine['event']['type'], order: OrderLine['event']['order']): OrderLine => ({
    at: formatInstant(when, TZ),
    event: { eventId: `evt_${order.orderId}_${type.slice('order.'.length)}`, type, order },
  });
  for (const customer of customers) {
    const draw = random();
    const late = random();
    const offset = random();
    const outcome = random();
    const delay = random();
    const amount = amountOf();
    if (draw < FESTIVAL_ORDER_SHARE) {
      sequence += 1;
      const createdAt =
        late < 0.1
          ? day('11-11T21:30:00') + Math.floor(offset * 29 * MINUTE_MS)
          : day('11-11T09:30:00') + Math.floor(offset * 12 * 60 * MINUTE_MS);
      const order = {
        orderId: `F${String(sequence).padStart(7, '0')}`,
        customerId: customer.customerId,
        amount,
        currency: 'CNY' as const,
        createdAt: formatInstant(createdAt, TZ),
      };
      lines.push(line(createdAt, 'order.created', order));
      if (outcome < 0.45) {
        const paidAt = createdAt + Math.floor((2 + delay * 23) * MINUTE_MS);
        lines.push(line(paidAt, 'order.paid', { ...order, paidAt: formatInstant(paidAt, TZ) }));
      } else if (outcome < 0.7) {
        const paidAt = createdAt + Math.floor((40 + delay * 320) * MINUTE_MS);
        lines.push(line(paidAt, 'order.paid', { ...order, paidAt: formatInstant(paidAt, TZ) }));
      } else if (outcome < 0.9) {
        // Never paid: the reminder goes out, nothing follows.
      } else {
        lines.push(line(createdAt + Math.floor((1 + delay * 19) * MINUTE_MS), 'order.cancelled', order));
      }
    } else if (draw < FESTIVAL_ORDER_SHARE + PRESALE_SHARE) {
      sequence += 1;
      const createdAt = day('10-24T20:00:00') + Math.floor(offset * 7 * 24 * 60 * MINUTE_MS);
      const depositPaidAt = createdAt + 3 * MINUTE_MS;
      const order = {
        orderId: `P${String(sequence).padStart(7, '0')}`,
        customerId: customer.customerId,
        amount,
        currency: 'CNY' as const,
        createdAt: formatInstant(createdAt, TZ),
        type: 'presale' as const,
      };
      lines.push(line(createdAt, 'order.created', order));
      const deposit = {
        ...order,
        depositPaidAt: formatInstant(depositPaidAt, TZ),
        balanceDueFrom: formatInstant(balanceFrom, TZ),
        balanceDueTo: formatInstant(balanceTo, TZ),
      };
      lines.push(line(depositPaidAt, 'order.deposit_paid', deposit));
      // The balance: in the first hours after it opens, after the closing reminder, or never.
      const paidAt =
        outcome < 0.55
          ? balanceFrom + Math.floor((5 + delay * 300) * MINUTE_MS)
          : outcome < 0.8
            ? day('11-11T21:05:00') + Math.floor(delay * 50 * MINUTE_MS)
            : undefined;
      if (paidAt !== undefined) {
        lines.push(line(paidAt, 'order.paid', { ...deposit, paidAt: formatInstant(paidAt, TZ) }));
      }
    }
  }
  return lines;
}
