/**
 * An object store whose puts of some keys land at a known place in one file instead: the
 * local sharded plan's second passes write their parts of touches.jsonl straight into the
 * file, each at its offset, as S3 would assemble a multipart upload from parts copied in
 * place, so no one process copies 1 GB of parts into one file afterwards. A part must be
 * exactly the length it was placed for; any other key goes to the store underneath.
 */
import { open } from 'node:fs/promises';
import type { LineWriter, ObjectStorage, StoredObject } from '../../ports/object-storage.ts';

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
    const place = this.placement.parts[key];
    if (!place) return this.inner.put(key, body, contentType);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (bytes.length !== place.length)
      throw new Error(`${key} is ${bytes.length} bytes, but ${place.length} were placed for it in the file`);
    const file = await open(this.placement.path, 'r+');
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await file.write(bytes, written, bytes.length - written, place.offset + written);
        written += bytesWritten;
      }
    } finally {
      await file.close();
    }
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
