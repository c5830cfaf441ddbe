import { describe, expect, it } from 'vitest';
import { type TimedSource, VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';

const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');

/** Real-time work of a given length: what a database call is to the clock. */
const io = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Outside events at fixed offsets from midnight, recorded with the clock's time when delivered. */
function events(clock: VirtualClock, offsets: number[], log: string[]): TimedSource {
  const due = offsets.map((offset) => MIDNIGHT + offset);
  return {
    nextAt: () => due[0],
    deliverDue: async (now) => {
      while (due[0] !== undefined && due[0] <= now) {
        const at = due.shift() as number;
        await io(5);
        log.push(`event ${at - MIDNIGHT} at ${clock.now() - MIDNIGHT}`);
      }
    },
  };
}

describe('VirtualClock', () => {
  it('stands still while work runs and moves only when it sleeps, never waking a sleeper early', async () => {
    // Prepare
    const clock = new VirtualClock(MIDNIGHT);
    const seen: number[] = [];

    // Act
    await clock.run(async () => {
      seen.push(clock.now());
      await io(30);
      seen.push(clock.now());
      await clock.sleepUntil(MIDNIGHT + 1500.2);
      seen.push(clock.now());
      await clock.sleepUntil(MIDNIGHT);
      seen.push(clock.now());
    });

    // Assess
    expect(seen.map((at) => at - MIDNIGHT)).toEqual([0, 0, 1501, 1501]);
  });

  it('runs one task at a time, first come first served at each instant, whatever their real durations', async () => {
    // Prepare: the slow task would finish last if the two ran at once.
    const clock = new VirtualClock(MIDNIGHT);
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      for (let second = 1; second <= 2; second += 1) {
        log.push(`${name} starts ${clock.now() - MIDNIGHT}`);
        await io(ms);
        log.push(`${name} ends ${clock.now() - MIDNIGHT}`);
        await clock.sleepUntil(MIDNIGHT + second * 1000);
      }
      return name;
    };

    // Act
    const slow = clock.spawn(task('slow', 40));
    const fast = clock.spawn(task('fast', 1));
    await clock.play([]);

    // Assess
    expect(await Promise.all([slow, fast])).toEqual(['slow', 'fast']);
    expect(log).toEqual([
      'slow starts 0',
      'slow ends 0',
      'fast starts 0',
      'fast ends 0',
      'slow starts 1000',
      'slow ends 1000',
      'fast starts 1000',
      'fast ends 1000',
    ]);
  });

  it('delivers outside events in time order while no task runs, before the sleepers due at the same instant', async () => {
    // Prepare
    const clock = new VirtualClock(MIDNIGHT);
    const log: string[] = [];
    const worker = clock.spawn(async () => {
      for (const at of [1000, 2000]) {
        await clock.sleepUntil(MIDNIGHT + at);
        log.push(`task at ${clock.now() - MIDNIGHT}`);
        await io(20);
      }
    });

    // Act
    await clock.play([events(clock, [500, 1000, 1700], log)]);
    await worker;

    // Assess
    expect(log).toEqual([
      'event 500 at 500',
      'event 1000 at 1000',
      'task at 1000',
      'event 1700 at 1700',
      'task at 2000',
    ]);
    expect(clock.now()).toBe(MIDNIGHT + 2000);
  });

  it('hands back what a task returns or throws, and waits for tasks started while it plays', async () => {
    // Prepare
    const clock = new VirtualClock(MIDNIGHT);
    const later: string[] = [];

    // Act
    const value = await clock.run(async () => {
      void clock.spawn(async () => {
        await clock.sleepUntil(MIDNIGHT + 60_000);
        later.push('child done');
      });
      return 'parent done';
    });
    const failure = await clock
      .run(async () => {
        await clock.sleepUntil(MIDNIGHT + 120_000);
        throw new Error('worker died');
      })
      .catch((error: unknown) => error);

    // Assess
    expect(value).toBe('parent done');
    expect(later).toEqual(['child done']);
    expect((failure as Error).message).toBe('worker died');
    expect(clock.now()).toBe(MIDNIGHT + 120_000);
  });

  it('refuses to play twice at once', async () => {
    // Prepare
    const clock = new VirtualClock(MIDNIGHT);
    const first = clock.play([events(clock, [1000], [])]);

    // Act
    const second = await clock.play([]).catch((error: unknown) => error);
    await first;

    // Assess
    expect((second as Error).message).toMatch(/already playing/);
  });
});
