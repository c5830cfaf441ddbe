import { describe, expect, it } from 'vitest';
import { LocalScheduler } from '../../functions/adapters/local/scheduler.ts';
import type { SendSchedule } from '../../functions/ports/scheduler.ts';

const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');
const GROUP = 'd11-2026';

function schedule(name: string, fireAt: number, payload: Record<string, unknown> = { sendId: name }): SendSchedule {
  return { name, group: GROUP, fireAt, timeZone: 'Asia/Shanghai', payload };
}

async function withGroup(scheduler: LocalScheduler): Promise<LocalScheduler> {
  await scheduler.ensureGroup(GROUP);
  return scheduler;
}

describe('LocalScheduler', () => {
  it('fires a schedule at its time, not before, and deletes it after completion', async () => {
    // Prepare
    const fired: Record<string, unknown>[] = [];
    const scheduler = await withGroup(new LocalScheduler({ invoke: async (payload) => void fired.push(payload) }));
    await scheduler.upsert(schedule('midnight-sms-g01', MIDNIGHT, { sendId: 'midnight-sms-g01', at: new Date(0) }));

    // Act
    const early = await scheduler.runDue(MIDNIGHT - 1);
    const firedEarly = fired.length;
    const onTime = await scheduler.runDue(MIDNIGHT);
    const later = await scheduler.runDue(MIDNIGHT + 60_000);

    // Assess
    expect([early, firedEarly, onTime, later]).toEqual([0, 0, 1, 0]);
    // The payload went through JSON, like a Scheduler target's Input.
    expect(fired).toEqual([{ sendId: 'midnight-sms-g01', at: '1970-01-01T00:00:00.000Z' }]);
    expect(await scheduler.list(GROUP)).toEqual([]);
    expect(scheduler.nextFireAt()).toBeUndefined();
  });

  it('fires due schedules earliest first and reports the next fire time', async () => {
    // Prepare
    const fired: unknown[] = [];
    const scheduler = await withGroup(
      new LocalScheduler({ invoke: async (payload) => void fired.push(payload.sendId) }),
    );
    await scheduler.upsert(schedule('b', MIDNIGHT + 2000));
    await scheduler.upsert(schedule('a', MIDNIGHT + 1000));
    await scheduler.upsert(schedule('c', MIDNIGHT + 9000));

    // Act
    const next = scheduler.nextFireAt();
    const count = await scheduler.runDue(MIDNIGHT + 5000);

    // Assess
    expect(next).toBe(MIDNIGHT + 1000);
    expect(count).toBe(2);
    expect(fired).toEqual(['a', 'b']);
    expect(scheduler.nextFireAt()).toBe(MIDNIGHT + 9000);
  });

  it('upsert by the same name replaces the schedule: one firing, with the new definition', async () => {
    // Prepare
    const fired: unknown[] = [];
    const scheduler = await withGroup(new LocalScheduler({ invoke: async (payload) => void fired.push(payload.v) }));
    await scheduler.upsert(schedule('presale-sms-g01', MIDNIGHT - 3_600_000, { v: 1 }));

    // Act
    await scheduler.upsert(schedule('presale-sms-g01', MIDNIGHT, { v: 2 }));
    const beforeNewTime = await scheduler.runDue(MIDNIGHT - 1);
    const atNewTime = await scheduler.runDue(MIDNIGHT);

    // Assess
    expect(await scheduler.list(GROUP)).toEqual([]);
    expect([beforeNewTime, atNewTime]).toEqual([0, 1]);
    expect(fired).toEqual([2]);
  });

  it('delete removes a schedule so it never fires; list names the rest', async () => {
    // Prepare
    const fired: unknown[] = [];
    const scheduler = await withGroup(
      new LocalScheduler({ invoke: async (payload) => void fired.push(payload.sendId) }),
    );
    await scheduler.upsert(schedule('keep', MIDNIGHT));
    await scheduler.upsert(schedule('drop', MIDNIGHT));

    // Act
    await scheduler.delete(GROUP, 'drop');
    await scheduler.delete(GROUP, 'never-existed');
    const listed = await scheduler.list(GROUP);
    await scheduler.runDue(MIDNIGHT);

    // Assess
    expect(listed).toEqual(['keep']);
    expect(fired).toEqual(['keep']);
  });

  it('refuses a schedule in a group nobody ensured, like AWS', async () => {
    // Prepare
    const scheduler = new LocalScheduler({ invoke: async () => {} });

    // Act
    const outcome = await scheduler.upsert(schedule('x', MIDNIGHT)).catch((error: unknown) => error);

    // Assess
    expect((outcome as Error).name).toBe('ResourceNotFoundException');
  });

  it('retries a failed invocation, then succeeds and deletes', async () => {
    // Prepare
    let calls = 0;
    const scheduler = await withGroup(
      new LocalScheduler({
        retryDelayMs: 1,
        invoke: async () => {
          calls += 1;
          if (calls < 3) throw new Error('cold start timeout');
        },
      }),
    );
    await scheduler.upsert(schedule('warmup-sms-g01', MIDNIGHT));

    // Act
    await scheduler.runDue(MIDNIGHT);

    // Assess
    expect(calls).toBe(3);
    expect(scheduler.deadLetters()).toEqual([]);
    expect(await scheduler.list(GROUP)).toEqual([]);
  });

  it('after 1 try + 3 retries the invocation goes to the dead letters and the schedule is deleted', async () => {
    // Prepare
    let calls = 0;
    const scheduler = await withGroup(
      new LocalScheduler({
        retryDelayMs: 1,
        invoke: async () => {
          calls += 1;
          throw new Error('handler crashed');
        },
      }),
    );
    await scheduler.upsert(schedule('unpaid-sms-g01', MIDNIGHT, { sendId: 'unpaid-sms-g01' }));

    // Act
    const count = await scheduler.runDue(MIDNIGHT);

    // Assess
    expect(count).toBe(1);
    expect(calls).toBe(4);
    expect(scheduler.deadLetters()).toEqual([
      {
        group: GROUP,
        name: 'unpaid-sms-g01',
        fireAt: MIDNIGHT,
        payload: { sendId: 'unpaid-sms-g01' },
        attempts: 4,
        error: 'handler crashed',
      },
    ]);
    expect(await scheduler.list(GROUP)).toEqual([]);
  });

  it('never fires the same schedule twice at once, even when runDue calls overlap', async () => {
    // Prepare: the invocation is held open until released.
    let running = 0;
    let maxRunning = 0;
    let invocations = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scheduler = await withGroup(
      new LocalScheduler({
        invoke: async () => {
          invocations += 1;
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await held;
          running -= 1;
        },
      }),
    );
    await scheduler.upsert(schedule('midnight-sms-g01', MIDNIGHT));

    // Act: three ticks while the first firing is still in progress, one replacing the schedule.
    const first = scheduler.runDue(MIDNIGHT);
    const second = await scheduler.runDue(MIDNIGHT + 250);
    await scheduler.upsert(schedule('midnight-sms-g01', MIDNIGHT, { sendId: 'replaced' }));
    const third = await scheduler.runDue(MIDNIGHT + 500);
    release();
    const firstCount = await first;

    // Assess
    expect([firstCount, second, third]).toEqual([1, 0, 0]);
    expect(invocations).toBe(1);
    expect(maxRunning).toBe(1);
    // The replacement made during the firing survives it and fires on the next tick.
    expect(await scheduler.list(GROUP)).toEqual(['midnight-sms-g01']);
    expect(await scheduler.runDue(MIDNIGHT + 750)).toBe(1);
    expect(invocations).toBe(2);
  });

  it('start() polls the clock and fires on time; stop() waits for the firing in progress', async () => {
    // Prepare: the clock is read by the polls; the firing is held open until released.
    const fired: number[] = [];
    const reads: number[] = [];
    let now = MIDNIGHT - 100;
    let pollsBeforeMidnight = 0;
    let midnightReached: () => void = () => {};
    const pollsDone = new Promise<void>((resolve) => {
      midnightReached = resolve;
    });
    const clock = {
      now: () => {
        reads.push(now);
        // Three polls see the time before midnight; then midnight comes.
        if (now < MIDNIGHT) pollsBeforeMidnight += 1;
        if (now < MIDNIGHT && pollsBeforeMidnight >= 3) {
          now = MIDNIGHT;
          midnightReached();
        }
        return reads.at(-1) as number;
      },
    };
    let firing: () => void = () => {};
    const firingStarted = new Promise<void>((resolve) => {
      firing = resolve;
    });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    const scheduler = await withGroup(
      new LocalScheduler({
        invoke: async () => {
          fired.push(now);
          firing();
          await held;
          finished = true;
        },
      }),
    );
    await scheduler.upsert(schedule('midnight-sms-g01', MIDNIGHT));

    // Act: waits on events, not on time, however slow the machine.
    scheduler.start(clock, 5);
    await pollsDone;
    await firingStarted;
    const stopping = scheduler.stop();
    const finishedBeforeRelease = finished;
    release();
    await stopping;

    // Assess
    expect(reads.filter((at) => at < MIDNIGHT)).toHaveLength(3);
    expect(fired).toEqual([MIDNIGHT]);
    expect(finishedBeforeRelease).toBe(false);
    expect(finished).toBe(true);
  });

  it('with oneAtATime fires the schedules due together one after another, earliest first, then by name', async () => {
    // Prepare: each invocation takes real time; concurrent firings would overlap.
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const scheduler = await withGroup(
      new LocalScheduler({
        oneAtATime: true,
        invoke: async (payload) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          log.push(`start ${String(payload.sendId)}`);
          await new Promise((resolve) => setTimeout(resolve, payload.sendId === 'b' ? 30 : 1));
          log.push(`end ${String(payload.sendId)}`);
          running -= 1;
        },
      }),
    );
    await scheduler.upsert(schedule('c', MIDNIGHT));
    await scheduler.upsert(schedule('b', MIDNIGHT - 1000));
    await scheduler.upsert(schedule('a', MIDNIGHT));

    // Act
    const count = await scheduler.runDue(MIDNIGHT);

    // Assess
    expect(count).toBe(3);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start b', 'end b', 'start a', 'end a', 'start c', 'end c']);
    expect(await scheduler.list(GROUP)).toEqual([]);
  });
});
