/**
 * Group commit for one process serving many requests at once (the local HTTP server, a
 * bench): a call goes out at once when nothing is waiting, and calls that arrive while
 * `maxInFlight` batches are out wait and leave together as the next batch. Idle, a call is
 * a batch of one with no added delay; under load, one BatchGetItem or BatchWriteItem does
 * the work of a hundred small requests, which is what bounds the tail latency when the
 * database is the bottleneck. A Lambda container serves one request at a time, so there
 * every batch is of one.
 */

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export interface CoalescerOptions {
  /** Inputs in one batch at most (100 for BatchGetItem). */
  maxBatch: number;
  /** Batches out at once. */
  maxInFlight: number;
}

export class Coalescer<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private inFlight = 0;

  /** `run` answers a batch: one output per input, in the inputs' order. */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: CoalescerOptions,
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      // A batch that fails fails each of its calls: each caller answers its own request.
      this.run(batch.map((call) => call.input))
        .then(
          (outputs) => {
            for (const [index, call] of batch.entries()) call.resolve(outputs[index] as O);
          },
          (error: unknown) => {
            for (const call of batch) call.reject(error);
          },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
