/**
 * The campaign report: per wave and channel, planned, sent,
 * failed and suppressed by reason, unknown, expired, cancelled and pending, read from the
 * recorded outcomes;
 * and the campaign's state with its audit trail (who changed what, when).
 */

import { attribute, type SentTouch } from '../domain/attribution.ts';
import type { Campaign } from '../domain/campaign.ts';
import {
  type ArmOutcomes,
  campaignIncrement,
  type Estimate,
  outcomesInWindow,
  type WaveIncrement,
  waveIncrement,
} from '../domain/incremental.ts';
import { formatInstant } from '../domain/local-time.ts';
import type { OrderState } from '../domain/orders.ts';
import type {
  CampaignReport,
  ClickResults,
  GroupResult,
  ReportIncremental,
  ReportRow,
  TierRow,
  UnknownTouch,
} from '../domain/report-types.ts';
import type { CampaignStore, Touch, TouchStore } from '../ports/campaign-store.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import type { Click, LinkStore } from '../ports/link-store.ts';
import type { OrderStore } from '../ports/order-store.ts';
import type { TriggerStore } from '../ports/trigger-store.ts';
import { unknownCampaign } from './errors.ts';
import { type GroupWave, groupResults } from './group-results.ts';
import { controlSendId, shardsFor } from './plan-campaign.ts';
import { triggerRows } from './trigger-results.ts';

const roundCny = (value: number) => Math.round(value * 100) / 100;

export interface ReportDeps {
  lifecycle: Pick<LifecycleStore, 'getLifecycle' | 'getVersion'>;
  campaigns: Pick<CampaignStore, 'getSends'>;
  touches: Pick<TouchStore, 'readShard'>;
  orders: Pick<OrderStore, 'allOrders'>;
  /** The order rules' check records; without it the report has no trigger rows. */
  triggers?: Pick<TriggerStore, 'checksOf'>;
  clock: { now(): number };
  /** The clicks on the campaign's tracked links; without it the report has no click columns. */
  links?: Pick<LinkStore, 'clicks'>;
}

function emptyRow(waveId: string, channel: ReportRow['channel']): ReportRow {
  return {
    waveId,
    channel,
    planned: 0,
    sent: 0,
    failed: {},
    suppressed: {},
    unknown: 0,
    expired: 0,
    cancelled: 0,
    pending: 0,
  };
}

function add(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Adds one touch's outcome to a row. */
export function countTouch(row: ReportRow, touch: Touch): void {
  row.planned += 1;
  if (touch.status === 'sent') {
    row.sent += 1;
    if (touch.parts) row.smsParts = (row.smsParts ?? 0) + touch.parts;
  } else if (touch.status === 'failed') add(row.failed, touch.reason ?? 'failed');
  else if (touch.status === 'suppressed') add(row.suppressed, touch.reason ?? 'suppressed');
  else if (touch.status === 'unknown') row.unknown += 1;
  else if (touch.status === 'expired') {
    row.expired += 1;
    row.expiredBy = row.expiredBy ?? {};
    add(row.expiredBy, touch.reason ?? 'expired');
  } else if (touch.status === 'cancelled') {
    row.cancelled += 1;
    row.cancelledBy = row.cancelledBy ?? {};
    add(row.cancelledBy, touch.reason ?? 'cancelled');
  } else row.pending += 1;
}

export async function buildReport(
  deps: ReportDeps,
  campaignId: string,
): Promise<{ report: CampaignReport; touches: Touch[] }> {
  const lifecycle = await deps.lifecycle.getLifecycle(campaignId);
  if (!lifecycle) throw unknownCampaign(campaignId);
  // The version being sent; before the first approval, the draft (every touch still pending).
  const shown = lifecycle.approvedVersion ?? lifecycle.latestVersion;
  const plan = await deps.lifecycle.getVersion(campaignId, shown);
  if (!plan) throw unknownCampaign(campaignId);
  const sends = await deps.campaigns.getSends(campaignId);
  const rows = new Map<string, ReportRow>();
  for (const wave of plan.timeline.waves) {
    rows.set(`${wave.id}/sms`, emptyRow(wave.id, 'sms'));
    if (wave.emailAt) rows.set(`${wave.id}/email`, emptyRow(wave.id, 'email'));
  }
  const unknownTouches: UnknownTouch[] = [];
  const all: Touch[] = [];
  for (const send of sends) {
    for (let shard = 0; shard < send.shards; shard += 1) {
      const touches = await deps.touches.readShard({ campaignId, version: send.version, sendId: send.id, shard });
      for (const stored of touches) {
        // A cancel marks its touches through the send queue, shard by shard: until the sweep
        // reaches one, a touch still planned of a cancelled campaign or wave is cancelled all the same.
        const cancelled =
          stored.status === 'planned' &&
          (lifecycle.state === 'cancelled' || lifecycle.cancelledWaves.includes(stored.waveId));
        const touch: Touch = cancelled ? { ...stored, status: 'cancelled', reason: 'cancelled' } : stored;
        const key = `${touch.waveId}/${touch.channel}`;
        const row = rows.get(key) ?? emptyRow(touch.waveId, touch.channel);
        rows.set(key, row);
        countTouch(row, touch);
        all.push(touch);
        if (touch.status === 'unknown') {
          unknownTouches.push({
            customerId: touch.customerId,
            waveId: touch.waveId,
            channel: touch.channel,
            sendId: touch.sendId,
          });
        }
      }
    }
  }
  // The control groups, held out of their waves: what each wave added is measured against them.
  const allOrders = await deps.orders.allOrders();
  const windowMs = plan.campaign.attributionHours * 3_600_000;
  const increments: WaveIncrement[] = [];
  const groupWaves: GroupWave[] = [];
  for (const wave of plan.timeline.waves) {
    // Treated: sent the wave on any channel. Compared over the same window from the wave's SMS time.
    const treated = new Set(all.filter((t) => t.waveId === wave.id && t.status === 'sent').map((t) => t.customerId));
    const from = Date.parse(wave.smsAt);
    let control: ArmOutcomes | undefined;
    if (wave.control > 0) {
      const held: Touch[] = [];
      for (let shard = 0; shard < shardsFor(wave.control); shard += 1) {
        held.push(
          ...(await deps.touches.readShard({
            campaignId,
            version: plan.version,
            sendId: controlSendId(wave.id),
            shard,
          })),
        );
      }
      control = outcomesInWindow(new Set(held.map((t) => t.customerId)), allOrders, from, from + windowMs);
      groupWaves.push({ id: wave.id, smsAt: wave.smsAt, held });
    } else groupWaves.push({ id: wave.id, smsAt: wave.smsAt, held: undefined });
    increments.push(waveIncrement(wave.id, outcomesInWindow(treated, allOrders, from, from + windowMs), control));
  }
  // Summed before rounding; rounded only for report.json.
  const incrementTotals = campaignIncrement(increments);
  const incremental: ReportIncremental = {
    windowHours: plan.campaign.attributionHours,
    waves: increments.map((wave) => (wave.known ? roundedIncrement(wave) : wave)),
    totals: {
      ...incrementTotals,
      buyers: incrementTotals.buyers && rounded(incrementTotals.buyers, 10),
      orders: incrementTotals.orders && rounded(incrementTotals.orders, 10),
      revenue: incrementTotals.revenue && rounded(incrementTotals.revenue, 100),
    },
  };

  // Results: orders credited by attribution, what each row cost, and the return on it.
  const sentTouches: SentTouch[] = all
    .filter((touch) => touch.status === 'sent' && touch.updatedAt)
    .map((touch) => ({
      customerId: touch.customerId,
      waveId: touch.waveId,
      channel: touch.channel,
      at: Date.parse(touch.updatedAt as string),
      tier: touch.tier,
      group: touch.group,
      labels: touch.labels,
    }));
  const { campaign } = plan;
  const credits = attribute(sentTouches, allOrders, campaign.attributionHours);
  for (const [key, row] of rows) {
    const credit = credits.get(key) ?? { orders: 0, revenue: 0 };
    row.orders = credit.orders;
    row.revenue = credit.revenue;
    row.cost = roundCny(
      row.channel === 'sms' ? (row.smsParts ?? 0) * campaign.prices.smsPart : row.sent * campaign.prices.email,
    );
    if (row.cost > 0) row.roi = Math.round(((row.revenue - row.cost) / row.cost) * 100) / 100;
  }
  const clicks =
    plan.campaign.links.trackingBase !== undefined && deps.links ? await deps.links.clicks(campaignId) : undefined;
  const clickResults = clicks && clickResultsOf(clicks, allOrders, campaign.attributionHours);
  if (clickResults) for (const [key, row] of rows) Object.assign(row, clickResults(key, row.sent));
  const ordered = [...rows.values()].filter(
    (row) => row.planned > 0 || plan.timeline.waves.some((w) => w.id === row.waveId),
  );
  const totals = emptyRow('', 'sms');
  for (const row of ordered) {
    totals.planned += row.planned;
    totals.sent += row.sent;
    totals.unknown += row.unknown;
    totals.expired += row.expired;
    totals.cancelled += row.cancelled;
    totals.pending += row.pending;
    if (row.smsParts) totals.smsParts = (totals.smsParts ?? 0) + row.smsParts;
    totals.orders = (totals.orders ?? 0) + (row.orders ?? 0);
    totals.revenue = roundCny((totals.revenue ?? 0) + (row.revenue ?? 0));
    totals.cost = roundCny((totals.cost ?? 0) + (row.cost ?? 0));
    if (row.clicks !== undefined) {
      totals.clicks = (totals.clicks ?? 0) + row.clicks;
      totals.clickedOrders = (totals.clickedOrders ?? 0) + (row.clickedOrders ?? 0);
      totals.clickedRevenue = roundCny((totals.clickedRevenue ?? 0) + (row.clickedRevenue ?? 0));
    }
    for (const [reason, n] of Object.entries(row.failed)) totals.failed[reason] = (totals.failed[reason] ?? 0) + n;
    for (const [reason, n] of Object.entries(row.suppressed))
      totals.suppressed[reason] = (totals.suppressed[reason] ?? 0) + n;
    for (const [reason, n] of Object.entries(row.expiredBy ?? {})) {
      totals.expiredBy = { ...totals.expiredBy, [reason]: (totals.expiredBy?.[reason] ?? 0) + n };
    }
    for (const [reason, n] of Object.entries(row.cancelledBy ?? {})) {
      totals.cancelledBy = { ...totals.cancelledBy, [reason]: (totals.cancelledBy?.[reason] ?? 0) + n };
    }
  }
  if (totals.clicks !== undefined && totals.sent > 0) totals.clickThrough = share(totals.clicks, totals.sent);
  if (totals.cost && totals.cost > 0)
    totals.roi = Math.round((((totals.revenue ?? 0) - totals.cost) / totals.cost) * 100) / 100;
  const { waveId: _w, channel: _c, ...totalCounts } = totals;
  const byTier = tierRows(all, sentTouches, allOrders, campaign);
  const byGroup = groupResults(groupWaves, all, sentTouches, allOrders, campaign)?.map((wave) => ({
    ...wave,
    groups: wave.groups.map((group) => withGroupClicks(roundedGroup(group), wave.waveId, clicks)),
    labels: wave.labels.map(roundedGroup),
  }));
  const triggers = deps.triggers
    ? triggerRows(campaign, await deps.triggers.checksOf(campaignId), allOrders)?.map((row) =>
        clickResults ? { ...row, ...clickResults(`${row.rule}/sms`, row.sent) } : row,
      )
    : undefined;
  unknownTouches.sort((a, b) =>
    a.sendId < b.sendId ? -1 : a.sendId > b.sendId ? 1 : a.customerId < b.customerId ? -1 : 1,
  );
  return {
    report: {
      campaignId,
      state: lifecycle.state,
      version: shown,
      timezone: plan.campaign.timezone,
      asOf: formatInstant(deps.clock.now(), plan.campaign.timezone),
      rows: ordered,
      totals: totalCounts,
      unknownTouches,
      attributionHours: campaign.attributionHours,
      incremental,
      audit: lifecycle.audit,
      ...(byTier ? { byTier } : {}),
      ...(byGroup ? { byGroup } : {}),
      ...(Object.keys(campaign.groupLabels ?? {}).length > 0 ? { groupLabels: { ...campaign.groupLabels } } : {}),
      ...(triggers ? { triggers } : {}),
    },
    touches: all,
  };
}

/** A share rounded for report.json (0.1234 = 12.34%). */
const share = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;

/**
 * The clicks and click-through of a row (`<wave or rule>/<channel>`), and its "clicked then
 * ordered": the orders paid within the attribution window after a click, credited to the
 * last click before the payment (a wave's or a reminder's), as timing credits the last touch.
 */
function clickResultsOf(
  clicks: readonly Click[],
  orders: readonly OrderState[],
  windowHours: number,
): (key: string, sent: number) => ClickResults {
  const counted = new Map<string, number>();
  for (const click of clicks)
    counted.set(`${click.waveId}/${click.channel}`, (counted.get(`${click.waveId}/${click.channel}`) ?? 0) + 1);
  const clicked: SentTouch[] = clicks.map((click) => ({
    customerId: click.customerId,
    waveId: click.waveId,
    channel: click.channel,
    at: Date.parse(click.at),
  }));
  const credits = attribute(clicked, orders, windowHours);
  return (key, sent) => {
    const count = counted.get(key) ?? 0;
    const credit = credits.get(key) ?? { orders: 0, revenue: 0 };
    return {
      clicks: count,
      ...(sent > 0 ? { clickThrough: share(count, sent) } : {}),
      clickedOrders: credit.orders,
      clickedRevenue: credit.revenue,
    };
  };
}

/** A group's clicks on one wave (both channels) and its click-through; unchanged when the campaign is not tracked. */
function withGroupClicks(group: GroupResult, waveId: string, clicks: readonly Click[] | undefined): GroupResult {
  if (!clicks) return group;
  const count = clicks.filter((click) => click.waveId === waveId && (click.group ?? '') === group.code).length;
  return { ...group, clicks: count, ...(group.sent > 0 ? { clickThrough: share(count, group.sent) } : {}) };
}

/** No tier, as a key: sorted after every tier. */
const NO_TIER = '';

/**
 * The results by member tier: touches planned and sent, what they cost, and the orders
 * credited to them by the same attribution as the wave rows (so the tiers add up to the
 * totals). Undefined when no touch has a tier (the files had no member_tier column).
 */
export function tierRows(
  touches: readonly Touch[],
  sent: readonly SentTouch[],
  orders: readonly OrderState[],
  campaign: Pick<Campaign, 'attributionHours' | 'prices'>,
): TierRow[] | undefined {
  if (!touches.some((touch) => touch.tier !== undefined)) return undefined;
  const rows = new Map<string, TierRow>();
  const customers = new Map<string, Set<string>>();
  for (const touch of touches) {
    const tier = touch.tier ?? NO_TIER;
    let row = rows.get(tier);
    if (!row) {
      row = { tier, customers: 0, planned: 0, sent: 0, orders: 0, revenue: 0, cost: 0 };
      rows.set(tier, row);
      customers.set(tier, new Set());
    }
    row.planned += 1;
    customers.get(tier)?.add(touch.customerId);
    if (touch.status !== 'sent') continue;
    row.sent += 1;
    row.cost += touch.channel === 'sms' ? (touch.parts ?? 0) * campaign.prices.smsPart : campaign.prices.email;
  }
  const credits = attribute(sent, orders, campaign.attributionHours, (touch) => touch.tier ?? NO_TIER);
  for (const row of rows.values()) {
    const credit = credits.get(row.tier) ?? { orders: 0, revenue: 0 };
    row.customers = customers.get(row.tier)?.size ?? 0;
    row.orders = credit.orders;
    row.revenue = credit.revenue;
    row.cost = roundCny(row.cost);
    if (row.cost > 0) row.roi = Math.round(((row.revenue - row.cost) / row.cost) * 100) / 100;
  }
  return [...rows.values()].sort((a, b) =>
    a.tier === b.tier ? 0 : a.tier === NO_TIER ? 1 : b.tier === NO_TIER ? -1 : a.tier < b.tier ? -1 : 1,
  );
}

/** Rounded for report.json: to `per` parts of a unit (10: a tenth, 100: a cent). */
function rounded(estimate: Estimate, per: number): Estimate {
  const round = (value: number) => Math.round(value * per) / per;
  return {
    value: round(estimate.value),
    interval: estimate.interval && { low: round(estimate.interval.low), high: round(estimate.interval.high) },
  };
}

function roundedGroup(result: GroupResult): GroupResult {
  const increment = result.increment;
  return increment?.known ? { ...result, increment: roundedIncrement(increment) } : result;
}

function roundedIncrement(wave: Extract<WaveIncrement, { known: true }>): WaveIncrement {
  const arm = (outcomes: ArmOutcomes): ArmOutcomes => ({
    ...outcomes,
    revenue: roundCny(outcomes.revenue),
    revenueSquares: roundCny(outcomes.revenueSquares),
  });
  return {
    ...wave,
    treated: arm(wave.treated),
    control: arm(wave.control),
    treatedRate: Math.round(wave.treatedRate * 1_000_000) / 1_000_000,
    controlRate: Math.round(wave.controlRate * 1_000_000) / 1_000_000,
    conversionPoints: rounded(wave.conversionPoints, 100),
    buyers: rounded(wave.buyers, 10),
    orders: rounded(wave.orders, 10),
    revenue: rounded(wave.revenue, 100),
  };
}
