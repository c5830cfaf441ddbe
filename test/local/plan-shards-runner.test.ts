/**
 * The local sharded-plan runner's pool: more shards than processes still plans every shard
 * once, in shard order, and writes the same parts as one process per shard.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../functions/adapters/local/directory-storage.ts';
import { PlacedPartsStorage } from '../../functions/adapters/local/placed-parts-storage.ts';
import { IdColumn } from '../../functions/domain/planner/shards/touch-lines.ts';
import { repeatedAcrossShards, runShardedPlan } from '../../functions/local/plan-shards-runner.ts';
import { writeSampleCsv } from '../../functions/sample/generate-customers.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
let work: string;
let csvPath: string;
let campaign: unknown;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'plan-shards-runner-'));
  csvPath = join(work, 'customers.csv');
  await writeSampleCsv(csvPath, { customers: 1500, now: new Date(NOW) });
  campaign = JSON.parse(await readFile('functions/sample/d11-2026.campaign.json', 'utf8'));
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function partsDigest(run: Awaited<ReturnType<typeof runShardedPlan>>): Promise<string> {
  const hash = createHash('sha256');
  for (const part of run.second) hash.update(await readFile(run.storage.pathOf(part.keys.touches)));
  return hash.digest('hex');
}

describe('the local sharded-plan runner', () => {
  it('runs 5 shards on a pool of 2 processes, each shard once and in order, with the parts of 5 processes', async () => {
    // Prepare
    const plan = (processes: number, folder: string) =>
      runShardedPlan({ csvPath, campaign, now: NOW, shards: 5, processes, workDir: join(work, folder) });

    // Act
    const pooled = await plan(2, 'pooled');
    const own = await plan(5, 'own');

    // Assess
    const workers = pooled.usage.filter((process) => process.name !== 'reduce');
    expect(
      workers.map((process) => process.name),
      'two shard processes and the reduce',
    ).toEqual(['process 0', 'process 1']);
    expect(
      workers.flatMap((process) => process.shards).sort(),
      'every shard ran on one of them (a pass at a time, so a shard may be on both)',
    ).toEqual(expect.arrayContaining([0, 1, 2, 3, 4]));
    expect(
      workers.every((process) => process.passMs.length >= 2),
      'each process took passes of more than one shard',
    ).toBe(true);
    expect(pooled.first.map((result) => result.shard.index)).toEqual([0, 1, 2, 3, 4]);
    expect(pooled.second.map((result) => result.shard.index)).toEqual([0, 1, 2, 3, 4]);
    expect(pooled.second.reduce((sum, result) => sum + result.counts.touches, 0)).toBe(pooled.reduced.touches);
    expect(await partsDigest(pooled), 'the same touch parts as one process a shard').toBe(await partsDigest(own));
    expect(own.usage.filter((process) => process.name !== 'reduce')).toHaveLength(5);
  }, 120_000);

  it('writes the parts straight into touches.jsonl at their offsets when given its path, and no part objects', async () => {
    // Prepare
    const touchesPath = join(work, 'placed-touches.jsonl');
    const plan = (folder: string, more: { touchesPath?: string } = {}) =>
      runShardedPlan({ csvPath, campaign, now: NOW, shards: 3, processes: 2, workDir: join(work, folder), ...more });

    // Act
    const parts = await plan('as-parts');
    const placed = await plan('placed', { touchesPath });

    // Assess
    const hash = createHash('sha256')
      .update(await readFile(touchesPath))
      .digest('hex');
    expect(hash, 'the file is the parts, in shard order').toBe(await partsDigest(parts));
    expect(placed.touchesPath).toBe(touchesPath);
    expect(existsSync(`${touchesPath}.partial`), 'the partial file became the file').toBe(false);
    expect(
      placed.second.map((part) => existsSync(placed.storage.pathOf(part.keys.touches))),
      'no part was written as an object',
    ).toEqual([false, false, false]);
  }, 120_000);

  it('refuses a part of another length than placed, and stores other keys as before', async () => {
    // Prepare
    const file = join(work, 'placed.bin');
    await writeFile(file, Buffer.alloc(10, '.'));
    const folder = new DirectoryStorage(join(work, 'placed-store'));
    const storage = new PlacedPartsStorage(folder, {
      path: file,
      parts: { 'touches/00001.jsonl': { offset: 4, length: 3 } },
    });

    // Act
    await storage.put('touches/00001.jsonl', 'abc', 'application/x-ndjson');
    const wrong = await storage.put('touches/00001.jsonl', 'abcd', 'application/x-ndjson').then(
      () => 'written',
      (error: Error) => error.message,
    );
    await storage.put('other.json', '{}', 'application/json');

    // Assess
    expect(wrong).toBe('touches/00001.jsonl is 4 bytes, but 3 were placed for it in the file');
    expect(await readFile(file, 'utf8'), 'written at its offset, the rest untouched').toBe('....abc...');
    expect(await readFile(folder.pathOf('other.json'), 'utf8')).toBe('{}');
  });

  it('counts the ids in more than one shard exactly, whatever their hashes share', () => {
    // Prepare: ids as the shards' files join them, one shard's lines after the other's.
    const column = (...shards: string[][]) =>
      new IdColumn(
        ...shards.map((ids) => new TextEncoder().encode(ids.map((id) => `${JSON.stringify(id)}\n`).join(''))),
      );
    const shard = (from: number) => Array.from({ length: 3000 }, (_, n) => `C${from + n}`);

    // Act
    const apart = repeatedAcrossShards(column(shard(0), shard(3000)));
    const twice = repeatedAcrossShards(column(shard(0), [...shard(3000), 'C17', 'C2999'], ['C17']));

    // Assess
    expect(apart, 'different customers').toBe(0);
    expect(twice, 'C17 in three shards counts twice, C2999 once').toBe(3);
  });
});
