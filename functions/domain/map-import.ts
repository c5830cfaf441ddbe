/**
 * The Distributed Map import, its pure parts: which files the map may read, and how one
 * batch of the map's rows is judged by the same row validation as the streamed import.
 *
 * The map's ItemReader (`InputType: CSV`, `CSVHeaderLocation: FIRST_ROW`) reads UTF-8 text
 * only and hands each row over as an object keyed by the header's cells; it knows nothing
 * of GB18030, UTF-16, workbooks or JSON Lines, and a row's position comes only from the
 * map's own item index. So the map takes a `.csv` whose first bytes are UTF-8 with a header
 * our column mapping resolves; everything else stays on the streamed (continuation) path.
 */
import { isUtf8 } from 'node:buffer';
import type { ColumnMappingJson } from './column-mapping.ts';
import { toColumnMapping } from './column-mapping.ts';
import { CsvRecordScanner, splitCsvFields } from './csv-records.ts';
import { type CellRow, type RejectedRow, SegmentReader } from './segment-reader.ts';

/** What every batch of one file's map run carries beside its rows (the map's `BatchInput`). */
export interface MapBatchInput {
  /** The run: the import's Step Functions execution name; parts are written under it. */
  run: string;
  key: string;
  /** The import's identity (the segment ETag, with the mapping's and sheet's). */
  etag: string;
  campaignId: string;
  label: string;
  timeZone: string;
  /** The header's cells as the file writes them: the keys of the ItemReader's row objects. */
  header: string[];
  /** The folder's column mapping, when there is one. */
  mapping?: ColumnMappingJson;
}

/** One row as the map hands it over: its item index (0 = the first row after the header) and its cells by header. */
export interface MapItem {
  index: number;
  row: Record<string, string>;
}

/** One batch as a child execution gets it: `ItemBatcher` puts the rows in `Items`, the fixed part in `BatchInput`. */
export interface MapBatch {
  BatchInput: MapBatchInput;
  Items: MapItem[];
}

/**
 * The line a map item is on, as the file shows it: the header is line 1 and every row one
 * line. The map numbers rows, not lines: a quoted cell holding a line break, or a blank
 * line between rows, makes every later row's line number smaller than the file's (the
 * streamed path counts the file's lines). Exports do not write either.
 */
export function lineOfItem(index: number): number {
  return index + 2;
}

export type MapEligibility = { eligible: true; header: string[] } | { eligible: false; reason: string };

const UTF16_BOMS = [
  [0xff, 0xfe],
  [0xfe, 0xff],
];
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Whether a file may go to the map, from its first bytes: a `.csv` whose head (cut at its
 * last line end) is UTF-8 and whose header our reader accepts with the folder's mapping.
 * Not eligible is never an error: the streamed path reads the file and says what is wrong.
 */
export async function mapEligibility(
  fileName: string,
  head: Uint8Array,
  options: { timeZone: string; label: string; mapping?: ColumnMappingJson | undefined },
): Promise<MapEligibility> {
  if (!fileName.toLowerCase().endsWith('.csv')) {
    return { eligible: false, reason: 'only CSV files: the map cannot read workbooks or JSON Lines' };
  }
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (UTF16_BOMS.some((mark) => mark.every((byte, index) => bytes[index] === byte))) {
    return { eligible: false, reason: 'UTF-16 text' };
  }
  const lastLineEnd = Math.max(bytes.lastIndexOf(0x0a), bytes.lastIndexOf(0x0d));
  if (lastLineEnd < 0) return { eligible: false, reason: 'no complete line in the first bytes' };
  const body = bytes.subarray(bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0, lastLineEnd + 1);
  if (!isUtf8(body)) return { eligible: false, reason: 'not UTF-8 text (GB18030 exports stream through one writer)' };
  const scanner = new CsvRecordScanner();
  const records = [...scanner.push(body), ...scanner.end()];
  const first = records[0];
  if (!first || !('source' in first)) return { eligible: false, reason: 'the header cannot be read' };
  const header = splitCsvFields(first.source.subarray(first.start, first.end).toString('utf8'), first.quoted);
  // Row objects are keyed by header cell: two equal cells would be one key.
  if (new Set(header).size !== header.length) return { eligible: false, reason: 'a header cell appears twice' };
  // The header must be one our reader accepts (with the folder's mapping); if not, the
  // streamed path refuses the file as it does today, with its reason.
  try {
    const reader = batchReader({
      key: fileName,
      timeZone: options.timeZone,
      label: options.label,
      ...mappingOf(options),
    });
    for await (const _ of reader.readRows(rowsOnce([{ line: 1, cells: header }]))) {
      // Only the header: no row to yield.
    }
  } catch (error) {
    return { eligible: false, reason: (error as Error).message };
  }
  return { eligible: true, header };
}

function mappingOf(options: { mapping?: ColumnMappingJson | undefined }): { mapping?: ColumnMappingJson } {
  return options.mapping ? { mapping: options.mapping } : {};
}

async function* rowsOnce(rows: CellRow[]): AsyncGenerator<CellRow[]> {
  yield rows;
}

/** What one batch's rows came to: the same counts and rejects the streamed import keeps. */
export interface BatchResult {
  firstIndex: number;
  rows: number;
  accepted: number;
  rejected: number;
  maskedPhones: number;
  maskedEmails: number;
  maskedNames: number;
  /** Accepted rows' customer ids, in file order: the finish step counts repeats across batches from them. */
  ids: string[];
  rejects: RejectedRow[];
}

/** A batch's rows as cell rows, header first, each on its file line. */
export async function* cellRowsOf(batch: MapBatch): AsyncGenerator<CellRow[]> {
  const { header } = batch.BatchInput;
  const rows: CellRow[] = [{ line: 1, cells: header }];
  const items = [...batch.Items].sort((a, b) => a.index - b.index);
  for (const item of items) rows.push({ line: lineOfItem(item.index), cells: cellsOf(header, item.row) });
  yield rows;
}

/**
 * A row object back to the cells in header order. A row with fewer cells than the header
 * has no key for the missing ones: its cells stop there, so the row is rejected for its
 * field count as the streamed path rejects it. (Cells beyond the header have no key at
 * all: the ItemReader drops them, so the map cannot see them.) A UTF-8 BOM the reader may
 * leave on the first key is looked past.
 */
function cellsOf(header: readonly string[], row: Readonly<Record<string, string>>): string[] {
  const cells: string[] = [];
  for (let index = 0; index < header.length; index += 1) {
    const name = header[index] as string;
    let value = row[name];
    if (value === undefined && index === 0) value = row[`\uFEFF${name}`];
    if (value === undefined) break;
    cells.push(value);
  }
  return cells;
}

/** A new segment reader for one batch: its header resolved with the run's mapping. */
export function batchReader(input: Pick<MapBatchInput, 'key' | 'timeZone' | 'label' | 'mapping'>): SegmentReader {
  return new SegmentReader({
    fileName: input.key,
    timeZone: input.timeZone,
    segment: input.label,
    ...(input.mapping ? { columns: toColumnMapping(input.mapping) } : {}),
  });
}
