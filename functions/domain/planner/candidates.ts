/**
 * Phase 1, candidates: per customer, the playbook group, the value score, and which wave and
 * channel touches could happen at all; a touch that cannot is counted with its reason
 * (`past`, `opt-out`, `no-phone`, `no-email`, `email-condition`, `control`, `care-window`).
 */
import type { Campaign } from '../campaign.ts';
import type { Customer } from '../customer.ts';
import type { CustomerSet } from '../customer-set.ts';
import { secondTouchBenefit } from '../second-touch.ts';
import { customerValue, PLAYBOOK_GROUPS, primaryGroup, type SegmentationContext } from '../segments.ts';
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
  groups: { codes: string[]; ofCustomer: Uint16Array };
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
  drops: DropTally;
}

export function findCandidates(input: CandidatesInput): Candidates {
  const { campaign, customers, waves, now } = input;
  const count = customers.size;
  const drops = new DropTally(waves.length * 2);
  const audienceSizes = new Array<number>(waves.length).fill(0);
  const groupSizes = new Map<string, number>(PLAYBOOK_GROUPS.map((group) => [group, 0]));
  const segmentation: SegmentationContext = {
    settings: campaign.segments,
    now,
    campaignYear: input.campaignYear,
    timeZone: campaign.timezone,
  };
  const masks = new Uint32Array(count);
  const values = new Float64Array(count);
  const groupCodes: string[] = [];
  const groupNumbers = new Map<string, number>();
  const groupOfCustomer = new Uint16Array(count);
  const subGroups = new Int8Array(count);
  const subGroupCounts = new Array<number>(SUB_GROUPS.length).fill(0);
  const reachable = { sms: 0, any: 0 };
  const secondTouch = new Float64Array(count);
  const multiGroups = new Set<string>(campaign.caps.multiSmsGroups);
  const tiersSeen = new Set<string>();
  const control: number[][] = waves.map(() => []);
  for (let index = 0; index < count; index += 1) {
    const customer = customers.get(index);
    const labels = customers.labelsOf(index);
    const group = primaryGroup(customer, segmentation);
    if (customer.tier !== undefined) tiersSeen.add(customer.tier);
    groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
    let groupNumber = groupNumbers.get(group);
    if (groupNumber === undefined) {
      groupNumber = groupCodes.push(group) - 1;
      groupNumbers.set(group, groupNumber);
    }
    groupOfCustomer[index] = groupNumber;
    values[index] = customerValue(customer, now, input.campaignYear);
    const subGroup = subGroupIndexOf(group, customer, campaign.segments);
    subGroups[index] = subGroup;
    if (subGroup >= 0) subGroupCounts[subGroup] = (subGroupCounts[subGroup] as number) + 1;
    // As the channel checks below read a customer: a phone (or email) and no opt-out.
    const smsReachable = Boolean(customer.phone) && !customer.optOutSms;
    if (smsReachable) reachable.sms += 1;
    if (smsReachable || (Boolean(customer.email) && !customer.optOutEmail)) reachable.any += 1;
    secondTouch[index] = multiGroups.has(group) ? secondTouchBenefit(customer, now, input.campaignYear) : -1;
    let mask = 0;
    const holdout = controlDraw(campaign.id, customer.customerId);
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
            : !customer.phone
              ? 'no-phone'
              : cared
                ? 'care-window'
                : null;
      if (smsDrop) drops.add(smsSlot, smsDrop);
      else mask |= 1 << smsSlot;
      if (!wave.hasEmail) continue;
      const emailSlot = slotOf(wave.index, EMAIL);
      const emailDrop = emailDropReason(wave, customer) ?? (cared ? 'care-window' : null);
      if (emailDrop) drops.add(emailSlot, emailDrop);
      else mask |= 1 << emailSlot;
    }
    masks[index] = mask >>> 0;
  }
  return {
    masks,
    values,
    secondTouch,
    groups: { codes: groupCodes, ofCustomer: groupOfCustomer },
    control: control.map((members) => Int32Array.from(members)),
    audienceSizes,
    groupSizes,
    subGroups,
    subGroupSizes: new Map(SUB_GROUPS.map((code, position) => [code, subGroupCounts[position] as number])),
    reachable,
    tiersSeen,
    drops,
  };
}

function emailDropReason(wave: WavePlan, customer: Customer): DropReason | null {
  if (wave.emailWindow[1] <= wave.emailWindow[0]) return 'past';
  if (customer.optOutEmail) return 'opt-out';
  if (!customer.email) return 'no-email';
  if (wave.emailDomains) {
    const domain = customer.email.slice(customer.email.lastIndexOf('@') + 1);
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
