/**
 * Synthetic store export: the customer segment file a store CRM would hand
 * the marketer. Used by `campaign sample`, the demo, the tests and the benchmarks.
 *
 * Every customer is first given an intended playbook group (first match wins)
 * and then fields that realise it, so a classifier applied to the file finds the same
 * group. Days are counted back from `now`; dates are written in the campaign's local
 * time (Asia/Shanghai, +08:00, no daylight saving), which is what a value without an
 * offset means in the segment file.
 *
 * Deterministic: the same options give byte-identical output (seeded mulberry32 PRNG,
 * no Math.random, no clock reads). Streaming: rows are produced one at a time and the
 * writer batches them into ~64 KB chunks, honouring backpressure.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export interface SampleOptions {
  /** Number of data rows (customers). */
  customers: number;
  /** PRNG seed; default 11. */
  seed?: number;
  /** Reference time: "days ago" are counted back from it. */
  now: Date;
  /** The Double-11 being planned; default: the year of `now` in the campaign time zone. Past Double-11s are years before it. */
  campaignYear?: number;
  /** Rows carrying one or two invalid values; default about 0.2% of rows (at least 3 from 100 rows, 1 from 20, 0 below 20). */
  badRows?: number;
}

export interface ResolvedSampleOptions {
  customers: number;
  seed: number;
  nowMs: number;
  campaignYear: number;
  badRows: number;
}

export const SAMPLE_COLUMNS = [
  'customer_id',
  'phone',
  'email',
  'name',
  'device',
  'last_order_at',
  'order_count',
  'total_spend',
  'd11_years',
  'unpaid_order',
  'opt_out_sms',
  'opt_out_email',
  'segment',
] as const;
export type SampleColumn = (typeof SAMPLE_COLUMNS)[number];

/** Playbook groups in the default first-match order. */
export const SAMPLE_GROUPS = [
  'unpaid',
  'd11-loyal',
  'd11-only',
  'd11-veteran',
  'recent-high',
  'recent',
  'dormant-shallow',
  'dormant-deep',
  'churned',
] as const;
export type SampleGroup = (typeof SAMPLE_GROUPS)[number];

/** Share of customers (percent) intended for each group. */
export const SAMPLE_GROUP_WEIGHTS: Readonly<Record<SampleGroup, number>> = {
  unpaid: 4,
  'd11-loyal': 8,
  'd11-only': 5,
  'd11-veteran': 12,
  'recent-high': 10,
  recent: 16,
  'dormant-shallow': 15,
  'dormant-deep': 14,
  churned: 16,
};

/** The invalid values a bad row may carry (one or two of them, in different columns). */
export const BAD_VALUES: ReadonlyArray<{ column: SampleColumn; value: string }> = [
  { column: 'customer_id', value: '' },
  { column: 'phone', value: '12345' },
  { column: 'email', value: 'not-an-email' },
  { column: 'device', value: 'tablet' },
  { column: 'last_order_at', value: '2025-13-45' },
  { column: 'order_count', value: '-2' },
  { column: 'order_count', value: '3.5' },
  { column: 'total_spend', value: 'abc' },
  { column: 'd11_years', value: '20x5' },
  { column: 'unpaid_order', value: 'maybe' },
];

/** First year a Double-11 purchase may be recorded in `d11_years`. */
export const FIRST_D11_YEAR = 2019;

/** Largest row count the 8-digit customer id allows. */
export const MAX_SAMPLE_CUSTOMERS = 99_999_999;

/** Quote a CSV field when it holds a comma, a double quote or a line break; quotes are doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Validate the options and fill in the defaults. Throws RangeError naming the field. */
export function resolveSampleOptions(opts: SampleOptions): ResolvedSampleOptions {
  const { customers } = opts;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_SAMPLE_CUSTOMERS) {
    throw new RangeError(`customers: expected an integer from 0 to ${MAX_SAMPLE_CUSTOMERS}, got ${customers}`);
  }
  const seed = opts.seed ?? 11;
  if (!Number.isInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seed}`);
  const nowMs = opts.now instanceof Date ? opts.now.getTime() : Number.NaN;
  if (!Number.isFinite(nowMs)) throw new RangeError('now: expected a valid Date');
  const campaignYear = opts.campaignYear ?? new Date(nowMs + TZ_OFFSET_MS).getUTCFullYear();
  if (!Number.isInteger(campaignYear) || campaignYear < 1970 || campaignYear > 9999) {
    throw new RangeError(`campaignYear: expected a year, got ${campaignYear}`);
  }
  const badRows = opts.badRows ?? defaultBadRows(customers);
  if (!Number.isInteger(badRows) || badRows < 0 || badRows > customers) {
    throw new RangeError(`badRows: expected an integer from 0 to customers (${customers}), got ${badRows}`);
  }
  return { customers, seed: seed >>> 0, nowMs, campaignYear, badRows };
}

function defaultBadRows(customers: number): number {
  if (customers < 20) return 0;
  if (customers < 100) return 1;
  return Math.max(3, Math.round(customers * 0.002));
}

/** The header line, then one line per customer; no line carries a trailing newline. */
export function* sampleCsvLines(opts: SampleOptions): Generator<string> {
  yield* linesOf(resolveSampleOptions(opts));
}

const CHUNK_CHARS = 64 * 1024;

/**
 * Stream the sample to `path` (UTF-8 without BOM, `\n` line endings) in ~64 KB chunks,
 * waiting for 'drain' whenever the stream asks to. `onProgress` gets the data rows
 * written so far after each chunk, and (total, total) at the end.
 */
export async function writeSampleCsv(
  path: string,
  opts: SampleOptions,
  onProgress?: (written: number, total: number) => void,
): Promise<{ rows: number; badRows: number }> {
  const resolved = resolveSampleOptions(opts);
  const total = resolved.customers;
  const out = createWriteStream(path, { encoding: 'utf8' });
  let failure: unknown;
  out.on('error', (err) => {
    failure ??= err;
  });
  try {
    let buf = '';
    let lines = 0;
    for (const line of linesOf(resolved)) {
      buf += line + '\n';
      lines++;
      if (buf.length >= CHUNK_CHARS) {
        if (failure !== undefined) throw failure;
        const ok = out.write(buf);
        buf = '';
        onProgress?.(lines - 1, total);
        if (!ok) await once(out, 'drain');
      }
    }
    if (failure !== undefined) throw failure;
    out.end(buf);
    await finished(out);
    onProgress?.(total, total);
  } catch (err) {
    out.destroy();
    throw failure ?? err;
  }
  return { rows: total, badRows: resolved.badRows };
}

// ---------------------------------------------------------------------------
// Generation

const DAY_MS = 86_400_000;
/** Asia/Shanghai: UTC+8 all year. */
const TZ_OFFSET_MS = 8 * 3_600_000;

/** Ranges of days ago per recency group, kept clear of the 90/180/365 day boundaries. */
const RECENT_DAYS: Range = [0.05, 87];
const SHALLOW_DAYS: Range = [93, 177];
const DEEP_DAYS: Range = [183, 362];
const CHURNED_DAYS: Range = [368, 2200];
const UNPAID_DAYS: Range = [0.05, 30];
/** Share of churned customers who never ordered (about 3% of all rows). */
const NEVER_ORDERED_SHARE = 0.19;

type Range = readonly [number, number];
type Rng = () => number;

/** mulberry32: tiny, fast, good enough for synthetic data; 32-bit state. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Weighted<T> {
  values: readonly T[];
  cumulative: readonly number[];
  total: number;
}

function weighted<T>(pairs: ReadonlyArray<readonly [T, number]>): Weighted<T> {
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of pairs) {
    total += w;
    cumulative.push(total);
  }
  return { values: pairs.map(([v]) => v), cumulative, total };
}

function pick<T>(rnd: Rng, w: Weighted<T>): T {
  const x = rnd() * w.total;
  const { cumulative, values } = w;
  for (let i = 0; i < cumulative.length; i++) {
    if (x < cumulative[i]!) return values[i]!;
  }
  return values[values.length - 1]!;
}

function pickOne<T>(rnd: Rng, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

function between(rnd: Rng, [lo, hi]: Range): number {
  return lo + rnd() * (hi - lo);
}

function int(rnd: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

/** 1, 2, 3, ... with P(next) = p, capped. */
function geometric(rnd: Rng, p: number, max: number): number {
  let n = 1;
  while (n < max && rnd() < p) n++;
  return n;
}

function digits(rnd: Rng, n: number): string {
  let s = '';
  while (s.length < n) s += String(Math.floor(rnd() * 1e8)).padStart(8, '0');
  return s.slice(0, n);
}

const GROUPS = weighted(SAMPLE_GROUPS.map((g) => [g, SAMPLE_GROUP_WEIGHTS[g]] as const));

// biome-ignore format: a plain list of prefixes
const MOBILE_PREFIXES = [
  '138', '139', '150', '151', '186', '187', '135', '177', '199', '136', '137', '158', '159', '182',
  '188', '130', '131', '132', '133', '153', '180', '181', '189', '191', '198', '166', '173', '176',
];

/** Country code, first-digit choices, digits after the first. */
const FOREIGN_PHONES: ReadonlyArray<readonly [string, string, number]> = [
  ['+852', '5689', 7],
  ['+853', '6', 7],
  ['+886', '9', 8],
  ['+65', '89', 7],
  ['+1', '23456789', 9],
];

// biome-ignore format: character and pinyin pairs
const SURNAMES: ReadonlyArray<readonly [string, string]> = [
  ['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'], ['黄', 'huang'],
  ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'], ['马', 'ma'], ['朱', 'zhu'],
  ['胡', 'hu'], ['郭', 'guo'], ['何', 'he'], ['高', 'gao'], ['林', 'lin'], ['罗', 'luo'], ['郑', 'zheng'],
  ['梁', 'liang'], ['谢', 'xie'], ['宋', 'song'], ['唐', 'tang'], ['许', 'xu'], ['韩', 'han'], ['冯', 'feng'],
  ['邓', 'deng'], ['曹', 'cao'], ['彭', 'peng'], ['曾', 'zeng'], ['肖', 'xiao'], ['田', 'tian'], ['董', 'dong'],
  ['袁', 'yuan'], ['潘', 'pan'], ['于', 'yu'], ['蒋', 'jiang'], ['蔡', 'cai'], ['余', 'yu'], ['杜', 'du'],
  ['叶', 'ye'], ['程', 'cheng'], ['苏', 'su'], ['魏', 'wei'], ['吕', 'lv'], ['丁', 'ding'], ['任', 'ren'],
  ['沈', 'shen'],
];

// biome-ignore format: character and pinyin pairs
const COMPOUND_SURNAMES: ReadonlyArray<readonly [string, string]> = [
  ['欧阳', 'ouyang'], ['司马', 'sima'], ['诸葛', 'zhuge'], ['上官', 'shangguan'], ['慕容', 'murong'],
];

// biome-ignore format: character and pinyin pairs
const GIVEN: ReadonlyArray<readonly [string, string]> = [
  ['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['强', 'qiang'],
  ['磊', 'lei'], ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'], ['杰', 'jie'], ['娟', 'juan'],
  ['涛', 'tao'], ['明', 'ming'], ['超', 'chao'], ['秀', 'xiu'], ['霞', 'xia'], ['平', 'ping'], ['刚', 'gang'],
  ['英', 'ying'], ['华', 'hua'], ['玲', 'ling'], ['红', 'hong'], ['文', 'wen'], ['辉', 'hui'], ['鑫', 'xin'],
  ['宇', 'yu'], ['浩', 'hao'], ['欣', 'xin'], ['婷', 'ting'], ['雪', 'xue'], ['琳', 'lin'], ['晨', 'chen'],
  ['子', 'zi'], ['梓', 'zi'], ['涵', 'han'], ['一', 'yi'], ['诺', 'nuo'], ['佳', 'jia'], ['俊', 'jun'],
  ['博', 'bo'], ['思', 'si'], ['雨', 'yu'], ['轩', 'xuan'], ['泽', 'ze'], ['嘉', 'jia'], ['萱', 'xuan'],
  ['悦', 'yue'], ['睿', 'rui'], ['瑶', 'yao'], ['怡', 'yi'], ['晓', 'xiao'], ['建', 'jian'], ['志', 'zhi'],
  ['海', 'hai'], ['春', 'chun'], ['燕', 'yan'], ['兰', 'lan'],
];

const EMAIL_DOMAINS = weighted([
  ['qq.com', 36],
  ['163.com', 32],
  ['126.com', 12],
  ['sina.com', 9],
  ['gmail.com', 11],
] as const);

const DEVICES = weighted([
  ['mobile', 70],
  ['pc', 12],
  ['both', 15],
  ['', 3],
] as const);

const TRUE_SPELLINGS = weighted([
  ['TRUE', 30],
  ['true', 25],
  ['1', 20],
  ['yes', 10],
  ['Yes', 8],
  ['YES', 4],
  ['True', 3],
] as const);

/** Unpaid-order flags: "not given" (empty) is common. */
const FALSE_UNPAID = weighted([
  ['', 40],
  ['FALSE', 20],
  ['false', 15],
  ['0', 15],
  ['no', 5],
  ['No', 5],
] as const);

/** Opt-out flags: mostly left empty. */
const FALSE_OPT_OUT = weighted([
  ['', 55],
  ['FALSE', 15],
  ['false', 10],
  ['0', 12],
  ['no', 4],
  ['No', 3],
  ['NO', 1],
] as const);

interface Context {
  nowMs: number;
  /** Past Double-11 years (ascending) whose whole day lies before `now`. */
  eligible: readonly number[];
  /** campaignYear-1 and campaignYear-2 are both eligible. */
  loyalPossible: boolean;
  lastYear: number;
  yearBefore: number;
}

function contextOf(o: ResolvedSampleOptions): Context {
  const eligible: number[] = [];
  for (let y = FIRST_D11_YEAR; y < o.campaignYear; y++) {
    if (d11StartMs(y) + DAY_MS <= o.nowMs) eligible.push(y);
  }
  const lastYear = o.campaignYear - 1;
  const yearBefore = o.campaignYear - 2;
  return {
    nowMs: o.nowMs,
    eligible,
    loyalPossible: eligible.includes(lastYear) && eligible.includes(yearBefore),
    lastYear,
    yearBefore,
  };
}

/** 00:00 on 11 November of `year`, campaign time zone, as epoch ms. */
function d11StartMs(year: number): number {
  return Date.UTC(year, 10, 11) - TZ_OFFSET_MS;
}

/** A moment on Double-11 of `year`; a good share in the first hours, when the sales peak. */
function d11Moment(rnd: Rng, year: number): number {
  const seconds = rnd() < 0.4 ? Math.floor(rnd() * 7200) : Math.floor(rnd() * 86_400);
  return d11StartMs(year) + seconds * 1000;
}

/** The group actually generated: the intended one, or a stand-in when `now` leaves no past Double-11 to realise it. */
function realisable(group: SampleGroup, ctx: Context): SampleGroup {
  if (group === 'd11-loyal' && !ctx.loyalPossible) return ctx.eligible.length > 0 ? 'd11-veteran' : 'churned';
  if ((group === 'd11-only' || group === 'd11-veteran') && ctx.eligible.length === 0) return 'churned';
  return group;
}

/** A non-empty set of past Double-11 years that does not hold both of the last two. */
function nonLoyalYears(rnd: Rng, ctx: Context): number[] {
  const e = ctx.eligible;
  const top = Math.min(e.length - 1, Math.floor(Math.sqrt(rnd()) * e.length));
  const years: number[] = [];
  for (let i = 0; i < top; i++) if (rnd() < 0.3) years.push(e[i]!);
  years.push(e[top]!);
  if (years.includes(ctx.lastYear) && years.includes(ctx.yearBefore)) {
    years.splice(years.indexOf(ctx.yearBefore), 1);
  }
  return years;
}

function loyalYears(rnd: Rng, ctx: Context): number[] {
  const years: number[] = [];
  for (const y of ctx.eligible) {
    if (y >= ctx.yearBefore || rnd() < 0.4) years.push(y);
  }
  return years;
}

/** A moment after Double-11 of `year` (from 12 November) up to `now`. */
function afterD11(rnd: Rng, ctx: Context, year: number): number {
  const lo = d11StartMs(year) + DAY_MS;
  const hi = ctx.nowMs - 60_000;
  return hi > lo ? lo + rnd() * (hi - lo) : d11Moment(rnd, year);
}

function daysAgo(rnd: Rng, ctx: Context, range: Range): number {
  return ctx.nowMs - between(rnd, range) * DAY_MS;
}

/** Average order value in cents, skewed toward small baskets. */
function basketCents(rnd: Rng, lo: number, hi: number): number {
  const r = rnd();
  return lo + Math.floor(r * r * (hi - lo));
}

function localIso(ms: number): string {
  return new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 19);
}

function formatOrderTime(rnd: Rng, ms: number): string {
  const local = localIso(ms);
  const r = rnd();
  if (r < 0.3) return local.slice(0, 10);
  if (r < 0.9) return local;
  return local + '+08:00';
}

function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function phone(rnd: Rng): string {
  const r = rnd();
  if (r < 0.04) return '';
  if (r < 0.045) {
    const [cc, first, rest] = pickOne(rnd, FOREIGN_PHONES);
    return cc + pickOne(rnd, first.split('')) + digits(rnd, rest);
  }
  const mobile = pickOne(rnd, MOBILE_PREFIXES) + digits(rnd, 8);
  return r < 0.095 ? '+86' + mobile : mobile;
}

interface Person {
  name: string;
  /** Pinyin of surname and given name, for the e-mail local part. */
  family: string;
  given: string;
}

function person(rnd: Rng): Person {
  const r = rnd();
  // Common surnames come first in the list and are drawn more often.
  const [sn, sp] = SURNAMES[Math.floor(rnd() ** 1.6 * SURNAMES.length)]!;
  const [g1, p1] = pickOne(rnd, GIVEN);
  const two = rnd() < 0.6;
  const [g2, p2] = two ? pickOne(rnd, GIVEN) : ['', ''];
  if (r < 0.03) return { name: '', family: sp, given: p1 + p2 };
  if (r < 0.032) {
    // As some CRMs export "family, given": a comma, so the field must be quoted.
    const [cn, cp] = pickOne(rnd, COMPOUND_SURNAMES);
    return { name: `${cn}, ${g1}`, family: cp, given: p1 };
  }
  if (r < 0.0325) return { name: `${sn}"${g1}${g1}"`, family: sp, given: p1 + p1 };
  if (r < 0.036) {
    const [cn, cp] = pickOne(rnd, COMPOUND_SURNAMES);
    return { name: cn + g1 + g2, family: cp, given: p1 + p2 };
  }
  return { name: sn + g1 + g2, family: sp, given: p1 + p2 };
}

function email(rnd: Rng, p: Person): string {
  const r = rnd();
  if (r >= 0.7) return '';
  if (r < 0.17) return `${int(rnd, 1, 9)}${digits(rnd, int(rnd, 4, 9))}@qq.com`;
  const domain = pick(rnd, EMAIL_DOMAINS);
  const style = rnd();
  let local: string;
  if (style < 0.45) local = p.family + p.given + int(rnd, 1, 999);
  else if (style < 0.65) local = p.family + p.given + int(rnd, 1970, 2008);
  else if (style < 0.8) local = `${p.given}.${p.family}`;
  else local = p.family.charAt(0) + p.given.charAt(0) + digits(rnd, int(rnd, 3, 6));
  return `${local}@${domain}`;
}

/** One customer's fields, in column order. */
function customerFields(seq: number, rnd: Rng, ctx: Context): string[] {
  const group = realisable(pick(rnd, GROUPS), ctx);
  const id = 'C' + String(seq).padStart(8, '0');
  const tel = phone(rnd);
  const who = person(rnd);
  const mail = email(rnd, who);
  const device = pick(rnd, DEVICES);

  let years: number[] = [];
  let count = 0;
  let cents = 0;
  let last: number | undefined;
  switch (group) {
    case 'unpaid': {
      count = geometric(rnd, 0.55, 30);
      if (rnd() < 0.3 && ctx.eligible.length > 0) {
        years = nonLoyalYears(rnd, ctx);
        count += years.length;
      }
      last = daysAgo(rnd, ctx, UNPAID_DAYS);
      cents = count * basketCents(rnd, 1990, 60_000);
      break;
    }
    case 'd11-loyal':
    case 'd11-only':
    case 'd11-veteran': {
      years = group === 'd11-loyal' ? loyalYears(rnd, ctx) : nonLoyalYears(rnd, ctx);
      const latest = years[years.length - 1]!;
      // d11-only: every order on a Double-11; veterans always ordered besides; some loyal ones did not.
      const onlyD11 = group === 'd11-only' || (group === 'd11-loyal' && rnd() < 0.3);
      count = onlyD11 ? years.length : years.length + geometric(rnd, 0.6, 40);
      last = onlyD11 ? d11Moment(rnd, latest) : afterD11(rnd, ctx, latest);
      cents = count * basketCents(rnd, 4990, 90_000);
      break;
    }
    case 'recent-high': {
      last = daysAgo(rnd, ctx, RECENT_DAYS);
      if (rnd() < 0.5) {
        count = 2 + geometric(rnd, 0.7, 60);
        cents = count * basketCents(rnd, 1990, 60_000);
      } else {
        count = rnd() < 0.6 ? 1 : 2;
        cents = int(rnd, 100_000, 800_000);
      }
      break;
    }
    case 'recent': {
      last = daysAgo(rnd, ctx, RECENT_DAYS);
      count = rnd() < 0.7 ? 1 : 2;
      // At most 2 x 479.90: always under 1000 CNY.
      cents = count * basketCents(rnd, 990, 47_990);
      break;
    }
    case 'dormant-shallow':
    case 'dormant-deep':
    case 'churned': {
      if (group === 'churned' && rnd() < NEVER_ORDERED_SHARE) break;
      const range = group === 'dormant-shallow' ? SHALLOW_DAYS : group === 'dormant-deep' ? DEEP_DAYS : CHURNED_DAYS;
      last = daysAgo(rnd, ctx, range);
      count = geometric(rnd, 0.55, 40);
      cents = count * basketCents(rnd, 1990, 60_000);
      break;
    }
  }

  let lastText = '';
  if (last !== undefined) {
    last = Math.floor(last / 1000) * 1000;
    if (years.length > 0) {
      // A Double-11 purchase: the last order is no earlier than the latest Double-11.
      const floor = d11StartMs(years[years.length - 1]!);
      if (last < floor) last = floor + Math.floor((rnd() * (ctx.nowMs - floor)) / 1000) * 1000;
    } else if (localIso(last).startsWith('11-11', 5)) {
      // No Double-11 purchase on record: keep the last order off 11 November.
      last -= DAY_MS;
    }
    lastText = formatOrderTime(rnd, last);
  }

  const unpaid = group === 'unpaid' ? pick(rnd, TRUE_SPELLINGS) : pick(rnd, FALSE_UNPAID);
  const optOutSms = rnd() < 0.03 ? pick(rnd, TRUE_SPELLINGS) : pick(rnd, FALSE_OPT_OUT);
  const optOutEmail = rnd() < 0.05 ? pick(rnd, TRUE_SPELLINGS) : pick(rnd, FALSE_OPT_OUT);

  let segment = '';
  const s = rnd();
  if (group === 'unpaid') segment = s < 0.3 ? 'cart-abandon' : '';
  else if (cents >= 500_000 || group === 'd11-loyal') segment = s < 0.2 ? 'vip' : '';
  else if (s < 0.01) segment = 'vip';
  else if (s < 0.015) segment = 'cart-abandon';

  return [
    id,
    tel,
    csvField(mail),
    csvField(who.name),
    device,
    lastText,
    String(count),
    formatCents(cents),
    years.join(';'),
    unpaid,
    optOutSms,
    optOutEmail,
    csvField(segment),
  ];
}

/** Row indices (0-based, ascending, distinct) of the bad rows: one in each of `bad` equal stretches. */
function badRowPositions(n: number, bad: number, rnd: Rng): number[] {
  const positions: number[] = [];
  const q = Math.floor(n / bad);
  const rem = n % bad;
  const start = (k: number) => k * q + Math.floor((k * rem) / bad);
  for (let k = 0; k < bad; k++) {
    const lo = start(k);
    const hi = start(k + 1);
    positions.push(lo + Math.floor(rnd() * (hi - lo)));
  }
  return positions;
}

const COLUMN_INDEX = new Map<string, number>(SAMPLE_COLUMNS.map((c, i) => [c, i]));

/** Replace one or two fields (in different columns) with invalid values. */
function corrupt(fields: string[], rnd: Rng): void {
  const first = pickOne(rnd, BAD_VALUES);
  const chosen = [first];
  if (rnd() < 0.3) {
    let second = pickOne(rnd, BAD_VALUES);
    while (second.column === first.column) second = pickOne(rnd, BAD_VALUES);
    chosen.push(second);
  }
  for (const { column, value } of chosen) fields[COLUMN_INDEX.get(column)!] = value;
}

function* linesOf(o: ResolvedSampleOptions): Generator<string> {
  const ctx = contextOf(o);
  const rnd = mulberry32(o.seed);
  // Bad rows draw from their own stream, so the good rows do not depend on how many are bad.
  const badRnd = mulberry32(o.seed ^ 0x5bd1e995);
  const bad = o.badRows > 0 ? badRowPositions(o.customers, o.badRows, badRnd) : [];
  yield SAMPLE_COLUMNS.join(',');
  let nextBad = 0;
  for (let i = 0; i < o.customers; i++) {
    const fields = customerFields(i + 1, rnd, ctx);
    if (bad[nextBad] === i) {
      corrupt(fields, badRnd);
      nextBad++;
    }
    yield fields.join(',');
  }
}
