/**
 * Plays a campaign's schedules on a virtual clock: whenever nothing is being sent, time
 * jumps to the next schedule; the scheduler fires what is due; the workers send at the
 * clock's pace. Returns when no schedule is left and the send queue is idle.
 */
import type { LocalRuntime } from '../adapters/local/runtime.ts';
import type { VirtualClock } from '../adapters/local/virtual-clock.ts';

export async function playSchedules(
  runtime: Pick<LocalRuntime, 'scheduler' | 'sendQueue'>,
  clock: VirtualClock,
  options: { until?: number; onTick?: () => void } = {},
): Promise<void> {
  const { scheduler, sendQueue } = runtime;
  for (;;) {
    const next = scheduler.nextFireAt();
    if (next === undefined && sendQueue.isIdle()) break;
    if (options.until !== undefined && clock.now() >= options.until) break;
    if (next !== undefined && sendQueue.isIdle() && next > clock.now()) {
      clock.jumpTo(options.until !== undefined ? Math.min(next, options.until) : next);
    }
    await scheduler.runDue(clock.now());
    options.onTick?.();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (options.until === undefined) await sendQueue.idle();
}
