/**
 * The timeline page's view model: a Timeline and a language in, plain data out. Every text is
 * already chosen from the dictionaries (timeline-texts.ts, domain/i18n.ts), every number and
 * coordinate formatted, every time read in the campaign's zone (clock.ts). No markup: the
 * render step (render.ts) puts these strings into an auto-escaping template, so a wave id, a
 * group label or a warning from the input can never become markup.
 *
 * The charts are laid out here too (x and y of every bar, label and band), because where a
 * label fits is a decision about the data, not about HTML.
 */

import { channelName, DEFAULT_LANG, groupName, type Lang, reasonText, warningTexts } from '../../domain/i18n.ts';
import { isValidTimeZone } from '../../domain/local-time.ts';
import { formatCount as formatInt } from '../../domain/text.ts';
import type { Channel, PlannedSend, Timeline, WaveSummary } from '../../domain/timeline.ts';
import { type PageChromeModel, pageChrome } from '../page-chrome.ts';
import { type SubGroupRow, subGroupRows } from '../sub-group-rows.ts';
import { TIMELINE_TEXTS } from '../timeline-texts.ts';
import {
  Clock,
  DAY,
  fmtHm,
  fmtHms,
  fmtMonthDay,
  fmtOffset,
  fmtSpan,
  formatDuration,
  formatHours,
  formatPercent,
  HOUR,
  type Instant,
  parseIso,
  px,
  quietBands,
  quietLengthMs,
} from './clock.ts';

// ---------------------------------------------------------------------------
// The model's shape: what the render step draws

export type Anchor = 'start' | 'middle' | 'end';
/** A bar's colour class: its channel, or the midnight push's own colour. */
export type BarKind = Channel | 'midnight';

export interface StatModel {
  name: string;
  value: string;
  note: string;
  /** The share of a limit used, as a CSS width (`42.5%`), for the small meter under the note. */
  meter?: string;
  over: boolean;
}

export interface HeaderModel {
  title: string;
  meta: Array<{ name: string; value: string; after: string } | { name: ''; value: string }>;
  push: { title: string; when: string; lines: string[] };
  stats: StatModel[];
  warningsTitle: string;
  warnings: string[];
}

export interface LegendModel {
  email: string;
  sms: string;
  midnight: string;
  quiet: string;
  planned: string;
  lead: string;
}

export interface GroupsModel {
  title: string;
  segments: Array<{ width: string; colour: string; title: string }>;
  legend: Array<{ code: string; colour: string; name: string; count: string; share: string }>;
  /** The dormant and churned groups' sub-groups, one row per split group; none for plans made before them. */
  subGroups: { title: string; rows: SubGroupRow[] } | undefined;
}

export interface OverviewRow {
  y: string;
  h: string;
  fill: string;
  separatorY: string;
  waveId: string;
  idLabel: string;
  midnight: boolean;
  labelY: string;
  sub?: { y: string; text: string };
  lanes: Array<{ y: string; channel: Channel; channelName: string; count: string }>;
  starts: Array<{ x: string; y: string; text: string }>;
  bars: Array<{ kind: BarKind; sendId: string; x: string; y: string; w: string; title: string }>;
}

export interface MarkerLabel {
  x: string;
  anchor: Anchor;
  text: string;
}

export interface OverviewModel {
  width: string;
  height: string;
  aria: string;
  plotTop: string;
  plotTopGrid: string;
  plotBottom: string;
  plotH: string;
  gutterX: string;
  laneH: string;
  quietBands: Array<{ night: string; x: string; w: string; title: string }>;
  days: Array<{
    x: string;
    monthStart: boolean;
    label?: { x: string; text: string; d11: boolean; weekday?: string };
  }>;
  rows: OverviewRow[];
  planned?: { x: string; label: MarkerLabel };
  leads: Array<{
    d: string;
    rect: { x: string; y: string; w: string };
    text: { x: string; y: string; value: string };
    title: string;
  }>;
  midnight?: { x: string; markerD: string; label: MarkerLabel };
}

export interface PanelModel {
  width: string;
  height: string;
  aria: string;
  plotTop: string;
  plotTopGrid: string;
  plotBottom: string;
  plotH: string;
  laneH: string;
  hourLabelY: string;
  segments: Array<{
    x: string;
    w: string;
    quietBands: Array<{ night: string; x: string; w: string; title: string }>;
    ticks: Array<{ x: string; dayStart: boolean; label?: { anchor: Anchor; text: string } }>;
    dates: Array<{ x: string; text: string }>;
  }>;
  breaks: Array<{ d: string; x: string; y: string; text: string; title: string }>;
  quietLabels: Array<{ x: string; y: string; text: string }>;
  lanes: Array<{
    x: string;
    y: string;
    subY: string;
    channel: Channel;
    channelName: string;
    count: string;
    sub: string;
  }>;
  bars: Array<{
    sendId: string;
    kind: BarKind;
    x: string;
    y: string;
    w: string;
    label?: { x: string; y: string; text: string; dark: boolean };
    title: string;
  }>;
  midnight?: { x: string; y1: string; y2: string; label: MarkerLabel & { y: string } };
}

export interface SendRowModel {
  sendId: string;
  group: string;
  kind: BarKind;
  channelName: string;
  when: string;
  notes: string;
  customers: string;
  duration: string;
  /** Absent for an email: drawn as a muted dash. */
  parts?: string;
}

export interface WavePanelModel {
  id: string;
  midnight: boolean;
  badges: { midnight?: string; stop?: string };
  facts: Array<{ kind?: BarKind; text: string }>;
  audience?: { title: string; groups: Array<{ code: string; name: string }> };
  /** The chart, or the words for a wave with no readable send. */
  chart: PanelModel | { empty: string };
  sends?: { summary: string; head: SendHead; rows: SendRowModel[] };
}

export interface SendHead {
  group: string;
  channel: string;
  when: string;
  customers: string;
  duration: string;
  parts: string;
}

/** A reason code and its words; `short` absent for a code the dictionary does not know. */
export interface ReasonLabel {
  code: string;
  short?: string;
}

export interface WaveRowModel {
  id: string;
  midnight: boolean;
  stop?: string;
  /** Empty when the wave sends no SMS (drawn as a dash). */
  sms: string;
  /** Empty when the wave sends no email (drawn as a muted dash). */
  email: string;
  audience: string;
  plannedSms: string;
  /** How many of the planned SMS are the wave's care text; absent when it has none. */
  careSms?: string;
  /** Absent when the wave has no email lane. */
  plannedEmail?: string;
  dropped: Array<{ reason: ReasonLabel; count: string }>;
}

export interface ReasonsModel {
  head: { reason: string; touches: string; meaning: string };
  /** Empty when nothing was dropped; then `none` is shown. */
  rows: Array<{ reason: ReasonLabel; count: string; meter: string; meaning?: string }>;
  none: string;
  noDescription: string;
  total: { label: string; count: string; note: string };
}

export interface TimelinePageModel {
  chrome: PageChromeModel;
  header: HeaderModel;
  overview: {
    title: string;
    legend: LegendModel;
    swipe: string;
    /** The chart, or the words for a plan with nothing to draw. */
    chart: OverviewModel | { empty: string };
    groups?: GroupsModel;
  };
  panels: { title: string; note: string; swipe: string; waves: WavePanelModel[] };
  waveTable: {
    title: string;
    head: {
      wave: string;
      sms: string;
      email: string;
      audience: string;
      plannedSms: string;
      plannedEmail: string;
      dropped: string;
    };
    none: string;
    rows: WaveRowModel[];
  };
  reasons: { title: string } & ReasonsModel;
  footer: string;
}

export interface TimelineModelOptions {
  /** Simplified Chinese unless told otherwise. */
  lang?: Lang;
  /** The address of the same page in the other language, for the switch (`timeline.en.html`). */
  otherHref?: string;
}

// ---------------------------------------------------------------------------
// Sends and waves, with their instants read

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

function firstOf(wave: WaveView, channel: Channel): Instant | null {
  const list = wave.sends.filter((v) => v.send.channel === channel);
  if (list.length === 0) return null;
  return list.reduce((a, b) => (b.start.ms < a.start.ms ? b : a)).start;
}

function rateOf(timeline: Timeline, channel: Channel): number {
  return channel === 'sms' ? timeline.smsRatePerSecond : timeline.emailRatePerSecond;
}

const name = (channel: Channel, lang: Lang): string => channelName(channel, lang);
const barKind = (send: PlannedSend): BarKind => (send.midnight ? 'midnight' : send.channel);

/** What a send is, in words: the tooltip of its bar and, for touch screens, its row in the send details. */
function sendTitle(v: SendView, clock: Clock): string {
  const tx = TIMELINE_TEXTS[clock.lang];
  const s = v.send;
  const a = clock.wall(v.start.ms);
  const b = clock.wall(v.end);
  const lines = [
    `${s.id}`,
    `${name(s.channel, clock.lang)} · ${tx.sendTitleWave(s.waveId, s.group)}${s.slice > 1 ? `, ${tx.sliceNote(s.slice)}` : ''}`,
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

function overviewModel(
  timeline: Timeline,
  waves: WaveView[],
  clock: Clock,
  midnight: Instant | null,
): OverviewModel | { empty: string } {
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
  if (times.length === 0) return { empty: tx.nothingToDraw };
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
  const layout: { wave: WaveView; y: number; h: number }[] = [];
  let y = plotTop;
  for (const w of waves) {
    // At least two lanes' height: the gutter shows the wave id and its audience on two lines.
    const lanes = Math.max(2, w.channels.length);
    const h = rowPad * 2 + lanes * laneH + (lanes - 1) * laneGap;
    layout.push({ wave: w, y, h });
    y += h;
  }
  const plotBottom = y;
  const height = plotBottom + 8;
  const laneY = (row: { y: number }, wave: WaveView, channel: Channel): number =>
    row.y + rowPad + wave.channels.indexOf(channel) * (laneH + laneGap);
  const quietSpan = `${timeline.quietHours?.start}–${timeline.quietHours?.end}`;

  const quiet = quietBands(timeline, clock, from, to).map((b) => ({
    night: b.night,
    x: px(xOf(b.start)),
    w: px(xOf(b.end) - xOf(b.start)),
    title: tx.quietTitle(quietSpan, b.night),
  }));

  const every = Math.max(1, Math.ceil(40 / pxPerDay));
  const showWeekday = pxPerDay * every >= 34;
  const midnightDay = midnight ? clock.dayStart(midnight.ms) : Number.NaN;
  const dayModels: OverviewModel['days'] = [];
  for (let i = 0; i <= days; i++) {
    const t = clock.addDays(from, i);
    const x = xOf(t);
    const w = clock.wall(t);
    const day: OverviewModel['days'][number] = { x: px(x), monthStart: w.day === 1 };
    if (i < days && i % every === 0) {
      const cx = (x + xOf(clock.addDays(from, i + every))) / 2;
      day.label = {
        x: px(cx),
        text: fmtMonthDay(w),
        d11: t === midnightDay,
        ...(showWeekday ? { weekday: clock.weekday(t) } : {}),
      };
    }
    dayModels.push(day);
  }

  const rows: OverviewRow[] = layout.map((row, i) => {
    const w = row.wave;
    const ly = row.y + rowPad + laneH / 2 + 4;
    const starts: OverviewRow['starts'] = [];
    for (const ch of w.channels) {
      const firstSend = firstOf(w, ch);
      if (!firstSend || w.sends.some((v) => v.send.channel === ch && v.send.midnight)) continue;
      starts.push({
        x: px(xOf(firstSend.ms) - 4),
        y: px(laneY(row, w, ch) + laneH / 2 + 4),
        text: fmtHm(clock.wall(firstSend.ms)),
      });
    }
    const bars: OverviewRow['bars'] = [];
    for (const v of w.sends) {
      const ch = v.send.channel;
      if (!w.channels.includes(ch)) continue;
      const x0 = xOf(v.start.ms);
      bars.push({
        kind: barKind(v.send),
        sendId: v.send.id,
        x: px(x0),
        y: px(laneY(row, w, ch)),
        w: px(Math.max(3, xOf(v.end) - x0)),
        title: sendTitle(v, clock),
      });
    }
    return {
      y: px(row.y),
      h: px(row.h),
      fill: i % 2 === 0 ? '#ffffff' : '#f8fafc',
      separatorY: px(row.y + row.h),
      waveId: w.id,
      idLabel: truncate(w.id, 13),
      midnight: w.isMidnight,
      labelY: px(ly),
      ...(w.summary
        ? { sub: { y: px(ly + laneH + laneGap), text: tx.audience(formatInt(w.summary.audience_size)) } }
        : {}),
      lanes: w.channels.map((ch) => ({
        y: px(laneY(row, w, ch) + laneH / 2 + 4),
        channel: ch,
        channelName: name(ch, clock.lang),
        count: formatInt(channelTotal(w, ch)),
      })),
      starts,
      bars,
    };
  });

  let plannedModel: OverviewModel['planned'];
  if (planned && planned.ms >= from && planned.ms <= to) {
    const x = xOf(planned.ms);
    const label = tx.plannedMarker(clock.full(planned.ms));
    const anchorEnd = x + textWidth(label, 12) + 6 > SVG_W;
    plannedModel = {
      x: px(x),
      label: { x: px(anchorEnd ? x - 4 : x + 4), anchor: anchorEnd ? 'end' : 'start', text: label },
    };
  }

  // Lead connectors (email start -> SMS start).
  const leads: OverviewModel['leads'] = [];
  for (const row of layout) {
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
    const label = formatHours(sms.ms - email.ms, clock.lang);
    const lw = textWidth(label, 12) + 10;
    const mid = (emailEnd + xs) / 2;
    const lx = xs - emailEnd > lw + 8 ? mid : xs + 4 + lw / 2;
    leads.push({
      d: `M${px(emailEnd)},${px(ey)} H${px(xs)} V${px(sy - 1)}`,
      rect: { x: px(lx - lw / 2), y: px(ey - 8), w: px(lw) },
      text: { x: px(lx), y: px(ey + 4), value: label },
      title: tx.leadTitle(label),
    });
  }

  let midnightModel: OverviewModel['midnight'];
  if (midnight && midnight.ms >= from && midnight.ms <= to) {
    const x = xOf(midnight.ms);
    const anchorEnd = x + textWidth(tx.midnightLabel, 12) + 10 > SVG_W;
    midnightModel = {
      x: px(x),
      markerD: `M${px(x - 6)},16 L${px(x + 6)},16 L${px(x)},24 z`,
      label: { x: px(anchorEnd ? x - 10 : x + 10), anchor: anchorEnd ? 'end' : 'start', text: tx.midnightLabel },
    };
  }

  return {
    width: String(SVG_W),
    height: px(height),
    aria: tx.overviewAria,
    plotTop: String(plotTop),
    plotTopGrid: String(plotTop - 4),
    plotBottom: px(plotBottom),
    plotH: px(plotBottom - plotTop),
    gutterX: String(gutter - 10),
    laneH: String(laneH),
    quietBands: quiet,
    days: dayModels,
    rows,
    ...(plannedModel ? { planned: plannedModel } : {}),
    leads,
    ...(midnightModel ? { midnight: midnightModel } : {}),
  };
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

function panelModel(
  timeline: Timeline,
  wave: WaveView,
  clock: Clock,
  midnight: Instant | null,
): PanelModel | { empty: string } {
  const tx = TIMELINE_TEXTS[clock.lang];
  const ranges = waveSegments(timeline, wave, clock);
  if (ranges.length === 0) return { empty: tx.noReadableSend };
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
  const quietSpan = `${timeline.quietHours?.start}–${timeline.quietHours?.end}`;

  const segmentModels: PanelModel['segments'] = segments.map((s) => {
    const quiet = quietBands(timeline, clock, s.from, s.to).map((b) => ({
      night: b.night,
      x: px(xIn(s, b.start)),
      w: px(xIn(s, b.end) - xIn(s, b.start)),
      title: tx.quietTitle(quietSpan),
    }));
    // Hour ticks, their labels only where they do not overlap the previous one, and date labels.
    const pxPerHour = s.w / ((s.to - s.from) / HOUR);
    const step = [1, 2, 3, 4, 6, 12, 24].find((h) => h * pxPerHour >= 46) ?? 24;
    const dateLabels: { x: number; text: string; strong: boolean }[] = [];
    const ticks: PanelModel['segments'][number]['ticks'] = [];
    let lastRight = Number.NEGATIVE_INFINITY;
    for (let t = s.from; t <= s.to; t += HOUR) {
      const w = clock.wall(t);
      const x = xIn(s, t);
      const isDayStart = w.hour === 0 && w.minute === 0;
      if (isDayStart && t > s.from) dateLabels.push({ x, text: clock.day(t), strong: true });
      if (w.hour % step !== 0 && !isDayStart) continue;
      const tick: PanelModel['segments'][number]['ticks'][number] = { x: px(x), dayStart: isDayStart };
      ticks.push(tick);
      const label = fmtHm(w);
      const lw = textWidth(label, 12);
      const anchor: Anchor = t === s.from ? 'start' : t === s.to ? 'end' : 'middle';
      const left = anchor === 'start' ? x : anchor === 'end' ? x - lw : x - lw / 2;
      if (left < lastRight + 1) continue;
      lastRight = left + lw;
      tick.label = { anchor, text: label };
    }
    const startLabel = clock.day(s.from);
    const firstDate = dateLabels[0];
    if (!firstDate || firstDate.x - s.x > textWidth(startLabel, 12) + 12)
      dateLabels.unshift({ x: s.x, text: startLabel, strong: false });
    return {
      x: px(s.x),
      w: px(s.w),
      quietBands: quiet,
      ticks,
      dates: dateLabels.map((d) => ({ x: px(d.x + (d.strong ? 3 : 0)), text: d.text })),
    };
  });

  const breaks: PanelModel['breaks'] = [];
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    const next = segments[i];
    if (!prev || !next) continue;
    const cx = prev.x + prev.w + breakW / 2;
    const skipped = next.from - prev.to;
    breaks.push({
      d: `M${px(cx - 7)},${px(plotTop + 6)} l6,-12 M${px(cx + 1)},${px(plotTop + 6)} l6,-12`,
      x: px(cx),
      y: px(plotTop + 8 + lanesH / 2 + 4),
      text: skipped >= 2 * DAY ? tx.days(Math.round(skipped / DAY)) : tx.hours(Math.round(skipped / HOUR)),
      title: tx.skipped(formatHours(skipped, clock.lang)),
    });
  }

  // Name wide quiet bands, in a lane where no bar is in the way.
  const quietLabels: PanelModel['quietLabels'] = [];
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
      quietLabels.push({ x: px(cx), y: px(laneY(free) + laneH / 2 + 4), text: label });
    }
  }

  const lanes: PanelModel['lanes'] = wave.channels.map((ch) => {
    const y0 = laneY(ch);
    const n = groupCount(wave, ch);
    return {
      x: String(gutter - 12),
      y: px(y0 + 10),
      subY: px(y0 + 22),
      channel: ch,
      channelName: name(ch, clock.lang),
      count: formatInt(channelTotal(wave, ch)),
      sub: n === 0 ? tx.nothingPlanned : tx.groupsAtRate(n, formatInt(rateOf(timeline, ch))),
    };
  });

  const bars: PanelModel['bars'] = [];
  for (const v of wave.sends) {
    const ch = v.send.channel;
    const s = segOf(v.start.ms);
    if (!s || !wave.channels.includes(ch)) continue;
    const x0 = xIn(s, v.start.ms);
    const x1 = xIn(s, Math.min(v.end, s.to));
    const width = Math.max(4, x1 - x0);
    const y0 = laneY(ch);
    const g = tx.groupLabel(v.send.group, v.send.slice);
    const count = formatInt(v.send.customers);
    const full = `${g} · ${count}`;
    let label = '';
    if (width >= textWidth(full, 12) + 8) label = full;
    else if (width >= textWidth(count, 12) + 6) label = count;
    else if (width >= textWidth(g, 12) + 4) label = g;
    bars.push({
      sendId: v.send.id,
      kind: barKind(v.send),
      x: px(x0),
      y: px(y0),
      w: px(width),
      ...(label
        ? {
            label: {
              x: px(x0 + width / 2),
              y: px(y0 + laneH / 2 + 4),
              text: label,
              dark: ch === 'sms' && !v.send.midnight,
            },
          }
        : {}),
      title: sendTitle(v, clock),
    });
  }

  let midnightModel: PanelModel['midnight'];
  const midnightSegment = midnight && showMidnight ? segOf(midnight.ms) : undefined;
  if (midnight && midnightSegment) {
    const x = xIn(midnightSegment, midnight.ms);
    const anchorEnd = x + textWidth(tx.midnightLabel, 12) + 8 > SVG_W;
    midnightModel = {
      x: px(x),
      y1: String(plotTop - 2),
      y2: px(plotBottom + 4),
      label: {
        x: px(anchorEnd ? x - 6 : x + 6),
        y: px(plotBottom + 16),
        anchor: anchorEnd ? 'end' : 'start',
        text: tx.midnightLabel,
      },
    };
  }

  return {
    width: String(SVG_W),
    height: px(height),
    aria: tx.panelAria(wave.id),
    plotTop: String(plotTop),
    plotTopGrid: String(plotTop - 4),
    plotBottom: px(plotBottom),
    plotH: px(plotBottom - plotTop),
    laneH: String(laneH),
    hourLabelY: String(plotTop - 8),
    segments: segmentModels,
    breaks,
    quietLabels,
    lanes,
    bars,
    ...(midnightModel ? { midnight: midnightModel } : {}),
  };
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
function wavePanelModel(timeline: Timeline, w: WaveView, clock: Clock, midnight: Instant | null): WavePanelModel {
  const tx = TIMELINE_TEXTS[clock.lang];
  const facts: WavePanelModel['facts'] = [];
  for (const ch of w.channels) {
    const span = channelSpan(w, ch, clock);
    if (span)
      facts.push({ kind: w.isMidnight && ch === 'sms' ? 'midnight' : ch, text: `${name(ch, clock.lang)} ${span}` });
  }
  const email = parseIso(w.summary?.emailAt, clock.fallbackOffset);
  const sms = parseIso(w.summary?.smsAt, clock.fallbackOffset);
  if (email && sms && sms.ms > email.ms)
    facts.push({ text: tx.emailBeforeSms(formatHours(sms.ms - email.ms, clock.lang)) });
  const summary = w.summary;
  return {
    id: w.id,
    midnight: w.isMidnight,
    badges: {
      ...(w.isMidnight ? { midnight: tx.midnightBadge } : {}),
      ...(summary?.stopOnPurchase ? { stop: tx.stopsOnPurchase } : {}),
    },
    facts,
    ...(summary
      ? {
          audience: {
            title: tx.audience(formatInt(summary.audience_size)),
            groups: summary.audience.map((code) => ({
              code,
              name: groupName(code, clock.lang, timeline.groupLabels),
            })),
          },
        }
      : {}),
    chart: panelModel(timeline, w, clock, midnight),
    ...(w.sends.length ? { sends: sendDetails(w, clock) } : {}),
  };
}

/** The bars' tooltips as a list: a touch screen cannot hover, so every value is also text behind a tap. */
function sendDetails(wave: WaveView, clock: Clock): NonNullable<WavePanelModel['sends']> {
  const tx = TIMELINE_TEXTS[clock.lang];
  const rows = [...wave.sends]
    .sort((a, b) => a.start.ms - b.start.ms || (a.send.id < b.send.id ? -1 : 1))
    .map((v): SendRowModel => {
      const s = v.send;
      const notes = [
        s.slice > 1 ? tx.sliceNote(s.slice) : '',
        s.midnight ? tx.midnightNote : '',
        s.stopOnPurchase ? tx.stopNote : '',
      ]
        .filter(Boolean)
        .join('；');
      return {
        sendId: s.id,
        group: tx.groupLabel(s.group, s.slice),
        kind: barKind(s),
        channelName: name(s.channel, clock.lang),
        when: `${clock.day(v.start.ms)} ${fmtHms(clock.wall(v.start.ms))} → ${fmtHms(clock.wall(v.end))}`,
        notes,
        customers: formatInt(s.customers),
        duration: formatDuration(s.estimatedSeconds, clock.lang),
        ...(typeof s.smsParts === 'number' ? { parts: formatInt(s.smsParts) } : {}),
      };
    });
  return { summary: tx.sendDetails(wave.sends.length), head: tx.sendHead, rows };
}

// ---------------------------------------------------------------------------
// Tables

/** A dropped touch's reason: the caps in this plan's own numbers, the others from the dictionary. */
function explain(code: string, timeline: Timeline, lang: Lang): string | undefined {
  const tx = TIMELINE_TEXTS[lang];
  if (code === 'cap:touches') return tx.capTouches(timeline.caps.touches);
  if (code === 'cap:sms-month') return tx.capSmsMonth(timeline.caps.smsPerMonth);
  if (code === 'cap:multi-sms')
    return tx.capMultiSms(
      Math.round(timeline.caps.multiSmsShare * 100),
      formatInt(timeline.summary?.multiSmsLimit ?? 0),
    );
  return reasonText(code, lang)?.long;
}

/** A reason code with its few words, the code itself kept small for whoever asks support. */
function reasonLabel(code: string, lang: Lang): ReasonLabel {
  const text = reasonText(code, lang);
  return text ? { code, short: text.short } : { code };
}

function sortedDropped(dropped: Record<string, number> | undefined): [string, number][] {
  return Object.entries(dropped ?? {})
    .filter(([, n]) => typeof n === 'number')
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function waveRows(waves: WaveView[], clock: Clock): WaveRowModel[] {
  const tx = TIMELINE_TEXTS[clock.lang];
  return waves.map((w) => {
    const s = w.summary;
    const hasEmail = w.channels.includes('email');
    return {
      id: w.id,
      midnight: w.isMidnight,
      ...(s?.stopOnPurchase ? { stop: tx.stopsOnPurchase } : {}),
      sms: channelSpan(w, 'sms', clock),
      email: hasEmail ? channelSpan(w, 'email', clock) : '',
      audience: s ? formatInt(s.audience_size) : '—',
      plannedSms: formatInt(channelTotal(w, 'sms')),
      ...(s?.care && s.care.sms > 0 ? { careSms: tx.careSms(formatInt(s.care.sms)) } : {}),
      ...(hasEmail ? { plannedEmail: formatInt(channelTotal(w, 'email')) } : {}),
      dropped: sortedDropped(s?.dropped).map(([code, n]) => ({
        reason: reasonLabel(code, clock.lang),
        count: formatInt(n),
      })),
    };
  });
}

function reasonsModel(timeline: Timeline, lang: Lang): ReasonsModel {
  const tx = TIMELINE_TEXTS[lang];
  const entries = sortedDropped(timeline.dropped);
  const max = Math.max(...entries.map(([, n]) => n), 1);
  const meaning = (code: string): { meaning?: string } => {
    const text = explain(code, timeline, lang);
    return text === undefined ? {} : { meaning: text };
  };
  return {
    head: tx.reasonHead,
    rows: entries.map(([code, n]) => ({
      reason: reasonLabel(code, lang),
      count: formatInt(n),
      meter: `${px((n / max) * 100)}%`,
      ...meaning(code),
    })),
    none: tx.noDropped,
    noDescription: tx.noDescription,
    total: { label: tx.total, count: formatInt(sum(entries.map(([, n]) => n))), note: tx.totalNote },
  };
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

function groupsModel(timeline: Timeline, lang: Lang): GroupsModel | undefined {
  const entries = Object.entries(timeline.summary?.groups ?? {}).filter(([, n]) => typeof n === 'number' && n > 0);
  if (entries.length === 0) return undefined;
  const total = sum(entries.map(([, n]) => n));
  const colour = (i: number): string => GROUP_COLOURS[i % GROUP_COLOURS.length] ?? '#64748b';
  return {
    title: TIMELINE_TEXTS[lang].groupsTitle,
    segments: entries.map(([g, n], i) => ({
      width: `${px((n / total) * 100)}%`,
      colour: colour(i),
      title: `${groupName(g, lang, timeline.groupLabels)}: ${formatInt(n)} (${formatPercent(n, total)})`,
    })),
    // The numbers are written out beside each name: the bar's tooltips are for a mouse only.
    legend: entries.map(([g, n], i) => ({
      code: g,
      colour: colour(i),
      name: groupName(g, lang, timeline.groupLabels),
      count: formatInt(n),
      share: formatPercent(n, total),
    })),
    subGroups: subGroupsModel(timeline, lang),
  };
}

/** Who among the weak groups is worth more: the dormant and churned groups' sub-groups. */
function subGroupsModel(timeline: Timeline, lang: Lang): GroupsModel['subGroups'] {
  const rows = subGroupRows(timeline.summary, lang, timeline.groupLabels);
  return rows.length === 0 ? undefined : { title: TIMELINE_TEXTS[lang].subGroupsTitle, rows };
}

// ---------------------------------------------------------------------------
// Header: headline numbers, the midnight push, warnings

function headerModel(
  timeline: Timeline,
  views: SendView[],
  waves: WaveView[],
  clock: Clock,
  unreadable: string[],
): { header: HeaderModel; footer: string } {
  const lang = clock.lang;
  const tx = TIMELINE_TEXTS[lang];
  const summary = timeline.summary;
  const planned = parseIso(timeline.plannedAt, clock.fallbackOffset);
  const midnight = parseIso(timeline.midnight, clock.fallbackOffset);
  const refMs = midnight?.ms ?? planned?.ms ?? 0;
  const sendsIn = timeline.sends ?? [];
  const offsetText = fmtOffset(clock.offsetAt(refMs));

  const meta: HeaderModel['meta'] = [
    { name: tx.timeZone, value: String(timeline.timezone), after: `(${offsetText})` },
    { name: tx.plannedAt, value: planned ? clock.full(planned.ms) : String(timeline.plannedAt), after: '' },
    { name: tx.quietHours, value: `${timeline.quietHours?.start}–${timeline.quietHours?.end}`, after: '' },
    {
      name: tx.rates,
      value: tx.ratesValue(formatInt(timeline.smsRatePerSecond), formatInt(timeline.emailRatePerSecond)),
      after: '',
    },
    { name: '', value: tx.sendsInWaves(sendsIn.length, waves.length) },
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
  const stats: StatModel[] = [
    { name: tx.stats.customers[0], value: formatInt(customers), note: tx.stats.customers[1], over: false },
    { name: reachedK, value: formatInt(reached), note: reachedS, over: false },
    { name: tx.stats.smsTouches[0], value: formatInt(smsTouches), note: tx.stats.smsTouches[1], over: false },
    {
      name: tx.stats.emailTouches[0],
      value: formatInt(summary?.touches?.email ?? 0),
      note: tx.stats.emailTouches[1],
      over: false,
    },
    {
      name: tx.stats.smsParts,
      value: formatInt(summary?.smsParts ?? 0),
      note:
        smsTouches > 0
          ? tx.stats.partsPerSms(String(Math.round(((summary?.smsParts ?? 0) / smsTouches) * 100) / 100))
          : '',
      over: false,
    },
    {
      name: tx.stats.multiSms,
      value: formatInt(multi),
      note: tx.stats.limit(formatInt(limit)),
      meter: `${px(Math.min(100, limit > 0 ? (multi / limit) * 100 : 0))}%`,
      over: multi > limit,
    },
  ];

  const warnings = warningTexts(timeline, lang);
  if (unreadable.length) warnings.push(tx.unreadableSends(unreadable.join(', ')));
  return {
    header: {
      title: tx.title(timeline.campaignId),
      meta,
      push,
      stats,
      warningsTitle: tx.warnings(warnings.length),
      warnings,
    },
    footer: tx.footer(String(timeline.timezone), offsetText, timeline.campaignId),
  };
}

// ---------------------------------------------------------------------------
// The whole page

export function timelinePageModel(timeline: Timeline, options: TimelineModelOptions = {}): TimelinePageModel {
  const lang = options.lang ?? DEFAULT_LANG;
  const tx = TIMELINE_TEXTS[lang];
  const sendsIn = timeline.sends ?? [];
  // A zone the runtime does not know falls back to the offset written in the plan's own times.
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
  const { header, footer } = headerModel(timeline, views, waves, clock, unreadable);
  const groups = groupsModel(timeline, lang);

  return {
    chrome: pageChrome(
      header.title,
      lang,
      options.otherHref ? { href: options.otherHref, label: tx.switchTo } : undefined,
    ),
    header,
    overview: {
      title: tx.overview,
      legend: {
        email: tx.legend.email,
        sms: tx.legend.sms,
        midnight: tx.legend.midnight,
        quiet: tx.legend.quiet(`${timeline.quietHours?.start}–${timeline.quietHours?.end}`),
        planned: tx.legend.planned,
        lead: tx.legend.lead,
      },
      swipe: tx.swipe,
      chart: overviewModel(timeline, waves, clock, midnight),
      ...(groups ? { groups } : {}),
    },
    panels: {
      title: tx.wavesHourByHour,
      note: tx.panelsNote,
      swipe: tx.swipe,
      waves: waves.map((w) => wavePanelModel(timeline, w, clock, midnight)),
    },
    waveTable: { title: tx.waves, head: tx.waveHead, none: tx.none, rows: waveRows(waves, clock) },
    reasons: { title: tx.dropped, ...reasonsModel(timeline, lang) },
    footer,
  };
}
