/**
 * Reads a segment file from a stream of bytes, wherever the bytes come from
 * (a local file, an S3 object): decodes UTF-8 with or without BOM, or GB18030/GBK as
 * Excel on Chinese Windows writes it; splits CSV or JSON Lines records; validates each
 * row; yields accepted customers and rejected rows in batches. Memory stays flat: only
 * the current chunk and one batch are held.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { CsvRecordSplitter } from './csv-records.ts';
import { CUSTOMER_COLUMNS, type Customer, parseCustomerRow, type RowProblem, segmentFromFileName } from './customer.ts';

export type SegmentFormat = 'csv' | 'jsonl';
export type TextEncodingName = 'utf-8' | 'gb18030';

export interface SegmentReadOptions {
  /** Name or key of the file: gives the format (by extension) and the default segment label. */
  fileName: string;
  /** Campaign time zone: dates without an offset are wall-clock time here. */
  timeZone: string;
  /** Overrides the label taken from the file name (rows' own `segment` cells still win). */
  segment?: string;
}

export interface AcceptedRow {
  line: number;
  customer: Customer;
}

export interface RejectedRow {
  file: string;
  line: number;
  customerId?: string;
  problems: RowProblem[];
}

export interface SegmentBatch {
  accepted: AcceptedRow[];
  rejected: RejectedRow[];
}

export interface SegmentReadSummary {
  format: SegmentFormat;
  encoding: TextEncodingName;
  /** Data rows seen (blank lines not counted). */
  rows: number;
  accepted: number;
  rejected: number;
  /** Header columns this product does not know; their values are ignored. */
  ignoredColumns: string[];
}

/** The file as a whole cannot be read (no header, no customer_id column, ...). */
export class SegmentFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'SegmentFileError';
  }
}

export function formatOf(fileName: string): SegmentFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** Enough bytes to see many rows of Chinese text before choosing an encoding. */
const SNIFF_BYTES = 64 * 1024;
const REPLACEMENT_CHARACTER = '\uFFFD';
const KNOWN_COLUMNS = new Set<string>(CUSTOMER_COLUMNS);

/**
 * Picks the encoding from a sample that starts at the first non-ASCII byte: a UTF-8 BOM
 * at the start of the file, or text that is valid UTF-8, means UTF-8; anything else is
 * read as GB18030 (a superset of GBK and GB2312).
 */
export function sniffEncoding(
  sample: Uint8Array,
  atFileStart = true,
): { encoding: TextEncodingName; bomLength: number } {
  if (atFileStart && sample.length >= 3 && UTF8_BOM.every((byte, index) => sample[index] === byte)) {
    return { encoding: 'utf-8', bomLength: 3 };
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    return { encoding: 'gb18030', bomLength: 0 };
  }
}

/**
 * Decodes bytes to text. ASCII reads the same in UTF-8 and GB18030, so text passes
 * through undecided until the first byte above 0x7F; the encoding is then chosen from
 * up to 64 KB from there. A file whose Chinese starts late is still read right, and only
 * that sample is ever held.
 */
async function* decodeText(
  bytes: AsyncIterable<Uint8Array>,
  onEncoding: (encoding: TextEncodingName) => void,
): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let sample: Uint8Array[] = [];
  let sampleLength = 0;
  let atFileStart = true;
  const decide = (): string => {
    const collected = Buffer.concat(sample);
    sample = [];
    const { encoding, bomLength } = sniffEncoding(collected, atFileStart);
    onEncoding(encoding);
    decoder = new TextDecoder(encoding);
    return decoder.decode(collected.subarray(bomLength), { stream: true });
  };
  for await (const chunk of bytes) {
    if (decoder) {
      yield decoder.decode(chunk, { stream: true });
      continue;
    }
    let rest = chunk;
    if (sampleLength === 0) {
      const asciiEnd = isAscii(chunk) ? chunk.length : chunk.findIndex((byte) => byte > 0x7f);
      if (asciiEnd > 0) {
        yield Buffer.from(chunk.buffer, chunk.byteOffset, asciiEnd).toString('latin1');
        atFileStart = false;
      }
      rest = chunk.subarray(asciiEnd);
    }
    if (rest.length > 0) {
      sample.push(rest);
      sampleLength += rest.length;
    }
    if (sampleLength >= SNIFF_BYTES) yield decide();
  }
  if (!decoder) yield decide();
  yield (decoder as TextDecoder | undefined)?.decode() ?? '';
}

/** Turns a JSON value into the text a CSV cell would hold for it. */
function jsonValueToCell(value: unknown): string | undefined | { invalid: string } {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'number' || typeof item === 'string')) {
    return value.join(';');
  }
  return { invalid: 'must be text, a number, a boolean or a list of years' };
}

export class SegmentReader {
  private summaryState: SegmentReadSummary;
  private readonly fileLabel: string;
  private header: string[] | undefined;

  constructor(private readonly options: SegmentReadOptions) {
    const format = formatOf(options.fileName);
    if (!format) {
      throw new SegmentFileError(options.fileName, 'unsupported file type: use .csv or .jsonl');
    }
    this.fileLabel = options.fileName;
    this.summaryState = { format, encoding: 'utf-8', rows: 0, accepted: 0, rejected: 0, ignoredColumns: [] };
  }

  get summary(): SegmentReadSummary {
    return { ...this.summaryState, ignoredColumns: [...this.summaryState.ignoredColumns] };
  }

  /** Reads the whole stream, yielding a batch per decoded chunk. */
  async *read(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<SegmentBatch> {
    const context = {
      timeZone: this.options.timeZone,
      defaultSegment: this.options.segment ?? segmentFromFileName(this.options.fileName),
    };
    const splitter = this.summaryState.format === 'csv' ? new CsvRecordSplitter() : new JsonLinesSplitter();
    const text = decodeText(bytes, (encoding) => {
      this.summaryState.encoding = encoding;
    });
    for await (const chunk of text) {
      const batch = this.toBatch(splitter.push(chunk), context);
      if (batch.accepted.length > 0 || batch.rejected.length > 0) yield batch;
    }
    const last = this.toBatch(splitter.end(), context);
    if (last.accepted.length > 0 || last.rejected.length > 0) yield last;
  }

  private toBatch(records: SplitRecord[], context: { timeZone: string; defaultSegment: string }): SegmentBatch {
    const batch: SegmentBatch = { accepted: [], rejected: [] };
    for (const record of records) {
      if (this.summaryState.format === 'csv' && !this.header) {
        this.readHeader(record);
        continue;
      }
      this.summaryState.rows += 1;
      const cells = this.cellsOf(record);
      if ('problems' in cells) {
        batch.rejected.push(this.reject(record.line, cells.problems, cells.customerId));
        continue;
      }
      const result = parseCustomerRow(cells.values, context);
      if (result.ok) {
        batch.accepted.push({ line: record.line, customer: result.customer });
        this.summaryState.accepted += 1;
      } else {
        batch.rejected.push(this.reject(record.line, result.problems, cells.values.customer_id));
      }
    }
    return batch;
  }

  private reject(line: number, problems: RowProblem[], customerId: string | undefined): RejectedRow {
    this.summaryState.rejected += 1;
    const rejected: RejectedRow = { file: this.fileLabel, line, problems };
    if (customerId) rejected.customerId = customerId;
    return rejected;
  }

  private readHeader(record: SplitRecord): void {
    if ('error' in record || !('fields' in record)) {
      throw new SegmentFileError(this.fileLabel, `the header (line ${record.line}) cannot be read`);
    }
    const header = record.fields.map((name) => name.trim().toLowerCase());
    const seen = new Set<string>();
    for (const name of header) {
      if (seen.has(name) && name !== '') {
        throw new SegmentFileError(this.fileLabel, `column "${name}" appears twice in the header`);
      }
      seen.add(name);
    }
    if (!seen.has('customer_id')) {
      throw new SegmentFileError(
        this.fileLabel,
        `the header has no customer_id column (found: ${header.join(', ') || 'nothing'})`,
      );
    }
    this.header = header;
    this.summaryState.ignoredColumns = header.filter((name) => name !== '' && !KNOWN_COLUMNS.has(name));
  }

  private cellsOf(
    record: SplitRecord,
  ): { values: Record<string, string> } | { problems: RowProblem[]; customerId?: string | undefined } {
    if ('error' in record) return { problems: [{ column: '(row)', reason: record.error }] };
    const values: Record<string, string> = {};
    const problems: RowProblem[] = [];
    if ('fields' in record) {
      const header = this.header ?? [];
      const { fields } = record;
      const extra = fields.slice(header.length);
      if (fields.length < header.length || extra.some((cell) => cell.trim() !== '')) {
        problems.push({ column: '(row)', reason: `has ${fields.length} fields, the header has ${header.length}` });
      }
      header.forEach((name, index) => {
        if (KNOWN_COLUMNS.has(name)) values[name] = (fields[index] ?? '').trim();
      });
    } else {
      for (const [name, value] of Object.entries(record.object)) {
        const key = name.trim().toLowerCase();
        if (!KNOWN_COLUMNS.has(key)) continue;
        const cell = jsonValueToCell(value);
        if (typeof cell === 'object') problems.push({ column: key, reason: cell.invalid });
        else if (cell !== undefined) values[key] = cell;
      }
    }
    for (const [column, value] of Object.entries(values)) {
      if (value.includes(REPLACEMENT_CHARACTER)) {
        problems.push({ column, reason: 'has bytes that are neither UTF-8 nor GB18030 text' });
      }
    }
    return problems.length > 0 ? { problems, customerId: values.customer_id } : { values };
  }
}

type SplitRecord =
  | { line: number; fields: string[] }
  | { line: number; error: string }
  | { line: number; object: Record<string, unknown> };

/** JSON Lines: one object per line; line numbers count every physical line. */
class JsonLinesSplitter {
  private pending = '';
  private nextLine = 1;

  push(text: string): SplitRecord[] {
    this.pending += text;
    const lastNewline = this.pending.lastIndexOf('\n');
    if (lastNewline < 0) return [];
    const complete = this.pending.slice(0, lastNewline);
    this.pending = this.pending.slice(lastNewline + 1);
    return this.parseLines(complete.split('\n'));
  }

  end(): SplitRecord[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : this.parseLines([rest]);
  }

  private parseLines(lines: string[]): SplitRecord[] {
    const records: SplitRecord[] = [];
    for (const raw of lines) {
      const line = this.nextLine;
      this.nextLine += 1;
      const text = raw.trim();
      if (text === '') continue;
      try {
        const value: unknown = JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          records.push({ line, error: 'is not a JSON object' });
        } else {
          records.push({ line, object: value as Record<string, unknown> });
        }
      } catch (error) {
        records.push({ line, error: `is not valid JSON (${(error as Error).message})` });
      }
    }
    return records;
  }
}
