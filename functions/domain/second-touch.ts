/**
 * Who gains most from a second SMS. The playbook: recent good customers generally need no
 * repeated marketing (they bought lately and will see the midnight push anyway), the
 * Double-11 customers deserve a focused warm-up, and among the dormant groups one looks for
 * the relatively valuable customers. So the benefit of a second touch ranks Double-11 history
 * first, then spend, then how long the customer has been away; a recent buyer ranks last.
 * Pure: facts and `now` in, a score out. (The send order inside a wave is a separate score:
 * segments.ts customerValue.)
 */
import { DAY_MS } from './local-time.ts';
import type { CustomerFacts, PlaybookGroup } from './segments.ts';

/**
 * The groups that may get more than one SMS unless the campaign says otherwise
 * (`caps.multiSmsGroups`): the Double-11 groups (focused warm-up), the dormant groups
 * (win back the better ones), and unpaid orders (the reminder to pay is a second touch
 * that finishes a purchase already begun). Not `recent-high` or `recent`, who bought
 * lately, nor `churned`, whom a second promotion mostly annoys.
 */
export const DEFAULT_MULTI_SMS_GROUPS: readonly PlaybookGroup[] = [
  'unpaid',
  'd11-loyal',
  'd11-only',
  'd11-veteran',
  'dormant-shallow',
  'dormant-deep',
];

/** Spend at which the spend part of the score is full, CNY (log scale below it). */
const FULL_SPEND = 20_000;
/** Days away at which the absence part is half full. */
const HALF_AWAY_DAYS = 60;

/**
 * The benefit of a second SMS, 0 to 1: past Double-11s (up to three, 50%), spend (log
 * scale, 30%) and time away since the last order (half at 60 days, full when never or long
 * ago, 20%). A customer who ordered yesterday scores nothing for being away. An unpaid order
 * scores 1: the reminder to pay finishes a purchase the customer has already begun.
 */
export function secondTouchBenefit(facts: CustomerFacts, now: number, campaignYear: number): number {
  if (facts.unpaidOrder === true) return 1;
  let pastDouble11s = 0;
  for (const year of facts.d11Years) if (year < campaignYear) pastDouble11s += 1;
  const history = Math.min(1, pastDouble11s / 3);
  const spend = Math.min(1, Math.log10(1 + Math.max(0, facts.totalSpend ?? 0)) / Math.log10(1 + FULL_SPEND));
  const days = facts.lastOrderAt === undefined ? Number.POSITIVE_INFINITY : (now - facts.lastOrderAt) / DAY_MS;
  const away = Number.isFinite(days) ? 1 - 0.5 ** (Math.max(0, days) / HALF_AWAY_DAYS) : 1;
  return 0.5 * history + 0.3 * spend + 0.2 * away;
}
