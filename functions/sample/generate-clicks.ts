/**
 * Synthetic taps on the tracked links of a sample campaign, for `campaign simulate --clicks`:
 * some customers a wave's SMS reaches tap its link within two hours of it; every customer
 * who places an order because of a message (the sample's responses) taps the link of the
 * last wave that reached them shortly before paying, so "clicked then ordered" has something
 * to find; given the campaign, a buyer who pays an order after its reminder (催付, 尾款) is
 * due taps the reminder's link instead. A few taps come twice (a reload, a link preview),
 * which must count once. A tap on a reminder that did not leave (quiet hours, a cap) finds no
 * link: `campaign simulate` counts it as such. Deterministic: the same reach, orders and
 * seed give the same lines.
 */
import type { Campaign } from '../domain/campaign.ts';
import { formatInstant } from '../domain/local-time.ts';
import type { OrderEvent } from '../domain/orders.ts';
import { checksFor } from '../domain/triggers.ts';
import { mulberry32, type OrderLine, type WaveReach } from './generate-orders.ts';

/** Share of the customers a wave reaches who tap its link, by default. */
export const DEFAULT_CLICK_SHARE = 0.08;
/** Share of taps that come twice. */
const REPLAY_SHARE = 0.1;
const TAP_SPAN_MS = 2 * 3_600_000;
/** A buyer taps between 2 and 30 minutes before paying. */
const BEFORE_PAYING_MS = [2 * 60_000, 30 * 60_000] as const;
const TZ = 'Asia/Shanghai';

export interface ClickLine {
  at: string;
  click: { customerId: string; waveId: string };
}

export function sampleClickLines(
  reach: readonly WaveReach[],
  orders: readonly OrderLine[],
  options: { seed?: number; share?: number; campaign?: Campaign } = {},
): ClickLine[] {
  const share = options.share ?? DEFAULT_CLICK_SHARE;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`click share: ${share} is not between 0 and 1`);
  const random = mulberry32((options.seed ?? 1111) ^ 0xc11c_0001);
  const lines: ClickLine[] = [];
  const tap = (customerId: string, waveId: string, at: number) => {
    lines.push({ at: formatInstant(at, TZ), click: { customerId, waveId } });
    if (random() < REPLAY_SHARE) lines.push({ at: formatInstant(at + 1_000, TZ), click: { customerId, waveId } });
  };
  for (const wave of reach) {
    for (const [customerId, sentAt] of wave.reached) {
      if (random() < share) tap(customerId, wave.waveId, sentAt + 60_000 + Math.floor(random() * TAP_SPAN_MS));
    }
  }
  const reminders = remindersDue(orders, options.campaign);
  const before = () => BEFORE_PAYING_MS[0] + Math.floor(random() * (BEFORE_PAYING_MS[1] - BEFORE_PAYING_MS[0]));
  for (const line of orders) {
    if (line.event.type !== 'order.paid') continue;
    const { customerId, orderId, paidAt } = line.event.order;
    const paid = Date.parse(paidAt as string);
    // A reminded order: the buyer taps the last reminder due before paying.
    const reminder = reminders
      .get(orderId)
      ?.filter((due) => due.at + 60_000 < paid)
      .at(-1);
    if (reminder) {
      tap(customerId, reminder.rule, Math.max(reminder.at + 60_000, paid - before()));
      continue;
    }
    // The sample's responses (order ids R...): the buyer taps the last wave that reached them before paying.
    if (!orderId.startsWith('R')) continue;
    let last: { waveId: string; at: number } | undefined;
    for (const wave of reach) {
      const at = wave.reached.get(customerId);
      if (at !== undefined && at < paid && (!last || at > last.at)) last = { waveId: wave.waveId, at };
    }
    if (!last) continue;
    tap(customerId, last.waveId, Math.max(last.at + 60_000, paid - before()));
  }
  return lines.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      (a.click.customerId < b.click.customerId ? -1 : a.click.customerId > b.click.customerId ? 1 : 0),
  );
}

/** Order id -> the reminders its events make due (rule and time, in time order), by the campaign's order rules. */
function remindersDue(
  orders: readonly OrderLine[],
  campaign: Campaign | undefined,
): Map<string, { rule: string; at: number }[]> {
  const due = new Map<string, { rule: string; at: number }[]>();
  if (!campaign) return due;
  for (const line of orders) {
    for (const check of checksFor(campaign, 1, line.event as OrderEvent, Date.parse(line.at))) {
      const list = due.get(check.orderId) ?? [];
      list.push({ rule: check.rule, at: check.fireAt });
      due.set(check.orderId, list);
    }
  }
  for (const list of due.values()) list.sort((a, b) => a.at - b.at);
  return due;
}
