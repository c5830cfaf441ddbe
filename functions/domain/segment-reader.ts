/**
 * Reads a segment file from a stream of bytes, wherever the bytes come from
 * (a local file, an S3 object): splits CSV or JSON Lines records on bytes (line ends
 * CRLF, LF or CR), decodes each record on its own (UTF-8 with or without BOM, or
 * GB18030/GBK as Excel on Chinese Windows writes it), validates each row, and yields
 * accepted customers and rejected rows in batches. Memory stays flat: only the current
 * chunk, one batch and, until the encoding is known, the first 64 KB of non-ASCII rows
 * are held.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import {
  acceptedHeaders,
  type ColumnMapping,
  EMPTY_MAPPING,
  headerKey,
  type MappedColumn,
  type ResolvedHeader,
  resolveHeader,
} from './column-mapping.ts';
import { type CellBytes, FastRowReader } from './csv-fast-rows.ts';
import {
  CsvRecordScanner,
  LineScanner,
  type RawRecord,
  type RecordBytes,
  splitCsvFields,
  tooLongReason,
} from './csv-records.ts';
import {
  type ColumnAt,
  type Customer,
  type CustomerColumn,
  columnsInReadingOrder,
  isEmail,
  MASKED_EMAIL,
  MASKED_NAME,
  MASKED_PHONE,
  normalisePhone,
  parseCustomerFields,
  parseCustomerRow,
  quoted,
  type RowProblem,
  segmentFromFileName,
} from './customer.ts';
import { formatCount } from './text.ts';
import {
  chooseEncoding,
  type DecodedRow,
  decodeLenient,
  decodeRow,
  decodeRows,
  decodeUtf8GroupRow,
  ENCODING_LABELS,
  emptyVotes,
  type TextEncodingName,
  voteFor,
} from './text-encoding.ts';

export { sniffEncoding, type TextEncodingName } from './text-encoding.ts';

export type SegmentFormat = 'csv' | 'jsonl' | 'xlsx';

/**
 * A row already split into cells (a spreadsheet's), with its line: the row number as
 * Excel shows it. The first row a reader gets is the header.
 */
export interface CellRow {
  line: number;
  cells: string[];
}

export interface SegmentReadOptions {
  /** Name or key of the file: gives the format (by extension) and the default segment label. */
  fileName: string;
  /** Campaign time zone: dates without an offset are wall-clock time here. */
  timeZone: string;
  /** Overrides the label taken from the file name (rows' own `segment` cells still win). */
  segment?: string;
  /** The marketer's own header mapping; it wins over the built-in aliases. */
  columns?: ColumnMapping;
  /**
   * Takes each accepted customer as it is read, instead of the batches' `accepted` (which
   * then stay empty). The object may be reused for the next row: copy what you keep.
   * A reader that holds no batch of customers makes less garbage: a million-row file reads faster.
   * With `cellBytes`, a row read straight from a CSV's bytes comes with `cells`: its id, phone,
   * email and name are there as bytes (valid during the call) and left off the customer.
   */
  accept?: (customer: Customer, line: number, cells?: CellBytes) => void;
  /** `accept` takes `cells` (a taker that copies bytes: no string is made per cell only to be copied). */
  cellBytes?: boolean;
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
  /** Which header became which column, in header order (JSON Lines: every key seen, first seen first). */
  columns: MappedColumn[];
  /** Headers whose values are ignored: unknown, mapped to null, or replaced by the marketer's mapping. */
  ignoredColumns: string[];
  /** The sheet read, for a workbook (.xlsx). */
  sheet?: string;
  /** Accepted customers whose phone the platform masked (`138****8000`): kept, with no phone. */
  maskedPhones: number;
  /** Accepted customers whose email the platform masked (`w***@qq.com`): kept, with no email. */
  maskedEmails: number;
  /** Accepted customers whose name the platform masked (`张**`): kept, addressed without a name. */
  maskedNames: number;
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
  if (lower.endsWith('.xlsx')) return 'xlsx';
  return undefined;
}

/** Why a file of this name cannot be read: what to save it as instead. */
export function unsupportedTypeReason(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xls') || lower.endsWith('.xlsm') || lower.endsWith('.xlsb') || lower.endsWith('.et')) {
    return 'unsupported file type: save the workbook as .xlsx (Excel Workbook) or as CSV UTF-8, and upload it again';
  }
  return 'unsupported file type: use .csv, .jsonl or .xlsx';
}

/** Non-ASCII rows to see before choosing the file's encoding. */
const SNIFF_BYTES = 64 * 1024;
/** At most this much is held while the encoding is undecided (ASCII rows between the first non-ASCII ones). */
const MAX_HELD_BYTES = 1024 * 1024;
const MAX_HELD_RECORDS = 10_000;
const REPLACEMENT_CHARACTER = '\uFFFD';
const NOT_ASCII = /[^\u0000-\u007f]/;
const MAX_REPORTED_ID = 128;
/** JSON Lines: the key sets remembered (rows of one export share one), and the keys the summary lists. */
const MAX_KEY_SETS = 64;
const MAX_SUMMARY_KEYS = 200;
const KEY_SET_SEPARATOR = '\u0000';
const EMPTY = new Uint8Array(0);
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** What a header cell that is really a value looks like; phones and emails are never column names. */
type ValueKind = 'a phone number' | 'an email address' | 'a date' | 'a number' | 'an id';
const DATE_VALUE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}.*)?$/;
const NUMBER_VALUE = /^[+-]?(?:\d{5,}|\d[\d,]*\.\d+)$/;
const ID_VALUE = /^[a-z]{1,8}[-_]?\d{3,}$/i;

function valueKindOf(cell: string): ValueKind | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  if (isEmail(text)) return 'an email address';
  if (normalisePhone(text)) return 'a phone number';
  if (DATE_VALUE.test(text)) return 'a date';
  if (NUMBER_VALUE.test(text)) return 'a number';
  if (ID_VALUE.test(text)) return 'an id';
  return undefined;
}

/** "cell 1 looks like an id, cell 2 like a phone number": what the cells are, never their values. */
function describeValues(kinds: Array<{ cell: number; kind: ValueKind }>): string {
  const shown = kinds
    .slice(0, 5)
    .map(({ cell, kind }, index) => `cell ${cell} ${index === 0 ? 'looks ' : ''}like ${kind}`);
  return shown.join(', ') + (kinds.length > shown.length ? ', ...' : '');
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

function mixedEncodingReason(row: TextEncodingName, file: TextEncodingName): string {
  return `this row is ${ENCODING_LABELS[row]} text, but the rest of the file is ${ENCODING_LABELS[file]}: save the whole file in one encoding`;
}

const UTF16_BOMS = [
  [0xff, 0xfe],
  [0xfe, 0xff],
];

function startsWith(bytes: Uint8Array, mark: number[]): boolean {
  return bytes.length >= mark.length && mark.every((byte, index) => bytes[index] === byte);
}

/**
 * The first bytes: a UTF-8 BOM is skipped (it does not decide the encoding: the rows do);
 * a UTF-16 BOM (Excel's "Unicode Text") marks a file that is neither UTF-8 nor GB18030.
 */
class ByteOrderMark {
  private head: Uint8Array | undefined = EMPTY;
  utf16 = false;

  push(chunk: Uint8Array): Uint8Array {
    if (!this.head) return chunk;
    const bytes = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
    // Too few bytes yet to tell a mark from text.
    const mayBeMark =
      bytes.length < UTF8_BOM.length &&
      [UTF8_BOM, ...UTF16_BOMS].some((mark) => bytes.every((byte, index) => byte === mark[index]));
    if (mayBeMark) {
      this.head = bytes;
      return EMPTY;
    }
    this.head = undefined;
    return this.settle(bytes);
  }

  end(): Uint8Array {
    const rest = this.head ?? EMPTY;
    this.head = undefined;
    return this.settle(rest);
  }

  private settle(bytes: Uint8Array): Uint8Array {
    if (UTF16_BOMS.some((mark) => startsWith(bytes, mark))) {
      this.utf16 = true;
      return EMPTY;
    }
    return startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  }
}

const UTF16_REASON =
  'the file is UTF-16 text (what Excel saves as "Unicode Text"), not UTF-8 or GB18030: save it as "CSV UTF-8" and upload it again';

type RowContext = { timeZone: string; defaultSegment: string; date1904?: boolean };

export class SegmentReader {
  private summaryState: SegmentReadSummary;
  private readonly fileLabel: string;
  private header: string[] | undefined;
  /** The known columns of the header, by position. */
  private knownColumns: Array<{ index: number; name: CustomerColumn }> = [];
  /** The same, in the order a row's values are read. */
  private readingOrder: ColumnAt[] = [];
  /** The header cell of each column whose header is not the column's own name, for rejects. */
  private readonly headerOfColumn = new Map<string, string>();
  private readonly mapping: ColumnMapping;
  /** JSON Lines: each key set seen, resolved once. */
  private readonly keySets = new Map<string, ResolvedHeader>();
  private readonly summaryKeys = new Set<string>();
  /** The file's encoding, once chosen. */
  private encoding: TextEncodingName | undefined;
  /** Records held until the encoding is chosen, in file order, with their votes. */
  private held: RawRecord[] = [];
  private heldBytes = 0;
  private heldNonAsciiBytes = 0;
  private readonly votes = emptyVotes();
  /** The common rows of a CSV file read from their bytes (with a header, when taken by `accept`). */
  private fast: FastRowReader | undefined;

  constructor(private readonly options: SegmentReadOptions) {
    const format = formatOf(options.fileName);
    if (!format) {
      throw new SegmentFileError(options.fileName, unsupportedTypeReason(options.fileName));
    }
    this.fileLabel = options.fileName;
    this.mapping = options.columns ?? EMPTY_MAPPING;
    this.summaryState = {
      format,
      encoding: 'utf-8',
      rows: 0,
      accepted: 0,
      rejected: 0,
      columns: [],
      ignoredColumns: [],
      maskedPhones: 0,
      maskedEmails: 0,
      maskedNames: 0,
    };
  }

  get summary(): SegmentReadSummary {
    return {
      ...this.summaryState,
      columns: this.summaryState.columns.map((column) => ({ ...column })),
      ignoredColumns: [...this.summaryState.ignoredColumns],
    };
  }

  private rowContext(): RowContext {
    return {
      timeZone: this.options.timeZone,
      defaultSegment: this.options.segment ?? segmentFromFileName(this.options.fileName),
    };
  }

  /**
   * Reads rows already split into cells (one sheet of a workbook): the first row is the
   * header, as a CSV's first line is; each later row is read as a CSV row with the same
   * cells would be, and rejected under its own line. `date1904`: the workbook counts its
   * date numbers from 1904-01-01 (a serial in a General cell is read so).
   */
  async *readRows(
    rows: AsyncIterable<readonly CellRow[]>,
    sheet?: string,
    date1904 = false,
  ): AsyncGenerator<SegmentBatch> {
    if (sheet !== undefined) this.summaryState.sheet = sheet;
    const context: RowContext = date1904 ? { ...this.rowContext(), date1904 } : this.rowContext();
    for await (const group of rows) {
      const batch: SegmentBatch = { accepted: [], rejected: [] };
      for (const row of group) {
        if (!this.header) {
          this.useHeader(row.cells, row.line);
          continue;
        }
        this.summaryState.rows += 1;
        this.judge(row.line, this.csvCells(row.cells), batch, context);
      }
      if (batch.accepted.length > 0 || batch.rejected.length > 0) yield batch;
    }
  }

  /** Reads the whole stream, yielding a batch per chunk that completes rows. */
  async *read(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<SegmentBatch> {
    if (this.summaryState.format === 'xlsx') {
      throw new SegmentFileError(this.fileLabel, 'a workbook (.xlsx) is read by its rows, not as text');
    }
    const context = this.rowContext();
    const scanner = this.summaryState.format === 'csv' ? new CsvRecordScanner() : new LineScanner();
    const bom = new ByteOrderMark();
    for await (const chunk of bytes) {
      const body = bom.push(chunk);
      if (bom.utf16) throw new SegmentFileError(this.fileLabel, UTF16_REASON);
      if (body.length === 0) continue;
      const batch = this.toBatch(scanner.push(body), false, context);
      if (batch.accepted.length > 0 || batch.rejected.length > 0) yield batch;
    }
    const rest = bom.end();
    if (bom.utf16) throw new SegmentFileError(this.fileLabel, UTF16_REASON);
    const records = rest.length > 0 ? scanner.push(rest) : [];
    records.push(...scanner.end());
    const last = this.toBatch(records, true, context);
    if (last.accepted.length > 0 || last.rejected.length > 0) yield last;
  }

  private toBatch(records: RawRecord[], final: boolean, context: RowContext): SegmentBatch {
    const batch: SegmentBatch = { accepted: [], rejected: [] };
    let index = 0;
    while (index < records.length) {
      // The records of one chunk are decoded together: one check and one decode for most.
      const start = index;
      const end = groupEnd(records, index);
      const group = records.slice(index, end);
      index = end;
      const rows = group.filter((record): record is RecordBytes => 'source' in record);
      const source = rows[0]?.source;
      // ASCII reads the same in both encodings: no need to wait for the choice.
      const readable = this.encoding !== undefined || (this.held.length === 0 && isAsciiGroup(group, rows));
      if (!readable || !source) {
        let at = start;
        while (at < end && (this.encoding === undefined || !source)) {
          this.readOrHold(records[at] as RawRecord, batch, context);
          at += 1;
        }
        // The encoding was chosen within the group: the rest of it is read as a group of its own.
        index = at;
        continue;
      }
      const encoding = this.encoding ?? 'utf-8';
      if (encoding === 'utf-8' && this.options.accept && this.readUtf8Group(group, rows, source, batch, context)) {
        continue;
      }
      const { texts, foreign } = decodeRows(source, rows, encoding);
      let row = 0;
      for (const record of group) {
        if ('source' in record) {
          const text = { encoding: foreign?.get(row) ?? encoding, text: texts[row] as string };
          row += 1;
          this.readRecord(record, encoding, text, batch, context);
        } else {
          this.readRecord(record, encoding, undefined, batch, context);
        }
      }
    }
    if (final && this.encoding === undefined) this.chooseEncoding(batch, context);
    return batch;
  }

  /**
   * A group of records of a UTF-8 CSV file whose bytes are valid UTF-8: the common rows
   * are read from their bytes, every other record as decodeRows would have decoded it.
   * False (nothing read) where decodeRows would decode each row on its own.
   */
  private readUtf8Group(
    group: RawRecord[],
    rows: RecordBytes[],
    source: Buffer,
    batch: SegmentBatch,
    context: RowContext,
  ): boolean {
    if (this.summaryState.format !== 'csv') return false;
    const first = rows[0] as RecordBytes;
    const last = rows[rows.length - 1] as RecordBytes;
    const span = source.subarray(first.start, last.end);
    if (!isAscii(span)) {
      if (!isUtf8(span)) return false;
      let byte = first.start;
      for (const row of rows) {
        if (row.start - byte > 2 && !isAscii(source.subarray(byte, row.start))) return false;
        byte = row.end;
      }
    }
    const accept = this.options.accept as NonNullable<SegmentReadOptions['accept']>;
    const inBytes = this.options.cellBytes === true;
    for (const record of group) {
      if (!('source' in record)) {
        this.readRecord(record, 'utf-8', undefined, batch, context);
        continue;
      }
      const fast = this.fast;
      if (fast && !record.quoted) {
        const masked = fast.read(record.source, record.start, record.end);
        if (masked >= 0) {
          this.summaryState.rows += 1;
          this.summaryState.accepted += 1;
          if (masked !== 0) this.countMasked(masked);
          accept(fast.customer, record.line, inBytes ? fast.cells : undefined);
          continue;
        }
      }
      const text = decodeUtf8GroupRow(record.source, record.start, record.end);
      this.readRecord(record, 'utf-8', text, batch, context);
    }
    return true;
  }

  /** An accepted row: to `accept` when given, else into the batch. */
  private accepted(line: number, customer: Customer, batch: SegmentBatch): void {
    this.summaryState.accepted += 1;
    const accept = this.options.accept;
    if (accept) accept(customer, line);
    else batch.accepted.push({ line, customer });
  }

  private readOrHold(record: RawRecord, batch: SegmentBatch, context: RowContext): void {
    if (this.encoding !== undefined) this.readRecord(record, this.encoding, undefined, batch, context);
    else if (this.held.length === 0 && !hasNonAscii(record))
      this.readRecord(record, 'utf-8', undefined, batch, context);
    else this.hold(record, batch, context);
  }

  /**
   * Until the encoding is chosen, records wait (ASCII ones before the first non-ASCII
   * record need not: they read the same either way), and each non-ASCII one votes.
   */
  private hold(record: RawRecord, batch: SegmentBatch, context: RowContext): void {
    if ('source' in record) {
      // A copy: the chunk the record is in is not pinned, and a source may reuse it.
      const bytes = Buffer.from(record.source.subarray(record.start, record.end));
      this.held.push({ ...record, source: bytes, start: 0, end: bytes.length });
      this.heldBytes += bytes.length;
      if (!isAscii(bytes)) {
        this.heldNonAsciiBytes += bytes.length;
        voteFor(this.votes, bytes);
      }
    } else {
      this.held.push(record);
    }
    const enough =
      this.heldNonAsciiBytes >= SNIFF_BYTES || this.heldBytes >= MAX_HELD_BYTES || this.held.length >= MAX_HELD_RECORDS;
    if (enough) this.chooseEncoding(batch, context);
  }

  private chooseEncoding(batch: SegmentBatch, context: RowContext): void {
    const encoding = chooseEncoding(this.votes);
    this.encoding = encoding;
    this.summaryState.encoding = encoding;
    const held = this.held;
    this.held = [];
    for (const record of held) {
      const text = 'source' in record ? decodeRow(record.source, encoding) : undefined;
      this.readRecord(record, encoding, text, batch, context);
    }
  }

  /** Reads one record of a file in `fileEncoding`; a row's text is decoded here unless `given`. */
  private readRecord(
    record: RawRecord,
    fileEncoding: TextEncodingName,
    given: DecodedRow | undefined,
    batch: SegmentBatch,
    context: RowContext,
  ): void {
    const csv = this.summaryState.format === 'csv';
    if (csv && !this.header) {
      this.readHeader(record, fileEncoding, given);
      return;
    }
    if ('error' in record) {
      this.summaryState.rows += 1;
      batch.rejected.push(this.reject(record.line, [{ column: '(row)', reason: record.error }], undefined));
      return;
    }
    if ('tooLong' in record) {
      this.summaryState.rows += 1;
      const head = decodeLenient(record.tooLong.head, fileEncoding);
      const problem: RowProblem = {
        column: '(row)',
        code: 'line-too-long',
        reason: tooLongReason(record.tooLong, head),
      };
      batch.rejected.push(this.reject(record.line, [problem], undefined));
      return;
    }
    const decoded = given ?? decodeRow(record.source.subarray(record.start, record.end), fileEncoding);
    if (!csv && decoded.text.trim() === '') return;
    this.summaryState.rows += 1;
    const fields = csv ? splitCsvFields(decoded.text, record.quoted) : undefined;
    // The common row (as many fields as the header, in the file's encoding, every byte text)
    // is read straight from its fields; any other row, and any row with a problem, below.
    if (
      fields &&
      fields.length === this.header?.length &&
      decoded.encoding === fileEncoding &&
      !decoded.text.includes(REPLACEMENT_CHARACTER)
    ) {
      const result = parseCustomerFields(fields, this.readingOrder, context);
      if (result.ok) {
        this.accepted(record.line, result.customer, batch);
        if (result.masked !== undefined) this.countMasked(result.masked);
        return;
      }
    }
    const cells = fields ? this.csvCells(fields) : this.jsonCells(decoded.text.trim());
    if ('values' in cells) {
      const problems: RowProblem[] = [];
      if (decoded.encoding !== fileEncoding) {
        // A row pasted in from a file of the other encoding: its text would be mojibake here.
        for (const [column, value] of Object.entries(cells.values)) {
          if (NOT_ASCII.test(value)) {
            problems.push({
              column,
              code: 'mixed-encoding',
              reason: mixedEncodingReason(decoded.encoding, fileEncoding),
            });
          }
        }
      } else if (decoded.text.includes(REPLACEMENT_CHARACTER)) {
        for (const [column, value] of Object.entries(cells.values)) {
          if (value.includes(REPLACEMENT_CHARACTER)) {
            problems.push({ column, reason: 'has bytes that are neither UTF-8 nor GB18030 text' });
          }
        }
      }
      cells.problems.push(...problems);
    }
    this.judge(record.line, cells, batch, context);
  }

  /** A row's cells: accepted, or rejected with every problem it has. */
  private judge(line: number, cells: Cells, batch: SegmentBatch, context: RowContext): void {
    if (!('values' in cells)) {
      batch.rejected.push(this.reject(line, cells.problems, undefined));
      return;
    }
    const customerId = cells.values.customer_id;
    const result = parseCustomerRow(cells.values, context);
    if (result.ok && cells.problems.length === 0) {
      this.accepted(line, result.customer, batch);
      if (result.masked !== undefined) this.countMasked(result.masked);
      return;
    }
    // Every problem of the row: what its bytes have, then its values' (once a column).
    const reported = new Set(cells.problems.map((problem) => problem.column));
    const valueProblems = result.ok ? [] : result.problems.filter((problem) => !reported.has(problem.column));
    batch.rejected.push(this.reject(line, [...cells.problems, ...valueProblems], customerId));
  }

  private countMasked(masked: number): void {
    if (masked & MASKED_PHONE) this.summaryState.maskedPhones += 1;
    if (masked & MASKED_EMAIL) this.summaryState.maskedEmails += 1;
    if (masked & MASKED_NAME) this.summaryState.maskedNames += 1;
  }

  private reject(line: number, problems: RowProblem[], customerId: string | undefined): RejectedRow {
    this.summaryState.rejected += 1;
    if (this.headerOfColumn.size > 0) {
      for (const problem of problems) {
        const header = this.headerOfColumn.get(problem.column);
        if (header !== undefined) problem.header = header;
      }
    }
    const rejected: RejectedRow = { file: this.fileLabel, line, problems };
    if (customerId) {
      rejected.customerId =
        customerId.length > MAX_REPORTED_ID ? `${customerId.slice(0, MAX_REPORTED_ID)}…` : customerId;
    }
    return rejected;
  }

  private readHeader(record: RawRecord, fileEncoding: TextEncodingName, decoded: DecodedRow | undefined): void {
    if ('error' in record) {
      throw new SegmentFileError(this.fileLabel, `the header (line ${record.line}) cannot be read: ${record.error}`);
    }
    if ('tooLong' in record) {
      throw new SegmentFileError(
        this.fileLabel,
        `the header (line ${record.line}) is ${formatCount(record.tooLong.bytes)} bytes long, more than a row may have: this is not a CSV file with a header`,
      );
    }
    // The header is column names, not customer data: it is read in its own encoding.
    const { text } = decoded ?? decodeRow(record.source.subarray(record.start, record.end), fileEncoding);
    this.useHeader(splitCsvFields(text, record.quoted), record.line);
  }

  /**
   * Takes the header's cells (text, as a CSV or a sheet's first row gives them): which cell
   * is which column, or the file is refused whole with what is wrong with its header.
   */
  private useHeader(cells: readonly string[], line: number): void {
    const header = cells.map((cell) => cell.trim());
    const resolved = resolveHeader(header, this.mapping);
    const values = header.flatMap((name, index) => {
      const kind = valueKindOf(name);
      return kind ? [{ cell: index + 1, kind }] : [];
    });
    const knowsAColumn = resolved.columns.length > 0 || resolved.conflicts.length > 0;
    if (values.length > 0 && !knowsAColumn) {
      throw new SegmentFileError(
        this.fileLabel,
        `the first line looks like data, not a header: ${describeValues(values)}; the first line must name the columns, e.g. customer_id,phone,email or 客户ID,手机号,邮箱`,
      );
    }
    // Phones and emails are never column names: a data line ran into the header.
    const contacts = values.filter(({ kind }) => kind === 'a phone number' || kind === 'an email address');
    if (contacts.length > 0) {
      throw new SegmentFileError(
        this.fileLabel,
        `the header (line ${line}) holds values, not only column names: ${describeValues(contacts)}; is a line end missing after the header?`,
      );
    }
    if (resolved.conflicts.length > 0) {
      throw new SegmentFileError(
        this.fileLabel,
        resolved.conflicts.map((conflict) => conflictReason(conflict)).join('; '),
      );
    }
    if (!resolved.columns.some(({ column }) => column === 'customer_id')) {
      const found = header.map((name, index) =>
        valueKindOf(name) ? `(cell ${index + 1}: a value)` : shortHeader(name),
      );
      throw new SegmentFileError(
        this.fileLabel,
        `the header has no customer_id column (found: ${found.filter(Boolean).join(', ') || 'nothing'}); ` +
          `name the buyer-id column customer_id or one of ${acceptedHeaders('customer_id', 7).slice('customer_id, '.length)}, ` +
          `or map your header in a column mapping: {"<your header>": "customer_id"}`,
      );
    }
    this.header = header;
    this.knownColumns = resolved.columns.map(({ index, column }) => ({ index, name: column }));
    this.readingOrder = columnsInReadingOrder(resolved.columns.map(({ index, column }) => ({ index, column })));
    if (this.summaryState.format === 'csv' && this.options.accept) {
      this.fast = new FastRowReader(
        header.length,
        this.readingOrder,
        this.rowContext(),
        this.options.cellBytes === true,
      );
    }
    for (const { header: text, column } of resolved.columns) {
      if (text !== column) this.headerOfColumn.set(column, text);
    }
    this.summaryState.columns = resolved.columns.map(({ header: text, column, by }) => ({ header: text, column, by }));
    this.summaryState.ignoredColumns = resolved.ignored;
  }

  /** JSON Lines: one object per line, its keys mapped as a header's cells are. */
  private jsonCells(text: string): Cells {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { problems: [{ column: '(row)', reason: `is not valid JSON (${(error as Error).message})` }] };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { problems: [{ column: '(row)', reason: 'is not a JSON object' }] };
    }
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    const resolved = this.keySet(keys);
    const values: Record<string, string> = {};
    const problems: RowProblem[] = [];
    for (const { index, column } of resolved.columns) {
      const cell = jsonValueToCell(object[keys[index] as string]);
      if (typeof cell === 'object') problems.push({ column, reason: cell.invalid });
      else if (cell !== undefined) values[column] = cell;
    }
    for (const conflict of resolved.conflicts) {
      problems.push({ column: conflict.column, reason: conflictReason(conflict, 'keys') });
    }
    return { values, problems };
  }

  private keySet(keys: string[]): ResolvedHeader {
    const signature = keys.join(KEY_SET_SEPARATOR);
    let resolved = this.keySets.get(signature);
    if (resolved) return resolved;
    resolved = resolveHeader(keys, this.mapping);
    if (this.keySets.size < MAX_KEY_SETS) this.keySets.set(signature, resolved);
    // The summary lists every key once, in the order first seen.
    for (const { header, column, by } of resolved.columns) {
      if (this.summaryKeys.size >= MAX_SUMMARY_KEYS || this.summaryKeys.has(headerKey(header))) continue;
      this.summaryKeys.add(headerKey(header));
      this.summaryState.columns.push({ header, column, by });
    }
    for (const header of resolved.ignored) {
      if (this.summaryKeys.size >= MAX_SUMMARY_KEYS || this.summaryKeys.has(headerKey(header))) continue;
      this.summaryKeys.add(headerKey(header));
      this.summaryState.ignoredColumns.push(header);
    }
    return resolved;
  }

  private csvCells(fields: string[]): Cells {
    const header = this.header ?? [];
    const values: Record<string, string> = {};
    const problems: RowProblem[] = [];
    if (fields.length < header.length || fields.slice(header.length).some((cell) => cell.trim() !== '')) {
      problems.push({ column: '(row)', reason: `has ${fields.length} fields, the header has ${header.length}` });
    }
    for (const { index, name } of this.knownColumns) values[name] = (fields[index] ?? '').trim();
    return { values, problems };
  }
}

type Cells = { values: Record<string, string>; problems: RowProblem[] } | { problems: RowProblem[] };

/** Longest header named whole in a message. */
const MAX_HEADER_SHOWN = 40;

function shortHeader(header: string): string {
  return header.length <= MAX_HEADER_SHOWN ? header : `${header.slice(0, MAX_HEADER_SHOWN)}…`;
}

/** Two or more header cells (or JSON keys) that map to one column: the file names them all. */
function conflictReason(
  conflict: ResolvedHeader['conflicts'][number],
  noun: 'header cells' | 'keys' = 'header cells',
): string {
  const cells = conflict.cells;
  const first = cells[0]?.header ?? '';
  const positions = (index: number) => (noun === 'keys' ? '' : ` (cell ${index + 1})`);
  if (cells.every(({ header }) => headerKey(header) === headerKey(first))) {
    const where = noun === 'keys' ? '' : ` (cells ${cells.map(({ index }) => index + 1).join(' and ')})`;
    return `column "${shortHeader(first)}" appears twice in the ${noun === 'keys' ? 'row' : 'header'}${where}`;
  }
  const named = cells.map(({ header, index }) => `"${shortHeader(header)}"${positions(index)}`).join(' and ');
  return (
    `${noun} ${named} ${cells.length === 2 ? 'both map' : 'all map'} to ${conflict.column}: keep one of them, ` +
    `or say which one is ${conflict.column} in a column mapping (a header mapped to null is ignored: {${quoted(cells[1]?.header ?? '')}: null})`
  );
}

/** Where the records from `index` on stop sharing one source (one chunk's bytes). */
function groupEnd(records: RawRecord[], index: number): number {
  let source: Buffer | undefined;
  let end = index;
  for (; end < records.length; end += 1) {
    const record = records[end] as RawRecord;
    if (!('source' in record)) continue;
    if (source && record.source !== source) break;
    source = record.source;
  }
  return end;
}

function isAsciiGroup(group: RawRecord[], rows: RecordBytes[]): boolean {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last && !isAscii(first.source.subarray(first.start, last.end))) return false;
  return group.every((record) => 'source' in record || !hasNonAscii(record));
}

function hasNonAscii(record: RawRecord): boolean {
  if ('source' in record) return !isAscii(record.source.subarray(record.start, record.end));
  if ('tooLong' in record) return !isAscii(record.tooLong.head);
  return false;
}
