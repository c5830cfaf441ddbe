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
    type: 'order.created' | 'order.paid' | 'order.refunded';
    order: { orderId: string; customerId: string; amount: string; currency: 'CNY'; createdAt: string; paidAt?: string };
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
