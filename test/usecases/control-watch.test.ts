import { describe, expect, it } from 'vitest';
import type { LifecycleControl } from '../../functions/domain/campaign-lifecycle.ts';
import { ControlWatch } from '../../functions/usecases/control-watch.ts';
import { livePermission } from '../../functions/usecases/send-wave.ts';

function control(state: LifecycleControl['state'], extra: Partial<LifecycleControl> = {}): LifecycleControl {
  return { state, approvedVersion: 1, pausedWaves: [], cancelledWaves: [], revision: 1, ...extra };
}

/** A store whose control item the test changes, counting reads; a clock the test moves. */
function fixture() {
  let now = 0;
  let stored = control('running');
  const reads: number[] = [];
  const store = {
    getControl: async () => {
      reads.push(now);
      return stored;
    },
  };
  const clock = { now: () => now };
  return {
    store,
    clock,
    reads,
    at: (ms: number) => {
      now = ms;
    },
    set: (next: LifecycleControl) => {
      stored = next;
    },
  };
}

describe('ControlWatch: a worker never acts on an answer older than 500 ms', () => {
  it('reads again once its answer is more than 500 ms old, and not before', async () => {
    // Prepare
    const f = fixture();
    const watch = new ControlWatch(f.store, 'c', f.clock);

    // Act
    const first = await watch.current();
    f.set(control('paused'));
    f.at(500);
    const cached = await watch.current();
    f.at(501);
    const fresh = await watch.current();

    // Assess
    expect(first?.state).toBe('running');
    expect(cached?.state, 'an answer exactly 500 ms old may still be used').toBe('running');
    expect(fresh?.state, 'an older one may not').toBe('paused');
    expect(f.reads).toEqual([0, 501]);
  });

  it('reads ahead in the background once its answer is prefetchMs old, so a steady sender seldom waits', async () => {
    // Prepare
    const f = fixture();
    const watch = new ControlWatch(f.store, 'c', f.clock, { prefetchMs: 250 });
    await watch.current();
    f.set(control('paused'));

    // Act
    f.at(300);
    const stillCached = await watch.current();
    await Promise.resolve();
    f.at(310);
    const prefetched = await watch.current();

    // Assess
    expect(stillCached?.state).toBe('running');
    expect(prefetched?.state, 'the read started at 300 ms answered').toBe('paused');
    expect(f.reads).toEqual([0, 300]);
  });
});

describe('livePermission: a send goes only under an approved version', () => {
  const send = (version: number, state: 'scheduled' | 'held' | 'dispatched', waveId = 'w') => ({
    version,
    state,
    waveId,
  });

  it('sends an unstarted send only when its own version is the approved one', () => {
    expect(livePermission(control('running', { approvedVersion: 2 }), send(2, 'scheduled'))).toBe('go');
    expect(livePermission(control('running', { approvedVersion: 2 }), send(1, 'scheduled'))).toBe('stale');
    expect(livePermission(control('running', { approvedVersion: 1 }), send(2, 'scheduled'))).toBe('stale');
    expect(livePermission(control('draft', { approvedVersion: undefined }), send(1, 'scheduled'))).toBe('stale');
    expect(livePermission(undefined, send(1, 'scheduled'))).toBe('stale');
  });

  it('keeps a started send of an older approved version going under the approved version, never a newer one', () => {
    expect(livePermission(control('running', { approvedVersion: 2 }), send(1, 'dispatched'))).toBe('go');
    expect(livePermission(control('paused', { approvedVersion: 2 }), send(1, 'held'))).toBe('paused');
    expect(livePermission(control('running', { approvedVersion: 2 }), send(3, 'dispatched'))).toBe('stale');
    expect(livePermission(control('completed', { approvedVersion: 2 }), send(2, 'dispatched'))).toBe('stale');
  });

  it('answers cancelled for a cancelled campaign or wave, paused for a paused one', () => {
    expect(livePermission(control('cancelled'), send(1, 'dispatched'))).toBe('cancelled');
    expect(livePermission(control('running', { cancelledWaves: ['w'] }), send(1, 'dispatched'))).toBe('cancelled');
    expect(livePermission(control('running', { pausedWaves: ['w'] }), send(1, 'dispatched'))).toBe('paused');
    expect(livePermission(control('running', { pausedWaves: ['other'] }), send(1, 'dispatched'))).toBe('go');
  });
});
