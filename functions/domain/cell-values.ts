/**
 * The values of segment-file cells as store exports write them (Tmall/Taobao 千牛, 生意参谋,
 * third-party CRMs, Excel on Chinese Windows), read into the product's own forms. Each
 * reader takes a trimmed cell and returns the value, or null when the cell is not that kind
 * of value; the row schema (customer.ts) says why and which forms are accepted.
 *
 * Millions of cells go through these, so the common form is tried first with one hoisted
 * regex, and the rarer forms (full-width characters, Chinese dates, currency signs) only
 * when it fails.
 */
import { instantOf, parseDateTime, utcWallClock, type WallClock } from './local-time.ts';

export const DEVICES = ['mobile', 'pc', 'both'] as const;
export type Device = (typeof DEVICES)[number];

/** Full-width ASCII (ＰＣ, １３８...) and the ideographic space: read again after NFKC folds them. */
const WIDE = /[\uFF01-\uFF5E\u3000\uFFE5]/;

/** The cell with full-width forms folded to ASCII, or null when it has none (nothing to retry). */
function folded(text: string): string | null {
  return WIDE.test(text) ? text.normalize('NFKC') : null;
}

/**
 * What exports write for "no value": a dash (生意参谋 writes `-` for no data), `null`, Excel's
 * `#N/A`, 暂无 ("none yet"). Such a cell means "not given", as an empty one does.
 */
const NO_VALUE = new Set(['-', '--', '---', '—', '——', '/', 'null', 'NULL', 'Null', 'N/A', 'n/a', '#N/A', '暂无']);
const LONGEST_NO_VALUE = 4;

export function isNoValue(text: string): boolean {
  return text.length <= LONGEST_NO_VALUE && NO_VALUE.has(text);
}

// ---- Phones ----

const PLAIN_MAINLAND = /^1[3-9]\d{9}$/;
const PHONE_SEPARATORS = /[\s\-().\u2010-\u2015\uFF08\uFF09\uFF0D]/g;
/** An 11-digit mainland mobile, with or without the country code as `+86`, `86` or `0086`. */
const MAINLAND = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/**
 * A number the platform masked: digits (maybe a `+` and country code) around a run of mask
 * characters, `138****8000`, `138xxxx8000`, `+86138****8000`, or only mask characters.
 */
const MASKED_PHONE = /^\+?\d*[*xX\uFF0A\u25CF\u2022\u00D7]{3,}\d*$/;

/** What a phone cell holds when the platform masked the number: no phone, but no error either. */
export const MASKED: unique symbol = Symbol('masked');

/**
 * A phone cell in E.164: `+8613800138000`, `13800138000`, `86 138 0013 8000`,
 * `0086-138-0013-8000`, `(+86) 13800138000`, other countries in E.164; MASKED for a number
 * the platform hid (`138****8000`); null for anything else.
 */
export function readPhone(text: string): string | typeof MASKED | null {
  // The common form, on the million-row path: not copied flat, as the customer set keeps
  // phones as digits (a Customer holding it is short-lived).
  if (PLAIN_MAINLAND.test(text)) return `+86${text}`;
  const compact = text.replace(PHONE_SEPARATORS, '');
  const phone = phoneOf(compact);
  if (phone !== null) return phone;
  if (MASKED_PHONE.test(compact)) return MASKED;
  const wide = folded(text);
  return wide === null ? null : readPhone(wide);
}

/** A phone as segment files and test recipients give it, in E.164; null when it is not one. */
export function normalisePhone(text: string): string | null {
  return phoneOf(text.replace(PHONE_SEPARATORS, ''));
}

function phoneOf(compact: string): string | null {
  const mainland = MAINLAND.exec(compact);
  if (mainland) return flatCopy(`+86${mainland[1] as string}`);
  if (E164.test(compact)) return flatCopy(compact);
  return null;
}

/**
 * A standalone copy of a short string. V8 keeps a concatenation or regexp result as a
 * tree pointing into its sources; held for a million customers, those trees cost about
 * 200 bytes each (measured), so the phone is copied flat once.
 */
function flatCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

// ---- Emails and names ----

// Deliberately plain: one @, a dot in the domain, no spaces. Deliverability is the
// provider's job; this catches the typos and junk a CRM export carries.
const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[A-Za-z]{2,}$/;

export function isEmail(text: string): boolean {
  return EMAIL.test(text);
}

/** An email address as segment files are read: trimmed by the caller, lower-cased; null when it is not one. */
export function normaliseEmail(text: string): string | null {
  return EMAIL.test(text) ? text.toLowerCase() : null;
}

/** `w***@qq.com`: an address the platform masked is no address (mail to it bounces). */
export function isMaskedEmail(text: string): boolean {
  return text.includes('**') || text.includes('\uFF0A');
}

/** `张**`, `王*明`: a name the platform masked; it would read badly in a greeting. */
export function isMaskedName(text: string): boolean {
  return text.includes('*') || text.includes('\uFF0A');
}

// ---- Devices and booleans ----

const DEVICE_WORDS = new Map<string, Device>([
  ...(['mobile', '无线端', '无线', '手机', '手机端', '移动端', '移动', 'app', 'wap', 'h5'] as const).map(
    (word) => [word, 'mobile'] as const,
  ),
  ...(['pc', 'pc端', '电脑', '电脑端'] as const).map((word) => [word, 'pc'] as const),
  ...(['both', '全部', '全端', '双端'] as const).map((word) => [word, 'both'] as const),
]);

/** `mobile`/`pc`/`both` in any case, and the Chinese words of exports (无线端, PC端, 全部...). */
export function readDevice(text: string): Device | null {
  const device = DEVICE_WORDS.get(text) ?? DEVICE_WORDS.get(text.toLowerCase());
  if (device) return device;
  const wide = folded(text);
  return wide === null ? null : readDevice(wide);
}

const BOOLEAN_WORDS = new Map<string, boolean>([
  ...['true', '1', 'yes', 'y', '是', '有', '对'].map((word) => [word, true] as const),
  ...['false', '0', 'no', 'n', '否', '无', '错'].map((word) => [word, false] as const),
]);

/** true/false, 1/0, yes/no, y/n in any case (Excel writes TRUE), 是/否, 有/无, 对/错. */
export function parseBooleanCell(text: string): boolean | null {
  const value = BOOLEAN_WORDS.get(text) ?? BOOLEAN_WORDS.get(text.toLowerCase());
  if (value !== undefined) return value;
  const wide = folded(text);
  return wide === null ? null : parseBooleanCell(wide);
}

// ---- Numbers and money ----

const PLAIN_COUNT = /^\d{1,9}$/;
/** `1,200`, `12次`, `3 单`: a count with thousands separators or a unit (times, orders). */
const COUNT = /^(\d{1,3}(?:,\d{3}){1,2}|\d{1,9})\s*(?:次|单|笔)?$/;

/** A whole number of orders, 0 or more; null when it is not one. */
export function readCount(text: string): number | null {
  if (PLAIN_COUNT.test(text)) return Number(text);
  const match = COUNT.exec(text);
  if (match) return Number((match[1] as string).replaceAll(',', ''));
  const wide = folded(text);
  return wide === null ? null : readCount(wide);
}

const PLAIN_AMOUNT = /^\d{1,15}(?:\.\d{1,2})?$/;
/** `¥1,299.00`, `￥ 1299`, `1,299.00元`, `RMB 1299.5`, `1299.50 CNY`. */
const AMOUNT = /^(?:[¥￥]|RMB|CNY)?\s*(\d{1,3}(?:,\d{3})+|\d{1,15})(\.\d+)?\s*(?:元|RMB|CNY)?$/i;

/** An amount in CNY, 0 or more, rounded to the fen; null when it is not one. */
export function readAmount(text: string): number | null {
  if (PLAIN_AMOUNT.test(text)) return Math.round(Number(text) * 100) / 100;
  const match = AMOUNT.exec(text);
  if (match) {
    const whole = (match[1] as string).replaceAll(',', '');
    if (whole.length > 15) return null;
    return Math.round(Number(whole + (match[2] ?? '')) * 100) / 100;
  }
  const wide = folded(text);
  return wide === null ? null : readAmount(wide);
}

// ---- Dates ----

/** `2025年11月11日`, `2025年11月11日 10:00`, `2025.11.11`, `2025.11.11 10:00:00` (the ISO and slash forms go to parseDateTime). */
const CHINESE_OR_DOTTED =
  /^(\d{4})(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|\.(\d{1,2})\.(\d{1,2}))(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$/;
/** An Excel date number written as text (what a CSV saved from a sheet may hold): `45972`, `45972.08`. */
const EXCEL_SERIAL = /^\d{5}(?:\.\d{1,12})?$/;
/** Serial numbers from 2000-01-01 (36526) to 2100-01-01 (73051): a five-digit cell outside is not a date. */
export const EXCEL_SERIAL_RANGE = { min: 36_526, max: 73_051 } as const;
/** Excel's day 25569 is 1970-01-01 (its day 0 being 1899-12-30, past its 1900 leap-year slip). */
const EXCEL_EPOCH_SERIAL = 25_569;
/** A workbook in the 1904 date system (Mac Excel's) counts from 1904-01-01: day 1462 of the usual system. */
export const DATE_1904_OFFSET_DAYS = 1462;
const DAY_MS = 86_400_000;

/**
 * A last-order date as exports write it; without an offset it is wall-clock time in
 * `timeZone`. NaN when it is not a date (or not a real one: 2025-02-30). `date1904`: an
 * Excel date number counts days from 1904-01-01 (it came from a workbook in that system).
 */
export function readDateTime(text: string, timeZone: string, date1904 = false): number {
  const iso = parseDateTime(text, timeZone);
  if (!Number.isNaN(iso)) return iso;
  const match = CHINESE_OR_DOTTED.exec(text);
  if (match) {
    const wall: WallClock = {
      year: Number(match[1]),
      month: Number(match[2] ?? match[4]),
      day: Number(match[3] ?? match[5]),
      hour: match[6] === undefined ? 0 : Number(match[6]),
      minute: match[7] === undefined ? 0 : Number(match[7]),
      second: match[8] === undefined ? 0 : Number(match[8]),
    };
    return isRealWallClock(wall) ? instantOf(wall, timeZone) : Number.NaN;
  }
  if (EXCEL_SERIAL.test(text)) return excelSerialInstant(Number(text), timeZone, date1904);
  const wide = folded(text);
  return wide === null ? Number.NaN : readDateTime(wide, timeZone, date1904);
}

/**
 * An Excel date number as wall-clock time in `timeZone`, to the second; NaN outside the
 * plausible range. `date1904`: the number is of the 1904 date system.
 */
export function excelSerialInstant(dateNumber: number, timeZone: string, date1904 = false): number {
  const serial = date1904 ? dateNumber + DATE_1904_OFFSET_DAYS : dateNumber;
  if (!(serial >= EXCEL_SERIAL_RANGE.min && serial <= EXCEL_SERIAL_RANGE.max)) return Number.NaN;
  const asUtc = Math.round(((serial - EXCEL_EPOCH_SERIAL) * DAY_MS) / 1000) * 1000;
  return instantOf(utcWallClock(new Date(asUtc)), timeZone);
}

function isRealWallClock(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return false;
  return w.day <= new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
}

// ---- Double-11 years ----

export const FIRST_DOUBLE_11 = 2009;
export const LAST_PLAUSIBLE_YEAR = 2100;
const PLAIN_YEAR = /^\d{4}$/;
const YEAR_SEPARATORS = /[;,，、/\s；]+/;
const YEAR = /^(\d{4})年?$/;

/** The years of a Double-11 cell, ascending, no repeats; or the first part that is not a year. */
export function readYears(text: string): number[] | { notAYear: string } {
  if (PLAIN_YEAR.test(text)) {
    const year = Number(text);
    return isDouble11Year(year) ? [year] : { notAYear: text };
  }
  const years = new Set<number>();
  for (const part of text.split(YEAR_SEPARATORS)) {
    if (part === '') continue;
    const match = YEAR.exec(part);
    const year = match ? Number(match[1]) : Number.NaN;
    if (!isDouble11Year(year)) {
      const wide = folded(text);
      return wide === null ? { notAYear: part } : readYears(wide);
    }
    years.add(year);
  }
  return [...years].sort((a, b) => a - b);
}

function isDouble11Year(year: number): boolean {
  return year >= FIRST_DOUBLE_11 && year <= LAST_PLAUSIBLE_YEAR;
}

// ---- Member tiers ----

export const MAX_TIER_LENGTH = 32;
const SPACES = /\s+/g;
/** The tiers seen, each spelling once: a million rows of a few tiers share a few strings. */
const tierSpellings = new Map<string, string>();
const MAX_TIER_SPELLINGS = 10_000;

/**
 * A member tier as the planner compares it: full-width folded, inner spaces to one, in
 * capitals, so `vip2`, `VIP2` and `ＶＩＰ２` are one tier. Chinese tiers (钻石会员) are unchanged.
 */
export function normaliseTier(text: string): string {
  const known = tierSpellings.get(text);
  if (known !== undefined) return known;
  const tier = flatCopy(text.normalize('NFKC').trim().replace(SPACES, ' ').toUpperCase());
  if (tierSpellings.size < MAX_TIER_SPELLINGS) tierSpellings.set(text, tier);
  return tier;
}
