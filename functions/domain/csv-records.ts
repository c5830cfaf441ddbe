/**
 * An RFC 4180 record splitter that never loses a row. csv-parse resynchronises badly
 * after a broken quote (it drops the next good record), and a segment import must
 * reject exactly the broken row and keep the rest, so records are split here.
 *
 * Text arrives in chunks; records come out with the line they start on (header = 1).
 * A quote that never closes is reported on its own line, and splitting resumes on the
 * next line, so one stray `"` cannot swallow the rest of a file.
 */

export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/** How far an open quote may run before it is judged broken (bounds memory too). */
const MAX_QUOTED_CHARS = 1_000_000;

type Attempt =
  | { kind: 'record'; fields: string[]; end: number; lines: number; blank?: boolean }
  | { kind: 'broken'; end: number; lines: number }
  | { kind: 'incomplete' };

const TEXT_AFTER_QUOTE = 'text after a closing quote (a quote inside a quoted field must be doubled: "")';

export class CsvRecordSplitter {
  private pending = '';
  private nextLine = 1;
  /**
   * Fields a record should have: the header's count (the first record is the header).
   * A record that spans lines and has another count is a stray quote that paired with a
   * later one: it is reported on its first line and the lines after it are read again.
   */
  private expectedFields: number | undefined;

  /** Records completed by this chunk. */
  push(text: string): CsvRecord[] {
    this.pending += text;
    return this.drain(false);
  }

  /** Records left when the text ends. */
  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const records: CsvRecord[] = [];
    const text = this.pending;
    const quotes = new QuoteFinder(text);
    let position = 0;
    while (position < text.length) {
      const attempt = readRecord(text, position, final, quotes);
      if (attempt.kind === 'incomplete' && !final && text.length - position < MAX_QUOTED_CHARS) break;
      const strayQuote =
        attempt.kind === 'incomplete' ||
        (attempt.lines > 1 &&
          (attempt.kind === 'broken' ||
            (this.expectedFields !== undefined && attempt.fields.length !== this.expectedFields)));
      if (strayQuote) {
        // Report the line the quote opened on, then resume on the next physical line.
        const newline = text.indexOf('\n', position);
        records.push({ line: this.nextLine, error: UNCLOSED_QUOTE });
        this.nextLine += 1;
        position = newline < 0 ? text.length : newline + 1;
        continue;
      }
      const line = this.nextLine;
      this.nextLine += attempt.lines;
      position = attempt.end;
      if (attempt.kind === 'broken') records.push({ line, error: TEXT_AFTER_QUOTE });
      else if (!attempt.blank) {
        this.expectedFields ??= attempt.fields.length;
        records.push({ line, fields: attempt.fields });
      }
    }
    this.pending = text.slice(position);
    return records;
  }
}

const UNCLOSED_QUOTE = 'a quoted field opened on this line is never closed';

/** Finds the next quote without rescanning the same quote-free text for every line. */
class QuoteFinder {
  private found = -1;

  constructor(private readonly text: string) {}

  /** The first quote at or after `position`; positions only grow within one drain. */
  nextFrom(position: number): number {
    if (this.found < position) {
      const at = this.text.indexOf('"', position);
      this.found = at < 0 ? Number.POSITIVE_INFINITY : at;
    }
    return this.found;
  }
}

/** Reads one record starting at `start`; `end` is just past its line break. */
function readRecord(text: string, start: number, final: boolean, quotes: QuoteFinder): Attempt {
  const newline = text.indexOf('\n', start);
  if (newline < 0 && !final) return { kind: 'incomplete' };
  const lineEnd = newline < 0 ? text.length : newline;
  const afterLine = newline < 0 ? text.length : newline + 1;
  if (quotes.nextFrom(start) >= lineEnd) {
    // Fast path: the common record with no quotes at all.
    const line = stripCr(text.slice(start, lineEnd));
    return { kind: 'record', fields: line.split(','), end: afterLine, lines: 1, blank: line === '' };
  }
  return readQuotedRecord(text, start, final);
}

function readQuotedRecord(text: string, start: number, final: boolean): Attempt {
  const fields: string[] = [];
  let position = start;
  let lines = 1;
  for (;;) {
    if (text[position] === '"') {
      let value = '';
      let cursor = position + 1;
      for (;;) {
        const quote = text.indexOf('"', cursor);
        if (quote < 0) return { kind: 'incomplete' };
        value += text.slice(cursor, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          cursor = quote + 2;
          continue;
        }
        if (quote + 1 >= text.length && !final) return { kind: 'incomplete' };
        cursor = quote + 1;
        break;
      }
      lines += countNewlines(value);
      fields.push(value);
      position = cursor;
      const next = text[position];
      if (next === '\r' && position + 1 >= text.length && !final) return { kind: 'incomplete' };
      if (next === ',') {
        position += 1;
        continue;
      }
      if (next === '\r' && text[position + 1] === '\n') position += 1;
      if (next === undefined || next === '\n' || next === '\r') {
        return { kind: 'record', fields, end: Math.min(text.length, position + 1), lines };
      }
      // Garbage after a closing quote: the record is broken up to the end of its line.
      const newline = text.indexOf('\n', position);
      if (newline < 0 && !final) return { kind: 'incomplete' };
      return { kind: 'broken', end: newline < 0 ? text.length : newline + 1, lines };
    }
    // Unquoted field: up to the next comma or line break. A stray quote inside is kept as is.
    const comma = text.indexOf(',', position);
    const newline = text.indexOf('\n', position);
    if (newline < 0 && !final && comma < 0) return { kind: 'incomplete' };
    const lineEnd = newline < 0 ? text.length : newline;
    if (comma >= 0 && comma < lineEnd) {
      fields.push(text.slice(position, comma));
      position = comma + 1;
      continue;
    }
    fields.push(stripCr(text.slice(position, lineEnd)));
    return { kind: 'record', fields, end: newline < 0 ? text.length : newline + 1, lines };
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function countNewlines(value: string): number {
  let count = 0;
  for (let index = value.indexOf('\n'); index >= 0; index = value.indexOf('\n', index + 1)) count += 1;
  return count;
}
