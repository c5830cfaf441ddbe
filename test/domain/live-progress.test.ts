import { describe, expect, it } from 'vitest';
import {
  liveProgress,
  PACE_WINDOW_SECONDS,
  type ShardTally,
  ShardTallyKeeper,
  TALLY_EVERY_MS,
} from '../../functions/domain/live-progress.ts';
import type { StoredSend, Touch } from '../../functions/ports/campaign-store.ts';

const NOW = Date.parse('2026-11-11T00:00:30+08:00');
const at = (secondsBefore: number) => new Date(NOW - secondsBefore * 1000).toISOString();

function send(id: string, waveId: string, state: StoredSend['state'], customers: number): StoredSend {
  return {
    id,
    waveId,
    channel: 'sms',
    group: 1,
    slice: 1,
    at: '2026-11-11T00:00:00+08:00',
    customers,
    estimatedSeconds: 60,
    campaignId: 'c',
    version: 1,
    shards: 2,
    state,
  };
}

function touch(status: Touch['status'], updatedSecondsAgo?: number): Pick<Touch, 'status' | 'updatedAt'> {
  return { status, ...(updatedSecondsAgo === undefined ? {} : { updatedAt: at(updatedSecondsAgo) }) };
}

const tallyOf = (touches: Pick<Touch, 'status' | 'updatedAt'>[]): ShardTally =>
  new ShardTallyKeeper(touches).snapshot(NOW);

describe('ShardTallyKeeper', () => {
  it('counts an earlier run’s outcomes, then each new one, and keeps only the pace window’s sends', () => {
    // Prepare: a shard resumed after a pause: 3 sent long ago, 1 failed, 2 still planned, a control touch.
    const keeper = new ShardTallyKeeper([
      touch('sent', 300),
      touch('sent', 300),
      touch('sent', 300),
      touch('failed', 300),
      touch('planned'),
      touch('planned'),
      touch('control'),
    ]);

    // Act: this run sends one now and finds the other opted out.
    keeper.record('sent', NOW);
    keeper.record('suppressed', NOW);
    const tally = keeper.snapshot(NOW);

    // Assess
    expect(tally.counts, 'planned and control touches are no outcome').toEqual({ sent: 4, failed: 1, suppressed: 1 });
    expect(tally.sentBySecond, 'the sends of 5 minutes ago are outside the pace window').toEqual({
      [String(Math.floor(NOW / 1000))]: 1,
    });
    expect(tally.at).toBe(NOW);
  });

  it('is due for a write at most every TALLY_EVERY_MS', () => {
    // Prepare
    const keeper = new ShardTallyKeeper([]);

    // Act / Assess
    expect(keeper.due(NOW), 'never written: due').toBe(true);
    keeper.snapshot(NOW);
    expect(keeper.due(NOW + TALLY_EVERY_MS - 1), 'just written').toBe(false);
    expect(keeper.due(NOW + TALLY_EVERY_MS)).toBe(true);
  });
});

describe('liveProgress', () => {
  it('adds up the shards’ tallies, paces on the last seconds only, and says when the running sends finish', () => {
    // Prepare: over two shards, 20 sent in the pace window, 5 sent long before, 2 failed, 1 unknown; 40 to go.
    const shardA = tallyOf([...Array.from({ length: 12 }, () => touch('sent', 3)), touch('failed', 2)]);
    const shardB = tallyOf([
      ...Array.from({ length: 8 }, () => touch('sent', 9)),
      ...Array.from({ length: 5 }, () => touch('sent', 25)),
      touch('failed', 2),
      touch('unknown', 4),
      touch('sent', PACE_WINDOW_SECONDS),
    ]);

    // Act
    const live = liveProgress({
      now: NOW,
      sends: [send('m1', 'midnight', 'dispatched', 69), send('later', 'reminder', 'scheduled', 500)],
      talliesBySend: new Map([['m1', [shardA, shardB]]]),
      cancelled: new Set(),
    });

    // Assess
    expect(live).toMatchObject({ sent: 26, failed: 2, unknown: 1, done: 29, pending: 40, waiting: 500, planned: 569 });
    expect(live.perSecond, `20 sent in the last ${PACE_WINDOW_SECONDS} s (not the one exactly that long ago)`).toBe(
      20 / PACE_WINDOW_SECONDS,
    );
    expect(live.secondsToFinish, '40 left at 2 a second').toBe(20);
    // Both at 00:00: in id order.
    expect(live.sends.map((s) => [s.id, s.done])).toEqual([
      ['later', 0],
      ['m1', 29],
    ]);
  });

  it('counts a dispatched send whose shards have not started as all to go', () => {
    // Act
    const live = liveProgress({
      now: NOW,
      sends: [send('m1', 'midnight', 'dispatched', 1_000)],
      talliesBySend: new Map([['m1', []]]),
      cancelled: new Set(),
    });

    // Assess
    expect(live).toMatchObject({ pending: 1_000, waiting: 0, done: 0, perSecond: 0, secondsToFinish: null });
  });

  it('has no time to finish while nothing moves, and counts a cancelled wave as cancelled before its sweep', () => {
    // Act
    const live = liveProgress({
      now: NOW,
      sends: [send('m1', 'midnight', 'dispatched', 2), send('later', 'reminder', 'scheduled', 7)],
      talliesBySend: new Map([['m1', [tallyOf([touch('planned'), touch('sent', 60)])]]]),
      cancelled: new Set(['reminder']),
    });

    // Assess
    expect(live.perSecond).toBe(0);
    expect(live.secondsToFinish).toBeNull();
    expect(live).toMatchObject({ pending: 1, waiting: 0, cancelled: 7, done: 8 });
  });
});
