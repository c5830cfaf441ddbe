/**
 * One sheet of an .xlsx workbook as the segment reader takes a CSV: a header row of texts,
 * then rows of cell texts, each with its row number as Excel shows it.
 *
 * The workbook is read from its zip directory (see zip-entries.ts): the list of sheets and
 * their relationships first, then exceljs' streaming reader gets the styles (so date cells
 * are known as dates), the shared strings and the one chosen sheet, in that order, and the
 * sheet streams through row by row. Held in memory: the styles, one batch of rows, and the
 * shared strings table up to a budget, past which it is kept on disk (xlsx-shared-strings.ts).
 *
 * Cells become text as a CSV export would write them: strings as they are (rich text
 * joined), numbers as their decimal text, Date cells as ISO 8601 local date-time without
 * an offset (Excel has no time zones: a date in a sheet is wall-clock time, here the
 * campaign's), booleans as true/false, formulas by their result, errors as their code
 * (#N/A), empty as empty. Leading title rows (one filled cell, as 千牛 and CRM exports put
 * a title and an export time above the header) are skipped.
 */
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { CellRow } from './segment-reader.ts';
import { SegmentFileError } from './segment-reader.ts';
import { SharedStrings, useSharedStrings } from './xlsx-shared-strings.ts';
import {
  type OutputEntry,
  type RandomAccessBytes,
  readEntry,
  readZipDirectory,
  streamEntries,
  type ZipEntry,
  ZipFormatError,
} from './zip-entries.ts';

export type { RandomAccessBytes } from './zip-entries.ts';

export interface SheetInfo {
  name: string;
  /** Hidden sheets are never chosen by default: a marketer does not see them. */
  hidden: boolean;
  /** `worksheet`, or what else it is (a chart sheet, a macro sheet): only worksheets have rows. */
  kind: string;
  /** The zip entry of its XML. */
  path: string | undefined;
}

/** Rows handed to the reader at a time. */
const BATCH_ROWS = 512;
/** Leading rows with a single filled cell looked at before deciding they are data (a one-column sheet). */
const MAX_TITLE_ROWS = 10;
/** The workbook's list of sheets and its relationships are small; beyond this they are no workbook's. */
const MAX_PART_BYTES = 8 * 1024 * 1024;
/** What the reader needs of the workbook, in the order it needs them. */
const WORKBOOK = 'xl/workbook.xml';
const WORKBOOK_RELS = 'xl/_rels/workbook.xml.rels';
const STYLES = 'xl/styles.xml';
const SHARED_STRINGS = 'xl/sharedStrings.xml';
/** exceljs reads a sheet only under this kind of name, and only once it has seen shared strings. */
const SHEET_ENTRY = 'xl/worksheets/sheet1.xml';
const NO_SHARED_STRINGS = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
);

/** `name="..."` attributes of one XML tag. */
function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    found.set(match[1] as string, decodeXml(match[2] ?? match[3] ?? ''));
  }
  return found;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, entity: string) => {
    if (entity[0] !== '#') return XML_ENTITIES[entity.toLowerCase()] ?? whole;
    const code =
      entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
  });
}

function xmlText(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/** The sheets in tab order, with the zip entry each one's XML is in. */
function sheetsOf(workbookXml: string, relsXml: string): SheetInfo[] {
  const targets = new Map<string, { target: string; type: string }>();
  for (const match of relsXml.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const rel = attributes(match[0]);
    const id = rel.get('Id');
    if (id) targets.set(id, { target: rel.get('Target') ?? '', type: rel.get('Type') ?? '' });
  }
  const sheets: SheetInfo[] = [];
  for (const match of workbookXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const sheet = attributes(match[0]);
    const relId = [...sheet.entries()].find(([key]) => key === 'r:id' || key.endsWith(':id'))?.[1];
    const rel = relId ? targets.get(relId) : undefined;
    const type = rel?.type.split('/').pop() ?? 'worksheet';
    sheets.push({
      name: sheet.get('name') ?? '',
      hidden: (sheet.get('state') ?? 'visible') !== 'visible',
      kind: type,
      path: rel ? entryPath(rel.target) : undefined,
    });
  }
  return sheets;
}

/** A relationship target (relative to xl/, or absolute from the package root) as a zip entry name. */
function entryPath(target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

function listed(sheets: readonly SheetInfo[]): string {
  return sheets.map((sheet) => `"${sheet.name}"${sheet.hidden ? ' (hidden)' : ''}`).join(', ');
}

/** The named sheet (exactly, else ignoring case and spaces at the ends, as Excel does), or the first visible worksheet. */
export function chooseSheet(sheets: readonly SheetInfo[], wanted: string | undefined): SheetInfo {
  if (wanted === undefined) {
    const first = sheets.find((sheet) => sheet.kind === 'worksheet' && !sheet.hidden);
    if (!first) throw new Error(`the workbook has no visible worksheet (its sheets: ${listed(sheets) || 'none'})`);
    return first;
  }
  const loose = (name: string) => name.trim().toLowerCase();
  const sheet =
    sheets.find((candidate) => candidate.name === wanted) ??
    sheets.find((candidate) => loose(candidate.name) === loose(wanted));
  if (!sheet) throw new Error(`the workbook has no sheet "${wanted}" (its sheets: ${listed(sheets) || 'none'})`);
  if (sheet.kind !== 'worksheet')
    throw new Error(`the sheet "${sheet.name}" is a ${sheet.kind}, not a worksheet with rows`);
  return sheet;
}

export interface OpenSheetOptions {
  /** The file's name or key, for messages. */
  file: string;
  /** The sheet to read; the first visible one when not given. */
  sheet?: string | undefined;
  /** Shared-strings text kept in memory before the rest goes to disk (tests set it low). */
  sharedStringsBudget?: number;
}

export interface OpenedSheet {
  /** The sheet's name as the workbook has it. */
  name: string;
  /** Its rows as the segment reader takes them: the header first, title rows above it left out. */
  rows(): AsyncGenerator<CellRow[]>;
}

/**
 * Opens one sheet of the workbook: reads the zip directory and the list of sheets, and
 * refuses (SegmentFileError) a file that is no workbook or has no such sheet, naming the
 * sheets it has.
 */
export async function openSheet(bytes: RandomAccessBytes, options: OpenSheetOptions): Promise<OpenedSheet> {
  const refuse = (reason: string) => new SegmentFileError(options.file, reason);
  let entries: Map<string, ZipEntry>;
  let sheet: SheetInfo;
  let sheetEntry: ZipEntry;
  try {
    entries = await readZipDirectory(bytes);
    const workbook = entries.get(WORKBOOK);
    const rels = entries.get(WORKBOOK_RELS);
    if (!workbook || !rels) {
      throw new ZipFormatError(
        entries.has('word/document.xml') || entries.has('ppt/presentation.xml')
          ? 'the file is a Word or PowerPoint document, not an Excel workbook'
          : `the file is a zip but not an Excel workbook (no ${WORKBOOK})`,
      );
    }
    const sheets = sheetsOf(
      xmlText(await readEntry(bytes, workbook, MAX_PART_BYTES)),
      xmlText(await readEntry(bytes, rels, MAX_PART_BYTES)),
    );
    try {
      sheet = chooseSheet(sheets, options.sheet);
    } catch (error) {
      throw new ZipFormatError((error as Error).message);
    }
    const found = sheet.path ? entries.get(sheet.path) : undefined;
    if (!found)
      throw new ZipFormatError(`the sheet "${sheet.name}" is missing from the file (the workbook is damaged)`);
    sheetEntry = found;
  } catch (error) {
    if (error instanceof ZipFormatError) throw refuse(error.reason);
    throw error;
  }
  const parts: OutputEntry[] = [
    { entry: entries.get(WORKBOOK_RELS) as ZipEntry },
    { entry: entries.get(WORKBOOK) as ZipEntry },
  ];
  const styles = entries.get(STYLES);
  if (styles) parts.push({ entry: styles });
  const strings = entries.get(SHARED_STRINGS);
  // Without shared strings exceljs would park the sheet in a temporary file: an empty table instead.
  parts.push(strings ? { entry: strings } : { name: SHARED_STRINGS, content: NO_SHARED_STRINGS });
  parts.push({ entry: sheetEntry, as: SHEET_ENTRY });
  return {
    name: sheet.name,
    rows: () => sheetRows(bytes, parts, refuse, new SharedStrings(options.sharedStringsBudget)),
  };
}

async function* sheetRows(
  bytes: RandomAccessBytes,
  parts: OutputEntry[],
  refuse: (reason: string) => SegmentFileError,
  strings: SharedStrings,
): AsyncGenerator<CellRow[]> {
  // Errors of the storage (a network failure) are worth a retry and pass as they are; any
  // other error while parsing means the file is broken.
  let storageError: unknown;
  const source = (async function* () {
    try {
      yield* streamEntries(bytes, parts);
    } catch (error) {
      storageError = error;
      throw error;
    }
  })();
  const input = Readable.from(source, { objectMode: false });
  // Loaded with the first workbook: exceljs and its dependencies are some 400 modules that a
  // CSV plan (and each process of a sharded one) would load for nothing.
  const excel = (await import('exceljs')).default;
  const workbook = new excel.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  useSharedStrings(workbook, strings);
  const titles = new TitleRows();
  let batch: CellRow[] = [];
  try {
    for await (const worksheet of workbook) {
      for await (const row of worksheet) {
        const cells = cellTexts(row);
        if (cells.length === 0) continue;
        for (const ready of titles.push({ line: row.number, cells })) batch.push(ready);
        if (batch.length >= BATCH_ROWS) {
          yield titles.padded(batch);
          batch = [];
        }
      }
    }
  } catch (error) {
    if (storageError !== undefined) throw storageError;
    if (error instanceof ZipFormatError) throw refuse(error.reason);
    if (error instanceof SegmentFileError) throw error;
    throw refuse(`the workbook cannot be read (${(error as Error).message}): open it in Excel and save it again`);
  } finally {
    input.destroy();
    strings.close();
  }
  batch.push(...titles.end());
  if (batch.length > 0) yield titles.padded(batch);
}

/**
 * Finds the header: leading rows with a single filled cell are a title (and export time)
 * above it, unless no row with more cells comes within the first rows (a one-column sheet).
 */
class TitleRows {
  private header: CellRow | undefined;
  private leading: CellRow[] = [];

  push(row: CellRow): CellRow[] {
    if (this.header) return [row];
    if (filledCells(row.cells) >= 2) {
      this.header = row;
      this.leading = [];
      return [row];
    }
    this.leading.push(row);
    return this.leading.length > MAX_TITLE_ROWS ? this.end() : [];
  }

  /** What is still held when the rows end (or cannot be titles): the first of them is the header. */
  end(): CellRow[] {
    const rows = this.leading;
    this.leading = [];
    if (!this.header && rows.length > 0) this.header = rows[0];
    return rows;
  }

  /** Data rows as long as the header (Excel leaves trailing empty cells out), the header as it is. */
  padded(rows: CellRow[]): CellRow[] {
    const width = this.header?.cells.length ?? 0;
    for (const row of rows) {
      if (row === this.header) continue;
      while (row.cells.length < width) row.cells.push('');
    }
    return rows;
  }
}

function filledCells(cells: readonly string[]): number {
  let filled = 0;
  for (const cell of cells) if (cell.trim() !== '') filled += 1;
  return filled;
}

/** The row's cells as text, by column (1-based in Excel, 0-based here), up to the last filled one; [] for a blank row. */
function cellTexts(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  let last = -1;
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    const text = cellText(cell.value, cell.numFmt);
    if (text === '') return;
    while (cells.length < column - 1) cells.push('');
    cells[column - 1] = text;
    if (text.trim() !== '') last = column - 1;
  });
  return last < 0 ? [] : cells.slice(0, last + 1).map((cell) => cell ?? '');
}

/** One cell's value as the text a CSV export would hold. */
export function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return isDateFormat(numFmt) ? dateText(excelDate(value)) : numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((run) => run.text ?? '').join('');
  if ('error' in value) return String(value.error);
  if ('formula' in value || 'sharedFormula' in value) {
    // The result a formula had when the file was saved; a date result comes as its serial number.
    return value.result === undefined ? '' : cellText(value.result, numFmt);
  }
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue, numFmt);
  return '';
}

/** As exceljs tells a date format: date or time letters outside quotes and brackets. */
function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  return /[ymdhsb]/i.test(format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** An Excel serial number (days since 1899-12-30, fractions of a day) as a Date whose UTC fields are the wall clock. */
function excelDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

/** Excel keeps 15 significant digits; beyond them a binary double shows noise (0.30000000000000004). */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = String(Number(value.toPrecision(15)));
  if (!text.includes('e')) return text;
  return value.toLocaleString('en-US', { useGrouping: false, maximumSignificantDigits: 15 });
}

/** The wall clock a Date cell shows (its UTC fields: exceljs reads a serial as if it were UTC). */
export function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const text =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? text : `${text}.${pad(ms, 3)}`;
}
