/**
 * Phase 4, summary: the timeline file from the phases' results: per-wave counts, examples
 * and drops, the totals, and every warning in the order the marketer reads them.
 */
import { type Campaign, TIER_AUDIENCE_PREFIX } from '../campaign.ts';
import type { CustomerSet } from '../customer-set.ts';
import { warningText } from '../i18n.ts';
import { formatInstant } from '../local-time.ts';
import { deliveredSms, render, renderSms, smsLength, smsParts, templatesFor } from '../messages.ts';
import { EVERYONE, PLAYBOOK_GROUPS } from '../segments.ts';
import { fixedValues } from '../sms-rules.ts';
import type { PlannedSend, PlanWarning, Timeline, WaveSummary } from '../timeline.ts';
import { multiSmsCount, reachedCount } from './allocation.ts';
import type { DropTally } from './drops.ts';
import type { SlotLayout } from './layout.ts';
import { audienceTier, EMAIL, SMS, slotOf, type WavePlan } from './waves.ts';

export interface SummaryInput {
  campaign: Campaign;
  customers: CustomerSet;
  now: number;
  midnight: number;
  waves: readonly WavePlan[];
  /** Per wave index, audience sizes and control groups (phase 1). */
  audienceSizes: readonly number[];
  control: readonly Int32Array[];
  groupSizes: ReadonlyMap<string, number>;
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
    caps: { ...campaign.caps },
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
    },
  };
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function audienceWarnings(
  waves: readonly WavePlan[],
  customers: CustomerSet,
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
      if (entry !== EVERYONE && !(PLAYBOOK_GROUPS as readonly string[]).includes(entry) && !labels.has(entry)) {
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

/** The SMS a wave's example shows: its own text, or the default of the first group it sends to. */
function exampleTemplate(campaign: Campaign, wave: WavePlan, groups: number | undefined): string {
  if (wave.groupSms === null || !groups) return wave.templates.sms;
  const first = PLAYBOOK_GROUPS[31 - Math.clz32(groups & -groups)];
  const coupon = (wave.wave.coupon ?? campaign.coupon) !== undefined;
  return templatesFor(wave.kind, wave.wave.templates, { group: first, coupon }).sms;
}
