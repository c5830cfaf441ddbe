import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvField,
  resolveSampleOptions,
  SAMPLE_COLUMNS,
  SAMPLE_GROUP_WEIGHTS,
  SAMPLE_GROUPS,
  sampleCsvLines,
  writeSampleCsv,
} from '../../functions/sample/generate-customers.ts';

const NOW = new Date('2026-10-20T12:00:00+08:00');
const CAMPAIGN_YEAR = 2026;
const DAY_MS = 86_400_000;
const HEADER =
  'customer_id,phone,email,name,device,last_order_at,order_count,total_spend,d11_years,unpaid_order,opt_out_sms,opt_out_email,segment';

const BOOLEAN = /^(true|false|1|0|yes|no|)$/i;
const TRUE = /^(true|1|yes)$/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})?)?$/;

type Row = Record<(typeof SAMPLE_COLUMNS)[number], string>;

function collect(lines: Iterable<string>): string[] {
  return [...lines];
}

function rowsOf(csv: string): Row[] {
  const records: string[][] = parse(csv, { bom: false });
  const [header, ...data] = records;
  expect(header).toEqual([...SAMPLE_COLUMNS]);
  return data.map((r) => Object.fromEntries(SAMPLE_COLUMNS.map((c, i) => [c, r[i] ?? ''])) as Row);
}

/** Epoch ms of an ISO date or date-time; without an offset it is Asia/Shanghai (+08:00). */
function instant(value: string): number | undefined {
  const m = ISO.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', offset = '+08:00'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(utc);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23) return undefined;
  if (offset === 'Z') return utc;
  const sign = offset.startsWith('-') ? -1 : 1;
  return utc - sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
}

/** Every problem of a row against the segment-file columns (empty list: a good row). */
function problems(row: Row): string[] {
  const out: string[] = [];
  if (!/^C\d{8}$/.test(row.customer_id)) out.push('customer_id');
  if (row.phone !== '' && !/^(\+\d{8,15}|1[3-9]\d{9})$/.test(row.phone)) out.push('phone');
  if (row.email !== '' && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(row.email)) out.push('email');
  if (!['', 'mobile', 'pc', 'both'].includes(row.device)) out.push('device');
  if (row.last_order_at !== '' && instant(row.last_order_at) === undefined) out.push('last_order_at');
  if (!/^\d+$/.test(row.order_count)) out.push('order_count');
  if (!/^\d+\.\d{2}$/.test(row.total_spend)) out.push('total_spend');
  if (!/^(\d{4}(;\d{4})*)?$/.test(row.d11_years)) out.push('d11_years');
  for (const c of ['unpaid_order', 'opt_out_sms', 'opt_out_email'] as const) {
    if (!BOOLEAN.test(row[c])) out.push(c);
  }
  return out;
}

function yearsOf(row: Row): number[] {
  return row.d11_years === '' ? [] : row.d11_years.split(';').map(Number);
}

/** An independent reading of the playbook groups (first match wins, default thresholds). */
function classify(row: Row, nowMs: number, campaignYear: number): string {
  if (TRUE.test(row.unpaid_order)) return 'unpaid';
  const years = yearsOf(row);
  if (years.includes(campaignYear - 1) && years.includes(campaignYear - 2)) return 'd11-loyal';
  const latest = Math.max(...years);
  // Every value is written in +08:00 or without offset, so the first 10 characters are the local date.
  if (
    years.length > 0 &&
    Number(row.order_count) === years.length &&
    row.last_order_at.slice(0, 10) === `${latest}-11-11`
  ) {
    return 'd11-only';
  }
  if (years.length > 0) return 'd11-veteran';
  if (row.last_order_at === '') return 'churned';
  const days = (nowMs - instant(row.last_order_at)!) / DAY_MS;
  if (days < 90) return Number(row.order_count) >= 3 || Number(row.total_spend) >= 1000 ? 'recent-high' : 'recent';
  if (days < 180) return 'dormant-shallow';
  if (days < 365) return 'dormant-deep';
  return 'churned';
}

describe('sampleCsvLines', () => {
  it('gives identical output for the same options and different output for another seed', () => {
    // Prepare
    const opts = { customers: 2_000, now: NOW };

    // Act
    const first = collect(sampleCsvLines(opts)).join('\n');
    const second = collect(sampleCsvLines({ ...opts, now: new Date(NOW.getTime()) })).join('\n');
    const otherSeed = collect(sampleCsvLines({ ...opts, seed: 12 })).join('\n');

    // Assess
    expect(second).toBe(first);
    expect(otherSeed).not.toBe(first);
  });

  it('starts with exactly the column header and yields one line per customer, none with a newline', () => {
    // Prepare
    const opts = { customers: 500, now: NOW, seed: 3 };

    // Act
    const lines = collect(sampleCsvLines(opts));

    // Assess
    expect(lines[0]).toBe(HEADER);
    expect(SAMPLE_COLUMNS.join(',')).toBe(HEADER);
    expect(lines).toHaveLength(501);
    expect(lines.some((l) => /[\r\n]/.test(l))).toBe(false);
  });

  it('writes exactly the requested number of bad rows, each with one or two invalid values', () => {
    // Prepare
    const opts = { customers: 1_000, now: NOW, badRows: 7 };

    // Act
    const rows = rowsOf(collect(sampleCsvLines(opts)).join('\n'));

    // Assess
    const bad = rows.map(problems).filter((p) => p.length > 0);
    expect(bad).toHaveLength(7);
    for (const p of bad) expect(p.length).toBeLessThanOrEqual(2);
  });

  it('defaults bad rows to about 0.2%, at least 3 from 100 rows, none under 20 rows', () => {
    // Prepare
    const at = (customers: number) => resolveSampleOptions({ customers, now: NOW }).badRows;

    // Act
    const counts = [at(0), at(19), at(100), at(1_000), at(20_000), at(1_000_000)];

    // Assess
    expect(counts).toEqual([0, 0, 3, 3, 40, 2_000]);
    expect(resolveSampleOptions({ customers: 10, now: NOW }).campaignYear).toBe(2026);
    expect(resolveSampleOptions({ customers: 10, now: NOW }).seed).toBe(11);
  });

  it('rejects invalid options, naming the field', () => {
    // Prepare
    const cases = [
      { customers: -1, now: NOW },
      { customers: 1.5, now: NOW },
      { customers: 10, now: new Date('nope') },
      { customers: 10, now: NOW, badRows: 11 },
    ];

    // Act
    const messages = cases.map((c) => {
      try {
        resolveSampleOptions(c);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    });

    // Assess
    expect(messages[0]).toMatch(/^customers/);
    expect(messages[1]).toMatch(/^customers/);
    expect(messages[2]).toMatch(/^now/);
    expect(messages[3]).toMatch(/^badRows/);
  });
});

describe('csvField', () => {
  it('quotes only fields with a comma, quote or line break, doubling quotes', () => {
    // Prepare
    const values = ['王芳', '欧阳, 娜', '李"明明"', 'a\nb', ''];

    // Act
    const fields = values.map(csvField);

    // Assess
    expect(fields).toEqual(['王芳', '"欧阳, 娜"', '"李""明明"""', '"a\nb"', '']);
  });
});

describe('writeSampleCsv on 20,000 rows', () => {
  const customers = 20_000;
  let dir = '';
  let file = '';
  let text = '';
  let result = { rows: 0, badRows: 0 };
  const progress: Array<[number, number]> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-customers-'));
    file = join(dir, 'old-customers.csv');
    result = await writeSampleCsv(file, { customers, now: NOW }, (written, total) => progress.push([written, total]));
    text = await readFile(file, 'utf8');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes header plus one line per row, UTF-8 without BOM, LF endings, same bytes as the generator', async () => {
    // Prepare
    const bytes = await readFile(file);

    // Act
    const newlines = bytes.reduce((n, b) => (b === 0x0a ? n + 1 : n), 0);

    // Assess
    expect(newlines).toBe(customers + 1);
    expect(bytes[bytes.length - 1]).toBe(0x0a);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(text.includes('\r')).toBe(false);
    expect(text).toBe(collect(sampleCsvLines({ customers, now: NOW })).join('\n') + '\n');
    expect(result.rows).toBe(customers);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([customers, customers]);
    expect(progress.every(([w], i) => i === 0 || w >= progress[i - 1]![0])).toBe(true);
  });

  it('has exactly as many invalid rows as reported, and every other row is valid', () => {
    // Prepare
    const rows = rowsOf(text);

    // Act
    const bad = rows.filter((r) => problems(r).length > 0);

    // Assess
    expect(rows).toHaveLength(customers);
    expect(result.badRows).toBe(40);
    expect(bad).toHaveLength(result.badRows);
  });

  it('keeps every good row internally consistent', () => {
    // Prepare
    const good = rowsOf(text).filter((r) => problems(r).length === 0);
    const nowMs = NOW.getTime();

    // Act
    const inconsistent = good.filter((r) => {
      const years = yearsOf(r);
      const last = r.last_order_at === '' ? undefined : instant(r.last_order_at)!;
      const count = Number(r.order_count);
      if (last !== undefined && last > nowMs) return true;
      if (last === undefined) return count !== 0 || r.total_spend !== '0.00' || years.length > 0;
      if (count < Math.max(1, years.length)) return true;
      if (years.some((y) => y < 2019 || y >= CAMPAIGN_YEAR)) return true;
      if (years.length > 0 && r.last_order_at.slice(0, 10) < `${Math.max(...years)}-11-11`) return true;
      return false;
    });

    // Assess
    expect(inconsistent).toEqual([]);
  });

  it('mixes the field shapes a store export has', () => {
    // Prepare
    const good = rowsOf(text).filter((r) => problems(r).length === 0);
    const share = (pred: (r: Row) => boolean) => good.filter(pred).length / good.length;

    // Act
    const shares = {
      phoneEmpty: share((r) => r.phone === ''),
      phoneE164Cn: share((r) => r.phone.startsWith('+86')),
      phoneForeign: share((r) => r.phone.startsWith('+') && !r.phone.startsWith('+86')),
      email: share((r) => r.email !== ''),
      nameEmpty: share((r) => r.name === ''),
      nameComma: share((r) => r.name.includes(',')),
      pc: share((r) => r.device === 'pc'),
      dateOnly: share((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.last_order_at)),
      withOffset: share((r) => r.last_order_at.endsWith('+08:00')),
      optOutSms: share((r) => TRUE.test(r.opt_out_sms)),
      optOutEmail: share((r) => TRUE.test(r.opt_out_email)),
      labelled: share((r) => r.segment === 'vip' || r.segment === 'cart-abandon'),
    };

    // Assess
    expect(shares.phoneEmpty).toBeGreaterThan(0.02);
    expect(shares.phoneE164Cn).toBeGreaterThan(0.03);
    expect(shares.phoneForeign).toBeGreaterThan(0.002);
    expect(shares.email).toBeGreaterThan(0.6);
    expect(shares.email).toBeLessThan(0.8);
    expect(shares.nameEmpty).toBeGreaterThan(0.01);
    expect(shares.nameComma).toBeGreaterThan(0);
    expect(shares.pc).toBeGreaterThan(0.08);
    expect(shares.dateOnly).toBeGreaterThan(0.1);
    expect(shares.withOffset).toBeGreaterThan(0.05);
    expect(shares.optOutSms).toBeGreaterThan(0.015);
    expect(shares.optOutSms).toBeLessThan(0.05);
    expect(shares.optOutEmail).toBeGreaterThan(0.03);
    expect(shares.optOutEmail).toBeLessThan(0.07);
    expect(shares.labelled).toBeGreaterThan(0.01);
    expect(shares.labelled).toBeLessThan(0.2);
    expect(new Set(good.map((r) => r.unpaid_order)).size).toBeGreaterThanOrEqual(6);
  });

  it('represents every playbook group, close to the intended weights', () => {
    // Prepare
    const good = rowsOf(text).filter((r) => problems(r).length === 0);
    const counts = new Map<string, number>();

    // Act
    for (const r of good) {
      const g = classify(r, NOW.getTime(), CAMPAIGN_YEAR);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }

    // Assess
    for (const g of SAMPLE_GROUPS) {
      const share = (counts.get(g) ?? 0) / good.length;
      expect(share, g).toBeGreaterThanOrEqual(0.01);
      expect(Math.abs(share * 100 - SAMPLE_GROUP_WEIGHTS[g]), g).toBeLessThan(1.5);
    }
  });
});
