/**
 * Object storage in a local folder, a key a file: what the local sharded-plan runner and its
 * child processes share instead of S3. Writes land whole (a temporary file renamed), so a
 * reader never sees half an object, as on S3.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  exactlySized,
  type LineWriter,
  ObjectChangedError,
  type ObjectStorage,
  type StoredObject,
} from '../../ports/object-storage.ts';

const READ_CHUNK_BYTES = 1024 * 1024;
let temporaryNumber = 0;

export class DirectoryStorage implements ObjectStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file of a key; a key cannot leave the folder. */
  pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (path !== this.root && !path.startsWith(`${this.root}${sep}`))
      throw new Error(`${key} is outside the storage folder`);
    return path;
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      if (!info.isFile()) return undefined;
      // Size, modification time and inode: a file replaced (written anew and renamed over it)
      // is another content, as a new ETag says on S3, even within the same millisecond; and
      // files of two folders never share one, so a process may keep what it read by ETag.
      const etag = [info.size, Math.round(info.mtimeMs), info.ino].map((part) => part.toString(16)).join('-');
      return { key, etag, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  read(key: string): AsyncIterable<Uint8Array> {
    return createReadStream(this.pathOf(key), { highWaterMark: READ_CHUNK_BYTES });
  }

  readRange(key: string, etag: string, start: number, end: number): AsyncIterable<Uint8Array> {
    const storage = this;
    return (async function* () {
      const current = await storage.head(key);
      if (!current || current.etag !== etag) throw new ObjectChangedError(key, etag);
      if (end <= start) return;
      yield* createReadStream(storage.pathOf(key), { start, end: end - 1, highWaterMark: READ_CHUNK_BYTES });
    })();
  }

  openLineWriter(key: string, _contentType: string): LineWriter {
    const path = this.pathOf(key);
    const temporary = `${path}.${process.pid}.${temporaryNumber++}.part`;
    let stream: ReturnType<typeof createWriteStream> | undefined;
    const open = async () => {
      if (!stream) {
        await mkdir(dirname(path), { recursive: true });
        stream = createWriteStream(temporary);
      }
      return stream;
    };
    return {
      write: async (line: string) => {
        const out = await open();
        if (!out.write(`${line}\n`)) await once(out, 'drain');
      },
      close: async () => {
        const out = await open();
        out.end();
        await finished(out);
        await rename(temporary, path);
      },
      abort: async () => {
        stream?.destroy();
        await rm(temporary, { force: true });
      },
    };
  }

  async put(key: string, body: string | Uint8Array, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${temporaryNumber++}.part`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async putBlocks(key: string, blocks: Iterable<Uint8Array>, size: number, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${temporaryNumber++}.part`;
    try {
      await writeBlocks(temporary, 'w', 0, exactlySized(key, blocks, size));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await rename(temporary, path);
  }
}

/** Each block at its place in the file from `offset` on, written whole before the next block is made. */
export async function writeBlocks(
  path: string,
  flags: 'w' | 'r+',
  offset: number,
  blocks: Iterable<Uint8Array>,
): Promise<void> {
  const file = await open(path, flags);
  try {
    let at = offset;
    for (const block of blocks) {
      let written = 0;
      while (written < block.length) {
        const { bytesWritten } = await file.write(block, written, block.length - written, at + written);
        written += bytesWritten;
      }
      at += block.length;
    }
  } finally {
    await file.close();
  }
}
