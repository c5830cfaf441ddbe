import { describe, expect, it } from 'vitest';
import { liveProgress, PACE_WINDOW_SECONDS } from '../../functions/domain/live-progress.ts';
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
    shards: 1,
    state,
  };
}

function touch(status: Touch['status'], updatedSecondsAgo?: number): Touch {
  return {
    customerId: `C${Math.random()}`,
    waveId: 'midnight',
    channel: 'sms',
    sendId: 'm1',
    address: '+8613800138000',
    device: 'mobile',
    status,
    ...(updatedSecondsAgo === undefined ? {} : { updatedAt: at(updatedSecondsAgo) }),
  };
}

describe('liveProgress', () => {
  it('counts outcomes, paces on the last seconds only, and says when the running sends finish at that pace', () => {
    // Prepare: 20 sent in the pace window, 5 sent long before, 2 failed, 1 unknown, 40 to go.
    const touches = [
      ...Array.from({ length: 20 }, () => touch('sent', 3)),
      ...Array.from({ length: 5 }, () => touch('sent', 25)),
      touch('failed', 2),
      touch('failed', 2),
      touch('unknown', 4),
      ...Array.from({ length: 40 }, () => touch('planned')),
      touch('control'),
    ];

    // Act
    const live = liveProgress({
      now: NOW,
      sends: [send('m1', 'midnight', 'dispatched', 68), send('later', 'reminder', 'scheduled', 500)],
      touchesBySend: new Map([['m1', touches]]),
      cancelled: new Set(),
    });

    // Assess
    expect(live).toMatchObject({ sent: 25, failed: 2, unknown: 1, done: 28, pending: 40, waiting: 500, planned: 568 });
    expect(live.perSecond, `20 sent in the last ${PACE_WINDOW_SECONDS} s`).toBe(20 / PACE_WINDOW_SECONDS);
    expect(live.secondsToFinish, '40 left at 2 a second').toBe(20);
    // Both at 00:00: in id order.
    expect(live.sends.map((s) => [s.id, s.done])).toEqual([
      ['later', 0],
      ['m1', 28],
    ]);
  });

  it('has no time to finish while nothing moves, and counts a cancelled wave as cancelled before its sweep', () => {
    // Act
    const live = liveProgress({
      now: NOW,
      sends: [send('m1', 'midnight', 'dispatched', 2), send('later', 'reminder', 'scheduled', 7)],
      touchesBySend: new Map([['m1', [touch('planned'), touch('sent', 60)]]]),
      cancelled: new Set(['reminder']),
    });

    // Assess
    expect(live.perSecond).toBe(0);
    expect(live.secondsToFinish).toBeNull();
    expect(live).toMatchObject({ pending: 1, waiting: 0, cancelled: 7, done: 8 });
  });
});
