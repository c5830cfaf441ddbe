/**
 * The waves as the planner's phases see them: in SMS time order, each with its two slots
 * (SMS and email) in a customer's 32-bit touch mask, its rendered lengths and its windows.
 */

import { type Campaign, smsInstant, TIER_AUDIENCE_PREFIX, type Wave } from '../campaign.ts';
import { normaliseTier } from '../cell-values.ts';
import { DAY_MS, parseDateTime } from '../local-time.ts';
import {
  deliveredSms,
  renderSms,
  smsLength,
  smsPartsFor,
  smsVariesByGroup,
  templatesFor,
  type WaveKind,
  type WaveTemplates,
  waveKind,
} from '../messages.ts';
import { EVERYONE, PLAYBOOK_GROUPS } from '../segments.ts';
import { fixedValues } from '../sms-rules.ts';
import { subGroupMaskOf } from '../sub-groups.ts';
import { messageLinks } from '../tracked-link.ts';

export const SMS = 0;
export const EMAIL = 1;
/** A wave's channel as a bit position in a customer's touch mask. */
export const slotOf = (wave: number, channel: number): number => wave * 2 + channel;

export interface WavePlan {
  wave: Wave;
  index: number;
  kind: WaveKind;
  smsAt: number;
  templates: WaveTemplates;
  links: { mobile: string; pc: string };
  audience: Set<string>;
  /** The member tiers the audience names (`tier:VIP2`), as normaliseTier spells them. */
  tiers: Set<string>;
  /** The sub-groups the audience names (`dormant-deep:returning-high`, `churned:high`): bit i is SUB_GROUPS[i]. */
  subGroups: number;
  hasEmail: boolean;
  emailDomains: Set<string> | null;
  /** The email window [from, to): 48 to 72 h before the SMS by default, never before `now`. */
  emailWindow: [number, number];
  /** Rendered SMS length without the name, per device link (mobile, pc), with the provider's appended text. */
  smsBaseLength: { mobile: number; pc: number };
  smsUcs2: boolean;
  /**
   * Care before promotion: a customer whose last order is at or after this instant is kept out
   * of the wave (`care-window`); null when the rule does not apply to the wave.
   */
  careFrom: number | null;
  /**
   * For a wave without its own SMS text, the same per playbook group (index into
   * PLAYBOOK_GROUPS): each group reads its own default, so its parts follow its text.
   */
  groupSms: ReadonlyArray<SmsBase> | null;
  /**
   * The wave's care text (`care.sms`), when it has one and the care window applies to it: a
   * recent buyer gets this instead of being kept out.
   */
  careSms: SmsBase | null;
  /**
   * When the campaign tracks its links: the SMS's parts with the wave's own links and with
   * the tracked link (the longer of mobile and PC each), so the plan can say when tracking
   * costs a part. Null when the links are not tracked.
   */
  linkParts: { plain: number; tracked: number } | null;
}

/** An SMS text's length without the customer's name, per device link, and whether it is UCS-2. */
export interface SmsBase {
  mobile: number;
  pc: number;
  ucs2: boolean;
}

/** The campaign's waves in SMS time order (file order breaks ties), ready for planning at `now`. */
export function prepareWaves(campaign: Campaign, now: number): WavePlan[] {
  const tz = campaign.timezone;
  const ordered = campaign.waves
    .map((wave, position) => ({ wave, position, smsAt: smsInstant(campaign, wave) }))
    .sort((a, b) => a.smsAt - b.smsAt || a.position - b.position);
  return ordered.map(({ wave, smsAt }, index) => {
    const kind = waveKind(wave);
    const coupon = (wave.coupon ?? campaign.coupon) !== undefined;
    const templates = templatesFor(kind, wave.templates, { coupon });
    // The link the messages carry: the tracked link's length when the campaign tracks them.
    const links = messageLinks(campaign, wave);
    const fixed = fixedValues(campaign, wave);
    // The name placeholder is rendered as one character; the customer's own name replaces it.
    const baseOf = (sms: string, via: { mobile: string; pc: string } = links): SmsBase => {
      const lengthWith = (link: string) =>
        smsLength(deliveredSms(renderSms(sms, { ...fixed, name: ' ', link }), campaign.providerSuffix));
      const mobile = lengthWith(via.mobile);
      const pc = lengthWith(via.pc);
      return { mobile: mobile.length - 1, pc: pc.length - 1, ucs2: mobile.ucs2 || pc.ucs2 };
    };
    const base = baseOf(templates.sms);
    const partsOf = (one: SmsBase) => smsPartsFor(Math.max(one.mobile, one.pc) + 1, one.ucs2);
    const linkParts =
      campaign.links.trackingBase === undefined
        ? null
        : {
            plain: partsOf(baseOf(templates.sms, wave.links ?? campaign.links)),
            tracked: partsOf(base),
          };
    const groupSms = smsVariesByGroup(wave.templates)
      ? PLAYBOOK_GROUPS.map((group) => baseOf(templatesFor(kind, wave.templates, { group, coupon }).sms))
      : null;
    const careFrom =
      isPromotionBeforeFestival(kind) && campaign.careDays > 0 ? smsAt - campaign.careDays * DAY_MS : null;
    const emailOption = typeof wave.email === 'object' ? wave.email : null;
    let emailWindow: [number, number] = [
      smsAt - campaign.emailLeadDays.max * DAY_MS,
      smsAt - campaign.emailLeadDays.min * DAY_MS,
    ];
    if (emailOption?.at) {
      const fixed = parseDateTime(emailOption.at, tz);
      emailWindow = [fixed, emailWindow[1]];
    }
    // Whole minutes: a window clipped by `now` starts at the next minute.
    emailWindow = [Math.max(emailWindow[0], Math.ceil(now / 60_000) * 60_000), emailWindow[1]];
    return {
      wave,
      index,
      kind,
      smsAt,
      templates,
      links,
      audience: new Set(wave.audience),
      tiers: new Set(audienceTiers(wave.audience)),
      subGroups: subGroupMaskOf(wave.audience),
      hasEmail: wave.email !== false,
      emailDomains: emailOption?.domains ? new Set(emailOption.domains.map((d) => d.toLowerCase())) : null,
      emailWindow,
      smsBaseLength: { mobile: base.mobile, pc: base.pc },
      smsUcs2: base.ucs2,
      groupSms,
      careFrom,
      careSms: careFrom !== null && wave.care !== undefined ? baseOf(wave.care.sms) : null,
      linkParts,
    };
  });
}

/**
 * Whether the care window keeps recent buyers out of a wave of this kind: every wave before the
 * festival promotes, except the stop-on-purchase reminder (it follows up an order the customer
 * began) and the midnight push itself (the festival's opening, which every customer may get).
 */
export function isPromotionBeforeFestival(kind: WaveKind): boolean {
  return kind !== 'midnight' && kind !== 'reminder';
}

/** The mask of every SMS slot of these waves. */
export function smsSlotMask(waves: readonly WavePlan[]): number {
  let mask = 0;
  for (const wave of waves) mask |= 1 << slotOf(wave.index, SMS);
  return mask >>> 0;
}

/** Whether a customer is in a wave's audience; `subGroup` is its index in SUB_GROUPS, -1 when its group is not split. */
export function inAudience(
  wave: WavePlan,
  group: string,
  labels: readonly string[],
  tier: string | undefined,
  subGroup = -1,
): boolean {
  const { audience } = wave;
  if (audience.has(EVERYONE) || audience.has(group)) return true;
  if (subGroup >= 0 && (wave.subGroups & (1 << subGroup)) !== 0) return true;
  if (tier !== undefined && wave.tiers.has(tier)) return true;
  for (const label of labels) if (audience.has(label)) return true;
  return false;
}

/** `tier:VIP2` entries of an audience: the tiers, compared as the segment files' are (case and width aside). */
function audienceTiers(audience: readonly string[]): string[] {
  return audience.filter((entry) => entry.startsWith(TIER_AUDIENCE_PREFIX)).map(audienceTier);
}

export function audienceTier(entry: string): string {
  return normaliseTier(entry.slice(TIER_AUDIENCE_PREFIX.length));
}
