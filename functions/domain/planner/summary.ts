/**
 * Phase 4, summary: the timeline file from the phases' results: per-wave counts, examples
 * and drops, the totals, and every warning in the order the marketer reads them.
 */
import { type Campaign, TIER_AUDIENCE_PREFIX } from '../campaign.ts';
import { warningText } from '../i18n.ts';
import { formatInstant } from '../local-time.ts';
import { deliveredSms, render, renderSms, smsLength, smsParts, templatesFor } from '../messages.ts';
import { estimateCost } from '../plan-review.ts';
import { midnightRiskWarning, type SprintWave, sprintReachWarnings } from '../playbook-warnings.ts';
import { EVERYONE, PLAYBOOK_GROUPS } from '../segments.ts';
import { fixedValues } from '../sms-rules.ts';
import { subGroupsNamedBy } from '../sub-groups.ts';
import type { PlannedSend, PlanWarning, Timeline, WaveSummary } from '../timeline.ts';
import { multiSmsCount, reachedCount } from './allocation.ts';
import type { DropTally } from './drops.ts';
import type { SlotLayout } from './layout.ts';
import type { PlanningCustomers } from './planning-customers.ts';
import { audienceTier, EMAIL, SMS, slotOf, type WavePlan } from './waves.ts';

export interface SummaryInput {
  campaign: Campaign;
  customers: PlanningCustomers;
  now: number;
  midnight: number;
  waves: readonly WavePlan[];
  /** Per wave index, audience sizes and control groups (phase 1). */
  audienceSizes: readonly number[];
  control: readonly Int32Array[];
  groupSizes: ReadonlyMap<string, number>;
  /** Per customer, the primary group as an index into PLAYBOOK_GROUPS (phase 1). */
  groups: Uint8Array;
  subGroupSizes: ReadonlyMap<string, number>;
  /** Customers the channels could reach at all (phase 1). */
  reachable: { sms: number; any: number };
  tiersSeen: ReadonlySet<string>;
  layouts: readonly SlotLayout[];
  sends: readonly PlannedSend[];
  waveEnds: ReadonlyMap<number, number>;
  /** The layout's warnings (phase 3), after the audience warnings this phase adds. */
  layoutWarnings: readonly PlanWarning[];
  /** Per wave index, the groups it could send an SMS (phase 1): the example is the first group's text. */
  smsGroups?: Uint32Array;
  /** Every phase's drops, summed. */
  drops: DropTally;
  /** The final plan per customer. */
  planned: Uint32Array;
  /** Touches cut to keep within the budget. */
  budgetCut?: number;
  /** Per customer, the waves (bit per wave index) whose SMS is its care text (phase 1). */
  care?: Uint32Array;
}

export function summarise(input: SummaryInput): Timeline {
  const { campaign, customers, now, waves, layouts, drops, planned } = input;
  const tz = campaign.timezone;
  const dropped: Record<string, number> = {};
  const waveSummaries: WaveSummary[] = waves.map((wave) => {
    const waveDropped: Record<string, number> = {};
    for (const channel of [SMS, EMAIL]) {
      for (const [reason, value] of drops.of(slotOf(wave.index, channel))) {
        waveDropped[reason] = (waveDropped[reason] ?? 0) + value;
      }
    }
    const plannedCount = (channel: number) =>
      layouts
        .filter((l) => l.slot === slotOf(wave.index, channel))
        .reduce((sum, l) => sum + Math.min(l.layout.overflowFrom, l.members.length), 0);
    const summary: WaveSummary = {
      id: wave.wave.id,
      smsAt: formatInstant(wave.smsAt, tz),
      midnight: wave.kind === 'midnight',
      stopOnPurchase: wave.wave.stopOnPurchase,
      audience: [...wave.wave.audience],
      audience_size: input.audienceSizes[wave.index] ?? 0,
      control: input.control[wave.index]?.length ?? 0,
      planned: { sms: plannedCount(SMS), email: plannedCount(EMAIL) },
      dropped: sortedRecord(waveDropped),
    };
    const emailLayout = layouts.find((l) => l.slot === slotOf(wave.index, EMAIL));
    if (emailLayout && emailLayout.members.length > 0) summary.emailAt = formatInstant(emailLayout.start, tz);
    const smsEnd = input.waveEnds.get(slotOf(wave.index, SMS));
    if (smsEnd !== undefined) summary.smsEndsAt = formatInstant(smsEnd, tz);
    const emailEnd = input.waveEnds.get(slotOf(wave.index, EMAIL));
    if (emailEnd !== undefined) summary.emailEndsAt = formatInstant(emailEnd, tz);
    const example = deliveredSms(
      renderSms(exampleTemplate(campaign, wave, input.smsGroups?.[wave.index]), {
        ...fixedValues(campaign, wave.wave),
        name: '王小明',
        link: wave.links.mobile,
      }),
      campaign.providerSuffix,
    );
    summary.smsExample = { text: example, parts: smsParts(example), characters: smsLength(example).length };
    if (wave.careSms !== null && wave.wave.care !== undefined) {
      const careExample = deliveredSms(
        renderSms(wave.wave.care.sms, { ...fixedValues(campaign, wave.wave), name: '王小明', link: wave.links.mobile }),
        campaign.providerSuffix,
      );
      summary.care = {
        sms: careCount(planned, input.care, wave.index),
        example: { text: careExample, parts: smsParts(careExample), characters: smsLength(careExample).length },
      };
    }
    if (wave.hasEmail) {
      summary.emailExample = {
        subject: render(wave.templates.emailSubject, {
          name: '王小明',
          link: wave.links.mobile,
          signature: campaign.signature,
          optOut: campaign.optOutText,
        }),
      };
    }
    for (const [reason, value] of Object.entries(waveDropped)) dropped[reason] = (dropped[reason] ?? 0) + value;
    return summary;
  });

  const warnings: PlanWarning[] = [
    ...(customers.size === 0 ? [{ code: 'no-customers' } as const] : []),
    ...audienceWarnings(waves, customers, input.tiersSeen, input.audienceSizes, now, tz),
    ...input.layoutWarnings,
    ...playbookWarnings(input),
    ...trackedLinkWarnings(waves),
  ];

  const touches = { sms: 0, email: 0 };
  let totalParts = 0;
  for (const send of input.sends) {
    touches[send.channel] += send.customers;
    totalParts += send.smsParts ?? 0;
  }
  const finalReached = reachedCount(planned);
  return {
    campaignId: campaign.id,
    timezone: tz,
    plannedAt: formatInstant(now, tz),
    midnight: formatInstant(input.midnight, tz),
    quietHours: { ...campaign.quietHours },
    ...(Object.keys(campaign.groupLabels).length > 0 ? { groupLabels: { ...campaign.groupLabels } } : {}),
    caps: { ...campaign.caps, multiSmsGroups: [...campaign.caps.multiSmsGroups] },
    groupSize: campaign.groupSize,
    smsRatePerSecond: campaign.smsRatePerSecond,
    emailRatePerSecond: campaign.emailRatePerSecond,
    sends: [...input.sends],
    dropped: sortedRecord(dropped),
    warnings: warnings.map((warning) => warningText(warning, 'en', tz)),
    ...(warnings.length > 0 ? { warningDetails: warnings } : {}),
    waves: waveSummaries,
    summary: {
      customers: customers.size,
      reached: finalReached,
      multiSms: multiSmsCount(planned, waves),
      multiSmsLimit: Math.floor(campaign.caps.multiSmsShare * finalReached),
      touches,
      smsParts: totalParts,
      groups: Object.fromEntries(input.groupSizes),
      subGroups: Object.fromEntries(input.subGroupSizes),
      cost: estimateCost({ sends: input.sends as PlannedSend[] }, campaign.prices),
      ...(campaign.budget !== undefined ? { budget: { cny: campaign.budget, cut: input.budgetCut ?? 0 } } : {}),
    },
  };
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The waves whose SMS the tracked link makes longer by a part or more than their own link would. */
export function trackedLinkWarnings(waves: readonly WavePlan[]): PlanWarning[] {
  return waves.flatMap(({ wave, linkParts }) =>
    linkParts && linkParts.tracked > linkParts.plain
      ? [
          {
            code: 'tracked-link-parts',
            wave: wave.id,
            plainParts: linkParts.plain,
            trackedParts: linkParts.tracked,
          } as const,
        ]
      : [],
  );
}

function audienceWarnings(
  waves: readonly WavePlan[],
  customers: PlanningCustomers,
  tiersSeen: ReadonlySet<string>,
  audienceSizes: readonly number[],
  now: number,
  timeZone: string,
): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const labels = customers.allLabels();
  for (const wave of waves) {
    const id = wave.wave.id;
    for (const entry of wave.wave.audience) {
      if (entry.startsWith(TIER_AUDIENCE_PREFIX)) {
        if (!tiersSeen.has(audienceTier(entry))) {
          const knownTiers = [...tiersSeen].sort().slice(0, 10);
          warnings.push({
            code: 'unknown-tier',
            wave: id,
            audience: entry,
            knownTiers,
            moreTiers: tiersSeen.size > 10,
          });
        }
        continue;
      }
      if (
        entry !== EVERYONE &&
        !(PLAYBOOK_GROUPS as readonly string[]).includes(entry) &&
        !subGroupsNamedBy(entry) &&
        !labels.has(entry)
      ) {
        warnings.push({ code: 'unknown-audience', wave: id, audience: entry });
      }
    }
    if (wave.smsAt < now) {
      warnings.push({ code: 'past-wave', wave: id, smsAt: formatInstant(wave.smsAt, timeZone) });
    } else if ((audienceSizes[wave.index] ?? 0) === 0 && customers.size > 0) {
      warnings.push({ code: 'empty-audience', wave: id });
    }
  }
  return warnings;
}

/**
 * The playbook's advice on the plan as made: the first sprint's reach against "about 70%", and
 * the midnight push's SMS to the groups it should spare (functions/domain/playbook-warnings.ts).
 */
function playbookWarnings(input: SummaryInput): PlanWarning[] {
  const { campaign, waves, planned, groups, now } = input;
  const promotional = (wave: WavePlan) => wave.kind !== 'midnight' && wave.kind !== 'reminder';
  // One pass over the plan: per wave, the customers with a touch on either channel.
  const reached = new Array<number>(waves.length).fill(0);
  const midnightWave = waves.find((wave) => wave.kind === 'midnight');
  const midnightBit = midnightWave ? 1 << slotOf(midnightWave.index, SMS) : 0;
  let dormantDeep = 0;
  let churned = 0;
  const DORMANT_DEEP = PLAYBOOK_GROUPS.indexOf('dormant-deep');
  const CHURNED = PLAYBOOK_GROUPS.indexOf('churned');
  for (let index = 0; index < planned.length; index += 1) {
    const mask = planned[index] as number;
    if (mask === 0) continue;
    for (const wave of waves) {
      if ((mask >>> slotOf(wave.index, SMS)) & 0b11) reached[wave.index] = (reached[wave.index] as number) + 1;
    }
    if ((mask & midnightBit) !== 0) {
      const group = groups[index];
      if (group === DORMANT_DEEP) dormantDeep += 1;
      else if (group === CHURNED) churned += 1;
    }
  }
  const sprintWaves: SprintWave[] = waves.map((wave) => ({
    id: wave.wave.id,
    smsAt: wave.smsAt,
    promotional: promotional(wave),
    reached: (reached[wave.index] ?? 0) + (input.control[wave.index]?.length ?? 0),
    eligible: wave.hasEmail ? input.reachable.any : input.reachable.sms,
  }));
  const warnings = sprintReachWarnings(sprintWaves, { midnight: input.midnight, timeZone: campaign.timezone, now });
  if (midnightWave) {
    const risky = midnightRiskWarning(midnightWave.wave.id, { 'dormant-deep': dormantDeep, churned });
    if (risky) warnings.push(risky);
  }
  return warnings;
}

/** The SMS a wave's example shows: its own text, or the default of the first group it sends to. */
function exampleTemplate(campaign: Campaign, wave: WavePlan, groups: number | undefined): string {
  if (wave.groupSms === null || !groups) return wave.templates.sms;
  const first = PLAYBOOK_GROUPS[31 - Math.clz32(groups & -groups)];
  const coupon = (wave.wave.coupon ?? campaign.coupon) !== undefined;
  return templatesFor(wave.kind, wave.wave.templates, { group: first, coupon }).sms;
}

/** The wave's planned SMS that are its care text. */
function careCount(planned: Uint32Array, care: Uint32Array | undefined, waveIndex: number): number {
  if (care === undefined) return 0;
  const smsBit = 1 << slotOf(waveIndex, SMS);
  const careBit = 1 << waveIndex;
  let count = 0;
  for (let index = 0; index < planned.length; index += 1) {
    if (((planned[index] as number) & smsBit) !== 0 && ((care[index] as number) & careBit) !== 0) count += 1;
  }
  return count;
}
