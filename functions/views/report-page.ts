/**
 * report.html: the campaign report drawn for a marketer after the campaign.
 *
 * A pure function of the CampaignReport and a language: no I/O, no clock, no machine time zone.
 * The "as of" time is read in the report's zone (domain/local-time.ts). Simplified Chinese by
 * default; the English page is report.en.html (or `?lang=en` on the report route), each
 * linking to the other, since the page has no scripts.
 *
 * Layout: header with headline numbers (outcomes, then money when orders were attributed),
 * a 100%-stacked outcome bar per wave and channel (sent / failed / suppressed / unknown /
 * expired / cancelled / pending, as shares of planned), a revenue bar chart with ROI when orders exist, the
 * per-wave-and-channel table, the unknown outcomes to check with the provider, every
 * reason code in plain words, and the newest entries of the audit trail.
 */

import {
  ACTION_NAMES,
  channelName as channelWord,
  DEFAULT_LANG,
  formatDateTime,
  type Lang,
  nameOf,
  OUTCOME_NAMES,
  type ReasonText,
  reasonText,
  STATE_NAMES,
  UNKNOWN_LIFT,
} from '../domain/i18n.ts';
import type { Estimate, WaveIncrement } from '../domain/incremental.ts';
import { formatInstant, isValidTimeZone, offsetMinutesAt } from '../domain/local-time.ts';
import type { CampaignReport, ReportIncremental, ReportRow, UnknownTouch } from '../domain/report-types.ts';
import { htmlPage } from './page-shell.ts';
import { REPORT_TEXTS, type ReportTexts } from './report-texts.ts';
import { escapeHtml, formatInt } from './timeline-page.ts';

// ---------------------------------------------------------------------------
// Numbers (deterministic, locale-free). Input comes from JSON: guard every number.

/** A finite number, or null for absent, null, NaN and infinities. */
function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A count that the type says is always there: 0 when it is not a finite number. */
const n0 = (value: unknown): number => finite(value) ?? 0;

function sumRecord(record: Record<string, number> | undefined): number {
  let total = 0;
  for (const v of Object.values(record ?? {})) total += n0(v);
  return total;
}

/** Entries with a count, largest first, ties by code: a stable order whatever the input order. */
function sortedEntries(record: Record<string, number> | undefined): [string, number][] {
  return Object.entries(record ?? {})
    .filter(([, v]) => n0(v) > 0)
    .map(([k, v]): [string, number] => [k, n0(v)])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** 1234567.891 -> "¥1,234,567.89". */
export function formatCny(value: number): string {
  const cents = Math.round(Math.abs(value) * 100);
  const fen = cents % 100;
  const sign = value < 0 && cents > 0 ? '-' : '';
  return `${sign}¥${formatInt(Math.floor(cents / 100))}.${fen < 10 ? '0' : ''}${fen}`;
}

/** Always one decimal, no locale: 0.98765 -> "98.8%", 0.99 -> "99.0%". */
function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '—';
  const tenths = Math.round((part / whole) * 1000);
  return `${formatInt(Math.trunc(tenths / 10))}.${Math.abs(tenths % 10)}%`;
}

/** Rounds to `digits` decimals and prints without locale or trailing zeros; thousands separated. */
function trimDecimal(value: number, digits: number): string {
  const f = 10 ** digits;
  const r = Math.round(value * f) / f;
  const whole = Math.trunc(r);
  const frac = Math.round(Math.abs(r - whole) * f);
  const head = r < 0 && whole === 0 ? `-${formatInt(whole)}` : formatInt(whole);
  if (frac === 0) return head;
  return `${head}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Revenue for every yuan of cost: "每 ¥1 带来 ¥73.7", "¥1,791 per ¥1". */
function perYuan1(revenue: number, cost: number, tx: ReportTexts): string {
  const r = revenue / cost;
  return tx.perYuan(`¥${trimDecimal(r, Math.abs(r) >= 100 ? 0 : 1)}`);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** SVG coordinates rounded to 0.1 px. */
const px = (n: number): string => String(Math.round(n * 10) / 10);

// ---------------------------------------------------------------------------
// ROI: the report type does not say which definition it uses, so read it off the numbers.

type RoiMode = 'net' | 'gross' | 'as-given';

/**
 * `net`: ROI = (revenue − cost) ÷ cost, shown as a percentage ("+420%").
 * `gross`: ROI = revenue ÷ cost, the Chinese e-commerce habit, shown as a multiple ("5.2×").
 * Decided from every row (and the totals) that carries revenue, cost > 0 and roi; when the
 * numbers fit neither, ROI is shown as given, as a percentage. With nothing to check, `net`.
 */
function roiMode(report: CampaignReport): RoiMode {
  let net = 0;
  let gross = 0;
  let checked = 0;
  for (const r of [...(report.rows ?? []), report.totals]) {
    const revenue = finite(r?.revenue);
    const cost = finite(r?.cost);
    const roi = finite(r?.roi);
    if (revenue === null || cost === null || roi === null || cost <= 0) continue;
    checked++;
    const close = (x: number): boolean => Math.abs(x - roi) <= Math.max(0.006, Math.abs(x) * 0.001);
    if (close((revenue - cost) / cost)) net++;
    if (close(revenue / cost)) gross++;
  }
  if (checked === 0) return 'net';
  if (net === checked) return 'net';
  if (gross === checked) return 'gross';
  return 'as-given';
}

function formatRoi(roi: number, mode: RoiMode): string {
  if (mode === 'gross') return `${trimDecimal(roi, roi >= 10 ? 0 : 1)}×`;
  const pct = trimDecimal(roi * 100, Math.abs(roi) >= 10 ? 0 : 1);
  return mode === 'net' && roi > 0 ? `+${pct}%` : `${pct}%`;
}

// ---------------------------------------------------------------------------
// Time: "as of" in the wall clock of its own offset

const AS_OF_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2})$/;

function fmtOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** "2026-11-14T10:00:00+08:00" -> "11月14日 周六 10:00 (UTC+08:00)" in the report's zone; unreadable strings as given. */
function formatAsOf(value: unknown, zone: string | undefined, lang: Lang): string {
  const text = String(value ?? '').trim();
  const m = AS_OF_RE.exec(text);
  const instant = m ? Date.parse(text) : Number.NaN;
  if (!m || Number.isNaN(instant)) return escapeHtml(value ?? '—');
  const tz = m[7] ?? 'Z';
  const written =
    tz === 'Z' || tz === 'z'
      ? 0
      : (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.replace(':', '').slice(3, 5)));
  // In the report's zone when it is known; else the wall clock the string itself was written in.
  const shown = zone ? formatDateTime(instant, zone, lang) : formatDateTime(instant + written * 60_000, 'UTC', lang);
  const offset = zone ? offsetMinutesAt(instant, zone) : written;
  return `${escapeHtml(shown)} <span class="muted">(UTC${fmtOffset(offset)})</span>`;
}

// ---------------------------------------------------------------------------
// Reason codes in plain words (the dictionary: domain/i18n.ts)

function reasonOf(code: string, lang: Lang): ReasonText | undefined {
  return reasonText(code, lang);
}

// ---------------------------------------------------------------------------
// Model

const CHANNEL_ORDER: Record<string, number> = { email: 0, sms: 1 };
/** The channel's name, escaped: a code the dictionary does not know is shown as written. */
const channelName = (ch: unknown, lang: Lang): string => escapeHtml(channelWord(String(ch), lang));
/** A CSS class for the channel: only the two known channels get their colour. */
const channelClass = (ch: unknown): string => (ch === 'email' || ch === 'sms' ? ch : 'other');

interface WaveGroup {
  id: string;
  rows: ReportRow[];
}

/** Rows grouped by wave in order of first appearance; within a wave email before SMS (the email goes first). */
function groupWaves(rows: ReportRow[]): WaveGroup[] {
  const waves: WaveGroup[] = [];
  const byId = new Map<string, WaveGroup>();
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

interface Outcomes {
  planned: number;
  sent: number;
  failed: number;
  suppressed: number;
  unknown: number;
  expired: number;
  cancelled: number;
  pending: number;
}

function outcomes(r: Omit<ReportRow, 'waveId' | 'channel'>): Outcomes {
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

// ---------------------------------------------------------------------------
// Charts

const SVG_W = 1240;
const GUTTER = 250;
const BAR_X = GUTTER;
const BAR_W = 700;
const RIGHT_X = BAR_X + BAR_W + 16;

/** Rough rendered width: CJK one em, others about 0.6 em. */
function textWidth(text: string, fontPx: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]/.test(ch) ? fontPx : fontPx * 0.6;
  return w;
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

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

function rowTitle(wave: string, row: ReportRow, lang: Lang): string {
  return `${wave} · ${channelWord(String(row.channel), lang)}`;
}

function reasonList(record: Record<string, number> | undefined, lang: Lang): string {
  return sortedEntries(record)
    .map(([code, n]) => `${reasonOf(code, lang)?.short ?? code} ${formatInt(n)}`)
    .join(', ');
}

function renderOutcomeChart(waves: WaveGroup[], lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const barH = 22;
  const rowH = 38;
  const waveGap = 8;
  const top = 34;
  const layout: { wave: WaveGroup; y: number; h: number }[] = [];
  let y = top;
  for (const w of waves) {
    // A one-row wave still needs room for its id and planned count on two lines.
    const h = Math.max(44, w.rows.length * rowH);
    layout.push({ wave: w, y, h });
    y += h + waveGap;
  }
  const height = y + 4;
  const out: string[] = [];
  out.push(
    `<svg class="chart outcomes" viewBox="0 0 ${SVG_W} ${px(height)}" width="${SVG_W}" height="${px(height)}" role="img" aria-label="${escapeHtml(tx.outcomesAria)}">`,
  );
  out.push(
    '<defs><pattern id="hatch-unknown" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde68a"/><rect width="2.5" height="6" fill="#b45309"/></pattern></defs>',
  );
  // Axis: shares of planned.
  for (const t of [0, 25, 50, 75, 100]) {
    const x = BAR_X + (t / 100) * BAR_W;
    const anchor = t === 0 ? 'start' : t === 100 ? 'end' : 'middle';
    out.push(
      `<line class="grid" x1="${px(x)}" y1="${top - 6}" x2="${px(x)}" y2="${px(y - waveGap)}"/><text class="tick" x="${px(x)}" y="${top - 12}" text-anchor="${anchor}">${t}%</text>`,
    );
  }
  out.push(
    `<text class="axis-title" x="${BAR_X - 14}" y="${top - 12}" text-anchor="end">${escapeHtml(tx.shareOfPlanned)}</text>`,
  );
  out.push(`<text class="axis-title" x="${RIGHT_X}" y="${top - 12}">${escapeHtml(tx.deliveryFormula)}</text>`);

  layout.forEach(({ wave, y: wy, h }, wi) => {
    out.push(
      `<rect class="wave-bg" x="0" y="${px(wy - 3)}" width="${SVG_W}" height="${px(h + 6)}" fill="${wi % 2 === 0 ? '#ffffff' : '#f8fafc'}"/>`,
    );
    const planned = wave.rows.reduce((a, r) => a + n0(r.planned), 0);
    out.push(
      `<text class="wave-id" x="8" y="${px(wy + 18)}">${escapeHtml(truncate(wave.id, 16))}<title>${escapeHtml(wave.id)}</title></text>`,
    );
    out.push(`<text class="wave-sub" x="8" y="${px(wy + 34)}">${escapeHtml(tx.planned(formatInt(planned)))}</text>`);
    wave.rows.forEach((row, ri) => {
      const o = outcomes(row);
      const ry = wy + ri * rowH + (rowH - barH) / 2;
      const cls = channelClass(row.channel);
      out.push(
        `<text class="lane-label" x="${BAR_X - 14}" y="${px(ry + barH / 2 + 4)}" text-anchor="end"><tspan class="ch-${cls}">${channelName(row.channel, lang)}</tspan> ${formatInt(o.planned)}</text>`,
      );
      out.push(`<rect class="ch-stripe ch-${cls}" x="${BAR_X - 8}" y="${px(ry)}" width="4" height="${barH}" rx="1"/>`);
      const counts = OUTCOMES.map((k) => o[k]);
      const whole = counts.reduce((a, b) => a + b, 0);
      if (whole <= 0) {
        out.push(
          `<rect class="seg empty" x="${BAR_X}" y="${px(ry)}" width="${BAR_W}" height="${barH}" rx="2"/><text class="seg-label dark" x="${px(BAR_X + 8)}" y="${px(ry + barH / 2 + 4)}">${escapeHtml(tx.nothingPlanned)}</text>`,
        );
      } else {
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
          const title = `${rowTitle(wave.id, row, lang)}\n${outcomeName} ${formatInt(c)} (${tx.ofPlanned(share)})${detail ? `\n${detail}` : ''}`;
          const full = `${outcomeName} ${formatInt(c)} · ${share}`;
          const mid = `${formatInt(c)} · ${share}`;
          const small = formatInt(c);
          let label = '';
          if (w >= textWidth(full, 12) + 12) label = full;
          else if (w >= textWidth(mid, 12) + 10) label = mid;
          else if (w >= textWidth(small, 12) + 8) label = small;
          const dark = k === 'unknown' || k === 'pending' || k === 'expired';
          out.push(
            `<g class="seg-g" data-outcome="${k}"><rect class="seg seg-${k}" x="${px(x)}" y="${px(ry)}" width="${px(w)}" height="${barH}"/>${
              label
                ? `<text class="seg-label${dark ? ' dark' : ''}${k === 'unknown' ? ' on-hatch' : ''}" x="${px(x + w / 2)}" y="${px(ry + barH / 2 + 4)}" text-anchor="middle">${escapeHtml(label)}</text>`
                : ''
            }<title>${escapeHtml(title)}</title></g>`,
          );
          x += w;
        });
        out.push(`<rect class="bar-frame" x="${BAR_X}" y="${px(ry)}" width="${BAR_W}" height="${barH}" rx="2"/>`);
      }
      // Right: delivery rate and what did not go.
      const tried = attempted(o);
      const notes: string[] = [];
      for (const k of ['failed', 'suppressed', 'unknown', 'expired', 'cancelled', 'pending'] as const)
        if (o[k]) notes.push(`<tspan class="t-${k}">${escapeHtml(OUTCOME_NAMES[k][lang])} ${formatInt(o[k])}</tspan>`);
      out.push(
        `<text class="rate" x="${RIGHT_X}" y="${px(ry + 9)}">${tried > 0 ? `<tspan class="rate-v">${formatShare(o.sent, tried)}</tspan> ${escapeHtml(tx.delivered)}` : `<tspan class="muted-t">${escapeHtml(tx.notSentYet)}</tspan>`}</text>`,
      );
      if (notes.length)
        out.push(`<text class="rate-sub" x="${RIGHT_X}" y="${px(ry + 23)}">${notes.join('<tspan> · </tspan>')}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('');
}

/** The revenue bars leave room after them for their label and, right-aligned, the ROI. */
const REV_W = 500;

function renderRevenueChart(waves: WaveGroup[], mode: RoiMode, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const barH = 16;
  const rowH = 30;
  const waveGap = 8;
  const top = 10;
  const revenues = waves.flatMap((w) => w.rows.map((r) => finite(r.revenue) ?? 0));
  const max = Math.max(0, ...revenues);
  const layout: { wave: WaveGroup; y: number; h: number }[] = [];
  let y = top;
  for (const w of waves) {
    const h = w.rows.length * rowH;
    layout.push({ wave: w, y, h });
    y += h + waveGap;
  }
  const height = y + 2;
  const out: string[] = [];
  out.push(
    `<svg class="chart revenue" viewBox="0 0 ${SVG_W} ${px(height)}" width="${SVG_W}" height="${px(height)}" role="img" aria-label="${escapeHtml(tx.revenueAria)}">`,
  );
  layout.forEach(({ wave, y: wy, h }, wi) => {
    out.push(
      `<rect class="wave-bg" x="0" y="${px(wy - 3)}" width="${SVG_W}" height="${px(h + 6)}" fill="${wi % 2 === 0 ? '#ffffff' : '#f8fafc'}"/>`,
    );
    out.push(
      `<text class="wave-id" x="8" y="${px(wy + rowH / 2 + 5)}">${escapeHtml(truncate(wave.id, 16))}<title>${escapeHtml(wave.id)}</title></text>`,
    );
    wave.rows.forEach((row, ri) => {
      const ry = wy + ri * rowH + (rowH - barH) / 2;
      const cls = channelClass(row.channel);
      out.push(
        `<text class="lane-label" x="${BAR_X - 14}" y="${px(ry + barH / 2 + 4)}" text-anchor="end"><tspan class="ch-${cls}">${channelName(row.channel, lang)}</tspan></text>`,
      );
      const revenue = finite(row.revenue);
      const orders = finite(row.orders);
      const cost = finite(row.cost);
      const roi = finite(row.roi);
      const facts: string[] = [];
      if (revenue !== null) facts.push(`<tspan class="money">${escapeHtml(formatCny(revenue))}</tspan>`);
      if (orders !== null) facts.push(escapeHtml(tx.orders(orders)));
      if (cost !== null) facts.push(escapeHtml(tx.cost(formatCny(cost))));
      let x = BAR_X;
      if (revenue !== null && revenue > 0 && max > 0) {
        const w = Math.max(2, (revenue / max) * REV_W);
        out.push(
          `<rect class="rev-bar ch-${cls}" x="${BAR_X}" y="${px(ry)}" width="${px(w)}" height="${barH}" rx="2"><title>${escapeHtml(`${rowTitle(wave.id, row, lang)}\n${tx.revenue(formatCny(revenue))}${orders !== null ? `, ${tx.orders(orders)}` : ''}${cost !== null ? `\n${tx.cost(formatCny(cost))}` : ''}`)}</title></rect>`,
        );
        x += w;
      }
      out.push(
        `<text class="rev-label" x="${px(x + 8)}" y="${px(ry + barH / 2 + 4)}">${facts.length ? facts.join('<tspan class="sep"> · </tspan>') : `<tspan class="muted-t">${escapeHtml(tx.noOrders)}</tspan>`}</text>`,
      );
      const perYuan =
        revenue !== null && cost !== null && cost > 0
          ? `<tspan class="per-yuan">${escapeHtml(perYuan1(revenue, cost, tx))} · </tspan>`
          : '';
      if (roi !== null || perYuan)
        out.push(
          `<text class="roi-label${roi !== null && (roi < 0 || (mode === 'gross' && roi < 1)) ? ' neg' : ''}" x="${SVG_W - 10}" y="${px(ry + barH / 2 + 5)}" text-anchor="end">${perYuan}${roi !== null ? `ROI ${escapeHtml(formatRoi(roi, mode))}` : ''}</text>`,
        );
    });
  });
  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------
// Table

type ReasonKind = 'failed' | 'suppressed' | 'expired' | 'cancelled';

function reasonCell(record: Record<string, number> | undefined, kind: ReasonKind, lang: Lang): string {
  const entries = sortedEntries(record);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (entries.length === 0) return `<td class="reasons-cell"><span class="zero">0</span></td>`;
  const items = entries
    .map(([code, n]) => {
      const r = reasonOf(code, lang);
      return `<li><span class="rc"><code>${escapeHtml(code)}</code> <b>${formatInt(n)}</b></span>${r ? `<span class="why">${escapeHtml(r.short)}</span>` : ''}</li>`;
    })
    .join('');
  return `<td class="reasons-cell ${kind}"><div class="tot">${formatInt(total)}</div><ul>${items}</ul></td>`;
}

const numCell = (value: unknown, format: (n: number) => string = formatInt, cls = ''): string => {
  const v = finite(value);
  return v === null ? `<td class="num blank${cls}"></td>` : `<td class="num${cls}">${escapeHtml(format(v))}</td>`;
};

/** The cells after wave and channel; the money columns only when the report has any money at all. */
function outcomeCells(r: Omit<ReportRow, 'waveId' | 'channel'>, mode: RoiMode, money: boolean, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const o = outcomes(r);
  const tried = attempted(o);
  const unknownCls = o.unknown > 0 ? ' warn' : '';
  return [
    `<td class="num">${formatInt(o.planned)}</td>`,
    `<td class="num">${formatInt(o.sent)}${tried > 0 ? `<div class="sub">${formatShare(o.sent, tried)} ${escapeHtml(tx.delivered)}</div>` : ''}</td>`,
    reasonCell(r.failed, 'failed', lang),
    reasonCell(r.suppressed, 'suppressed', lang),
    `<td class="num${unknownCls}">${o.unknown > 0 ? `<a href="#unknown">${formatInt(o.unknown)}</a>` : '<span class="zero">0</span>'}</td>`,
    // By reason when the report says why; a count alone otherwise.
    r.expiredBy
      ? reasonCell(r.expiredBy, 'expired', lang)
      : `<td class="num">${o.expired > 0 ? formatInt(o.expired) : '<span class="zero">0</span>'}</td>`,
    r.cancelledBy
      ? reasonCell(r.cancelledBy, 'cancelled', lang)
      : `<td class="num">${o.cancelled > 0 ? formatInt(o.cancelled) : '<span class="zero">0</span>'}</td>`,
    `<td class="num">${o.pending > 0 ? formatInt(o.pending) : '<span class="zero">0</span>'}</td>`,
    numCell(r.smsParts),
    ...(money
      ? [
          numCell(r.orders),
          numCell(r.revenue, formatCny),
          numCell(r.cost, formatCny),
          numCell(r.roi, (v) => formatRoi(v, mode), ' roi'),
        ]
      : []),
  ].join('');
}

function renderTable(waves: WaveGroup[], report: CampaignReport, mode: RoiMode, money: boolean, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const h = tx.head;
  const th = (text: string, cls = '', title = ''): string =>
    `<th${cls ? ` class="${cls}"` : ''}${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</th>`;
  const body = waves
    .map((w) =>
      w.rows
        .map((row, i) => {
          const waveCell =
            i === 0 ? `<th scope="rowgroup" rowspan="${w.rows.length}" class="wave">${escapeHtml(w.id)}</th>` : '';
          const cls = channelClass(row.channel);
          return `<tr class="${i === 0 ? 'first' : ''}">${waveCell}<td class="channel"><span class="swatch ${cls}"></span>${channelName(row.channel, lang)}</td>${outcomeCells(row, mode, money, lang)}</tr>`;
        })
        .join(''),
    )
    .join('');
  const totals = report.totals ?? ({} as CampaignReport['totals']);
  const foot = `<tr><th scope="row" colspan="2">${escapeHtml(tx.allWaves)}</th>${outcomeCells(totals, mode, money, lang)}</tr>`;
  const moneyHead = money
    ? [th(h.orders, 'num'), th(h.revenue, 'num'), th(h.cost, 'num'), th('ROI', 'num')].join('')
    : '';
  const head = [
    th(h.wave),
    th(h.channel),
    th(h.planned, 'num'),
    th(h.sent, 'num'),
    th(h.failed),
    th(h.suppressed),
    th(h.unknown, 'num'),
    th(h.expired, 'num', h.expiredTitle),
    th(h.cancelled, 'num'),
    th(h.pending, 'num'),
    th(h.smsParts, 'num'),
  ].join('');
  return `<div class="swipe">${escapeHtml(tx.swipe)}</div><div class="table-wrap"><table class="report"><thead><tr>${head}${moneyHead}</tr></thead><tbody>${body}</tbody><tfoot>${foot}</tfoot></table></div>`;
}

// ---------------------------------------------------------------------------
// Unknown outcomes and reasons

const MAX_UNKNOWN_ROWS = 200;

function renderUnknown(
  report: CampaignReport,
  waveOrder: Map<string, number>,
  totalUnknown: number,
  lang: Lang,
): string {
  const tx = REPORT_TEXTS[lang];
  const list: UnknownTouch[] = [...(report.unknownTouches ?? [])];
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  list.sort(
    (a, b) =>
      (waveOrder.get(String(a.waveId)) ?? 1e9) - (waveOrder.get(String(b.waveId)) ?? 1e9) ||
      cmp(String(a.waveId), String(b.waveId)) ||
      (CHANNEL_ORDER[a.channel] ?? 2) - (CHANNEL_ORDER[b.channel] ?? 2) ||
      cmp(String(a.sendId), String(b.sendId)) ||
      cmp(String(a.customerId), String(b.customerId)),
  );
  const explain = `<p class="explain">${tx.unknownExplain}</p>`;
  if (list.length === 0) {
    return totalUnknown > 0
      ? `${explain}<p class="empty">${escapeHtml(tx.unknownNoneListed(totalUnknown))}</p>`
      : `<p class="ok">${escapeHtml(tx.noUnknown)}</p>`;
  }
  const shown = list.slice(0, MAX_UNKNOWN_ROWS);
  const rows = shown
    .map(
      (t, i) =>
        `<tr><td class="num idx">${i + 1}</td><td><code>${escapeHtml(t.customerId)}</code></td><td>${escapeHtml(t.waveId)}</td><td><span class="swatch ${channelClass(t.channel)}"></span>${channelName(t.channel, lang)}</td><td><code>${escapeHtml(t.sendId)}</code></td></tr>`,
    )
    .join('');
  const more = list.length - shown.length;
  const moreNote = more > 0 ? `<p class="note more">${tx.moreNotShown(more, list.length)}</p>` : '';
  const h = tx.unknownHead;
  return `${explain}<div class="table-wrap"><table class="unknown-list"><thead><tr><th class="num">#</th><th>${escapeHtml(h.customer)}</th><th>${escapeHtml(h.wave)}</th><th>${escapeHtml(h.channel)}</th><th>${escapeHtml(h.send)}</th></tr></thead><tbody>${rows}</tbody></table></div>${moreNote}`;
}

function renderReasons(report: CampaignReport, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const FIELD = { failed: 'failed', suppressed: 'suppressed', expired: 'expiredBy', cancelled: 'cancelledBy' } as const;
  const tally = (kind: ReasonKind): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of report.rows ?? [])
      for (const [code, n] of sortedEntries(r[FIELD[kind]])) m.set(code, (m.get(code) ?? 0) + n);
    return m;
  };
  const sections: string[] = [];
  for (const kind of ['failed', 'suppressed', 'expired', 'cancelled'] as const) {
    const fromRows = tally(kind);
    const totals = sortedEntries(report.totals?.[FIELD[kind]]);
    const entries: [string, number][] = totals.length ? totals : [...fromRows.entries()];
    for (const code of fromRows.keys())
      if (!entries.some(([c]) => c === code)) entries.push([code, fromRows.get(code) ?? 0]);
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [code, n] of entries) sections.push(reasonRow(kind, code, n, lang));
  }
  if (sections.length === 0) return `<p class="ok">${escapeHtml(tx.nothingFailed)}</p>`;
  const h = tx.reasonHead;
  return `<table class="reasons stack"><thead><tr><th>${escapeHtml(h.reason)}</th><th>${escapeHtml(h.outcome)}</th><th class="num">${escapeHtml(h.touches)}</th><th>${escapeHtml(h.meaning)}</th></tr></thead><tbody>${sections.join('')}</tbody></table>`;
}

function reasonRow(kind: ReasonKind, code: string, n: number, lang: Lang): string {
  const h = REPORT_TEXTS[lang].reasonHead;
  const r = reasonOf(code, lang);
  const text = r ? escapeHtml(r.long) : `<span class="muted">${escapeHtml(REPORT_TEXTS[lang].noDescription)}</span>`;
  const name = r ? `<b>${escapeHtml(r.short)}</b> ` : '';
  return `<tr><td data-label="${escapeHtml(h.reason)}">${name}<code>${escapeHtml(code)}</code></td><td data-label="${escapeHtml(h.outcome)}"><span class="pill ${kind}">${escapeHtml(OUTCOME_NAMES[kind][lang])}</span></td><td data-label="${escapeHtml(h.touches)}" class="num">${formatInt(n)}</td><td data-label="${escapeHtml(h.meaning)}">${text}</td></tr>`;
}

// ---------------------------------------------------------------------------
// Page

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#1e293b;font:14px/1.45 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
main{max-width:1400px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
h2 .count{color:#64748b;font-weight:500}
code{font:12px/1.3 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;background:#f1f5f9;border-radius:3px;padding:0 3px}
a{color:inherit}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;margin-top:14px}
.meta{color:#475569;display:flex;flex-wrap:wrap;gap:4px 18px}
.meta b{color:#1e293b;font-weight:600}
.top{display:flex;gap:14px;align-items:stretch;margin-top:14px}
.stats{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;flex:1}
.stats.wide{grid-template-columns:repeat(7,1fr)}
.stat{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 12px;border-top:3px solid #e2e8f0}
.stat .k{color:#64748b;font-size:12px;white-space:nowrap}
.stat .v{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px;white-space:nowrap}
.stat .s{color:#64748b;font-size:12px}
.stat.sent{border-top-color:#16a34a}.stat.failed{border-top-color:#dc2626}.stat.suppressed{border-top-color:#8b5cf6}
.stat.unknown{border-top-color:#d97706}.stat.pending{border-top-color:#94a3b8}.stat.money{border-top-color:#c2185b}
.stat.alert{background:#fffbeb;border-color:#f59e0b;border-top-color:#d97706}
.stat.alert a{color:#92400e;font-weight:600}
.hero{background:#c2185b;color:#fff;border-radius:8px;padding:10px 16px;width:300px;flex:none}
.hero .k{font-size:12px;opacity:.9}
.hero .v{font-size:26px;font-weight:700;letter-spacing:.3px;font-variant-numeric:tabular-nums}
.hero .s{font-size:12.5px;opacity:.95}
.hero .s b{font-size:15px}
.hero.incremental.unsure,.hero.unknown-effect{background:#475569}
.hero.incremental.down{background:#b91c1c}
.hero .ci{font-variant-numeric:tabular-nums;white-space:nowrap}
table.increment td.up b{color:#15803d}
table.increment td.down b{color:#b91c1c}
table.increment td.num .sub{color:#64748b}
table.increment tr.unknown-effect td{color:#64748b;font-style:italic}
.ci{white-space:nowrap}
@media (max-width:640px){main{padding:12px 10px 30px}.top{flex-wrap:wrap}.hero{width:auto;flex:1 1 100%}.stats,.stats.wide{grid-template-columns:repeat(2,minmax(0,1fr))}.stat .k,.stat .v{white-space:normal}}
.running{background:#eff6ff;border:1px solid #93c5fd;border-left:6px solid #3b82f6;border-radius:8px;padding:8px 16px;margin-top:14px;color:#1e3a8a}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#475569;margin:0 0 4px}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px;background:#94a3b8}
.swatch.email{background:#3b82f6}.swatch.sms{background:#f59e0b}
.swatch.sent{background:#16a34a}.swatch.failed{background:#dc2626}.swatch.suppressed{background:#8b5cf6}
.swatch.unknown{background:repeating-linear-gradient(45deg,#b45309 0 2px,#fde68a 2px 5px)}
.swatch.pending{background:#e2e8f0;border:1px solid #cbd5e1}
.swatch.expired{background:#fcd34d}.swatch.cancelled{background:#475569}
.legend .sep{color:#cbd5e1}
.chart-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.swipe{display:none;color:#64748b;font-size:12px;margin:2px 0 4px}
.chart{display:block;width:100%;height:auto;font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.chart text{font-size:12px;fill:#475569}
.chart .grid{stroke:#e2e8f0;stroke-width:1}
.chart .tick{font-size:12px;fill:#94a3b8;font-variant-numeric:tabular-nums}
.chart .axis-title{font-size:12px;fill:#94a3b8;font-style:italic}
.chart .wave-id{font-size:13px;font-weight:650;fill:#0f172a}
.chart .wave-sub{font-size:12px;fill:#64748b;font-variant-numeric:tabular-nums}
.chart .lane-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .ch-email{fill:#2563eb;font-weight:600}
.chart .ch-sms{fill:#c2410c;font-weight:600}
.chart .ch-other{fill:#475569;font-weight:600}
.chart rect.ch-email{fill:#3b82f6}.chart rect.ch-sms{fill:#f59e0b}.chart rect.ch-other{fill:#94a3b8}
.chart .seg-sent{fill:#16a34a}.chart .seg-failed{fill:#dc2626}.chart .seg-suppressed{fill:#8b5cf6}
.chart .seg-unknown{fill:url(#hatch-unknown)}.chart .seg-pending{fill:#e2e8f0}
.chart .seg-expired{fill:#fcd34d}.chart .seg-cancelled{fill:#475569}.chart .seg.empty{fill:#f1f5f9}
.chart .seg{stroke:#fff;stroke-width:1}
.chart .bar-frame{fill:none;stroke:#cbd5e1;stroke-width:1}
.chart .seg-label{font-size:12px;fill:#fff;font-weight:600;pointer-events:none;font-variant-numeric:tabular-nums}
.chart .seg-label.dark{fill:#334155}
.chart .seg-label.on-hatch{fill:#451a03;paint-order:stroke;stroke:#fef3c7;stroke-width:3px}
.chart .rate{font-size:12px;fill:#334155}
.chart .rate-v{font-size:13px;font-weight:700;fill:#15803d;font-variant-numeric:tabular-nums}
.chart .rate-sub{font-size:12px;font-variant-numeric:tabular-nums}
.chart .t-failed{fill:#b91c1c}.chart .t-suppressed{fill:#6d28d9}.chart .t-unknown{fill:#b45309;font-weight:700}.chart .t-pending{fill:#64748b}
.chart .t-expired{fill:#a16207}.chart .t-cancelled{fill:#334155}
.chart .muted-t{fill:#94a3b8;font-style:italic}
.chart .rev-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .rev-label .money{font-weight:650;fill:#0f172a}
.chart .rev-label .sep{fill:#94a3b8}
.chart .roi-label{font-size:13px;font-weight:700;fill:#15803d;font-variant-numeric:tabular-nums}
.chart .roi-label.neg{fill:#b91c1c}
.chart .per-yuan{font-size:12px;font-weight:500;fill:#64748b}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
thead th{font-size:12px;color:#64748b;font-weight:600;border-bottom:2px solid #cbd5e1;white-space:nowrap}
tbody th{font-weight:650;white-space:nowrap}
table.report tbody tr.first td,table.report tbody tr.first th{border-top:2px solid #cbd5e1}
table.report th.wave{font-size:14px;color:#0f172a}
table.report th,table.report td{padding:6px 5px}
table.report thead th{white-space:normal;vertical-align:bottom}
table.report td.num .sub{white-space:normal}
td.channel{white-space:nowrap;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.num .sub{font-size:11px;color:#15803d;font-weight:500}
td.warn{background:#fffbeb;color:#92400e;font-weight:700}
td.roi{font-weight:650;color:#15803d}
td.blank{background:repeating-linear-gradient(135deg,transparent 0 6px,#f8fafc 6px 8px)}
.zero{color:#cbd5e1}
.reasons-cell{min-width:110px;max-width:175px}
.reasons-cell .tot{font-weight:650;font-variant-numeric:tabular-nums}
.reasons-cell.failed .tot{color:#b91c1c}.reasons-cell.suppressed .tot{color:#6d28d9}
.reasons-cell ul{list-style:none;margin:2px 0 0;padding:0}
.reasons-cell li{font-size:12px;line-height:1.3;margin:3px 0}
.reasons-cell .rc{white-space:nowrap}
.reasons-cell .rc b{font-weight:600;font-variant-numeric:tabular-nums}
.reasons-cell .why{display:block;color:#64748b;font-size:11.5px}
tfoot th,tfoot td{font-weight:600;border-top:2px solid #94a3b8;border-bottom:none;background:#f8fafc}
tfoot .reasons-cell .why{display:none}
.pill{display:inline-block;white-space:nowrap;font-size:11px;border-radius:10px;padding:0 8px;font-weight:600}
.pill.failed{background:#fee2e2;color:#991b1b}.pill.suppressed{background:#ede9fe;color:#5b21b6}
.pill.expired{background:#fef3c7;color:#92400e}.pill.cancelled{background:#e2e8f0;color:#334155}
.unknown-card{border-left:6px solid #d97706}
.explain{background:#fffbeb;border:1px solid #fde68a;border-radius:6px;padding:8px 12px;margin:0 0 10px;color:#78350f}
table.unknown-list{width:auto;min-width:60%}
table.unknown-list td.idx{color:#94a3b8}
.muted{color:#94a3b8}
.empty{color:#64748b;font-style:italic}
.ok{color:#15803d}
.note{color:#64748b;font-size:12px;margin-top:6px}
.note.more{font-size:13px;color:#92400e}
footer{color:#94a3b8;font-size:12px;margin-top:18px}
h1{overflow-wrap:anywhere}
@media (max-width:900px){.chart{width:1240px;max-width:none}.swipe{display:block}}
@media (max-width:640px){
.card{padding:12px 10px}
table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}
table.stack tr{border-bottom:1px solid #e2e8f0;padding:6px 0}
table.stack td{border:none;padding:2px 0;text-align:left;white-space:normal}
table.stack td[data-label]::before{content:attr(data-label) "：";color:#64748b;font-weight:400}
}
`;

function stat(k: string, v: string, s: string, cls: string): string {
  return `<div class="stat ${cls}"><div class="k">${k}</div><div class="v">${v}</div>${s ? `<div class="s">${s}</div>` : ''}</div>`;
}

// ---------------------------------------------------------------------------
// What the campaign added: measured against control groups (cause), not attributed (credit)

/** "+¥3,000.00", "-¥120.50": a signed amount of CNY. */
function signedCny(value: number): string {
  return value > 0 && Math.round(value * 100) > 0 ? `+${formatCny(value)}` : formatCny(value);
}

/** "+1,631", "-2.5": a signed count, to one decimal below 100. */
function signedCount(value: number): string {
  const text = trimDecimal(value, Math.abs(value) >= 100 ? 0 : 1);
  return value > 0 && text !== '0' ? `+${text}` : text;
}

function signedPoints(value: number): string {
  const text = value.toFixed(2);
  return `${value > 0 && text !== '0.00' ? '+' : ''}${text}`;
}

/** Whether the interval lies wholly above zero, wholly below, or spans it. */
function intervalSign(estimate: Estimate | null | undefined): 'up' | 'down' | 'unsure' {
  const low = finite(estimate?.interval?.low);
  const high = finite(estimate?.interval?.high);
  if (low !== null && low > 0) return 'up';
  if (high !== null && high < 0) return 'down';
  return 'unsure';
}

const roundedCny = (value: number): string => formatCny(Math.round(value)).replace(/\.00$/, '');
const signedRoundedCny = (value: number): string => signedCny(Math.round(value)).replace(/\.00$/, '');

/** An estimate's 95% interval, "¥898 至 ¥5,102", or why there is none. */
function intervalText(estimate: Estimate | null | undefined, format: (n: number) => string, tx: ReportTexts): string {
  const low = finite(estimate?.interval?.low);
  const high = finite(estimate?.interval?.high);
  if (low === null || high === null) return `<span class="muted">${escapeHtml(tx.tooFewBuyers)}</span>`;
  return tx.interval(escapeHtml(format(low)), escapeHtml(format(high)));
}

/** The headline: what the waves with a control group added, beside attribution's credit. */
function renderIncrementalHero(incremental: ReportIncremental | undefined, tx: ReportTexts): string {
  const totals = incremental?.totals;
  const revenue = totals?.revenue ?? null;
  const orders = totals?.orders ?? null;
  const value = finite(revenue?.value);
  if (!totals || value === null || !orders) {
    return `<div class="hero unknown-effect"><div class="k">${escapeHtml(tx.unknownEffectTitle)}</div><div class="v">${escapeHtml(tx.unknownEffectValue)}</div><div class="s">${escapeHtml(tx.unknownEffectNote)}</div></div>`;
  }
  const sign = intervalSign(revenue);
  const verdict = sign === 'up' ? tx.verdictUp : sign === 'down' ? tx.verdictDown : tx.verdictUnsure;
  const waves = totals.waves.map((id) => escapeHtml(id)).join('、');
  const unknown = totals.unknownWaves.length
    ? `<br>${escapeHtml(tx.notCounted)}${totals.unknownWaves.map((id) => escapeHtml(id)).join('、')}`
    : '';
  return `<div class="hero incremental ${sign}"><div class="k">${escapeHtml(tx.addedTitle)}</div><div class="v">${escapeHtml(signedRoundedCny(value))}</div><div class="s">${intervalText(revenue, roundedCny, tx)}<br>${escapeHtml(tx.addedOrders)} <b>${escapeHtml(signedCount(n0(orders.value)))}</b> (${intervalText(orders, (n) => trimDecimal(n, 0), tx)})<br>${escapeHtml(verdict)}<br>${escapeHtml(tx.againstControls)}${waves}${unknown}</div></div>`;
}

function waveIncrementRow(wave: WaveIncrement, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const id = `<th scope="row">${escapeHtml(wave.waveId)}</th>`;
  if (!wave.known) {
    return `<tr class="unknown-effect">${id}<td colspan="6">${escapeHtml(nameOf(UNKNOWN_LIFT, wave.why, lang))}</td></tr>`;
  }
  const rate = (r: number) => `${(r * 100).toFixed(1)}%`;
  const cell = (estimate: Estimate, text: string, format: (n: number) => string) =>
    `<td class="num ${intervalSign(estimate)}"><b>${escapeHtml(text)}</b><div class="sub">${intervalText(estimate, format, tx)}</div></td>`;
  return [
    `<tr>${id}`,
    `<td class="num">${formatInt(wave.treated.customers)}<div class="sub">${escapeHtml(tx.bought(rate(wave.treatedRate)))}</div></td>`,
    `<td class="num">${formatInt(wave.control.customers)}<div class="sub">${escapeHtml(tx.bought(rate(wave.controlRate)))}</div></td>`,
    cell(wave.conversionPoints, tx.points(signedPoints(wave.conversionPoints.value)), (n) => signedPoints(n)),
    cell(wave.orders, signedCount(wave.orders.value), (n) => trimDecimal(n, 0)),
    cell(wave.revenue, signedRoundedCny(wave.revenue.value), roundedCny),
    `<td class="num">${escapeHtml(roundedCny(wave.treated.revenue))}<div class="sub">${escapeHtml(tx.heldOut(roundedCny(wave.control.revenue)))}</div></td>`,
    '</tr>',
  ].join('');
}

/** Every wave: its treated vs its control group, and what it added with 95% intervals; or that it is unknown. */
function renderIncremental(report: CampaignReport, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const incremental = report.incremental;
  if (!incremental || !Array.isArray(incremental.waves) || incremental.waves.length === 0) return '';
  const hours = String(incremental.windowHours ?? report.attributionHours ?? 72);
  const rows = incremental.waves.map((w) => waveIncrementRow(w, lang)).join('');
  const h = tx.incrementalHead;
  const heads = [h.sent, h.heldOut, h.lift, h.orders, h.revenue, h.inWindow]
    .map((text) => `<th class="num">${escapeHtml(text)}</th>`)
    .join('');
  return `<section class="card" id="incremental"><h2>${escapeHtml(tx.incrementalTitle)}</h2><div class="table-wrap"><table class="increment"><thead><tr><th>${escapeHtml(h.wave)}</th>${heads}</tr></thead><tbody>${rows}</tbody></table></div><div class="note">${escapeHtml(tx.incrementalNote(hours))}</div></section>`;
}

/** Results by member tier: who was reached in each tier, what it cost and what it brought. */
function renderTiers(report: CampaignReport, lang: Lang): string {
  if (!report.byTier || report.byTier.length === 0) return '';
  const tx = REPORT_TEXTS[lang];
  const mode = roiMode(report);
  const rows = report.byTier
    .map(
      (row) =>
        `<tr><td><b>${row.tier === '' ? `<span class="muted">${escapeHtml(tx.noTier)}</span>` : escapeHtml(row.tier)}</b></td><td class="num">${formatInt(row.customers)}</td><td class="num">${formatInt(row.planned)}</td><td class="num">${formatInt(row.sent)}</td><td class="num">${formatInt(row.orders)}</td><td class="num">${formatCny(row.revenue)}</td><td class="num">${formatCny(row.cost)}</td><td class="num">${row.roi === undefined ? '–' : formatRoi(row.roi, mode)}</td></tr>`,
    )
    .join('');
  const h = tx.head;
  const heads = [tx.tierHead.customers, h.planned, h.sent, h.orders, h.revenue, h.cost, 'ROI']
    .map((text) => `<th class="num">${escapeHtml(text)}</th>`)
    .join('');
  return `<section class="card"><h2>${escapeHtml(tx.tiersTitle)}</h2><div class="table-wrap"><table class="tiers"><thead><tr><th>${escapeHtml(tx.tierHead.tier)}</th>${heads}</tr></thead><tbody>${rows}</tbody></table></div><div class="note">${escapeHtml(tx.tiersNote)}</div></section>`;
}

/** The newest entries shown; the whole trail is in report.json. */
const AUDIT_SHOWN = 20;

/** The audit trail, newest first and brief: when, who, what, and the version, wave or reason. */
function renderAudit(report: CampaignReport, lang: Lang): string {
  const tx = REPORT_TEXTS[lang];
  const entries = Array.isArray(report.audit) ? report.audit : [];
  if (entries.length === 0) return '';
  const zone = typeof report.timezone === 'string' && isValidTimeZone(report.timezone) ? report.timezone : 'UTC';
  const when = (at: unknown): string => {
    const instant = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    return Number.isNaN(instant) ? '—' : formatInstant(instant, zone).slice(0, 19).replace('T', ' ');
  };
  const state = (code: string | null | undefined): string => (code ? nameOf(STATE_NAMES, code, lang) : '—');
  const h = tx.auditHead;
  const shown = entries.slice(-AUDIT_SHOWN).reverse();
  const rows = shown
    .map((entry) => {
      const label = nameOf(ACTION_NAMES, entry.action, lang);
      const details = [
        entry.version !== undefined ? `v${entry.version}` : '',
        entry.waveId ? tx.auditWave(entry.waveId) : '',
        entry.reason ?? '',
      ]
        .filter(Boolean)
        .map((part) => escapeHtml(part))
        .join(' · ');
      const change = entry.from === entry.to ? '' : `${escapeHtml(state(entry.from))} → ${escapeHtml(state(entry.to))}`;
      return `<tr><td data-label="${escapeHtml(h.when(zone))}" class="num">${escapeHtml(when(entry.at))}</td><td data-label="${escapeHtml(h.who)}">${escapeHtml(entry.actor)}</td><td data-label="${escapeHtml(h.what)}"><b>${escapeHtml(label)}</b></td><td data-label="${escapeHtml(h.state)}">${change}</td><td data-label="${escapeHtml(h.details)}">${details}</td></tr>`;
    })
    .join('');
  const more =
    entries.length > shown.length
      ? `<p class="note more">${tx.auditMore(entries.length - shown.length, entries.length)}</p>`
      : '';
  const current = report.state ? ` · ${escapeHtml(state(report.state))}` : '';
  return `<section class="card" id="audit"><h2>${escapeHtml(tx.auditTitle)}${current}</h2><table class="audit stack"><thead><tr><th>${escapeHtml(h.when(zone))}</th><th>${escapeHtml(h.who)}</th><th>${escapeHtml(h.what)}</th><th>${escapeHtml(h.state)}</th><th>${escapeHtml(h.details)}</th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`;
}

export interface ReportPageOptions {
  /** Simplified Chinese unless told otherwise. */
  lang?: Lang;
  /** The address of the same report in the other language, for the switch (`report.en.html`, `?lang=en`). */
  otherHref?: string;
}

export function renderReportPage(report: CampaignReport, options: ReportPageOptions = {}): string {
  const lang = options.lang ?? DEFAULT_LANG;
  const tx = REPORT_TEXTS[lang];
  const zone = typeof report.timezone === 'string' && isValidTimeZone(report.timezone) ? report.timezone : undefined;
  const rows = Array.isArray(report.rows) ? report.rows : [];
  const waves = groupWaves(rows);
  const waveOrder = new Map(waves.map((w, i) => [w.id, i]));
  const totals = report.totals ?? ({} as CampaignReport['totals']);
  const t = outcomes(totals);
  const tried = attempted(t);
  const mode = roiMode(report);
  const money = hasMoney(totals) || rows.some(hasMoney);
  const revenue = finite(totals.revenue);
  const cost = finite(totals.cost);
  const roi = finite(totals.roi);
  const orders = finite(totals.orders);
  const st = tx.stat;
  const e = escapeHtml;

  const title = tx.title(report.campaignId);
  const meta = [
    `<span>${e(tx.asOf)} <b>${formatAsOf(report.asOf, zone, lang)}</b></span>`,
    `<span>${e(tx.timeZone)} <b>${e(report.timezone ?? '—')}</b></span>`,
    `<span>${e(tx.wavesRows(waves.length, rows.length))}</span>`,
    money ? `<span>${e(tx.moneyInCny)}</span>` : '',
  ].join('');

  const topReason = (record: Record<string, number> | undefined): string => {
    const first = sortedEntries(record)[0];
    if (!first) return '';
    const r = reasonOf(first[0], lang);
    return e(tx.most(formatInt(first[1]), r ? (r.tag ?? r.short) : first[0]));
  };
  // Headline: what the campaign added (against control groups) once orders exist; the delivery rate before.
  const hero = money
    ? renderIncrementalHero(report.incremental, tx)
    : `<div class="hero"><div class="k">${e(tx.deliveryHero)}</div><div class="v">${formatShare(t.sent, tried)}</div><div class="s">${e(tx.deliveryHeroNote(formatInt(t.sent), formatInt(tried)))}</div></div>`;
  const outcomeStats = [
    stat(e(st.planned[0]), formatInt(t.planned), e(st.planned[1]), ''),
    stat(e(st.sent), formatInt(t.sent), e(tx.ofPlanned(formatShare(t.sent, t.planned))), 'sent'),
    stat(e(st.deliveryRate[0]), formatShare(t.sent, tried), e(st.deliveryRate[1]), 'sent'),
    stat(e(st.failed), formatInt(t.failed), topReason(totals.failed), 'failed'),
    stat(e(st.suppressed), formatInt(t.suppressed), topReason(totals.suppressed), 'suppressed'),
    stat(
      e(st.unknown),
      formatInt(t.unknown),
      t.unknown > 0 ? `<a href="#unknown">${e(st.checkProvider)}</a>` : e(st.everyAnswer),
      t.unknown > 0 ? 'unknown alert' : 'unknown',
    ),
    t.pending > 0
      ? stat(e(st.pending[0]), formatInt(t.pending), e(st.pending[1]), 'pending')
      : t.expired + t.cancelled > 0
        ? stat(
            e(st.expiredCancelled[0]),
            `${formatInt(t.expired)} · ${formatInt(t.cancelled)}`,
            e(st.expiredCancelled[1]),
            'pending',
          )
        : stat(
            e(st.smsParts[0]),
            finite(totals.smsParts) !== null ? formatInt(n0(totals.smsParts)) : '—',
            e(st.smsParts[1]),
            '',
          ),
  ];
  const moneyStats = money
    ? [
        stat(e(st.attributedOrders[0]), orders !== null ? formatInt(orders) : '—', e(st.attributedOrders[1]), 'money'),
        stat(
          e(st.attributedRevenue[0]),
          revenue !== null ? e(formatCny(revenue)) : '—',
          e(st.attributedRevenue[1]),
          'money',
        ),
        stat(e(st.cost[0]), cost !== null ? e(formatCny(cost)) : '—', e(st.cost[1]), 'money'),
        stat(
          e(st.attributedRoi),
          roi !== null ? e(formatRoi(roi, mode)) : '—',
          e(mode === 'gross' ? st.roiGross : mode === 'net' ? st.roiNet : st.roiAsGiven),
          'money',
        ),
      ]
    : [];

  const running = t.pending > 0 ? `<div class="running">${tx.running(t.pending)}</div>` : '';

  const lg = tx.legend;
  const legend = `<div class="legend"><span><span class="swatch sent"></span>${e(lg.sent)}</span><span><span class="swatch failed"></span>${e(lg.failed)}</span><span><span class="swatch suppressed"></span>${e(lg.suppressed)}</span><span><span class="swatch unknown"></span>${e(lg.unknown)}</span><span><span class="swatch expired"></span>${e(lg.expired)}</span><span><span class="swatch cancelled"></span>${e(lg.cancelled)}</span><span><span class="swatch pending"></span>${e(lg.pending)}</span><span class="sep">|</span><span><span class="swatch email"></span>${channelName('email', lang)}</span><span><span class="swatch sms"></span>${channelName('sms', lang)}</span></div>`;
  const swipe = `<div class="swipe">${e(tx.swipe)}</div>`;

  const outcomeCard = waves.length
    ? `<section class="card"><h2>${e(tx.outcomesTitle)}</h2>${legend}<div class="note" style="margin:0 0 4px">${e(tx.outcomesNote)}</div>${swipe}<div class="chart-scroll">${renderOutcomeChart(waves, lang)}</div></section>`
    : `<section class="card"><h2>${e(tx.outcomesTitle)}</h2><p class="empty">${e(tx.noRows)}</p></section>`;
  const rl = tx.revenueLegend;
  const revenueCard =
    money && waves.length
      ? `<section class="card"><h2>${e(tx.revenueTitle)}</h2><div class="legend"><span><span class="swatch email"></span>${e(rl.email)}</span><span><span class="swatch sms"></span>${e(rl.sms)}</span><span>${e(rl.scale)}</span></div>${swipe}<div class="chart-scroll">${renderRevenueChart(waves, mode, lang)}</div><div class="note">${e(tx.attributionNote)} ${e(tx.roiDefinition[mode])}</div></section>`
      : '';

  const body = [
    `<header><h1>${e(title)}</h1><div class="meta">${meta}</div></header>`,
    `<div class="top">${hero}<div class="stats wide">${outcomeStats.join('')}</div></div>`,
    moneyStats.length ? `<div class="top"><div class="stats">${moneyStats.join('')}</div></div>` : '',
    running,
    renderIncremental(report, lang),
    outcomeCard,
    revenueCard,
    `<section class="card"><h2>${e(tx.tableTitle)}</h2>${renderTable(waves, report, mode, money, lang)}<div class="note">${e(money ? tx.blankCells : tx.noOrdersYet)} ${e(tx.deliveryNote)}</div></section>`,
    renderTiers(report, lang),
    `<section class="card${t.unknown > 0 || (report.unknownTouches ?? []).length > 0 ? ' unknown-card' : ''}" id="unknown"><h2>${e(tx.unknownTitle)} <span class="count">(${formatInt(Math.max(t.unknown, (report.unknownTouches ?? []).length))})</span></h2>${renderUnknown(report, waveOrder, t.unknown, lang)}</section>`,
    `<section class="card"><h2>${e(tx.reasonsTitle)}</h2>${renderReasons(report, lang)}</section>`,
    renderAudit(report, lang),
    `<footer>${e(tx.footer(String(report.campaignId), String(report.asOf), String(report.timezone)))}</footer>`,
  ].join('\n');

  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return htmlPage(title, CSS, body, {
    lang,
    ...(options.otherHref ? { other: { href: options.otherHref, label: tx.switchTo, lang: other } } : {}),
  });
}
