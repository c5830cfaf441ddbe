/** Dates, money and counts as the console shows them, in the campaign's zone and the reader's language. */
import { formatDateTime, type Lang } from '../../domain/i18n.ts';
import { formatCount } from '../../domain/text.ts';

/** `11月11日 周三 00:00` / `Wed 11 Nov 00:00`: the wall clock in `timeZone` (the shared dictionary's dates). */
export function formatWhen(iso: string, timeZone: string, lang: Lang): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatDateTime(ms, timeZone, lang);
}

/** CNY with two decimals and thousands separators: `¥1,234.50`. */
export function formatCny(value: number): string {
  const [whole = '0', fraction = '00'] = Math.abs(value).toFixed(2).split('.');
  return `${value < 0 ? '-' : ''}¥${formatCount(Number(whole))}.${fraction}`;
}

export { formatCount };
