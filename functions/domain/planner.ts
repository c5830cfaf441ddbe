/**
 * The planner: campaign + customers + `now` in, the timeline out. Pure and deterministic:
 * the same inputs give the same plan, byte for byte once serialised.
 *
 * It composes four pure phases, each testable alone (the README explains them for marketers):
 * 1. candidates (planner/candidates.ts): each customer's playbook group and value score, and
 *    the touches that could happen at all; the rest are dropped with their reason: `past`,
 *    `opt-out`, `no-phone`, `no-email`, `email-condition`, `control`.
 * 2. allocation (planner/allocation.ts): the caps per customer, the midnight push first; only
 *    customers of the groups allowed it, most benefit from a second touch first (second-touch.ts),
 *    up to the multi-SMS share of those reached, get a second SMS.
 * 3. layout (planner/layout.ts): each wave and channel most valuable first, in even groups of at
 *    most `groupSize`, at the configured rate, around quiet hours; what cannot be sent before its
 *    deadline is dropped as `no-window`.
 *    Then the budget (planner/budget.ts): over it, touches are cut, never the midnight push.
 * 4. summary (planner/summary.ts): counts, cost, drops and warnings: the timeline file.
 */
import {
  type Campaign,
  CampaignFileError,
  campaignYear as campaignYearOf,
  formatPath,
  MAX_WAVES,
  midnightInstant,
  type Wave,
} from './campaign.ts';
import type { CustomerSet } from './customer-set.ts';
import { parseClock } from './local-time.ts';
import {
  allocateTouches,
  demoteLeastValuable,
  multiSmsCount,
  reachedCount,
  secondTouchOrder,
  valueOrder,
} from './planner/allocation.ts';
import { fitBudget } from './planner/budget.ts';
import { type Candidates, findCandidates } from './planner/candidates.ts';
import { DropTally } from './planner/drops.ts';
import {
  type LayoutContext,
  layOutAll,
  nameLengths,
  overflowDrops,
  plannedSends,
  withoutOverflow,
} from './planner/layout.ts';
import type { PlanningCustomers } from './planner/planning-customers.ts';
import { summarise } from './planner/summary.ts';
import { prepareWaves, type WavePlan } from './planner/waves.ts';
import { PLAYBOOK_GROUPS } from './segments.ts';
import type { QuietHours } from './send-windows.ts';
import {
  bannedWordWarnings,
  effectiveSmsRules,
  nightPromotionWarning,
  smsRuleProblems,
  waveSmsTexts,
} from './sms-rules.ts';
import type { PlanWarning, Timeline } from './timeline.ts';

export { BudgetTooSmallError } from './planner/budget.ts';
export { controlDraw } from './planner/candidates.ts';
export { DROP_REASONS, type DropReason } from './planner/drops.ts';

/** At most this many waves (the campaign file refuses more): each customer's touches fit in one 32-bit mask. */
export { MAX_WAVES };

export interface PlanInput {
  campaign: Campaign;
  customers: CustomerSet;
  /** The planning time, epoch ms. */
  now: number;
}

export interface Plan {
  timeline: Timeline;
  /** For each send in `timeline.sends`, the indices of its customers in the customer set, in send order. */
  members: Int32Array[];
  /** Per wave id, the customers held out as its control group (indices in the customer set). */
  control: Map<string, Int32Array>;
  /**
   * The group the plan put each customer in (its code, as the timeline's group sizes count
   * it): `codes[ofCustomer[index]]`. Recorded on every touch, so the report can break results
   * down by the groups the plan really used, and the send path picks the group's default text.
   */
  groups: { codes: string[]; ofCustomer: Uint16Array };
  /**
   * The customers who get a wave's care text instead of its promotion (they bought within
   * `careDays`), per id of a wave that has one: a flag per customer index. Every touch of
   * theirs in that wave records it, so the send path, the report and test sends show it.
   */
  care: Map<string, Uint8Array>;
}

/** Whether the customer at `index` gets the care text of wave `waveId`. */
export function isCareTouch(plan: Pick<Plan, 'care'>, waveId: string, index: number): boolean {
  return plan.care.get(waveId)?.[index] === 1;
}

/** Per wave with a care text, who reads it (from the candidates' per-customer wave bits). */
function careByWave(waves: readonly WavePlan[], care: Uint32Array): Map<string, Uint8Array> {
  const result = new Map<string, Uint8Array>();
  for (const wave of waves) {
    if (wave.careSms === null) continue;
    const bit = 1 << wave.index;
    const flags = new Uint8Array(care.length);
    for (let index = 0; index < care.length; index += 1) if (((care[index] as number) & bit) !== 0) flags[index] = 1;
    result.set(wave.wave.id, flags);
  }
  return result;
}

/** The groups present, numbered in the order the customers first show them. */
function groupCodes(groups: Uint8Array): Plan['groups'] {
  const numbers = new Int32Array(256).fill(-1);
  const codes: string[] = [];
  const ofCustomer = new Uint16Array(groups.length);
  for (let index = 0; index < groups.length; index += 1) {
    const group = groups[index] as number;
    let number = numbers[group] as number;
    if (number < 0) {
      number = codes.push(PLAYBOOK_GROUPS[group] ?? 'other') - 1;
      numbers[group] = number;
    }
    ofCustomer[index] = number;
  }
  return { codes, ofCustomer };
}

/** Makes the plan. */
export function planCampaign(input: PlanInput): Plan {
  const { campaign, customers, now } = input;
  const candidates = planCandidates(campaign, customers, now);
  return planFromCandidates({ campaign, customers, now, candidates, nameUnits: nameLengths(customers) });
}

/**
 * Phase 1 alone: each customer's candidate touches, value and second-touch score, and the
 * counts. Per customer, so a sharded plan runs it on each shard's customers and
 * concatenates the results in file order (planner/shards/).
 */
export function planCandidates(campaign: Campaign, customers: CustomerSet, now: number): Candidates {
  const waves = prepareWaves(campaign, now);
  if (waves.length > MAX_WAVES) throw new RangeError(`a campaign has at most ${MAX_WAVES} waves`);
  return findCandidates({ campaign, customers, waves, now, campaignYear: campaignYearOf(campaign) });
}

export interface PlanFromCandidatesInput {
  campaign: Campaign;
  /** What the global phases read of the customers: how many, their devices, their labels. */
  customers: PlanningCustomers;
  now: number;
  /** Phase 1's results for every customer, in file order. */
  candidates: Candidates;
  /** Per customer, the name's SMS length (layout's nameLengths). */
  nameUnits: Uint16Array;
}

/**
 * The phases after the candidates: the global ones (the multi-SMS share of the whole reach,
 * even groups in value order, the budget's cut) and the summary. They read the customers
 * only through columns, so a sharded plan runs them on the shards' concatenated columns.
 */
export function planFromCandidates(input: PlanFromCandidatesInput): Plan {
  const { campaign, customers, now, candidates } = input;
  const quiet: QuietHours = {
    start: parseClock(campaign.quietHours.start),
    end: parseClock(campaign.quietHours.end),
    timeZone: campaign.timezone,
  };
  const midnight = midnightInstant(campaign);
  const waves = prepareWaves(campaign, now);
  if (waves.length > MAX_WAVES) throw new RangeError(`a campaign has at most ${MAX_WAVES} waves`);
  const slots = waves.length * 2;

  // China's SMS rules, before anything is laid out: what a carrier would refuse refuses the plan.
  const smsRules = effectiveSmsRules(campaign, candidates.mainlandSms);
  const groupsByWave = new Map<Wave, string[]>(
    waves.map((wave) => [
      wave.wave,
      PLAYBOOK_GROUPS.filter((_, group) => ((candidates.smsGroups[wave.index] as number) & (1 << group)) !== 0),
    ]),
  );
  const smsTexts = waveSmsTexts(campaign, groupsByWave);
  const problems = smsRuleProblems(campaign, smsRules, smsTexts);
  if (problems.length > 0) {
    throw new CampaignFileError(
      problems.map((problem) => ({ path: formatPath(problem.path), message: problem.message })),
    );
  }
  const order = valueOrder(candidates.values);
  const multiOrder = secondTouchOrder(candidates.secondTouch);
  const allocation = allocateTouches({ campaign, waves, masks: candidates.masks, multiOrder });

  // Dropping for lack of time can only remove touches; if it removes a customer's only touch,
  // the multi-SMS base shrinks, so the share is checked again after layout. Demoting keeps every
  // demoted customer reached and only shrinks sends, so one round settles it.
  const context: LayoutContext = {
    campaign,
    customers,
    waves,
    order,
    quiet,
    nameUnits: input.nameUnits,
    groups: candidates.groups,
    care: candidates.care,
  };
  const demotions: DropTally[] = [];
  const settle = (from: Uint32Array) => {
    let planned = from;
    let layouts = layOutAll(context, planned);
    let sendable = withoutOverflow(planned, layouts);
    for (let round = 0; round < 2; round += 1) {
      const excess = multiSmsCount(sendable, waves) - Math.floor(campaign.caps.multiSmsShare * reachedCount(sendable));
      if (excess <= 0) break;
      const demoted = demoteLeastValuable({ waves, multiOrder, planned, sendable, excess });
      planned = demoted.planned;
      demotions.push(demoted.drops);
      layouts = layOutAll(context, planned);
      sendable = withoutOverflow(planned, layouts);
    }
    return { layouts, sendable };
  };
  let { layouts, sendable } = settle(allocation.planned);
  const overflow = [overflowDrops(slots, layouts)];
  // The budget only removes touches from what can be sent, so laying out again moves nothing out of
  // its window; cutting a customer's only touch can shrink the multi-SMS base, so it settles again.
  const budget = fitBudget({
    campaign,
    customers,
    waves,
    nameUnits: context.nameUnits,
    groups: candidates.groups,
    care: candidates.care,
    planned: sendable,
    order,
    multiOrder,
  });
  if (budget.cut > 0) {
    ({ layouts, sendable } = settle(budget.planned));
    overflow.push(overflowDrops(slots, layouts));
  }

  const { sends, waveEnds, warnings } = plannedSends(campaign, waves, layouts, midnight, quiet);
  const night = nightPromotionWarning(
    smsRules,
    sends.map((s) => s.send),
    campaign.timezone,
  );
  const smsWarnings: PlanWarning[] = [...bannedWordWarnings(campaign, smsRules, smsTexts), ...(night ? [night] : [])];
  const timeline = summarise({
    campaign,
    customers,
    now,
    midnight,
    waves,
    audienceSizes: candidates.audienceSizes,
    control: candidates.control,
    groupSizes: candidates.groupSizes,
    groups: candidates.groups,
    subGroupSizes: candidates.subGroupSizes,
    reachable: candidates.reachable,
    tiersSeen: candidates.tiersSeen,
    layouts,
    sends: sends.map((s) => s.send),
    waveEnds,
    layoutWarnings: [...warnings, ...smsWarnings],
    smsGroups: candidates.smsGroups,
    drops: DropTally.merged(slots, [candidates.drops, allocation.drops, ...demotions, ...overflow, budget.drops]),
    planned: sendable,
    budgetCut: budget.cut,
    care: candidates.care,
  });
  return {
    timeline,
    members: sends.map((s) => s.members),
    control: new Map(
      waves
        .filter((wave) => (candidates.control[wave.index]?.length ?? 0) > 0)
        .map((wave) => [wave.wave.id, candidates.control[wave.index] as Int32Array]),
    ),
    groups: groupCodes(candidates.groups),
    care: careByWave(waves, candidates.care),
  };
}
