/**
 * Workbooks for tests, written by exceljs' streaming writer as a store's CRM would write
 * them: shared strings and styles (so dates are date-formatted numbers), written after the
 * sheets as exceljs and Excel order them.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';

export type FixtureCell =
  | string
  | number
  | boolean
  | Date
  | null
  | { value: number | Date | ExcelJS.CellFormulaValue; numFmt: string };

export interface FixtureSheet {
  name: string;
  rows: FixtureCell[][];
  hidden?: boolean;
}

/** A Date whose UTC fields are the wall clock Excel shows (Excel has no zones). */
export function wallClock(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

export interface FixtureOptions {
  sharedStrings?: boolean;
  /**
   * Saved in the 1904 date system (`<workbookPr date1904="1"/>`, as Mac Excel may): exceljs'
   * streaming writer cannot, so its in-memory writer writes the book (Date cells as 1904 serials).
   */
  date1904?: boolean;
}

export async function writeWorkbook(
  path: string,
  sheets: readonly FixtureSheet[],
  options: FixtureOptions = {},
): Promise<void> {
  if (options.date1904) {
    const book = new ExcelJS.Workbook();
    book.properties.date1904 = true;
    addSheets(book, sheets);
    await book.xlsx.writeFile(path, { useSharedStrings: options.sharedStrings ?? true, useStyles: true });
    return;
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: options.sharedStrings ?? true,
    useStyles: true,
  });
  addSheets(workbook, sheets);
  await workbook.commit();
}

function addSheets(workbook: Pick<ExcelJS.Workbook, 'addWorksheet'>, sheets: readonly FixtureSheet[]): void {
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, sheet.hidden ? { state: 'hidden' } : {});
    for (const cells of sheet.rows) {
      const row = worksheet.addRow(
        cells.map((cell) => (cell !== null && typeof cell === 'object' && 'numFmt' in cell ? cell.value : cell)),
      );
      cells.forEach((cell, index) => {
        if (cell instanceof Date) row.getCell(index + 1).numFmt = 'yyyy-mm-dd hh:mm:ss';
        else if (cell !== null && typeof cell === 'object' && 'numFmt' in cell)
          row.getCell(index + 1).numFmt = cell.numFmt;
      });
      row.commit();
    }
    // Only the streaming writer's sheets are committed; the in-memory book writes them all at the end.
    (worksheet as { commit?: () => void }).commit?.();
  }
}

/** A workbook's bytes, written through a temporary file. */
export async function workbookBytes(sheets: readonly FixtureSheet[], options: FixtureOptions = {}): Promise<Buffer> {
  const path = join(await mkdtemp(join(tmpdir(), 'xlsx-fixture-')), 'book.xlsx');
  await writeWorkbook(path, sheets, options);
  return readFile(path);
}

/** Bytes read at any offset from memory, counting what was asked for. */
export function memoryBytes(buffer: Buffer) {
  const ranges: Array<[number, number]> = [];
  return {
    ranges,
    size: buffer.length,
    async *read(start: number, end: number): AsyncGenerator<Uint8Array> {
      ranges.push([start, end]);
      for (let at = start; at < end; at += 64 * 1024) yield buffer.subarray(at, Math.min(end, at + 64 * 1024));
    },
  };
}
