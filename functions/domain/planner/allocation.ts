/**
 * Phase 2, allocation: which of each customer's candidate touches are planned under the caps.
 * Per customer the midnight push SMS comes first, then one touch per wave in time order (SMS
 * where allowed, else the wave's email), then the remaining channel of each wave; each touch
 * must pass the touch cap, the SMS-per-month cap and the multi-SMS rule: only customers of
 * the groups allowed more than one SMS, those with the most benefit from a second touch first,
 * up to the multi-SMS share of the customers reached, may receive more than one SMS.
 */
import type { Campaign } from '../campaign.ts';
import { monthKey } from '../local-time.ts';
import { type DropReason, DropTally } from './drops.ts';
import { EMAIL, SMS, slotOf, smsSlotMask, type WavePlan } from './waves.ts';

export interface AllocationInput {
  campaign: Campaign;
  waves: readonly WavePlan[];
  /** Per customer, the candidate touches (phase 1). */
  masks: Uint32Array;
  /** The customers who may get a second SMS, most benefit first (secondTouchOrder). */
  multiOrder: Int32Array;
}

export interface Allocation {
  /** Per customer, the touches planned under the caps. */
  planned: Uint32Array;
  /** The touches the caps refused, by the rule that kept each out. */
  drops: DropTally;
}

export function allocateTouches(input: AllocationInput): Allocation {
  const { campaign, waves, masks, multiOrder } = input;
  const count = masks.length;
  const caps = new CapAllocator(campaign, waves);
  const smsMask = smsSlotMask(waves);
  let reached = 0;
  for (const mask of masks) if (mask !== 0) reached += 1;
  // First pass: who of those allowed would get more than one SMS; they compete on the benefit.
  const wantsMulti: number[] = [];
  for (const index of multiOrder) {
    const mask = masks[index] as number;
    const sms = (mask & smsMask) >>> 0;
    if ((sms & (sms - 1)) === 0) continue;
    if (caps.allocate(mask, true).smsCount > 1) wantsMulti.push(index);
  }
  const multiLimit = Math.floor(campaign.caps.multiSmsShare * reached);
  const multiAllowed = new Uint8Array(count);
  for (const index of wantsMulti.slice(0, multiLimit)) multiAllowed[index] = 1;

  const drops = new DropTally(waves.length * 2);
  const planned = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) {
    const mask = masks[index] as number;
    if (mask === 0) continue;
    const allocation = caps.allocate(mask, multiAllowed[index] === 1);
    planned[index] = allocation.planned;
    // Most customers have no refusal: no iterator made for them.
    if (allocation.refused.size > 0) for (const [slot, reason] of allocation.refused) drops.add(slot, reason);
  }
  return { planned, drops };
}

export interface DemotionInput {
  waves: readonly WavePlan[];
  /** The customers who may get a second SMS, most benefit first. */
  multiOrder: Int32Array;
  /** The allocation being corrected. */
  planned: Uint32Array;
  /** What of it can really be sent (the layout's overflow removed). */
  sendable: Uint32Array;
  /** How many customers must give up their second SMS. */
  excess: number;
}

/**
 * Least benefit first, customers with two or more sendable SMS give up their last
 * non-midnight one, until `excess` have: the share is kept after the layout has dropped touches.
 */
export function demoteLeastValuable(input: DemotionInput): Allocation {
  const { waves, multiOrder, sendable, excess } = input;
  const planned = input.planned.slice();
  const drops = new DropTally(waves.length * 2);
  let left = excess;
  for (let position = multiOrder.length - 1; position >= 0 && left > 0; position -= 1) {
    const index = multiOrder[position] as number;
    const smsSlots = waves.map((w) => slotOf(w.index, SMS)).filter((slot) => (sendable[index] as number) & (1 << slot));
    if (smsSlots.length < 2) continue;
    const nonMidnight = smsSlots.filter((slot) => waves[slot >> 1]?.kind !== 'midnight');
    const giveUp = nonMidnight[nonMidnight.length - 1] as number;
    planned[index] = ((planned[index] as number) & ~(1 << giveUp)) >>> 0;
    drops.add(giveUp, 'cap:multi-sms');
    left -= 1;
  }
  return { planned, drops };
}

const SCORE_SCALE = 2 ** 20 - 1;

/** A sort key: higher scores first, ties in file order (the index), so the plan is deterministic. */
function rankKey(score: number, index: number): number {
  const quantised = Math.round(Math.min(1, Math.max(0, score)) * SCORE_SCALE);
  return (SCORE_SCALE - quantised) * 2 ** 32 + index;
}

function indicesOf(keys: Float64Array): Int32Array {
  keys.sort();
  const order = new Int32Array(keys.length);
  for (let position = 0; position < keys.length; position += 1) order[position] = (keys[position] as number) % 2 ** 32;
  return order;
}

/** Customer indices, most valuable first; ties keep file order so the plan is deterministic. */
export function valueOrder(values: Float64Array): Int32Array {
  const keys = new Float64Array(values.length);
  for (let index = 0; index < values.length; index += 1) keys[index] = rankKey(values[index] as number, index);
  return indicesOf(keys);
}

/** The customers allowed a second SMS (benefit >= 0), most benefit first, ties in file order. */
export function secondTouchOrder(benefits: Float64Array): Int32Array {
  let allowed = 0;
  for (const benefit of benefits) if (benefit >= 0) allowed += 1;
  const keys = new Float64Array(allowed);
  let position = 0;
  for (let index = 0; index < benefits.length; index += 1) {
    const benefit = benefits[index] as number;
    if (benefit >= 0) keys[position++] = rankKey(benefit, index);
  }
  return indicesOf(keys);
}

export function reachedCount(planned: Uint32Array): number {
  let reached = 0;
  for (const mask of planned) if (mask !== 0) reached += 1;
  return reached;
}

/** Customers planned more than one SMS. */
export function multiSmsCount(planned: Uint32Array, waves: readonly WavePlan[]): number {
  const smsMask = smsSlotMask(waves);
  let multi = 0;
  for (const mask of planned) {
    const sms = (mask & smsMask) >>> 0;
    if (sms !== 0 && (sms & (sms - 1)) !== 0) multi += 1;
  }
  return multi;
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

  constructor(campaign: Campaign, waves: readonly WavePlan[]) {
    this.touchCap = campaign.caps.touches;
    this.monthCap = campaign.caps.smsPerMonth;
    const months = new Map<string, number>();
    this.monthOfSlot = new Int32Array(waves.length * 2).fill(-1);
    this.isSmsSlot = new Uint8Array(waves.length * 2);
    for (const wave of waves) {
      const key = monthKey(wave.smsAt, campaign.timezone);
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
