/**
 * timeline.html: the campaign timeline drawn for a marketer.
 *
 * A pure function of the Timeline and a language: no I/O, no clock, no machine time zone.
 * Wall-clock times are read in the campaign's zone with its DST rules (domain/local-time.ts);
 * a timeline whose zone is unreadable falls back to the offset written in its midnight push.
 * Simplified Chinese by default; the English page is a second file (timeline.en.html), each
 * linking to the other, since the page has no scripts.
 *
 * Layout: header with headline numbers and the midnight push, warnings, an overview Gantt
 * of the whole campaign (days), one zoomed panel per wave (hours, broken axis between the
 * email and SMS windows), a per-wave table and the dropped-touch reasons in plain words.
 */

import {
  channelName,
  DEFAULT_LANG,
  formatDay,
  groupName,
  type Lang,
  reasonText,
  warningTexts,
} from '../domain/i18n.ts';
import { instantOf, isValidTimeZone, offsetMinutesAt } from '../domain/local-time.ts';
import { escapeHtml, formatCount as formatInt } from '../domain/text.ts';
import type { Channel, PlannedSend, Timeline, WaveSummary } from '../domain/timeline.ts';
import { htmlPage } from './page-shell.ts';
import { subGroupRows } from './sub-group-rows.ts';
import { TIMELINE_TEXTS, type TimelineTexts } from './timeline-texts.ts';

// ---------------------------------------------------------------------------
// Text and number formatting (deterministic, locale-free)

export { escapeHtml, formatCount as formatInt } from '../domain/text.ts';

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

function formatHours(ms: number, lang: Lang): string {
  return TIMELINE_TEXTS[lang].duration.h(Math.round((ms / HOUR) * 10) / 10);
}

function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  return `${Math.round((part / whole) * 1000) / 10}%`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** Coordinates rounded to 0.1 px, printed without locale. */
const px = (n: number): string => String(Math.round(n * 10) / 10);

// ---------------------------------------------------------------------------
// Time: instants and wall clock from ISO strings' own offsets

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Instant {
  /** Epoch milliseconds. */
  ms: number;
  /** Offset from UTC in minutes, as written in the string. */
  offset: number;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(value: string | undefined, fallbackOffset: number): Instant | null {
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

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

function wall(ms: number, offset: number): Wall {
  const d = new Date(ms + offset * MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

const WEEKDAY_SHORT: Record<Lang, readonly string[]> = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
const fmtMonthDay = (w: Wall): string => `${w.month}/${w.day}`;
const fmtHm = (w: Wall): string => `${pad2(w.hour)}:${pad2(w.minute)}`;
const fmtHms = (w: Wall): string => (w.second ? `${fmtHm(w)}:${pad2(w.second)}` : fmtHm(w));
const fmtIsoDate = (w: Wall): string => `${w.year}-${pad2(w.month)}-${pad2(w.day)}`;

function fmtOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `UTC${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** "20:00 → 21:40" on one day, "10月24日 周六 20:00 → 10月25日 周日 10:00" across days. */
function fmtSpan(clock: Clock, start: number, endMs: number, withDay: boolean): string {
  const a = clock.wall(start);
  const b = clock.wall(endMs);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  const head = withDay ? `${clock.day(start)} ${fmtHm(a)}` : fmtHm(a);
  return sameDay ? `${head} → ${fmtHm(b)}` : `${head} → ${clock.day(endMs)} ${fmtHm(b)}`;
}

function parseClock(value: string | undefined): number | null {
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
class Clock {
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
    const d = new Date(localMs);
    return instantOf(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      this.zone,
    );
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

interface QuietBand {
  start: number;
  end: number;
  /** The local date the night starts on, YYYY-MM-DD. */
  night: string;
}

/** Quiet-hour bands (one per night) intersecting [from, to), clipped to it. */
function quietBands(timeline: Timeline, clock: Clock, from: number, to: number): QuietBand[] {
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

function quietLengthMs(timeline: Timeline): number {
  const qs = parseClock(timeline.quietHours?.start);
  const qe = parseClock(timeline.quietHours?.end);
  if (qs === null || qe === null || qs === qe) return 0;
  return qe > qs ? qe - qs : DAY - qs + qe;
}

// ---------------------------------------------------------------------------
// Model for drawing

interface SendView {
  send: PlannedSend;
  start: Instant;
  end: number;
}

interface WaveView {
  id: string;
  summary: WaveSummary | undefined;
  sends: SendView[];
  channels: Channel[];
  isMidnight: boolean;
}

function buildWaves(timeline: Timeline, views: SendView[]): WaveView[] {
  const order: string[] = [];
  const byId = new Map<string, WaveSummary>();
  for (const w of timeline.waves ?? []) {
    if (!byId.has(w.id)) {
      byId.set(w.id, w);
      order.push(w.id);
    }
  }
  for (const v of views) if (!order.includes(v.send.waveId)) order.push(v.send.waveId);
  return order.map((id) => {
    const summary = byId.get(id);
    const sends = views.filter((v) => v.send.waveId === id);
    const channels: Channel[] = [];
    if (sends.some((v) => v.send.channel === 'email') || summary?.emailAt) channels.push('email');
    if (sends.some((v) => v.send.channel === 'sms') || summary?.smsAt || channels.length === 0) channels.push('sms');
    const isMidnight = Boolean(summary?.midnight) || sends.some((v) => v.send.midnight);
    return { id, summary, sends, channels, isMidnight };
  });
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function channelTotal(wave: WaveView, channel: Channel): number {
  const planned = wave.summary?.planned?.[channel];
  if (typeof planned === 'number') return planned;
  return sum(wave.sends.filter((v) => v.send.channel === channel).map((v) => v.send.customers));
}

function groupCount(wave: WaveView, channel: Channel): number {
  return new Set(wave.sends.filter((v) => v.send.channel === channel).map((v) => v.send.group)).size;
}

/** What a send is, in words: the tooltip of its bar and, for touch screens, its row in the send details. */
function sendTitle(v: SendView, clock: Clock): string {
  const tx = TIMELINE_TEXTS[clock.lang];
  const s = v.send;
  const a = clock.wall(v.start.ms);
  const b = clock.wall(v.end);
  const lines = [
    `${s.id}`,
    `${channelName(s.channel, clock.lang)} · ${tx.sendTitleWave(s.waveId, s.group)}${s.slice > 1 ? `, ${tx.sliceNote(s.slice)}` : ''}`,
    `${clock.day(v.start.ms)} ${fmtHms(a)} → ${fmtHms(b)}`,
    tx.customersDuration(formatInt(s.customers), formatDuration(s.estimatedSeconds, clock.lang)),
  ];
  if (typeof s.smsParts === 'number') lines.push(tx.smsPartsLine(formatInt(s.smsParts)));
  if (s.midnight) lines.push(tx.midnightNote);
  if (s.stopOnPurchase) lines.push(tx.stopNote);
  return lines.join('\n');
}

/** Rough rendered width of a label: CJK characters are one em, others about 0.58 em. */
function textWidth(text: string, fontPx: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]/.test(ch) ? fontPx : fontPx * 0.58;
  return w;
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

// ---------------------------------------------------------------------------
// Overview chart: the whole campaign on a day axis

const SVG_W = 1240;

function renderOverview(timeline: Timeline, waves: WaveView[], clock: Clock, midnight: Instant | null): string {
  const tx = TIMELINE_TEXTS[clock.lang];
  const times: number[] = [];
  const ends: number[] = [];
  for (const w of waves) {
    for (const v of w.sends) {
      times.push(v.start.ms);
      ends.push(v.end);
    }
    const sms = parseIso(w.summary?.smsAt, clock.fallbackOffset);
    const email = parseIso(w.summary?.emailAt, clock.fallbackOffset);
    if (sms) times.push(sms.ms);
    if (email) times.push(email.ms);
  }
  if (midnight) times.push(midnight.ms);
  if (times.length === 0) return `<p class="empty">${escapeHtml(tx.nothingToDraw)}</p>`;
  let first = Math.min(...times);
  const last = Math.max(...times, ...ends);
  const planned = parseIso(timeline.plannedAt, clock.fallbackOffset);
  if (planned && planned.ms < first && first - planned.ms <= 3 * DAY) first = planned.ms;
  const from = clock.dayStart(first);
  const to = clock.addDays(clock.dayStart(last), 1);
  const days = Math.round((to - from) / DAY);

  const gutter = 230;
  const right = 16;
  const plotW = SVG_W - gutter - right;
  const xOf = (ms: number): number => gutter + ((ms - from) / (to - from)) * plotW;
  const pxPerDay = plotW / days;

  const laneH = 17;
  const laneGap = 5;
  const rowPad = 9;
  const plotTop = 58;
  const rows: { wave: WaveView; y: number; h: number }[] = [];
  let y = plotTop;
  for (const w of waves) {
    // At least two lanes' height: the gutter shows the wave id and its audience on two lines.
    const lanes = Math.max(2, w.channels.length);
    const h = rowPad * 2 + lanes * laneH + (lanes - 1) * laneGap;
    rows.push({ wave: w, y, h });
    y += h;
  }
  const plotBottom = y;
  const height = plotBottom + 8;
  const laneY = (row: { y: number }, wave: WaveView, channel: Channel): number =>
    row.y + rowPad + wave.channels.indexOf(channel) * (laneH + laneGap);

  const out: string[] = [];
  out.push(
    `<svg class="chart overview" viewBox="0 0 ${SVG_W} ${px(height)}" width="${SVG_W}" height="${px(height)}" role="img" aria-label="${escapeHtml(tx.overviewAria)}">`,
  );
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#475569"/></marker></defs>',
  );
  // Row backgrounds.
  rows.forEach((row, i) => {
    out.push(
      `<rect class="row-bg" x="0" y="${px(row.y)}" width="${SVG_W}" height="${px(row.h)}" fill="${i % 2 === 0 ? '#ffffff' : '#f8fafc'}"/>`,
    );
  });
  // Quiet hours.
  for (const b of quietBands(timeline, clock, from, to)) {
    out.push(
      `<rect class="quiet-band" data-night="${b.night}" x="${px(xOf(b.start))}" y="${plotTop}" width="${px(xOf(b.end) - xOf(b.start))}" height="${px(plotBottom - plotTop)}"><title>${escapeHtml(tx.quietTitle(`${timeline.quietHours.start}–${timeline.quietHours.end}`, b.night))}</title></rect>`,
    );
  }
  // Day grid and labels.
  const every = Math.max(1, Math.ceil(40 / pxPerDay));
  const showWeekday = pxPerDay * every >= 34;
  const midnightDay = midnight ? clock.dayStart(midnight.ms) : Number.NaN;
  for (let i = 0; i <= days; i++) {
    const t = clock.addDays(from, i);
    const x = xOf(t);
    const w = clock.wall(t);
    const monthStart = w.day === 1;
    out.push(
      `<line class="day-grid" x1="${px(x)}" y1="${plotTop - 4}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${monthStart ? '#94a3b8' : '#e2e8f0'}" stroke-width="1"/>`,
    );
    if (i < days && i % every === 0) {
      const cx = (x + xOf(clock.addDays(from, i + every))) / 2;
      const isD11 = t === midnightDay;
      const cls = isD11 ? 'day-label d11' : 'day-label';
      out.push(`<text class="${cls}" x="${px(cx)}" y="36" text-anchor="middle">${fmtMonthDay(w)}</text>`);
      if (showWeekday)
        out.push(`<text class="${cls} wd" x="${px(cx)}" y="50" text-anchor="middle">${clock.weekday(t)}</text>`);
    }
  }
  // Row separators and gutter labels.
  for (const row of rows) {
    const w = row.wave;
    out.push(
      `<line x1="0" y1="${px(row.y + row.h)}" x2="${SVG_W}" y2="${px(row.y + row.h)}" stroke="#e2e8f0" stroke-width="1"/>`,
    );
    const idLabel = truncate(w.id, 13);
    const ly = row.y + rowPad + laneH / 2 + 4;
    out.push(
      `<text class="wave-id${w.isMidnight ? ' mid' : ''}" x="8" y="${px(ly)}">${escapeHtml(idLabel)}<title>${escapeHtml(w.id)}</title></text>`,
    );
    if (w.summary) {
      out.push(
        `<text class="wave-sub" x="8" y="${px(ly + laneH + laneGap)}">${escapeHtml(tx.audience(formatInt(w.summary.audience_size)))}</text>`,
      );
    }
    for (const ch of w.channels) {
      const yy = laneY(row, w, ch) + laneH / 2 + 4;
      out.push(
        `<text class="lane-label" x="${gutter - 10}" y="${px(yy)}" text-anchor="end"><tspan class="ch-${ch}">${channelName(ch, clock.lang)}</tspan> ${formatInt(channelTotal(w, ch))}</text>`,
      );
    }
  }
  // Planned-at marker.
  if (planned && planned.ms >= from && planned.ms <= to) {
    const x = xOf(planned.ms);
    out.push(
      `<line class="planned-line" x1="${px(x)}" y1="16" x2="${px(x)}" y2="${px(plotBottom)}" stroke="#64748b" stroke-width="1" stroke-dasharray="3 3"/>`,
    );
    const label = tx.plannedMarker(clock.full(planned.ms));
    const anchorEnd = x + textWidth(label, 12) + 6 > SVG_W;
    out.push(
      `<text class="marker-label planned" x="${px(anchorEnd ? x - 4 : x + 4)}" y="13" text-anchor="${anchorEnd ? 'end' : 'start'}">${escapeHtml(label)}</text>`,
    );
  }
  // Lead connectors (email start -> SMS start).
  for (const row of rows) {
    const w = row.wave;
    if (!w.channels.includes('email') || !w.channels.includes('sms')) continue;
    const email = parseIso(w.summary?.emailAt, clock.fallbackOffset) ?? firstOf(w, 'email');
    const sms = parseIso(w.summary?.smsAt, clock.fallbackOffset) ?? firstOf(w, 'sms');
    if (!email || !sms || sms.ms <= email.ms) continue;
    const emailEnd = Math.max(
      xOf(email.ms) + 4,
      ...w.sends.filter((v) => v.send.channel === 'email').map((v) => xOf(v.end) + 1),
    );
    const xs = xOf(sms.ms) + 1.5;
    if (xs - emailEnd < 6) continue;
    const ey = laneY(row, w, 'email') + laneH / 2;
    const sy = laneY(row, w, 'sms');
    out.push(
      `<path class="lead" d="M${px(emailEnd)},${px(ey)} H${px(xs)} V${px(sy - 1)}" fill="none" stroke="#475569" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    );
    const label = formatHours(sms.ms - email.ms, clock.lang);
    const lw = textWidth(label, 12) + 10;
    const mid = (emailEnd + xs) / 2;
    const lx = xs - emailEnd > lw + 8 ? mid : xs + 4 + lw / 2;
    out.push(
      `<g class="lead-label"><rect x="${px(lx - lw / 2)}" y="${px(ey - 8)}" width="${px(lw)}" height="16" rx="8" fill="#ffffff" stroke="#94a3b8" stroke-width="0.8"/><text x="${px(lx)}" y="${px(ey + 4)}" text-anchor="middle">${escapeHtml(label)}</text><title>${escapeHtml(tx.leadTitle(label))}</title></g>`,
    );
  }
  // Send bars, and the start time of each lane left of its first bar.
  for (const row of rows) {
    const w = row.wave;
    for (const ch of w.channels) {
      const first = firstOf(w, ch);
      if (!first || w.sends.some((v) => v.send.channel === ch && v.send.midnight)) continue;
      const yy = laneY(row, w, ch) + laneH / 2 + 4;
      out.push(
        `<text class="start-label" x="${px(xOf(first.ms) - 4)}" y="${px(yy)}" text-anchor="end">${fmtHm(clock.wall(first.ms))}</text>`,
      );
    }
    for (const v of w.sends) {
      const ch = v.send.channel;
      if (!w.channels.includes(ch)) continue;
      const x0 = xOf(v.start.ms);
      const width = Math.max(3, xOf(v.end) - x0);
      const cls = v.send.midnight ? 'bar bar-midnight' : `bar bar-${ch}`;
      out.push(
        `<rect class="${cls}" data-send="${escapeHtml(v.send.id)}" x="${px(x0)}" y="${px(laneY(row, w, ch))}" width="${px(width)}" height="${laneH}" rx="1.5"><title>${escapeHtml(sendTitle(v, clock))}</title></rect>`,
      );
    }
  }
  // Midnight push line, over everything.
  if (midnight && midnight.ms >= from && midnight.ms <= to) {
    const x = xOf(midnight.ms);
    out.push(
      `<line class="midnight-line" x1="${px(x)}" y1="18" x2="${px(x)}" y2="${px(plotBottom)}" stroke="#c2185b" stroke-width="2.5"/>`,
    );
    out.push(`<path class="midnight-marker" d="M${px(x - 6)},16 L${px(x + 6)},16 L${px(x)},24 z" fill="#c2185b"/>`);
    const anchorEnd = x + textWidth(tx.midnightLabel, 12) + 10 > SVG_W;
    out.push(
      `<text class="marker-label midnight" x="${px(anchorEnd ? x - 10 : x + 10)}" y="13" text-anchor="${anchorEnd ? 'end' : 'start'}">${escapeHtml(tx.midnightLabel)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

function firstOf(wave: WaveView, channel: Channel): Instant | null {
  const list = wave.sends.filter((v) => v.send.channel === channel);
  if (list.length === 0) return null;
  return list.reduce((a, b) => (b.start.ms < a.start.ms ? b : a)).start;
}

// ---------------------------------------------------------------------------
// Per-wave zoomed panels: hours, broken axis between clusters of sends

interface Segment {
  from: number;
  to: number;
  x: number;
  w: number;
}

function waveSegments(timeline: Timeline, wave: WaveView, clock: Clock): { from: number; to: number }[] {
  const spans = wave.sends.map((v) => ({ s: v.start.ms, e: v.end })).sort((a, b) => a.s - b.s || a.e - b.e);
  if (spans.length === 0) {
    const at = parseIso(wave.summary?.smsAt, clock.fallbackOffset);
    if (at) spans.push({ s: at.ms, e: at.ms });
  }
  const gap = Math.max(quietLengthMs(timeline) + 3 * HOUR, 6 * HOUR);
  const clusters: { s: number; e: number }[] = [];
  for (const sp of spans) {
    const lastCluster = clusters[clusters.length - 1];
    if (lastCluster && sp.s <= lastCluster.e + gap) lastCluster.e = Math.max(lastCluster.e, sp.e);
    else clusters.push({ ...sp });
  }
  return clusters.map((c) => {
    const from = Math.floor(clock.local(c.s - HOUR) / HOUR) * HOUR;
    let to = Math.ceil(clock.local(c.e + HOUR) / HOUR) * HOUR;
    if (to - from < 4 * HOUR) to = from + 4 * HOUR;
    return { from: clock.instant(from), to: clock.instant(to) };
  });
}

function renderPanel(timeline: Timeline, wave: WaveView, clock: Clock, midnight: Instant | null): string {
  const tx = TIMELINE_TEXTS[clock.lang];
  const ranges = waveSegments(timeline, wave, clock);
  if (ranges.length === 0) return `<p class="empty">${escapeHtml(tx.noReadableSend)}</p>`;
  const gutter = 150;
  const right = 16;
  const breakW = 40;
  const plotW = SVG_W - gutter - right;
  const avail = plotW - breakW * (ranges.length - 1);
  const hours = ranges.map((r) => (r.to - r.from) / HOUR);
  const totalH = sum(hours);
  const minW = Math.min(avail * 0.18, avail / ranges.length);
  let widths = hours.map((h) => (h / totalH) * avail);
  const small = widths.map((w) => w < minW);
  if (small.some(Boolean)) {
    const fixed = small.filter(Boolean).length * minW;
    const restH = sum(hours.filter((_, i) => !small[i]));
    widths = hours.map((h, i) => (small[i] ? minW : (h / restH) * (avail - fixed)));
  }
  const segments: Segment[] = [];
  let cursor = gutter;
  ranges.forEach((r, i) => {
    const w = widths[i] ?? 0;
    segments.push({ from: r.from, to: r.to, x: cursor, w });
    cursor += w + breakW;
  });
  const segOf = (ms: number): Segment | undefined => segments.find((s) => ms >= s.from && ms <= s.to);
  const xIn = (s: Segment, ms: number): number => s.x + ((ms - s.from) / (s.to - s.from)) * s.w;

  const laneH = 24;
  const laneGap = 8;
  const plotTop = 36;
  const lanesH = wave.channels.length * laneH + (wave.channels.length - 1) * laneGap;
  const plotBottom = plotTop + 8 + lanesH + 8;
  const showMidnight = Boolean(midnight && segOf(midnight.ms));
  const height = plotBottom + (showMidnight ? 22 : 6);
  const laneY = (ch: Channel): number => plotTop + 8 + wave.channels.indexOf(ch) * (laneH + laneGap);

  const out: string[] = [];
  out.push(
    `<svg class="chart panel" viewBox="0 0 ${SVG_W} ${px(height)}" width="${SVG_W}" height="${px(height)}" role="img" aria-label="${escapeHtml(tx.panelAria(wave.id))}">`,
  );
  // Plot backgrounds and quiet hours per segment.
  for (const s of segments) {
    out.push(
      `<rect x="${px(s.x)}" y="${plotTop}" width="${px(s.w)}" height="${px(plotBottom - plotTop)}" fill="#ffffff" stroke="#cbd5e1" stroke-width="1"/>`,
    );
    for (const b of quietBands(timeline, clock, s.from, s.to)) {
      out.push(
        `<rect class="quiet-band-zoom" data-night="${b.night}" x="${px(xIn(s, b.start))}" y="${plotTop}" width="${px(xIn(s, b.end) - xIn(s, b.start))}" height="${px(plotBottom - plotTop)}"><title>${escapeHtml(tx.quietTitle(`${timeline.quietHours.start}–${timeline.quietHours.end}`))}</title></rect>`,
      );
    }
  }
  // Hour ticks and date labels.
  for (const s of segments) {
    const pxPerHour = s.w / ((s.to - s.from) / HOUR);
    const step = [1, 2, 3, 4, 6, 12, 24].find((h) => h * pxPerHour >= 46) ?? 24;
    const dateLabels: { x: number; text: string; strong: boolean }[] = [];
    let lastRight = Number.NEGATIVE_INFINITY;
    for (let t = s.from; t <= s.to; t += HOUR) {
      const w = clock.wall(t);
      const x = xIn(s, t);
      const isDayStart = w.hour === 0 && w.minute === 0;
      if (isDayStart && t > s.from) dateLabels.push({ x, text: clock.day(t), strong: true });
      if (w.hour % step !== 0 && !isDayStart) continue;
      out.push(
        `<line x1="${px(x)}" y1="${plotTop - 4}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${isDayStart ? '#94a3b8' : '#e2e8f0'}" stroke-width="1"/>`,
      );
      const label = fmtHm(w);
      const lw = textWidth(label, 12);
      const anchor = t === s.from ? 'start' : t === s.to ? 'end' : 'middle';
      const left = anchor === 'start' ? x : anchor === 'end' ? x - lw : x - lw / 2;
      if (left < lastRight + 1) continue;
      lastRight = left + lw;
      out.push(`<text class="hour-label" x="${px(x)}" y="${plotTop - 8}" text-anchor="${anchor}">${label}</text>`);
    }
    const startLabel = clock.day(s.from);
    const firstDate = dateLabels[0];
    if (!firstDate || firstDate.x - s.x > textWidth(startLabel, 12) + 12)
      dateLabels.unshift({ x: s.x, text: startLabel, strong: false });
    for (const d of dateLabels) {
      out.push(`<text class="date-label" x="${px(d.x + (d.strong ? 3 : 0))}" y="12">${escapeHtml(d.text)}</text>`);
    }
  }
  // Axis breaks between segments.
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    const next = segments[i];
    if (!prev || !next) continue;
    const cx = prev.x + prev.w + breakW / 2;
    const skipped = next.from - prev.to;
    const label = skipped >= 2 * DAY ? tx.days(Math.round(skipped / DAY)) : tx.hours(Math.round(skipped / HOUR));
    out.push(
      `<g class="axis-break"><path d="M${px(cx - 7)},${px(plotTop + 6)} l6,-12 M${px(cx + 1)},${px(plotTop + 6)} l6,-12" stroke="#64748b" stroke-width="1.5" fill="none"/><text x="${px(cx)}" y="${px(plotTop + 8 + lanesH / 2 + 4)}" text-anchor="middle">${label}</text><title>${escapeHtml(tx.skipped(formatHours(skipped, clock.lang)))}</title></g>`,
    );
  }
  // Name wide quiet bands, in a lane where no bar is in the way.
  for (const s of segments) {
    for (const b of quietBands(timeline, clock, s.from, s.to)) {
      const x0 = xIn(s, b.start);
      const x1 = xIn(s, b.end);
      const label = tx.quietLabel;
      const lw = textWidth(label, 12);
      if (x1 - x0 < lw + 16) continue;
      const cx = (x0 + x1) / 2;
      const free = wave.channels.find(
        (ch) =>
          !wave.sends.some((v) => {
            if (v.send.channel !== ch || segOf(v.start.ms) !== s) return false;
            const bx0 = xIn(s, v.start.ms);
            const bx1 = Math.max(bx0 + 4, xIn(s, Math.min(v.end, s.to)));
            return bx1 > cx - lw / 2 - 6 && bx0 < cx + lw / 2 + 6;
          }),
      );
      if (!free) continue;
      out.push(
        `<text class="quiet-label" x="${px(cx)}" y="${px(laneY(free) + laneH / 2 + 4)}" text-anchor="middle">${escapeHtml(label)}</text>`,
      );
    }
  }
  // Lane labels.
  for (const ch of wave.channels) {
    const y0 = laneY(ch);
    const n = groupCount(wave, ch);
    out.push(
      `<text class="lane-label" x="${gutter - 12}" y="${px(y0 + 10)}" text-anchor="end"><tspan class="ch-${ch}">${channelName(ch, clock.lang)}</tspan> ${formatInt(channelTotal(wave, ch))}</text>`,
    );
    out.push(
      `<text class="lane-sub" x="${gutter - 12}" y="${px(y0 + 22)}" text-anchor="end">${escapeHtml(n === 0 ? tx.nothingPlanned : tx.groupsAtRate(n, formatInt(rateOf(timeline, ch))))}</text>`,
    );
  }
  // Bars.
  for (const v of wave.sends) {
    const ch = v.send.channel;
    const s = segOf(v.start.ms);
    if (!s || !wave.channels.includes(ch)) continue;
    const x0 = xIn(s, v.start.ms);
    const x1 = xIn(s, Math.min(v.end, s.to));
    const width = Math.max(4, x1 - x0);
    const y0 = laneY(ch);
    const cls = v.send.midnight ? 'bar bar-midnight' : `bar bar-${ch}`;
    const g = tx.groupLabel(v.send.group, v.send.slice);
    const full = `${g} · ${formatInt(v.send.customers)}`;
    const count = formatInt(v.send.customers);
    let label = '';
    if (width >= textWidth(full, 12) + 8) label = full;
    else if (width >= textWidth(count, 12) + 6) label = count;
    else if (width >= textWidth(g, 12) + 4) label = g;
    out.push(
      `<g class="send" data-send="${escapeHtml(v.send.id)}"><rect class="${cls}" x="${px(x0)}" y="${px(y0)}" width="${px(width)}" height="${laneH}" rx="2"/>${
        label
          ? `<text class="bar-label${ch === 'sms' && !v.send.midnight ? ' dark' : ''}" x="${px(x0 + width / 2)}" y="${px(y0 + laneH / 2 + 4)}" text-anchor="middle">${escapeHtml(label)}</text>`
          : ''
      }<title>${escapeHtml(sendTitle(v, clock))}</title></g>`,
    );
  }
  // Midnight push line.
  if (midnight && showMidnight) {
    const s = segOf(midnight.ms);
    if (s) {
      const x = xIn(s, midnight.ms);
      out.push(
        `<line class="midnight-line" x1="${px(x)}" y1="${plotTop - 2}" x2="${px(x)}" y2="${px(plotBottom + 4)}" stroke="#c2185b" stroke-width="2.5"/>`,
      );
      const anchorEnd = x + textWidth(tx.midnightLabel, 12) + 8 > SVG_W;
      out.push(
        `<text class="marker-label midnight" x="${px(anchorEnd ? x - 6 : x + 6)}" y="${px(plotBottom + 16)}" text-anchor="${anchorEnd ? 'end' : 'start'}">${escapeHtml(tx.midnightLabel)}</text>`,
      );
    }
  }
  out.push('</svg>');
  return out.join('');
}

function rateOf(timeline: Timeline, channel: Channel): number {
  return channel === 'sms' ? timeline.smsRatePerSecond : timeline.emailRatePerSecond;
}

function channelSpan(wave: WaveView, channel: Channel, clock: Clock): string {
  const list = wave.sends.filter((v) => v.send.channel === channel);
  const atIso = channel === 'sms' ? wave.summary?.smsAt : wave.summary?.emailAt;
  const start = list.length ? firstOf(wave, channel) : parseIso(atIso, clock.fallbackOffset);
  if (!start) return '';
  const endIso = channel === 'sms' ? wave.summary?.smsEndsAt : wave.summary?.emailEndsAt;
  const end = list.length
    ? Math.max(...list.map((v) => v.end))
    : (parseIso(endIso, clock.fallbackOffset)?.ms ?? start.ms);
  return fmtSpan(clock, start.ms, end, true);
}

/** Each wave's panel: its facts, the hour-by-hour chart, and the same sends as a list to open by tap. */
function renderPanels(timeline: Timeline, waves: WaveView[], clock: Clock, midnight: Instant | null): string {
  const tx = TIMELINE_TEXTS[clock.lang];
  return waves
    .map((w) => {
      const facts: string[] = [];
      for (const ch of w.channels) {
        const span = channelSpan(w, ch, clock);
        if (span)
          facts.push(
            `<span class="fact"><span class="swatch ${w.isMidnight && ch === 'sms' ? 'midnight' : ch}"></span>${escapeHtml(channelName(ch, clock.lang))} ${escapeHtml(span)}</span>`,
          );
      }
      const email = parseIso(w.summary?.emailAt, clock.fallbackOffset);
      const sms = parseIso(w.summary?.smsAt, clock.fallbackOffset);
      if (email && sms && sms.ms > email.ms)
        facts.push(
          `<span class="fact">${escapeHtml(tx.emailBeforeSms(formatHours(sms.ms - email.ms, clock.lang)))}</span>`,
        );
      const badges: string[] = [];
      if (w.isMidnight) badges.push(`<span class="badge midnight">${escapeHtml(tx.midnightBadge)}</span>`);
      if (w.summary?.stopOnPurchase) badges.push(`<span class="badge stop">${escapeHtml(tx.stopsOnPurchase)}</span>`);
      const audience = w.summary
        ? `<div class="audience">${escapeHtml(tx.audience(formatInt(w.summary.audience_size)))}: ${w.summary.audience
            .map(
              (a) =>
                `<span class="group" title="${escapeHtml(a)}">${escapeHtml(groupName(a, clock.lang, timeline.groupLabels))}</span>`,
            )
            .join('、')}</div>`
        : '';
      return `<section class="panel-card${w.isMidnight ? ' is-midnight' : ''}"><div class="panel-head"><h3>${escapeHtml(w.id)}</h3>${badges.join('')}<div class="facts">${facts.join('')}</div></div>${audience}<div class="chart-scroll">${renderPanel(timeline, w, clock, midnight)}</div>${renderSendDetails(w, clock)}</section>`;
    })
    .join('');
}

/** The bars' tooltips as a list: a touch screen cannot hover, so every value is also text behind a tap. */
function renderSendDetails(wave: WaveView, clock: Clock): string {
  if (wave.sends.length === 0) return '';
  const tx = TIMELINE_TEXTS[clock.lang];
  const h = tx.sendHead;
  const rows = [...wave.sends]
    .sort((a, b) => a.start.ms - b.start.ms || (a.send.id < b.send.id ? -1 : 1))
    .map((v) => {
      const s = v.send;
      const when = `${clock.day(v.start.ms)} ${fmtHms(clock.wall(v.start.ms))} → ${fmtHms(clock.wall(v.end))}`;
      const notes = [
        s.slice > 1 ? tx.sliceNote(s.slice) : '',
        s.midnight ? tx.midnightNote : '',
        s.stopOnPurchase ? tx.stopNote : '',
      ]
        .filter(Boolean)
        .join('；');
      return `<tr data-send-row="${escapeHtml(s.id)}"><td data-label="${escapeHtml(h.group)}"><b>${escapeHtml(tx.groupLabel(s.group, s.slice))}</b></td><td data-label="${escapeHtml(h.channel)}"><span class="swatch ${s.midnight ? 'midnight' : s.channel}"></span>${escapeHtml(channelName(s.channel, clock.lang))}</td><td data-label="${escapeHtml(h.when)}" class="when">${escapeHtml(when)}${notes ? `<div class="sub">${escapeHtml(notes)}</div>` : ''}</td><td data-label="${escapeHtml(h.customers)}" class="num">${formatInt(s.customers)}</td><td data-label="${escapeHtml(h.duration)}" class="num">${escapeHtml(formatDuration(s.estimatedSeconds, clock.lang))}</td><td data-label="${escapeHtml(h.parts)}" class="num">${typeof s.smsParts === 'number' ? formatInt(s.smsParts) : '<span class="muted">—</span>'}</td></tr>`;
    })
    .join('');
  return `<details class="send-details"><summary>${escapeHtml(tx.sendDetails(wave.sends.length))}</summary><table class="sends stack"><thead><tr><th>${escapeHtml(h.group)}</th><th>${escapeHtml(h.channel)}</th><th>${escapeHtml(h.when)}</th><th class="num">${escapeHtml(h.customers)}</th><th class="num">${escapeHtml(h.duration)}</th><th class="num">${escapeHtml(h.parts)}</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

// ---------------------------------------------------------------------------
// Tables

/** A dropped touch's reason: the caps in this plan's own numbers, the others from the dictionary. */
function explain(code: string, timeline: Timeline, lang: Lang): string {
  const tx = TIMELINE_TEXTS[lang];
  if (code === 'cap:touches') return escapeHtml(tx.capTouches(timeline.caps.touches));
  if (code === 'cap:sms-month') return escapeHtml(tx.capSmsMonth(timeline.caps.smsPerMonth));
  if (code === 'cap:multi-sms')
    return escapeHtml(
      tx.capMultiSms(Math.round(timeline.caps.multiSmsShare * 100), formatInt(timeline.summary?.multiSmsLimit ?? 0)),
    );
  const text = reasonText(code, lang);
  return text ? escapeHtml(text.long) : `<span class="muted">${escapeHtml(tx.noDescription)}</span>`;
}

/** A reason code with its few words, the code itself kept small for whoever asks support. */
function reasonLabel(code: string, lang: Lang): string {
  const text = reasonText(code, lang);
  return text
    ? `<span class="why-short">${escapeHtml(text.short)}</span> <code class="code">${escapeHtml(code)}</code>`
    : `<code>${escapeHtml(code)}</code>`;
}

function sortedDropped(dropped: Record<string, number> | undefined): [string, number][] {
  return Object.entries(dropped ?? {})
    .filter(([, n]) => typeof n === 'number')
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function renderWaveTable(waves: WaveView[], clock: Clock): string {
  const tx = TIMELINE_TEXTS[clock.lang];
  const h = tx.waveHead;
  const rows = waves.map((w) => {
    const s = w.summary;
    const dropped = sortedDropped(s?.dropped);
    const droppedCell = dropped.length
      ? dropped
          .map(([code, n]) => `<span class="chip">${reasonLabel(code, clock.lang)} ${formatInt(n)}</span>`)
          .join(' ')
      : `<span class="muted">${escapeHtml(tx.none)}</span>`;
    const sms = channelSpan(w, 'sms', clock);
    const email = w.channels.includes('email') ? channelSpan(w, 'email', clock) : '';
    return `<tr${w.isMidnight ? ' class="is-midnight"' : ''}><th scope="row">${escapeHtml(w.id)}${w.isMidnight ? ' <span class="badge midnight small">00:00</span>' : ''}${s?.stopOnPurchase ? ` <span class="badge stop small">${escapeHtml(tx.stopsOnPurchase)}</span>` : ''}</th><td data-label="${escapeHtml(h.sms)}" class="when">${escapeHtml(sms) || '—'}</td><td data-label="${escapeHtml(h.email)}" class="when">${escapeHtml(email) || '<span class="muted">—</span>'}</td><td data-label="${escapeHtml(h.audience)}" class="num">${s ? formatInt(s.audience_size) : '—'}</td><td data-label="${escapeHtml(h.plannedSms)}" class="num">${formatInt(channelTotal(w, 'sms'))}</td><td data-label="${escapeHtml(h.plannedEmail)}" class="num">${w.channels.includes('email') ? formatInt(channelTotal(w, 'email')) : '<span class="muted">—</span>'}</td><td data-label="${escapeHtml(h.dropped)}" class="dropped">${droppedCell}</td></tr>`;
  });
  return `<div class="table-wrap"><table class="waves stack"><thead><tr><th>${escapeHtml(h.wave)}</th><th>${escapeHtml(h.sms)}</th><th>${escapeHtml(h.email)}</th><th class="num">${escapeHtml(h.audience)}</th><th class="num">${escapeHtml(h.plannedSms)}</th><th class="num">${escapeHtml(h.plannedEmail)}</th><th>${escapeHtml(h.dropped)}</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function renderReasons(timeline: Timeline, lang: Lang): string {
  const tx = TIMELINE_TEXTS[lang];
  const h = tx.reasonHead;
  const entries = sortedDropped(timeline.dropped);
  if (entries.length === 0) return `<p class="muted">${escapeHtml(tx.noDropped)}</p>`;
  const max = Math.max(...entries.map(([, n]) => n), 1);
  const total = sum(entries.map(([, n]) => n));
  const rows = entries.map(
    ([code, n]) =>
      `<tr><td data-label="${escapeHtml(h.reason)}">${reasonLabel(code, lang)}</td><td data-label="${escapeHtml(h.touches)}" class="num">${formatInt(n)}</td><td class="meter"><span style="width:${px((n / max) * 100)}%"></span></td><td data-label="${escapeHtml(h.meaning)}">${explain(code, timeline, lang)}</td></tr>`,
  );
  return `<table class="reasons stack"><thead><tr><th>${escapeHtml(h.reason)}</th><th class="num">${escapeHtml(h.touches)}</th><th></th><th>${escapeHtml(h.meaning)}</th></tr></thead><tbody>${rows.join('')}</tbody><tfoot><tr><td>${escapeHtml(tx.total)}</td><td class="num">${formatInt(total)}</td><td class="meter"></td><td class="muted">${escapeHtml(tx.totalNote)}</td></tr></tfoot></table>`;
}

const GROUP_COLOURS = [
  '#b91c1c',
  '#7c3aed',
  '#a855f7',
  '#6366f1',
  '#0d9488',
  '#14b8a6',
  '#84a98c',
  '#a8a29e',
  '#cbd5e1',
  '#64748b',
  '#0891b2',
  '#ca8a04',
];

function renderGroups(timeline: Timeline, lang: Lang): string {
  const entries = Object.entries(timeline.summary?.groups ?? {}).filter(([, n]) => typeof n === 'number' && n > 0);
  if (entries.length === 0) return '';
  const total = sum(entries.map(([, n]) => n));
  const segs = entries
    .map(
      ([g, n], i) =>
        `<span class="seg" style="width:${px((n / total) * 100)}%;background:${GROUP_COLOURS[i % GROUP_COLOURS.length]}" title="${escapeHtml(`${groupName(g, lang, timeline.groupLabels)}: ${formatInt(n)} (${formatPercent(n, total)})`)}"></span>`,
    )
    .join('');
  // The numbers are written out beside each name: the bar's tooltips are for a mouse only.
  const legend = entries
    .map(
      ([g, n], i) =>
        `<span class="lg" title="${escapeHtml(g)}"><span class="dot" style="background:${GROUP_COLOURS[i % GROUP_COLOURS.length]}"></span>${escapeHtml(groupName(g, lang, timeline.groupLabels))} ${formatInt(n)} <span class="muted">${formatPercent(n, total)}</span></span>`,
    )
    .join('');
  // The dormant and churned groups' sub-groups, one line per group: who among the weak groups is worth more.
  const subGroups = subGroupRows(timeline.summary, lang, timeline.groupLabels)
    .map(
      (row) =>
        `<div class="sub-groups"><div class="sg-name" title="${escapeHtml(row.group)}">${escapeHtml(row.name)} ${row.count}</div><div class="legend-row">${row.parts.map((p) => `<span class="lg" title="${escapeHtml(p.code)}">${escapeHtml(p.name)} ${p.count} <span class="muted">${p.share}</span></span>`).join('')}</div></div>`,
    )
    .join('');
  const subTitle = subGroups
    ? `<div class="groups-title sub">${escapeHtml(TIMELINE_TEXTS[lang].subGroupsTitle)}</div>`
    : '';
  return `<div class="groups"><div class="groups-title">${escapeHtml(TIMELINE_TEXTS[lang].groupsTitle)}</div><div class="stack-bar">${segs}</div><div class="legend-row">${legend}</div>${subTitle}${subGroups}</div>`;
}

// ---------------------------------------------------------------------------
// Page

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#1e293b;font:14px/1.45 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
main{max-width:1290px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
h3{font-size:15px;margin:0}
code{font:12px/1.3 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;background:#f1f5f9;border-radius:3px;padding:0 3px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;margin-top:14px}
.meta{color:#475569;display:flex;flex-wrap:wrap;gap:4px 18px}
.meta b{color:#1e293b;font-weight:600}
.top{display:flex;gap:14px;align-items:stretch;margin-top:14px}
.stats{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;flex:1}
.stat{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 12px}
.stat .k{color:#64748b;font-size:12px;white-space:nowrap}
.stat .v{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.stat .s{color:#64748b;font-size:12px}
.stat.over{border-color:#dc2626;background:#fef2f2}
.bar-track{height:5px;background:#e2e8f0;border-radius:3px;margin-top:6px;overflow:hidden}
.bar-track span{display:block;height:100%;background:#0ea5e9}
.stat.over .bar-track span{background:#dc2626}
.push{background:#c2185b;color:#fff;border-radius:8px;padding:10px 16px;width:300px;flex:none}
.push .k{font-size:12px;opacity:.9}
.push .v{font-size:24px;font-weight:700;letter-spacing:.3px}
.push .s{font-size:12px;opacity:.95}
.warnings{background:#fffbeb;border:1px solid #f59e0b;border-left:6px solid #f59e0b;border-radius:8px;padding:10px 16px;margin-top:14px}
.warnings h2{color:#92400e;margin-bottom:4px}
.warnings ul{margin:0;padding-left:20px}
.warnings li{margin:2px 0}
.groups{margin-top:12px}
.groups-title{font-size:12px;color:#64748b;margin-bottom:4px}
.groups-title.sub{margin-top:10px}
.sub-groups{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 14px;margin-top:4px}
.sub-groups .sg-name{font-size:12px;font-weight:600;color:#334155;min-width:120px;margin-top:6px}
.stack-bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#e2e8f0}
.stack-bar .seg{display:block;height:100%}
.legend-row{display:flex;flex-wrap:wrap;gap:2px 14px;margin-top:6px;font-size:12px;color:#475569}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;vertical-align:0}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#475569;margin:0 0 6px}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.swatch.email{background:#3b82f6}.swatch.sms{background:#f59e0b}.swatch.midnight{background:#c2185b}
.swatch.quiet{background:#e2e8f0;border:1px solid #cbd5e1}
.swatch.planned{background:none;border-left:2px dashed #64748b;width:2px;border-radius:0}
.chart{display:block;width:100%;height:auto;font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.chart text{font-size:12px;fill:#475569}
.chart .quiet-band,.chart .quiet-band-zoom{fill:#e2e8f0;fill-opacity:.75}
.chart .bar-email{fill:#3b82f6}
.chart .bar-sms{fill:#f59e0b}
.chart .bar-midnight{fill:#c2185b}
.chart.panel .bar{stroke:#fff;stroke-width:1}
.chart .day-label{font-size:12px;fill:#334155}
.chart .day-label.wd{font-size:12px;fill:#94a3b8}
.chart .day-label.d11{fill:#c2185b;font-weight:700}
.chart .wave-id{font-size:13px;font-weight:650;fill:#0f172a}
.chart .wave-id.mid{fill:#c2185b}
.chart .wave-sub{font-size:12px;fill:#64748b}
.chart .start-label{font-size:12px;fill:#475569;font-variant-numeric:tabular-nums}
.chart .lane-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .lane-sub{font-size:12px;fill:#94a3b8}
.chart .ch-email{fill:#2563eb;font-weight:600}
.chart .ch-sms{fill:#c2410c;font-weight:600}
.chart .marker-label{font-size:12px}
.chart .marker-label.midnight{font-size:12px;font-weight:700;fill:#c2185b}
.chart .marker-label.planned{fill:#64748b}
.chart .lead-label text{font-size:12px;fill:#334155;font-weight:600}
.chart .hour-label{font-size:12px;fill:#64748b;font-variant-numeric:tabular-nums}
.chart .date-label{font-size:12px;fill:#334155;font-weight:600}
.chart .bar-label{font-size:12px;fill:#fff;font-weight:600;pointer-events:none}
.chart .bar-label.dark{fill:#451a03}
.chart .quiet-label{font-size:12px;fill:#94a3b8;font-style:italic}
.chart .axis-break text{font-size:12px;fill:#64748b}
.panel-card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px 8px;margin-top:10px}
.panel-card.is-midnight{border-color:#f9a8d4;box-shadow:inset 4px 0 0 #c2185b}
.panel-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px}
.facts{display:flex;flex-wrap:wrap;gap:2px 16px;color:#334155;font-size:13px}
.audience{color:#64748b;font-size:12px;margin:2px 0 4px}
.badge{display:inline-block;font-size:11.5px;border-radius:10px;padding:1px 8px;font-weight:600}
.badge.midnight{background:#c2185b;color:#fff}
.badge.stop{background:#e0f2fe;color:#075985}
.badge.small{font-size:10.5px;padding:0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
thead th{font-size:12px;color:#64748b;font-weight:600;border-bottom:2px solid #cbd5e1}
tbody th{font-weight:650;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.is-midnight th{color:#c2185b}
.chip{display:inline-block;margin:1px 8px 1px 0;font-variant-numeric:tabular-nums}
td.dropped{min-width:240px}
td.when{white-space:nowrap}
td.meter{width:140px}
@media (min-width:641px){.reasons td:first-child{white-space:nowrap}}
td.meter span{display:block;height:8px;margin-top:6px;background:#94a3b8;border-radius:4px;min-width:2px}
tfoot td{font-weight:600;border-bottom:none}
.muted{color:#94a3b8}
.empty{color:#64748b;font-style:italic}
.note{color:#64748b;font-size:12px;margin-top:6px}
footer{color:#94a3b8;font-size:12px;margin-top:18px}
h1{overflow-wrap:anywhere}
code.code{font-size:11px;color:#64748b;background:none;padding:0}
.why-short{font-weight:600}
.group{white-space:nowrap}
.table-wrap,.chart-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.swipe{display:none;color:#64748b;font-size:12px;margin:2px 0 4px}
details.send-details{margin:4px 0 2px;font-size:13px}
details.send-details summary{cursor:pointer;color:#1d4ed8;padding:4px 0;min-height:28px}
table.sends td .sub{font-size:12px;color:#64748b;white-space:normal}
@media (max-width:900px){
.chart{width:1240px;max-width:none}
.swipe{display:block}
}
@media (max-width:640px){
main{padding:12px 10px 30px}
.top{flex-wrap:wrap}
.push{width:auto;flex:1 1 100%}
.stats{grid-template-columns:repeat(2,minmax(0,1fr))}
.stat .k{white-space:normal}
.card{padding:12px 10px}
.panel-card{padding:10px 8px 8px}
table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tfoot,table.stack tr,table.stack td{display:block;width:auto}
table.stack td.when{white-space:normal}
table.stack tr{border-bottom:1px solid #e2e8f0;padding:6px 0}
table.stack td,table.stack tbody th{border:none;padding:2px 0;text-align:left;white-space:normal}
table.stack tbody th{display:block;font-size:15px}
table.stack td[data-label]::before{content:attr(data-label) "：";color:#64748b;font-weight:400}
table.stack td.meter{display:none}
.chip{white-space:normal}
}
`;

export interface TimelinePageOptions {
  /** Simplified Chinese unless told otherwise. */
  lang?: Lang;
  /** The address of the same page in the other language, for the switch (`timeline.en.html`). */
  otherHref?: string;
}

interface Stat {
  k: string;
  v: string;
  /** HTML (escaped by the model). */
  s: string;
  over?: boolean;
}

/** What the page says above its charts, as texts and numbers (escaped when rendered). */
interface TimelineView {
  lang: Lang;
  tx: TimelineTexts;
  title: string;
  meta: Array<{ k: string; v: string; after?: string }>;
  push: { title: string; when: string; lines: string[] };
  stats: Stat[];
  warnings: string[];
  quietSpan: string;
  zoneNote: string;
}

function fmtOffsetAt(clock: Clock, ms: number): string {
  return fmtOffset(clock.offsetAt(ms));
}

function timelineView(
  timeline: Timeline,
  views: SendView[],
  waves: WaveView[],
  clock: Clock,
  unreadable: string[],
): TimelineView {
  const lang = clock.lang;
  const tx = TIMELINE_TEXTS[lang];
  const summary = timeline.summary;
  const planned = parseIso(timeline.plannedAt, clock.fallbackOffset);
  const midnight = parseIso(timeline.midnight, clock.fallbackOffset);
  const refMs = midnight?.ms ?? planned?.ms ?? 0;
  const sendsIn = timeline.sends ?? [];

  const meta = [
    { k: tx.timeZone, v: String(timeline.timezone), after: `(${fmtOffsetAt(clock, refMs)})` },
    { k: tx.plannedAt, v: planned ? clock.full(planned.ms) : String(timeline.plannedAt) },
    { k: tx.quietHours, v: `${timeline.quietHours?.start}–${timeline.quietHours?.end}` },
    {
      k: tx.rates,
      v: tx.ratesValue(formatInt(timeline.smsRatePerSecond), formatInt(timeline.emailRatePerSecond)),
    },
    { k: '', v: tx.sendsInWaves(sendsIn.length, waves.length) },
  ];

  const midnightSends = views.filter((v) => v.send.midnight);
  const pushEnd = midnightSends.length ? Math.max(...midnightSends.map((v) => v.end)) : null;
  const pushCustomers = sum(midnightSends.map((v) => v.send.customers));
  const pushGroups = new Set(midnightSends.map((v) => v.send.group)).size;
  const push = midnight
    ? {
        title: tx.midnightPush,
        when: clock.full(midnight.ms),
        lines:
          pushEnd !== null
            ? [
                tx.pushCustomers(pushCustomers, pushGroups),
                tx.pushDone(fmtHm(clock.wall(pushEnd)), formatDuration((pushEnd - midnight.ms) / 1000, lang)),
              ]
            : [tx.noMidnightSend],
      }
    : { title: tx.midnightPush, when: String(timeline.midnight), lines: [] };

  const customers = summary?.customers ?? 0;
  const reached = summary?.reached ?? 0;
  const smsTouches = summary?.touches?.sms ?? 0;
  const multi = summary?.multiSms ?? 0;
  const limit = summary?.multiSmsLimit ?? 0;
  const [reachedK, reachedS] = tx.stats.reached(formatPercent(reached, customers));
  const stats: Stat[] = [
    { k: tx.stats.customers[0], v: formatInt(customers), s: escapeHtml(tx.stats.customers[1]) },
    { k: reachedK, v: formatInt(reached), s: escapeHtml(reachedS) },
    { k: tx.stats.smsTouches[0], v: formatInt(smsTouches), s: escapeHtml(tx.stats.smsTouches[1]) },
    {
      k: tx.stats.emailTouches[0],
      v: formatInt(summary?.touches?.email ?? 0),
      s: escapeHtml(tx.stats.emailTouches[1]),
    },
    {
      k: tx.stats.smsParts,
      v: formatInt(summary?.smsParts ?? 0),
      s:
        smsTouches > 0
          ? escapeHtml(tx.stats.partsPerSms(String(Math.round(((summary?.smsParts ?? 0) / smsTouches) * 100) / 100)))
          : '',
    },
    {
      k: tx.stats.multiSms,
      v: formatInt(multi),
      s: `${escapeHtml(tx.stats.limit(formatInt(limit)))}<div class="bar-track"><span style="width:${px(Math.min(100, limit > 0 ? (multi / limit) * 100 : 0))}%"></span></div>`,
      over: multi > limit,
    },
  ];

  const warnings = warningTexts(timeline, lang);
  if (unreadable.length) warnings.push(tx.unreadableSends(unreadable.join(', ')));
  return {
    lang,
    tx,
    title: tx.title(timeline.campaignId),
    meta,
    push,
    stats,
    warnings,
    quietSpan: `${timeline.quietHours?.start}–${timeline.quietHours?.end}`,
    zoneNote: tx.footer(String(timeline.timezone), fmtOffsetAt(clock, refMs), timeline.campaignId),
  };
}

function renderHeader(view: TimelineView): string {
  const meta = view.meta
    .map((m) =>
      m.k
        ? `<span>${escapeHtml(m.k)} <b>${escapeHtml(m.v)}</b>${m.after ? ` ${escapeHtml(m.after)}` : ''}</span>`
        : `<span>${escapeHtml(m.v)}</span>`,
    )
    .join('');
  const push = `<div class="push"><div class="k">${escapeHtml(view.push.title)}</div><div class="v">${escapeHtml(view.push.when)}</div>${
    view.push.lines.length ? `<div class="s">${view.push.lines.map((l) => escapeHtml(l)).join('<br>')}</div>` : ''
  }</div>`;
  const stats = view.stats
    .map(
      (st) =>
        `<div class="stat${st.over ? ' over' : ''}"><div class="k">${escapeHtml(st.k)}</div><div class="v">${escapeHtml(st.v)}</div>${st.s ? `<div class="s">${st.s}</div>` : ''}</div>`,
    )
    .join('');
  const warnings = view.warnings.length
    ? `<section class="warnings" role="alert"><h2>${escapeHtml(view.tx.warnings(view.warnings.length))}</h2><ul>${view.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>`
    : '';
  return `<header><h1>${escapeHtml(view.title)}</h1><div class="meta">${meta}</div></header>\n<div class="top">${push}<div class="stats">${stats}</div></div>\n${warnings}`;
}

export function renderTimelinePage(timeline: Timeline, options: TimelinePageOptions = {}): string {
  const lang = options.lang ?? DEFAULT_LANG;
  const tx = TIMELINE_TEXTS[lang];
  const sendsIn = timeline.sends ?? [];
  const midnightGuess = parseIso(timeline.midnight, 0);
  const firstWithOffset = sendsIn.map((s) => parseIso(s.at, 0)).find((x) => x !== null);
  const offset = midnightGuess?.offset ?? firstWithOffset?.offset ?? 0;
  const zone =
    typeof timeline.timezone === 'string' && isValidTimeZone(timeline.timezone) ? timeline.timezone : undefined;
  const clock = new Clock(zone, offset, lang);
  const midnight = parseIso(timeline.midnight, offset);

  const views: SendView[] = [];
  const unreadable: string[] = [];
  for (const send of sendsIn) {
    const start = parseIso(send.at, offset);
    if (!start) {
      unreadable.push(send.id);
      continue;
    }
    const seconds = Number.isFinite(send.estimatedSeconds) ? Math.max(0, send.estimatedSeconds) : 0;
    views.push({ send, start, end: start.ms + seconds * 1000 });
  }
  const waves = buildWaves(timeline, views);
  const view = timelineView(timeline, views, waves, clock, unreadable);

  const lg = tx.legend;
  const legend = `<div class="legend"><span><span class="swatch email"></span>${escapeHtml(lg.email)}</span><span><span class="swatch sms"></span>${escapeHtml(lg.sms)}</span><span><span class="swatch midnight"></span>${escapeHtml(lg.midnight)}</span><span><span class="swatch quiet"></span>${escapeHtml(lg.quiet(view.quietSpan))}</span><span><span class="swatch planned"></span>${escapeHtml(lg.planned)}</span><span>${escapeHtml(lg.lead)}</span></div>`;
  const swipe = `<div class="swipe">${escapeHtml(tx.swipe)}</div>`;

  const body = [
    renderHeader(view),
    `<section class="card"><h2>${escapeHtml(tx.overview)}</h2>${legend}${swipe}<div class="chart-scroll">${renderOverview(timeline, waves, clock, midnight)}</div>${renderGroups(timeline, lang)}</section>`,
    `<section class="card"><h2>${escapeHtml(tx.wavesHourByHour)}</h2><div class="note">${escapeHtml(tx.panelsNote)}</div>${swipe}${renderPanels(timeline, waves, clock, midnight)}</section>`,
    `<section class="card"><h2>${escapeHtml(tx.waves)}</h2>${renderWaveTable(waves, clock)}</section>`,
    `<section class="card"><h2>${escapeHtml(tx.dropped)}</h2>${renderReasons(timeline, lang)}</section>`,
    `<footer>${escapeHtml(view.zoneNote)}</footer>`,
  ].join('\n');

  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return htmlPage(view.title, CSS, body, {
    lang,
    ...(options.otherHref ? { other: { href: options.otherHref, label: tx.switchTo, lang: other } } : {}),
  });
}
