/**
 * The timeline page's time and number formatting: instants from the plan's ISO strings, the
 * campaign's wall clock in its zone with its DST rules (domain/local-time.ts), and the words
 * for durations. Pure: no clock, no machine time zone, no locale.
 */
import { DEFAULT_LANG, formatDay, type Lang } from '../../domain/i18n.ts';
import { instantOf, offsetMinutesAt, utcWallClock } from '../../domain/local-time.ts';
import type { Timeline } from '../../domain/timeline.ts';
import { TIMELINE_TEXTS } from '../timeline-texts.ts';

/** Seconds -> "45 秒", "9 分钟", "2 小时 30 分钟"; in English "45 s", "9 min", "2 h 30 min". */
export function formatDuration(seconds: number, lang: Lang = DEFAULT_LANG): string {
  const d = TIMELINE_TEXTS[lang].duration;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return d.s(s);
  const totalMin = Math.round(s / 60);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return d.min(m);
  return m === 0 ? d.h(h) : `${d.h(h)} ${d.min(m)}`;
}

export function formatHours(ms: number, lang: Lang): string {
  return TIMELINE_TEXTS[lang].duration.h(Math.round((ms / HOUR) * 10) / 10);
}

export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  return `${Math.round((part / whole) * 1000) / 10}%`;
}

export const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** Coordinates rounded to 0.1 px, printed without locale. */
export const px = (n: number): string => String(Math.round(n * 10) / 10);

// Instants and wall clock from ISO strings' own offsets

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface Instant {
  /** Epoch milliseconds. */
  ms: number;
  /** Offset from UTC in minutes, as written in the string. */
  offset: number;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseIso(value: string | undefined, fallbackOffset: number): Instant | null {
  if (typeof value !== 'string') return null;
  const m = ISO_RE.exec(value.trim());
  if (!m) return null;
  let offset = fallbackOffset;
  const tz = m[8];
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  } else if (tz) {
    offset = 0;
  }
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const wallMs = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Math.round(frac),
  );
  if (!Number.isFinite(wallMs)) return null;
  return { ms: wallMs - offset * MINUTE, offset };
}

export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function wall(ms: number, offset: number): Wall {
  const d = new Date(ms + offset * MINUTE);
  return { ...utcWallClock(d), weekday: d.getUTCDay() };
}

export const WEEKDAY_SHORT: Record<Lang, readonly string[]> = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
export const fmtMonthDay = (w: Wall): string => `${w.month}/${w.day}`;
export const fmtHm = (w: Wall): string => `${pad2(w.hour)}:${pad2(w.minute)}`;
export const fmtHms = (w: Wall): string => (w.second ? `${fmtHm(w)}:${pad2(w.second)}` : fmtHm(w));
export const fmtIsoDate = (w: Wall): string => `${w.year}-${pad2(w.month)}-${pad2(w.day)}`;

export function fmtOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `UTC${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** "20:00 → 21:40" on one day, "10月24日 周六 20:00 → 10月25日 周日 10:00" across days. */
export function fmtSpan(clock: Clock, start: number, endMs: number, withDay: boolean): string {
  const a = clock.wall(start);
  const b = clock.wall(endMs);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  const head = withDay ? `${clock.day(start)} ${fmtHm(a)}` : fmtHm(a);
  return sameDay ? `${head} → ${fmtHm(b)}` : `${head} → ${clock.day(endMs)} ${fmtHm(b)}`;
}

export function parseClock(value: string | undefined): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec((value ?? '').trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59) return null;
  return (h * 60 + min) * MINUTE;
}

/**
 * The campaign's wall clock: instants to local days and hours in its zone, with its DST rules
 * (a Europe/Berlin campaign's axis moves by an hour on the last Sunday of October). A zone the
 * runtime does not know falls back to one fixed offset.
 */
export class Clock {
  constructor(
    readonly zone: string | undefined,
    readonly fallbackOffset: number,
    readonly lang: Lang,
  ) {}
  /** The offset from UTC in minutes at an instant. */
  offsetAt(ms: number): number {
    return this.zone ? offsetMinutesAt(ms, this.zone) : this.fallbackOffset;
  }
  /** The wall clock at an instant, as if it were UTC (for rounding to local hours and days). */
  local(ms: number): number {
    return ms + this.offsetAt(ms) * MINUTE;
  }
  /** The instant a local wall-clock time (as from `local`) happens. */
  instant(localMs: number): number {
    if (!this.zone) return localMs - this.fallbackOffset * MINUTE;
    return instantOf(utcWallClock(new Date(localMs)), this.zone);
  }
  dayStart(ms: number): number {
    return this.instant(Math.floor(this.local(ms) / DAY) * DAY);
  }
  /** The start of the local day `n` days after the day of `dayStartMs` (23 or 25 hours on DST days). */
  addDays(dayStartMs: number, n: number): number {
    return this.instant(Math.floor(this.local(dayStartMs) / DAY) * DAY + n * DAY);
  }
  /** `msIntoDay` of wall-clock time after the local midnight of the day starting at `dayStartMs`. */
  atClock(dayStartMs: number, msIntoDay: number): number {
    return this.instant(Math.floor(this.local(dayStartMs) / DAY) * DAY + msIntoDay);
  }
  wall(ms: number): Wall {
    return wall(ms, this.offsetAt(ms));
  }
  /** `10月24日 周六` / `Sat 24 Oct`. */
  day(ms: number): string {
    if (this.zone) return formatDay(ms, this.zone, this.lang);
    const w = this.wall(ms);
    return formatDay(Date.UTC(w.year, w.month - 1, w.day, 12), 'UTC', this.lang);
  }
  weekday(ms: number): string {
    return WEEKDAY_SHORT[this.lang][this.wall(ms).weekday] ?? '';
  }
  /** `10月20日 周二 10:00`. */
  full(ms: number): string {
    return `${this.day(ms)} ${fmtHm(this.wall(ms))}`;
  }
}

export interface QuietBand {
  start: number;
  end: number;
  /** The local date the night starts on, YYYY-MM-DD. */
  night: string;
}

/** Quiet-hour bands (one per night) intersecting [from, to), clipped to it. */
export function quietBands(timeline: Timeline, clock: Clock, from: number, to: number): QuietBand[] {
  const qs = parseClock(timeline.quietHours?.start);
  const qe = parseClock(timeline.quietHours?.end);
  if (qs === null || qe === null || qs === qe) return [];
  const bands: QuietBand[] = [];
  for (let day = clock.addDays(clock.dayStart(from), -1); day < to; day = clock.addDays(day, 1)) {
    const start = clock.atClock(day, qs);
    const end = qe > qs ? clock.atClock(day, qe) : clock.atClock(clock.addDays(day, 1), qe);
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (e > s) bands.push({ start: s, end: e, night: fmtIsoDate(clock.wall(day)) });
  }
  return bands;
}

export function quietLengthMs(timeline: Timeline): number {
  const qs = parseClock(timeline.quietHours?.start);
  const qe = parseClock(timeline.quietHours?.end);
  if (qs === null || qe === null || qs === qe) return 0;
  return qe > qs ? qe - qs : DAY - qs + qe;
}
