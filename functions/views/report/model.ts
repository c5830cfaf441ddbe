/**
 * report.html as pure data: the CampaignReport and a language in, everything the page shows
 * out, every word chosen from the dictionaries (report-texts.ts, domain/i18n.ts), every number
 * and amount formatted, every date read in the report's zone (domain/local-time.ts), and the
 * charts laid out in SVG coordinates. No markup here but the dictionary's few rich phrases
 * (already escaped pieces); page.ts renders it with the auto-escaping template.
 */
import {
  ACTION_NAMES,
  channelName,
  formatDateTime,
  groupName,
  HTML_LANG,
  type Lang,
  nameOf,
  OUTCOME_NAMES,
  reasonText,
  STATE_NAMES,
  UNKNOWN_LIFT,
} from '../../domain/i18n.ts';
import { type Estimate, MIN_GROUP_CONTROL, type WaveIncrement } from '../../domain/incremental.ts';
import { formatInstant, isValidTimeZone, offsetMinutesAt } from '../../domain/local-time.ts';
import type {
  CampaignReport,
  GroupResult,
  ReportRow,
  UnknownTouch,
  WaveGroupResults,
} from '../../domain/report-types.ts';
import { auditReason } from '../audit-reason.ts';
import type { SafeHtml } from '../html.ts';
import { REPORT_TEXTS, type ReportTexts, type RoiModeName } from '../report-texts.ts';
import {
  finite,
  formatCny,
  formatInt,
  formatRoi,
  formatShare,
  intervalBounds,
  intervalSign,
  n0,
  px,
  roiMode,
  roundedCny,
  type Sign,
  signedCount,
  signedPoints,
  signedRoundedCny,
  sortedEntries,
  sumRecord,
  textWidth,
  trimDecimal,
  truncate,
} from './format.ts';

// ---------------------------------------------------------------------------
// The model

export interface ReportModel {
  lang: Lang;
  htmlLang: string;
  title: string;
  /** The other language's page, for the switch; absent when the caller gave no address. */
  other?: { href: string; label: string; htmlLang: string };
  meta: MetaModel;
  hero: HeroModel;
  outcomeStats: StatModel[];
  moneyStats: StatModel[];
  running?: SafeHtml;
  incremental?: IncrementalModel;
  outcomes: OutcomesCardModel;
  revenue?: RevenueCardModel;
  table: TableModel;
  tiers?: TiersModel;
  triggers?: TriggersModel;
  groups?: GroupsModel;
  unknown: UnknownModel;
  reasons: ReasonsModel;
  audit?: AuditModel;
  footer: string;
}

export interface MetaModel {
  asOfLabel: string;
  /** The time in the report's zone, and its UTC offset when the string could be read. */
  asOf: { text: string; offset?: string };
  timeZoneLabel: string;
  timeZone: string;
  wavesRows: string;
  money?: string;
}

export type HeroModel =
  | { kind: 'delivery'; title: string; value: string; note: string }
  | { kind: 'unknown'; title: string; value: string; note: string }
  | {
      kind: 'incremental';
      sign: Sign;
      title: string;
      value: string;
      revenueInterval: IntervalModel;
      ordersLabel: string;
      orders: string;
      ordersInterval: IntervalModel;
      verdict: string;
      againstControls: string;
      waves: string;
      notCounted?: string;
    };

/** A 95% interval as the dictionary words it, or why there is none. */
export type IntervalModel = { kind: 'interval'; text: SafeHtml } | { kind: 'none'; text: string };

export interface StatModel {
  cls: string;
  key: string;
  value: string;
  sub?: string;
  /** The sub-line as a link to a section of the page. */
  subHref?: string;
}

export interface IncrementalModel {
  title: string;
  heads: { wave: string; cells: string[] };
  rows: IncrementRowModel[];
  note: string;
}

export type IncrementRowModel =
  | { kind: 'unknown'; waveId: string; why: string }
  | {
      kind: 'known';
      waveId: string;
      treated: { customers: string; sub: string };
      control: { customers: string; sub: string };
      lift: EstimateCell;
      orders: EstimateCell;
      revenue: EstimateCell;
      inWindow: { value: string; sub: string };
    };

export interface EstimateCell {
  sign: Sign;
  value: string;
  interval: IntervalModel;
}

export interface LegendItem {
  swatch: string;
  text: string;
}

export interface OutcomesCardModel {
  title: string;
  legend: LegendItem[];
  note: string;
  swipe: string;
  chart?: OutcomeChartModel;
  empty?: string;
}

export interface WaveBand {
  y: string;
  height: string;
  fill: string;
  /** The wave id, cut to fit, with the whole id as its tooltip. */
  id: { x: string; y: string; text: string; title: string };
}

export interface OutcomeChartModel {
  width: number;
  height: string;
  aria: string;
  ticks: { x: string; y1: string; y2: string; labelY: string; anchor: string; text: string }[];
  axisLeft: { x: string; y: string; text: string };
  axisRight: { x: string; y: string; text: string };
  waves: (WaveBand & { sub: { y: string; text: string }; bars: OutcomeBarModel[] })[];
}

export interface ChannelLabel {
  x: string;
  y: string;
  cls: string;
  name: string;
}

export interface OutcomeBarModel {
  label: ChannelLabel & { planned: string };
  stripe: { x: string; y: string; height: number; cls: string };
  empty?: { x: string; y: string; width: number; height: number; textX: string; textY: string; text: string };
  segments: {
    outcome: string;
    x: string;
    y: string;
    width: string;
    height: number;
    title: string;
    label?: { x: string; y: string; text: string; dark: boolean; onHatch: boolean };
  }[];
  frame?: { x: number; y: string; width: number; height: number };
  rate: { x: number; y: string; value?: string; word: string };
  notes?: { x: number; y: string; items: { outcome: string; text: string }[] };
}

export interface RevenueCardModel {
  title: string;
  legend: string[];
  swipe: string;
  chart: RevenueChartModel;
  note: string;
}

export interface RevenueChartModel {
  width: number;
  height: string;
  aria: string;
  waves: (WaveBand & {
    bars: {
      label: ChannelLabel;
      bar?: { x: number; y: string; width: string; height: number; cls: string; title: string };
      facts: { x: string; y: string; items: { text: string; money: boolean }[]; none?: string };
      roi?: { x: number; y: string; negative: boolean; perYuan?: string; text?: string };
    }[];
  })[];
}

export type ReasonKind = 'failed' | 'suppressed' | 'expired' | 'cancelled';

export type CellModel =
  | { kind: 'num'; text: string; cls?: string; sub?: string; href?: string; zero?: boolean }
  | { kind: 'blank'; cls?: string }
  | {
      kind: 'reasons';
      outcome: ReasonKind;
      total?: string;
      items: { code: string; count: string; why?: string }[];
    };

export interface TableModel {
  title: string;
  swipe: string;
  heads: { text: string; cls?: string; title?: string }[];
  waves: { id: string; rows: { channelCls: string; channel: string; cells: CellModel[] }[] }[];
  foot: { label: string; cells: CellModel[] };
  note: string;
}

export interface TiersModel {
  title: string;
  heads: { text: string; num: boolean }[];
  rows: { tier: string; noTier: boolean; cells: string[] }[];
  note: string;
}

export interface TriggersModel {
  title: string;
  swipe: string;
  heads: { text: string; num: boolean }[];
  rows: { name: string; rule: string; cells: CellModel[] }[];
  note: string;
}

export interface GroupsModel {
  title: string;
  note: string;
  swipe: string;
  heads: { text: string; num: boolean }[];
  waves: {
    waveId: string;
    title: string;
    sections: { caption: string; rows: GroupRowModel[] }[];
  }[];
}

export interface GroupRowModel {
  /** The name shown (the marketer's own, or the dictionary's) and the code beside it when they differ. */
  name: string;
  code?: string;
  cells: string[];
  delivered?: string;
  lift:
    | { kind: 'none'; text: string }
    | { kind: 'unknown'; text: string }
    | { kind: 'known'; points: EstimateCell; orders: EstimateCell };
}

export interface UnknownModel {
  title: string;
  count: string;
  alert: boolean;
  explain?: SafeHtml;
  message?: { ok: boolean; text: string };
  heads?: string[];
  rows?: { index: string; customerId: string; waveId: string; channelCls: string; channel: string; sendId: string }[];
  more?: SafeHtml;
}

export interface ReasonsModel {
  title: string;
  nothing?: string;
  heads: { reason: string; outcome: string; touches: string; meaning: string };
  rows: {
    kind: ReasonKind;
    code: string;
    name?: string;
    outcome: string;
    touches: string;
    meaning?: string;
    undescribed?: string;
  }[];
}

export interface AuditModel {
  title: string;
  state?: string;
  heads: { when: string; who: string; what: string; state: string; details: string };
  rows: { when: string; who: string; what: string; change: string; details: string }[];
  more?: SafeHtml;
}

// ---------------------------------------------------------------------------
// Building it

export interface ReportModelOptions {
  lang: Lang;
  /** The address of the same report in the other language. */
  otherHref?: string;
}

const CHANNEL_ORDER: Record<string, number> = { email: 0, sms: 1 };
/** A CSS class for the channel: only the two known channels get their colour. */
const channelClass = (ch: unknown): string => (ch === 'email' || ch === 'sms' ? ch : 'other');

interface WaveRows {
  id: string;
  rows: ReportRow[];
}

/** Rows grouped by wave in order of first appearance; within a wave email before SMS (the email goes first). */
function groupWaves(rows: ReportRow[]): WaveRows[] {
  const waves: WaveRows[] = [];
  const byId = new Map<string, WaveRows>();
  for (const row of rows) {
    const id = String(row.waveId);
    let wave = byId.get(id);
    if (!wave) {
      wave = { id, rows: [] };
      byId.set(id, wave);
      waves.push(wave);
    }
    wave.rows.push(row);
  }
  for (const w of waves) {
    w.rows = w.rows
      .map((row, i) => ({ row, i }))
      .sort((a, b) => (CHANNEL_ORDER[a.row.channel] ?? 2) - (CHANNEL_ORDER[b.row.channel] ?? 2) || a.i - b.i)
      .map((x) => x.row);
  }
  return waves;
}

type Outcome = 'sent' | 'failed' | 'suppressed' | 'unknown' | 'expired' | 'cancelled' | 'pending';
const OUTCOMES: Outcome[] = ['sent', 'failed', 'suppressed', 'unknown', 'expired', 'cancelled', 'pending'];
type Outcomes = Record<Outcome | 'planned', number>;

function outcomes(r: Partial<Omit<ReportRow, 'waveId' | 'channel'>>): Outcomes {
  return {
    planned: n0(r.planned),
    sent: n0(r.sent),
    failed: sumRecord(r.failed),
    suppressed: sumRecord(r.suppressed),
    unknown: n0(r.unknown),
    expired: n0(r.expired),
    cancelled: n0(r.cancelled),
    pending: n0(r.pending),
  };
}

/** Sent ÷ what was handed to the provider or claimed for it (sent + failed + unknown). */
const attempted = (o: Outcomes): number => o.sent + o.failed + o.unknown;

const hasMoney = (r: Partial<ReportRow> | undefined): boolean =>
  finite(r?.orders) !== null || finite(r?.revenue) !== null || finite(r?.cost) !== null || finite(r?.roi) !== null;

function intervalOf(
  estimate: Estimate | null | undefined,
  format: (n: number) => string,
  tx: ReportTexts,
): IntervalModel {
  const bounds = intervalBounds(estimate, format);
  return bounds
    ? { kind: 'interval', text: tx.interval(bounds.low, bounds.high) }
    : { kind: 'none', text: tx.tooFewBuyers };
}

const fmtOffset = (minutes: number): string => {
  const a = Math.abs(minutes);
  const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `UTC${minutes < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
};

const AS_OF_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2})$/;

/** "2026-11-14T10:00:00+08:00" -> "11月14日 周六 10:00", "UTC+08:00" in the report's zone; unreadable strings as given. */
function asOfOf(value: unknown, zone: string | undefined, lang: Lang): MetaModel['asOf'] {
  const text = String(value ?? '').trim();
  const m = AS_OF_RE.exec(text);
  const instant = m ? Date.parse(text) : Number.NaN;
  if (!m || Number.isNaN(instant)) return { text: String(value ?? '—') };
  const tz = m[7] ?? 'Z';
  const written =
    tz === 'Z' || tz === 'z'
      ? 0
      : (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.replace(':', '').slice(3, 5)));
  // In the report's zone when it is known; else the wall clock the string itself was written in.
  const shown = zone ? formatDateTime(instant, zone, lang) : formatDateTime(instant + written * 60_000, 'UTC', lang);
  return { text: shown, offset: fmtOffset(zone ? offsetMinutesAt(instant, zone) : written) };
}

export function reportModel(report: CampaignReport, options: ReportModelOptions): ReportModel {
  const { lang } = options;
  const tx = REPORT_TEXTS[lang];
  const zone = typeof report.timezone === 'string' && isValidTimeZone(report.timezone) ? report.timezone : undefined;
  const rows = Array.isArray(report.rows) ? report.rows : [];
  const waves = groupWaves(rows);
  const totals = report.totals ?? ({} as CampaignReport['totals']);
  const t = outcomes(totals);
  const tried = attempted(t);
  const mode = roiMode(report);
  const money = hasMoney(totals) || rows.some(hasMoney);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const unknownListed = Array.isArray(report.unknownTouches) ? report.unknownTouches : [];
  const st = tx.stat;
  const topReason = (record: Record<string, number> | undefined): string | undefined => {
    const first = sortedEntries(record)[0];
    if (!first) return undefined;
    const r = reasonText(first[0], lang);
    return tx.most(formatInt(first[1]), r ? (r.tag ?? r.short) : first[0]);
  };
  const orders = finite(totals.orders);
  const revenue = finite(totals.revenue);
  const cost = finite(totals.cost);
  const roi = finite(totals.roi);
  const lg = tx.legend;

  return {
    lang,
    htmlLang: HTML_LANG[lang],
    title: tx.title(String(report.campaignId)),
    ...(options.otherHref
      ? { other: { href: options.otherHref, label: tx.switchTo, htmlLang: HTML_LANG[other] } }
      : {}),
    meta: {
      asOfLabel: tx.asOf,
      asOf: asOfOf(report.asOf, zone, lang),
      timeZoneLabel: tx.timeZone,
      timeZone: String(report.timezone ?? '—'),
      wavesRows: tx.wavesRows(waves.length, rows.length),
      ...(money ? { money: tx.moneyInCny } : {}),
    },
    // Headline: what the campaign added (against control groups) once orders exist; the delivery rate before.
    hero: money
      ? heroOf(report, tx)
      : {
          kind: 'delivery',
          title: tx.deliveryHero,
          value: formatShare(t.sent, tried),
          note: tx.deliveryHeroNote(formatInt(t.sent), formatInt(tried)),
        },
    outcomeStats: [
      { cls: '', key: st.planned[0], value: formatInt(t.planned), sub: st.planned[1] },
      { cls: 'sent', key: st.sent, value: formatInt(t.sent), sub: tx.ofPlanned(formatShare(t.sent, t.planned)) },
      { cls: 'sent', key: st.deliveryRate[0], value: formatShare(t.sent, tried), sub: st.deliveryRate[1] },
      { cls: 'failed', key: st.failed, value: formatInt(t.failed), ...optional('sub', topReason(totals.failed)) },
      {
        cls: 'suppressed',
        key: st.suppressed,
        value: formatInt(t.suppressed),
        ...optional('sub', topReason(totals.suppressed)),
      },
      t.unknown > 0
        ? {
            cls: 'unknown alert',
            key: st.unknown,
            value: formatInt(t.unknown),
            sub: st.checkProvider,
            subHref: '#unknown',
          }
        : { cls: 'unknown', key: st.unknown, value: formatInt(t.unknown), sub: st.everyAnswer },
      t.pending > 0
        ? { cls: 'pending', key: st.pending[0], value: formatInt(t.pending), sub: st.pending[1] }
        : t.expired + t.cancelled > 0
          ? {
              cls: 'pending',
              key: st.expiredCancelled[0],
              value: `${formatInt(t.expired)} · ${formatInt(t.cancelled)}`,
              sub: st.expiredCancelled[1],
            }
          : {
              cls: '',
              key: st.smsParts[0],
              value: finite(totals.smsParts) !== null ? formatInt(n0(totals.smsParts)) : '—',
              sub: st.smsParts[1],
            },
    ],
    moneyStats: money
      ? [
          {
            cls: 'money',
            key: st.attributedOrders[0],
            value: orders !== null ? formatInt(orders) : '—',
            sub: st.attributedOrders[1],
          },
          {
            cls: 'money',
            key: st.attributedRevenue[0],
            value: revenue !== null ? formatCny(revenue) : '—',
            sub: st.attributedRevenue[1],
          },
          { cls: 'money', key: st.cost[0], value: cost !== null ? formatCny(cost) : '—', sub: st.cost[1] },
          {
            cls: 'money',
            key: st.attributedRoi,
            value: roi !== null ? formatRoi(roi, mode) : '—',
            sub: mode === 'gross' ? st.roiGross : mode === 'net' ? st.roiNet : st.roiAsGiven,
          },
        ]
      : [],
    ...(t.pending > 0 ? { running: tx.running(t.pending) } : {}),
    ...optional('incremental', incrementalOf(report, lang)),
    outcomes: {
      title: tx.outcomesTitle,
      legend: [
        { swatch: 'sent', text: lg.sent },
        { swatch: 'failed', text: lg.failed },
        { swatch: 'suppressed', text: lg.suppressed },
        { swatch: 'unknown', text: lg.unknown },
        { swatch: 'expired', text: lg.expired },
        { swatch: 'cancelled', text: lg.cancelled },
        { swatch: 'pending', text: lg.pending },
        { swatch: 'sep', text: '|' },
        { swatch: 'email', text: channelName('email', lang) },
        { swatch: 'sms', text: channelName('sms', lang) },
      ],
      note: tx.outcomesNote,
      swipe: tx.swipe,
      ...(waves.length ? { chart: outcomeChart(waves, lang) } : { empty: tx.noRows }),
    },
    ...(money && waves.length
      ? {
          revenue: {
            title: tx.revenueTitle,
            legend: [tx.revenueLegend.email, tx.revenueLegend.sms, tx.revenueLegend.scale],
            swipe: tx.swipe,
            chart: revenueChart(waves, mode, lang),
            note: `${tx.attributionNote} ${tx.roiDefinition[mode]}`,
          },
        }
      : {}),
    table: tableOf(waves, totals, mode, money, lang, isTracked(report)),
    ...optional('tiers', tiersOf(report, mode, lang)),
    ...optional('triggers', triggersOf(report, mode, lang)),
    ...optional('groups', groupsOf(report, lang)),
    unknown: unknownOf(waves, t.unknown, unknownListed, lang),
    reasons: reasonsOf(report, lang),
    ...optional('audit', auditOf(report, lang)),
    footer: tx.footer(String(report.campaignId), String(report.asOf), String(report.timezone)),
  };
}

/** `{ key: value }` when the value is there, `{}` otherwise: no `undefined` in the model. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function heroOf(report: CampaignReport, tx: ReportTexts): HeroModel {
  const totals = report.incremental?.totals;
  const revenue = totals?.revenue ?? null;
  const orders = totals?.orders ?? null;
  const value = finite(revenue?.value);
  if (!totals || value === null || !orders) {
    return { kind: 'unknown', title: tx.unknownEffectTitle, value: tx.unknownEffectValue, note: tx.unknownEffectNote };
  }
  const sign = intervalSign(revenue);
  return {
    kind: 'incremental',
    sign,
    title: tx.addedTitle,
    value: signedRoundedCny(value),
    revenueInterval: intervalOf(revenue, roundedCny, tx),
    ordersLabel: tx.addedOrders,
    orders: signedCount(n0(orders.value)),
    ordersInterval: intervalOf(orders, (n) => trimDecimal(n, 0), tx),
    verdict: sign === 'up' ? tx.verdictUp : sign === 'down' ? tx.verdictDown : tx.verdictUnsure,
    againstControls: tx.againstControls,
    waves: totals.waves.map(String).join('、'),
    ...(totals.unknownWaves.length
      ? { notCounted: `${tx.notCounted}${totals.unknownWaves.map(String).join('、')}` }
      : {}),
  };
}

const rate = (r: number): string => `${(r * 100).toFixed(1)}%`;

function estimateCell(estimate: Estimate, value: string, format: (n: number) => string, tx: ReportTexts): EstimateCell {
  return { sign: intervalSign(estimate), value, interval: intervalOf(estimate, format, tx) };
}

function incrementalOf(report: CampaignReport, lang: Lang): IncrementalModel | undefined {
  const tx = REPORT_TEXTS[lang];
  const incremental = report.incremental;
  if (!incremental || !Array.isArray(incremental.waves) || incremental.waves.length === 0) return undefined;
  const h = tx.incrementalHead;
  return {
    title: tx.incrementalTitle,
    heads: { wave: h.wave, cells: [h.sent, h.heldOut, h.lift, h.orders, h.revenue, h.inWindow] },
    rows: incremental.waves.map((wave) => incrementRow(wave, tx, lang)),
    note: tx.incrementalNote(String(incremental.windowHours ?? report.attributionHours ?? 72)),
  };
}

function incrementRow(wave: WaveIncrement, tx: ReportTexts, lang: Lang): IncrementRowModel {
  const waveId = String(wave.waveId);
  if (!wave.known) return { kind: 'unknown', waveId, why: nameOf(UNKNOWN_LIFT, wave.why, lang) };
  return {
    kind: 'known',
    waveId,
    treated: { customers: formatInt(wave.treated.customers), sub: tx.bought(rate(wave.treatedRate)) },
    control: { customers: formatInt(wave.control.customers), sub: tx.bought(rate(wave.controlRate)) },
    lift: estimateCell(wave.conversionPoints, tx.points(signedPoints(wave.conversionPoints.value)), signedPoints, tx),
    orders: estimateCell(wave.orders, signedCount(wave.orders.value), (n) => trimDecimal(n, 0), tx),
    revenue: estimateCell(wave.revenue, signedRoundedCny(wave.revenue.value), roundedCny, tx),
    inWindow: { value: roundedCny(wave.treated.revenue), sub: tx.heldOut(roundedCny(wave.control.revenue)) },
  };
}

// ---------------------------------------------------------------------------
// Charts

const SVG_W = 1240;
const GUTTER = 250;
const BAR_X = GUTTER;
const BAR_W = 700;
const RIGHT_X = BAR_X + BAR_W + 16;
/** The revenue bars leave room after them for their label and, right-aligned, the ROI. */
const REV_W = 500;

/**
 * Segment widths in px summing to `width`: proportional, but a non-zero count is at least
 * MIN px wide so a handful of failures stays visible; the largest segment gives up the room.
 */
function segmentWidths(counts: number[], width: number): number[] {
  const MIN = 3;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return counts.map(() => 0);
  const widths = counts.map((c) => (c > 0 ? Math.max(MIN, (c / total) * width) : 0));
  const excess = widths.reduce((a, b) => a + b, 0) - width;
  let largest = 0;
  widths.forEach((w, i) => {
    if (w > (widths[largest] ?? 0)) largest = i;
  });
  widths[largest] = Math.max(0, (widths[largest] ?? 0) - excess);
  return widths;
}

const rowTitle = (wave: string, row: ReportRow, lang: Lang): string =>
  `${wave} · ${channelName(String(row.channel), lang)}`;

function reasonList(record: Record<string, number> | undefined, lang: Lang): string {
  return sortedEntries(record)
    .map(([code, n]) => `${reasonText(code, lang)?.short ?? code} ${formatInt(n)}`)
    .join(', ');
}

function band(wave: WaveRows, index: number, y: number, h: number, idY: number): WaveBand {
  return {
    y: px(y - 3),
    height: px(h + 6),
    fill: index % 2 === 0 ? '#ffffff' : '#f8fafc',
    id: { x: '8', y: px(idY), text: truncate(wave.id, 16), title: wave.id },
  };
}

function outcomeChart(waves: WaveRows[], lang: Lang): OutcomeChartModel {
  const tx = REPORT_TEXTS[lang];
  const barH = 22;
  const rowH = 38;
  const waveGap = 8;
  const top = 34;
  const layout: { wave: WaveRows; y: number; h: number }[] = [];
  let y = top;
  for (const w of waves) {
    // A one-row wave still needs room for its id and planned count on two lines.
    const h = Math.max(44, w.rows.length * rowH);
    layout.push({ wave: w, y, h });
    y += h + waveGap;
  }
  return {
    width: SVG_W,
    height: px(y + 4),
    aria: tx.outcomesAria,
    ticks: [0, 25, 50, 75, 100].map((t) => ({
      x: px(BAR_X + (t / 100) * BAR_W),
      y1: px(top - 6),
      y2: px(y - waveGap),
      labelY: px(top - 12),
      anchor: t === 0 ? 'start' : t === 100 ? 'end' : 'middle',
      text: `${t}%`,
    })),
    axisLeft: { x: px(BAR_X - 14), y: px(top - 12), text: tx.shareOfPlanned },
    axisRight: { x: px(RIGHT_X), y: px(top - 12), text: tx.deliveryFormula },
    waves: layout.map(({ wave, y: wy, h }, wi) => ({
      ...band(wave, wi, wy, h, wy + 18),
      sub: { y: px(wy + 34), text: tx.planned(formatInt(wave.rows.reduce((a, r) => a + n0(r.planned), 0))) },
      bars: wave.rows.map((row, ri) => outcomeBar(wave.id, row, wy + ri * rowH + (rowH - barH) / 2, barH, lang)),
    })),
  };
}

function outcomeBar(waveId: string, row: ReportRow, ry: number, barH: number, lang: Lang): OutcomeBarModel {
  const tx = REPORT_TEXTS[lang];
  const o = outcomes(row);
  const cls = channelClass(row.channel);
  const counts = OUTCOMES.map((k) => o[k]);
  const whole = counts.reduce((a, b) => a + b, 0);
  const segments: OutcomeBarModel['segments'] = [];
  if (whole > 0) {
    const widths = segmentWidths(counts, BAR_W);
    let x = BAR_X;
    OUTCOMES.forEach((k, i) => {
      const c = counts[i] ?? 0;
      const w = widths[i] ?? 0;
      if (c <= 0 || w <= 0) return;
      const share = formatShare(c, o.planned > 0 ? o.planned : whole);
      const detail =
        k === 'failed' ? reasonList(row.failed, lang) : k === 'suppressed' ? reasonList(row.suppressed, lang) : '';
      const outcomeName = OUTCOME_NAMES[k][lang];
      const full = `${outcomeName} ${formatInt(c)} · ${share}`;
      const mid = `${formatInt(c)} · ${share}`;
      const small = formatInt(c);
      let label = '';
      if (w >= textWidth(full, 12) + 12) label = full;
      else if (w >= textWidth(mid, 12) + 10) label = mid;
      else if (w >= textWidth(small, 12) + 8) label = small;
      segments.push({
        outcome: k,
        x: px(x),
        y: px(ry),
        width: px(w),
        height: barH,
        title: `${rowTitle(waveId, row, lang)}\n${outcomeName} ${formatInt(c)} (${tx.ofPlanned(share)})${detail ? `\n${detail}` : ''}`,
        ...(label
          ? {
              label: {
                x: px(x + w / 2),
                y: px(ry + barH / 2 + 4),
                text: label,
                dark: k === 'unknown' || k === 'pending' || k === 'expired',
                onHatch: k === 'unknown',
              },
            }
          : {}),
      });
      x += w;
    });
  }
  const tried = attempted(o);
  const notes = (['failed', 'suppressed', 'unknown', 'expired', 'cancelled', 'pending'] as const)
    .filter((k) => o[k] > 0)
    .map((k) => ({ outcome: k, text: `${OUTCOME_NAMES[k][lang]} ${formatInt(o[k])}` }));
  return {
    label: {
      x: px(BAR_X - 14),
      y: px(ry + barH / 2 + 4),
      cls,
      name: channelName(String(row.channel), lang),
      planned: formatInt(o.planned),
    },
    stripe: { x: px(BAR_X - 8), y: px(ry), height: barH, cls },
    ...(whole <= 0
      ? {
          empty: {
            x: px(BAR_X),
            y: px(ry),
            width: BAR_W,
            height: barH,
            textX: px(BAR_X + 8),
            textY: px(ry + barH / 2 + 4),
            text: tx.nothingPlanned,
          },
        }
      : { frame: { x: BAR_X, y: px(ry), width: BAR_W, height: barH } }),
    segments,
    rate: {
      x: RIGHT_X,
      y: px(ry + 9),
      ...(tried > 0 ? { value: formatShare(o.sent, tried), word: tx.delivered } : { word: tx.notSentYet }),
    },
    ...(notes.length ? { notes: { x: RIGHT_X, y: px(ry + 23), items: notes } } : {}),
  };
}

function perYuan(revenue: number, cost: number, tx: ReportTexts): string {
  const r = revenue / cost;
  return tx.perYuan(`¥${trimDecimal(r, Math.abs(r) >= 100 ? 0 : 1)}`);
}

function revenueChart(waves: WaveRows[], mode: RoiModeName, lang: Lang): RevenueChartModel {
  const tx = REPORT_TEXTS[lang];
  const barH = 16;
  const rowH = 30;
  const waveGap = 8;
  const revenues = waves.flatMap((w) => w.rows.map((r) => finite(r.revenue) ?? 0));
  const max = Math.max(0, ...revenues);
  const layout: { wave: WaveRows; y: number; h: number }[] = [];
  let y = 10;
  for (const w of waves) {
    const h = w.rows.length * rowH;
    layout.push({ wave: w, y, h });
    y += h + waveGap;
  }
  return {
    width: SVG_W,
    height: px(y + 2),
    aria: tx.revenueAria,
    waves: layout.map(({ wave, y: wy, h }, wi) => ({
      ...band(wave, wi, wy, h, wy + rowH / 2 + 5),
      bars: wave.rows.map((row, ri) => {
        const ry = wy + ri * rowH + (rowH - barH) / 2;
        const cls = channelClass(row.channel);
        const revenue = finite(row.revenue);
        const orders = finite(row.orders);
        const cost = finite(row.cost);
        const roi = finite(row.roi);
        const items: { text: string; money: boolean }[] = [];
        if (revenue !== null) items.push({ text: formatCny(revenue), money: true });
        if (orders !== null) items.push({ text: tx.orders(orders), money: false });
        if (cost !== null) items.push({ text: tx.cost(formatCny(cost)), money: false });
        const w = revenue !== null && revenue > 0 && max > 0 ? Math.max(2, (revenue / max) * REV_W) : 0;
        const title = `${rowTitle(wave.id, row, lang)}\n${tx.revenue(formatCny(revenue ?? 0))}${orders !== null ? `, ${tx.orders(orders)}` : ''}${cost !== null ? `\n${tx.cost(formatCny(cost))}` : ''}`;
        const yuan = revenue !== null && cost !== null && cost > 0 ? perYuan(revenue, cost, tx) : undefined;
        return {
          label: { x: px(BAR_X - 14), y: px(ry + barH / 2 + 4), cls, name: channelName(String(row.channel), lang) },
          ...(w > 0 ? { bar: { x: BAR_X, y: px(ry), width: px(w), height: barH, cls, title } } : {}),
          facts: {
            x: px(BAR_X + w + 8),
            y: px(ry + barH / 2 + 4),
            items,
            ...(items.length ? {} : { none: tx.noOrders }),
          },
          ...(roi !== null || yuan
            ? {
                roi: {
                  x: SVG_W - 10,
                  y: px(ry + barH / 2 + 5),
                  negative: roi !== null && (roi < 0 || (mode === 'gross' && roi < 1)),
                  ...(yuan ? { perYuan: yuan } : {}),
                  ...(roi !== null ? { text: `ROI ${formatRoi(roi, mode)}` } : {}),
                },
              }
            : {}),
        };
      }),
    })),
  };
}

// ---------------------------------------------------------------------------
// The table

function reasonCell(record: Record<string, number> | undefined, kind: ReasonKind, lang: Lang): CellModel {
  const entries = sortedEntries(record);
  if (entries.length === 0) return { kind: 'reasons', outcome: kind, items: [] };
  return {
    kind: 'reasons',
    outcome: kind,
    total: formatInt(entries.reduce((a, [, n]) => a + n, 0)),
    items: entries.map(([code, n]) => ({
      code,
      count: formatInt(n),
      ...optional('why', reasonText(code, lang)?.short),
    })),
  };
}

function numCell(value: unknown, format: (n: number) => string = formatInt, cls?: string): CellModel {
  const v = finite(value);
  return v === null
    ? { kind: 'blank', ...optional('cls', cls) }
    : { kind: 'num', text: format(v), ...optional('cls', cls) };
}

const countCell = (n: number): CellModel =>
  n > 0 ? { kind: 'num', text: formatInt(n) } : { kind: 'num', text: '0', zero: true };

/** The cells after wave and channel; the money columns only when the report has any money at all. */
function outcomeCells(
  r: Partial<Omit<ReportRow, 'waveId' | 'channel'>>,
  mode: RoiModeName,
  money: boolean,
  lang: Lang,
  tracked = false,
): CellModel[] {
  const tx = REPORT_TEXTS[lang];
  const o = outcomes(r);
  const tried = attempted(o);
  return [
    { kind: 'num', text: formatInt(o.planned) },
    {
      kind: 'num',
      text: formatInt(o.sent),
      ...(tried > 0 ? { sub: `${formatShare(o.sent, tried)} ${tx.delivered}` } : {}),
    },
    reasonCell(r.failed, 'failed', lang),
    reasonCell(r.suppressed, 'suppressed', lang),
    o.unknown > 0
      ? { kind: 'num', text: formatInt(o.unknown), cls: 'warn', href: '#unknown' }
      : { kind: 'num', text: '0', zero: true },
    // By reason when the report says why; a count alone otherwise.
    r.expiredBy ? reasonCell(r.expiredBy, 'expired', lang) : countCell(o.expired),
    r.cancelledBy ? reasonCell(r.cancelledBy, 'cancelled', lang) : countCell(o.cancelled),
    countCell(o.pending),
    numCell(r.smsParts),
    ...(money
      ? [
          numCell(r.orders),
          numCell(r.revenue, formatCny),
          numCell(r.cost, formatCny),
          numCell(r.roi, (v) => formatRoi(v, mode), 'roi'),
        ]
      : []),
    ...(tracked ? clickCells(r, lang) : []),
  ];
}

/** Whether the report counts clicks (the campaign tracks its links): then the table has their columns. */
const isTracked = (report: CampaignReport) => finite(report.totals?.clicks) !== null;

/** The clicks with their click-through, and clicked-then-ordered with its revenue. */
function clickCells(r: Partial<Omit<ReportRow, 'waveId' | 'channel'>>, lang: Lang): CellModel[] {
  const tx = REPORT_TEXTS[lang];
  const through = finite(r.clickThrough);
  const revenue = finite(r.clickedRevenue);
  return [
    {
      kind: 'num',
      text: formatInt(n0(r.clicks)),
      ...(through !== null ? { sub: tx.clickThrough(formatShare(through * 10_000, 10_000)) } : {}),
    },
    {
      kind: 'num',
      text: formatInt(n0(r.clickedOrders)),
      ...(revenue !== null && revenue > 0 ? { sub: tx.clickedRevenue(formatCny(revenue)) } : {}),
    },
  ];
}

function tableOf(
  waves: WaveRows[],
  totals: CampaignReport['totals'],
  mode: RoiModeName,
  money: boolean,
  lang: Lang,
  tracked = false,
): TableModel {
  const tx = REPORT_TEXTS[lang];
  const h = tx.head;
  return {
    title: tx.tableTitle,
    swipe: tx.swipe,
    heads: [
      { text: h.wave },
      { text: h.channel },
      { text: h.planned, cls: 'num' },
      { text: h.sent, cls: 'num' },
      { text: h.failed },
      { text: h.suppressed },
      { text: h.unknown, cls: 'num' },
      { text: h.expired, cls: 'num', title: h.expiredTitle },
      { text: h.cancelled, cls: 'num' },
      { text: h.pending, cls: 'num' },
      { text: h.smsParts, cls: 'num' },
      ...(money
        ? [
            { text: h.orders, cls: 'num' },
            { text: h.revenue, cls: 'num' },
            { text: h.cost, cls: 'num' },
            { text: 'ROI', cls: 'num' },
          ]
        : []),
      ...(tracked
        ? [
            { text: h.clicks, cls: 'num', title: h.clicksTitle },
            { text: h.clickedOrders, cls: 'num', title: h.clickedOrdersTitle },
          ]
        : []),
    ],
    waves: waves.map((w) => ({
      id: w.id,
      rows: w.rows.map((row) => ({
        channelCls: channelClass(row.channel),
        channel: channelName(String(row.channel), lang),
        cells: outcomeCells(row, mode, money, lang, tracked),
      })),
    })),
    foot: { label: tx.allWaves, cells: outcomeCells(totals, mode, money, lang, tracked) },
    note: `${money ? tx.blankCells : tx.noOrdersYet} ${tx.deliveryNote}${tracked ? ` ${tx.clicksNote}` : ''}`,
  };
}

// ---------------------------------------------------------------------------
// By tier, by customer group

function tiersOf(report: CampaignReport, mode: RoiModeName, lang: Lang): TiersModel | undefined {
  if (!Array.isArray(report.byTier) || report.byTier.length === 0) return undefined;
  const tx = REPORT_TEXTS[lang];
  const h = tx.head;
  return {
    title: tx.tiersTitle,
    heads: [
      { text: tx.tierHead.tier, num: false },
      ...[tx.tierHead.customers, h.planned, h.sent, h.orders, h.revenue, h.cost, 'ROI'].map((text) => ({
        text,
        num: true,
      })),
    ],
    rows: report.byTier.map((row) => ({
      tier: row.tier === '' ? tx.noTier : String(row.tier),
      noTier: row.tier === '',
      cells: [
        formatInt(n0(row.customers)),
        formatInt(n0(row.planned)),
        formatInt(n0(row.sent)),
        formatInt(n0(row.orders)),
        formatCny(n0(row.revenue)),
        formatCny(n0(row.cost)),
        finite(row.roi) === null ? '–' : formatRoi(n0(row.roi), mode),
      ],
    })),
    note: tx.tiersNote,
  };
}

function ruleName(rule: string, lang: Lang): string {
  const names = REPORT_TEXTS[lang].ruleNames;
  if (rule === 'presale:open' || rule === 'presale:close') return names[rule];
  return rule.startsWith('trigger:') ? names.trigger(rule.slice('trigger:'.length)) : rule;
}

/** The order rules' rows: what their checks ended as, and the reminded orders paid after. */
function triggersOf(report: CampaignReport, mode: RoiModeName, lang: Lang): TriggersModel | undefined {
  if (!Array.isArray(report.triggers) || report.triggers.length === 0) return undefined;
  const tx = REPORT_TEXTS[lang];
  const h = tx.triggerHead;
  const tracked = isTracked(report);
  const numeric = [h.scheduled, h.checked, h.sent, h.suppressed, h.failed, h.unknown, h.waiting, h.pending];
  return {
    title: tx.triggersTitle,
    swipe: tx.swipe,
    heads: [
      { text: h.rule, num: false },
      ...[...numeric, h.smsParts, h.orders, h.revenue, h.cost, 'ROI'].map((text) => ({ text, num: true })),
      ...(tracked ? [tx.head.clicks, tx.head.clickedOrders].map((text) => ({ text, num: true })) : []),
    ],
    rows: report.triggers.map((row) => ({
      name: ruleName(String(row.rule), lang),
      rule: String(row.rule),
      cells: [
        countCell(n0(row.scheduled)),
        countCell(n0(row.checked)),
        countCell(n0(row.sent)),
        reasonCell(row.suppressed, 'suppressed', lang),
        reasonCell(row.failed, 'failed', lang),
        n0(row.unknown) > 0
          ? { kind: 'num', text: formatInt(n0(row.unknown)), cls: 'warn' }
          : { kind: 'num', text: '0', zero: true },
        countCell(n0(row.waiting)),
        countCell(n0(row.pending)),
        numCell(row.smsParts),
        numCell(row.orders),
        numCell(row.revenue, formatCny),
        numCell(row.cost, formatCny),
        numCell(row.roi, (v) => formatRoi(v, mode), 'roi'),
        ...(tracked ? clickCells(row, lang) : []),
      ],
    })),
    note: tracked ? `${tx.triggersNote} ${tx.clicksNote}` : tx.triggersNote,
  };
}

function groupsOf(report: CampaignReport, lang: Lang): GroupsModel | undefined {
  if (!Array.isArray(report.byGroup) || report.byGroup.length === 0) return undefined;
  const tx = REPORT_TEXTS[lang];
  const h = tx.groupHead;
  const labels = report.groupLabels ?? {};
  return {
    title: tx.groupsTitle,
    note: tx.groupsNote(MIN_GROUP_CONTROL),
    swipe: tx.swipe,
    heads: [
      { text: h.group, num: false },
      // What the wave caused (against control) before what attribution credits.
      ...[h.customers, h.sent, h.failed, h.lift, h.addedOrders, h.orders, h.revenue, h.cost].map((text) => ({
        text,
        num: true,
      })),
      ...(isTracked(report) ? [{ text: h.clicks, num: true }] : []),
    ],
    waves: report.byGroup.map((wave: WaveGroupResults) => ({
      waveId: String(wave.waveId),
      title: tx.groupsWave(String(wave.waveId)),
      sections: [
        { caption: tx.byGroupCaption, rows: (wave.groups ?? []).map((g) => groupRow(g, labels, tx, lang)) },
        { caption: tx.byLabelCaption, rows: (wave.labels ?? []).map((g) => groupRow(g, labels, tx, lang)) },
      ].filter((section) => section.rows.length > 0),
    })),
  };
}

function groupRow(
  result: GroupResult,
  labels: Readonly<Record<string, string>>,
  tx: ReportTexts,
  lang: Lang,
): GroupRowModel {
  const code = String(result.code);
  const name = code === '' ? tx.noGroup : groupName(code, lang, labels);
  const tried = n0(result.sent) + n0(result.failed) + n0(result.unknown);
  const increment = result.increment;
  return {
    name,
    ...(code !== '' && name !== code ? { code } : {}),
    cells: [
      formatInt(n0(result.customers)),
      formatInt(n0(result.sent)),
      formatInt(n0(result.failed)),
      formatInt(n0(result.orders)),
      formatCny(n0(result.revenue)),
      formatCny(n0(result.cost)),
      ...(finite(result.clicks) !== null
        ? [
            `${formatInt(n0(result.clicks))}${finite(result.clickThrough) !== null ? ` (${formatShare(n0(result.clickThrough) * 10_000, 10_000)})` : ''}`,
          ]
        : []),
    ],
    ...(tried > 0 ? { delivered: `${formatShare(n0(result.sent), tried)} ${tx.delivered}` } : {}),
    lift: !increment
      ? { kind: 'none', text: tx.noControlShort }
      : !increment.known
        ? { kind: 'unknown', text: nameOf(UNKNOWN_LIFT, increment.why, lang) }
        : {
            kind: 'known',
            points: estimateCell(
              increment.conversionPoints,
              tx.points(signedPoints(increment.conversionPoints.value)),
              signedPoints,
              tx,
            ),
            orders: estimateCell(increment.orders, signedCount(increment.orders.value), (n) => trimDecimal(n, 0), tx),
          },
  };
}

// ---------------------------------------------------------------------------
// Unknown outcomes, reasons, audit

const MAX_UNKNOWN_ROWS = 200;

function unknownOf(waves: WaveRows[], totalUnknown: number, listed: readonly UnknownTouch[], lang: Lang): UnknownModel {
  const tx = REPORT_TEXTS[lang];
  const waveOrder = new Map(waves.map((w, i) => [w.id, i]));
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const list = [...listed].sort(
    (a, b) =>
      (waveOrder.get(String(a.waveId)) ?? 1e9) - (waveOrder.get(String(b.waveId)) ?? 1e9) ||
      cmp(String(a.waveId), String(b.waveId)) ||
      (CHANNEL_ORDER[a.channel] ?? 2) - (CHANNEL_ORDER[b.channel] ?? 2) ||
      cmp(String(a.sendId), String(b.sendId)) ||
      cmp(String(a.customerId), String(b.customerId)),
  );
  const base = {
    title: tx.unknownTitle,
    count: `(${formatInt(Math.max(totalUnknown, list.length))})`,
    alert: totalUnknown > 0 || list.length > 0,
  };
  if (list.length === 0) {
    return totalUnknown > 0
      ? { ...base, explain: tx.unknownExplain, message: { ok: false, text: tx.unknownNoneListed(totalUnknown) } }
      : { ...base, message: { ok: true, text: tx.noUnknown } };
  }
  const shown = list.slice(0, MAX_UNKNOWN_ROWS);
  const h = tx.unknownHead;
  return {
    ...base,
    explain: tx.unknownExplain,
    heads: [h.customer, h.wave, h.channel, h.send],
    rows: shown.map((t, i) => ({
      index: String(i + 1),
      customerId: String(t.customerId),
      waveId: String(t.waveId),
      channelCls: channelClass(t.channel),
      channel: channelName(String(t.channel), lang),
      sendId: String(t.sendId),
    })),
    ...(list.length > shown.length ? { more: tx.moreNotShown(list.length - shown.length, list.length) } : {}),
  };
}

function reasonsOf(report: CampaignReport, lang: Lang): ReasonsModel {
  const tx = REPORT_TEXTS[lang];
  const FIELD = { failed: 'failed', suppressed: 'suppressed', expired: 'expiredBy', cancelled: 'cancelledBy' } as const;
  const tally = (kind: ReasonKind): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of report.rows ?? [])
      for (const [code, n] of sortedEntries(r[FIELD[kind]])) m.set(code, (m.get(code) ?? 0) + n);
    return m;
  };
  const rows: ReasonsModel['rows'] = [];
  for (const kind of ['failed', 'suppressed', 'expired', 'cancelled'] as const) {
    const fromRows = tally(kind);
    const totals = sortedEntries(report.totals?.[FIELD[kind]]);
    const entries: [string, number][] = totals.length ? totals : [...fromRows.entries()];
    for (const code of fromRows.keys())
      if (!entries.some(([c]) => c === code)) entries.push([code, fromRows.get(code) ?? 0]);
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [code, n] of entries) {
      const r = reasonText(code, lang);
      rows.push({
        kind,
        code,
        ...(r ? { name: r.short, meaning: r.long } : { undescribed: tx.noDescription }),
        outcome: OUTCOME_NAMES[kind][lang],
        touches: formatInt(n),
      });
    }
  }
  return {
    title: tx.reasonsTitle,
    ...(rows.length === 0 ? { nothing: tx.nothingFailed } : {}),
    heads: tx.reasonHead,
    rows,
  };
}

/** The newest entries shown; the whole trail is in report.json. */
const AUDIT_SHOWN = 20;

function auditOf(report: CampaignReport, lang: Lang): AuditModel | undefined {
  const tx = REPORT_TEXTS[lang];
  const entries = Array.isArray(report.audit) ? report.audit : [];
  if (entries.length === 0) return undefined;
  const zone = typeof report.timezone === 'string' && isValidTimeZone(report.timezone) ? report.timezone : 'UTC';
  const when = (at: unknown): string => {
    const instant = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    return Number.isNaN(instant) ? '—' : formatInstant(instant, zone).slice(0, 19).replace('T', ' ');
  };
  const state = (code: string | null | undefined): string => (code ? nameOf(STATE_NAMES, code, lang) : '—');
  const h = tx.auditHead;
  const shown = entries.slice(-AUDIT_SHOWN).reverse();
  return {
    title: tx.auditTitle,
    ...(report.state ? { state: state(report.state) } : {}),
    heads: { when: h.when(zone), who: h.who, what: h.what, state: h.state, details: h.details },
    rows: shown.map((entry) => ({
      when: when(entry.at),
      who: String(entry.actor),
      what: nameOf(ACTION_NAMES, entry.action, lang),
      change: entry.from === entry.to ? '' : `${state(entry.from)} → ${state(entry.to)}`,
      details: [
        entry.version !== undefined ? `v${entry.version}` : '',
        entry.waveId ? tx.auditWave(entry.waveId) : '',
        auditReason(entry, lang),
      ]
        .filter(Boolean)
        .join(' · '),
    })),
    ...(entries.length > shown.length ? { more: tx.auditMore(entries.length - shown.length, entries.length) } : {}),
  };
}
