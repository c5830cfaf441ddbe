/**
 * An RFC 4180 record splitter that never loses a row. csv-parse resynchronises badly
 * after a broken quote (it drops the next good record), and a segment import must
 * reject exactly the broken row and keep the rest, so records are split here.
 *
 * It splits bytes, not text: the bytes that structure a CSV file (`\n`, `\r`, `"`, `,`)
 * are ASCII and never occur inside a multi-byte UTF-8 or GB18030 character, so each
 * record comes out as its own bytes, to be decoded (and its encoding checked) on its own.
 *
 * Records end at CRLF, LF or a lone CR (Excel for Mac), in any mix; a line break inside
 * a quoted field is data and still counts as a line. Records come out with the line they
 * start on (header = 1). A quote that never closes is reported on its own line, and
 * splitting resumes on the next line, so one stray `"` cannot swallow the rest of a file.
 * A record longer than a row may be is reported once, on its line, with its first bytes,
 * and never held whole: memory stays bounded by one row.
 */

import { formatCount } from './text.ts';

export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/** A line longer than a row may be: its length and its first bytes (the rest was skipped). */
export interface TooLongLine {
  bytes: number;
  head: Uint8Array;
}

/**
 * A record's bytes: `source[start, end)`, without its line end. Records from one chunk
 * share one source, so whole stretches of them can be checked at once.
 */
export interface RecordBytes {
  line: number;
  source: Buffer;
  start: number;
  end: number;
  /** The record holds a `"`: its fields need unquoting. */
  quoted: boolean;
}

/** A record found in the bytes, not decoded yet. */
export type RawRecord = RecordBytes | { line: number; error: string } | { line: number; tooLong: TooLongLine };

/**
 * The most bytes one row may have. A customer row is a few hundred bytes; beyond this a
 * "row" is a broken file (a missing line end, a runaway quote), and this also bounds how
 * far an open quote may run before it is judged broken.
 */
export const MAX_ROW_BYTES = 1024 * 1024;
/** How much of a too-long line is kept to show where it starts. */
const HEAD_BYTES = 128;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

const TEXT_AFTER_QUOTE = 'text after a closing quote (a quote inside a quoted field must be doubled: "")';
const UNCLOSED_QUOTE = 'a quoted field opened on this line is never closed';

type Attempt =
  /** `end`: where the record's content ends; `next`: just past its line end. */
  | { kind: 'record'; end: number; next: number; lines: number; fields: number; quoted: boolean }
  | { kind: 'broken'; end: number; next: number; lines: number }
  | { kind: 'incomplete' };

const INCOMPLETE: Attempt = { kind: 'incomplete' };
const EMPTY = Buffer.alloc(0);

/** Bytes as a Buffer without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Finds the next occurrence of one byte without rescanning the same stretch for every record. */
class ByteFinder {
  private from = 0;
  private found = -1;

  constructor(
    private readonly bytes: Buffer,
    private readonly byte: number,
  ) {}

  /** The first position at or after `position` holding the byte, or +Infinity. */
  next(position: number): number {
    if (position < this.from || position > this.found) {
      const at = this.bytes.indexOf(this.byte, position);
      this.from = position;
      this.found = at < 0 ? Number.POSITIVE_INFINITY : at;
    }
    return this.found;
  }
}

/** Line ends and quotes in one buffer. */
class Finders {
  readonly lf: ByteFinder;
  readonly cr: ByteFinder;
  readonly quote: ByteFinder;

  constructor(bytes: Buffer) {
    this.lf = new ByteFinder(bytes, LF);
    this.cr = new ByteFinder(bytes, CR);
    this.quote = new ByteFinder(bytes, QUOTE);
  }

  /** The first LF or CR at or after `position`, or -1. */
  lineEnd(position: number): number {
    const at = Math.min(this.lf.next(position), this.cr.next(position));
    return at === Number.POSITIVE_INFINITY ? -1 : at;
  }
}

/**
 * How many bytes the line end at `at` (an LF or a CR) takes: 1, or 2 for CRLF; 0 when a
 * CR is the last byte so far and the next chunk may start with its LF.
 */
function lineEndLength(bytes: Buffer, at: number, final: boolean): number {
  if (bytes[at] !== CR) return 1;
  if (at + 1 < bytes.length) return bytes[at + 1] === LF ? 2 : 1;
  return final ? 1 : 0;
}

/** Line breaks (CRLF, LF, CR) in bytes[from, to) of a quoted value. */
function lineBreaks(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; index += 1) {
    const byte = bytes[index] as number;
    if (byte > CR) continue;
    if (byte === LF) count += 1;
    else if (byte === CR && bytes[index + 1] !== LF) count += 1;
  }
  return count;
}

function countFields(bytes: Buffer, from: number, to: number): number {
  let fields = 1;
  for (let comma = bytes.indexOf(COMMA, from); comma >= 0 && comma < to; comma = bytes.indexOf(COMMA, comma + 1)) {
    fields += 1;
  }
  return fields;
}

/** Where a step leaves the scan: the next position, or WAIT for more bytes. */
const WAIT = -1;

/**
 * Splits bytes into records, chunk by chunk: keeps the unfinished record for the next
 * chunk, skips and reports a line longer than a row may be, numbers the lines.
 */
abstract class ByteRecordScanner {
  protected nextLine = 1;
  private pending: Buffer = EMPTY;
  /** A too-long line being skipped: where it started, its first bytes, its length so far. */
  private skipping: { line: number; head: Uint8Array; length: number } | undefined;

  /** Records completed by this chunk. */
  push(chunk: Uint8Array): RawRecord[] {
    const bytes = asBuffer(chunk);
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    return this.drain(false);
  }

  /** Records left when the bytes end. */
  end(): RawRecord[] {
    return this.drain(true);
  }

  /** Reads the record at `position` into `records`; returns where the next one starts, or WAIT. */
  protected abstract step(
    bytes: Buffer,
    position: number,
    final: boolean,
    finders: Finders,
    records: RawRecord[],
  ): number;

  private drain(final: boolean): RawRecord[] {
    const records: RawRecord[] = [];
    const bytes = this.pending;
    const finders = new Finders(bytes);
    let position = 0;
    while (position < bytes.length || (final && this.skipping)) {
      const next = this.skipping
        ? this.skipLine(bytes, position, final, finders, records)
        : this.step(bytes, position, final, finders, records);
      if (next === WAIT) break;
      position = next;
    }
    // A copy, so the rest of this chunk does not pin it (or break if the source reuses it).
    this.pending = position >= bytes.length ? EMPTY : Buffer.from(bytes.subarray(position));
    return records;
  }

  /** The line at `position` is longer than a row may be: skip it, keeping its first bytes. */
  protected startSkipping(bytes: Buffer, position: number): number {
    const head = Uint8Array.prototype.slice.call(bytes, position, position + HEAD_BYTES);
    this.skipping = { line: this.nextLine, head, length: 0 };
    return position;
  }

  /**
   * Skips the rest of a too-long line, whatever quotes it holds, and reports it once at
   * its end. Returns where the next line starts, or WAIT when the bytes ran out first.
   */
  private skipLine(bytes: Buffer, position: number, final: boolean, finders: Finders, records: RawRecord[]): number {
    const skipping = this.skipping as { line: number; head: Uint8Array; length: number };
    const end = finders.lineEnd(position);
    const length = end < 0 ? 0 : lineEndLength(bytes, end, final);
    const stop = end < 0 ? bytes.length : end;
    if (!final && length === 0) {
      // Out of bytes (or at a CR that may be the first half of a CRLF): count, then wait.
      skipping.length += stop - position;
      return stop > position ? stop : WAIT;
    }
    skipping.length += stop - position;
    records.push({ line: skipping.line, tooLong: { bytes: skipping.length, head: skipping.head } });
    this.nextLine += 1;
    this.skipping = undefined;
    return stop + length;
  }
}

/** Splits bytes into CSV records, chunk by chunk. */
export class CsvRecordScanner extends ByteRecordScanner {
  /**
   * Fields a record should have: the header's count (the first record is the header).
   * A record that spans lines and has another count is a stray quote that paired with a
   * later one: it is reported on its first line and the lines after it are read again.
   */
  private expectedFields: number | undefined;

  protected step(bytes: Buffer, position: number, final: boolean, finders: Finders, records: RawRecord[]): number {
    const attempt = readRecord(bytes, position, final, finders, this.expectedFields === undefined);
    if (attempt.kind === 'incomplete') {
      // Wait for more bytes, unless they ended or the record already runs past a row.
      if (!final && bytes.length - position <= MAX_ROW_BYTES + 1) return WAIT;
      const firstEnd = finders.lineEnd(position);
      const firstLineTooLong =
        firstEnd < 0 ? bytes.length - position > MAX_ROW_BYTES : firstEnd - position > MAX_ROW_BYTES;
      if (firstLineTooLong) return this.startSkipping(bytes, position);
      return this.reportStrayQuote(bytes, firstEnd, final, records);
    }
    if (attempt.end - position > MAX_ROW_BYTES) {
      const firstEnd = finders.lineEnd(position);
      if (attempt.lines > 1 && firstEnd - position <= MAX_ROW_BYTES) {
        return this.reportStrayQuote(bytes, firstEnd, final, records);
      }
      return this.startSkipping(bytes, position);
    }
    const strayQuote =
      attempt.lines > 1 &&
      (attempt.kind === 'broken' || (this.expectedFields !== undefined && attempt.fields !== this.expectedFields));
    if (strayQuote) return this.reportStrayQuote(bytes, finders.lineEnd(position), final, records);
    const line = this.nextLine;
    this.nextLine += attempt.lines;
    if (attempt.kind === 'broken') records.push({ line, error: TEXT_AFTER_QUOTE });
    else if (attempt.end > position) {
      this.expectedFields ??= attempt.fields;
      records.push({ line, source: bytes, start: position, end: attempt.end, quoted: attempt.quoted });
    }
    return attempt.next;
  }

  /**
   * A quote opened on the record's first line and never closed where it should: the
   * line is reported and reading resumes on the next line (WAIT when that line's end is
   * a CR at the end of the bytes so far).
   */
  private reportStrayQuote(bytes: Buffer, firstEnd: number, final: boolean, records: RawRecord[]): number {
    const length = firstEnd < 0 ? 0 : lineEndLength(bytes, firstEnd, final);
    if (firstEnd >= 0 && length === 0) return WAIT;
    records.push({ line: this.nextLine, error: UNCLOSED_QUOTE });
    this.nextLine += 1;
    return firstEnd < 0 ? bytes.length : firstEnd + length;
  }
}

/** JSON Lines: one record a line, whatever the line holds; blank lines count but give no record. */
export class LineScanner extends ByteRecordScanner {
  protected step(bytes: Buffer, position: number, final: boolean, finders: Finders, records: RawRecord[]): number {
    const end = finders.lineEnd(position);
    const contentEnd = end < 0 ? bytes.length : end;
    const length = end < 0 ? 0 : lineEndLength(bytes, end, final);
    if (contentEnd - position > MAX_ROW_BYTES) return this.startSkipping(bytes, position);
    if (!final && (end < 0 || length === 0)) return WAIT;
    const line = this.nextLine;
    this.nextLine += 1;
    if (contentEnd > position) records.push({ line, source: bytes, start: position, end: contentEnd, quoted: false });
    return contentEnd + length;
  }
}

/** Reads one record starting at `start`; a record without quotes counts its fields only when asked. */
function readRecord(bytes: Buffer, start: number, final: boolean, finders: Finders, withFields: boolean): Attempt {
  const lineEnd = finders.lineEnd(start);
  const contentEnd = lineEnd < 0 ? bytes.length : lineEnd;
  if (finders.quote.next(start) >= contentEnd) {
    // Fast path: the common record with no quotes at all.
    if (lineEnd < 0 && !final) return INCOMPLETE;
    const length = lineEnd < 0 ? 0 : lineEndLength(bytes, lineEnd, final);
    if (lineEnd >= 0 && length === 0) return INCOMPLETE;
    return {
      kind: 'record',
      end: contentEnd,
      next: contentEnd + length,
      lines: 1,
      fields: withFields ? countFields(bytes, start, contentEnd) : 0,
      quoted: false,
    };
  }
  return readQuotedRecord(bytes, start, final, finders);
}

function readQuotedRecord(bytes: Buffer, start: number, final: boolean, finders: Finders): Attempt {
  let position = start;
  let lines = 1;
  let fields = 0;
  for (;;) {
    if (bytes[position] === QUOTE) {
      let cursor = position + 1;
      for (;;) {
        const quote = bytes.indexOf(QUOTE, cursor);
        if (quote < 0) return INCOMPLETE;
        lines += lineBreaks(bytes, cursor, quote);
        if (quote + 1 >= bytes.length && !final) return INCOMPLETE;
        cursor = quote + 1;
        if (bytes[cursor] === QUOTE) {
          cursor += 1;
          continue;
        }
        break;
      }
      fields += 1;
      position = cursor;
      const next = bytes[position];
      if (next === COMMA) {
        position += 1;
        continue;
      }
      if (next === undefined) return { kind: 'record', end: position, next: position, lines, fields, quoted: true };
      if (next === LF || next === CR) {
        const length = lineEndLength(bytes, position, final);
        if (length === 0) return INCOMPLETE;
        return { kind: 'record', end: position, next: position + length, lines, fields, quoted: true };
      }
      // Text after a closing quote: the record is broken up to the end of its line.
      const lineEnd = finders.lineEnd(position);
      if (lineEnd < 0) return final ? { kind: 'broken', end: bytes.length, next: bytes.length, lines } : INCOMPLETE;
      const length = lineEndLength(bytes, lineEnd, final);
      if (length === 0) return INCOMPLETE;
      return { kind: 'broken', end: lineEnd, next: lineEnd + length, lines };
    }
    // Unquoted field: up to the next comma or line end. A stray quote inside is kept as is.
    const lineEnd = finders.lineEnd(position);
    const comma = bytes.indexOf(COMMA, position);
    if (comma >= 0 && (lineEnd < 0 || comma < lineEnd)) {
      fields += 1;
      position = comma + 1;
      continue;
    }
    if (lineEnd < 0 && !final) return INCOMPLETE;
    fields += 1;
    if (lineEnd < 0) return { kind: 'record', end: bytes.length, next: bytes.length, lines, fields, quoted: true };
    const length = lineEndLength(bytes, lineEnd, final);
    if (length === 0) return INCOMPLETE;
    return { kind: 'record', end: lineEnd, next: lineEnd + length, lines, fields, quoted: true };
  }
}

/** The fields of one record's decoded text (the scanner has already checked its quoting). */
export function splitCsvFields(text: string, quoted: boolean): string[] {
  if (!quoted) return text.split(',');
  const fields: string[] = [];
  let position = 0;
  for (;;) {
    if (text.charCodeAt(position) === QUOTE) {
      let value = '';
      let cursor = position + 1;
      for (;;) {
        const quote = text.indexOf('"', cursor);
        if (quote < 0) {
          fields.push(value + text.slice(cursor));
          return fields;
        }
        value += text.slice(cursor, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += '"';
          cursor = quote + 2;
          continue;
        }
        cursor = quote + 1;
        break;
      }
      fields.push(value);
      if (cursor >= text.length) return fields;
      position = cursor + 1;
      continue;
    }
    const comma = text.indexOf(',', position);
    if (comma < 0) {
      fields.push(text.slice(position));
      return fields;
    }
    fields.push(text.slice(position, comma));
    position = comma + 1;
  }
}

/** The message for a line longer than a row may be, with its first characters. */
export function tooLongReason(tooLong: TooLongLine, head: string): string {
  const start = head.replace(/\uFFFD+$/, '').replace(/[\r\n]+/g, ' ');
  const shown = start.length > 40 ? `${start.slice(0, 40)}…` : `${start}…`;
  return `is ${formatCount(tooLong.bytes)} bytes long, more than a row may have (${formatCount(MAX_ROW_BYTES)} bytes); it starts "${shown}"`;
}

/**
 * The same splitter over text (UTF-8 inside): for callers and tests that hold strings.
 * A chunk may end between the two halves of a surrogate pair; the high half waits.
 */
export class CsvRecordSplitter {
  private readonly scanner = new CsvRecordScanner();
  private highSurrogate = '';

  /** Records completed by this chunk. */
  push(text: string): CsvRecord[] {
    let whole = this.highSurrogate + text;
    this.highSurrogate = '';
    const last = whole.charCodeAt(whole.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.highSurrogate = whole.slice(-1);
      whole = whole.slice(0, -1);
    }
    return this.toText(this.scanner.push(Buffer.from(whole, 'utf8')));
  }

  /** Records left when the text ends. */
  end(): CsvRecord[] {
    const rest = this.highSurrogate === '' ? [] : this.scanner.push(Buffer.from(this.highSurrogate, 'utf8'));
    this.highSurrogate = '';
    return this.toText([...rest, ...this.scanner.end()]);
  }

  private toText(records: RawRecord[]): CsvRecord[] {
    return records.map((record) => {
      if ('error' in record) return record;
      if ('tooLong' in record) {
        const head = Buffer.from(record.tooLong.head).toString('utf8');
        return { line: record.line, error: tooLongReason(record.tooLong, head) };
      }
      const text = record.source.toString('utf8', record.start, record.end);
      return { line: record.line, fields: splitCsvFields(text, record.quoted) };
    });
  }
}
