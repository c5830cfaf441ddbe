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
import { writeSampleCsv } from '../../functions/sample/generate-customers.ts';
import { planOffline } from '../../functions/usecases/plan-offline.ts';
import {
  planShardKeys,
  readAll,
  runFirstPass,
  runReduce,
  runSecondPass,
} from '../../functions/usecases/plan-shards.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const CAMPAIGN = 'functions/sample/d11-2026.campaign.json';
const WORK = 'private/plan-shards/d11/v1/';

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
    [8, 5],
  ] as const) {
    it(`in ${shards} shards and ${parts} touch parts write the single-process files`, async () => {
      // Prepare
      const storage = new DirectoryStorage(dir);
      const keys = planShardKeys(`${WORK}${shards}/`);
      const workPrefix = `${WORK}${shards}/`;
      const campaign = JSON.parse(await readFile(CAMPAIGN, 'utf8'));
      await storage.put(keys.input, JSON.stringify({ campaign, now: NOW }), 'application/json');
      const head = await storage.head('segments/customers.csv');
      if (!head) throw new Error('the sample file is missing');
      const base = { campaignId: 'd11', version: 1, workPrefix };

      // Act
      const first = await Promise.all(
        Array.from({ length: shards }, (_, index) =>
          runFirstPass(
            { storage },
            {
              ...base,
              shard: { index, count: shards },
              source: { kind: 'csv', key: 'segments/customers.csv', etag: head.etag },
            },
          ),
        ),
      );
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
