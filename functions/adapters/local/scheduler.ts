/**
 * The local stand-in for EventBridge Scheduler: one-time schedules kept in memory and fired
 * by `runDue(now)`: driven by the virtual clock in `campaign simulate`, or by `start()`
 * polling the real clock for `npm start`.
 *
 * It behaves like the AWS setup the EventBridge adapter writes:
 * - a schedule fires when its time has come, never before (AWS: within that minute);
 * - the payload goes through JSON, as the target's Input string does;
 * - a failed invocation is retried (RetryPolicy, 3 retries by default, a short pause
 *   between), then parked in `deadLetters()` (the DLQ);
 * - after completion, success or dead letter, the schedule is deleted
 *   (ActionAfterCompletion DELETE);
 * - upsert by the same group/name replaces the schedule: one schedule, one firing;
 * - upsert into a group nobody ensured fails (ResourceNotFoundException), as on AWS.
 * A schedule is never fired twice at once: overlapping runDue calls (timer ticks while a
 * long wave is still sending) skip a name that is already firing.
 */
import type { Scheduler, SendSchedule } from '../../ports/scheduler.ts';

export interface LocalSchedulerOptions {
  /** The target: the send handler, given the schedule's payload (a fresh JSON copy each attempt). */
  invoke: (payload: Record<string, unknown>, schedule: SendSchedule) => Promise<unknown>;
  /** Retries after a failed invocation (AWS MaximumRetryAttempts). Default 3. */
  maxRetryAttempts?: number;
  /** Real-time pause before each retry. Default 100 ms. */
  retryDelayMs?: number;
  /**
   * Fire the schedules due together one after another (earliest first, then by name)
   * instead of concurrently: a simulation needs a fixed order of work. Default false.
   */
  oneAtATime?: boolean;
  log?: (line: string) => void;
}

export interface DeadLetter {
  group: string;
  name: string;
  fireAt: number;
  payload: Record<string, unknown>;
  /** Invocations tried. */
  attempts: number;
  error: string;
}

interface Entry {
  schedule: Omit<SendSchedule, 'payload'>;
  /** The payload as JSON, like the Input string of a Scheduler target. */
  input: string;
}

const NAME = /^[0-9a-zA-Z_.-]{1,64}$/;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LocalScheduler implements Scheduler {
  private readonly groups = new Set<string>();
  private readonly entries = new Map<string, Entry>();
  /** Keys with a firing in progress: the lock against firing one schedule twice at once. */
  private readonly firingKeys = new Set<string>();
  private readonly firingEntries = new Set<Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dead: DeadLetter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxRetryAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.maxRetryAttempts = options.maxRetryAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  async ensureGroup(group: string): Promise<void> {
    if (!NAME.test(group)) throw new RangeError(`schedule group must be 1-64 of [0-9a-zA-Z-_.]: ${group}`);
    this.groups.add(group);
  }

  async upsert(schedule: SendSchedule): Promise<void> {
    // The same rules AWS applies, so what works here works there.
    if (!NAME.test(schedule.name)) {
      throw new RangeError(`schedule name must be 1-64 of [0-9a-zA-Z-_.]: ${schedule.name}`);
    }
    if (!this.groups.has(schedule.group)) {
      // AWS answers CreateSchedule in a missing group with ResourceNotFoundException.
      throw Object.assign(new Error(`Schedule group ${schedule.group} does not exist (call ensureGroup)`), {
        name: 'ResourceNotFoundException',
      });
    }
    if (!Number.isFinite(schedule.fireAt)) throw new RangeError(`schedule ${schedule.name}: fireAt is not a time`);
    const { payload, ...rest } = schedule;
    this.entries.set(key(schedule.group, schedule.name), { schedule: rest, input: JSON.stringify(payload) });
  }

  async delete(group: string, name: string): Promise<void> {
    this.entries.delete(key(group, name));
  }

  async list(group: string, namePrefix?: string): Promise<string[]> {
    return [...this.entries.values()]
      .map((entry) => entry.schedule)
      .filter((s) => s.group === group && (!namePrefix || s.name.startsWith(namePrefix)))
      .map((s) => s.name)
      .sort();
  }

  /** Every stored schedule, earliest first. */
  schedules(): SendSchedule[] {
    return [...this.entries.values()]
      .map((entry) => ({ ...entry.schedule, payload: JSON.parse(entry.input) as Record<string, unknown> }))
      .sort((a, b) => a.fireAt - b.fireAt || compare(key(a.group, a.name), key(b.group, b.name)));
  }

  /** The earliest time a stored schedule (not already firing) is due, or undefined. */
  nextFireAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.entries.values()) {
      if (this.firingEntries.has(entry)) continue;
      if (next === undefined || entry.schedule.fireAt < next) next = entry.schedule.fireAt;
    }
    return next;
  }

  /** Invocations that failed every attempt, in the order they gave up. */
  deadLetters(): readonly DeadLetter[] {
    return this.dead;
  }

  /**
   * Fires every schedule due at `now` (fireAt <= now) that is not already firing, earliest
   * first and concurrently (as Scheduler does; one after another with `oneAtATime`), and
   * resolves when those firings are done, retries and dead letters included. Returns how
   * many it started. Never rejects.
   */
  async runDue(now: number): Promise<number> {
    const due: [string, Entry][] = [];
    for (const [name, entry] of this.entries) {
      if (entry.schedule.fireAt <= now && !this.firingKeys.has(name)) due.push([name, entry]);
    }
    due.sort(([ka, a], [kb, b]) => a.schedule.fireAt - b.schedule.fireAt || compare(ka, kb));
    if (this.options.oneAtATime) {
      let fired = 0;
      for (const [name, entry] of due) {
        // Replaced, deleted or taken by an overlapping runDue while the earlier ones fired: not this one.
        if (this.entries.get(name) !== entry || this.firingKeys.has(name)) continue;
        fired += 1;
        await this.fire(name, entry);
      }
      return fired;
    }
    // Locks are taken synchronously, before the first await, so a concurrent runDue skips them.
    const runs = due.map(([name, entry]) => this.fire(name, entry));
    await Promise.all(runs);
    return due.length;
  }

  /** Polls runDue with the clock (the real one for `npm start`). */
  start(clock: { now(): number }, intervalMs = 250): void {
    if (this.timer) throw new Error('local scheduler already started');
    const tick = () => {
      void this.runDue(clock.now());
    };
    this.timer = setInterval(tick, intervalMs);
    // The servers keep the process alive; a forgotten scheduler must not.
    this.timer.unref();
    tick();
  }

  /** Stops polling and waits for the firings in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves when no firing is in progress. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private fire(name: string, entry: Entry): Promise<void> {
    this.firingKeys.add(name);
    this.firingEntries.add(entry);
    const run = this.attempt(name, entry).finally(() => {
      this.firingKeys.delete(name);
      this.firingEntries.delete(entry);
      this.inFlight.delete(run);
    });
    this.inFlight.add(run);
    return run;
  }

  private async attempt(name: string, entry: Entry): Promise<void> {
    const attempts = 1 + this.maxRetryAttempts;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) {
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
        // Deleted or replaced while waiting: this definition is gone, stop retrying it.
        if (this.entries.get(name) !== entry) return;
      }
      try {
        const payload = JSON.parse(entry.input) as Record<string, unknown>;
        await this.options.invoke(payload, { ...entry.schedule, payload: JSON.parse(entry.input) });
        this.complete(name, entry);
        return;
      } catch (error) {
        lastError = error;
        this.options.log?.(`schedule ${name}: attempt ${attempt}/${attempts} failed: ${describe(error)}`);
      }
    }
    this.dead.push({
      group: entry.schedule.group,
      name: entry.schedule.name,
      fireAt: entry.schedule.fireAt,
      payload: JSON.parse(entry.input) as Record<string, unknown>,
      attempts,
      error: describe(lastError),
    });
    this.complete(name, entry);
  }

  /** ActionAfterCompletion DELETE, unless an upsert replaced the schedule meanwhile. */
  private complete(name: string, entry: Entry): void {
    if (this.entries.get(name) === entry) this.entries.delete(name);
  }
}

function key(group: string, name: string): string {
  return `${group}/${name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
