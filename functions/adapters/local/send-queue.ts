/**
 * The send queue on one machine, as SQS and the worker Lambdas behave: messages are
 * handed to at most `workers` concurrent handlers; a handler that throws gets its message
 * back after a pause (the visibility timeout, shortened), up to `maxReceives` times, then
 * the message goes to the dead letters.
 */
import type { SendQueue, ShardMessage } from '../../usecases/send-wave.ts';

export interface InProcessSendQueueOptions {
  workers: number;
  handle(message: ShardMessage): Promise<unknown>;
  maxReceives?: number;
  retryDelayMs?: number;
  /** Waits out the retry delay; default a real-time timer (a simulation waits on its virtual clock). */
  pause?(ms: number): Promise<void>;
  onError?(message: ShardMessage, error: unknown): void;
}

export class InProcessSendQueue implements SendQueue {
  private readonly waiting: Array<{ message: ShardMessage; receives: number }> = [];
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private delayed = 0;
  readonly deadLetters: Array<{ message: ShardMessage; error: unknown }> = [];

  constructor(private readonly options: InProcessSendQueueOptions) {}

  async enqueue(messages: ShardMessage[]): Promise<void> {
    for (const message of messages) this.waiting.push({ message, receives: 0 });
    this.pump();
  }

  /** Resolves when nothing is waiting, running or about to be retried. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Shard messages waiting for a worker, and being handled now: a simulation samples them over time. */
  depth(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.running };
  }

  isIdle(): boolean {
    return this.waiting.length === 0 && this.running === 0 && this.delayed === 0;
  }

  private pump(): void {
    while (this.running < this.options.workers && this.waiting.length > 0) {
      const entry = this.waiting.shift() as { message: ShardMessage; receives: number };
      entry.receives += 1;
      this.running += 1;
      void this.options
        .handle(entry.message)
        .catch((error: unknown) => {
          this.options.onError?.(entry.message, error);
          if (entry.receives >= (this.options.maxReceives ?? 5)) {
            this.deadLetters.push({ message: entry.message, error });
            return;
          }
          this.delayed += 1;
          const delay = this.options.retryDelayMs ?? 500;
          const pause = this.options.pause?.(delay) ?? new Promise((resolve) => setTimeout(resolve, delay));
          void pause.then(() => {
            this.delayed -= 1;
            this.waiting.push(entry);
            this.pump();
          });
        })
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }
}
