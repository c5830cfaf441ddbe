/**
 * Every wave's results per customer group (人群), as the playbook splits them "以此提升营销的效果及
 * 后期对每个用户群的营销分析把控": by the group the plan put each customer in (recorded on every
 * touch at plan time, so sub-groups the planner makes are reported as they are) and by the
 * marketer's own labels. Per group: touches planned, sent, failed, unknown and suppressed, the
 * orders and revenue attributed (the same last-touch attribution as the wave rows), the cost,
 * and, when the wave has a control group, what the wave added in that group against the
 * group's own held-out customers. Pure: touches and orders in, rows out.
 */
import { attribute, type SentTouch } from '../domain/attribution.ts';
import type { Campaign } from '../domain/campaign.ts';
import { type ArmOutcomes, groupIncrement, outcomesInWindow } from '../domain/incremental.ts';
import type { OrderState } from '../domain/orders.ts';
import type { GroupResult, WaveGroupResults } from '../domain/report-types.ts';
import { PLAYBOOK_GROUPS } from '../domain/segments.ts';
import type { Touch } from '../ports/campaign-store.ts';

export interface GroupWave {
  id: string;
  /** The wave's SMS time, ISO: the lift window starts there. */
  smsAt: string;
  /** The wave's held-out customers (status `control`); undefined when the wave has no control group. */
  held: readonly Touch[] | undefined;
}

/** A touch that recorded no group (planned before groups were recorded). */
const NO_GROUP = '';
/** Joins a wave id and a group code into one key: neither can contain it. */
const SEP = '\u0000';
const LABEL_SEP = '\u0001';

const roundCny = (value: number) => Math.round(value * 100) / 100;

type Kind = 'groups' | 'labels';
const codesOf = (touch: Pick<Touch, 'group' | 'labels'>, kind: Kind): readonly string[] =>
  kind === 'groups' ? [touch.group ?? NO_GROUP] : (touch.labels ?? []);

const PLAYBOOK_ORDER = new Map<string, number>(PLAYBOOK_GROUPS.map((group, index) => [group, index]));

/** Playbook groups in the playbook's order, then other codes (sub-groups, labels) by name, none last. */
function compareCodes(a: string, b: string): number {
  if (a === b) return 0;
  if (a === NO_GROUP) return 1;
  if (b === NO_GROUP) return -1;
  const pa = PLAYBOOK_ORDER.get(a) ?? Number.POSITIVE_INFINITY;
  const pb = PLAYBOOK_ORDER.get(b) ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa - pb;
  return a < b ? -1 : 1;
}

function emptyResult(code: string): GroupResult {
  return {
    code,
    customers: 0,
    planned: 0,
    sent: 0,
    failed: 0,
    unknown: 0,
    suppressed: 0,
    orders: 0,
    revenue: 0,
    cost: 0,
  };
}

/**
 * The per-group results of every wave; undefined when no touch recorded a group or a label.
 * `sent` are the sent touches as attribution reads them (with their group and labels).
 */
export function groupResults(
  waves: readonly GroupWave[],
  touches: readonly Touch[],
  sent: readonly SentTouch[],
  orders: readonly OrderState[],
  campaign: Pick<Campaign, 'attributionHours' | 'prices'>,
): WaveGroupResults[] | undefined {
  if (!touches.some((touch) => touch.group !== undefined || (touch.labels?.length ?? 0) > 0)) return undefined;
  const windowMs = campaign.attributionHours * 3_600_000;
  const byGroup = attribute(
    sent,
    orders,
    campaign.attributionHours,
    (touch) => `${touch.waveId}${SEP}${touch.group ?? NO_GROUP}`,
  );
  // A winning touch's order counts under each of its labels.
  const byLabels = attribute(
    sent,
    orders,
    campaign.attributionHours,
    (touch) => `${touch.waveId}${SEP}${(touch.labels ?? []).join(LABEL_SEP)}`,
  );
  const labelCredits = new Map<string, { orders: number; revenue: number }>();
  for (const [key, credit] of byLabels) {
    const [waveId = '', joined = ''] = key.split(SEP);
    if (joined === '') continue;
    for (const label of joined.split(LABEL_SEP)) {
      const own = labelCredits.get(`${waveId}${SEP}${label}`) ?? { orders: 0, revenue: 0 };
      own.orders += credit.orders;
      own.revenue = roundCny(own.revenue + credit.revenue);
      labelCredits.set(`${waveId}${SEP}${label}`, own);
    }
  }
  const credits: Record<Kind, Map<string, { orders: number; revenue: number }>> = {
    groups: byGroup,
    labels: labelCredits,
  };

  const ofWave = new Map<string, Touch[]>();
  for (const touch of touches) {
    const list = ofWave.get(touch.waveId) ?? [];
    list.push(touch);
    ofWave.set(touch.waveId, list);
  }

  return waves.map((wave) => {
    const own = ofWave.get(wave.id) ?? [];
    const from = Date.parse(wave.smsAt);
    const to = from + windowMs;
    const breakdown = (kind: Kind): GroupResult[] => {
      const rows = new Map<string, GroupResult>();
      const reached = new Map<string, Set<string>>();
      const treated = new Map<string, Set<string>>();
      const row = (code: string): GroupResult => {
        let result = rows.get(code);
        if (!result) {
          result = emptyResult(code);
          rows.set(code, result);
          reached.set(code, new Set());
          treated.set(code, new Set());
        }
        return result;
      };
      for (const touch of own) {
        for (const code of codesOf(touch, kind)) {
          const result = row(code);
          result.planned += 1;
          reached.get(code)?.add(touch.customerId);
          if (touch.status === 'sent') {
            result.sent += 1;
            treated.get(code)?.add(touch.customerId);
            result.cost +=
              touch.channel === 'sms' ? (touch.parts ?? 0) * campaign.prices.smsPart : campaign.prices.email;
          } else if (touch.status === 'failed') result.failed += 1;
          else if (touch.status === 'unknown') result.unknown += 1;
          else if (touch.status === 'suppressed') result.suppressed += 1;
        }
      }
      // The wave's held-out customers, per group: each group measured against its own.
      const heldBy = new Map<string, Set<string>>();
      for (const touch of wave.held ?? []) {
        for (const code of codesOf(touch, kind)) {
          row(code);
          const set = heldBy.get(code) ?? new Set<string>();
          set.add(touch.customerId);
          heldBy.set(code, set);
        }
      }
      for (const result of rows.values()) {
        const credit = credits[kind].get(`${wave.id}${SEP}${result.code}`) ?? { orders: 0, revenue: 0 };
        result.customers = reached.get(result.code)?.size ?? 0;
        result.orders = credit.orders;
        result.revenue = credit.revenue;
        result.cost = roundCny(result.cost);
        if (wave.held !== undefined) {
          const control: ArmOutcomes = outcomesInWindow(heldBy.get(result.code) ?? new Set(), orders, from, to);
          const outcomes = outcomesInWindow(treated.get(result.code) ?? new Set(), orders, from, to);
          result.increment = groupIncrement(wave.id, outcomes, control);
        }
      }
      return [...rows.values()].sort((a, b) => compareCodes(a.code, b.code));
    };
    return { waveId: wave.id, groups: breakdown('groups'), labels: breakdown('labels') };
  });
}
