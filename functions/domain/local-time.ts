/**
 * Wall-clock time in an IANA time zone <-> instants, without a date library.
 * Everything the playbook says ("00:00 on 11 November", "quiet hours 22:00 to 09:00",
 * "a calendar month") is wall-clock time in the campaign's zone, so the planner works
 * in instants (epoch ms) and converts at the edges with these functions.
 */

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

// Offsets change at most a few times a year, always on a quarter hour, and never twice in
// one day. So a UTC day whose first and last quarter hours have the same offset has it
// throughout: one Intl call per day (and zone) instead of one per quarter hour. The
// million-row paths (last-order dates over years) cost a map lookup a row. The few days
// with a change are looked up by quarter hour.
const QUARTER_HOUR_MS = 900_000;
/** A day with an offset change: its quarters are looked up one by one. */
const CHANGES = Number.NaN;
const MAX_CACHED = 200_000;

interface ZoneOffsets {
  /** By UTC day number: the offset of the whole day in minutes, or CHANGES. */
  days: Map<number, number>;
  /** By quarter-hour number, for days with a change. */
  quarters: Map<number, number>;
}

const zoneOffsets = new Map<string, ZoneOffsets>();

function offsetsOf(timeZone: string): ZoneOffsets {
  let zone = zoneOffsets.get(timeZone);
  if (!zone) {
    zone = { days: new Map(), quarters: new Map() };
    zoneOffsets.set(timeZone, zone);
  }
  return zone;
}

/** The zone's offset from UTC, in minutes, at an instant. */
export function offsetMinutesAt(instantMs: number, timeZone: string): number {
  const zone = offsetsOf(timeZone);
  const day = Math.floor(instantMs / DAY_MS);
  let offset = zone.days.get(day);
  if (offset === undefined) {
    const first = offsetAtQuarter(day * (DAY_MS / QUARTER_HOUR_MS), timeZone);
    const last = offsetAtQuarter((day + 1) * (DAY_MS / QUARTER_HOUR_MS) - 1, timeZone);
    offset = first === last ? first : CHANGES;
    if (zone.days.size > MAX_CACHED) zone.days.clear();
    zone.days.set(day, offset);
  }
  if (!Number.isNaN(offset)) return offset;
  const quarter = Math.floor(instantMs / QUARTER_HOUR_MS);
  let exact = zone.quarters.get(quarter);
  if (exact === undefined) {
    exact = offsetAtQuarter(quarter, timeZone);
    if (zone.quarters.size > MAX_CACHED) zone.quarters.clear();
    zone.quarters.set(quarter, exact);
  }
  return exact;
}

/** The offset throughout one quarter hour (offsets change only on quarter hours), by Intl. */
function offsetAtQuarter(quarter: number, timeZone: string): number {
  const start = quarter * QUARTER_HOUR_MS;
  const wall = wallClockAtUncached(start, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - start) / MINUTE_MS);
}

function wallClockAtUncached(instantMs: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/**
 * A Date's UTC fields as a wall clock: how a zone-less time (an Excel serial, a day counted in
 * UTC, a time already shifted by its offset) is read, with no zone of its own.
 */
export function utcWallClock(date: Date): WallClock {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/** The wall clock in `timeZone` at an instant. */
export function wallClockAt(instantMs: number, timeZone: string): WallClock {
  return utcWallClock(new Date(instantMs + offsetMinutesAt(instantMs, timeZone) * MINUTE_MS));
}

/**
 * The instant a wall-clock time happens in `timeZone`. In a fold (the clock goes back and
 * the time happens twice) the earlier instant wins; in a gap (the time never happens) the
 * clock is read with the offset from before the gap, landing after it, as Temporal's
 * "compatible" disambiguation does.
 */
export function instantOf(wall: WallClock, timeZone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Offset changes are never closer than a day apart, so the offsets a day either side
  // are the only candidates.
  const before = offsetMinutesAt(asUtc - DAY_MS, timeZone);
  const after = offsetMinutesAt(asUtc + DAY_MS, timeZone);
  // No change near: both candidates are one instant, and it is the answer either way.
  if (before === after) return asUtc - before * MINUTE_MS;
  const candidates = [asUtc - before * MINUTE_MS, asUtc - after * MINUTE_MS]
    .filter((instant) => offsetMinutesAt(instant, timeZone) * MINUTE_MS === asUtc - instant)
    .sort((a, b) => a - b);
  return candidates[0] ?? asUtc - before * MINUTE_MS;
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-11-11T00:00:00+08:00`. */
export function formatInstant(instantMs: number, timeZone: string): string {
  const offset = offsetMinutesAt(instantMs, timeZone);
  const w = wallClockAt(instantMs, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${w.year}-${pad2(w.month)}-${pad2(w.day)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}` +
    `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
  );
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

const ISO_LOCAL =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 date or date-time. Without an offset it is wall-clock time in
 * `timeZone`. Excel's `2025/11/11 10:00` form is accepted too. Returns NaN when invalid.
 */
export function parseDateTime(text: string, timeZone: string): number {
  const common = commonLocalForm(text);
  if (common !== undefined) return isRealWallClock(common) ? instantOf(common, timeZone) : Number.NaN;
  const match = ISO_LOCAL.exec(text.trim());
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s, zone] = match;
  const wall: WallClock = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: h === undefined ? 0 : Number(h),
    minute: mi === undefined ? 0 : Number(mi),
    second: s === undefined ? 0 : Number(s),
  };
  if (!isRealWallClock(wall)) return Number.NaN;
  if (zone === undefined) return instantOf(wall, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  if (zone.toUpperCase() === 'Z') return asUtc;
  const digits = zone.replace(':', '');
  const offsetMinutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  if (Number(digits.slice(1, 3)) > 14 || Number(digits.slice(3, 5)) > 59) return Number.NaN;
  return asUtc - (digits[0] === '-' ? -1 : 1) * offsetMinutes * MINUTE_MS;
}

const ZERO = 48;

/** The digits at text[from, from + count) as a number, or -1 when one is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index += 1) {
    const digit = text.charCodeAt(index) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `2026-10-06` and `2026-10-06T11:12:47` (or with a space), the forms nearly every row
 * has, read without the regexp: the wall clock ISO_LOCAL would give, or undefined for any
 * other text (which the regexp then reads).
 */
function commonLocalForm(text: string): WallClock | undefined {
  const length = text.length;
  if (length !== 10 && length !== 19) return undefined;
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return undefined;
  if (length === 10) return { year, month, day, hour: 0, minute: 0, second: 0 };
  const separator = text.charCodeAt(10);
  if (separator !== 0x54 && separator !== 0x74 && separator !== 0x20) return undefined;
  if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (hour < 0 || minute < 0 || second < 0) return undefined;
  return { year, month, day, hour, minute, second };
}

export function isRealWallClock(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return false;
  return w.day <= daysInMonth(w.year, w.month);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month of the proleptic Gregorian calendar (as Date.UTC counts them). */
export function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] as number;
  // Date.UTC reads years 0 to 99 as 1900 to 1999; so does this, for the same answers.
  if (year >= 0 && year <= 99) year += 1900;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

/** `HH:MM` -> minutes after local midnight, or NaN. */
export function parseClock(text: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
}

/** Minutes after local midnight at an instant (seconds included as a fraction). */
export function minuteOfDay(instantMs: number, timeZone: string): number {
  const w = wallClockAt(instantMs, timeZone);
  return w.hour * 60 + w.minute + w.second / 60;
}

/** Calendar month key `YYYY-MM` in the zone, the unit of the SMS-per-month cap. */
export function monthKey(instantMs: number, timeZone: string): string {
  const w = wallClockAt(instantMs, timeZone);
  return `${w.year}-${pad2(w.month)}`;
}

/** The instant the zone's calendar day containing `instantMs` starts, plus `minutes`. */
export function localDayAt(instantMs: number, timeZone: string, minutes: number): number {
  const w = wallClockAt(instantMs, timeZone);
  return instantOf(
    { year: w.year, month: w.month, day: w.day, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 },
    timeZone,
  );
}

/** The first instant of the next calendar month (local) after the one containing `instantMs`. */
export function startOfNextMonth(instantMs: number, timeZone: string): number {
  const w = wallClockAt(instantMs, timeZone);
  const year = w.month === 12 ? w.year + 1 : w.year;
  const month = w.month === 12 ? 1 : w.month + 1;
  return instantOf({ year, month, day: 1, hour: 0, minute: 0, second: 0 }, timeZone);
}
