/**
 * The sharded plan's finish on the embedded stack (dynalite, s3rver, real SDK clients): the
 * customers imported into the table, planned once in one process (version 1) and once in
 * shards over the table's Scan segments (first passes, reduce, second passes, finish: the
 * plan-shards handler's own functions), store the same draft: the same timeline, cost and
 * touches in the touches table. A repeated finish stores nothing twice.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTouchStore } from '../../functions/adapters/dynamo/campaign-store.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { S3ObjectStorage } from '../../functions/adapters/s3-object-storage.ts';
import { clientsFor, planDependencies, planShardDependencies } from '../../functions/composition.ts';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { planShardPasses } from '../../functions/handlers/plan-shards.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { writeSampleCsv } from '../../functions/sample/generate-customers.ts';
import { controlSendId, shardsFor } from '../../functions/usecases/plan-campaign.ts';
import { planDraft } from '../../functions/usecases/plan-draft.ts';
import { planShardKeys, readAll, readReducedPlan } from '../../functions/usecases/plan-shards.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const ID = 'sharded';
const SHARDS = 3;
const TOTAL_SEGMENTS = 6;

let stack: LocalStack;
let campaign: Record<string, unknown>;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'finish-sharded-'));
  await writeSampleCsv(join(dir, 'customers.csv'), { customers: 400, now: new Date(NOW), badRows: 0 });
  const csv = await readFile(join(dir, 'customers.csv'), 'utf8');
  await rm(dir, { recursive: true, force: true });
  stack = await startEphemeralStack({ dataBucket: 'finish-sharded', clock: new VirtualClock(NOW), log: () => {} });
  await uploadSegmentAndWait(stack.config, `segments/${ID}/customers.csv`, csv);
  campaign = { ...JSON.parse(await readFile('functions/sample/d11-2026.campaign.json', 'utf8')), id: ID };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** Every touch a version stored, each send's and control group's shards read back, without the version. */
async function storedTouches(version: number, timeline: Timeline): Promise<unknown[]> {
  const touches = new DynamoTouchStore(
    clientsFor(stack.config).dynamodb,
    clientsFor(stack.config).documents,
    stack.config.tables.touches,
  );
  const sendShards = timeline.sends.map((send) => ({ sendId: send.id, shards: shardsFor(send.customers) }));
  const waves = [...new Set(timeline.sends.map((send) => send.waveId))];
  const all: unknown[] = [];
  for (const { sendId, shards } of [
    ...sendShards,
    ...waves.map((wave) => ({ sendId: controlSendId(wave), shards: 1 })),
  ])
    for (let shard = 0; shard < shards; shard += 1)
      for (const touch of await touches.readShard({ campaignId: ID, version, sendId, shard }))
        all.push({ ...touch, shard });
  return all.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** A sharded plan started as a starter does it: `version` claimed, input.json written. */
async function startedPlan(version: number, planned: unknown) {
  const { lifecycle } = planDependencies(stack.config);
  expect(await lifecycle.reserveVersion(ID, version, new Date(NOW).toISOString())).toBe(true);
  const workPrefix = `private/plan-shards/${ID}/v${version}/`;
  const storage = new S3ObjectStorage(clientsFor(stack.config).s3, stack.config.dataBucket);
  await storage.put(
    planShardKeys(workPrefix).input,
    JSON.stringify({ campaign: planned, now: NOW, actor: 'tester' }),
    'application/json',
  );
  return {
    storage,
    passes: planShardPasses(() => planShardDependencies(stack.config)),
    common: { campaignId: ID, version, workPrefix },
    source: { kind: 'table' as const, totalSegments: TOTAL_SEGMENTS },
  };
}

describe('the sharded plan finish', () => {
  it('stores the same draft version as the single-process plan, once however often it runs', async () => {
    // Prepare: the single-process draft (version 1), and the sharded plan started as a starter
    // does it: version 2 claimed, input.json written.
    const deps = planDependencies(stack.config);
    const single = await planDraft(deps, { campaign, actor: 'tester', now: NOW });
    const version = 2;
    const { passes, common, source } = await startedPlan(version, single.campaign);

    // Act: the state machine's steps in order, then the finish again (a retried step).
    for (let index = 0; index < SHARDS; index += 1)
      await passes.firstPass({ ...common, shard: { index, count: SHARDS }, source });
    await passes.reduce({ ...common, shardCount: SHARDS });
    for (let index = 0; index < SHARDS; index += 1)
      await passes.secondPass({ ...common, shard: { index, count: SHARDS }, source });
    const finished = await passes.finish({ ...common, shardCount: SHARDS, source });
    const again = await passes.finish({ ...common, shardCount: SHARDS, source });

    // Assess: the same timeline, cost and touches as version 1; recorded once on the lifecycle.
    expect(finished).toMatchObject({ version, replayed: false });
    expect(again).toMatchObject({ version, replayed: true });
    const sharded = await deps.lifecycle.getVersion(ID, version);
    expect(sharded?.timeline).toEqual(single.timeline);
    expect(sharded?.cost).toEqual(single.cost);
    expect(sharded?.plannedBy).toBe('tester');
    expect(single.timeline.sends.length).toBeGreaterThan(0);
    const singleTouches = await storedTouches(1, single.timeline);
    expect(singleTouches.length).toBeGreaterThan(single.timeline.sends.length);
    expect(await storedTouches(version, single.timeline)).toEqual(singleTouches);
    const lifecycle = await deps.lifecycle.getLifecycle(ID);
    expect(lifecycle?.latestVersion).toBe(version);
    expect(lifecycle?.audit.filter((entry) => entry.action === 'plan').map((entry) => entry.version)).toEqual([1, 2]);
  }, 120_000);

  it("writes no touches from a second pass whose shard's customers are not the ones its first pass planned", async () => {
    // Prepare: a plan of version 3 through the reduce, then shard 1's planned ids put in
    // another order, as if its customers had been read differently since.
    const version = 3;
    const { storage, passes, common, source } = await startedPlan(version, campaign);
    const keys = planShardKeys(common.workPrefix);
    for (let index = 0; index < SHARDS; index += 1)
      await passes.firstPass({ ...common, shard: { index, count: SHARDS }, source });
    await passes.reduce({ ...common, shardCount: SHARDS });
    const lines = new TextDecoder().decode(await readAll(storage, keys.ids(1))).split('\n');
    expect(lines.length, 'shard 1 planned at least two customers').toBeGreaterThan(2);
    [lines[0], lines[1]] = [lines[1] as string, lines[0] as string];
    await storage.put(keys.ids(1), lines.join('\n'), 'application/octet-stream');

    // Act
    const refused = await passes.secondPass({ ...common, shard: { index: 1, count: SHARDS }, source }).then(
      () => 'written',
      (error: Error) => error.message,
    );

    // Assess
    expect(refused).toMatch(/^shard 1's customers changed since its first pass \(\d+ read, \d+ planned\): plan again$/);
    expect(await storedTouches(version, (await readReducedPlan(storage, common.workPrefix)).plan.timeline)).toEqual([]);
  }, 120_000);
});
