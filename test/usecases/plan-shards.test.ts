/**
 * The sharded plan's passes over a real segment CSV split by byte ranges, through a folder
 * as the object store: the reduce's timeline.json and the second passes' touch parts,
 * concatenated, are byte for byte what the single-process `campaign plan` writes; every
 * rejected row is in exactly one shard.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../functions/adapters/local/directory-storage.ts';
import { localSegmentFile } from '../../functions/adapters/local/file-bytes.ts';
import { writePlanFiles } from '../../functions/cli/plan-files.ts';
import type { ObjectStorage } from '../../functions/ports/object-storage.ts';
import { writeSampleCsv } from '../../functions/sample/generate-customers.ts';
import { planOffline } from '../../functions/usecases/plan-offline.ts';
import {
  planShardKeys,
  readAll,
  readShardIds,
  runFirstPass,
  runReduce,
  runSecondPass,
  shardsMayShareIds,
} from '../../functions/usecases/plan-shards.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const CAMPAIGN = 'functions/sample/d11-2026.campaign.json';
const WORK = 'private/plan-shards/d11/v1/';

/** Puts the sample's campaign as a sharded plan's input under `workPrefix`; returns the first pass of shard `index` of `count` over the sample file. */
async function shardedInput(storage: ObjectStorage, workPrefix: string) {
  const campaign = JSON.parse(await readFile(CAMPAIGN, 'utf8'));
  await storage.put(planShardKeys(workPrefix).input, JSON.stringify({ campaign, now: NOW }), 'application/json');
  const head = await storage.head('segments/customers.csv');
  if (!head) throw new Error('the sample file is missing');
  return (index: number, count: number) =>
    runFirstPass(
      { storage },
      {
        campaignId: 'd11',
        version: 1,
        workPrefix,
        shard: { index, count },
        source: { kind: 'csv', key: 'segments/customers.csv', etag: head.etag },
      },
    );
}

let dir: string;
let single: { timeline: string; touches: string; rejected: number };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-shards-'));
  await mkdir(join(dir, 'segments'));
  await writeSampleCsv(join(dir, 'segments', 'customers.csv'), { customers: 3000, now: new Date(NOW), badRows: 7 });
  const campaign = JSON.parse(await readFile(CAMPAIGN, 'utf8'));
  let rejected = 0;
  const result = await planOffline({
    campaign,
    now: NOW,
    sources: [await localSegmentFile(join(dir, 'segments', 'customers.csv'))],
    onRejected: () => {
      rejected += 1;
    },
  });
  await writePlanFiles(join(dir, 'single'), result.plan, result.customers);
  single = {
    timeline: await readFile(join(dir, 'single', 'timeline.json'), 'utf8'),
    touches: await readFile(join(dir, 'single', 'touches.jsonl'), 'utf8'),
    rejected,
  };
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the sharded plan passes', () => {
  for (const [shards, parts] of [
    [3, 2],
    [3, 3],
    [8, 5],
  ] as const) {
    it(`in ${shards} shards and ${parts} touch parts write the single-process files`, async () => {
      // Prepare
      const storage = new DirectoryStorage(dir);
      const keys = planShardKeys(`${WORK}${shards}/`);
      const workPrefix = `${WORK}${shards}/`;
      const firstPass = await shardedInput(storage, workPrefix);
      const base = { campaignId: 'd11', version: 1, workPrefix };

      // Act
      const first = await Promise.all(Array.from({ length: shards }, (_, index) => firstPass(index, shards)));
      const reduced = await runReduce({ storage }, { ...base, shardCount: shards });
      const second = await Promise.all(
        Array.from({ length: parts }, (_, index) =>
          runSecondPass({ storage }, { ...base, shard: { index, count: parts } }),
        ),
      );

      // Assess
      const decode = async (key: string) => new TextDecoder().decode(await readAll(storage, key));
      expect(await decode(keys.timeline), 'timeline.json').toBe(single.timeline);
      let touches = '';
      for (const result of second) touches += await decode(result.keys.touches);
      expect(touches === single.touches, 'touches.jsonl is byte for byte the single-process file').toBe(true);
      expect(reduced.counts.touches).toBe(single.touches.split('\n').length - 1);
      // The reduce measured the parts of as many second passes as shards, from the kept line starts.
      const { partSizes } = JSON.parse(await decode(keys.plan)) as { partSizes: number[] };
      expect(
        partSizes.reduce((sum, size) => sum + size, 0),
        'the parts add up to the file',
      ).toBe(Buffer.byteLength(single.touches));
      if (parts === shards) {
        const written = await Promise.all(
          second.map(async (result) => (await readAll(storage, result.keys.touches)).length),
        );
        expect(written, 'each part as long as the reduce measured it').toEqual(partSizes);
      }
      expect(
        first.reduce((sum, result) => sum + result.counts.rejected, 0),
        'rejected rows',
      ).toBe(single.rejected);
      expect(
        first.every((result) => result.counts.customers > 0),
        'every shard got customers',
      ).toBe(true);
    }, 120_000);
  }
});

describe("the shards' ids", () => {
  it('are read once for the passes of one process, and again once a first pass wrote them anew', async () => {
    // Prepare: two shards' first passes, through a store that counts reads of ids files.
    const folder = new DirectoryStorage(dir);
    let idReads = 0;
    const storage: ObjectStorage = {
      ...folder,
      head: (key) => folder.head(key),
      read: (key) => {
        if (key.includes('.ids')) idReads += 1;
        return folder.read(key);
      },
      readRange: (key, etag, start, end) => folder.readRange(key, etag, start, end),
      openLineWriter: (key, type) => folder.openLineWriter(key, type),
      put: (key, body, type) => folder.put(key, body, type),
      putBlocks: (key, blocks, size, type) => folder.putBlocks(key, blocks, size, type),
    };
    const workPrefix = `${WORK}ids/`;
    const shardOfTwo = await shardedInput(storage, workPrefix);
    const firstPass = (index: number) => shardOfTwo(index, 2);
    await firstPass(0);
    await firstPass(1);

    // Act
    const once = await readShardIds(storage, workPrefix, 2);
    const readsOnce = idReads;
    const again = await readShardIds(storage, workPrefix, 2);
    const readsAgain = idReads;
    await firstPass(1);
    const afterRewrite = await readShardIds(storage, workPrefix, 2);

    // Assess
    expect(readsOnce, 'each shard: its ids and their line starts').toBe(4);
    expect(again, 'the same column, not read again').toBe(once);
    expect(readsAgain).toBe(readsOnce);
    expect(afterRewrite, 'files written anew are read anew').not.toBe(once);
    expect(idReads).toBe(readsOnce + 4);
    expect(Buffer.from(afterRewrite.bytes).equals(Buffer.from(once.bytes)), 'the same customers').toBe(true);
    expect([...afterRewrite.starts]).toEqual([...once.starts]);
  }, 120_000);

  it('tell from their kept hashes alone that no customer is in two shards, or that one may be', async () => {
    // Prepare: two shards of one file, so no customer in both.
    const storage = new DirectoryStorage(dir);
    const workPrefix = `${WORK}hashes/`;
    const keys = planShardKeys(workPrefix);
    const firstPass = await shardedInput(storage, workPrefix);
    for (const index of [0, 1]) await firstPass(index, 2);

    // Act
    const apart = await shardsMayShareIds(storage, workPrefix, 2);
    const first = new Float64Array((await readAll(storage, keys.idHashes(0))).slice().buffer);
    const second = new Float64Array((await readAll(storage, keys.idHashes(1))).slice().buffer);
    const shared = Float64Array.from([...second, first[first.length >> 1] as number]).sort();
    await storage.put(keys.idHashes(1), new Uint8Array(shared.buffer), 'application/octet-stream');
    const together = await shardsMayShareIds(storage, workPrefix, 2);
    const none = await shardsMayShareIds(storage, workPrefix, 3);

    // Assess
    expect(first.length + second.length, 'a hash per customer planned').toBe(
      (await readShardIds(storage, workPrefix, 2)).size,
    );
    expect(apart, 'all hashes differ: no customer in both').toBe(false);
    expect(together, "one of shard 0's hashes in shard 1 too: the ids must be compared").toBe(true);
    expect(none, 'a shard without kept hashes: not known').toBeUndefined();
  }, 120_000);
});
