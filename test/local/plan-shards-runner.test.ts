/**
 * The local sharded-plan runner's pool: more shards than processes still plans every shard
 * once, in shard order, and writes the same parts as one process per shard.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShardedPlan } from '../../functions/local/plan-shards-runner.ts';
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
});
