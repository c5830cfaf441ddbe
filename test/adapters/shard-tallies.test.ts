/** The shards' tallies on the local DynamoDB: what the live view reads instead of the touches. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../functions/adapters/dynamo/campaign-store.ts';
import { clientsFor } from '../../functions/composition.ts';
import type { ShardTally } from '../../functions/domain/live-progress.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import type { ShardRef } from '../../functions/ports/campaign-store.ts';
import { systemClock } from '../../functions/ports/clock.ts';

let stack: LocalStack;
let store: DynamoCampaignStore;

beforeAll(async () => {
  stack = await startEphemeralStack({ dataBucket: 'campaign-data', clock: systemClock });
  store = new DynamoCampaignStore(clientsFor(stack.config).documents, stack.config.tables.campaigns);
});

afterAll(async () => {
  await stack.stop();
});

const NOW = Date.parse('2026-11-11T00:00:05+08:00');
const LEASE_MS = 60_000;
const tally = (sent: number): ShardTally => ({
  counts: { sent },
  sentBySecond: { [String(NOW / 1000)]: sent },
  at: NOW,
});
const shard = (campaignId: string, sendId: string, number: number, version = 1): ShardRef => ({
  campaignId,
  version,
  sendId,
  shard: number,
});

describe('shard tallies', () => {
  it('keeps what the lease holder reports, refuses a worker that lost its lease, and keeps the final tally', async () => {
    // Prepare
    const ref = shard('tallies-owner', 'mid.sms.g1', 0);
    expect(await store.claimShard(ref, 'worker-a', NOW, LEASE_MS)).toEqual({ kind: 'claimed' });

    // Act: worker A reports, its lease runs out, worker B takes over, A reports late, B finishes.
    const byA = await store.reportShard(ref, 'worker-a', tally(3));
    expect(await store.claimShard(ref, 'worker-b', NOW + LEASE_MS + 1, LEASE_MS)).toEqual({ kind: 'claimed' });
    const lateA = await store.reportShard(ref, 'worker-a', tally(99));
    await store.finishShard(ref, 'worker-b', tally(5));
    const afterFinish = await store.reportShard(ref, 'worker-b', tally(7));

    // Assess
    expect(byA, 'the lease holder reports').toBe(true);
    expect(lateA, 'a worker whose lease was taken over writes nothing').toBe(false);
    expect(afterFinish, 'a finished shard’s tally is final').toBe(false);
    expect(await store.shardTallies('tallies-owner', 1, 'mid.sms.g1')).toEqual([tally(5)]);
  });

  it('reads the tallies of one send and version only, and none for a shard not started', async () => {
    // Prepare: shards of `w.sms.g1`, of a send whose id starts the same, and of another version.
    const refs = [shard('tallies-send', 'w.sms.g1', 0), shard('tallies-send', 'w.sms.g1', 1)];
    const others = [shard('tallies-send', 'w.sms.g10', 0), shard('tallies-send', 'w.sms.g1', 0, 2)];
    for (const [index, ref] of [...refs, ...others].entries()) {
      await store.claimShard(ref, 'worker', NOW, LEASE_MS);
      await store.finishShard(ref, 'worker', tally(index + 1));
    }
    // Claimed, never reported: a lease item without a tally.
    await store.claimShard(shard('tallies-send', 'w.sms.g1', 2), 'worker', NOW, LEASE_MS);

    // Act
    const tallies = await store.shardTallies('tallies-send', 1, 'w.sms.g1');

    // Assess
    expect(tallies.map((each) => each.counts.sent).sort()).toEqual([1, 2]);
  });
});
