/**
 * The import queue on one machine, as SQS and the import Lambda behave on AWS: every
 * object-created event is handed to the import handler, and a delivery that throws comes
 * back later instead of being lost, up to `maxReceives` deliveries in all (the queue's
 * receive limit), then it goes to the dead letters. A delivery that met another
 * invocation's live lease comes back once that lease has run out (on AWS the visibility
 * timeout, longer than any lease, does that); any other failure after a short pause, and
 * the next delivery then finds the crashed run's lease and waits for it the same way.
 */
import { ImportBusyError } from '../../usecases/import-segment.ts';

export interface LocalImportQueueOptions<E> {
  handle(event: E): Promise<unknown>;
  /** Deliveries per event, the first one included. */
  maxReceives?: number;
  /** The pause before a failure that names no time of its own is delivered again. */
  retryDelayMs?: number;
  /** How long after the holder's lease ends a busy delivery comes back (timers may fire early). */
  leaseMarginMs?: number;
  /** Resolves after `ms`, or early when `signal` aborts; tests pass one they control. */
  wait?(ms: number, signal: AbortSignal): Promise<void>;
  /** What an event is, for the log lines. */
  describe?(event: E): string;
  log?(line: string): void;
}

/** Real time, never keeping the process alive, cut short by stop(). */
function realWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class LocalImportQueue<E> {
  readonly deadLetters: Array<{ event: E; error: unknown }> = [];
  private readonly stopping = new AbortController();
  private readonly redeliveries = new Set<Promise<void>>();

  constructor(private readonly options: LocalImportQueueOptions<E>) {}

  /** The first delivery; it resolves when that one is done, and a failed one is retried in the background. */
  async deliver(event: E): Promise<void> {
    await this.attempt(event, 1);
  }

  /** Drops the redeliveries still waiting, and gives those under way `drainMs` to finish. */
  async stop(drainMs = 5_000): Promise<void> {
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.allSettled([...this.redeliveries]);
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
  }

  private async attempt(event: E, receive: number): Promise<void> {
    try {
      await this.options.handle(event);
      return;
    } catch (error) {
      this.retryLater(event, receive, error);
    }
  }

  private retryLater(event: E, receive: number, error: unknown): void {
    const log = this.options.log ?? (() => {});
    const what = this.options.describe?.(event) ?? 'import event';
    const reason = error instanceof Error ? error.message : String(error);
    if (this.stopping.signal.aborted) {
      log(`import: ${what} failed while stopping, not delivered again: ${reason}`);
      return;
    }
    const maxReceives = this.options.maxReceives ?? 5;
    if (receive >= maxReceives) {
      this.deadLetters.push({ event, error });
      log(`import: ${what} failed ${receive} times, given up (dead letter): ${reason}`);
      return;
    }
    const delayMs =
      error instanceof ImportBusyError
        ? error.retryAfterMs + (this.options.leaseMarginMs ?? 250)
        : (this.options.retryDelayMs ?? 1_000);
    log(`import: ${what} delivered again in ${delayMs} ms (delivery ${receive + 1} of ${maxReceives}): ${reason}`);
    const wait = this.options.wait ?? realWait;
    const redelivery = (async () => {
      await wait(delayMs, this.stopping.signal).catch(() => undefined);
      if (this.stopping.signal.aborted) {
        log(`import: ${what} not delivered again: the local stack stopped first`);
        return;
      }
      await this.attempt(event, receive + 1);
    })();
    this.redeliveries.add(redelivery);
    void redelivery.finally(() => this.redeliveries.delete(redelivery));
  }
}
