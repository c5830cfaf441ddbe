/**
 * An object written from blocks (a sharded plan's part of touches.jsonl): the same bytes in
 * every store (the embedded S3, a folder, a part placed in one file), and blocks that add up
 * to any other size than promised leave nothing behind.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../functions/adapters/local/directory-storage.ts';
import { PlacedPartsStorage } from '../../functions/adapters/local/placed-parts-storage.ts';
import { S3ObjectStorage } from '../../functions/adapters/s3-object-storage.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { systemClock } from '../../functions/ports/clock.ts';
import type { ObjectStorage } from '../../functions/ports/object-storage.ts';
import { readAll } from '../../functions/usecases/plan-shards.ts';

const encoder = new TextEncoder();
/** Three blocks, one of them empty, as the last block of a range can be. */
const BLOCKS = ['{"customerId":"C1"}\n', '', '{"customerId":"张三"}\n{"customerId":"C3"}\n'].map((text) =>
  encoder.encode(text),
);
const WHOLE = Buffer.concat(BLOCKS);

let stack: LocalStack;
let folder: string;
const stores: Record<'s3' | 'folder', () => ObjectStorage> = {
  s3: () => new S3ObjectStorage(clientsFor(stack.config).s3, stack.config.dataBucket),
  folder: () => new DirectoryStorage(folder),
};

beforeAll(async () => {
  stack = await startEphemeralStack({ dataBucket: 'put-blocks', clock: systemClock });
  folder = await mkdtemp(join(tmpdir(), 'put-blocks-'));
});

afterAll(async () => {
  await stack.stop();
  await rm(folder, { recursive: true, force: true });
});

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('putBlocks into %s', (name) => {
  it('stores the blocks end to end, made one at a time as they are written', async () => {
    // Prepare
    const storage = stores[name]();
    const made: number[] = [];
    function* blocks() {
      for (const [index, block] of BLOCKS.entries()) {
        made.push(index);
        yield block;
      }
    }

    // Act
    await storage.putBlocks('work/touches/00000.jsonl', blocks(), WHOLE.length, 'application/x-ndjson');

    // Assess
    expect(Buffer.from(await readAll(storage, 'work/touches/00000.jsonl')).toString()).toBe(WHOLE.toString());
    expect(made, 'every block asked for once').toEqual([0, 1, 2]);
  });

  it('stores an object of more blocks than one upload part holds', async () => {
    // Prepare: 12 MiB in blocks of 4 MiB, past the 5 MiB parts of a multipart upload.
    const storage = stores[name]();
    const blocks = [0x61, 0x62, 0x63].map((byte) => new Uint8Array(4 * 1024 * 1024).fill(byte));

    // Act
    await storage.putBlocks('work/touches/big.jsonl', blocks, 12 * 1024 * 1024, 'application/x-ndjson');

    // Assess
    const stored = await readAll(storage, 'work/touches/big.jsonl');
    expect(stored.length).toBe(12 * 1024 * 1024);
    expect(Buffer.from(stored).equals(Buffer.concat(blocks)), 'the same bytes in the same order').toBe(true);
  });

  it.each([
    ['short of', WHOLE.length + 1],
    ['past', WHOLE.length - 1],
  ])('refuses blocks %s the promised size and stores nothing', async (_, size) => {
    // Prepare
    const storage = stores[name]();
    const key = `work/touches/short-${size}.jsonl`;

    // Act
    const put = storage.putBlocks(key, BLOCKS, size, 'application/x-ndjson');

    // Assess
    await expect(put).rejects.toThrow(/bytes promised|not the \d+ promised/);
    expect(await storage.head(key), 'no object of the wrong size').toBeUndefined();
  });
});

describe('putBlocks into a placed part', () => {
  it('writes the blocks at the part’s offset in the file, and refuses a size other than placed', async () => {
    // Prepare
    const path = join(folder, 'touches.jsonl.partial');
    await writeFile(path, Buffer.alloc(4 + WHOLE.length, '.'));
    const storage = new PlacedPartsStorage(new DirectoryStorage(folder), {
      path,
      parts: { 'work/touches/00001.jsonl': { offset: 4, length: WHOLE.length } },
    });

    // Act
    await storage.putBlocks('work/touches/00001.jsonl', BLOCKS, WHOLE.length, 'application/x-ndjson');
    const wrongSize = await storage
      .putBlocks('work/touches/00001.jsonl', BLOCKS, WHOLE.length + 1, 'application/x-ndjson')
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    expect((await readFile(path)).toString()).toBe(`....${WHOLE.toString()}`);
    expect(String(wrongSize)).toMatch(/were placed for it/);
  });
});
