/**
 * The simulation's clock: it runs `speed` times faster than real time, and jumps over
 * idle stretches (days between waves) so a whole campaign plays in minutes. It never goes
 * back, and a sleeper is woken only once its instant has come on this clock, so "never
 * before 00:00:00" holds in virtual time exactly as on the real clock.
 */
import type { Clock } from '../../ports/clock.ts';

/** A sleeper waits for real only this last stretch of virtual time; the rest is jumped. */
const REAL_WAIT_MS = 1_000;

export class VirtualClock implements Clock {
  private offset: number;
  private readonly realStart = performance.now();

  constructor(
    start: number,
    readonly speed = 1,
  ) {
    this.offset = start;
  }

  now(): number {
    return Math.floor(this.offset + (performance.now() - this.realStart) * this.speed);
  }

  /** Moves time forward to `instant` (no-op when it has passed). */
  jumpTo(instant: number): void {
    const gap = instant - this.now();
    if (gap > 0) this.offset += gap;
  }

  async sleepUntil(instant: number): Promise<void> {
    if (instant - this.now() > REAL_WAIT_MS) this.jumpTo(instant - REAL_WAIT_MS);
    for (let wait = instant - this.now(); wait > 0; wait = instant - this.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait / this.speed)));
    }
  }
}
