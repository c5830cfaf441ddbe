/** Why a touch will not happen, and the per-slot tally each planner phase returns. */

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

/** Dropped touches counted per slot (wave x channel) and reason. */
export class DropTally {
  readonly bySlot: Array<Map<DropReason, number>>;

  constructor(slots: number) {
    this.bySlot = Array.from({ length: slots }, () => new Map<DropReason, number>());
  }

  add(slot: number, reason: DropReason, count = 1): void {
    const map = this.bySlot[slot] as Map<DropReason, number>;
    map.set(reason, (map.get(reason) ?? 0) + count);
  }

  /** One slot's counts. */
  of(slot: number): ReadonlyMap<DropReason, number> {
    return this.bySlot[slot] ?? new Map();
  }

  /** The sum of several phases' tallies (counts only: the order of reasons is not kept). */
  static merged(slots: number, tallies: readonly DropTally[]): DropTally {
    const result = new DropTally(slots);
    for (const tally of tallies) {
      tally.bySlot.forEach((map, slot) => {
        for (const [reason, count] of map) result.add(slot, reason, count);
      });
    }
    return result;
  }
}
