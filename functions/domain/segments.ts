/**
 * The playbook groups: every customer has one primary group, first match wins,
 * with days counted back from the planning time. Pure: facts and `now` in, group out.
 */
import { DAY_MS, wallClockAt } from './local-time.ts';

export const PLAYBOOK_GROUPS = [
  'unpaid',
  'd11-loyal',
  'd11-only',
  'd11-veteran',
  'recent-high',
  'recent',
  'dormant-shallow',
  'dormant-deep',
  'churned',
] as const;
export type PlaybookGroup = (typeof PLAYBOOK_GROUPS)[number];

/** Everyone, in a wave's audience. */
export const EVERYONE = '*';

export interface SegmentationSettings {
  loyalYears: number;
  recentDays: number;
  shallowDays: number;
  deepDays: number;
  highOrders: number;
  highSpend: number;
  /** Member tiers (as normaliseTier spells them) that count as high value for `recent-high`. */
  highTiers: readonly string[];
  order: readonly PlaybookGroup[];
}

/** What segmentation needs to know of a customer. */
export interface CustomerFacts {
  unpaidOrder?: boolean | undefined;
  d11Years: readonly number[];
  orderCount?: number | undefined;
  totalSpend?: number | undefined;
  lastOrderAt?: number | undefined;
  tier?: string | undefined;
}

export interface SegmentationContext {
  settings: SegmentationSettings;
  /** The planning time, epoch ms. */
  now: number;
  /** The year of the Double-11 being planned: "past Double-11s" are the years before it. */
  campaignYear: number;
  timeZone: string;
}

type Rule = (facts: CustomerFacts, context: SegmentationContext) => boolean;

function daysSinceLastOrder(facts: CustomerFacts, now: number): number {
  return facts.lastOrderAt === undefined ? Number.POSITIVE_INFINITY : (now - facts.lastOrderAt) / DAY_MS;
}

function pastDouble11s(facts: CustomerFacts, campaignYear: number): number {
  let count = 0;
  for (const year of facts.d11Years) if (year < campaignYear) count += 1;
  return count;
}

const RULES: Record<PlaybookGroup, Rule> = {
  unpaid: (facts) => facts.unpaidOrder === true,
  'd11-loyal': (facts, { settings, campaignYear }) => {
    for (let year = campaignYear - settings.loyalYears; year < campaignYear; year += 1) {
      if (!facts.d11Years.includes(year)) return false;
    }
    return true;
  },
  // A store export has no order list, so "every order was on a Double-11" is read as:
  // no more orders than past Double-11 years, and the last order fell on an 11 November.
  // Past ones only, as for the other Double-11 groups: a year of this campaign (a file
  // exported on the day) or later is no Double-11 history yet.
  'd11-only': (facts, { timeZone, campaignYear }) => {
    const past = pastDouble11s(facts, campaignYear);
    if (past === 0) return false;
    if (facts.orderCount !== undefined && (facts.orderCount === 0 || facts.orderCount > past)) return false;
    if (facts.lastOrderAt === undefined) return true;
    const last = wallClockAt(facts.lastOrderAt, timeZone);
    return last.month === 11 && last.day === 11 && last.year < campaignYear && facts.d11Years.includes(last.year);
  },
  'd11-veteran': (facts, { campaignYear }) => pastDouble11s(facts, campaignYear) > 0,
  // A high member tier is high value too: the store's own judgment of a customer.
  'recent-high': (facts, { settings, now }) =>
    daysSinceLastOrder(facts, now) <= settings.recentDays &&
    ((facts.orderCount ?? 0) >= settings.highOrders ||
      (facts.totalSpend ?? 0) >= settings.highSpend ||
      (facts.tier !== undefined && settings.highTiers.includes(facts.tier))),
  recent: (facts, { settings, now }) => daysSinceLastOrder(facts, now) <= settings.recentDays,
  'dormant-shallow': (facts, { settings, now }) => {
    const days = daysSinceLastOrder(facts, now);
    return days > settings.recentDays && days <= settings.shallowDays;
  },
  'dormant-deep': (facts, { settings, now }) => {
    const days = daysSinceLastOrder(facts, now);
    return days > settings.shallowDays && days <= settings.deepDays;
  },
  churned: () => true,
};

/** The customer's primary playbook group: the first rule, in the campaign's order, that matches. */
export function primaryGroup(facts: CustomerFacts, context: SegmentationContext): PlaybookGroup {
  for (const group of context.settings.order) {
    if (RULES[group](facts, context)) return group;
  }
  return 'churned';
}

/**
 * A customer's value to the campaign, 0 to 1, used to decide who may get a second SMS
 * and who is sent first: spend (log scale, 40%), recency (halves every 60 days, 35%)
 * and Double-11 history (each past Double-11 up to three, 25%).
 */
export function customerValue(facts: CustomerFacts, now: number, campaignYear: number): number {
  const spend = Math.min(1, Math.log10(1 + Math.max(0, facts.totalSpend ?? 0)) / Math.log10(1 + 20_000));
  const days = daysSinceLastOrder(facts, now);
  const recency = Number.isFinite(days) ? 0.5 ** (Math.max(0, days) / 60) : 0;
  const history = Math.min(1, pastDouble11s(facts, campaignYear) / 3);
  return 0.4 * spend + 0.35 * recency + 0.25 * history;
}
