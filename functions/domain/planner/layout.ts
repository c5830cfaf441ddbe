/**
 * Phase 3, layout: each wave and channel is sent most valuable first, in even groups of at
 * most `groupSize`, back to back at the configured rate; quiet hours cut a group into slices;
 * what cannot be sent before its deadline overflows (the summary counts it as `no-window`).
 */
import type { Campaign } from '../campaign.ts';
import type { Device } from '../customer.ts';
import type { CustomerSet } from '../customer-set.ts';
import { formatInstant, HOUR_MS, startOfNextMonth } from '../local-time.ts';
import { NAME_FALLBACK, smsLength, smsPartsFor } from '../messages.ts';
import { allowedIntervals, evenGroupSizes, type Layout, layOut, type QuietHours } from '../send-windows.ts';
import type { Channel, PlannedSend, PlanWarning, WarningLimit } from '../timeline.ts';
import { DropTally } from './drops.ts';
import type { PlanningCustomers } from './planning-customers.ts';
import { EMAIL, SMS, slotOf, type WavePlan } from './waves.ts';

export interface LayoutContext {
  campaign: Campaign;
  customers: PlanningCustomers;
  waves: readonly WavePlan[];
  /** Customer indices, most valuable first. */
  order: Int32Array;
  quiet: QuietHours;
  /** Per customer, the name's SMS length (nameLengths). */
  nameUnits: Uint16Array;
  /** Per customer, the primary group (index into PLAYBOOK_GROUPS): which default text it reads. */
  groups?: Uint8Array;
  /** Per customer, the waves (bit per wave index) whose SMS is its care text (candidates' `care`). */
  care?: Uint32Array;
}

/** One wave and channel laid out: its members in send order and where each group falls. */
export interface SlotLayout {
  wave: WavePlan;
  channel: number;
  slot: number;
  members: number[];
  /** `layout.overflowFrom` is the first member that does not fit (members.length when all do). */
  layout: Layout;
  rate: number;
  totalUnits: number;
  start: number;
  deadline: number;
}

/** Every wave's SMS and (when it has one) email, laid out for the planned touches. */
export function layOutAll(context: LayoutContext, planned: Uint32Array): SlotLayout[] {
  const members = membersBySlot(context, planned);
  return context.waves.flatMap((wave) => {
    const result = [layOutSlot(context, planned, wave, SMS, members[slotOf(wave.index, SMS)])];
    if (wave.hasEmail) result.push(layOutSlot(context, planned, wave, EMAIL, members[slotOf(wave.index, EMAIL)]));
    return result;
  });
}

/** Per slot, its planned customers most valuable first: one pass over the order for every slot. */
function membersBySlot(context: LayoutContext, planned: Uint32Array): number[][] {
  const members: number[][] = Array.from({ length: context.waves.length * 2 }, () => []);
  for (const index of context.order) {
    let mask = planned[index] as number;
    while (mask !== 0) {
      const slot = 31 - Math.clz32(mask);
      (members[slot] as number[]).push(index);
      mask ^= 1 << slot;
    }
  }
  return members;
}

export function layOutSlot(
  context: LayoutContext,
  planned: Uint32Array,
  wave: WavePlan,
  channel: number,
  slotMembers?: number[],
): SlotLayout {
  const { campaign, customers, waves, order, quiet, nameUnits, groups, care } = context;
  const slot = slotOf(wave.index, channel);
  const bit = 1 << slot;
  let members = slotMembers;
  if (members === undefined) {
    members = [];
    for (const index of order) if (((planned[index] as number) & bit) !== 0) members.push(index);
  }
  const units = new Float64Array(members.length);
  let totalUnits = 0;
  if (channel === SMS) {
    const lengths = smsLengths(wave);
    const careBit = 1 << wave.index;
    for (let position = 0; position < members.length; position += 1) {
      const index = members[position] as number;
      const text = care !== undefined && ((care[index] as number) & careBit) !== 0 ? CARE : groups?.[index];
      const value = smsUnitsOf(lengths, customers.deviceOf(index) === 'pc', nameUnits[index] as number, text);
      units[position] = value;
      totalUnits += value;
    }
  } else {
    units.fill(1);
    totalUnits = members.length;
  }
  const rate = channel === SMS ? campaign.smsRatePerSecond : campaign.emailRatePerSecond;
  const isMidnight = channel === SMS && wave.kind === 'midnight';
  let start: number;
  let deadline: number;
  if (channel === SMS) {
    start = wave.smsAt;
    deadline = isMidnight ? Number.POSITIVE_INFINITY : smsDeadline(wave, waves, campaign.timezone);
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

/** The planned touches without those the layouts could not fit. */
export function withoutOverflow(planned: Uint32Array, layouts: readonly SlotLayout[]): Uint32Array {
  const result = planned.slice();
  for (const { slot, members, layout } of layouts) {
    for (let position = layout.overflowFrom; position < members.length; position += 1) {
      const index = members[position] as number;
      result[index] = ((result[index] as number) & ~(1 << slot)) >>> 0;
    }
  }
  return result;
}

/** The overflowing touches, as `no-window` drops. */
export function overflowDrops(slots: number, layouts: readonly SlotLayout[]): DropTally {
  const drops = new DropTally(slots);
  for (const { slot, members, layout } of layouts) {
    const overflow = members.length - layout.overflowFrom;
    if (overflow > 0) drops.add(slot, 'no-window', overflow);
  }
  return drops;
}

export interface PlannedSends {
  /** In time order (then wave, email before SMS, group, slice), each with its customers in send order. */
  sends: Array<{ send: PlannedSend; members: Int32Array }>;
  /** Per slot, when its last send is expected to finish, epoch ms. */
  waveEnds: Map<number, number>;
  /** Overflow, quiet-hour splits and a slow midnight push, in layout order. */
  warnings: PlanWarning[];
}

/** The sends the layouts make, and their warnings. */
export function plannedSends(
  campaign: Campaign,
  waves: readonly WavePlan[],
  layouts: readonly SlotLayout[],
  midnight: number,
  quiet: QuietHours,
): PlannedSends {
  const tz = campaign.timezone;
  const sends: Array<{ send: PlannedSend; members: Int32Array }> = [];
  const waveEnds = new Map<number, number>();
  const warnings: PlanWarning[] = [];
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
  return { sends, waveEnds, warnings };
}

/** Name lengths for SMS part counts, with whether the name forces UCS-2 (top bit). */
export function nameLengths(customers: CustomerSet): Uint16Array {
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

/**
 * The SMS parts of one customer's message in a wave: the text the customer gets (the care
 * text, its group's own text, or the wave's general one) with its name and the provider's suffix.
 */
export function smsUnitsFor(
  wave: WavePlan,
  device: Device,
  names: Uint16Array,
  index: number,
  group?: number,
  care = false,
): number {
  return smsUnitsOf(smsLengths(wave), device === 'pc', names[index] as number, care ? CARE : group);
}

/**
 * A wave's SMS lengths without the name, per text a customer may read: [group * 2 + pc] for
 * each group's own text, then the general text's two at GENERAL and the care text's at
 * CARE * 2; ucs2 alike, as 0 or 1.
 * Worked out once a wave, so the million-customer loops only add the name and divide.
 */
interface SmsLengths {
  base: Int32Array;
  ucs2: Uint8Array;
}

const GENERAL = 256 * 2;
/** The care text, as smsUnitsOf's `text`: after every group (NO_GROUP is 255) and the general text. */
const CARE = 257;
const lengthsOfWave = new WeakMap<WavePlan, SmsLengths>();

function smsLengths(wave: WavePlan): SmsLengths {
  let lengths = lengthsOfWave.get(wave);
  if (lengths) return lengths;
  const base = new Int32Array(CARE * 2 + 2);
  const ucs2 = new Uint8Array(CARE * 2 + 2);
  // A wave without a care text never has a customer read it; the general text stands in.
  const careText = wave.careSms ?? { ...wave.smsBaseLength, ucs2: wave.smsUcs2 };
  base[CARE * 2] = careText.mobile;
  base[CARE * 2 + 1] = careText.pc;
  ucs2[CARE * 2] = careText.ucs2 ? 1 : 0;
  ucs2[CARE * 2 + 1] = careText.ucs2 ? 1 : 0;
  for (let group = 0; group <= 256; group += 1) {
    const text = group < 256 ? wave.groupSms?.[group] : undefined;
    const at = group < 256 ? group * 2 : GENERAL;
    const useGeneral = !text;
    base[at] = useGeneral ? wave.smsBaseLength.mobile : text.mobile;
    base[at + 1] = useGeneral ? wave.smsBaseLength.pc : text.pc;
    const forced = useGeneral ? wave.smsUcs2 : text.ucs2;
    ucs2[at] = forced ? 1 : 0;
    ucs2[at + 1] = forced ? 1 : 0;
  }
  lengths = { base, ucs2 };
  lengthsOfWave.set(wave, lengths);
  return lengths;
}

/** `text`: a group index (its own text), CARE, or undefined (the general text). */
function smsUnitsOf(lengths: SmsLengths, pc: boolean, name: number, text: number | undefined): number {
  const at = (text === undefined ? GENERAL : text * 2) + (pc ? 1 : 0);
  return smsPartsFor((lengths.base[at] as number) + (name & 0x7fff), lengths.ucs2[at] === 1 || (name & 0x8000) !== 0);
}

/** A regular SMS wave must be sent before the next wave starts and within its calendar month. */
function smsDeadline(wave: WavePlan, waves: readonly WavePlan[], timeZone: string): number {
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

function layoutWarnings(
  slotLayout: SlotLayout,
  groups: number,
  campaign: Campaign,
  waves: readonly WavePlan[],
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

function nextBoundary(wave: WavePlan, waves: readonly WavePlan[], timeZone: string): WarningLimit {
  const next = waves.find((other) => other.smsAt > wave.smsAt);
  const monthEnd = startOfNextMonth(wave.smsAt, timeZone);
  if (next && next.smsAt <= monthEnd) {
    return { kind: 'next-wave', waveId: next.wave.id, at: formatInstant(next.smsAt, timeZone) };
  }
  return { kind: 'month-end', at: formatInstant(monthEnd, timeZone) };
}
