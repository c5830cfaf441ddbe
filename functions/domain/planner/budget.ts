/**
 * Phase 3b, budget: when the plan's estimated cost (SMS parts and emails at the campaign's
 * prices) is over the campaign's `budget`, touches are cut until it fits, in this order:
 * second SMS (least benefit first), then emails (least valuable customer first), then the
 * remaining SMS (least valuable first). The midnight push SMS is never cut: when it alone
 * costs more than the budget, the plan is refused.
 */
import { type Campaign, CampaignFileError } from '../campaign.ts';
import { fen } from '../plan-review.ts';
import { DropTally } from './drops.ts';
import { smsUnitsFor } from './layout.ts';
import type { PlanningCustomers } from './planning-customers.ts';
import { EMAIL, SMS, slotOf, type WavePlan } from './waves.ts';

/**
 * The budget cannot pay even for the midnight push: nothing is planned. A campaign file error
 * on `budget`, so every edge (the CLI, the API) reports it as the field to change.
 */
export class BudgetTooSmallError extends CampaignFileError {
  constructor(
    readonly budgetCny: number,
    readonly midnightCny: number,
    readonly midnightSms: number,
  ) {
    super([
      {
        path: 'budget',
        message: `is ${budgetCny} CNY, less than the midnight push alone costs (${midnightCny} CNY for ${midnightSms} SMS): raise the budget or narrow the midnight push's audience`,
      },
    ]);
    this.name = 'BudgetTooSmallError';
  }
}

export interface BudgetInput {
  campaign: Campaign;
  customers: PlanningCustomers;
  waves: readonly WavePlan[];
  /** Per customer, the name's SMS length (layout's nameLengths). */
  nameUnits: Uint16Array;
  /** Per customer, the primary group (index into PLAYBOOK_GROUPS): whose default text it reads. */
  groups?: Uint8Array;
  /** Per customer, the waves (bit per wave index) whose SMS is its care text. */
  care?: Uint32Array;
  /** The touches that can be sent (after caps and layout). */
  planned: Uint32Array;
  /** Customer indices, most valuable first. */
  order: Int32Array;
  /** The customers allowed a second SMS, most benefit first. */
  multiOrder: Int32Array;
}

export interface BudgetCut {
  planned: Uint32Array;
  /** The touches cut, as `budget` drops. */
  drops: DropTally;
  /** How many touches were cut. */
  cut: number;
}

export function fitBudget(input: BudgetInput): BudgetCut {
  const { campaign, waves, planned: given } = input;
  const drops = new DropTally(waves.length * 2);
  const budget = campaign.budget;
  if (budget === undefined) return { planned: given, drops, cut: 0 };
  const { smsPart, email: emailPrice } = campaign.prices;
  const planned = given.slice();
  const midnightSlots = new Set(waves.filter((w) => w.kind === 'midnight').map((w) => slotOf(w.index, SMS)));
  const costOf = (index: number, slot: number): number => {
    const wave = waves[slot >> 1] as WavePlan;
    if ((slot & 1) === EMAIL) return emailPrice;
    // The parts of the text this customer gets: the care text, its group's, or the wave's own.
    const cared = input.care !== undefined && ((input.care[index] as number) & (1 << wave.index)) !== 0;
    return (
      smsPart * smsUnitsFor(wave, input.customers.deviceOf(index), input.nameUnits, index, input.groups?.[index], cared)
    );
  };

  let total = 0;
  let midnight = 0;
  let midnightSms = 0;
  for (let index = 0; index < planned.length; index += 1) {
    const mask = planned[index] as number;
    if (mask === 0) continue;
    for (let slot = 0; slot < waves.length * 2; slot += 1) {
      if ((mask & (1 << slot)) === 0) continue;
      const cost = costOf(index, slot);
      total += cost;
      if (midnightSlots.has(slot)) {
        midnight += cost;
        midnightSms += 1;
      }
    }
  }
  if (fen(midnight) > budget) throw new BudgetTooSmallError(budget, fen(midnight), midnightSms);

  let cut = 0;
  const fits = () => fen(total) <= budget;
  const drop = (index: number, slot: number) => {
    planned[index] = ((planned[index] as number) & ~(1 << slot)) >>> 0;
    total -= costOf(index, slot);
    drops.add(slot, 'budget');
    cut += 1;
  };
  // Latest wave first: of a customer's SMS the later promotional ones go before the earlier.
  const smsSlotsLatestFirst = waves
    .map((wave) => slotOf(wave.index, SMS))
    .filter((slot) => !midnightSlots.has(slot))
    .reverse();
  const emailSlots = waves.filter((wave) => wave.hasEmail).map((wave) => slotOf(wave.index, EMAIL));

  // 1. Second SMS, least benefit first: each customer keeps one SMS (the midnight push if planned).
  for (let position = input.multiOrder.length - 1; position >= 0 && !fits(); position -= 1) {
    const index = input.multiOrder[position] as number;
    let smsCount = 0;
    for (const wave of waves) if ((planned[index] as number) & (1 << slotOf(wave.index, SMS))) smsCount += 1;
    for (const slot of smsSlotsLatestFirst) {
      if (smsCount <= 1 || fits()) break;
      if (((planned[index] as number) & (1 << slot)) === 0) continue;
      drop(index, slot);
      smsCount -= 1;
    }
  }
  // 2. Emails, least valuable customer first.
  for (let position = input.order.length - 1; position >= 0 && !fits(); position -= 1) {
    const index = input.order[position] as number;
    for (const slot of emailSlots) {
      if (fits()) break;
      if ((planned[index] as number) & (1 << slot)) drop(index, slot);
    }
  }
  // 3. The remaining SMS but the midnight push, least valuable customer first.
  for (let position = input.order.length - 1; position >= 0 && !fits(); position -= 1) {
    const index = input.order[position] as number;
    for (const slot of smsSlotsLatestFirst) {
      if (fits()) break;
      if ((planned[index] as number) & (1 << slot)) drop(index, slot);
    }
  }
  return { planned, drops, cut };
}
