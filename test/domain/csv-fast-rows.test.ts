import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { CellBytes } from '../../functions/domain/csv-fast-rows.ts';
import { CUSTOMER_COLUMNS, type Customer, type CustomerColumn } from '../../functions/domain/customer.ts';
import { offsetMinutesAt } from '../../functions/domain/local-time.ts';
import {
  type AcceptedRow,
  type RejectedRow,
  SegmentReader,
  type SegmentReadSummary,
} from '../../functions/domain/segment-reader.ts';

const TIME_ZONE = 'Asia/Shanghai';
const FILE = 'segments/d11-2026/vip.csv';
/** The reader settles a file's encoding on this many bytes of non-ASCII rows. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Values of every kind a column sees: the common forms the byte reader takes, forms just
 * outside them (which the column's own reader must take instead), export forms, masked
 * values, "no value" marks, junk, text that needs quoting.
 */
const CELLS: Record<CustomerColumn, string[]> = {
  customer_id: [
    'C00000001',
    'c-2_x',
    'nick',
    'null',
    'NULL',
    '-',
    '--',
    '___',
    'N/A',
    '',
    '  c3 ',
    '1.23457E+11',
    'a\u0001b',
    'x'.repeat(128),
    'x'.repeat(129),
    '客户1',
    'C,1',
    'C"1',
  ],
  phone: [
    '13800138000',
    '+8613800138000',
    '+8612800138000',
    '+86138001380000',
    '+861380013800',
    '+8613800l38000',
    '+8513800138000',
    '8613800138000',
    '008613800138000',
    '12800138000',
    '1380013800',
    '138001380000',
    ' 13800138000',
    '+86 138 0013 8000',
    '8613800138000',
    '138****8000',
    '１３８００１３８０００',
    '+85291234567',
    '12345',
    '-',
    '',
  ],
  email: [
    'wang@qq.com',
    'Wang@QQ.com',
    'w***@qq.com',
    'w*g@qq.com',
    'not-an-email',
    ' li@163.com\t',
    'null',
    'a.b@sub.163.com',
    'a@b.cn',
    'a@.cn',
    '@qq.com',
    'a@@qq.com',
    'a@qq.c0m',
    'a@qq.c',
    'a;b@qq.com',
    'a@qq.com.',
    'a@qq',
    'wang@qq。com',
    'wáng@qq.com',
    '',
  ],
  name: [
    '王芳',
    '林静梓',
    '张**',
    'José',
    'Ｗａｎｇ',
    'n'.repeat(64),
    'n'.repeat(65),
    '欧阳,娜娜',
    'a"b',
    'x\ny',
    '\uFFFD',
    ' 王芳',
    '王芳\u3000',
    '\u3000王芳',
    '王 芳',
    'Wang Fang',
    '暂无',
    '暂无名',
    '—',
    'n/a',
    'Null',
    'nick',
    '#1',
    '/',
    '王*',
    '王\u0001芳',
    '芳'.repeat(21),
    '芳'.repeat(22),
    '',
  ],
  device: ['mobile', 'pc', 'both', 'MOBILE', 'mobilE', 'Both', 'bot', 'pcs', 'PC端', '无线端', ' pc', 'tablet', ''],
  last_order_at: [
    '2026-10-06T11:12:47',
    '2026-10-06 11:12:47',
    '2026-10-06t11:12:47',
    '2026-10-06',
    '2024-02-29',
    '2025-02-29',
    '2026-13-06',
    '2026-10-06T24:00:00',
    '2026-10-06T23:59:59',
    '2026-10-06T12:60:00',
    '2026-10-06T12:00:60',
    '2026-02-30',
    '2026-00-06',
    '2026-10-00',
    '2026-10-32',
    '0099-10-06',
    '1985-07-01T08:00:00',
    '1991-04-14T02:30:00',
    '1991-09-15T01:30:00',
    '2150-01-01',
    '2026-10-06T11:12',
    '2026-10-06T11:12:47+08:00',
    '2026-10-06T11:12:47+0800',
    '2026-10-06T11:12:47-05:30',
    '2026-10-06T11:12:47-00:00',
    '2026-10-06T11:12:47+14:00',
    '2026-10-06T11:12:47+15:00',
    '2026-10-06T11:12:47+08:60',
    '2026-10-06T11:12:47+8:00',
    '2026-10-06T11:12:47+08:0',
    '2026-10-06T11:12:47+08-00',
    '2026-10-06T11:12:47 +08:00',
    '2026-10-06T11:12:47Z',
    '2026-10-06T11:12:47z',
    '2026-10-06T11:12:47Y',
    '2026-10-06T24:00:00+08:00',
    '2025-02-29T10:00:00+08:00',
    '2026-10-06+08:00',
    '2026-10-06Z',
    '2025/11/11 10:00',
    '2025年11月11日',
    '2025.11.11',
    '45972',
    'soon',
    '２０２６-10-06',
    '',
  ],
  order_count: ['3', '0', '007', '999999999', '1000000000', '1,200', '12次', '3.5', '-1', ' 4', ''],
  total_spend: [
    '45.73',
    '0.00',
    '0.5',
    '1299',
    '999999999.99',
    '1234567890.12',
    '12.345',
    '12.',
    '.5',
    '¥1,299.00',
    '1299元',
    'abc',
    '',
  ],
  d11_years: [
    '2025',
    '2009',
    '2100',
    '2008',
    '2101',
    '2024;2025',
    '2025;2023',
    '2024;2024',
    '2026;2009;2100;2025',
    '2019;2020;2021;2022;2023;2024;2025',
    '2018;2019;2020;2021;2022;2023;2024;2025',
    '2025;2025;2025;2025;2025;2025;2025;2025;2024',
    '2024;',
    ';2024',
    '2024;;2025',
    '2024; 2025',
    '2024 2025',
    '2024,2025',
    '2024、2025',
    '2024；2025',
    '2024/2025',
    '２０２４;２０２５',
    '2024;２０２５',
    '2024;2025年',
    '2024;2008',
    '2024;20255',
    '2024;202',
    '20245',
    '',
  ],
  unpaid_order: [
    'TRUE',
    'true',
    'True',
    'tRuE',
    '1',
    'y',
    'Y',
    'yes',
    'YES',
    'yEs',
    '否',
    'maybe',
    'tru',
    'truE ',
    '2',
    '',
  ],
  opt_out_sms: ['0', 'FALSE', 'false', 'FaLsE', 'n', 'N', 'no', 'No', 'nO', 'fals', 'falsy', 'on', '是', 'x', ''],
  opt_out_email: ['FALSE', '是', 'x', '1', '0', 'nope', 'ye', 'ｙｅｓ', ''],
  segment: ['vip', '老客', 's'.repeat(65), ''],
  member_tier: ['VIP2', 'vip2', '钻石会员', 't\u0002', ''],
};

/** What most rows hold: the forms of the generated sample and of a tidy export (every one accepted). */
const COMMON: Record<CustomerColumn, string[]> = {
  customer_id: ['C00000001', 'C00000002', 'c-2_x', 'nick'],
  phone: ['13800138000', '19116017324', '+8615150047154', ''],
  email: ['wang@qq.com', 'lj6702@163.com', ''],
  name: ['王芳', '林静梓', 'Li Wei', '郑强', ''],
  device: ['mobile', 'pc', 'both'],
  last_order_at: ['2026-10-06T11:12:47', '2026-10-06 11:12:47', '2024-02-29', '2026-07-08T03:25:30+08:00', ''],
  order_count: ['3', '0', '999999999', ''],
  total_spend: ['45.73', '0.00', '0.5', '1299', '999999999.99', ''],
  d11_years: ['2025', '2009', '2024;2025', '2025;2023;2024', ''],
  unpaid_order: ['TRUE', 'false', '1', 'Y', ''],
  opt_out_sms: ['0', 'FALSE', 'no', ''],
  opt_out_email: ['false', 'Yes', ''],
  segment: ['vip', ''],
  member_tier: ['VIP2', ''],
};

const LINE_ENDS = ['\n', '\r\n', '\r'];

interface ReadResult {
  accepted: AcceptedRow[];
  rejected: RejectedRow[];
  summary: SegmentReadSummary;
}

/** The bytes as a stream, cut at the given offsets (sorted, inside the bytes). */
async function* cutAt(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of cuts) {
    if (cut <= start || cut >= bytes.length) continue;
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

/** A customer as its own plain object (what `accept` gets is reused for the next row). */
function copyOf(customer: Customer): Customer {
  const copy = Object.fromEntries(Object.entries(customer).filter(([, value]) => value !== undefined)) as Customer;
  copy.d11Years = [...customer.d11Years];
  return copy;
}

/**
 * Reads the file with the full path, or (`withAccept`) with `accept`, where the common rows
 * are read from their bytes: then twice, with the cells on the customer and with the id,
 * phone, email and name handed as bytes (`cellBytes`, as the customer set takes them), and
 * both must give the same customers.
 */
async function read(bytes: Uint8Array, cuts: number[], withAccept: boolean, timeZone = TIME_ZONE): Promise<ReadResult> {
  if (!withAccept) return readOnce(bytes, cuts, 'batches', timeZone);
  const onCustomer = await readOnce(bytes, cuts, 'accept', timeZone);
  const inBytes = await readOnce(bytes, cuts, 'cell-bytes', timeZone);
  expect(inBytes, 'the cells handed as bytes differ from the cells on the customer').toEqual(onCustomer);
  return onCustomer;
}

async function readOnce(
  bytes: Uint8Array,
  cuts: number[],
  way: 'batches' | 'accept' | 'cell-bytes',
  timeZone: string,
): Promise<ReadResult> {
  const accepted: AcceptedRow[] = [];
  const rejected: RejectedRow[] = [];
  const reader = new SegmentReader({
    fileName: FILE,
    timeZone,
    ...(way === 'batches'
      ? {}
      : {
          accept: (customer: Customer, line: number, cells?: CellBytes) =>
            accepted.push({ line, customer: withCells(copyOf(customer), cells) }),
          cellBytes: way === 'cell-bytes',
        }),
  });
  for await (const batch of reader.read(cutAt(bytes, cuts))) {
    for (const { line, customer } of batch.accepted) accepted.push({ line, customer: copyOf(customer) });
    for (const row of batch.rejected) rejected.push(row);
  }
  return { accepted, rejected, summary: reader.summary };
}

/** The customer with the cells given as bytes put back as the customer's own. */
function withCells(customer: Customer, cells: CellBytes | undefined): Customer {
  if (!cells) return customer;
  const text = (from: number, to: number) => cells.bytes.toString('utf8', from, to);
  if (cells.idFrom >= 0) customer.customerId = text(cells.idFrom, cells.idTo);
  if (!Number.isNaN(cells.phoneDigits)) customer.phone = `+${cells.phoneDigits}`;
  if (cells.emailFrom >= 0) customer.email = text(cells.emailFrom, cells.emailTo);
  if (cells.nameFrom >= 0) customer.name = text(cells.nameFrom, cells.nameTo);
  return customer;
}

function csvField(value: string, quote: boolean): string {
  return quote ? `"${value.replaceAll('"', '""')}"` : value;
}

const fileArbitrary = fc.record({
  others: fc.shuffledSubarray([...CUSTOMER_COLUMNS].filter((column) => column !== 'customer_id')),
  idAt: fc.noBias(fc.nat({ max: 1_000_000 })),
  /** An unknown column, ignored by the reader, still counted in the fields. */
  note: fc.boolean(),
  rows: fc.array(
    fc.record({
      picks: fc.array(fc.noBias(fc.nat({ max: 1_000_000 })), {
        minLength: CUSTOMER_COLUMNS.length + 1,
        maxLength: CUSTOMER_COLUMNS.length + 1,
      }),
      quotes: fc.array(fc.boolean(), {
        minLength: CUSTOMER_COLUMNS.length + 1,
        maxLength: CUSTOMER_COLUMNS.length + 1,
      }),
      /** 0: the header's field count; 1: one more (blank or not); 2: one less. */
      shape: fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2),
      /** The one cell of any kind (past the last column: none), so that its own reading decides the row. */
      oddAt: fc.noBias(fc.nat({ max: 1_000_000 })),
      lineEnd: fc.constantFrom(...LINE_ENDS),
      /** Written in GBK inside a UTF-8 file (a row pasted from another export). */
      gbk: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
    }),
    { minLength: 20, maxLength: 80 },
  ),
  /**
   * Rows of Chinese text first, enough for the reader to settle on UTF-8: until then it holds
   * non-ASCII rows back and reads them on the full path, after it every row may be read fast.
   */
  settled: fc.constantFrom(true, true, false),
  finalLineEnd: fc.boolean(),
  bom: fc.boolean(),
  wholeFile: fc.constantFrom<'utf-8' | 'gb18030'>('utf-8', 'utf-8', 'utf-8', 'gb18030'),
  cuts: fc.oneof(
    fc.constantFrom(1, 2, 3, 5, 7, 64, 4096).map((size) => ({ size })),
    fc.array(fc.nat({ max: 4000 }), { maxLength: 12 }).map((offsets) => ({ offsets })),
  ),
});

type FileCase = typeof fileArbitrary extends fc.Arbitrary<infer F> ? F : never;

function bytesOf(file: FileCase): {
  bytes: Buffer;
  cuts: number[];
  header: string[];
} {
  const header: string[] = [...file.others];
  header.splice(file.idAt % (header.length + 1), 0, 'customer_id');
  if (file.note || file.settled) header.splice(1, 0, 'note');
  const encode = (text: string, gbk: boolean) =>
    file.wholeFile === 'gb18030'
      ? iconv.encode(text, 'gb18030')
      : gbk
        ? iconv.encode(text, 'gbk')
        : Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  if (file.bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  parts.push(encode(`${header.join(',')}\n`, false));
  if (file.settled) {
    const note = '双十一老客备注'.repeat(3);
    for (let written = 0, row = 1; written <= SNIFF_BYTES + 4096; row += 1) {
      const fields = header.map((column) => (column === 'customer_id' ? `P${row}` : column === 'note' ? note : ''));
      const line = encode(`${fields.join(',')}\n`, false);
      parts.push(line);
      written += line.length;
    }
  }
  file.rows.forEach((row, rowIndex) => {
    const fields = header.map((column, index) => {
      const pick = row.picks[index] ?? 0;
      // One cell at most is of any kind; the rest are common, so that most rows are read whole from their bytes.
      const odd = row.oddAt % (header.length + 2) === index;
      const choices = column === 'note' ? ['a note', '备注', ''] : (odd ? CELLS : COMMON)[column as CustomerColumn];
      const value = choices[pick % choices.length] as string;
      const mustQuote = /[",\r\n]/.test(value);
      return csvField(value, mustQuote || (row.quotes[index] ?? false));
    });
    if (row.shape === 1) fields.push(row.picks[0] === undefined || row.picks[0] % 2 === 0 ? '' : 'extra');
    if (row.shape === 2) fields.pop();
    const last = rowIndex === file.rows.length - 1;
    parts.push(encode(fields.join(',') + (last && !file.finalLineEnd ? '' : row.lineEnd), row.gbk));
  });
  const bytes = Buffer.concat(parts);
  const chunking = file.cuts;
  const cuts =
    'size' in chunking
      ? Array.from({ length: Math.ceil(bytes.length / chunking.size) }, (_, index) => (index + 1) * chunking.size)
      : [...chunking.offsets].sort((a, b) => a - b);
  return { bytes, cuts, header };
}

/** Rows of Chinese text for a header, enough for the reader to settle the file on UTF-8. */
function settlingRows(header: readonly string[]): string[] {
  const note = '双十一老客备注'.repeat(3);
  const rows: string[] = [];
  for (let written = 0, row = 1; written <= SNIFF_BYTES + 4096; row += 1) {
    const line = header
      .map((column) => (column === 'customer_id' ? `P${row}` : column === 'note' ? note : ''))
      .join(',');
    rows.push(line);
    written += Buffer.byteLength(line) + 1;
  }
  return rows;
}

async function bothWays(text: string | Buffer, chunk: number): Promise<{ full: ReadResult; fast: ReadResult }> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const cuts = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, index) => (index + 1) * chunk);
  return { full: await read(bytes, cuts, false), fast: await read(bytes, cuts, true) };
}

describe('the common CSV rows read from their bytes (SegmentReader with accept)', () => {
  it.each(CUSTOMER_COLUMNS)(
    'reads every kind of %s cell as the full path does, one cell deciding each row',
    async (column) => {
      // Prepare: after the rows that settle the encoding, one row per value of the column.
      const header = column === 'customer_id' ? ['customer_id', 'note'] : ['customer_id', 'note', column];
      const values = [...new Set([...CELLS[column], ...COMMON[column]])];
      const rows = values.map((value, index) => {
        const cell = csvField(value, /[",\r\n]/.test(value));
        return column === 'customer_id' ? `${cell},` : `R${index},,${cell}`;
      });
      const text = `${[header.join(','), ...settlingRows(header), ...rows].join('\n')}\n`;

      for (const chunk of [5, 4096, text.length * 4]) {
        // Act
        const { full, fast } = await bothWays(text, chunk);

        // Assess
        expect(fast, `${column} in chunks of ${chunk} bytes`).toEqual(full);
        expect(full.summary.encoding).toBe('utf-8');
      }
    },
  );

  it.each(['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Shanghai', 'UTC'])(
    'reads last-order times around every offset change of %s from 1985 to 2027 as the full path does',
    async (timeZone) => {
      // Prepare: each hour of the days around each change (China kept summer time from 1986 to 1991).
      const header = ['customer_id', 'last_order_at'];
      const rows: string[] = [];
      const pad = (value: number) => String(value).padStart(2, '0');
      for (let day = Date.UTC(1985, 0, 1); day < Date.UTC(2028, 0, 1); day += 86_400_000) {
        const near = [-1, 0, 1, 2].map((days) => offsetMinutesAt(day + days * 86_400_000, timeZone));
        const date = new Date(day).toISOString().slice(0, 10);
        if (near.every((offset) => offset === near[0])) {
          if (date.endsWith('-01')) rows.push(`M${rows.length},${date}T12:34:56`);
          continue;
        }
        for (let hour = 0; hour < 24; hour += 1) {
          rows.push(`T${rows.length},${date}T${pad(hour)}:30:00`, `Q${rows.length},${date} ${pad(hour)}:59:59`);
        }
        rows.push(`D${rows.length},${date}`);
      }
      const bytes = Buffer.from(`${[header.join(','), ...rows].join('\n')}\n`, 'utf8');

      // Act
      const full = await read(bytes, [bytes.length], false, timeZone);
      const fast = await read(bytes, [bytes.length], true, timeZone);

      // Assess
      expect(full.accepted).toHaveLength(rows.length);
      expect(fast, `${timeZone}: the byte reader's instants differ from the full path's`).toEqual(full);
    },
  );

  it('reads a GBK row whose bytes are also valid UTF-8, and a row holding U+FFFD, as the full path does (both rejected)', async () => {
    // Prepare: 郑强 in GBK (D6 A3 C7 BF) is valid UTF-8 for "֣ǿ", and has no character from U+0800 on.
    const header = ['customer_id', 'note', 'name'];
    const head = Buffer.from(`${[header.join(','), ...settlingRows(header)].join('\n')}\n`, 'utf8');
    const gbkRow = Buffer.concat([Buffer.from('G1,,'), iconv.encode('郑强', 'gbk'), Buffer.from('\n')]);
    const bytes = Buffer.concat([head, gbkRow, Buffer.from('R1,,\uFFFD\nR2,,王芳\n', 'utf8')]);

    for (const chunk of [3, 4096, bytes.length]) {
      // Act
      const { full, fast } = await bothWays(bytes, chunk);

      // Assess
      expect(fast).toEqual(full);
      expect(fast.rejected.map(({ line, problems }) => [line, problems[0]?.code ?? problems[0]?.reason])).toEqual([
        [head.toString('utf8').split('\n').length, 'mixed-encoding'],
        [head.toString('utf8').split('\n').length + 1, 'has bytes that are neither UTF-8 nor GB18030 text'],
      ]);
      expect(fast.accepted.at(-1)?.customer.name).toBe('王芳');
    }
  });

  it('reads a quoted field and a Chinese character cut by a chunk boundary whole, at every cut', async () => {
    // Prepare: every cut of the last rows' bytes, so some chunk ends inside the quotes and inside 林's three bytes.
    const header = ['customer_id', 'note', 'name', 'phone'];
    const head = `${[header.join(','), ...settlingRows(header)].join('\n')}\n`;
    const tail = 'Q1,,"欧阳,""娜娜""\r\n第二行",13800138000\r\nQ2,,林静梓,13900139000\rQ3,"a,b",张三,\n';
    const bytes = Buffer.from(head + tail, 'utf8');
    const headBytes = Buffer.byteLength(head);
    for (let cut = headBytes; cut < bytes.length; cut += 1) {
      // Act
      const cuts = [cut];
      const full = await read(bytes, cuts, false);
      const fast = await read(bytes, cuts, true);

      // Assess
      expect(fast, `cut at byte ${cut - headBytes} of the last rows`).toEqual(full);
      expect(
        fast.accepted.slice(-3).map(({ customer }) => [customer.customerId, customer.name, customer.phone]),
      ).toEqual([
        ['Q1', '欧阳,"娜娜"\r\n第二行', '+8613800138000'],
        ['Q2', '林静梓', '+8613900139000'],
        ['Q3', '张三', undefined],
      ]);
    }
  });

  it('accepts and rejects every row exactly as the full path does, however the bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fileArbitrary, async (file) => {
        // Prepare
        const { bytes, cuts, header } = bytesOf(file);

        // Act
        const full = await read(bytes, cuts, false);
        const fast = await read(bytes, cuts, true);

        // Assess
        expect(fast, `header ${header.join(',')}, file ${JSON.stringify(bytes.toString('utf8'))}`).toEqual(full);
      }),
      { numRuns: 150 },
    );
  });
});
