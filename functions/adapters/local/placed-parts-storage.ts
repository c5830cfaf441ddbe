/**
 * An object store whose puts of some keys land at a known place in one file instead: the
 * local sharded plan's second passes write their parts of touches.jsonl straight into the
 * file, each at its offset, as S3 would assemble a multipart upload from parts copied in
 * place, so no one process copies 1 GB of parts into one file afterwards. A part must be
 * exactly the length it was placed for; any other key goes to the store underneath.
 */
import { exactlySized, type LineWriter, type ObjectStorage, type StoredObject } from '../../ports/object-storage.ts';
import { writeBlocks } from './directory-storage.ts';

export interface PartPlacement {
  /** The file the parts are written into (it exists, at least offset + length long). */
  path: string;
  /** By key: where its bytes start in the file, and how many there must be. */
  parts: Record<string, { offset: number; length: number }>;
}

export class PlacedPartsStorage implements ObjectStorage {
  constructor(
    private readonly inner: ObjectStorage,
    private readonly placement: PartPlacement,
  ) {}

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    if (!this.placement.parts[key]) return this.inner.put(key, body, contentType);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    await this.putBlocks(key, [bytes], bytes.length, contentType);
  }

  async putBlocks(key: string, blocks: Iterable<Uint8Array>, size: number, contentType: string): Promise<void> {
    const place = this.placement.parts[key];
    if (!place) return this.inner.putBlocks(key, blocks, size, contentType);
    if (size !== place.length)
      throw new Error(`${key} is ${size} bytes, but ${place.length} were placed for it in the file`);
    // Blocks past or short of the size fail the part; the file stays `.partial`, never renamed into place.
    await writeBlocks(this.placement.path, 'r+', place.offset, exactlySized(key, blocks, size));
  }

  head(key: string): Promise<StoredObject | undefined> {
    return this.inner.head(key);
  }

  read(key: string): AsyncIterable<Uint8Array> {
    return this.inner.read(key);
  }

  readRange(key: string, etag: string, start: number, end: number): AsyncIterable<Uint8Array> {
    return this.inner.readRange(key, etag, start, end);
  }

  openLineWriter(key: string, contentType: string): LineWriter {
    return this.inner.openLineWriter(key, contentType);
  }
}
