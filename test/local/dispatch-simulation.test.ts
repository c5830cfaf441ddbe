/**
 * The midnight push's fan-out in virtual time at small scale, through the real dispatcher,
 * send queue, workers and rate limiter on the local stack: every customer gets exactly one
 * message, no virtual second carries more than the configured rate (the sink takes all it is
 * given, so only the pacing keeps it), the workers never idle while a shard waits, and the
 * queue drains.
 */
import { describe, expect, it } from 'vitest';
import { simulateDispatch } from '../../functions/local/dispatch-simulation.ts';

describe('the dispatcher fan-out simulation', () => {
  it('sends 6,000 SMS in 6 shards over 2 workers at 200/s: once each, never over the rate, the queue drained', async () => {
    // Prepare
    const options = { sms: 6000, rate: 200, workers: 2 };

    // Act
    const run = await simulateDispatch(options);

    // Assess
    expect(run.shards, 'one shard a thousand touches').toBe(6);
    expect(run.messages, 'every customer messaged').toBe(6000);
    expect(run.duplicates, 'no customer messaged twice').toBe(0);
    expect(run.unmatchedTouches, 'each sent touch matches one message of the sink').toBe(0);
    expect(run.worstSecond, 'the busiest virtual second').toBeLessThanOrEqual(200);
    expect(run.firstAfterMidnightMs, 'nothing before midnight').toBeGreaterThanOrEqual(0);
    expect(run.sustainedPerSecond / 200, 'sustained rate against the configured one').toBeGreaterThanOrEqual(0.95);
    expect(
      run.perShard.reduce((sum, shard) => sum + shard.sent, 0),
      'the shards sent every message between them',
    ).toBe(6000);
    expect(
      run.perShard.every((shard) => shard.sent > 0),
      'every shard did work',
    ).toBe(true);
    expect(run.idleWithWork, 'seconds a worker idled while a shard waited').toBe(0);
    expect(Math.max(...run.queue.map((entry) => entry.waiting)), 'shards waiting at most').toBeLessThanOrEqual(4);
    expect(run.queue.at(-1), 'the queue at the end').toMatchObject({ waiting: 0, running: 0, sent: 6000 });
  }, 300_000);
});
