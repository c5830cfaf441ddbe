/** Dates, money and counts as the console shows them, in the campaign's zone and the reader's language. */
import { wallClockAt } from '../../domain/local-time.ts';
import { formatCount } from '../../domain/text.ts';
import type { Lang } from './words.ts';

const WEEKDAYS: Record<Lang, string[]> = {
  'zh-CN': ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `11月11日 周三 00:00` / `Wed 11 Nov 00:00`, the wall clock in `timeZone`; seconds only when not zero. */
export function formatWhen(iso: string, timeZone: string, lang: Lang): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const wall = wallClockAt(ms, timeZone);
  const weekday = WEEKDAYS[lang][new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()];
  const time = `${pad(wall.hour)}:${pad(wall.minute)}${wall.second ? `:${pad(wall.second)}` : ''}`;
  return lang === 'zh-CN'
    ? `${wall.month}月${wall.day}日 ${weekday} ${time}`
    : `${weekday} ${wall.day} ${MONTHS_EN[wall.month - 1]} ${time}`;
}

/** CNY with two decimals and thousands separators: `¥1,234.50`. */
export function formatCny(value: number): string {
  const [whole = '0', fraction = '00'] = Math.abs(value).toFixed(2).split('.');
  return `${value < 0 ? '-' : ''}¥${formatCount(Number(whole))}.${fraction}`;
}

export { formatCount };
