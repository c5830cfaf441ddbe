/**
 * Plays a campaign's schedules on a clock of its own until no schedule or outside event
 * (an order webhook) is left and the send queue is idle.
 *
 * - On the discrete VirtualClock (`campaign simulate`, tests) the clock drives: outside
 *   events and schedules are delivered when time reaches them, the send workers run as the
 *   clock's tasks, and time moves only while every worker sleeps.
 * - On the RealTimeClock (the midnight bench) the workers send at the machine's pace:
 *   whenever nothing is being sent, time jumps to the next schedule or event.
 */
import type { RealTimeClock } from '../adapters/local/real-time-clock.ts';
import type { LocalRuntime } from '../adapters/local/runtime.ts';
import { type TimedSource, VirtualClock } from '../adapters/local/virtual-clock.ts';

/** Things that happen at their own time (order webhooks in a simulation). */
export type TimedEvents = TimedSource;

export async function playSchedules(
  runtime: Pick<LocalRuntime, 'scheduler' | 'sendQueue'>,
  clock: VirtualClock | RealTimeClock,
  options: { onTick?: () => void; events?: TimedEvents } = {},
): Promise<void> {
  const { scheduler, sendQueue } = runtime;
  if (clock instanceof VirtualClock) {
    const schedules: TimedSource = { nextAt: () => scheduler.nextFireAt(), deliverDue: (now) => scheduler.runDue(now) };
    // At one instant, the order events first (a payment before the send that checks it), then the schedules.
    await clock.play(options.events ? [options.events, schedules] : [schedules], options.onTick);
    // Every worker is a task of the clock: once it has played out, the queue is idle.
    if (!sendQueue.isIdle()) throw new Error('the send queue has work the virtual clock does not know of');
    return;
  }
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
