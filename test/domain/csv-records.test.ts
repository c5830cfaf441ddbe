import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  type CsvRecord,
  CsvRecordScanner,
  CsvRecordSplitter,
  MAX_ROW_BYTES,
  type RawRecord,
} from '../../functions/domain/csv-records.ts';

/** Every record of a text pushed chunk by chunk (one chunk when a single string is given), then ended. */
function splitAll(...chunks: string[]): CsvRecord[] {
  const splitter = new CsvRecordSplitter();
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

/** Cuts `text` at the given positions (taken modulo its length + 1; empty chunks allowed). */
function cutAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(text.slice(start, point));
    start = point;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** Every single-character chunking of a text: the harshest chunk boundaries. */
function oneCharChunks(text: string): string[] {
  return text.split('');
}

const TEXT_AFTER_QUOTE = /text after a closing quote/;
const NEVER_CLOSED = /never closed/;

/** RFC 4180: a field is quoted when it must be (or always), inner quotes doubled. */
function csvField(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

interface CsvStyle {
  eol: '\n' | '\r\n' | '\r';
  quoteAll: boolean;
  finalEol: boolean;
}

function toCsv(rows: string[][], style: CsvStyle): string {
  const lines = rows.map((row) => row.map((value) => csvField(value, style.quoteAll)).join(','));
  return lines.join(style.eol) + (style.finalEol ? style.eol : '');
}

/** Line breaks inside a row's quoted fields: CRLF, LF and a lone CR each count as one, as in any editor. */
function lineBreaksIn(row: string[]): number {
  return row.reduce((sum, field) => sum + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
}

/** The physical line each row starts on: the header is line 1, quoted line breaks count. */
function startLines(rows: string[][]): number[] {
  let line = 1;
  return rows.map((row) => {
    const start = line;
    line += 1 + lineBreaksIn(row);
    return start;
  });
}

const FIELD_CHARACTER = fc.constantFrom('a', 'Z', '7', ' ', ',', '"', '\r', '\n', '\t', '中', '客', '户', '；', '@');
const FIELD = fc.oneof(
  fc.string({ unit: FIELD_CHARACTER, maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constant(''),
);
// A record made of one empty field is written as an empty line, which CSV cannot tell
// from a blank line (skipped), so such a record is not part of the generated tables.
/** A table as a segment file has it: every row as wide as the header. */
const TABLE = fc
  .integer({ min: 1, max: 6 })
  .chain((width) => fc.array(fc.array(FIELD, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }))
  .filter((rows) => rows.every((row) => row.length > 1 || row[0] !== ''));
const STYLE: fc.Arbitrary<CsvStyle> = fc.record({
  eol: fc.constantFrom<CsvStyle['eol']>('\n', '\r\n', '\r'),
  quoteAll: fc.boolean(),
  finalEol: fc.boolean(),
});

describe('CsvRecordSplitter', () => {
  it('keeps commas inside quoted fields', () => {
    // Prepare
    const text = 'customer_id,name\nC1,"Wang, Fang"\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['customer_id', 'name'] },
      { line: 2, fields: ['C1', 'Wang, Fang'] },
    ]);
  });

  it('reads doubled quotes inside a quoted field as one quote', () => {
    // Prepare
    const text = 'id,note\n1,"she said ""hi"""\n2,""""\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['1', 'she said "hi"'] },
      { line: 3, fields: ['2', '"'] },
    ]);
  });

  it('keeps line breaks inside quoted fields and numbers the following records by physical line', () => {
    // Prepare
    const text = 'id,note,extra\n1,"line one\nline two",y\n2,plain,z\n3,"a\r\nb\nc",x\n4,last,w\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'note', 'extra'] },
      { line: 2, fields: ['1', 'line one\nline two', 'y'] },
      { line: 4, fields: ['2', 'plain', 'z'] },
      { line: 5, fields: ['3', 'a\r\nb\nc', 'x'] },
      { line: 8, fields: ['4', 'last', 'w'] },
    ]);
  });

  it('reads CRLF line ends without leaving a carriage return in the last field', () => {
    // Prepare
    const text = 'id,name\r\n1,plain\r\n2,"quoted"\r\n3,\r\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'plain'] },
      { line: 3, fields: ['2', 'quoted'] },
      { line: 4, fields: ['3', ''] },
    ]);
  });

  it.each([
    ['an unquoted', 'id,name\n1,a\n2,b', ['2', 'b']],
    ['a quoted', 'id,name\n1,a\n2,"b"', ['2', 'b']],
    ['a CRLF', 'id,name\r\n1,a\r\n2,b\r', ['2', 'b']],
  ])('returns %s last line that has no line break', (_kind, text, lastFields) => {
    // Prepare
    const splitter = new CsvRecordSplitter();

    // Act
    const pushed = splitter.push(text);
    const ended = splitter.end();

    // Assess
    expect(pushed).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'a'] },
    ]);
    expect(ended).toEqual([{ line: 3, fields: lastFields }]);
  });

  it('skips blank lines but counts them in the line numbers', () => {
    // Prepare
    const text = '\nid,name\n\n1,a\r\n\r\n\n2,b\n\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 2, fields: ['id', 'name'] },
      { line: 4, fields: ['1', 'a'] },
      { line: 7, fields: ['2', 'b'] },
    ]);
  });

  it('rejects only the record with text after a closing quote and returns the next good record', () => {
    // Prepare
    const text = 'id,name,x\n4,a,\n5,"bad"x,\n6,good,\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name', 'x'] },
      { line: 2, fields: ['4', 'a', ''] },
      { line: 3, error: expect.stringMatching(TEXT_AFTER_QUOTE) },
      { line: 4, fields: ['6', 'good', ''] },
    ]);
  });

  it.each([
    ['in one chunk', (text: string) => [text]],
    ['one character at a time', oneCharChunks],
  ])('reports an unclosed quote on its own line and returns the records of the next lines (%s)', (_how, chunk) => {
    // Prepare
    const text = 'id,name\n1,a\n2,"Bob\n3,Alice\n4,Carol\n';

    // Act
    const records = splitAll(...chunk(text));

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'a'] },
      { line: 3, error: expect.stringMatching(NEVER_CLOSED) },
      { line: 4, fields: ['3', 'Alice'] },
      { line: 5, fields: ['4', 'Carol'] },
    ]);
  });

  it('does not let an unclosed quote swallow the next records when a later line has a quoted field', () => {
    // Prepare: the stray quote on line 3 pairs with the opening quote on line 5.
    const text = 'id,name\n1,a\n2,"Bob\n3,Alice\n4,"Carol"\n5,Dan\n';

    // Act
    const records = splitAll(text);

    // Assess: line 3 is rejected; lines 4 and 5 are neither returned nor reported today.
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'a'] },
      { line: 3, error: expect.any(String) },
      { line: 4, fields: ['3', 'Alice'] },
      { line: 5, fields: ['4', 'Carol'] },
      { line: 6, fields: ['5', 'Dan'] },
    ]);
  });

  it('keeps a stray quote inside an unquoted field as text', () => {
    // Prepare
    const text = 'id,size\n1,15" screen\n';

    // Act
    const records = splitAll(text);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'size'] },
      { line: 2, fields: ['1', '15" screen'] },
    ]);
  });

  it('gives back exactly the fields and start lines of any RFC 4180 table, whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(TABLE, STYLE, fc.array(fc.nat()), (rows, style, cuts) => {
        // Prepare
        const chunks = cutAt(toCsv(rows, style), cuts);
        const lines = startLines(rows);

        // Act
        const records = splitAll(...chunks);

        // Assess
        expect(records).toEqual(rows.map((fields, index) => ({ line: lines[index], fields })));
      }),
      { numRuns: 500 },
    );
  });
  it.each([
    ['in one chunk', (text: string) => [text]],
    ['one character at a time', oneCharChunks],
  ])('reads CR-only line ends (Excel for Mac) and keeps a CR inside a quoted field as data (%s)', (_how, chunk) => {
    // Prepare
    const text = 'id,name\r1,plain\r2,"two\rlines"\r3,"quoted"\r\r4,last';

    // Act
    const records = splitAll(...chunk(text));

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'plain'] },
      { line: 3, fields: ['2', 'two\rlines'] },
      { line: 5, fields: ['3', 'quoted'] },
      { line: 7, fields: ['4', 'last'] },
    ]);
  });

  it('reads a CRLF split across two chunks as one line end, quoted or not', () => {
    // Prepare
    const chunks = ['id,name\r', '\n1,a\r', '\n2,"b"\r', '\n3,c'];

    // Act
    const records = splitAll(...chunks);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'a'] },
      { line: 3, fields: ['2', 'b'] },
      { line: 4, fields: ['3', 'c'] },
    ]);
  });

  it.each([
    ['without quotes', `1,${'x'.repeat(3 * MAX_ROW_BYTES)}`],
    ['with a quoted field', `1,"${'x'.repeat(3 * MAX_ROW_BYTES)}",y`],
  ])('reports a line longer than a row may be once, on its own line, and reads on (%s)', (_kind, longLine) => {
    // Prepare
    const text = `id,name\n${longLine}\n2,after\n`;
    const chunks = cutAt(
      text,
      Array.from({ length: 60 }, (_, index) => index * 65_536),
    );

    // Act
    const records = splitAll(...chunks);

    // Assess
    expect(records).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, error: expect.stringMatching(/^is 3,14\d,\d{3} bytes long, more than a row may have .*starts "1,/) },
      { line: 3, fields: ['2', 'after'] },
    ]);
  });

  it('splits GB18030 bytes on their own ASCII commas, quotes and line ends', () => {
    // Prepare: trail bytes of GBK characters fall in 0x40-0xFE and never equal , " \r or \n.
    const rows = ['id,name,note', '1,"欧阳,娜娜",乗丂亅', '2,王芳,"他说""好"""'];
    const bytes = iconv.encode(rows.join('\r'), 'gb18030');
    const scanner = new CsvRecordScanner();

    // Act
    const records: RawRecord[] = [];
    for (let start = 0; start < bytes.length; start += 1)
      records.push(...scanner.push(bytes.subarray(start, start + 1)));
    records.push(...scanner.end());

    // Assess
    const decoded = records.map((record) =>
      'source' in record ? iconv.decode(record.source.subarray(record.start, record.end), 'gb18030') : record,
    );
    expect(decoded).toEqual(rows);
  });
});
