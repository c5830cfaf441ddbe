import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  COLUMN_ALIASES,
  type ColumnMapping,
  type ColumnMappingJson,
  toColumnMapping,
} from '../../functions/domain/column-mapping.ts';
import { CUSTOMER_COLUMNS, type Customer, type CustomerColumn } from '../../functions/domain/customer.ts';
import {
  type AcceptedRow,
  type RejectedRow,
  SegmentFileError,
  SegmentReader,
  type SegmentReadSummary,
  sniffEncoding,
} from '../../functions/domain/segment-reader.ts';
import { canonicalCsvBytes, EXPORT_COLUMNS, exportCsvBytes } from '../support/export-fixtures.ts';

const TIME_ZONE = 'Asia/Shanghai';
const FILE = 'segments/d11-2026/vip.csv';
const JSONL_FILE = 'segments/d11-2026/vip.jsonl';
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** The reader decides the encoding on this many bytes. */
const SNIFF_BYTES = 64 * 1024;
/** From one byte (every multibyte character split across chunks) to bigger than the sniffed prefix. */
const CHUNK_SIZES = [1, 2, 3, 7, 4096, 100_000];

const CHINESE_CSV = [
  'customer_id,name,phone,segment',
  'C1,张三,13800138000,',
  'C2,"欧阳,娜娜",+8613900139000,双11老客',
  // 䶮 and 𠀀 are outside GBK: GB18030 writes them as 4-byte sequences.
  'C3,刘䶮,,',
  'C4,𠀀,,',
].join('\r\n');

const CHINESE_NAMES = [
  { line: 2, customerId: 'C1', name: '张三' },
  { line: 3, customerId: 'C2', name: '欧阳,娜娜' },
  { line: 4, customerId: 'C3', name: '刘䶮' },
  { line: 5, customerId: 'C4', name: '𠀀' },
];

interface ReadResult {
  accepted: AcceptedRow[];
  rejected: RejectedRow[];
  summary: SegmentReadSummary;
}

/** The bytes as an async stream of chunks of `size` bytes. */
async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

/** Reads a whole segment file (text is written as UTF-8) fed in chunks of `chunkSize` bytes. */
async function readSegment(
  fileName: string,
  content: string | Uint8Array,
  chunkSize = 4096,
  columns?: ColumnMapping,
): Promise<ReadResult> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const reader = new SegmentReader({ fileName, timeZone: TIME_ZONE, ...(columns ? { columns } : {}) });
  const accepted: AcceptedRow[] = [];
  const rejected: RejectedRow[] = [];
  for await (const batch of reader.read(inChunks(bytes, chunkSize))) {
    accepted.push(...batch.accepted);
    rejected.push(...batch.rejected);
  }
  return { accepted, rejected, summary: reader.summary };
}

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

function namesOf(rows: AcceptedRow[]): Array<{ line: number; customerId: string; name: string | undefined }> {
  return rows.map(({ line, customer }) => ({ line, customerId: customer.customerId, name: customer.name }));
}

/** A CSV of `rows` generated on the fly, `rowsPerChunk` rows per chunk; counts the chunks handed out. */
async function* generatedCsv(rows: number, rowsPerChunk: number, progress: { chunks: number }) {
  const encoder = new TextEncoder();
  yield encoder.encode('customer_id,phone,name,device,order_count,total_spend,d11_years,unpaid_order\n');
  for (let first = 0; first < rows; first += rowsPerChunk) {
    let text = '';
    for (let index = first; index < Math.min(rows, first + rowsPerChunk); index += 1) {
      const phone = `139${String(index).padStart(8, '0')}`;
      text += `C${index},${phone},客户${index},${index % 2 ? 'pc' : 'mobile'},${index % 7},${index}.50,2024;2025,no\n`;
    }
    progress.chunks += 1;
    yield encoder.encode(text);
  }
}

describe('sniffEncoding', () => {
  it.each([
    ['a UTF-8 BOM', Buffer.concat([UTF8_BOM, Buffer.from('customer_id\n')]), { encoding: 'utf-8', bomLength: 3 }],
    ['UTF-8 without BOM', Buffer.from('customer_id,name\nC1,张三\n'), { encoding: 'utf-8', bomLength: 0 }],
    ['UTF-8 cut inside a character', Buffer.from('C1,张').subarray(0, 4), { encoding: 'utf-8', bomLength: 0 }],
    ['GB18030', iconv.encode('customer_id,name\nC1,张三\n', 'gb18030'), { encoding: 'gb18030', bomLength: 0 }],
    [
      'GB18030 behind a UTF-8 BOM (the body decides)',
      Buffer.concat([UTF8_BOM, iconv.encode('customer_id,name\nC1,张三\n', 'gb18030')]),
      { encoding: 'gb18030', bomLength: 3 },
    ],
    ['nothing', Buffer.alloc(0), { encoding: 'utf-8', bomLength: 0 }],
  ])('recognises %s', (_kind, sample, expected) => {
    // Prepare
    const bytes = new Uint8Array(sample);

    // Act
    const sniffed = sniffEncoding(bytes);

    // Assess
    expect(sniffed).toEqual(expected);
  });
});

describe('SegmentReader', () => {
  describe('encodings', () => {
    it.each(CHUNK_SIZES)('reads UTF-8 with a BOM in %i-byte chunks', async (chunkSize) => {
      // Prepare
      const bytes = Buffer.concat([UTF8_BOM, Buffer.from(CHINESE_CSV, 'utf8')]);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, chunkSize);

      // Assess
      expect(namesOf(accepted)).toEqual(CHINESE_NAMES);
      expect(rejected).toEqual([]);
      expect(summary.encoding).toBe('utf-8');
    });

    it.each(CHUNK_SIZES)('reads UTF-8 without a BOM in %i-byte chunks', async (chunkSize) => {
      // Prepare
      const bytes = Buffer.from(CHINESE_CSV, 'utf8');

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, chunkSize);

      // Assess
      expect(namesOf(accepted)).toEqual(CHINESE_NAMES);
      expect(rejected).toEqual([]);
      expect(summary.encoding).toBe('utf-8');
    });

    it.each(CHUNK_SIZES)('reads GB18030 (Excel on Chinese Windows) in %i-byte chunks', async (chunkSize) => {
      // Prepare
      const bytes = iconv.encode(CHINESE_CSV, 'gb18030');

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, chunkSize);

      // Assess
      expect(namesOf(accepted)).toEqual(CHINESE_NAMES);
      expect(accepted.map(({ customer }) => customer.segment)).toEqual(['vip', '双11老客', 'vip', 'vip']);
      expect(rejected).toEqual([]);
      expect(summary.encoding).toBe('gb18030');
    });

    it('reads a GBK file whose Chinese text starts after the first 64 KB', async () => {
      // Prepare: ASCII-only rows past a whole sniff window, then GBK-encoded Chinese names.
      const asciiRows = Array.from({ length: 6000 }, (_, index) => `A${index},name${index}`);
      const asciiPart = Buffer.from(lines('customer_id,name', ...asciiRows), 'utf8');
      const gbkPart = iconv.encode(lines('G1,张三', 'G2,plain', 'G3,李四'), 'gbk');

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, Buffer.concat([asciiPart, gbkPart]), 4096);

      // Assess
      expect(asciiPart.length).toBeGreaterThan(SNIFF_BYTES);
      expect(summary.encoding).toBe('gb18030');
      expect(rejected).toEqual([]);
      expect(accepted.slice(-3).map(({ customer }) => customer.name)).toEqual(['张三', 'plain', '李四']);
      expect(summary).toMatchObject({ rows: asciiRows.length + 3, accepted: asciiRows.length + 3, rejected: 0 });
    });

    it('rejects rows with bytes that are neither UTF-8 nor GB18030 once UTF-8 was chosen', async () => {
      // Prepare: a whole sniff window of valid UTF-8 Chinese, then a row with a lone continuation byte.
      const chineseRows = Array.from({ length: 6000 }, (_, index) => `C${index},张三`);
      const text = Buffer.concat([
        Buffer.from(lines('customer_id,name', ...chineseRows, 'U1,张三'), 'utf8'),
        Buffer.from([0x55, 0x32, 0x2c, 0x80, 0x0a]),
        Buffer.from(lines('U3,李四'), 'utf8'),
      ]);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, text, 4096);

      // Assess
      expect(summary.encoding).toBe('utf-8');
      expect(accepted.slice(-2).map(({ customer }) => customer.name)).toEqual(['张三', '李四']);
      expect(rejected).toEqual([
        {
          file: FILE,
          line: chineseRows.length + 3,
          customerId: 'U2',
          problems: [{ column: 'name', reason: expect.stringMatching(/UTF-8.*GB18030/) }],
        },
      ]);
    });
  });

  describe('files without rows', () => {
    it.each([
      ['an empty (0-byte) file', ''],
      ['a header-only file', 'customer_id,name\n'],
      ['a header-only file without a line break', 'customer_id,name'],
      ['a header and blank lines', '\uFEFFcustomer_id,name\r\n\r\n\n'],
    ])('reads %s as no rows and no error', async (_kind, content) => {
      // Prepare
      const bytes = Buffer.from(content, 'utf8');

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes);

      // Assess
      expect(accepted).toEqual([]);
      expect(rejected).toEqual([]);
      expect(summary).toMatchObject({ rows: 0, accepted: 0, rejected: 0 });
    });
  });

  describe('rows', () => {
    it('rejects every row of a file of bad rows, with line numbers 2..N+1', async () => {
      // Prepare
      const badRows = ['B1,12345,', 'B2,,tablet', 'B3,23800138000,pc', ',13800138000,', 'B5,,phone'];
      const content = lines('customer_id,phone,device', ...badRows);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, content, 1);

      // Assess
      expect(accepted).toEqual([]);
      expect(rejected.map((row) => row.line)).toEqual([2, 3, 4, 5, 6]);
      expect(rejected.map((row) => row.customerId)).toEqual(['B1', 'B2', 'B3', undefined, 'B5']);
      expect(rejected.map((row) => row.problems.map((problem) => problem.column))).toEqual([
        ['phone'],
        ['device'],
        ['phone'],
        ['customer_id'],
        ['device'],
      ]);
      expect(rejected.every((row) => row.file === FILE)).toBe(true);
      expect(summary).toMatchObject({ rows: 5, accepted: 0, rejected: 5 });
    });

    it('rejects rows with too many or too few fields and tolerates trailing empty fields', async () => {
      // Prepare
      const content = lines('customer_id,name', 'C1,a,extra', 'C2', 'C3,c,,', 'C4,d');

      // Act
      const { accepted, rejected } = await readSegment(FILE, content);

      // Assess
      expect(rejected).toEqual([
        {
          file: FILE,
          line: 2,
          customerId: 'C1',
          problems: [{ column: '(row)', reason: 'has 3 fields, the header has 2' }],
        },
        {
          file: FILE,
          line: 3,
          customerId: 'C2',
          problems: [{ column: '(row)', reason: 'has 1 fields, the header has 2' }],
        },
      ]);
      expect(namesOf(accepted)).toEqual([
        { line: 4, customerId: 'C3', name: 'c' },
        { line: 5, customerId: 'C4', name: 'd' },
      ]);
    });

    it('rejects the rows the CSV splitter cannot read and keeps the rows around them, on the right lines', async () => {
      // Prepare
      const content = lines(
        'customer_id,name',
        'C1,"two',
        'lines"',
        '5,"bad"x',
        'C6,after bad',
        'C7,"never closed',
        'C8,last',
      );

      // Act
      const { accepted, rejected } = await readSegment(FILE, content, 3);

      // Assess
      expect(namesOf(accepted)).toEqual([
        { line: 2, customerId: 'C1', name: 'two\nlines' },
        { line: 5, customerId: 'C6', name: 'after bad' },
        { line: 7, customerId: 'C8', name: 'last' },
      ]);
      expect(rejected).toEqual([
        { file: FILE, line: 4, problems: [{ column: '(row)', reason: expect.stringMatching(/closing quote/) }] },
        { file: FILE, line: 6, problems: [{ column: '(row)', reason: expect.stringMatching(/never closed/) }] },
      ]);
    });

    it('trims cells and reads header names in any case', async () => {
      // Prepare
      const content = lines(' Customer_ID , Phone ,DEVICE', '  C1 , 13800138000 , PC ');

      // Act
      const { accepted } = await readSegment(FILE, content);

      // Assess
      expect(accepted).toEqual([
        {
          line: 2,
          customer: { customerId: 'C1', phone: '+8613800138000', device: 'pc', d11Years: [], segment: 'vip' },
        },
      ]);
    });
  });

  describe('header', () => {
    it('refuses a header without customer_id, naming the column', async () => {
      // Prepare
      const content = lines('id,phone', 'C1,13800138000');

      // Act
      const reading = readSegment(FILE, content);

      // Assess
      await expect(reading).rejects.toThrow(SegmentFileError);
      await expect(reading).rejects.toThrow(/customer_id/);
    });

    it('refuses a header with a column twice (in any case)', async () => {
      // Prepare
      const content = lines('customer_id,phone,Phone', 'C1,13800138000,13900139000');

      // Act
      const reading = readSegment(FILE, content);

      // Assess
      await expect(reading).rejects.toThrow(SegmentFileError);
      await expect(reading).rejects.toThrow(/"phone" appears twice/);
    });

    it('reports unknown columns in the summary and ignores their values', async () => {
      // Prepare
      const content = lines('customer_id,wangwang,name,备注', 'C1,gold,张三,老客户');

      // Act
      const { accepted, summary } = await readSegment(FILE, content);

      // Assess
      expect(summary.ignoredColumns).toEqual(['wangwang', '备注']);
      expect(accepted).toEqual([
        { line: 2, customer: { customerId: 'C1', name: '张三', device: 'mobile', d11Years: [], segment: 'vip' } },
      ]);
    });
  });

  describe('JSON Lines', () => {
    it('reads typed values: numbers, booleans, lists of years and null', async () => {
      // Prepare
      const row = {
        customer_id: 'J1',
        phone: 13800138000,
        email: null,
        device: 'PC',
        last_order_at: '2026-06-18T20:00:00+08:00',
        order_count: 3,
        total_spend: 1299.5,
        d11_years: [2025, 2024, 2025],
        unpaid_order: true,
        opt_out_sms: false,
        opt_out_email: null,
      };

      // Act
      const { accepted, rejected, summary } = await readSegment(JSONL_FILE, `${JSON.stringify(row)}\n`, 5);

      // Assess
      expect(rejected).toEqual([]);
      expect(summary).toMatchObject({ format: 'jsonl', rows: 1, accepted: 1 });
      expect(accepted).toEqual([
        {
          line: 1,
          customer: {
            customerId: 'J1',
            phone: '+8613800138000',
            device: 'pc',
            lastOrderAt: Date.parse('2026-06-18T12:00:00Z'),
            orderCount: 3,
            totalSpend: 1299.5,
            d11Years: [2024, 2025],
            unpaidOrder: true,
            optOutSms: false,
            segment: 'vip',
          },
        },
      ]);
    });

    it('rejects non-object and invalid JSON lines with their line numbers, counting blank lines', async () => {
      // Prepare
      const content = [
        '{"customer_id":"J1"}',
        '',
        '42',
        '["J3"]',
        '{"customer_id": "J5",',
        '   ',
        '{"customer_id":"J7","name":{"first":"三"}}',
        '{"customer_id":"J8"}',
      ].join('\r\n');

      // Act
      const { accepted, rejected, summary } = await readSegment(JSONL_FILE, content, 1);

      // Assess
      expect(accepted.map(({ line, customer }) => [line, customer.customerId])).toEqual([
        [1, 'J1'],
        [8, 'J8'],
      ]);
      expect(rejected).toEqual([
        { file: JSONL_FILE, line: 3, problems: [{ column: '(row)', reason: 'is not a JSON object' }] },
        { file: JSONL_FILE, line: 4, problems: [{ column: '(row)', reason: 'is not a JSON object' }] },
        { file: JSONL_FILE, line: 5, problems: [{ column: '(row)', reason: expect.stringMatching(/not valid JSON/) }] },
        { file: JSONL_FILE, line: 7, customerId: 'J7', problems: [{ column: 'name', reason: expect.any(String) }] },
      ]);
      expect(summary).toMatchObject({ rows: 6, accepted: 2, rejected: 4 });
    });
  });

  describe('file names', () => {
    it.each(['segments/d11-2026/vip.txt', 'segments/d11-2026/vip'])('refuses %j before reading a byte', (fileName) => {
      // Prepare
      const options = { fileName, timeZone: TIME_ZONE };

      // Act
      const open = () => new SegmentReader(options);

      // Assess
      expect(open).toThrow(SegmentFileError);
      expect(open).toThrow(/use \.csv, \.jsonl or \.xlsx/);
    });

    it.each([
      ['segments/d11-2026/vip 客户.csv', 'customer_id\nC1\n', 'vip 客户'],
      ['segments/d11-2026/vip 客户.jsonl', '{"customer_id":"C1"}\n', 'vip 客户'],
      ['segments/d11-2026/VIP 客户.CSV', 'customer_id\nC1\n', 'VIP 客户'],
    ])('labels the rows of %j with the file name without extension', async (fileName, content, label) => {
      // Prepare
      const bytes = Buffer.from(content, 'utf8');

      // Act
      const { accepted } = await readSegment(fileName, bytes);

      // Assess
      expect(accepted.map(({ customer }) => customer.segment)).toEqual([label]);
    });
  });

  it('streams a 200,000-row file in bounded batches, before the whole file has been produced', async () => {
    // Prepare
    const rows = 200_000;
    const rowsPerChunk = 500;
    const progress = { chunks: 0 };
    const reader = new SegmentReader({ fileName: FILE, timeZone: TIME_ZONE });
    let largestBatch = 0;
    let acceptedRows = 0;
    let chunksBeforeFirstBatch: number | undefined;

    // Act
    for await (const batch of reader.read(generatedCsv(rows, rowsPerChunk, progress))) {
      chunksBeforeFirstBatch ??= progress.chunks;
      acceptedRows += batch.accepted.length;
      largestBatch = Math.max(largestBatch, batch.accepted.length + batch.rejected.length);
    }

    // Assess
    expect(acceptedRows).toBe(rows);
    expect(reader.summary).toMatchObject({ rows, accepted: rows, rejected: 0 });
    expect(largestBatch).toBeLessThanOrEqual(20_000);
    expect(chunksBeforeFirstBatch).toBeLessThan(rows / rowsPerChunk / 10);
  });
});

/** Reads a segment file handed over in exactly these chunks. */
async function readChunks(fileName: string, chunks: Uint8Array[]): Promise<ReadResult> {
  const reader = new SegmentReader({ fileName, timeZone: TIME_ZONE });
  const accepted: AcceptedRow[] = [];
  const rejected: RejectedRow[] = [];
  async function* stream() {
    yield* chunks;
  }
  for await (const batch of reader.read(stream())) {
    accepted.push(...batch.accepted);
    rejected.push(...batch.rejected);
  }
  return { accepted, rejected, summary: reader.summary };
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function gbk(text: string): Buffer {
  return iconv.encode(text, 'gbk');
}

function contactsOf(rows: AcceptedRow[]) {
  return rows.map(({ line, customer }) => ({
    line,
    customerId: customer.customerId,
    phone: customer.phone,
    email: customer.email,
    name: customer.name,
  }));
}

/** A mixed-encoding problem on `column` that says which encoding the row is in and which the file. */
function mixedEncoding(column: string, row: 'UTF-8' | 'GB18030', file: 'UTF-8' | 'GB18030') {
  return {
    column,
    code: 'mixed-encoding',
    reason: expect.stringMatching(new RegExp(`row is ${row}.*rest of the file is ${file}`)),
  };
}

describe('SegmentReader on files that lie', () => {
  describe('line ends', () => {
    const MAC_EXCEL = ['customer_id,phone,email,name', 'C1,13800138000,a@qq.com,张三', 'C2,13900139000,b@qq.com,李四'];

    it.each(CHUNK_SIZES)('reads a CSV with CR-only line ends (Excel for Mac) in %i-byte chunks', async (chunkSize) => {
      // Prepare
      const bytes = utf8(`${MAC_EXCEL.join('\r')}\r`);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, chunkSize);

      // Assess
      expect(contactsOf(accepted)).toEqual([
        { line: 2, customerId: 'C1', phone: '+8613800138000', email: 'a@qq.com', name: '张三' },
        { line: 3, customerId: 'C2', phone: '+8613900139000', email: 'b@qq.com', name: '李四' },
      ]);
      expect(rejected).toEqual([]);
      expect(summary).toMatchObject({ rows: 2, accepted: 2, ignoredColumns: [] });
    });

    it('reads CRLF, LF and CR mixed in one file and numbers lines as an editor does', async () => {
      // Prepare: a CR inside a quoted field is data, and a line of the file.
      const content = 'customer_id,name\r\nC1,a\nC2,"b\rc"\rC3,d\r\n\rC4,e';

      // Act
      const { accepted, rejected } = await readSegment(FILE, utf8(content), 1);

      // Assess
      expect(rejected).toEqual([]);
      expect(namesOf(accepted)).toEqual([
        { line: 2, customerId: 'C1', name: 'a' },
        { line: 3, customerId: 'C2', name: 'b\rc' },
        { line: 5, customerId: 'C3', name: 'd' },
        { line: 7, customerId: 'C4', name: 'e' },
      ]);
    });

    it('reads a CRLF split across two chunks as one line end', async () => {
      // Prepare: every CR ends a chunk and its LF starts the next.
      const chunks = ['customer_id,name\r', '\nC1,a\r', '\nC2,"b"\r', '\nC3,c\r', '\n'].map(utf8);

      // Act
      const { accepted, rejected } = await readChunks(FILE, chunks);

      // Assess
      expect(rejected).toEqual([]);
      expect(namesOf(accepted)).toEqual([
        { line: 2, customerId: 'C1', name: 'a' },
        { line: 3, customerId: 'C2', name: 'b' },
        { line: 4, customerId: 'C3', name: 'c' },
      ]);
    });

    it.each([1, 7, 4096])('reads JSON Lines with CR-only line ends in %i-byte chunks', async (chunkSize) => {
      // Prepare
      const content = '{"customer_id":"J1","name":"张三"}\r\r{"customer_id":"J3","phone":"13800138000"}\r';

      // Act
      const { accepted, rejected, summary } = await readSegment(JSONL_FILE, utf8(content), chunkSize);

      // Assess
      expect(rejected).toEqual([]);
      expect(contactsOf(accepted)).toEqual([
        { line: 1, customerId: 'J1', phone: undefined, email: undefined, name: '张三' },
        { line: 3, customerId: 'J3', phone: '+8613800138000', email: undefined, name: undefined },
      ]);
      expect(summary).toMatchObject({ rows: 2, accepted: 2 });
    });
  });

  describe('a first line that is data', () => {
    it.each([
      ['ids, phones and emails', 'C00000001,13800138000,a@qq.com\nC00000002,13900139000,b@qq.com\n'],
      ['a phone first', '13800138000,a@qq.com,C1\n'],
      ['dates and amounts', 'C00000001,2026-06-18,1299.50\n'],
    ])('refuses a first line of %s, saying what the cells look like and never their values', async (_kind, content) => {
      // Prepare
      const bytes = utf8(content);

      // Act
      const reading = readSegment(FILE, bytes);

      // Assess
      await expect(reading).rejects.toThrow(SegmentFileError);
      const error = (await reading.catch((caught: unknown) => caught)) as SegmentFileError;
      expect(error.reason).toMatch(/^the first line looks like data, not a header: cell \d looks like/);
      expect(error.reason).not.toMatch(/138001|@qq|C0000|2026-06|1299/);
    });

    it('refuses a header that holds a phone or an email, as when a data line ran into it', async () => {
      // Prepare
      const content = 'customer_id,phone,C1,13800138000\nC2,13900139000,,\n';

      // Act
      const reading = readSegment(FILE, utf8(content));

      // Assess
      const error = (await reading.catch((caught: unknown) => caught)) as SegmentFileError;
      expect(error).toBeInstanceOf(SegmentFileError);
      expect(error.reason).toMatch(/header \(line 1\) holds values.*cell 4 looks like a phone number/);
      expect(error.reason).not.toContain('13800138000');
    });

    it('does not name a value as a column when the header lacks customer_id', async () => {
      // Prepare
      const content = 'phone,C00000001\n13800138000,x\n';

      // Act
      const reading = readSegment(FILE, utf8(content));

      // Assess
      const error = (await reading.catch((caught: unknown) => caught)) as SegmentFileError;
      expect(error.reason).toMatch(/^the header has no customer_id column \(found: phone, \(cell 2: a value\)\); /);
    });
  });

  describe('mixed encodings', () => {
    it.each(CHUNK_SIZES)('rejects the one GBK row of a UTF-8 file as mixed-encoding (%i-byte chunks)', async (size) => {
      // Prepare: 张三 in GBK reads as 寮犱笁-like mojibake in UTF-8 terms: it must never land.
      const bytes = Buffer.concat([
        utf8('customer_id,phone,name\nC1,13800138000,王芳\n'),
        gbk('C2,13800138001,张三\n'),
        utf8('C3,13800138002,李四\nC4,13800138003,欧阳娜娜\n'),
      ]);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, size);

      // Assess
      expect(summary.encoding).toBe('utf-8');
      expect(namesOf(accepted)).toEqual([
        { line: 2, customerId: 'C1', name: '王芳' },
        { line: 4, customerId: 'C3', name: '李四' },
        { line: 5, customerId: 'C4', name: '欧阳娜娜' },
      ]);
      expect(rejected).toEqual([
        { file: FILE, line: 3, customerId: 'C2', problems: [mixedEncoding('name', 'GB18030', 'UTF-8')] },
      ]);
    });

    it.each(CHUNK_SIZES)(
      'rejects the one UTF-8 row of a GB18030 file as mixed-encoding (%i-byte chunks)',
      async (size) => {
        // Prepare: 张三 in UTF-8 reads as 寮犱笁 in GB18030.
        const bytes = Buffer.concat([
          gbk('customer_id,phone,name,segment\nC1,13800138000,王芳,老客\nC2,13800138001,李四,老客\n'),
          utf8('C3,13800138002,张三,老客\n'),
          gbk('C4,13800138003,欧阳娜娜,新客\n'),
        ]);

        // Act
        const { accepted, rejected, summary } = await readSegment(FILE, bytes, size);

        // Assess
        expect(summary.encoding).toBe('gb18030');
        expect(accepted.map(({ customer }) => [customer.customerId, customer.name, customer.segment])).toEqual([
          ['C1', '王芳', '老客'],
          ['C2', '李四', '老客'],
          ['C4', '欧阳娜娜', '新客'],
        ]);
        expect(rejected).toEqual([
          {
            file: FILE,
            line: 4,
            customerId: 'C3',
            problems: [mixedEncoding('name', 'UTF-8', 'GB18030'), mixedEncoding('segment', 'UTF-8', 'GB18030')],
          },
        ]);
        expect(JSON.stringify(accepted)).not.toContain('寮犱笁');
      },
    );

    it('lists the value problems of a mixed-encoding row too', async () => {
      // Prepare
      const bytes = Buffer.concat([utf8('customer_id,phone,name\nC1,13800138000,王芳\n'), gbk('C2,12345,张三\n')]);

      // Act
      const { rejected } = await readSegment(FILE, bytes);

      // Assess
      expect(rejected).toEqual([
        {
          file: FILE,
          line: 3,
          customerId: 'C2',
          problems: [
            mixedEncoding('name', 'GB18030', 'UTF-8'),
            { column: 'phone', reason: expect.stringContaining('"12345" is not a phone') },
          ],
        },
      ]);
    });

    it('goes by most rows, not the first: a GBK row first in a UTF-8 file is the one rejected', async () => {
      // Prepare
      const bytes = Buffer.concat([utf8('customer_id,name\n'), gbk('C1,张三\n'), utf8('C2,王芳\nC3,李四\n')]);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes);

      // Assess
      expect(summary.encoding).toBe('utf-8');
      expect(namesOf(accepted)).toEqual([
        { line: 3, customerId: 'C2', name: '王芳' },
        { line: 4, customerId: 'C3', name: '李四' },
      ]);
      expect(rejected.map(({ line, problems }) => [line, problems.map((problem) => problem.code)])).toEqual([
        [2, ['mixed-encoding']],
      ]);
    });

    it('rejects a GBK row whose bytes also happen to be valid UTF-8 instead of importing its mojibake', async () => {
      // Prepare: 郑强 in GBK (D6 A3 C7 BF) is valid UTF-8 for "֣ǿ" (a Hebrew point and a Latin letter).
      const pastedRow = gbk('C2,郑强\n');
      const bytes = Buffer.concat([utf8('customer_id,name\nC1,王芳\n'), pastedRow, utf8('C3,李四\n')]);

      // Act
      const { accepted, rejected } = await readSegment(FILE, bytes);

      // Assess
      expect(pastedRow.toString('utf8')).toBe('C2,֣ǿ\n');
      expect(accepted.map(({ customer }) => customer.name)).toEqual(['王芳', '李四']);
      expect(rejected).toEqual([
        { file: FILE, line: 3, customerId: 'C2', problems: [mixedEncoding('name', 'GB18030', 'UTF-8')] },
      ]);
    });

    it('reads a row in one 2-byte script (Hebrew, Armenian, Cyrillic, Latin) as the UTF-8 it is', async () => {
      // Prepare
      const names = ['שלום', 'Աննա', 'Ольга', 'José', 'محمد'];
      const content = lines('customer_id,name', '0,王芳', ...names.map((name, index) => `C${index},${name}`));

      // Act
      const { accepted, rejected } = await readSegment(FILE, utf8(content));

      // Assess
      expect(rejected).toEqual([]);
      expect(accepted.map(({ customer }) => customer.name)).toEqual(['王芳', ...names]);
    });

    it('reads GBK rows that happen to be valid UTF-8 as the GB18030 they are', async () => {
      // Prepare: each of these names in GBK is also valid UTF-8; the last three even read as UTF-8 ideographs.
      const names = ['郑强', '魏志', '谢霞', '叶英', '张三', '皎础', '璞芥超', '鸠波'];
      const bytes = gbk(lines('customer_id,name', ...names.map((name, index) => `C${index},${name}`)));

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, 3);

      // Assess
      expect(summary.encoding).toBe('gb18030');
      expect(rejected).toEqual([]);
      expect(accepted.map(({ customer }) => customer.name)).toEqual(names);
    });

    it('imports a pasted-in row whose other-encoding text is only in an ignored column (nothing of it is read)', async () => {
      // Prepare
      const bytes = Buffer.concat([utf8('customer_id,name,备注\nC1,王芳,老客户\n'), gbk('C2,Li Lei,老客户\n')]);

      // Act
      const { accepted, rejected } = await readSegment(FILE, bytes);

      // Assess
      expect(rejected).toEqual([]);
      expect(namesOf(accepted)).toEqual([
        { line: 2, customerId: 'C1', name: '王芳' },
        { line: 3, customerId: 'C2', name: 'Li Lei' },
      ]);
    });

    it('rejects the one GBK line of a UTF-8 JSON Lines file as mixed-encoding', async () => {
      // Prepare
      const bytes = Buffer.concat([
        utf8('{"customer_id":"J1","name":"王芳"}\n'),
        gbk('{"customer_id":"J2","name":"张三"}\n'),
        utf8('{"customer_id":"J3","name":"李四"}\n'),
      ]);

      // Act
      const { accepted, rejected } = await readSegment(JSONL_FILE, bytes, 5);

      // Assess
      expect(namesOf(accepted)).toEqual([
        { line: 1, customerId: 'J1', name: '王芳' },
        { line: 3, customerId: 'J3', name: '李四' },
      ]);
      expect(rejected).toEqual([
        { file: JSONL_FILE, line: 2, customerId: 'J2', problems: [mixedEncoding('name', 'GB18030', 'UTF-8')] },
      ]);
    });
  });

  describe('UTF-16', () => {
    it.each([
      ['UTF-16LE', 'utf16le', Buffer.from([0xff, 0xfe])],
      ['UTF-16BE', 'utf16be', Buffer.from([0xfe, 0xff])],
    ] as const)(
      'refuses a %s file (Excel "Unicode Text") with that reason, in 1-byte chunks',
      async (_kind, encoding, mark) => {
        // Prepare
        const body = iconv.encode('customer_id,name\r\nC1,张三\r\n', encoding);
        const bytes = Buffer.concat([mark, body]);

        // Act
        const reading = readSegment(FILE, bytes, 1);

        // Assess
        const error = (await reading.catch((caught: unknown) => caught)) as SegmentFileError;
        expect(error).toBeInstanceOf(SegmentFileError);
        expect(error.reason).toMatch(/^the file is UTF-16 text .*save it as "CSV UTF-8"/);
      },
    );
  });

  describe('a BOM before GB18030 text', () => {
    it.each(CHUNK_SIZES)('reads the body as the GB18030 it is, in %i-byte chunks', async (chunkSize) => {
      // Prepare: the BOM says UTF-8; every row says GB18030.
      const bytes = Buffer.concat([UTF8_BOM, iconv.encode(CHINESE_CSV, 'gb18030')]);

      // Act
      const { accepted, rejected, summary } = await readSegment(FILE, bytes, chunkSize);

      // Assess
      expect(rejected).toEqual([]);
      expect(namesOf(accepted)).toEqual(CHINESE_NAMES);
      expect(summary.encoding).toBe('gb18030');
    });
  });

  describe('over-long lines', () => {
    const FIVE_MB = 5 * 1024 * 1024;

    it.each([
      ['unquoted', `C1,${'x'.repeat(FIVE_MB)}`],
      ['quoted', `C1,"${'x'.repeat(FIVE_MB)}"`],
      ['with a quote opened and never closed', `C1,"${'x'.repeat(FIVE_MB)}`],
    ])('gives one reject for a 5 MB %s line, with its start cut short, and reads on', async (_kind, longLine) => {
      // Prepare
      const bytes = utf8(`customer_id,name\n${longLine}\nC2,after\n`);

      // Act
      const whole = await readSegment(FILE, bytes, bytes.length);
      const streamed = await readSegment(FILE, bytes, 64 * 1024);

      // Assess
      for (const { accepted, rejected, summary } of [whole, streamed]) {
        expect(rejected).toEqual([
          {
            file: FILE,
            line: 2,
            problems: [
              {
                column: '(row)',
                code: 'line-too-long',
                reason: expect.stringMatching(/^is 5,24\d,\d{3} bytes long, more than a row may have .*starts "C1,/),
              },
            ],
          },
        ]);
        expect(rejected[0]?.problems[0]?.reason.length).toBeLessThan(200);
        expect(namesOf(accepted)).toEqual([{ line: 3, customerId: 'C2', name: 'after' }]);
        expect(summary).toMatchObject({ rows: 2, accepted: 1, rejected: 1 });
      }
    });

    it('gives one reject for a 5 MB JSON line and reads on', async () => {
      // Prepare
      const bytes = utf8(`{"customer_id":"J1","phone":"${'1'.repeat(FIVE_MB)}"}\r\n{"customer_id":"J2"}\r\n`);

      // Act
      const { accepted, rejected } = await readSegment(JSONL_FILE, bytes, 64 * 1024);

      // Assess
      expect(rejected).toEqual([
        {
          file: JSONL_FILE,
          line: 1,
          problems: [
            { column: '(row)', code: 'line-too-long', reason: expect.stringContaining('{"customer_id":"J1"') },
          ],
        },
      ]);
      expect(accepted.map(({ line, customer }) => [line, customer.customerId])).toEqual([[2, 'J2']]);
    });

    it('cuts long values short in reasons and ids', async () => {
      // Prepare: a row under the line limit with a 100,000-character phone and id.
      const long = '9'.repeat(100_000);
      const content = lines('customer_id,phone', `${long},${long}`);

      // Act
      const { rejected } = await readSegment(FILE, utf8(content));

      // Assess
      expect(rejected).toHaveLength(1);
      const [row] = rejected;
      expect(row?.customerId?.length).toBeLessThanOrEqual(129);
      for (const problem of row?.problems ?? []) expect(problem.reason.length).toBeLessThan(200);
      expect(row?.problems.find((problem) => problem.column === 'phone')?.reason).toContain('(100000 characters)');
    });
  });
});

/** A valid cell for each column, and what the customer carries for it. */
const SAMPLE_CELLS: Record<CustomerColumn, { cell: string; field: Partial<Customer> }> = {
  customer_id: { cell: 'C1', field: { customerId: 'C1' } },
  phone: { cell: '13800138000', field: { phone: '+8613800138000' } },
  email: { cell: 'a@qq.com', field: { email: 'a@qq.com' } },
  name: { cell: '张三', field: { name: '张三' } },
  device: { cell: 'pc', field: { device: 'pc' } },
  last_order_at: { cell: '2025-11-11', field: { lastOrderAt: Date.parse('2025-11-11T00:00:00+08:00') } },
  order_count: { cell: '3', field: { orderCount: 3 } },
  total_spend: { cell: '99', field: { totalSpend: 99 } },
  d11_years: { cell: '2024', field: { d11Years: [2024] } },
  unpaid_order: { cell: '是', field: { unpaidOrder: true } },
  opt_out_sms: { cell: '是', field: { optOutSms: true } },
  opt_out_email: { cell: '是', field: { optOutEmail: true } },
  segment: { cell: 'vip2', field: { segment: 'vip2' } },
  member_tier: { cell: 'VIP2', field: { tier: 'VIP2' } },
};

const ALIAS_CASES = CUSTOMER_COLUMNS.flatMap((column) =>
  COLUMN_ALIASES[column].map((alias) => [alias, column] as const),
);

function mapping(json: ColumnMappingJson): ColumnMapping {
  return toColumnMapping(json);
}

async function headerError(content: string, columns?: ColumnMapping): Promise<string> {
  const error = await readSegment(FILE, content, 4096, columns).catch((caught: unknown) => caught);
  if (!(error instanceof SegmentFileError)) throw new Error(`the file was not refused: ${JSON.stringify(error)}`);
  return error.reason;
}

describe('SegmentReader: headers as exports write them', () => {
  it.each(ALIAS_CASES)('reads the header %j as %s', async (alias, column) => {
    // Prepare
    const header = column === 'customer_id' ? alias : `customer_id,${alias}`;
    const row = column === 'customer_id' ? 'C1' : `C1,${SAMPLE_CELLS[column].cell}`;

    // Act
    const { accepted, rejected, summary } = await readSegment(FILE, lines(header, row));

    // Assess
    expect(rejected).toEqual([]);
    expect(accepted[0]?.customer).toMatchObject(SAMPLE_CELLS[column].field);
    expect(summary.columns).toContainEqual({ header: alias, column, by: 'alias' });
    expect(summary.ignoredColumns).toEqual([]);
  });

  it.each([
    ['Customer ID'],
    [' CUSTOMER_ID '],
    ['ｃｕｓｔｏｍｅｒ＿ｉｄ'],
    ['customer-id'],
    ['客户 ID'],
    ['客户ＩＤ'],
    ['Buyer ID'],
    ['BUYER_ID'],
    ['会员ID（脱敏）'],
    ['买家ID[加密]'],
  ])('matches %j to customer_id whatever its case, width, spaces and a note in brackets', async (header) => {
    // Prepare
    const content = lines(`${header},累计消费金额(元),手机号【已脱敏】`, 'C1,99,13800138000');

    // Act
    const { accepted } = await readSegment(FILE, content);

    // Assess
    expect(accepted.map(({ customer }) => customer)).toEqual([
      { customerId: 'C1', totalSpend: 99, phone: '+8613800138000', device: 'mobile', d11Years: [], segment: 'vip' },
    ]);
  });

  it('reads the canonical columns as before, saying each is its own name', async () => {
    // Prepare
    const content = lines('customer_id,phone,member_tier', 'C1,13800138000,VIP1');

    // Act
    const { accepted, summary } = await readSegment(FILE, content);

    // Assess
    expect(accepted[0]?.customer).toMatchObject({ customerId: 'C1', phone: '+8613800138000', tier: 'VIP1' });
    expect(summary.columns).toEqual([
      { header: 'customer_id', column: 'customer_id', by: 'name' },
      { header: 'phone', column: 'phone', by: 'name' },
      { header: 'member_tier', column: 'member_tier', by: 'name' },
    ]);
  });

  describe("the marketer's mapping", () => {
    it('maps headers no alias knows', async () => {
      // Prepare
      const content = lines('UID,VIP段位,客户手机', 'U1,黑钻,13800138000');
      const columns = mapping({ uid: 'customer_id', VIP段位: 'member_tier', 客户手机: 'phone' });

      // Act
      const { accepted, summary } = await readSegment(FILE, content, 4096, columns);

      // Assess
      expect(accepted[0]?.customer).toMatchObject({ customerId: 'U1', tier: '黑钻', phone: '+8613800138000' });
      expect(summary.columns).toEqual([
        { header: 'UID', column: 'customer_id', by: 'mapping' },
        { header: 'VIP段位', column: 'member_tier', by: 'mapping' },
        { header: '客户手机', column: 'phone', by: 'mapping' },
      ]);
    });

    it('wins over an alias: a header it names goes where it says, null ignores it', async () => {
      // Prepare
      const content = lines('客户ID,标签,电话', 'C1,老客,13800138000');
      const columns = mapping({ 标签: 'member_tier', 电话: null });

      // Act
      const { accepted, summary } = await readSegment(FILE, content, 4096, columns);

      // Assess
      expect(accepted[0]?.customer).toEqual({
        customerId: 'C1',
        tier: '老客',
        device: 'mobile',
        d11Years: [],
        segment: 'vip',
      });
      expect(summary.columns).toContainEqual({ header: '标签', column: 'member_tier', by: 'mapping' });
      expect(summary.ignoredColumns).toEqual(['电话']);
    });

    it('takes the column it maps a header to: another header of that column is ignored, not a conflict', async () => {
      // Prepare
      const content = lines('客户ID,手机号,收货人手机', 'C1,138****8000,13900139000');
      const columns = mapping({ 收货人手机: 'phone' });

      // Act
      const { accepted, summary } = await readSegment(FILE, content, 4096, columns);

      // Assess
      expect(accepted[0]?.customer.phone).toBe('+8613900139000');
      expect(summary.ignoredColumns).toEqual(['手机号']);
    });
  });

  describe('refused headers', () => {
    it('refuses two headers of one column whole, naming both', async () => {
      // Prepare
      const content = lines('客户ID,手机号,phone', 'C1,13800138000,13900139000');

      // Act
      const reason = await headerError(content);

      // Assess
      expect(reason).toMatch(/^header cells "手机号" \(cell 2\) and "phone" \(cell 3\) both map to phone: keep one/);
      expect(reason).toContain('{"phone": null}');
    });

    it('names every column with two headers', async () => {
      // Prepare
      const content = lines('客户ID,买家ID,邮箱,email', 'C1,C1,a@qq.com,a@qq.com');

      // Act
      const reason = await headerError(content);

      // Assess
      expect(reason).toContain('"客户ID" (cell 1) and "买家ID" (cell 2) both map to customer_id');
      expect(reason).toContain('"邮箱" (cell 3) and "email" (cell 4) both map to email');
    });

    it('refuses two headers the marketer mapped to one column', async () => {
      // Prepare
      const content = lines('客户ID,A,B', 'C1,x,y');
      const columns = mapping({ A: 'segment', B: 'segment' });

      // Act
      const reason = await headerError(content, columns);

      // Assess
      expect(reason).toMatch(/"A" \(cell 2\) and "B" \(cell 3\) both map to segment/);
    });

    it('names the headers seen and the accepted ones when customer_id is missing', async () => {
      // Prepare
      const content = lines('昵称,手机号,旺旺', '张三,13800138000,zs');

      // Act
      const reason = await headerError(content);

      // Assess
      expect(reason).toBe(
        'the header has no customer_id column (found: 昵称, 手机号, 旺旺); name the buyer-id column customer_id or one of 客户ID, 客户编号, 买家ID, 会员ID, 会员编号, 用户ID, ..., or map your header in a column mapping: {"<your header>": "customer_id"}',
      );
    });

    it('is not refused for two ignored headers of one name', async () => {
      // Prepare
      const content = lines('客户ID,备注,备注', 'C1,a,b');

      // Act
      const { accepted, summary } = await readSegment(FILE, content);

      // Assess
      expect(accepted).toHaveLength(1);
      expect(summary.ignoredColumns).toEqual(['备注', '备注']);
    });
  });

  describe('JSON Lines keys', () => {
    it('maps keys as headers are mapped, and lists them in the summary', async () => {
      // Prepare
      const content = lines(
        JSON.stringify({ 客户ID: 'J1', 手机号: '138****8000', 会员等级: 'vip3', 备注: 'x' }),
        JSON.stringify({ 客户ID: 'J2', 手机号: '13900139000' }),
      );

      // Act
      const { accepted, summary } = await readSegment(JSONL_FILE, content);

      // Assess
      expect(accepted.map(({ customer }) => customer)).toEqual([
        { customerId: 'J1', tier: 'VIP3', device: 'mobile', d11Years: [], segment: 'vip' },
        { customerId: 'J2', phone: '+8613900139000', device: 'mobile', d11Years: [], segment: 'vip' },
      ]);
      expect(summary.columns.map(({ header, column }) => [header, column])).toEqual([
        ['客户ID', 'customer_id'],
        ['手机号', 'phone'],
        ['会员等级', 'member_tier'],
      ]);
      expect(summary.ignoredColumns).toEqual(['备注']);
      expect(summary.maskedPhones).toBe(1);
    });

    it('rejects the row whose two keys map to one column, naming both', async () => {
      // Prepare
      const content = lines(JSON.stringify({ customer_id: 'J1', phone: '13800138000', 手机: '13900139000' }));

      // Act
      const { accepted, rejected } = await readSegment(JSONL_FILE, content);

      // Assess
      expect(accepted).toEqual([]);
      expect(rejected).toEqual([
        {
          file: JSONL_FILE,
          line: 1,
          customerId: 'J1',
          problems: [{ column: 'phone', reason: expect.stringMatching(/^keys "phone" and "手机" both map to phone/) }],
        },
      ]);
    });
  });
});

describe('SegmentReader: a store export as it is', () => {
  it.each(CHUNK_SIZES)(
    'reads the Chinese GB18030 export into the customers of the canonical file (%i-byte chunks)',
    async (size) => {
      // Prepare
      const exported = exportCsvBytes();
      const canonical = canonicalCsvBytes();

      // Act
      const fromExport = await readSegment(FILE, exported, size);
      const fromCanonical = await readSegment(FILE, canonical, size);

      // Assess
      expect(fromExport.accepted).toEqual(fromCanonical.accepted);
      expect(fromExport.accepted).toHaveLength(6);
      expect(fromExport.rejected.map(({ line, problems }) => [line, problems.map((p) => p.column)])).toEqual([
        [8, ['device']],
      ]);
      expect(fromCanonical.rejected.map(({ line }) => line)).toEqual([8]);
      expect(fromExport.summary).toMatchObject({
        encoding: 'gb18030',
        rows: 7,
        accepted: 6,
        rejected: 1,
        columns: EXPORT_COLUMNS,
        ignoredColumns: ['备注'],
        maskedPhones: 2,
        maskedEmails: 1,
        maskedNames: 1,
      });
    },
  );

  it("rejects an unreadable value naming the line, the column, the file's header, the value cut short and the accepted forms", async () => {
    // Prepare
    const longDevice = '平板'.repeat(30);
    const content = lines(
      '客户ID,手机号,下单终端,最近下单时间',
      'T1,13800138000,平板,2025年11月11日',
      `T2,1380013800,${longDevice},2025/13/45`,
    );

    // Act
    const { accepted, rejected } = await readSegment(FILE, content);

    // Assess
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([
      {
        file: FILE,
        line: 2,
        customerId: 'T1',
        problems: [
          {
            column: 'device',
            header: '下单终端',
            reason: '"平板" is not a device: mobile (无线端, 手机, 移动端, APP, wap), pc (PC端, 电脑) or both (全部)',
          },
        ],
      },
      {
        file: FILE,
        line: 3,
        customerId: 'T2',
        problems: [
          {
            column: 'phone',
            header: '手机号',
            reason: expect.stringMatching(/^"138\*\*\*3800" is not a phone: 13800138000/),
          },
          {
            column: 'device',
            header: '下单终端',
            reason: expect.stringMatching(
              new RegExp(`^"${'平板'.repeat(20)}…" \\(60 characters\\) is not a device: mobile`),
            ),
          },
          {
            column: 'last_order_at',
            header: '最近下单时间',
            reason: expect.stringMatching(/^"2025\/13\/45" is not a date: 2025-11-11, .*2025年11月11日/),
          },
        ],
      },
    ]);
  });

  it('keeps the customers whose phones are masked, with their emails and labels', async () => {
    // Prepare
    const exported = exportCsvBytes();

    // Act
    const { accepted } = await readSegment(FILE, exported);

    // Assess
    const masked = accepted.filter(({ customer }) => ['T001', 'T006'].includes(customer.customerId));
    expect(
      masked.map(({ customer }) => [customer.customerId, customer.phone, customer.email, customer.segment]),
    ).toEqual([
      ['T001', undefined, 'wang.fang@qq.com', '双11老客'],
      ['T006', undefined, 'zhou@qq.com', 'vip'],
    ]);
  });
});
