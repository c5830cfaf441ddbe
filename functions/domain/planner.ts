/**
 * The planner: campaign + customers + `now` in, the timeline out. Pure and deterministic:
 * the same inputs give the same plan, byte for byte once serialised.
 *
 * How it decides, in order (the README explains it for marketers):
 * 1. Each customer gets a primary playbook group and a value score.
 * 2. Each wave's audience is matched; a touch that cannot happen at all is dropped with
 *    its reason: `past`, `opt-out`, `no-phone`, `no-email`, `email-condition`.
 * 3. Caps, per customer: the midnight push SMS first (top priority), then one touch per
 *    wave in time order (SMS where allowed, else the wave's email), then the remaining
 *    channel of each wave; each touch must pass the touch cap, the SMS-per-month cap and
 *    the multi-SMS rule. Only the most valuable customers, up to the multi-SMS share of
 *    the customers reached, may receive more than one SMS.
 * 4. Each wave and channel is sent most valuable first, in even groups of at most
 *    `groupSize`, back to back at the configured rate; quiet hours cut a group into
 *    slices; what cannot be sent before its deadline is dropped as `no-window`.
 */
import {
  type Campaign,
  campaignYear as campaignYearOf,
  MAX_WAVES,
  midnightInstant,
  smsInstant,
  TIER_AUDIENCE_PREFIX,
  type Wave,
} from './campaign.ts';
import { normaliseTier } from './cell-values.ts';
import type { Customer, Device } from './customer.ts';
import type { CustomerSet } from './customer-set.ts';
import { warningText } from './i18n.ts';
import { DAY_MS, formatInstant, HOUR_MS, monthKey, parseClock, parseDateTime, startOfNextMonth } from './local-time.ts';
import {
  NAME_FALLBACK,
  render,
  smsLength,
  smsParts,
  smsPartsFor,
  templatesFor,
  type WaveKind,
  type WaveTemplates,
} from './messages.ts';
import { customerValue, EVERYONE, PLAYBOOK_GROUPS, primaryGroup, type SegmentationContext } from './segments.ts';
import { allowedIntervals, evenGroupSizes, type Layout, layOut, type QuietHours } from './send-windows.ts';
import type { Channel, PlannedSend, PlanWarning, Timeline, WarningLimit, WaveSummary } from './timeline.ts';

export const DROP_REASONS = {
  past: 'the send time is before the planning time',
  'opt-out': 'the customer opted out of this channel',
  'no-phone': 'no phone number',
  'no-email': 'no email address',
  'email-condition': "the email is outside the wave's email condition",
  'cap:touches': 'the customer reached the touch cap',
  'cap:sms-month': 'the customer reached the SMS cap for the calendar month',
  'cap:multi-sms': 'a second SMS is kept for the most valuable customers (multi-SMS share)',
  'no-window': 'the send cannot finish within its window at the configured rate',
  control: "held out as the wave's control group, to measure its lift",
} as const;
export type DropReason = keyof typeof DROP_REASONS;

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
   * down by the groups the plan really used.
   */
  groups: { codes: string[]; ofCustomer: Uint16Array };
}

interface WavePlan {
  wave: Wave;
  index: number;
  kind: WaveKind;
  smsAt: number;
  templates: WaveTemplates;
  links: { mobile: string; pc: string };
  audience: Set<string>;
  /** The member tiers the audience names (`tier:VIP2`), as normaliseTier spells them. */
  tiers: Set<string>;
  hasEmail: boolean;
  emailDomains: Set<string> | null;
  /** The email window [from, to): 48 to 72 h before the SMS by default, never before `now`. */
  emailWindow: [number, number];
  /** Rendered SMS length without the name, per device link (mobile, pc). */
  smsBaseLength: { mobile: number; pc: number };
  smsUcs2: boolean;
}

const SMS = 0;
const EMAIL = 1;
const slotOf = (wave: number, channel: number): number => wave * 2 + channel;

/** Makes the plan. */
export function planCampaign(input: PlanInput): Plan {
  const { campaign, customers, now } = input;
  const tz = campaign.timezone;
  const quiet: QuietHours = {
    start: parseClock(campaign.quietHours.start),
    end: parseClock(campaign.quietHours.end),
    timeZone: tz,
  };
  const year = campaignYearOf(campaign);
  const midnight = midnightInstant(campaign);
  const waves = prepareWaves(campaign, now);
  const warnings: PlanWarning[] = [];
  if (waves.length > MAX_WAVES) throw new RangeError(`a campaign has at most ${MAX_WAVES} waves`);

  const count = customers.size;
  const slots = waves.length * 2;
  const drops = Array.from({ length: slots }, () => new Map<DropReason, number>());
  const dropTouch = (slot: number, reason: DropReason) => {
    const map = drops[slot] as Map<DropReason, number>;
    map.set(reason, (map.get(reason) ?? 0) + 1);
  };
  const audienceSizes = new Array<number>(waves.length).fill(0);
  const groupSizes = new Map<string, number>(PLAYBOOK_GROUPS.map((group) => [group, 0]));
  const segmentation: SegmentationContext = {
    settings: campaign.segments,
    now,
    campaignYear: year,
    timeZone: tz,
  };

  // 1-2. Groups, value, and the touches each customer could get at all.
  const candidates = new Uint32Array(count);
  const tiersSeen = new Set<string>();
  const values = new Float64Array(count);
  const control: number[][] = waves.map(() => []);
  const groupCodes: string[] = [];
  const groupNumbers = new Map<string, number>();
  const groupOfCustomer = new Uint16Array(count);
  for (let index = 0; index < count; index += 1) {
    const customer = customers.get(index);
    const labels = customers.labelsOf(index);
    const group = primaryGroup(customer, segmentation);
    let groupNumber = groupNumbers.get(group);
    if (groupNumber === undefined) {
      groupNumber = groupCodes.push(group) - 1;
      groupNumbers.set(group, groupNumber);
    }
    groupOfCustomer[index] = groupNumber;
    if (customer.tier !== undefined) tiersSeen.add(customer.tier);
    groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
    values[index] = customerValue(customer, now, year);
    let mask = 0;
    const holdout = controlDraw(campaign.id, customer.customerId);
    for (const wave of waves) {
      if (!inAudience(wave, group, labels, customer.tier)) continue;
      audienceSizes[wave.index] = (audienceSizes[wave.index] ?? 0) + 1;
      const smsSlot = slotOf(wave.index, SMS);
      if (holdout < wave.wave.controlShare) {
        // The control group: in the audience, never sent, so the report can show the wave's lift.
        control[wave.index]?.push(index);
        dropTouch(smsSlot, 'control');
        if (wave.hasEmail) dropTouch(slotOf(wave.index, EMAIL), 'control');
        continue;
      }
      const smsDrop = wave.smsAt < now ? 'past' : customer.optOutSms ? 'opt-out' : customer.phone ? null : 'no-phone';
      if (smsDrop) dropTouch(smsSlot, smsDrop);
      else mask |= 1 << smsSlot;
      if (!wave.hasEmail) continue;
      const emailSlot = slotOf(wave.index, EMAIL);
      const emailDrop = emailDropReason(wave, customer);
      if (emailDrop) dropTouch(emailSlot, emailDrop);
      else mask |= 1 << emailSlot;
    }
    candidates[index] = mask >>> 0;
  }

  // 3. Caps. First pass: who would get more than one SMS if allowed; they compete on value.
  const caps = new CapAllocator(campaign, waves, tz);
  const order = valueOrder(values);
  let reached = 0;
  const wantsMulti: number[] = [];
  for (const index of order) {
    const mask = candidates[index] as number;
    if (mask === 0) continue;
    reached += 1;
    if (caps.allocate(mask, true).smsCount > 1) wantsMulti.push(index);
  }
  const multiLimit = Math.floor(campaign.caps.multiSmsShare * reached);
  const multiAllowed = new Uint8Array(count);
  for (const index of wantsMulti.slice(0, multiLimit)) multiAllowed[index] = 1;

  const planned = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) {
    const mask = candidates[index] as number;
    if (mask === 0) continue;
    const allocation = caps.allocate(mask, multiAllowed[index] === 1);
    planned[index] = allocation.planned;
    for (const [slot, reason] of allocation.refused) dropTouch(slot, reason);
  }

  // 4. Sends. Dropping for lack of time can only remove touches; if it removes a customer's
  //    only touch, the multi-SMS base shrinks, so the share is checked again after layout.
  const nameUnits = nameLengths(customers);
  let layouts = layOutAll();
  let sendable = withoutOverflow(layouts);
  // Demoting keeps every demoted customer reached and only shrinks sends, so one round settles it.
  for (let round = 0; round < 2; round += 1) {
    const excess = multiSmsCount(sendable, waves) - Math.floor(campaign.caps.multiSmsShare * reachedCount(sendable));
    if (excess <= 0) break;
    demoteLeastValuable(excess, sendable);
    layouts = layOutAll();
    sendable = withoutOverflow(layouts);
  }
  for (const { slot, members, layout } of layouts) {
    for (let position = layout.overflowFrom; position < members.length; position += 1) dropTouch(slot, 'no-window');
  }
  planned.set(sendable);

  function withoutOverflow(all: SlotLayout[]): Uint32Array {
    const result = planned.slice();
    for (const { slot, members, layout } of all) {
      for (let position = layout.overflowFrom; position < members.length; position += 1) {
        const index = members[position] as number;
        result[index] = ((result[index] as number) & ~(1 << slot)) >>> 0;
      }
    }
    return result;
  }

  function layOutAll() {
    return waves.flatMap((wave) => {
      const result = [layOutSlot(wave, SMS)];
      if (wave.hasEmail) result.push(layOutSlot(wave, EMAIL));
      return result;
    });
  }

  function layOutSlot(wave: WavePlan, channel: number): SlotLayout {
    const slot = slotOf(wave.index, channel);
    const bit = 1 << slot;
    const members: number[] = [];
    for (const index of order) if (((planned[index] as number) & bit) !== 0) members.push(index);
    const units = new Float64Array(members.length);
    let totalUnits = 0;
    members.forEach((index, position) => {
      const value = channel === SMS ? smsUnitsFor(wave, customers.deviceOf(index), nameUnits, index) : 1;
      units[position] = value;
      totalUnits += value;
    });
    const rate = channel === SMS ? campaign.smsRatePerSecond : campaign.emailRatePerSecond;
    const isMidnight = channel === SMS && wave.kind === 'midnight';
    let start: number;
    let deadline: number;
    if (channel === SMS) {
      start = wave.smsAt;
      deadline = isMidnight ? Number.POSITIVE_INFINITY : smsDeadline(wave, waves, tz);
    } else {
      [start, deadline] = emailStart(wave, totalUnits / rate, quiet);
    }
    // What does not fit is cut from the end (least valuable); the rest is split evenly again,
    // until the even groups fit whole.
    let fitting = members.length;
    let layout: Layout;
    for (;;) {
      layout = layOut({
        start,
        deadline,
        quiet: isMidnight ? null : quiet,
        units: units.subarray(0, fitting),
        rate,
        groupSizes: evenGroupSizes(fitting, campaign.groupSize),
      });
      if (layout.overflowFrom >= fitting) break;
      fitting = layout.overflowFrom;
    }
    layout = { ...layout, overflowFrom: fitting };
    return { wave, channel, slot, members, layout, rate, totalUnits, start, deadline };
  }

  function demoteLeastValuable(excess: number, current: Uint32Array): void {
    // Least valuable first: the customers whose second SMS matters least give it up.
    let left = excess;
    for (let position = order.length - 1; position >= 0 && left > 0; position -= 1) {
      const index = order[position] as number;
      const smsSlots = waves
        .map((w) => slotOf(w.index, SMS))
        .filter((slot) => (current[index] as number) & (1 << slot));
      if (smsSlots.length < 2) continue;
      const nonMidnight = smsSlots.filter((slot) => waves[slot >> 1]?.kind !== 'midnight');
      const giveUp = nonMidnight[nonMidnight.length - 1] as number;
      planned[index] = ((planned[index] as number) & ~(1 << giveUp)) >>> 0;
      dropTouch(giveUp, 'cap:multi-sms');
      left -= 1;
    }
  }

  // The timeline: sends in time order, with their members.
  const sends: Array<{ send: PlannedSend; members: Int32Array }> = [];
  const waveEnds = new Map<number, number>();
  for (const slotLayout of layouts) {
    const { wave, channel, slot, members, layout } = slotLayout;
    const channelName: Channel = channel === SMS ? 'sms' : 'email';
    const groupsInSlot = new Set(layout.slices.map((s) => s.group));
    for (const slice of layout.slices) {
      const send: PlannedSend = {
        id: sendId(wave.wave.id, channelName, slice.group + 1, slice.slice),
        waveId: wave.wave.id,
        channel: channelName,
        group: slice.group + 1,
        at: formatInstant(slice.at, tz),
        customers: slice.to - slice.from,
        estimatedSeconds: slice.seconds,
        slice: slice.slice,
      };
      if (channel === SMS) send.smsParts = slice.units;
      if (channel === SMS && wave.kind === 'midnight') send.midnight = true;
      if (wave.wave.stopOnPurchase) send.stopOnPurchase = true;
      sends.push({ send, members: Int32Array.from(members.slice(slice.from, slice.to)) });
      const end = slice.at + slice.seconds * 1000;
      waveEnds.set(slot, Math.max(waveEnds.get(slot) ?? 0, end));
    }
    warnings.push(...layoutWarnings(slotLayout, groupsInSlot.size, campaign, waves, midnight, quiet));
  }
  sends.sort((a, b) => compareSends(a.send, b.send));

  // Summaries.
  const dropped: Record<string, number> = {};
  const waveSummaries: WaveSummary[] = waves.map((wave) => {
    const waveDropped: Record<string, number> = {};
    for (const channel of [SMS, EMAIL]) {
      for (const [reason, value] of drops[slotOf(wave.index, channel)] ?? []) {
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
      audience_size: audienceSizes[wave.index] ?? 0,
      control: control[wave.index]?.length ?? 0,
      planned: { sms: plannedCount(SMS), email: plannedCount(EMAIL) },
      dropped: sortedRecord(waveDropped),
    };
    const emailLayout = layouts.find((l) => l.slot === slotOf(wave.index, EMAIL));
    if (emailLayout && emailLayout.members.length > 0) summary.emailAt = formatInstant(emailLayout.start, tz);
    const smsEnd = waveEnds.get(slotOf(wave.index, SMS));
    if (smsEnd !== undefined) summary.smsEndsAt = formatInstant(smsEnd, tz);
    const emailEnd = waveEnds.get(slotOf(wave.index, EMAIL));
    if (emailEnd !== undefined) summary.emailEndsAt = formatInstant(emailEnd, tz);
    const example = render(wave.templates.sms, {
      name: '王小明',
      link: wave.links.mobile,
      signature: campaign.signature,
      optOut: campaign.optOutText,
    });
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

  warnings.unshift(...audienceWarnings(waves, customers, tiersSeen, audienceSizes, now, tz));
  if (count === 0) warnings.unshift({ code: 'no-customers' });

  const touches = { sms: 0, email: 0 };
  let totalParts = 0;
  for (const { send } of sends) {
    touches[send.channel] += send.customers;
    totalParts += send.smsParts ?? 0;
  }
  const finalReached = reachedCount(planned);
  const timeline: Timeline = {
    campaignId: campaign.id,
    timezone: tz,
    plannedAt: formatInstant(now, tz),
    midnight: formatInstant(midnight, tz),
    quietHours: { ...campaign.quietHours },
    ...(Object.keys(campaign.groupLabels).length > 0 ? { groupLabels: { ...campaign.groupLabels } } : {}),
    caps: { ...campaign.caps },
    groupSize: campaign.groupSize,
    smsRatePerSecond: campaign.smsRatePerSecond,
    emailRatePerSecond: campaign.emailRatePerSecond,
    sends: sends.map((s) => s.send),
    dropped: sortedRecord(dropped),
    warnings: warnings.map((warning) => warningText(warning, 'en', tz)),
    ...(warnings.length > 0 ? { warningDetails: warnings } : {}),
    waves: waveSummaries,
    summary: {
      customers: count,
      reached: finalReached,
      multiSms: multiSmsCount(planned, waves),
      multiSmsLimit: Math.floor(campaign.caps.multiSmsShare * finalReached),
      touches,
      smsParts: totalParts,
      groups: Object.fromEntries(groupSizes),
    },
  };
  return {
    timeline,
    members: sends.map((s) => s.members),
    control: new Map(
      waves
        .filter((wave) => (control[wave.index]?.length ?? 0) > 0)
        .map((wave) => [wave.wave.id, Int32Array.from(control[wave.index] ?? [])]),
    ),
    groups: { codes: groupCodes, ofCustomer: groupOfCustomer },
  };
}

interface SlotLayout {
  wave: WavePlan;
  channel: number;
  slot: number;
  members: number[];
  layout: Layout;
  rate: number;
  totalUnits: number;
  start: number;
  deadline: number;
}

function prepareWaves(campaign: Campaign, now: number): WavePlan[] {
  const tz = campaign.timezone;
  const ordered = campaign.waves
    .map((wave, position) => ({ wave, position, smsAt: smsInstant(campaign, wave) }))
    .sort((a, b) => a.smsAt - b.smsAt || a.position - b.position);
  return ordered.map(({ wave, smsAt }, index) => {
    const kind: WaveKind = wave.sms === 'midnight' ? 'midnight' : wave.stopOnPurchase ? 'reminder' : 'regular';
    const templates = templatesFor(kind, wave.templates);
    const links = wave.links ?? campaign.links;
    const lengthWith = (link: string) =>
      smsLength(render(templates.sms, { name: ' ', link, signature: campaign.signature, optOut: campaign.optOutText }));
    const mobile = lengthWith(links.mobile);
    const pc = lengthWith(links.pc);
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
      hasEmail: wave.email !== false,
      emailDomains: emailOption?.domains ? new Set(emailOption.domains.map((d) => d.toLowerCase())) : null,
      emailWindow,
      // The name placeholder was rendered as one character; the customer's own name replaces it.
      smsBaseLength: { mobile: mobile.length - 1, pc: pc.length - 1 },
      smsUcs2: mobile.ucs2 || pc.ucs2,
    };
  });
}

function inAudience(wave: WavePlan, group: string, labels: readonly string[], tier: string | undefined): boolean {
  const { audience } = wave;
  if (audience.has(EVERYONE) || audience.has(group)) return true;
  if (tier !== undefined && wave.tiers.has(tier)) return true;
  for (const label of labels) if (audience.has(label)) return true;
  return false;
}

/** `tier:VIP2` entries of an audience: the tiers, compared as the segment files' are (case and width aside). */
function audienceTiers(audience: readonly string[]): string[] {
  return audience.filter((entry) => entry.startsWith(TIER_AUDIENCE_PREFIX)).map(audienceTier);
}

function audienceTier(entry: string): string {
  return normaliseTier(entry.slice(TIER_AUDIENCE_PREFIX.length));
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

/** Customer indices, most valuable first; ties keep file order so the plan is deterministic. */
function valueOrder(values: Float64Array): Int32Array {
  const keys = new Float64Array(values.length);
  const scale = 2 ** 20 - 1;
  for (let index = 0; index < values.length; index += 1) {
    const quantised = Math.round(Math.min(1, Math.max(0, values[index] as number)) * scale);
    keys[index] = (scale - quantised) * 2 ** 32 + index;
  }
  keys.sort();
  const order = new Int32Array(values.length);
  for (let position = 0; position < keys.length; position += 1) order[position] = (keys[position] as number) % 2 ** 32;
  return order;
}

/**
 * Per-customer cap checks over the touches a customer could get. Priority: the midnight
 * SMS; then one touch per wave in time order (SMS, else the email); then the rest.
 */
class CapAllocator {
  private readonly priority: Array<{ slot: number; fallback?: number }>;
  private readonly monthOfSlot: Int32Array;
  private readonly isSmsSlot: Uint8Array;
  private readonly touchCap: number;
  private readonly monthCap: number;
  /** SMS taken per calendar month in the allocation under way. */
  private readonly smsInMonth: Int32Array;

  constructor(campaign: Campaign, waves: WavePlan[], timeZone: string) {
    this.touchCap = campaign.caps.touches;
    this.monthCap = campaign.caps.smsPerMonth;
    const months = new Map<string, number>();
    this.monthOfSlot = new Int32Array(waves.length * 2).fill(-1);
    this.isSmsSlot = new Uint8Array(waves.length * 2);
    for (const wave of waves) {
      const key = monthKey(wave.smsAt, timeZone);
      if (!months.has(key)) months.set(key, months.size);
      this.monthOfSlot[slotOf(wave.index, SMS)] = months.get(key) as number;
      this.isSmsSlot[slotOf(wave.index, SMS)] = 1;
    }
    const byPriority = [...waves].sort((a, b) => Number(b.kind === 'midnight') - Number(a.kind === 'midnight'));
    const coverage = byPriority.map((wave) => ({ slot: slotOf(wave.index, SMS), fallback: slotOf(wave.index, EMAIL) }));
    const depth = byPriority.flatMap((wave) => [
      { slot: slotOf(wave.index, SMS) },
      { slot: slotOf(wave.index, EMAIL) },
    ]);
    this.priority = [...coverage, ...depth];
    this.smsInMonth = new Int32Array(Math.max(1, months.size));
  }

  allocate(candidates: number, multiAllowed: boolean): CapAllocation {
    // Run twice a customer: no closure and no map per call, only this small state.
    const state: CapState = { candidates, multiAllowed, planned: 0, touches: 0, smsCount: 0, refused: undefined };
    this.smsInMonth.fill(0);
    for (const { slot, fallback } of this.priority) {
      if (!this.take(state, slot) && fallback !== undefined) this.take(state, fallback);
    }
    return { planned: state.planned >>> 0, smsCount: state.smsCount, refused: state.refused ?? NO_REFUSALS };
  }

  private take(state: CapState, slot: number): boolean {
    const bit = 1 << slot;
    if ((state.candidates & bit) === 0 || (state.planned & bit) !== 0) return false;
    let reason: DropReason | null = null;
    const isSms = this.isSmsSlot[slot] === 1;
    const month = this.monthOfSlot[slot] as number;
    if (state.touches >= this.touchCap) reason = 'cap:touches';
    else if (isSms && (this.smsInMonth[month] as number) >= this.monthCap) reason = 'cap:sms-month';
    else if (isSms && state.smsCount >= 1 && !state.multiAllowed) reason = 'cap:multi-sms';
    if (reason) {
      // The first refusal names the rule that really kept the touch out.
      state.refused ??= new Map();
      if (!state.refused.has(slot)) state.refused.set(slot, reason);
      return false;
    }
    state.planned |= bit;
    state.refused?.delete(slot);
    state.touches += 1;
    if (isSms) {
      state.smsCount += 1;
      this.smsInMonth[month] = (this.smsInMonth[month] as number) + 1;
    }
    return true;
  }
}

interface CapAllocation {
  planned: number;
  smsCount: number;
  refused: ReadonlyMap<number, DropReason>;
}

interface CapState {
  candidates: number;
  multiAllowed: boolean;
  planned: number;
  touches: number;
  smsCount: number;
  /** Made on the first refusal: most customers have none. */
  refused: Map<number, DropReason> | undefined;
}

const NO_REFUSALS: ReadonlyMap<number, DropReason> = new Map();

function reachedCount(planned: Uint32Array): number {
  let reached = 0;
  for (const mask of planned) if (mask !== 0) reached += 1;
  return reached;
}

function multiSmsCount(planned: Uint32Array, waves: WavePlan[]): number {
  let smsMask = 0;
  for (const wave of waves) smsMask |= 1 << slotOf(wave.index, SMS);
  let multi = 0;
  for (const mask of planned) {
    const sms = (mask & smsMask) >>> 0;
    if (sms !== 0 && (sms & (sms - 1)) !== 0) multi += 1;
  }
  return multi;
}

/** Name lengths for SMS part counts, with whether the name forces UCS-2 (top bit). */
function nameLengths(customers: CustomerSet): Uint16Array {
  const lengths = new Uint16Array(customers.size);
  // Names are interned in the set: one measurement per distinct name.
  const measured = new Map<string, number>();
  for (let index = 0; index < customers.size; index += 1) {
    const name = customers.nameOf(index) || NAME_FALLBACK;
    const full = measured.size >= 1 << 16;
    let packed = full ? undefined : measured.get(name);
    if (packed === undefined) {
      const { length, ucs2 } = smsLength(name);
      packed = Math.min(length, 0x7fff) | (ucs2 ? 0x8000 : 0);
      if (!full) measured.set(name, packed);
    }
    lengths[index] = packed;
  }
  return lengths;
}

function smsUnitsFor(wave: WavePlan, device: Device, names: Uint16Array, index: number): number {
  const name = names[index] as number;
  const base = device === 'pc' ? wave.smsBaseLength.pc : wave.smsBaseLength.mobile;
  return smsPartsFor(base + (name & 0x7fff), wave.smsUcs2 || (name & 0x8000) !== 0);
}

/** A regular SMS wave must be sent before the next wave starts and within its calendar month. */
function smsDeadline(wave: WavePlan, waves: WavePlan[], timeZone: string): number {
  const next = waves.find((other) => other.smsAt > wave.smsAt);
  return Math.min(next ? next.smsAt : Number.POSITIVE_INFINITY, startOfNextMonth(wave.smsAt, timeZone));
}

/**
 * When the email wave starts: the given time, or the latest start in the lead window that
 * lets the whole wave finish before quiet hours, on the quarter hour; when no single
 * evening or day is long enough, the start of the window, continuing across quiet nights.
 */
function emailStart(wave: WavePlan, seconds: number, quiet: QuietHours): [number, number] {
  const [from, to] = wave.emailWindow;
  if (typeof wave.wave.email === 'object' && wave.wave.email.at) return [from, to];
  const intervals = allowedIntervals(from, to, quiet);
  const duration = Math.ceil(seconds) * 1000;
  for (let position = intervals.length - 1; position >= 0; position -= 1) {
    const [start, end] = intervals[position] as [number, number];
    if (end - start >= duration) {
      const quarter = 15 * 60_000;
      return [Math.max(start, Math.floor((end - duration) / quarter) * quarter), to];
    }
  }
  return [intervals[0]?.[0] ?? from, to];
}

function sendId(waveId: string, channel: Channel, group: number, slice: number): string {
  return `${waveId}.${channel}.g${group}${slice > 1 ? `.s${slice}` : ''}`;
}

function compareSends(a: PlannedSend, b: PlannedSend): number {
  const byTime = Date.parse(a.at) - Date.parse(b.at);
  if (byTime !== 0) return byTime;
  if (a.waveId !== b.waveId) return a.waveId < b.waveId ? -1 : 1;
  if (a.channel !== b.channel) return a.channel === 'email' ? -1 : 1;
  return a.group - b.group || a.slice - b.slice;
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function audienceWarnings(
  waves: WavePlan[],
  customers: CustomerSet,
  tiersSeen: ReadonlySet<string>,
  audienceSizes: number[],
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

function layoutWarnings(
  slotLayout: SlotLayout,
  groups: number,
  campaign: Campaign,
  waves: WavePlan[],
  midnight: number,
  quiet: QuietHours,
): PlanWarning[] {
  const { wave, channel, members, layout, rate, totalUnits } = slotLayout;
  const tz = campaign.timezone;
  const warnings: PlanWarning[] = [];
  const id = wave.wave.id;
  const channelName: Channel = channel === SMS ? 'sms' : 'email';
  const overflow = members.length - layout.overflowFrom;
  if (overflow > 0) {
    const limit: WarningLimit =
      channel === EMAIL
        ? { kind: 'email-window', minHours: campaign.emailLeadDays.min * 24, maxHours: campaign.emailLeadDays.max * 24 }
        : nextBoundary(wave, waves, tz);
    warnings.push({ code: 'no-window', wave: id, channel: channelName, count: overflow, limit, rate });
  }
  const slicedGroups = new Set(layout.slices.filter((s) => s.slice > 1).map((s) => s.group + 1));
  if (slicedGroups.size > 0) {
    warnings.push({
      code: 'quiet-split',
      wave: id,
      channel: channelName,
      quietStart: campaign.quietHours.start,
      quietEnd: campaign.quietHours.end,
      groups: [...slicedGroups],
    });
  }
  if (channel === SMS && wave.kind === 'midnight' && members.length > 0) {
    const seconds = Math.ceil(totalUnits / rate);
    const end = midnight + seconds * 1000;
    if (seconds > HOUR_MS / 1000) {
      warnings.push({
        code: 'midnight-slow',
        wave: id,
        seconds,
        rate,
        sms: members.length,
        parts: totalUnits,
        groups,
      });
    }
    if (end > midnight + quiet.end * 60_000) {
      warnings.push({ code: 'midnight-past-night', wave: id, until: formatInstant(end, tz) });
    }
  }
  return warnings;
}

function nextBoundary(wave: WavePlan, waves: WavePlan[], timeZone: string): WarningLimit {
  const next = waves.find((other) => other.smsAt > wave.smsAt);
  const monthEnd = startOfNextMonth(wave.smsAt, timeZone);
  if (next && next.smsAt <= monthEnd) {
    return { kind: 'next-wave', waveId: next.wave.id, at: formatInstant(next.smsAt, timeZone) };
  }
  return { kind: 'month-end', at: formatInstant(monthEnd, timeZone) };
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
