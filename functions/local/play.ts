/**
 * Plays a campaign's schedules on a virtual clock: whenever nothing is being sent, time
 * jumps to the next schedule or outside event (an order webhook); the scheduler fires
 * what is due; the workers send at the clock's pace. Returns when no schedule or event is
 * left and the send queue is idle.
 */
import type { LocalRuntime } from '../adapters/local/runtime.ts';
import type { VirtualClock } from '../adapters/local/virtual-clock.ts';

/** Things that happen at their own time (order webhooks in a simulation). */
export interface TimedEvents {
  nextAt(): number | undefined;
  deliverDue(now: number): Promise<void>;
}

export async function playSchedules(
  runtime: Pick<LocalRuntime, 'scheduler' | 'sendQueue'>,
  clock: VirtualClock,
  options: { onTick?: () => void; events?: TimedEvents } = {},
): Promise<void> {
  const { scheduler, sendQueue } = runtime;
  for (;;) {
    const nextSchedule = scheduler.nextFireAt();
    const nextEvent = options.events?.nextAt();
    const candidates = [nextSchedule, nextEvent].filter((at): at is number => at !== undefined);
    if (candidates.length === 0 && sendQueue.isIdle()) break;
    const next = candidates.length > 0 ? Math.min(...candidates) : undefined;
    if (next !== undefined && sendQueue.isIdle() && next > clock.now()) clock.jumpTo(next);
    await options.events?.deliverDue(clock.now());
    await scheduler.runDue(clock.now());
    options.onTick?.();
    // While sends run, time passes on its own: look again shortly. When idle, jump at once.
    if (!sendQueue.isIdle()) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await sendQueue.idle();
}
