/**
 * BatchWriteItem with the rules DynamoDB imposes: 25 items a request, no key twice in a
 * request, UnprocessedItems retried with backoff, bounded concurrency. Writes of the same
 * key never race: a batch waits for an earlier in-flight batch holding any of its keys,
 * so the last write of a key is the one that stays.
 */
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { toItem } from './marshalling.ts';

export const BATCH_SIZE = 25;

export interface BatchWriterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Batches in flight at once. */
  concurrency?: number;
  /** Tries for one batch's unprocessed items before giving up. */
  maxAttempts?: number;
  /** Waits between tries (ms); replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export class BatchWriteError extends Error {
  constructor(tableName: string, unprocessed: number) {
    super(`BatchWriteItem on ${tableName} left ${unprocessed} items unprocessed after every retry`);
    this.name = 'BatchWriteError';
  }
}

type Item = Record<string, unknown> & { pk: string; sk: string };

export class BatchWriter {
  private pending = new Map<string, Item>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Items confirmed written. */
  written = 0;

  constructor(private readonly options: BatchWriterOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async put(item: Item): Promise<void> {
    this.throwIfFailed();
    const key = `${item.pk}\u0000${item.sk}`;
    // The same key again before its batch left: the later item replaces it (last wins).
    this.pending.delete(key);
    this.pending.set(key, item);
    if (this.pending.size >= BATCH_SIZE) await this.dispatch();
  }

  /** Sends what is pending and waits until everything written so far is durable. */
  async flush(): Promise<void> {
    if (this.pending.size > 0) await this.dispatch();
    await Promise.all(this.running);
    this.throwIfFailed();
  }

  private async dispatch(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    while (this.running.size >= this.concurrency) await Promise.race(this.running);
    const earlier = [...batch.keys()].map((key) => this.inFlight.get(key)).filter((p) => p !== undefined);
    const task = (async () => {
      if (earlier.length > 0) await Promise.all(earlier);
      await this.send([...batch.values()]);
    })();
    const tracked = task.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.running.add(tracked);
    for (const key of batch.keys()) this.inFlight.set(key, tracked);
    void tracked.finally(() => {
      this.running.delete(tracked);
      for (const key of batch.keys()) if (this.inFlight.get(key) === tracked) this.inFlight.delete(key);
    });
    this.throwIfFailed();
  }

  private async send(items: Item[]): Promise<void> {
    let requests: WriteRequest[] = items.map((item) => ({
      PutRequest: { Item: toItem(item) },
    }));
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      const result = await this.options.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.options.tableName]: requests } }),
      );
      const unprocessed = result.UnprocessedItems?.[this.options.tableName] ?? [];
      this.written += requests.length - unprocessed.length;
      requests = unprocessed;
      if (requests.length === 0) return;
      if (attempt >= this.maxAttempts) throw new BatchWriteError(this.options.tableName, requests.length);
      // Full jitter, capped: throttled partitions recover in about a second.
      await this.sleep(Math.random() * Math.min(2000, 25 * 2 ** attempt));
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
