import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  type AcceptedRow,
  type RejectedRow,
  SegmentFileError,
  SegmentReader,
  type SegmentReadSummary,
  sniffEncoding,
} from '../../functions/domain/segment-reader.ts';

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
async function readSegment(fileName: string, content: string | Uint8Array, chunkSize = 4096): Promise<ReadResult> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const reader = new SegmentReader({ fileName, timeZone: TIME_ZONE });
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
      const content = lines('customer_id,vip_level,name,备注', 'C1,gold,张三,老客户');

      // Act
      const { accepted, summary } = await readSegment(FILE, content);

      // Assess
      expect(summary.ignoredColumns).toEqual(['vip_level', '备注']);
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
      expect(open).toThrow(/\.csv or \.jsonl/);
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
