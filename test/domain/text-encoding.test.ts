import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvRecordScanner, type RawRecord, type RecordBytes } from '../../functions/domain/csv-records.ts';
import { decodeRow, decodeRows, rowEncoding, type TextEncodingName } from '../../functions/domain/text-encoding.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const gbk = (text: string) => iconv.encode(text, 'gbk');

describe('rowEncoding', () => {
  it.each([
    ['ASCII', utf8('C1,13800138000,a@qq.com'), 'ascii'],
    ['UTF-8 Chinese', utf8('C1,张三,老客'), 'utf-8'],
    ['GBK Chinese', gbk('C1,张三,老客'), 'gb18030'],
    ['GBK that is also valid UTF-8 ("֣ǿ")', gbk('C1,郑强'), 'gb18030'],
    ['UTF-8 Latin that is also valid GBK ("Jos茅")', utf8('C1,José'), 'either'],
    ['a lone continuation byte', Buffer.from([0x43, 0x31, 0x2c, 0x80]), 'neither'],
    ['a byte no encoding has', Buffer.from([0x43, 0x31, 0x2c, 0xff]), 'neither'],
  ])('calls %s %j', (_kind, bytes, expected) => {
    // Prepare
    const row = new Uint8Array(bytes);

    // Act
    const encoding = rowEncoding(row);

    // Assess
    expect(encoding).toBe(expected);
  });
});

describe('decodeRow', () => {
  it.each<[string, Buffer, TextEncodingName, { encoding: TextEncodingName; text: string }]>([
    ['UTF-8 in a UTF-8 file', utf8('张三'), 'utf-8', { encoding: 'utf-8', text: '张三' }],
    ['GBK in a UTF-8 file', gbk('张三'), 'utf-8', { encoding: 'gb18030', text: '张三' }],
    ['GBK looking like UTF-8 in a UTF-8 file', gbk('郑强'), 'utf-8', { encoding: 'gb18030', text: '郑强' }],
    ['UTF-8 Latin in a UTF-8 file', utf8('José'), 'utf-8', { encoding: 'utf-8', text: 'José' }],
    ['GBK in a GB18030 file', gbk('张三'), 'gb18030', { encoding: 'gb18030', text: '张三' }],
    ['GBK looking like UTF-8 in a GB18030 file', gbk('郑强'), 'gb18030', { encoding: 'gb18030', text: '郑强' }],
    ['UTF-8 Chinese in a GB18030 file', utf8('张三'), 'gb18030', { encoding: 'utf-8', text: '张三' }],
    ['broken bytes in a UTF-8 file', Buffer.from([0x41, 0x80]), 'utf-8', { encoding: 'utf-8', text: 'A\uFFFD' }],
  ])('reads %s', (_kind, bytes, fileEncoding, expected) => {
    // Prepare
    const row = new Uint8Array(bytes);

    // Act
    const decoded = decodeRow(row, fileEncoding);

    // Assess
    expect(decoded).toEqual(expected);
  });
});

/** Pieces of rows as they occur in segment files, each written in one encoding. */
const PIECE = fc.oneof(
  fc.constantFrom('C1', '13800138000', 'a@qq.com', '', ' ', 'José', '"quoted, with comma"', '"two\nlines"'),
  fc.constantFrom('张三', '欧阳娜娜', '郑强', '谢霞', '老客', '"欧阳,娜娜"', '"王\r\n芳"', '𠀀'),
  fc.constantFrom('"unclosed', 'x"y', '"a"b'),
);
interface GeneratedRow {
  pieces: string[];
  encoding: 'utf8' | 'gbk' | 'broken';
  eol: string;
}

const ROW: fc.Arbitrary<GeneratedRow> = fc.record({
  pieces: fc.array(PIECE, { minLength: 1, maxLength: 5 }),
  encoding: fc.constantFrom<GeneratedRow['encoding']>('utf8', 'utf8', 'gbk', 'broken'),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
});

function rowBytes(row: GeneratedRow): Buffer {
  const text = row.pieces.join(',') + row.eol;
  if (row.encoding === 'utf8') return utf8(text);
  if (row.encoding === 'gbk') return gbk(text);
  return Buffer.concat([Buffer.from([0x80, 0xff]), utf8(text)]);
}

describe('decodeRows', () => {
  it('reads every row of a chunk exactly as decodeRow reads it on its own, whatever the mix', () => {
    fc.assert(
      fc.property(
        fc.array(ROW, { minLength: 1, maxLength: 30 }),
        fc.constantFrom<TextEncodingName>('utf-8', 'gb18030'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, fileEncoding, uniform, cuts) => {
          // Prepare: the file (all in its encoding, or a mix) cut into chunks; the records of a chunk share its bytes.
          const own: GeneratedRow['encoding'] = fileEncoding === 'utf-8' ? 'utf8' : 'gbk';
          const written = uniform ? rows.map((row): GeneratedRow => ({ ...row, encoding: own })) : rows;
          const bytes = Buffer.concat(written.map(rowBytes));
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points, bytes.length].slice(1).map((end, index, ends) => {
            const start = index === 0 ? 0 : (ends[index - 1] as number);
            return bytes.subarray(start, end);
          });
          const scanner = new CsvRecordScanner();
          const groups: RawRecord[][] = [...chunks.map((chunk) => scanner.push(chunk)), scanner.end()];

          for (const group of groups) {
            const records = group.filter((record): record is RecordBytes => 'source' in record);
            if (records.length === 0) continue;
            const source = (records[0] as RecordBytes).source;

            // Act
            const together = decodeRows(source, records, fileEncoding);

            // Assess
            const alone = records.map((record) => decodeRow(source.subarray(record.start, record.end), fileEncoding));
            expect(together.texts).toEqual(alone.map((decoded) => decoded.text));
            const foreign = alone.flatMap((decoded, index) =>
              decoded.encoding === fileEncoding ? [] : [[index, decoded.encoding]],
            );
            expect([...(together.foreign ?? new Map())]).toEqual(foreign);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
