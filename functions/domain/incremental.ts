/**
 * What a wave added: its treated customers (sent the wave) against its control group (held
 * out of it by a stable draw), over the same window after the wave's SMS time. Conversion,
 * orders and revenue per customer are compared; the difference times the treated customers
 * is what the wave added (the effect on those it reached). Every figure carries a 95%
 * confidence interval, or says plainly that the counts are too small for one. A wave without
 * a control group has an unknown effect: never shown as zero.
 *
 * Methods (all two-sided 95%):
 * - Conversion (share of customers who paid at least one order): the difference of two
 *   proportions with Newcombe's hybrid score interval (his method 10: Wilson score limits of
 *   each share, combined). Unlike the Wald interval it stays inside [-1, 1] and is sound for
 *   small counts and for zero buyers on either side.
 * - Orders and revenue per customer: the difference of two means with Welch's interval (each
 *   side its own variance, Student's t with the Welch-Satterthwaite degrees of freedom).
 *   Per-customer revenue is mostly zeros and skewed; with fewer than MIN_BUYERS buyers on
 *   either side its sample variance says little, so no interval is given then (the estimate
 *   still is).
 * - Campaign totals: the sum of the waves' estimates; the interval by the MOVER rule for a sum
 *   (each limit is the sum's estimate minus or plus the root of the summed squared distances
 *   of the waves' limits from their estimates), which assumes the waves' estimates are
 *   independent. For Welch's symmetric intervals that is the root of the summed squared
 *   half-widths. If any wave in the sum has no interval, the total has none.
 */
import type { OrderState } from './orders.ts';

/** Two-sided 95%: the standard normal's 0.975 quantile. */
export const Z_95 = 1.959963984540054;
/** Below this many buyers on either side, a mean of mostly-zero, skewed values gets no interval. */
export const MIN_BUYERS = 5;

export interface Interval {
  low: number;
  high: number;
}

export interface Estimate {
  value: number;
  /** The 95% confidence interval; null when the counts are too small to give one honestly. */
  interval: Interval | null;
}

/** What one side (treated or control) did in the window: per-customer sums and sums of squares. */
export interface ArmOutcomes {
  customers: number;
  /** Customers who paid at least one order in the window. */
  buyers: number;
  orders: number;
  ordersSquares: number;
  /** CNY. */
  revenue: number;
  revenueSquares: number;
}

export interface KnownIncrement {
  waveId: string;
  known: true;
  treated: ArmOutcomes;
  control: ArmOutcomes;
  /** Conversion of the treated and of the control, as shares (0.062 = 6.2%). */
  treatedRate: number;
  controlRate: number;
  /** Treated minus control conversion, in percentage points. */
  conversionPoints: Estimate;
  /** Buyers, orders and CNY the wave added: the per-customer difference times the treated customers. */
  buyers: Estimate;
  orders: Estimate;
  revenue: Estimate;
}

export type UnknownReason =
  /** The wave had no control group (controlShare 0). */
  | 'no-control'
  /** A control group was asked for but nobody was drawn into it. */
  | 'empty-control'
  /** Nobody was sent the wave (yet). */
  | 'nobody-sent'
  /** A part of a wave (one customer group) with fewer than MIN_GROUP_CONTROL customers held out. */
  | 'too-few';

export interface UnknownIncrement {
  waveId: string;
  known: false;
  why: UnknownReason;
}

export type WaveIncrement = KnownIncrement | UnknownIncrement;

export interface CampaignIncrement {
  /** The waves summed: those whose effect is known. */
  waves: string[];
  /** The waves whose effect is unknown, so the totals leave them out. */
  unknownWaves: string[];
  /** Null when no wave's effect is known: an unknown total, not a zero. */
  buyers: Estimate | null;
  orders: Estimate | null;
  revenue: Estimate | null;
}

export function emptyArm(customers = 0): ArmOutcomes {
  return { customers, buyers: 0, orders: 0, ordersSquares: 0, revenue: 0, revenueSquares: 0 };
}

/**
 * What `customers` did within [from, to]: paid orders (paid in the window, not refunded),
 * counted per customer. Customers with no order count as zeros.
 */
export function outcomesInWindow(
  customers: ReadonlySet<string>,
  orders: readonly OrderState[],
  from: number,
  to: number,
): ArmOutcomes {
  const perCustomer = new Map<string, { orders: number; revenue: number }>();
  for (const order of orders) {
    if (!order.paidAt || order.refundedAt || !customers.has(order.customerId)) continue;
    const paid = Date.parse(order.paidAt);
    if (paid < from || paid > to) continue;
    const sums = perCustomer.get(order.customerId) ?? { orders: 0, revenue: 0 };
    sums.orders += 1;
    sums.revenue += order.amount;
    perCustomer.set(order.customerId, sums);
  }
  const arm = emptyArm(customers.size);
  for (const sums of perCustomer.values()) {
    arm.buyers += 1;
    arm.orders += sums.orders;
    arm.ordersSquares += sums.orders * sums.orders;
    arm.revenue += sums.revenue;
    arm.revenueSquares += sums.revenue * sums.revenue;
  }
  return arm;
}

/** Wilson's score interval for a share `x / n` (n > 0). */
export function wilson(x: number, n: number, z = Z_95): Interval {
  const p = x / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Newcombe's hybrid score interval for p1 - p2 (his method 10), both n > 0. */
export function newcombe(x1: number, n1: number, x2: number, n2: number): Estimate {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1);
  const b = wilson(x2, n2);
  const value = p1 - p2;
  return {
    value,
    interval: {
      low: value - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
      high: value + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
    },
  };
}

/**
 * Student's t 0.975 quantile for `df` degrees of freedom: the Cornish-Fisher expansion in 1/df
 * around the normal quantile (Hill 1970), within 0.004 of the exact value from 3 degrees of
 * freedom up. Below 3 the expansion runs short, so the exact quantile of the whole degrees
 * below is used instead: a little wider, never narrower.
 */
export function t975(df: number): number {
  if (!Number.isFinite(df)) return Z_95;
  if (df < 2) return 12.706204736174694;
  if (df < 3) return 4.302652729749462;
  const z = Z_95;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92_160 * df ** 4)
  );
}

/** Sample variance from a sum and a sum of squares (n > 1). */
function variance(sum: number, squares: number, n: number): number {
  return Math.max(0, (squares - (sum * sum) / n) / (n - 1));
}

/** Welch's interval for mean1 - mean2; null with fewer than 2 customers on a side or no spread at all. */
export function welch(
  sum1: number,
  squares1: number,
  n1: number,
  sum2: number,
  squares2: number,
  n2: number,
): Estimate {
  const value = sum1 / n1 - sum2 / n2;
  if (n1 < 2 || n2 < 2) return { value, interval: null };
  const v1 = variance(sum1, squares1, n1) / n1;
  const v2 = variance(sum2, squares2, n2) / n2;
  const se = Math.sqrt(v1 + v2);
  if (se === 0) return { value, interval: null };
  const df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1));
  const half = t975(df) * se;
  return { value, interval: { low: value - half, high: value + half } };
}

function scaled(estimate: Estimate, factor: number): Estimate {
  return {
    value: estimate.value * factor,
    interval: estimate.interval ? { low: estimate.interval.low * factor, high: estimate.interval.high * factor } : null,
  };
}

/** A wave's effect from what its treated and its control customers did in the same window. */
export function waveIncrement(waveId: string, treated: ArmOutcomes, control: ArmOutcomes | undefined): WaveIncrement {
  if (!control) return { waveId, known: false, why: 'no-control' };
  if (control.customers === 0) return { waveId, known: false, why: 'empty-control' };
  if (treated.customers === 0) return { waveId, known: false, why: 'nobody-sent' };
  const n = treated.customers;
  const conversion = newcombe(treated.buyers, n, control.buyers, control.customers);
  const enoughBuyers = treated.buyers >= MIN_BUYERS && control.buyers >= MIN_BUYERS;
  const mean = (t: number, tSq: number, c: number, cSq: number): Estimate => {
    const estimate = welch(t, tSq, n, c, cSq, control.customers);
    return enoughBuyers ? estimate : { value: estimate.value, interval: null };
  };
  return {
    waveId,
    known: true,
    treated,
    control,
    treatedRate: treated.buyers / n,
    controlRate: control.buyers / control.customers,
    conversionPoints: scaled(conversion, 100),
    buyers: scaled(conversion, n),
    orders: scaled(mean(treated.orders, treated.ordersSquares, control.orders, control.ordersSquares), n),
    revenue: scaled(mean(treated.revenue, treated.revenueSquares, control.revenue, control.revenueSquares), n),
  };
}

/**
 * Below this many customers held out in one customer group of a wave, that group's effect is
 * unknown: a handful of held-out customers would give an interval too wide to read (or, at
 * the extremes, a misleading one), so none is shown rather than a noisy number.
 */
export const MIN_GROUP_CONTROL = 30;

/**
 * What a wave added within one customer group: its treated and its control customers of that
 * group, as `waveIncrement`; unknown (`too-few`) when fewer than MIN_GROUP_CONTROL of the
 * group were held out. Undefined `control`: the wave had no control group at all.
 */
export function groupIncrement(waveId: string, treated: ArmOutcomes, control: ArmOutcomes | undefined): WaveIncrement {
  if (control && control.customers < MIN_GROUP_CONTROL && treated.customers > 0) {
    return { waveId, known: false, why: 'too-few' };
  }
  return waveIncrement(waveId, treated, control);
}

/** The MOVER sum of independent estimates; no interval if any part has none. */
export function sumOf(parts: readonly Estimate[]): Estimate {
  const value = parts.reduce((sum, part) => sum + part.value, 0);
  if (parts.some((part) => part.interval === null)) return { value, interval: null };
  const below = Math.sqrt(parts.reduce((sum, part) => sum + (part.value - (part.interval as Interval).low) ** 2, 0));
  const above = Math.sqrt(parts.reduce((sum, part) => sum + ((part.interval as Interval).high - part.value) ** 2, 0));
  return { value, interval: { low: value - below, high: value + above } };
}

/** The campaign's totals over the waves whose effect is known; the others are named, not counted as zero. */
export function campaignIncrement(waves: readonly WaveIncrement[]): CampaignIncrement {
  const known = waves.filter((wave): wave is KnownIncrement => wave.known);
  const total = (part: (wave: KnownIncrement) => Estimate) => (known.length ? sumOf(known.map(part)) : null);
  return {
    waves: known.map((wave) => wave.waveId),
    unknownWaves: waves.filter((wave) => !wave.known).map((wave) => wave.waveId),
    buyers: total((wave) => wave.buyers),
    orders: total((wave) => wave.orders),
    revenue: total((wave) => wave.revenue),
  };
}
