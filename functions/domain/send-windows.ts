/**
 * Time arithmetic for sends: quiet hours, and laying customers out in time at a rate.
 * A send may only run outside quiet hours (the midnight push excepted) and before its
 * deadline; what does not fit is cut into slices after the quiet night, and what cannot
 * fit at all is reported so the planner can drop it with a reason.
 */
import { type Campaign, isQuiet, smsInstant } from './campaign.ts';
import { DAY_MS, localDayAt, minuteOfDay, parseClock, startOfNextMonth } from './local-time.ts';
import type { PlannedSend } from './timeline.ts';

export interface QuietHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
  timeZone: string;
}

export function inQuietHours(instant: number, quiet: QuietHours): boolean {
  return isQuiet(minuteOfDay(instant, quiet.timeZone), quiet.start, quiet.end);
}

/** The first instant after `instant` at which the local clock reads `minutes`. */
function nextClock(instant: number, minutes: number, timeZone: string): number {
  for (let day = -1; day <= 2; day += 1) {
    const candidate = localDayAt(instant + day * DAY_MS, timeZone, minutes);
    if (candidate > instant) return candidate;
  }
  return Number.POSITIVE_INFINITY;
}

/** When quiet hours next end (if inside them) or `instant` itself. */
export function leaveQuietHours(instant: number, quiet: QuietHours): number {
  return inQuietHours(instant, quiet) ? nextClock(instant, quiet.end, quiet.timeZone) : instant;
}

/** When quiet hours next begin, from an instant outside them. */
export function nextQuietStart(instant: number, quiet: QuietHours): number {
  return quiet.start === quiet.end ? Number.POSITIVE_INFINITY : nextClock(instant, quiet.start, quiet.timeZone);
}

/** The allowed (non-quiet) intervals within [from, to). */
export function allowedIntervals(from: number, to: number, quiet: QuietHours): Array<[number, number]> {
  const intervals: Array<[number, number]> = [];
  let cursor = from;
  while (cursor < to) {
    cursor = leaveQuietHours(cursor, quiet);
    if (cursor >= to) break;
    const end = Math.min(nextQuietStart(cursor, quiet), to);
    intervals.push([cursor, end]);
    cursor = end;
  }
  return intervals;
}

export interface SliceLayout {
  /** 0-based group index. */
  group: number;
  /** 1-based slice number within the group. */
  slice: number;
  at: number;
  /** Positions [from, to) in the send's ordered customer list. */
  from: number;
  to: number;
  units: number;
  seconds: number;
}

export interface LayoutInput {
  start: number;
  /** No message may be handed over at or after this instant. */
  deadline: number;
  /** Quiet hours to avoid; null for the midnight push, which is exempt. */
  quiet: QuietHours | null;
  /** Rate units (SMS parts, or 1 per email) of each customer, in send order. */
  units: ArrayLike<number>;
  /** Units per second. */
  rate: number;
  /** Sizes of the groups, in order; they sum to units.length. */
  groupSizes: readonly number[];
}

export interface Layout {
  slices: SliceLayout[];
  /** Customers from this position on do not fit before the deadline. */
  overflowFrom: number;
}

/**
 * Lays groups out back to back at `rate`, each starting when the one before is expected
 * to finish, slicing a group where quiet hours begin and resuming when they end.
 */
export function layOut(input: LayoutInput): Layout {
  const slices: SliceLayout[] = [];
  let cursor = input.start;
  let position = 0;
  let groupStart = 0;
  for (let group = 0; group < input.groupSizes.length; group += 1) {
    const groupEnd = groupStart + (input.groupSizes[group] ?? 0);
    let slice = 1;
    while (position < groupEnd) {
      if (input.quiet) cursor = leaveQuietHours(cursor, input.quiet);
      if (cursor >= input.deadline) return { slices, overflowFrom: position };
      const windowEnd = Math.min(
        input.deadline,
        input.quiet ? nextQuietStart(cursor, input.quiet) : Number.POSITIVE_INFINITY,
      );
      const capacity = ((windowEnd - cursor) / 1000) * input.rate;
      let units = 0;
      let end = position;
      while (end < groupEnd && units + (input.units[end] ?? 0) <= capacity) {
        units += input.units[end] ?? 0;
        end += 1;
      }
      if (end === position) {
        cursor = windowEnd;
        continue;
      }
      const seconds = Math.ceil(units / input.rate);
      slices.push({ group, slice, at: cursor, from: position, to: end, units, seconds });
      cursor += seconds * 1000;
      position = end;
      slice += 1;
    }
    groupStart = groupEnd;
  }
  return { slices, overflowFrom: position };
}

/** Sizes of `count` customers split into the fewest groups of at most `maxSize`, evenly. */
export function evenGroupSizes(count: number, maxSize: number): number[] {
  if (count === 0) return [];
  const groups = Math.ceil(count / maxSize);
  const base = Math.floor(count / groups);
  const larger = count % groups;
  return Array.from({ length: groups }, (_, index) => base + (index < larger ? 1 : 0));
}

/** What closes a send's window first. */
export type WindowEnd = 'quiet-hours' | 'night' | 'next-wave' | 'month-end' | 'grace';

export interface SendWindow {
  /** No message of the send may be handed to a provider at or after this instant. */
  closesAt: number;
  closedBy: WindowEnd;
}

/** The campaign's quiet hours in minutes, in its zone. */
export function quietHoursOf(campaign: Pick<Campaign, 'quietHours' | 'timezone'>): QuietHours {
  return {
    start: parseClock(campaign.quietHours.start),
    end: parseClock(campaign.quietHours.end),
    timeZone: campaign.timezone,
  };
}

/**
 * Until when a send may still leave, whoever is late (a resume after a pause, a worker
 * that waited, a schedule that fired late): a message that would land later is dropped as
 * `expired` rather than delivered stale. The window closes at the earliest of
 * - quiet hours: the next start of quiet hours after the send began (a send that began in
 *   them has no window); the midnight push is exempt, and its window is its night: until
 *   quiet hours end that morning;
 * - the next wave: the first wave's SMS start after the send began (an email that would
 *   arrive after its own wave's SMS is stale too);
 * - the calendar month (campaign zone) the send began in, the unit of the SMS cap;
 * - the send's planned end (`at` + `estimatedSeconds`) plus the campaign's resume grace.
 */
export function sendWindow(
  campaign: Campaign,
  send: Pick<PlannedSend, 'waveId' | 'channel' | 'at' | 'estimatedSeconds'>,
): SendWindow {
  const start = Date.parse(send.at);
  const quiet = quietHoursOf(campaign);
  const wave = campaign.waves.find((candidate) => candidate.id === send.waveId);
  const midnightPush = send.channel === 'sms' && wave?.sms === 'midnight';
  const ends: Array<[number, WindowEnd]> = [];
  if (midnightPush) {
    // The night it lands in: the quiet hours it is in, or the next ones when it is not in any.
    const nightStart = inQuietHours(start, quiet) ? start : nextQuietStart(start, quiet);
    ends.push([Number.isFinite(nightStart) ? leaveQuietHours(nightStart, quiet) : nightStart, 'night']);
  } else {
    ends.push([inQuietHours(start, quiet) ? start : nextQuietStart(start, quiet), 'quiet-hours']);
  }
  const nextWave = Math.min(
    ...campaign.waves.map((other) => smsInstant(campaign, other)).filter((at) => at > start),
    Number.POSITIVE_INFINITY,
  );
  ends.push([nextWave, 'next-wave']);
  ends.push([startOfNextMonth(start, campaign.timezone), 'month-end']);
  ends.push([start + send.estimatedSeconds * 1000 + campaign.resumeGraceMinutes * 60_000, 'grace']);
  let window: SendWindow = { closesAt: Number.POSITIVE_INFINITY, closedBy: 'grace' };
  for (const [closesAt, closedBy] of ends) if (closesAt < window.closesAt) window = { closesAt, closedBy };
  return window;
}
