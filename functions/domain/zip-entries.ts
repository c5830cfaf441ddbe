/**
 * The entries of a zip file (an .xlsx is one), read from its central directory at the end
 * of the file, and the chosen entries streamed again as a zip of their own, in the order a
 * reader needs them.
 *
 * Why not read the zip front to back: a streaming reader meets the entries in the order
 * they were written, and Excel writes the sheets before the shared strings and styles the
 * sheets refer to, so a front-to-back reader must park each sheet somewhere (exceljs writes
 * it, inflated, to a temporary file: several times the file's size) before it can read it.
 * With the directory, the few small entries a sheet needs are read first and the sheet is
 * then streamed straight through, from any store that can read a range of bytes (a local
 * file, an S3 object): nothing is parked and nothing is held whole.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';

/** Bytes that can be read at any offset: a local file, an S3 object (ranged GETs). */
export interface RandomAccessBytes {
  /** Total length in bytes. */
  readonly size: number;
  /** The bytes from `start` up to (not including) `end`, streamed. */
  read(start: number, end: number): AsyncIterable<Uint8Array>;
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** The file is not a zip this reader can read; `reason` says why, for a marketer. */
export class ZipFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ZipFormatError';
  }
}

const END_OF_DIRECTORY = 0x06054b50;
const OLE2_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_OF_DIRECTORY_LENGTH = 22;
const MAX_COMMENT_LENGTH = 0xffff;
const DIRECTORY_ENTRY_LENGTH = 46;
const LOCAL_HEADER_LENGTH = 30;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAME = 0x0800;
/** The directory of a workbook is a few KB; beyond this it is no workbook. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

export async function readRange(bytes: RandomAccessBytes, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bytes.read(start, end)) chunks.push(Buffer.from(chunk));
  const buffer = Buffer.concat(chunks);
  if (buffer.length !== end - start) {
    throw new ZipFormatError(`the file ended early (read ${buffer.length} of ${end - start} bytes at ${start})`);
  }
  return buffer;
}

/** The entries of the zip, by name, from its central directory. */
export async function readZipDirectory(bytes: RandomAccessBytes): Promise<Map<string, ZipEntry>> {
  if (bytes.size === 0) throw new ZipFormatError('the file is empty (0 bytes), not an Excel workbook');
  const head = await readRange(bytes, 0, Math.min(bytes.size, 8));
  if (OLE2_SIGNATURE.every((byte, index) => head[index] === byte)) {
    // Excel 97-2003 files and password-protected workbooks are both OLE2 containers.
    throw new ZipFormatError(
      'the file is an Excel 97-2003 workbook (.xls) or a password-protected one, named .xlsx: save it as .xlsx (Excel Workbook) without a password and upload it again',
    );
  }
  if (head[0] !== 0x50 || head[1] !== 0x4b) {
    throw new ZipFormatError(
      'the file is not an Excel workbook (.xlsx): it is not a zip file (a CSV or text file renamed to .xlsx? then name it .csv)',
    );
  }
  if (bytes.size < END_OF_DIRECTORY_LENGTH) throw new ZipFormatError('the file is too short to be a zip (.xlsx) file');
  const tailStart = Math.max(0, bytes.size - END_OF_DIRECTORY_LENGTH - MAX_COMMENT_LENGTH);
  const tail = await readRange(bytes, tailStart, bytes.size);
  const end = findEndOfDirectory(tail);
  if (end < 0)
    throw new ZipFormatError(
      'the file is damaged or cut short: it has no zip directory at its end (was the upload or download interrupted?)',
    );
  const entries = tail.readUInt16LE(end + 10);
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new ZipFormatError(
      'the file is a zip64 archive (over 4 GB or 65,535 entries), more than a workbook of customers',
    );
  }
  if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > bytes.size) {
    throw new ZipFormatError('the zip directory of the file is damaged');
  }
  const directory = await readRange(bytes, directoryOffset, directoryOffset + directorySize);
  const found = new Map<string, ZipEntry>();
  let at = 0;
  for (let index = 0; index < entries; index += 1) {
    if (at + DIRECTORY_ENTRY_LENGTH > directory.length || directory.readUInt32LE(at) !== DIRECTORY_ENTRY) {
      throw new ZipFormatError('the zip directory of the file is damaged');
    }
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const nameBytes = directory.subarray(at + DIRECTORY_ENTRY_LENGTH, at + DIRECTORY_ENTRY_LENGTH + nameLength);
    const name = nameBytes.toString(flags & FLAG_UTF8_NAME ? 'utf8' : 'latin1');
    found.set(name, {
      name,
      flags,
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    });
    at += DIRECTORY_ENTRY_LENGTH + nameLength + extraLength + commentLength;
  }
  return found;
}

/** The last end-of-directory record whose comment runs exactly to the end of the file. */
function findEndOfDirectory(tail: Buffer): number {
  for (let at = tail.length - END_OF_DIRECTORY_LENGTH; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) !== END_OF_DIRECTORY) continue;
    if (at + END_OF_DIRECTORY_LENGTH + tail.readUInt16LE(at + 20) === tail.length) return at;
  }
  return -1;
}

function checkReadable(entry: ZipEntry): void {
  if (entry.flags & FLAG_ENCRYPTED) {
    throw new ZipFormatError('the workbook is protected by a password: save it without one and upload it again');
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipFormatError(
      `${entry.name} is compressed with method ${entry.method}; only stored and deflated are read`,
    );
  }
}

/** Where the entry's data starts: after its local header, whose name and extra field may differ from the directory's. */
async function dataStart(bytes: RandomAccessBytes, entry: ZipEntry): Promise<number> {
  const header = await readRange(bytes, entry.localHeaderOffset, entry.localHeaderOffset + LOCAL_HEADER_LENGTH);
  if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new ZipFormatError(`the zip entry ${entry.name} is damaged`);
  const start = entry.localHeaderOffset + LOCAL_HEADER_LENGTH + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > bytes.size) throw new ZipFormatError(`the zip entry ${entry.name} is damaged`);
  return start;
}

/** A small entry, inflated whole (a workbook's list of sheets, its relationships). */
export async function readEntry(bytes: RandomAccessBytes, entry: ZipEntry, maxBytes: number): Promise<Buffer> {
  checkReadable(entry);
  if (entry.uncompressedSize > maxBytes) throw new ZipFormatError(`${entry.name} is larger than a workbook has it`);
  const start = await dataStart(bytes, entry);
  const data = await readRange(bytes, start, start + entry.compressedSize);
  return entry.method === 0 ? data : inflateRawSync(data, { maxOutputLength: maxBytes });
}

/** An entry to stream: one of the file's, under its own name or another one, or bytes made up here. */
export type OutputEntry = { entry: ZipEntry; as?: string } | { name: string; content: Buffer };

/**
 * The chosen entries as a zip stream of their own, in the given order, each one inflated
 * here and written as a stored entry: its local header anew with the sizes and CRC from
 * the directory (so a streaming reader never hunts for where an entry ends), then its text
 * in chunks that end on whole UTF-8 characters. exceljs decodes every chunk of an entry on
 * its own: a character split between two chunks (at any chunk boundary of an inflater)
 * would come out as two replacement characters (曹��英). An empty central directory ends
 * the stream.
 */
export async function* streamEntries(
  bytes: RandomAccessBytes,
  entries: readonly OutputEntry[],
): AsyncGenerator<Buffer> {
  for (const output of entries) {
    if ('content' in output) {
      yield localHeader(output.name, { crc32: crc32(output.content), size: output.content.length });
      yield output.content;
      continue;
    }
    const { entry } = output;
    checkReadable(entry);
    const start = await dataStart(bytes, entry);
    yield localHeader(output.as ?? entry.name, { crc32: entry.crc32, size: entry.uncompressedSize });
    if (entry.compressedSize === 0 && entry.uncompressedSize === 0) continue;
    let written = 0;
    for await (const chunk of wholeCharacters(inflated(bytes.read(start, start + entry.compressedSize), entry))) {
      written += chunk.length;
      if (written > entry.uncompressedSize) break;
      yield chunk;
    }
    if (written !== entry.uncompressedSize) {
      throw new ZipFormatError(
        `the zip entry ${entry.name} is damaged (${written} bytes where the directory says ${entry.uncompressedSize})`,
      );
    }
  }
  // An empty directory's end record: the reader ends at it instead of running out of input mid-record.
  const end = Buffer.alloc(END_OF_DIRECTORY_LENGTH);
  end.writeUInt32LE(END_OF_DIRECTORY, 0);
  yield end;
}

/** The entry's bytes as stored in the file, inflated when deflated. */
async function* inflated(source: AsyncIterable<Uint8Array>, entry: ZipEntry): AsyncGenerator<Buffer> {
  if (entry.method === 0) {
    for await (const chunk of source) yield Buffer.from(chunk);
    return;
  }
  const inflater = createInflateRaw();
  const feeding = pipeline(Readable.from(source, { objectMode: false }), inflater).catch((error: unknown) => {
    inflater.destroy(error as Error);
  });
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      throw new ZipFormatError(`the zip entry ${entry.name} is damaged (${(error as Error).message})`);
    }
    throw error;
  } finally {
    inflater.destroy();
    await feeding;
  }
}

/** Chunks cut after their last whole UTF-8 character; the rest goes ahead of the next chunk. */
async function* wholeCharacters(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    const data = carry ? Buffer.concat([carry, chunk]) : chunk;
    const cut = lastBoundary(data);
    if (cut > 0) yield data.subarray(0, cut);
    carry = cut < data.length ? data.subarray(cut) : undefined;
  }
  if (carry) yield carry;
}

/** Where the last UTF-8 character that is complete in `data` ends. */
export function lastBoundary(data: Buffer): number {
  // A character is at most 4 bytes: look back past continuation bytes (10xxxxxx) to its lead.
  for (let at = data.length - 1; at >= 0 && at >= data.length - 4; at -= 1) {
    const byte = data[at] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return at + length <= data.length ? data.length : at;
  }
  return data.length;
}

function localHeader(name: string, fields: { crc32: number; size: number }): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(LOCAL_HEADER_LENGTH);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(FLAG_UTF8_NAME, 6);
  // Stored: sizes are the entry's own length.
  header.writeUInt16LE(0, 8);
  header.writeUInt32LE(fields.crc32 >>> 0, 14);
  header.writeUInt32LE(fields.size, 18);
  header.writeUInt32LE(fields.size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes]);
}
