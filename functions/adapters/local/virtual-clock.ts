/**
 * The simulation's clock, discrete-event: time stands still while work runs, and moves
 * only when every piece of work waits on the clock. Then it jumps to the earliest instant
 * something is due (a sleeper's wake-up or an outside event such as a schedule or an order
 * webhook), delivers the outside events due there, and resumes the sleepers, one at a time.
 * How fast the machine is changes how long a run takes, never what happens in it: every
 * message, rate-limiter second and sink second falls on the same virtual instant on
 * every run, so the same inputs give the same outputs.
 *
 * For that, work on this clock follows three rules (the local stack keeps them when it is
 * given this clock):
 * - work that sleeps on the clock runs as a task (`spawn`) and sleeps in one place at a
 *   time; what else the task has in flight meanwhile (its other messages' database
 *   writes) it `hold`s, and the clock waits for that before it moves on;
 * - one task runs at a time: a task keeps the turn until it sleeps (and its held work is
 *   done) or ends, then the next one ready at the same instant runs, first come first served;
 * - outside events are delivered by `play` while no task runs, in time order, before the
 *   sleepers due at the same instant resume.
 * Code that is not a task may read `now()`, but must not sleep while the clock plays.
 */
import type { Clock } from '../../ports/clock.ts';

/** Something outside the tasks that happens at its own time (schedules, order webhooks). */
export interface TimedSource {
  /** The instant the clock must stop for this source next, or undefined when nothing is left. */
  nextAt(): number | undefined;
  /** Delivers what is due at `now`, maybe nothing: called at every stop, while no task runs. */
  deliverDue(now: number): Promise<unknown>;
}

interface Sleeper {
  at: number;
  /** Arrival order: among sleepers due at one instant, the first to sleep resumes first. */
  order: number;
  resume: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private arrivals = 0;
  /** Sorted by (at, order); a handful at a time (one per live task), so a sorted array does. */
  private readonly sleepers: Sleeper[] = [];
  /** Tasks to start or resume at the current instant, in order. */
  private readonly ready: Array<() => void> = [];
  /** Ends the turn of the task running now; undefined when none runs. */
  private endTurn: (() => void) | undefined;
  /** Work the running task has in flight beside its sleeper. */
  private readonly held = new Set<Promise<unknown>>();
  private playing = false;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** True while `play` runs. */
  get isPlaying(): boolean {
    return this.playing;
  }

  sleepUntil(instant: number): Promise<void> {
    if (!(instant > this.current)) return Promise.resolve();
    return new Promise((resume) => {
      const sleeper = { at: Math.ceil(instant), order: this.arrivals++, resume };
      let index = this.sleepers.length;
      while (index > 0 && (this.sleepers[index - 1] as Sleeper).at > sleeper.at) index -= 1;
      this.sleepers.splice(index, 0, sleeper);
      this.yieldTurn();
    });
  }

  hold<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<unknown> = work.then(
      () => this.held.delete(settled),
      () => this.held.delete(settled),
    );
    this.held.add(settled);
    return work;
  }

  /**
   * Runs `work` as a task when its turn comes (during `play`), and resolves with its result.
   * Time stands still while it runs; it gives the turn back when it sleeps or ends.
   */
  spawn<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.ready.push(() => {
        let result: Promise<T>;
        try {
          result = work();
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(resolve, reject).finally(() => this.yieldTurn());
      });
    });
  }

  /**
   * Plays until nothing is left: no task ready or sleeping, nothing due from `sources`.
   * `onStep` is told each time the clock moves (progress).
   */
  async play(sources: readonly TimedSource[], onStep?: () => void): Promise<void> {
    if (this.playing) throw new Error('the virtual clock is already playing');
    this.playing = true;
    try {
      for (;;) {
        for (let resume = this.ready.shift(); resume; resume = this.ready.shift()) await this.runTurn(resume);
        let next = this.sleepers[0]?.at;
        for (const source of sources) {
          const at = source.nextAt();
          if (at !== undefined && (next === undefined || at < next)) next = at;
        }
        if (next === undefined) return;
        if (next > this.current) {
          this.current = Math.ceil(next);
          onStep?.();
        }
        // Outside events first, in the order of `sources`; then the sleepers due now.
        for (const source of sources) await source.deliverDue(this.current);
        while (this.sleepers.length > 0 && (this.sleepers[0] as Sleeper).at <= this.current) {
          this.ready.push((this.sleepers.shift() as Sleeper).resume);
        }
      }
    } finally {
      this.playing = false;
    }
  }

  /** Plays one piece of work (and whatever it starts) to its end: tests and one-off runs. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.spawn(work);
    // Observed here so a rejection is not reported as unhandled while the clock plays.
    result.catch(() => {});
    await this.play([]);
    return result;
  }

  private runTurn(resume: () => void): Promise<void> {
    return new Promise((done) => {
      this.endTurn = done;
      resume();
    });
  }

  private yieldTurn(): void {
    const end = this.endTurn;
    this.endTurn = undefined;
    if (end) void this.heldDone().then(end);
  }

  /** Resolves once the held work is done, and the promise callbacks it set off have run. */
  private async heldDone(): Promise<void> {
    for (;;) {
      while (this.held.size > 0) await Promise.all(this.held);
      // A callback may hold more work (the next message's write): look again after them all.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.held.size === 0) return;
    }
  }
}
