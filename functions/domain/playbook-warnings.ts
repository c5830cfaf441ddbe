/**
 * The playbook's advice on who each stretch of the festival is for, checked on a plan as
 * warnings (the marketer may have reasons; nothing is refused):
 * - the first sprint, 11.1 to 11.8, aims at "中等以上的客户群, 占比可以在70%左右" (the
 *   middle-and-above customers, about 70% of them): a sprint wave reaching far more or far
 *   fewer is either spraying the weak groups or missing the middle;
 * - the midnight push should not go to `dormant-deep` and `churned` customers: a year or
 *   more since their last order, they are the ones who complain about a message at 00:00,
 *   and complaints are what gets a sender's channel throttled or closed, on the one night
 *   it matters most.
 * Pure: counts in, warnings out.
 */
import { DAY_MS, formatInstant, instantOf, wallClockAt } from './local-time.ts';
import type { PlanWarning } from './timeline.ts';

/**
 * The first sprint, in days before the midnight push's date: from 00:00 ten days before
 * (11.1 for 11.11) to 00:00 two days before (the end of 11.8); the last three days are the
 * festival's own run-up.
 */
export const FIRST_SPRINT_DAYS = { from: 10, to: 2 } as const;

/**
 * How far a sprint wave's reach may stray from the playbook's "about 70%" before the plan
 * warns: 15 points either way. Closer than that is the marketer's judgement of "about"
 * (a control group, missing phones, a cap); beyond it the audience is a different group
 * (all but the weakest, or the top only).
 */
export const SPRINT_REACH_BAND = { aim: 0.7, low: 0.55, high: 0.85 } as const;

/**
 * Below this many customers a wave's channels can reach, a share is a handful of people (two of
 * two is 100%), not a targeting choice: the sprint check starts here.
 */
export const SPRINT_MIN_ELIGIBLE = 50;

/** The groups the midnight push should spare: their complaints put the sending channel at risk. */
export const MIDNIGHT_RISK_GROUPS = ['dormant-deep', 'churned'] as const;

/** The first sprint's window [from, to), instants, for a midnight push at `midnight` in `timeZone`. */
export function firstSprintWindow(midnight: number, timeZone: string): [number, number] {
  const day = wallClockAt(midnight, timeZone);
  const startOf = (daysBefore: number): number => {
    const date = new Date(Date.UTC(day.year, day.month - 1, day.day) - daysBefore * DAY_MS);
    return instantOf(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: 0,
        minute: 0,
        second: 0,
      },
      timeZone,
    );
  };
  return [startOf(FIRST_SPRINT_DAYS.from), startOf(FIRST_SPRINT_DAYS.to)];
}

/** A wave as the sprint check needs it. */
export interface SprintWave {
  id: string;
  /** The SMS wave's start, epoch ms. */
  smsAt: number;
  /** Unpaid reminders and the midnight push are not the sprint's promotion. */
  promotional: boolean;
  /** Customers the wave reaches (a planned touch on either channel), plus its control group. */
  reached: number;
  /** Customers the wave's channels could reach at all (a usable phone, or an email when the wave has one). */
  eligible: number;
}

/** When the plan is for: the midnight push's instant, the campaign's zone and the planning time. */
export interface SprintContext {
  midnight: number;
  timeZone: string;
  now: number;
}

/**
 * A warning for each promotional wave of the first sprint whose reach is outside the band.
 * A wave already past has its own warning (it reaches nobody), so it gets no second one.
 */
export function sprintReachWarnings(
  waves: readonly SprintWave[],
  { midnight, timeZone, now }: SprintContext,
  band: { low: number; high: number } = SPRINT_REACH_BAND,
): PlanWarning[] {
  const [from, to] = firstSprintWindow(midnight, timeZone);
  const warnings: PlanWarning[] = [];
  for (const wave of waves) {
    if (!wave.promotional || wave.smsAt < now || wave.eligible < SPRINT_MIN_ELIGIBLE) continue;
    if (wave.smsAt < from || wave.smsAt >= to) continue;
    const share = wave.reached / wave.eligible;
    if (share >= band.low && share <= band.high) continue;
    warnings.push({
      code: 'sprint-reach',
      wave: wave.id,
      smsAt: formatInstant(wave.smsAt, timeZone),
      reached: wave.reached,
      eligible: wave.eligible,
      low: band.low,
      high: band.high,
    });
  }
  return warnings;
}

/** The midnight push's planned SMS by group; a warning when any goes to the groups it should spare. */
export function midnightRiskWarning(
  waveId: string,
  smsByGroup: Readonly<Partial<Record<string, number>>>,
): PlanWarning | null {
  const dormantDeep = smsByGroup['dormant-deep'] ?? 0;
  const churned = smsByGroup.churned ?? 0;
  if (dormantDeep + churned === 0) return null;
  return { code: 'midnight-risky-groups', wave: waveId, dormantDeep, churned };
}
