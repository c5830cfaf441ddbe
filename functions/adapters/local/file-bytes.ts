/**
 * A local segment file as the segment reader takes it: its bytes front to back, and, for a
 * workbook (.xlsx), at any offset (a workbook is read from its zip directory at the end).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SegmentFile } from '../../domain/segment-file.ts';
import { openSheet, type RandomAccessBytes } from '../../domain/xlsx-sheet.ts';

const READ_CHUNK_BYTES = 256 * 1024;

/** The file's bytes at any offset, each range streamed in chunks. */
export function localFileBytes(path: string, size: number): RandomAccessBytes {
  return {
    size,
    read: (start, end) =>
      end <= start
        ? (async function* () {})()
        : createReadStream(path, { start, end: end - 1, highWaterMark: READ_CHUNK_BYTES }),
  };
}

/** A local file as a segment source; `sheet` picks a workbook's sheet (its first visible one when not given). */
export async function localSegmentFile(path: string, sheet?: string): Promise<SegmentFile> {
  const { size } = await stat(path);
  const file: SegmentFile = {
    name: basename(path),
    open: () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    bytes: localFileBytes(path, size),
    size,
  };
  if (sheet !== undefined) file.sheet = sheet;
  return file;
}

/**
 * The rows of one sheet of a local workbook, as cell texts with their Excel row numbers,
 * unvalidated: what the bench times against the validated read.
 */
export async function* readXlsxRows(path: string, sheet?: string): AsyncGenerator<string[]> {
  const { size } = await stat(path);
  const opened = await openSheet(localFileBytes(path, size), { file: basename(path), sheet });
  for await (const batch of opened.rows()) for (const row of batch) yield row.cells;
}
