/**
 * Phase 1, candidates: per customer, the playbook group, the value score, and which wave and
 * channel touches could happen at all; a touch that cannot is counted with its reason
 * (`past`, `opt-out`, `no-phone`, `no-email`, `email-condition`, `control`, `care-window`).
 */
import type { Campaign } from '../campaign.ts';
import type { CustomerSet, PlanningFacts } from '../customer-set.ts';
import { secondTouchBenefit } from '../second-touch.ts';
import { customerValue, PLAYBOOK_GROUPS, primaryGroup, type SegmentationContext } from '../segments.ts';
import { isMainlandPhone } from '../sms-rules.ts';
import { SUB_GROUPS, subGroupIndexOf } from '../sub-groups.ts';
import { type DropReason, DropTally } from './drops.ts';
import { EMAIL, inAudience, SMS, slotOf, type WavePlan } from './waves.ts';

export interface CandidatesInput {
  campaign: Campaign;
  customers: CustomerSet;
  waves: readonly WavePlan[];
  /** The planning time, epoch ms. */
  now: number;
  campaignYear: number;
}

export interface Candidates {
  /** Per customer, the touches that could happen at all: bit `slotOf(wave, channel)`. */
  masks: Uint32Array;
  /** Per customer, the value score, 0 to 1: the send order. */
  values: Float64Array;
  /**
   * Per customer, the benefit of a second SMS, 0 to 1 (second-touch.ts); -1 when the
   * customer's group may not get more than one SMS (`caps.multiSmsGroups`).
   */
  secondTouch: Float64Array;
  /** Per customer, the primary group: `codes[ofCustomer[index]]`, codes in the order first seen. */
  /** Per customer, the primary group as an index into PLAYBOOK_GROUPS (NO_GROUP for any other). */
  groups: Uint8Array;
  /** Per wave index, the customers held out as its control group, in file order. */
  control: Int32Array[];
  /** Per wave index, customers in its audience (before channel checks and caps). */
  audienceSizes: number[];
  /** Primary group sizes, in PLAYBOOK_GROUPS order. */
  groupSizes: Map<string, number>;
  /** Per customer, the sub-group as an index into SUB_GROUPS; -1 when the group is not split. */
  subGroups: Int8Array;
  /** Sub-group sizes, in SUB_GROUPS order. */
  subGroupSizes: Map<string, number>;
  /**
   * Customers each channel could reach at all, whatever the audiences: `sms` with a phone and
   * no SMS opt-out, `any` with that or an email and no email opt-out.
   */
  reachable: { sms: number; any: number };
  /** Member tiers seen in the customer set. */
  tiersSeen: Set<string>;
  /** Per wave index, the groups (bit per PLAYBOOK_GROUPS index) of the customers it could send an SMS. */
  smsGroups: Uint32Array;
  /**
   * Per customer, the waves (bit per wave index) whose SMS is its care text: a recent buyer in a
   * wave with a care text gets that instead of the promotion (and no email from the wave).
   */
  care: Uint32Array;
  /** Whether any of those customers has a mainland China (+86) number: the China SMS rules' default. */
  mainlandSms: boolean;
  drops: DropTally;
}

const GROUP_INDEX = new Map<string, number>(PLAYBOOK_GROUPS.map((group, index) => [group, index]));
/** In `groups`, a customer whose group is not one of PLAYBOOK_GROUPS. */
export const NO_GROUP = 255;

export function findCandidates(input: CandidatesInput): Candidates {
  const { campaign, customers, waves, now } = input;
  const count = customers.size;
  const drops = new DropTally(waves.length * 2);
  const audienceSizes = new Array<number>(waves.length).fill(0);
  const segmentation: SegmentationContext = {
    settings: campaign.segments,
    now,
    campaignYear: input.campaignYear,
    timeZone: campaign.timezone,
  };
  const masks = new Uint32Array(count);
  const values = new Float64Array(count);
  const groups = new Uint8Array(count);
  const subGroups = new Int8Array(count);
  const subGroupCounts = new Array<number>(SUB_GROUPS.length).fill(0);
  const reachable = { sms: 0, any: 0 };
  const secondTouch = new Float64Array(count);
  // By group index, not by name: a look-up by string a customer is what a million rows notice.
  const multiGroup = new Uint8Array(256);
  for (const group of campaign.caps.multiSmsGroups) {
    const groupIndex = GROUP_INDEX.get(group);
    if (groupIndex !== undefined) multiGroup[groupIndex] = 1;
  }
  const groupCounts = new Float64Array(256);
  const otherGroups = new Map<string, number>();
  const tiersSeen = new Set<string>();
  const control: number[][] = waves.map(() => []);
  const smsGroups = new Uint32Array(waves.length);
  const care = new Uint32Array(count);
  let mainlandSms = false;
  for (let index = 0; index < count; index += 1) {
    // The facts without the strings: only the id (the control draw) and, when a rule reads
    // them, the phone and the email are decoded.
    const customer = customers.factsOf(index);
    const labels = customers.labelsOf(index);
    const group = primaryGroup(customer, segmentation);
    if (customer.tier !== undefined) tiersSeen.add(customer.tier);
    // A group without a text of its own (none today) reads the kind's general text, never another group's.
    const groupIndex = GROUP_INDEX.get(group) ?? NO_GROUP;
    if (groupIndex !== NO_GROUP) groupCounts[groupIndex] = (groupCounts[groupIndex] as number) + 1;
    else otherGroups.set(group, (otherGroups.get(group) ?? 0) + 1);
    groups[index] = groupIndex;
    values[index] = customerValue(customer, now, input.campaignYear);
    const subGroup = subGroupIndexOf(group, customer, campaign.segments);
    subGroups[index] = subGroup;
    if (subGroup >= 0) subGroupCounts[subGroup] = (subGroupCounts[subGroup] as number) + 1;
    // As the channel checks below read a customer: a phone (or email) and no opt-out.
    const smsReachable = customer.hasPhone && !customer.optOutSms;
    if (smsReachable) reachable.sms += 1;
    if (smsReachable || (customer.hasEmail && !customer.optOutEmail)) reachable.any += 1;
    secondTouch[index] =
      groupIndex !== NO_GROUP && multiGroup[groupIndex] === 1
        ? secondTouchBenefit(customer, now, input.campaignYear)
        : -1;
    let mask = 0;
    const holdout = controlDraw(campaign.id, customers.idOf(index));
    for (const wave of waves) {
      if (!inAudience(wave, group, labels, customer.tier, subGroup)) continue;
      audienceSizes[wave.index] = (audienceSizes[wave.index] ?? 0) + 1;
      const smsSlot = slotOf(wave.index, SMS);
      if (holdout < wave.wave.controlShare) {
        // The control group: in the audience, never sent, so the report can show the wave's lift.
        control[wave.index]?.push(index);
        drops.add(smsSlot, 'control');
        if (wave.hasEmail) drops.add(slotOf(wave.index, EMAIL), 'control');
        continue;
      }
      // Care before promotion: a recent buyer gets no promotion (a touch that could not happen
      // anyway keeps its own reason).
      const cared =
        wave.careFrom !== null && customer.lastOrderAt !== undefined && customer.lastOrderAt >= wave.careFrom;
      const smsDrop =
        wave.smsAt < now
          ? 'past'
          : customer.optOutSms
            ? 'opt-out'
            : !customer.hasPhone
              ? 'no-phone'
              : cared && wave.careSms === null
                ? 'care-window'
                : null;
      if (smsDrop) drops.add(smsSlot, smsDrop);
      else {
        mask |= 1 << smsSlot;
        // A recent buyer reads the wave's care text, not the group's promotion.
        if (cared) care[index] = ((care[index] as number) | (1 << wave.index)) >>> 0;
        else if (groupIndex !== NO_GROUP)
          smsGroups[wave.index] = ((smsGroups[wave.index] as number) | (1 << groupIndex)) >>> 0;
        if (!mainlandSms && isMainlandPhone(customers.phoneOf(index))) mainlandSms = true;
      }
      if (!wave.hasEmail) continue;
      const emailSlot = slotOf(wave.index, EMAIL);
      const emailDrop = emailDropReason(wave, customers, index, customer) ?? (cared ? 'care-window' : null);
      if (emailDrop) drops.add(emailSlot, emailDrop);
      else mask |= 1 << emailSlot;
    }
    masks[index] = mask >>> 0;
  }
  // In PLAYBOOK_GROUPS order, as the timeline lists them.
  const groupSizes = new Map<string, number>(
    PLAYBOOK_GROUPS.map((group, groupIndex) => [group, groupCounts[groupIndex] as number]),
  );
  for (const [group, size] of otherGroups) groupSizes.set(group, size);
  return {
    masks,
    values,
    secondTouch,
    groups,
    control: control.map((members) => Int32Array.from(members)),
    audienceSizes,
    groupSizes,
    subGroups,
    subGroupSizes: new Map(SUB_GROUPS.map((code, position) => [code, subGroupCounts[position] as number])),
    reachable,
    tiersSeen,
    smsGroups,
    care,
    mainlandSms,
    drops,
  };
}

function emailDropReason(
  wave: WavePlan,
  customers: CustomerSet,
  index: number,
  customer: PlanningFacts,
): DropReason | null {
  if (wave.emailWindow[1] <= wave.emailWindow[0]) return 'past';
  if (customer.optOutEmail) return 'opt-out';
  if (!customer.hasEmail) return 'no-email';
  if (wave.emailDomains) {
    const email = customers.emailOf(index) as string;
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!wave.emailDomains.has(domain)) return 'email-condition';
  }
  return null;
}

/** A customer's stable draw in [0, 1) for a campaign: the same every time the campaign is planned. */
export function controlDraw(campaignId: string, customerId: string): number {
  let hash = 2166136261;
  const text = `${campaignId}\u0000${customerId}`;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
  hash = Math.imul(hash ^ (hash >>> 15), 2246822507);
  hash = Math.imul(hash ^ (hash >>> 13), 3266489909);
  return ((hash ^ (hash >>> 16)) >>> 0) / 4294967296;
}
