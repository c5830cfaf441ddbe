/**
 * A segment file read whatever its format: CSV and JSON Lines stream through the segment
 * reader as bytes; a workbook (.xlsx) is opened from its zip directory and one sheet's rows
 * go through the same reader, so both are validated, counted and rejected alike.
 */
import { type SegmentBatch, SegmentFileError, type SegmentReader } from './segment-reader.ts';
import { openSheet, type RandomAccessBytes } from './xlsx-sheet.ts';

export interface SegmentFile {
  /** File name or key: gives the format and the default segment label. */
  name: string;
  /** The bytes front to back (CSV, JSON Lines). */
  open(): AsyncIterable<Uint8Array>;
  /** The same bytes at any offset: a workbook is read from its directory at the end. */
  bytes?: RandomAccessBytes;
  /** The sheet of a workbook to read; its first visible sheet when not given. */
  sheet?: string;
  /** The file's size in bytes, when known: how many customers to make room for at once. */
  size?: number;
}

export async function* readSegmentFile(reader: SegmentReader, file: SegmentFile): AsyncGenerator<SegmentBatch> {
  if (reader.summary.format !== 'xlsx') {
    yield* reader.read(file.open());
    return;
  }
  if (!file.bytes) {
    throw new SegmentFileError(file.name, 'a workbook (.xlsx) is read from a file or an object, not from a stream');
  }
  const sheet = await openSheet(file.bytes, { file: file.name, sheet: file.sheet });
  yield* reader.readRows(sheet.rows(), sheet.name, sheet.date1904);
}
