/**
 * A send worker's look at its campaign's control item (state, approved version, paused and
 * cancelled waves) while it sends: a pause or cancel must stop every worker within a second.
 *
 * Each message asks before its ledger claim. The answer given is never older than
 * `freshMs`: one from a read that started at most that long ago, else the worker awaits a
 * fresh read. So a message handed to the provider after the pause's write completed plus
 * `freshMs` (and the claim's own round trip) cannot have been let through by a read from
 * before the pause. To keep that wait off the message path, a worker that sends steadily
 * reads again in the background once its answer is `prefetchMs` old: one consistent
 * GetItem of one small item per worker every `prefetchMs` or so while it sends, and none
 * while it waits for its second.
 *
 * On the discrete virtual clock the background read is off (`prefetchMs` undefined):
 * whether a read in flight had finished when a message asked would depend on the
 * machine's speed; there every answer comes from a read made for it, at its own instant.
 */
import type { LifecycleControl } from '../domain/campaign-lifecycle.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';

export const CONTROL_FRESH_MS = 500;
export const CONTROL_PREFETCH_MS = 250;

interface Read {
  startedAt: number;
  result: Promise<LifecycleControl | undefined>;
}

export class ControlWatch {
  private settled: { startedAt: number; value: LifecycleControl | undefined } | undefined;
  private inFlight: Read | undefined;

  constructor(
    private readonly store: Pick<LifecycleStore, 'getControl'>,
    private readonly campaignId: string,
    private readonly clock: Pick<Clock, 'now' | 'hold'>,
    private readonly options: { freshMs?: number; prefetchMs?: number } = {},
  ) {}

  /** The control item as of a read that started at most `freshMs` ago. */
  async current(): Promise<LifecycleControl | undefined> {
    const now = this.clock.now();
    const freshMs = this.options.freshMs ?? CONTROL_FRESH_MS;
    const settled = this.settled;
    if (settled && now - settled.startedAt <= freshMs) {
      const prefetchMs = this.options.prefetchMs;
      if (prefetchMs !== undefined && now - settled.startedAt >= prefetchMs && !this.inFlight) {
        // Background: a failure here is not news; the next message that needs it reads again.
        this.read().result.catch(() => undefined);
      }
      return settled.value;
    }
    const pending = this.inFlight;
    if (pending && now - pending.startedAt <= freshMs) return pending.result;
    return this.read().result;
  }

  /** A read that starts now, whatever is known: after a stop, to see whether the send may go on. */
  async fresh(): Promise<LifecycleControl | undefined> {
    return this.read().result;
  }

  private read(): Read {
    const startedAt = this.clock.now();
    const work = this.store.getControl(this.campaignId);
    const result = this.clock.hold?.(work) ?? work;
    const read: Read = { startedAt, result };
    this.inFlight = read;
    result.then(
      (value) => {
        if (!this.settled || this.settled.startedAt <= startedAt) this.settled = { startedAt, value };
        if (this.inFlight === read) this.inFlight = undefined;
      },
      () => {
        if (this.inFlight === read) this.inFlight = undefined;
      },
    );
    return read;
  }
}
