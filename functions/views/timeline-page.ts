/**
 * timeline.html: the campaign timeline drawn for a marketer.
 *
 * A pure function of the Timeline: no I/O, no clock, no locale, no machine time zone.
 * Wall-clock times come from the offsets carried by the ISO strings themselves; the chart
 * axis uses the offset of the midnight push (the campaign offset).
 *
 * Layout: header with headline numbers and the midnight push, warnings, an overview Gantt
 * of the whole campaign (days), one zoomed panel per wave (hours, broken axis between the
 * email and SMS windows), a per-wave table and the dropped-touch reasons in plain words.
 */

import { escapeHtml, formatCount as formatInt } from '../domain/text.ts';
import type { Channel, PlannedSend, Timeline, WaveSummary } from '../domain/timeline.ts';
import { htmlPage } from './page-shell.ts';

// ---------------------------------------------------------------------------
// Text and number formatting (deterministic, locale-free)

export { escapeHtml, formatCount as formatInt } from '../domain/text.ts';

/** Seconds -> "45 s", "9 min", "2 h 30 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const totalMin = Math.round(s / 60);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function formatHours(ms: number): string {
  const h = Math.round((ms / HOUR) * 10) / 10;
  return `${h} h`;
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
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

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

const fmtMonthDay = (w: Wall): string => `${w.month}/${w.day}`;
const fmtDay = (w: Wall): string => `${w.month}/${w.day} ${WEEKDAYS[w.weekday]}`;
const fmtHm = (w: Wall): string => `${pad2(w.hour)}:${pad2(w.minute)}`;
const fmtHms = (w: Wall): string => (w.second ? `${fmtHm(w)}:${pad2(w.second)}` : fmtHm(w));
const fmtIsoDate = (w: Wall): string => `${w.year}-${pad2(w.month)}-${pad2(w.day)}`;
const fmtFull = (w: Wall): string => `${fmtIsoDate(w)} ${WEEKDAYS[w.weekday]} ${fmtHm(w)}`;

function fmtOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `UTC${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** "20:00 → 21:40" on one day, "10/24 周六 20:00 → 10/25 周日 10:00" across days. */
function fmtSpan(start: Instant, endMs: number, withDay: boolean): string {
  const a = wall(start.ms, start.offset);
  const b = wall(endMs, start.offset);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  const head = withDay ? `${fmtDay(a)} ${fmtHm(a)}` : fmtHm(a);
  return sameDay ? `${head} → ${fmtHm(b)}` : `${head} → ${fmtDay(b)} ${fmtHm(b)}`;
}

function parseClock(value: string | undefined): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec((value ?? '').trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59) return null;
  return (h * 60 + min) * MINUTE;
}

/** Axis helpers: a fixed campaign offset maps instants to local wall-clock days. */
class Clock {
  constructor(readonly offset: number) {}
  local(ms: number): number {
    return ms + this.offset * MINUTE;
  }
  instant(localMs: number): number {
    return localMs - this.offset * MINUTE;
  }
  dayStart(ms: number): number {
    return this.instant(Math.floor(this.local(ms) / DAY) * DAY);
  }
  wall(ms: number): Wall {
    return wall(ms, this.offset);
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
  for (let day = clock.dayStart(from) - DAY; day < to; day += DAY) {
    const start = day + qs;
    const end = qe > qs ? day + qe : day + DAY + qe;
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

const CHANNEL_NAME: Record<Channel, string> = { email: 'email', sms: 'SMS' };

function sendTitle(v: SendView): string {
  const s = v.send;
  const a = wall(v.start.ms, v.start.offset);
  const b = wall(v.end, v.start.offset);
  const lines = [
    `${s.id}`,
    `${CHANNEL_NAME[s.channel] ?? s.channel} · wave ${s.waveId} · group ${s.group}${s.slice > 1 ? `, slice ${s.slice} (continues after quiet hours)` : ''}`,
    `${fmtDay(a)} ${fmtHms(a)} → ${fmtHms(b)}`,
    `${formatInt(s.customers)} customers · ${formatDuration(s.estimatedSeconds)}`,
  ];
  if (typeof s.smsParts === 'number') lines.push(`${formatInt(s.smsParts)} SMS parts`);
  if (s.midnight) lines.push('midnight push: exempt from quiet hours, top priority');
  if (s.stopOnPurchase) lines.push('buyers who pay before the send leave it');
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

const MIDNIGHT_LABEL = '00:00 午夜开抢 / midnight push';

// ---------------------------------------------------------------------------
// Overview chart: the whole campaign on a day axis

const SVG_W = 1240;

function renderOverview(timeline: Timeline, waves: WaveView[], clock: Clock, midnight: Instant | null): string {
  const times: number[] = [];
  const ends: number[] = [];
  for (const w of waves) {
    for (const v of w.sends) {
      times.push(v.start.ms);
      ends.push(v.end);
    }
    const sms = parseIso(w.summary?.smsAt, clock.offset);
    const email = parseIso(w.summary?.emailAt, clock.offset);
    if (sms) times.push(sms.ms);
    if (email) times.push(email.ms);
  }
  if (midnight) times.push(midnight.ms);
  if (times.length === 0) return '<p class="empty">No send has a readable time; nothing to draw.</p>';
  let first = Math.min(...times);
  const last = Math.max(...times, ...ends);
  const planned = parseIso(timeline.plannedAt, clock.offset);
  if (planned && planned.ms < first && first - planned.ms <= 3 * DAY) first = planned.ms;
  const from = clock.dayStart(first);
  const to = clock.dayStart(last) + DAY;
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
    `<svg class="chart overview" viewBox="0 0 ${SVG_W} ${px(height)}" width="${SVG_W}" height="${px(height)}" role="img" aria-label="Campaign overview">`,
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
      `<rect class="quiet-band" data-night="${b.night}" x="${px(xOf(b.start))}" y="${plotTop}" width="${px(xOf(b.end) - xOf(b.start))}" height="${px(plotBottom - plotTop)}"><title>quiet hours ${escapeHtml(timeline.quietHours.start)}–${escapeHtml(timeline.quietHours.end)} (night of ${b.night})</title></rect>`,
    );
  }
  // Day grid and labels.
  const every = Math.max(1, Math.ceil(40 / pxPerDay));
  const showWeekday = pxPerDay * every >= 34;
  const midnightDay = midnight ? clock.dayStart(midnight.ms) : Number.NaN;
  for (let i = 0; i <= days; i++) {
    const t = from + i * DAY;
    const x = xOf(t);
    const w = clock.wall(t);
    const monthStart = w.day === 1;
    out.push(
      `<line class="day-grid" x1="${px(x)}" y1="${plotTop - 4}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${monthStart ? '#94a3b8' : '#e2e8f0'}" stroke-width="1"/>`,
    );
    if (i < days && i % every === 0) {
      const cx = x + (pxPerDay * every) / 2;
      const isD11 = t === midnightDay;
      const cls = isD11 ? 'day-label d11' : 'day-label';
      out.push(`<text class="${cls}" x="${px(cx)}" y="36" text-anchor="middle">${fmtMonthDay(w)}</text>`);
      if (showWeekday)
        out.push(`<text class="${cls} wd" x="${px(cx)}" y="50" text-anchor="middle">${WEEKDAYS[w.weekday]}</text>`);
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
        `<text class="wave-sub" x="8" y="${px(ly + laneH + laneGap)}">audience ${formatInt(w.summary.audience_size)}</text>`,
      );
    }
    for (const ch of w.channels) {
      const yy = laneY(row, w, ch) + laneH / 2 + 4;
      out.push(
        `<text class="lane-label" x="${gutter - 10}" y="${px(yy)}" text-anchor="end"><tspan class="ch-${ch}">${CHANNEL_NAME[ch]}</tspan> ${formatInt(channelTotal(w, ch))}</text>`,
      );
    }
  }
  // Planned-at marker.
  if (planned && planned.ms >= from && planned.ms <= to) {
    const x = xOf(planned.ms);
    out.push(
      `<line class="planned-line" x1="${px(x)}" y1="16" x2="${px(x)}" y2="${px(plotBottom)}" stroke="#64748b" stroke-width="1" stroke-dasharray="3 3"/>`,
    );
    const label = `planned ${fmtDay(wall(planned.ms, planned.offset))} ${fmtHm(wall(planned.ms, planned.offset))}`;
    const anchorEnd = x + textWidth(label, 11) + 6 > SVG_W;
    out.push(
      `<text class="marker-label planned" x="${px(anchorEnd ? x - 4 : x + 4)}" y="13" text-anchor="${anchorEnd ? 'end' : 'start'}">${escapeHtml(label)}</text>`,
    );
  }
  // Lead connectors (email start -> SMS start).
  for (const row of rows) {
    const w = row.wave;
    if (!w.channels.includes('email') || !w.channels.includes('sms')) continue;
    const email = parseIso(w.summary?.emailAt, clock.offset) ?? firstOf(w, 'email');
    const sms = parseIso(w.summary?.smsAt, clock.offset) ?? firstOf(w, 'sms');
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
    const label = formatHours(sms.ms - email.ms);
    const lw = textWidth(label, 10) + 10;
    const mid = (emailEnd + xs) / 2;
    const lx = xs - emailEnd > lw + 8 ? mid : xs + 4 + lw / 2;
    out.push(
      `<g class="lead-label"><rect x="${px(lx - lw / 2)}" y="${px(ey - 7)}" width="${px(lw)}" height="14" rx="7" fill="#ffffff" stroke="#94a3b8" stroke-width="0.8"/><text x="${px(lx)}" y="${px(ey + 3.5)}" text-anchor="middle">${escapeHtml(label)}</text><title>email goes ${escapeHtml(label)} before the SMS</title></g>`,
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
        `<text class="start-label" x="${px(xOf(first.ms) - 4)}" y="${px(yy)}" text-anchor="end">${fmtHm(wall(first.ms, first.offset))}</text>`,
      );
    }
    for (const v of w.sends) {
      const ch = v.send.channel;
      if (!w.channels.includes(ch)) continue;
      const x0 = xOf(v.start.ms);
      const width = Math.max(3, xOf(v.end) - x0);
      const cls = v.send.midnight ? 'bar bar-midnight' : `bar bar-${ch}`;
      out.push(
        `<rect class="${cls}" data-send="${escapeHtml(v.send.id)}" x="${px(x0)}" y="${px(laneY(row, w, ch))}" width="${px(width)}" height="${laneH}" rx="1.5"><title>${escapeHtml(sendTitle(v))}</title></rect>`,
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
    const anchorEnd = x + textWidth(MIDNIGHT_LABEL, 12) + 10 > SVG_W;
    out.push(
      `<text class="marker-label midnight" x="${px(anchorEnd ? x - 10 : x + 10)}" y="13" text-anchor="${anchorEnd ? 'end' : 'start'}">${MIDNIGHT_LABEL}</text>`,
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
    const at = parseIso(wave.summary?.smsAt, clock.offset);
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
  const ranges = waveSegments(timeline, wave, clock);
  if (ranges.length === 0) return '<p class="empty">No send with a readable time.</p>';
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
    `<svg class="chart panel" viewBox="0 0 ${SVG_W} ${px(height)}" width="${SVG_W}" height="${px(height)}" role="img" aria-label="${escapeHtml(`wave ${wave.id}, hour by hour`)}">`,
  );
  // Plot backgrounds and quiet hours per segment.
  for (const s of segments) {
    out.push(
      `<rect x="${px(s.x)}" y="${plotTop}" width="${px(s.w)}" height="${px(plotBottom - plotTop)}" fill="#ffffff" stroke="#cbd5e1" stroke-width="1"/>`,
    );
    for (const b of quietBands(timeline, clock, s.from, s.to)) {
      out.push(
        `<rect class="quiet-band-zoom" data-night="${b.night}" x="${px(xIn(s, b.start))}" y="${plotTop}" width="${px(xIn(s, b.end) - xIn(s, b.start))}" height="${px(plotBottom - plotTop)}"><title>quiet hours ${escapeHtml(timeline.quietHours.start)}–${escapeHtml(timeline.quietHours.end)}</title></rect>`,
      );
    }
  }
  // Hour ticks and date labels.
  for (const s of segments) {
    const pxPerHour = s.w / ((s.to - s.from) / HOUR);
    const step = [1, 2, 3, 4, 6, 12, 24].find((h) => h * pxPerHour >= 42) ?? 24;
    const dateLabels: { x: number; text: string; strong: boolean }[] = [];
    let lastRight = Number.NEGATIVE_INFINITY;
    for (let t = s.from; t <= s.to; t += HOUR) {
      const w = clock.wall(t);
      const x = xIn(s, t);
      const isDayStart = w.hour === 0 && w.minute === 0;
      if (isDayStart && t > s.from) dateLabels.push({ x, text: fmtDay(w), strong: true });
      if (w.hour % step !== 0 && !isDayStart) continue;
      out.push(
        `<line x1="${px(x)}" y1="${plotTop - 4}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${isDayStart ? '#94a3b8' : '#e2e8f0'}" stroke-width="1"/>`,
      );
      const label = fmtHm(w);
      const lw = textWidth(label, 11);
      const anchor = t === s.from ? 'start' : t === s.to ? 'end' : 'middle';
      const left = anchor === 'start' ? x : anchor === 'end' ? x - lw : x - lw / 2;
      if (left < lastRight + 1) continue;
      lastRight = left + lw;
      out.push(`<text class="hour-label" x="${px(x)}" y="${plotTop - 8}" text-anchor="${anchor}">${label}</text>`);
    }
    const startLabel = fmtDay(clock.wall(s.from));
    const firstDate = dateLabels[0];
    if (!firstDate || firstDate.x - s.x > textWidth(startLabel, 11) + 12)
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
    const label = skipped >= 2 * DAY ? `+${Math.round(skipped / DAY)} d` : `+${Math.round(skipped / HOUR)} h`;
    out.push(
      `<g class="axis-break"><path d="M${px(cx - 7)},${px(plotTop + 6)} l6,-12 M${px(cx + 1)},${px(plotTop + 6)} l6,-12" stroke="#64748b" stroke-width="1.5" fill="none"/><text x="${px(cx)}" y="${px(plotTop + 8 + lanesH / 2 + 4)}" text-anchor="middle">${label}</text><title>${escapeHtml(formatHours(skipped))} skipped</title></g>`,
    );
  }
  // Name wide quiet bands, in a lane where no bar is in the way.
  for (const s of segments) {
    for (const b of quietBands(timeline, clock, s.from, s.to)) {
      const x0 = xIn(s, b.start);
      const x1 = xIn(s, b.end);
      const label = 'quiet hours';
      const lw = textWidth(label, 11);
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
        `<text class="quiet-label" x="${px(cx)}" y="${px(laneY(free) + laneH / 2 + 4)}" text-anchor="middle">${label}</text>`,
      );
    }
  }
  // Lane labels.
  for (const ch of wave.channels) {
    const y0 = laneY(ch);
    const n = groupCount(wave, ch);
    out.push(
      `<text class="lane-label" x="${gutter - 12}" y="${px(y0 + 10)}" text-anchor="end"><tspan class="ch-${ch}">${CHANNEL_NAME[ch]}</tspan> ${formatInt(channelTotal(wave, ch))}</text>`,
    );
    out.push(
      `<text class="lane-sub" x="${gutter - 12}" y="${px(y0 + 22)}" text-anchor="end">${n === 0 ? 'nothing planned' : `${n} group${n === 1 ? '' : 's'} · ${formatInt(rateOf(timeline, ch))}/s`}</text>`,
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
    const g = `G${v.send.group}${v.send.slice > 1 ? `·${v.send.slice}` : ''}`;
    const full = `${g} · ${formatInt(v.send.customers)}`;
    const count = formatInt(v.send.customers);
    let label = '';
    if (width >= textWidth(full, 10.5) + 8) label = full;
    else if (width >= textWidth(count, 10.5) + 6) label = count;
    else if (width >= textWidth(g, 10.5) + 4) label = g;
    out.push(
      `<g class="send" data-send="${escapeHtml(v.send.id)}"><rect class="${cls}" x="${px(x0)}" y="${px(y0)}" width="${px(width)}" height="${laneH}" rx="2"/>${
        label
          ? `<text class="bar-label${ch === 'sms' && !v.send.midnight ? ' dark' : ''}" x="${px(x0 + width / 2)}" y="${px(y0 + laneH / 2 + 4)}" text-anchor="middle">${escapeHtml(label)}</text>`
          : ''
      }<title>${escapeHtml(sendTitle(v))}</title></g>`,
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
      const anchorEnd = x + textWidth(MIDNIGHT_LABEL, 12) + 8 > SVG_W;
      out.push(
        `<text class="marker-label midnight" x="${px(anchorEnd ? x - 6 : x + 6)}" y="${px(plotBottom + 16)}" text-anchor="${anchorEnd ? 'end' : 'start'}">${MIDNIGHT_LABEL}</text>`,
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
  const start = list.length ? firstOf(wave, channel) : parseIso(atIso, clock.offset);
  if (!start) return '';
  const endIso = channel === 'sms' ? wave.summary?.smsEndsAt : wave.summary?.emailEndsAt;
  const end = list.length ? Math.max(...list.map((v) => v.end)) : (parseIso(endIso, clock.offset)?.ms ?? start.ms);
  return fmtSpan(start, end, true);
}

function renderPanels(timeline: Timeline, waves: WaveView[], clock: Clock, midnight: Instant | null): string {
  return waves
    .map((w) => {
      const facts: string[] = [];
      for (const ch of w.channels) {
        const span = channelSpan(w, ch, clock);
        if (span)
          facts.push(
            `<span class="fact"><span class="swatch ${w.isMidnight && ch === 'sms' ? 'midnight' : ch}"></span>${CHANNEL_NAME[ch]} ${escapeHtml(span)}</span>`,
          );
      }
      const email = parseIso(w.summary?.emailAt, clock.offset);
      const sms = parseIso(w.summary?.smsAt, clock.offset);
      if (email && sms && sms.ms > email.ms)
        facts.push(`<span class="fact">email ${escapeHtml(formatHours(sms.ms - email.ms))} before SMS</span>`);
      const badges: string[] = [];
      if (w.isMidnight)
        badges.push('<span class="badge midnight">午夜开抢 midnight push · exempt from quiet hours</span>');
      if (w.summary?.stopOnPurchase) badges.push('<span class="badge stop">stops on purchase</span>');
      const audience = w.summary
        ? `<div class="audience">audience ${formatInt(w.summary.audience_size)}: ${w.summary.audience.map((a) => `<code>${escapeHtml(a)}</code>`).join(' ')}</div>`
        : '';
      return `<section class="panel-card${w.isMidnight ? ' is-midnight' : ''}"><div class="panel-head"><h3>${escapeHtml(w.id)}</h3>${badges.join('')}<div class="facts">${facts.join('')}</div></div>${audience}${renderPanel(timeline, w, clock, midnight)}</section>`;
    })
    .join('');
}

// ---------------------------------------------------------------------------
// Tables

const REASONS: Record<string, (t: Timeline) => string> = {
  'cap:touches': (t) =>
    `Touch cap: each customer gets at most ${t.caps.touches} touches in the whole campaign; email and SMS both count, and higher-priority touches keep their place.`,
  'cap:sms-month': (t) => `At most ${t.caps.smsPerMonth} SMS per customer in one calendar month.`,
  'cap:multi-sms': (t) =>
    `More than one SMS only for the top ${Math.round(t.caps.multiSmsShare * 100)}% of reached customers by value (here at most ${formatInt(t.summary?.multiSmsLimit ?? 0)} customers); the others get one SMS.`,
  'opt-out': () => 'The customer opted out of this channel. Opt-outs are absolute.',
  'no-phone': () => 'No usable mobile number for the SMS.',
  'no-email': () => 'No valid email address, so the customer is not in the email wave.',
  past: () => 'The send time is before the planning time, so it can no longer be sent.',
  'no-window': () =>
    'Could not be sent within its window at the configured rate (quiet hours or the next wave came first).',
  'email-condition': () => 'Outside the email condition of the wave (it narrows who gets the email).',
  control: () =>
    "Held out as the wave's control group (controlShare): never sent, so the report can show what the wave added.",
};

function explain(code: string, timeline: Timeline): string {
  const fn = REASONS[code];
  return fn ? escapeHtml(fn(timeline)) : '<span class="muted">(no description for this code)</span>';
}

function sortedDropped(dropped: Record<string, number> | undefined): [string, number][] {
  return Object.entries(dropped ?? {})
    .filter(([, n]) => typeof n === 'number')
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function renderWaveTable(waves: WaveView[], clock: Clock): string {
  const rows = waves.map((w) => {
    const s = w.summary;
    const dropped = sortedDropped(s?.dropped);
    const droppedCell = dropped.length
      ? dropped
          .map(([code, n]) => `<span class="chip"><code>${escapeHtml(code)}</code> ${formatInt(n)}</span>`)
          .join(' ')
      : '<span class="muted">none</span>';
    const sms = channelSpan(w, 'sms', clock);
    const email = w.channels.includes('email') ? channelSpan(w, 'email', clock) : '';
    return `<tr${w.isMidnight ? ' class="is-midnight"' : ''}><th scope="row">${escapeHtml(w.id)}${w.isMidnight ? ' <span class="badge midnight small">00:00</span>' : ''}${s?.stopOnPurchase ? ' <span class="badge stop small">stop on purchase</span>' : ''}</th><td class="when">${escapeHtml(sms) || '—'}</td><td class="when">${escapeHtml(email) || '<span class="muted">—</span>'}</td><td class="num">${s ? formatInt(s.audience_size) : '—'}</td><td class="num">${formatInt(channelTotal(w, 'sms'))}</td><td class="num">${w.channels.includes('email') ? formatInt(channelTotal(w, 'email')) : '<span class="muted">—</span>'}</td><td class="dropped">${droppedCell}</td></tr>`;
  });
  return `<table class="waves"><thead><tr><th>Wave</th><th>SMS</th><th>Email</th><th class="num">Audience</th><th class="num">Planned SMS</th><th class="num">Planned email</th><th>Dropped, by reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderReasons(timeline: Timeline): string {
  const entries = sortedDropped(timeline.dropped);
  if (entries.length === 0) return '<p class="muted">No touch was dropped.</p>';
  const max = Math.max(...entries.map(([, n]) => n), 1);
  const total = sum(entries.map(([, n]) => n));
  const rows = entries.map(
    ([code, n]) =>
      `<tr><td><code>${escapeHtml(code)}</code></td><td class="num">${formatInt(n)}</td><td class="meter"><span style="width:${px((n / max) * 100)}%"></span></td><td>${explain(code, timeline)}</td></tr>`,
  );
  return `<table class="reasons"><thead><tr><th>Reason</th><th class="num">Touches</th><th></th><th>What it means</th></tr></thead><tbody>${rows.join('')}</tbody><tfoot><tr><td>total</td><td class="num">${formatInt(total)}</td><td></td><td class="muted">touches the waves asked for that will not be sent</td></tr></tfoot></table>`;
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

function renderGroups(timeline: Timeline): string {
  const entries = Object.entries(timeline.summary?.groups ?? {}).filter(([, n]) => typeof n === 'number' && n > 0);
  if (entries.length === 0) return '';
  const total = sum(entries.map(([, n]) => n));
  const segs = entries
    .map(
      ([g, n], i) =>
        `<span class="seg" style="width:${px((n / total) * 100)}%;background:${GROUP_COLOURS[i % GROUP_COLOURS.length]}" title="${escapeHtml(`${g}: ${formatInt(n)} (${formatPercent(n, total)})`)}"></span>`,
    )
    .join('');
  const legend = entries
    .map(
      ([g, n], i) =>
        `<span class="lg"><span class="dot" style="background:${GROUP_COLOURS[i % GROUP_COLOURS.length]}"></span><code>${escapeHtml(g)}</code> ${formatInt(n)}</span>`,
    )
    .join('');
  return `<div class="groups"><div class="groups-title">Customers by playbook group</div><div class="stack">${segs}</div><div class="legend-row">${legend}</div></div>`;
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
.stack{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#e2e8f0}
.stack .seg{display:block;height:100%}
.legend-row{display:flex;flex-wrap:wrap;gap:2px 14px;margin-top:6px;font-size:12px;color:#475569}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;vertical-align:0}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#475569;margin:0 0 6px}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.swatch.email{background:#3b82f6}.swatch.sms{background:#f59e0b}.swatch.midnight{background:#c2185b}
.swatch.quiet{background:#e2e8f0;border:1px solid #cbd5e1}
.swatch.planned{background:none;border-left:2px dashed #64748b;width:2px;border-radius:0}
.chart{display:block;width:100%;height:auto;font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.chart text{font-size:11px;fill:#475569}
.chart .quiet-band,.chart .quiet-band-zoom{fill:#e2e8f0;fill-opacity:.75}
.chart .bar-email{fill:#3b82f6}
.chart .bar-sms{fill:#f59e0b}
.chart .bar-midnight{fill:#c2185b}
.chart.panel .bar{stroke:#fff;stroke-width:1}
.chart .day-label{font-size:11px;fill:#334155}
.chart .day-label.wd{font-size:10px;fill:#94a3b8}
.chart .day-label.d11{fill:#c2185b;font-weight:700}
.chart .wave-id{font-size:13px;font-weight:650;fill:#0f172a}
.chart .wave-id.mid{fill:#c2185b}
.chart .wave-sub{font-size:11px;fill:#64748b}
.chart .start-label{font-size:10.5px;fill:#475569;font-variant-numeric:tabular-nums}
.chart .lane-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .lane-sub{font-size:10.5px;fill:#94a3b8}
.chart .ch-email{fill:#2563eb;font-weight:600}
.chart .ch-sms{fill:#c2410c;font-weight:600}
.chart .marker-label{font-size:11px}
.chart .marker-label.midnight{font-size:12px;font-weight:700;fill:#c2185b}
.chart .marker-label.planned{fill:#64748b}
.chart .lead-label text{font-size:10px;fill:#334155;font-weight:600}
.chart .hour-label{font-size:11px;fill:#64748b;font-variant-numeric:tabular-nums}
.chart .date-label{font-size:11px;fill:#334155;font-weight:600}
.chart .bar-label{font-size:10.5px;fill:#fff;font-weight:600;pointer-events:none}
.chart .bar-label.dark{fill:#451a03}
.chart .quiet-label{font-size:11px;fill:#94a3b8;font-style:italic}
.chart .axis-break text{font-size:10.5px;fill:#64748b}
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
.chip{display:inline-block;white-space:nowrap;margin:1px 8px 1px 0;font-variant-numeric:tabular-nums}
td.when{white-space:nowrap}
td.meter{width:140px}
.reasons td:first-child{white-space:nowrap}
td.meter span{display:block;height:8px;margin-top:6px;background:#94a3b8;border-radius:4px;min-width:2px}
tfoot td{font-weight:600;border-bottom:none}
.muted{color:#94a3b8}
.empty{color:#64748b;font-style:italic}
.note{color:#64748b;font-size:12px;margin-top:6px}
footer{color:#94a3b8;font-size:12px;margin-top:18px}
`;

export function renderTimelinePage(timeline: Timeline): string {
  const sendsIn = timeline.sends ?? [];
  const midnightGuess = parseIso(timeline.midnight, 0);
  const firstWithOffset = sendsIn.map((s) => parseIso(s.at, 0)).find((x) => x !== null);
  const offset = midnightGuess?.offset ?? firstWithOffset?.offset ?? 0;
  const clock = new Clock(offset);
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
  const summary = timeline.summary;
  const planned = parseIso(timeline.plannedAt, offset);

  // Header.
  const title = `${timeline.campaignId} · campaign timeline`;
  const meta = [
    `<span>Time zone <b>${escapeHtml(timeline.timezone)}</b> (${fmtOffset(offset)})</span>`,
    planned
      ? `<span>Planned at <b>${escapeHtml(fmtFull(wall(planned.ms, planned.offset)))}</b></span>`
      : `<span>Planned at <b>${escapeHtml(timeline.plannedAt)}</b></span>`,
    `<span>Quiet hours <b>${escapeHtml(timeline.quietHours?.start)}–${escapeHtml(timeline.quietHours?.end)}</b></span>`,
    `<span>Rates <b>${formatInt(timeline.smsRatePerSecond)} SMS/s</b>, <b>${formatInt(timeline.emailRatePerSecond)} email/s</b></span>`,
    `<span><b>${formatInt(sendsIn.length)}</b> sends in <b>${formatInt(waves.length)}</b> waves</span>`,
  ].join('');

  const midnightSends = views.filter((v) => v.send.midnight);
  const pushEnd = midnightSends.length ? Math.max(...midnightSends.map((v) => v.end)) : null;
  const pushCustomers = sum(midnightSends.map((v) => v.send.customers));
  const pushGroups = new Set(midnightSends.map((v) => v.send.group)).size;
  const pushBox = midnight
    ? `<div class="push"><div class="k">午夜开抢 · midnight push</div><div class="v">${escapeHtml(fmtFull(wall(midnight.ms, midnight.offset)))}</div><div class="s">${
        pushEnd !== null
          ? `${formatInt(pushCustomers)} customers in ${pushGroups} group${pushGroups === 1 ? '' : 's'}<br>all handed to the provider by ${escapeHtml(fmtHm(wall(pushEnd, midnight.offset)))} (${escapeHtml(formatDuration((pushEnd - midnight.ms) / 1000))})`
          : 'no midnight send planned'
      }</div></div>`
    : `<div class="push"><div class="k">midnight push</div><div class="v">${escapeHtml(timeline.midnight)}</div></div>`;

  const stat = (k: string, v: string, s = '', extra = ''): string =>
    `<div class="stat${extra}"><div class="k">${k}</div><div class="v">${v}</div>${s ? `<div class="s">${s}</div>` : ''}</div>`;
  const customers = summary?.customers ?? 0;
  const reached = summary?.reached ?? 0;
  const smsTouches = summary?.touches?.sms ?? 0;
  const multi = summary?.multiSms ?? 0;
  const limit = summary?.multiSmsLimit ?? 0;
  const over = multi > limit;
  const stats = [
    stat('Customers', formatInt(customers), 'in the segment files'),
    stat('Reached', formatInt(reached), `${formatPercent(reached, customers)} get at least one touch`),
    stat('SMS touches', formatInt(smsTouches), 'planned messages'),
    stat('Email touches', formatInt(summary?.touches?.email ?? 0), 'planned messages'),
    stat(
      'SMS parts',
      formatInt(summary?.smsParts ?? 0),
      smsTouches > 0 ? `${Math.round(((summary?.smsParts ?? 0) / smsTouches) * 100) / 100} parts per SMS` : '',
    ),
    stat(
      'Multi-SMS customers',
      `${formatInt(multi)}`,
      `limit ${formatInt(limit)}<div class="bar-track"><span style="width:${px(Math.min(100, limit > 0 ? (multi / limit) * 100 : 0))}%"></span></div>`,
      over ? ' over' : '',
    ),
  ].join('');

  const warnings = [...(timeline.warnings ?? [])];
  if (unreadable.length) warnings.push(`sends with an unreadable time (not drawn): ${unreadable.join(', ')}`);
  const warningBox = warnings.length
    ? `<section class="warnings" role="alert"><h2>⚠ ${warnings.length} warning${warnings.length === 1 ? '' : 's'}</h2><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>`
    : '';

  const quietText = `${escapeHtml(timeline.quietHours?.start)}–${escapeHtml(timeline.quietHours?.end)}`;
  const legend = `<div class="legend"><span><span class="swatch email"></span>email send</span><span><span class="swatch sms"></span>SMS send</span><span><span class="swatch midnight"></span>midnight push</span><span><span class="swatch quiet"></span>quiet hours ${quietText} (only the midnight push may send)</span><span><span class="swatch planned"></span>planning time</span><span>→ email lead before the SMS</span></div>`;

  const body = [
    `<header><h1>${escapeHtml(title)}</h1><div class="meta">${meta}</div></header>`,
    `<div class="top">${pushBox}<div class="stats">${stats}</div></div>`,
    warningBox,
    `<section class="card"><h2>Campaign overview · 活动总览</h2>${legend}${renderOverview(timeline, waves, clock, midnight)}${renderGroups(timeline)}</section>`,
    `<section class="card"><h2>Each wave hour by hour · 波次细节</h2><div class="note">Bars are sends, one per customer group (G1, G2, …; G3·2 is the part of group 3 sent after quiet hours), drawn for the time they take at the configured rate. Hover a bar for details.</div>${renderPanels(timeline, waves, clock, midnight)}</section>`,
    `<section class="card"><h2>Waves · 波次</h2>${renderWaveTable(waves, clock)}</section>`,
    `<section class="card"><h2>Why touches were dropped · 未发送原因</h2>${renderReasons(timeline)}</section>`,
    `<footer>All times in ${escapeHtml(timeline.timezone)} (${fmtOffset(offset)}). Campaign ${escapeHtml(timeline.campaignId)}.</footer>`,
  ].join('\n');

  return htmlPage(title, CSS, body);
}
