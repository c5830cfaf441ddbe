import { type ArmOutcomes, groupIncrement } from '../../functions/domain/incremental.ts';
import type { CampaignReport, GroupResult, ReportRow, WaveGroupResults } from '../../functions/domain/report-types.ts';
import type { Channel } from '../../functions/domain/timeline.ts';

/**
 * A realistic report for d11-2026 three days after the midnight push, with the planned
 * volumes of fixture-timeline.ts. SMS costs ¥0.05 per billed part (the presale SMS is 2 parts),
 * email ¥0.03 per message. ROI = (revenue − cost) ÷ cost. The unpaid reminder lost 3,912
 * customers who paid before it (`suppressed:purchase`); the sender stopped once mid-send in
 * the midnight push, leaving 3 unknown outcomes. The midnight email has orders but no cost
 * known, so its cost and ROI are absent.
 */

interface RowSpec {
  failed?: Record<string, number>;
  suppressed?: Record<string, number>;
  unknown?: number;
  expired?: number;
  cancelled?: number;
  pending?: number;
  /** SMS parts per message. */
  parts?: number;
  orders?: number;
  revenue?: number;
  /** Cost per billed unit (SMS part or email); absent: cost unknown. */
  unitCost?: number;
}

const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const round2 = (n: number): number => Math.round(n * 100) / 100;
const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

function row(waveId: string, channel: Channel, planned: number, spec: RowSpec = {}): ReportRow {
  const failed = spec.failed ?? {};
  const suppressed = spec.suppressed ?? {};
  const unknown = spec.unknown ?? 0;
  const expired = spec.expired ?? 0;
  const cancelled = spec.cancelled ?? 0;
  const pending = spec.pending ?? 0;
  const sent = planned - total(failed) - total(suppressed) - unknown - expired - cancelled - pending;
  const out: ReportRow = {
    waveId,
    channel,
    planned,
    sent,
    failed,
    suppressed,
    unknown,
    expired,
    cancelled,
    pending,
  };
  if (channel === 'sms') out.smsParts = sent * (spec.parts ?? 1);
  if (spec.orders !== undefined) out.orders = spec.orders;
  if (spec.revenue !== undefined) out.revenue = spec.revenue;
  if (spec.unitCost !== undefined) {
    const cost = round2((channel === 'sms' ? (out.smsParts ?? 0) : sent) * spec.unitCost);
    out.cost = cost;
    if (out.revenue !== undefined && cost > 0) out.roi = round4((out.revenue - cost) / cost);
  }
  return out;
}

function mergeCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export function totalsOf(rows: ReportRow[]): CampaignReport['totals'] {
  const t: CampaignReport['totals'] = {
    planned: 0,
    sent: 0,
    failed: {},
    suppressed: {},
    unknown: 0,
    expired: 0,
    cancelled: 0,
    pending: 0,
    smsParts: 0,
  };
  let orders: number | undefined;
  let revenue: number | undefined;
  let cost: number | undefined;
  for (const r of rows) {
    t.planned += r.planned;
    t.sent += r.sent;
    mergeCounts(t.failed, r.failed);
    mergeCounts(t.suppressed, r.suppressed);
    t.unknown += r.unknown;
    t.expired += r.expired;
    t.cancelled += r.cancelled;
    t.pending += r.pending;
    t.smsParts = (t.smsParts ?? 0) + (r.smsParts ?? 0);
    if (r.orders !== undefined) orders = (orders ?? 0) + r.orders;
    if (r.revenue !== undefined) revenue = round2((revenue ?? 0) + r.revenue);
    if (r.cost !== undefined) cost = round2((cost ?? 0) + r.cost);
  }
  if (orders !== undefined) t.orders = orders;
  if (revenue !== undefined) t.revenue = revenue;
  if (cost !== undefined) t.cost = cost;
  if (revenue !== undefined && cost !== undefined && cost > 0) t.roi = round4((revenue - cost) / cost);
  return t;
}

const rows: ReportRow[] = [
  row('presale', 'email', 100_800, {
    failed: { rejected: 1_312 },
    suppressed: { 'opt-out': 88 },
    orders: 604,
    revenue: 219_870.4,
    unitCost: 0.03,
  }),
  row('presale', 'sms', 108_000, {
    failed: { rejected: 412, throttled: 36 },
    suppressed: { 'opt-out': 143 },
    parts: 2,
    orders: 2_214,
    revenue: 854_604.2,
    unitCost: 0.05,
  }),
  row('warmup', 'email', 120_000, {
    failed: { rejected: 1_587 },
    suppressed: { 'opt-out': 171, 'no-email': 7 },
    orders: 512,
    revenue: 168_233.9,
    unitCost: 0.03,
  }),
  row('warmup', 'sms', 60_000, {
    failed: { rejected: 233 },
    suppressed: { 'opt-out': 96, 'cap:touches': 210 },
    orders: 1_046,
    revenue: 362_118.75,
    unitCost: 0.05,
  }),
  row('unpaid', 'sms', 10_800, {
    failed: { rejected: 38 },
    suppressed: { 'suppressed:purchase': 3_912, 'opt-out': 21 },
    orders: 1_694,
    revenue: 611_520.6,
    unitCost: 0.05,
  }),
  row('midnight', 'email', 120_000, {
    failed: { rejected: 1_876 },
    suppressed: { 'opt-out': 405 },
    orders: 893,
    revenue: 301_556.3,
  }),
  row('midnight', 'sms', 180_000, {
    failed: { throttled: 1_204, rejected: 655, 'carrier:blocked': 17 },
    suppressed: { 'opt-out': 310, 'cap:sms-month': 58, 'cap:touches': 44, 'no-phone': 9 },
    unknown: 3,
    orders: 6_120,
    revenue: 2_417_886.5,
    unitCost: 0.05,
  }),
];

/** One side of a comparison: `buyers` of `customers` bought one order each, of about `mean` CNY. */
function arm(customers: number, buyers: number, mean: number): ArmOutcomes {
  return {
    customers,
    buyers,
    orders: buyers,
    ordersSquares: buyers,
    revenue: buyers * mean,
    revenueSquares: buyers * mean * mean * 1.3,
  };
}

interface GroupSpec {
  code: string;
  customers: number;
  failed: number;
  orders: number;
  revenue: number;
  /** Treated and held-out customers and buyers, for a wave with a control group. */
  lift?: { sent: [number, number]; held: [number, number] };
}

function groupResult(waveId: string, spec: GroupSpec): GroupResult {
  const sent = spec.customers - spec.failed;
  return {
    code: spec.code,
    customers: spec.customers,
    planned: spec.customers,
    sent,
    failed: spec.failed,
    unknown: 0,
    suppressed: 0,
    orders: spec.orders,
    revenue: spec.revenue,
    cost: Math.round(sent * 5) / 100,
    ...(spec.lift
      ? {
          increment: groupIncrement(
            waveId,
            arm(spec.lift.sent[0], spec.lift.sent[1], 350),
            arm(spec.lift.held[0], spec.lift.held[1], 350),
          ),
        }
      : {}),
  };
}

/**
 * The warmup wave (10% held out) by playbook group and by the marketer's labels: the loyal
 * customers responded, the dormant barely, and only 12 unpaid customers were held out (too few
 * to tell); the midnight push (no control group) by group only.
 */
const byGroup: WaveGroupResults[] = [
  {
    waveId: 'warmup',
    groups: (
      [
        {
          code: 'unpaid',
          customers: 120,
          failed: 1,
          orders: 9,
          revenue: 2_900,
          lift: { sent: [119, 9], held: [12, 0] },
        },
        {
          code: 'd11-loyal',
          customers: 42_000,
          failed: 400,
          orders: 3_900,
          revenue: 1_380_000,
          lift: { sent: [41_600, 3_500], held: [4_600, 290] },
        },
        {
          code: 'recent-high',
          customers: 38_000,
          failed: 350,
          orders: 2_700,
          revenue: 960_000,
          lift: { sent: [37_650, 2_300], held: [4_200, 240] },
        },
        {
          code: 'dormant-deep',
          customers: 69_880,
          failed: 836,
          orders: 2_991,
          revenue: 1_020_000,
          lift: { sent: [69_044, 2_600], held: [7_188, 250] },
        },
      ] satisfies GroupSpec[]
    ).map((spec) => groupResult('warmup', spec)),
    labels: (
      [
        {
          code: 'vip-2025',
          customers: 31_000,
          failed: 300,
          orders: 2_800,
          revenue: 990_000,
          lift: { sent: [30_700, 2_500], held: [3_400, 200] },
        },
        { code: 'autumn-new', customers: 400, failed: 4, orders: 20, revenue: 6_100 },
      ] satisfies GroupSpec[]
    ).map((spec) => groupResult('warmup', spec)),
  },
  {
    waveId: 'midnight',
    groups: [
      { code: 'd11-loyal', customers: 80_000, failed: 900, orders: 3_100, revenue: 1_200_000 },
      { code: 'recent-high', customers: 70_000, failed: 700, orders: 2_000, revenue: 800_000 },
      { code: 'dormant-deep', customers: 30_000, failed: 276, orders: 1_020, revenue: 417_886.5 },
    ].map((spec) => groupResult('midnight', spec)),
    labels: [],
  },
];

export const fixtureReport: CampaignReport = {
  campaignId: 'd11-2026',
  timezone: 'Asia/Shanghai',
  asOf: '2026-11-14T10:00:00+08:00',
  rows,
  totals: totalsOf(rows),
  attributionHours: 72,
  // Only the warmup wave had a control group (10%): 6.0% of those sent bought within 72 h, 5.0% of those held out.
  incremental: {
    windowHours: 72,
    waves: [
      { waveId: 'presale', known: false, why: 'no-control' },
      {
        waveId: 'warmup',
        known: true,
        treated: {
          customers: 150_000,
          buyers: 9_000,
          orders: 9_600,
          ordersSquares: 10_800,
          revenue: 3_360_000,
          revenueSquares: 1_600_000_000,
        },
        control: {
          customers: 16_000,
          buyers: 800,
          orders: 850,
          ordersSquares: 950,
          revenue: 300_000,
          revenueSquares: 140_000_000,
        },
        treatedRate: 0.06,
        controlRate: 0.05,
        conversionPoints: { value: 1, interval: { low: 0.63, high: 1.35 } },
        buyers: { value: 1_500, interval: { low: 947.4, high: 2_023.2 } },
        orders: { value: 1_631.3, interval: { low: 1_044.1, high: 2_218.4 } },
        revenue: { value: 547_500, interval: { low: 321_148.57, high: 773_851.43 } },
      },
      { waveId: 'unpaid', known: false, why: 'no-control' },
      { waveId: 'midnight', known: false, why: 'no-control' },
    ],
    totals: {
      waves: ['warmup'],
      unknownWaves: ['presale', 'unpaid', 'midnight'],
      buyers: { value: 1_500, interval: { low: 947.4, high: 2_023.2 } },
      orders: { value: 1_631.3, interval: { low: 1_044.1, high: 2_218.4 } },
      revenue: { value: 547_500, interval: { low: 321_148.57, high: 773_851.43 } },
    },
  },
  byGroup,
  groupLabels: { 'vip-2025': '去年VIP' },
  unknownTouches: [
    { customerId: 'c-0048213', waveId: 'midnight', channel: 'sms', sendId: 'midnight-sms-g2' },
    { customerId: '买家_小鱼儿88', waveId: 'midnight', channel: 'sms', sendId: 'midnight-sms-g2' },
    { customerId: 'c-0112907', waveId: 'midnight', channel: 'sms', sendId: 'midnight-sms-g3' },
  ],
};

/**
 * The same campaign on the evening of 11/10, before any order was ingested: no orders,
 * revenue, cost or ROI anywhere, and the midnight SMS still entirely pending.
 */
const pendingRows: ReportRow[] = rows.map((r): ReportRow => {
  const { orders: _o, revenue: _r, cost: _c, roi: _roi, ...rest } = r;
  if (r.waveId === 'midnight' && r.channel === 'sms')
    return {
      ...rest,
      sent: 0,
      failed: {},
      suppressed: {},
      unknown: 0,
      expired: 0,
      cancelled: 0,
      pending: r.planned,
      smsParts: 0,
    };
  return { ...rest, failed: { ...r.failed }, suppressed: { ...r.suppressed } };
});

export const fixtureReportNoOrders: CampaignReport = {
  campaignId: 'd11-2026',
  timezone: 'Asia/Shanghai',
  asOf: '2026-11-10T21:00:00+08:00',
  rows: pendingRows,
  totals: totalsOf(pendingRows),
  unknownTouches: [],
};
