/**
 * Real time from a chosen start: the clock runs at the pace of the machine's own, and a
 * sleeper jumps over the idle stretch before its instant (all but the last second), so a
 * run can start minutes before midnight without waiting for them. The midnight bench and
 * the crash test measure the send path's real-time behaviour on it (concurrent workers,
 * real database latency); `campaign simulate` uses the discrete VirtualClock instead.
 * It never goes back, and a sleeper is woken only once its instant has come on this clock.
 */
import type { Clock } from '../../ports/clock.ts';

/** A sleeper waits for real only this last stretch of time; the rest is jumped. */
const REAL_WAIT_MS = 1_000;

export class RealTimeClock implements Clock {
  private offset: number;
  private readonly realStart = performance.now();

  constructor(start: number) {
    this.offset = start;
  }

  now(): number {
    return Math.floor(this.offset + (performance.now() - this.realStart));
  }

  /** Moves time forward to `instant` (no-op when it has passed). */
  jumpTo(instant: number): void {
    const gap = instant - this.now();
    if (gap > 0) this.offset += gap;
  }

  async sleepUntil(instant: number): Promise<void> {
    if (instant - this.now() > REAL_WAIT_MS) this.jumpTo(instant - REAL_WAIT_MS);
    for (let wait = instant - this.now(); wait > 0; wait = instant - this.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
    }
  }
}
