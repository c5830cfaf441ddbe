/**
 * Numbers as the report page writes them: deterministic and locale-free. The report comes from
 * JSON, so every number is guarded: absent, null, NaN and infinities never reach the page.
 */
import type { Estimate } from '../../domain/incremental.ts';
import type { CampaignReport } from '../../domain/report-types.ts';
import { formatCount as formatInt } from '../../domain/text.ts';
import type { RoiModeName } from '../report-texts.ts';

export { formatInt };

/** A finite number, or null for absent, null, NaN and infinities. */
export function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A count that the type says is always there: 0 when it is not a finite number. */
export const n0 = (value: unknown): number => finite(value) ?? 0;

export function sumRecord(record: Record<string, number> | undefined): number {
  let total = 0;
  for (const v of Object.values(record ?? {})) total += n0(v);
  return total;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Entries with a count, largest first, ties by code: a stable order whatever the input order. */
export function sortedEntries(record: Record<string, number> | undefined): [string, number][] {
  return Object.entries(record ?? {})
    .filter(([, v]) => n0(v) > 0)
    .map(([k, v]): [string, number] => [k, n0(v)])
    .sort((a, b) => b[1] - a[1] || byCode(a[0], b[0]));
}

/** 1234567.891 -> "¥1,234,567.89". */
export function formatCny(value: number): string {
  const cents = Math.round(Math.abs(value) * 100);
  const fen = cents % 100;
  const sign = value < 0 && cents > 0 ? '-' : '';
  return `${sign}¥${formatInt(Math.floor(cents / 100))}.${fen < 10 ? '0' : ''}${fen}`;
}

/** Always one decimal, no locale: 0.98765 -> "98.8%", 0.99 -> "99.0%"; "—" of nothing. */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '—';
  const tenths = Math.round((part / whole) * 1000);
  return `${formatInt(Math.trunc(tenths / 10))}.${Math.abs(tenths % 10)}%`;
}

/** Rounds to `digits` decimals and prints without locale or trailing zeros; thousands separated. */
export function trimDecimal(value: number, digits: number): string {
  const f = 10 ** digits;
  const r = Math.round(value * f) / f;
  const whole = Math.trunc(r);
  const frac = Math.round(Math.abs(r - whole) * f);
  const head = r < 0 && whole === 0 ? `-${formatInt(whole)}` : formatInt(whole);
  if (frac === 0) return head;
  return `${head}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** "+¥3,000.00", "-¥120.50": a signed amount of CNY. */
export function signedCny(value: number): string {
  return value > 0 && Math.round(value * 100) > 0 ? `+${formatCny(value)}` : formatCny(value);
}

/** "+1,631", "-2.5": a signed count, to one decimal below 100. */
export function signedCount(value: number): string {
  const text = trimDecimal(value, Math.abs(value) >= 100 ? 0 : 1);
  return value > 0 && text !== '0' ? `+${text}` : text;
}

export function signedPoints(value: number): string {
  const text = value.toFixed(2);
  return `${value > 0 && text !== '0.00' ? '+' : ''}${text}`;
}

export const roundedCny = (value: number): string => formatCny(Math.round(value)).replace(/\.00$/, '');
export const signedRoundedCny = (value: number): string => signedCny(Math.round(value)).replace(/\.00$/, '');

export type Sign = 'up' | 'down' | 'unsure';

/** Whether the interval lies wholly above zero, wholly below, or spans it. */
export function intervalSign(estimate: Estimate | null | undefined): Sign {
  const low = finite(estimate?.interval?.low);
  const high = finite(estimate?.interval?.high);
  if (low !== null && low > 0) return 'up';
  if (high !== null && high < 0) return 'down';
  return 'unsure';
}

/** An estimate's interval bounds as text, or null when it has none. */
export function intervalBounds(
  estimate: Estimate | null | undefined,
  format: (n: number) => string,
): { low: string; high: string } | null {
  const low = finite(estimate?.interval?.low);
  const high = finite(estimate?.interval?.high);
  return low === null || high === null ? null : { low: format(low), high: format(high) };
}

// ROI: the report type does not say which definition it uses, so read it off the numbers.

/**
 * `net`: ROI = (revenue − cost) ÷ cost, shown as a percentage ("+420%").
 * `gross`: ROI = revenue ÷ cost, the Chinese e-commerce habit, shown as a multiple ("5.2×").
 * Decided from every row (and the totals) that carries revenue, cost > 0 and roi; when the
 * numbers fit neither, ROI is shown as given, as a percentage. With nothing to check, `net`.
 */
export function roiMode(report: CampaignReport): RoiModeName {
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

export function formatRoi(roi: number, mode: RoiModeName): string {
  if (mode === 'gross') return `${trimDecimal(roi, roi >= 10 ? 0 : 1)}×`;
  const pct = trimDecimal(roi * 100, Math.abs(roi) >= 10 ? 0 : 1);
  return mode === 'net' && roi > 0 ? `+${pct}%` : `${pct}%`;
}

/** Rough rendered width: CJK one em, others about 0.6 em. */
export function textWidth(text: string, fontPx: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]/.test(ch) ? fontPx : fontPx * 0.6;
  return w;
}

export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** SVG coordinates rounded to 0.1 px. */
export const px = (n: number): string => String(Math.round(n * 10) / 10);
