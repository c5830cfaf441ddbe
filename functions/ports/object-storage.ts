/** Object storage (S3 on AWS, s3rver locally): segment files in, reports out. */

export interface StoredObject {
  key: string;
  /** Content identity: the same bytes uploaded again have the same ETag. */
  etag: string;
  size: number;
  /** For a workbook: the sheet the uploader chose (metadata `sheet`), when one was chosen. */
  sheet?: string;
  /** Who uploaded it from the console (metadata `uploaded-by`, signed into the presigned PUT). */
  uploadedBy?: string;
}

/** The object is no longer the content that was asked for: it was replaced while being read. */
export class ObjectChangedError extends Error {
  constructor(
    readonly key: string,
    readonly etag: string,
  ) {
    super(`${key} changed while it was read (it is no longer the content ${etag})`);
    this.name = 'ObjectChangedError';
  }
}

/** Lines streamed into one object; nothing is visible until `close()`, and `abort()` leaves nothing. */
export interface LineWriter {
  write(line: string): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export interface ObjectStorage {
  /** The object's identity, or undefined when there is no such key. */
  head(key: string): Promise<StoredObject | undefined>;
  /** The object's bytes as a stream (never loaded whole). */
  read(key: string): AsyncIterable<Uint8Array>;
  /**
   * The bytes from `start` up to (not including) `end`, streamed, of the content `etag`:
   * a workbook is read from its zip directory at the end, one range at a time, so every
   * range must come from the same content (ObjectChangedError otherwise).
   */
  readRange(key: string, etag: string, start: number, end: number): AsyncIterable<Uint8Array>;
  openLineWriter(key: string, contentType: string): LineWriter;
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /**
   * One object of exactly `size` bytes from blocks made one at a time, each written before
   * the next is asked for: an object of hundreds of megabytes (a sharded plan's part of
   * touches.jsonl) is never one buffer, and the blocks' memory is used again. Fails, and
   * leaves nothing, when the blocks add up to any other size.
   */
  putBlocks(key: string, blocks: Iterable<Uint8Array>, size: number, contentType: string): Promise<void>;
}

/** `blocks` as they come, failing once they are past or short of `size` bytes in all. */
export function* exactlySized(key: string, blocks: Iterable<Uint8Array>, size: number): Generator<Uint8Array> {
  let total = 0;
  for (const block of blocks) {
    total += block.length;
    if (total > size) break;
    yield block;
  }
  if (total > size) throw new Error(`${key}: the blocks are longer than the ${size} bytes promised`);
  if (total < size) throw new Error(`${key}: the blocks are ${total} bytes, not the ${size} promised`);
}

/** The keys under a prefix, in key order (the map import's finish step reads its batches' parts so). */
export interface ObjectListing {
  listKeys(prefix: string): AsyncIterable<string>;
}
