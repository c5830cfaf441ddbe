/**
 * A rate shared by every worker of a channel: one counter item per clock second
 * (`campaigns` table, pk `RATE#<name>`, sk the second) that workers take tokens from in
 * small grants with a conditional update. No second can be granted more than `rate`.
 * The items are left behind: each carries `CAMPAIGNS_TTL_ATTRIBUTE` a day past its second, the
 * attribute the stateful stack enables the table's TTL on, so DynamoDB deletes them (lazily,
 * within days); nothing reads an old second.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CAMPAIGNS_TTL_ATTRIBUTE } from '../../contract.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RateLimiter } from '../../ports/ledger.ts';

/** How long a second's row is kept (TTL, epoch seconds): long after anyone could take from it. */
const ROW_LIFETIME_S = 86_400;
/** A grant is only taken with this much of its second left, so it is used within that second. */
const MIN_MS_LEFT = 150;

/**
 * The latest second known to be used up, per counter (table and name), shared by the
 * limiters of this process: once a second is full nobody here asks the table for it again
 * (several workers of one process wait for the next second without a write each). A
 * second's count only grows, except when a finished worker gives back what it did not use,
 * and that worker clears the mark.
 */
const fullSeconds = new Map<string, number>();

export class DynamoRateLimiter implements RateLimiter {
  private second = -1;
  private tokens = 0;
  private pending: Promise<void> = Promise.resolve();
  /**
   * This worker's own ceiling per second: it falls by 30% when the provider throttles and
   * climbs back by 5% of the rate each second without throttling (AIMD, as TCP and the AWS
   * SDK's adaptive mode do), so a provider slower than the configured rate is met, not fought.
   */
  private ceiling: number;
  private usedThisSecond = 0;
  private throttledThisSecond = false;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly name: string,
    private readonly rate: number,
    private readonly clock: Clock,
    /** Tokens asked for at once: fewer writes, at the cost of fairness between workers. */
    private readonly grant = Math.max(1, Math.min(25, Math.floor(rate / 10))),
  ) {
    this.ceiling = rate;
  }

  throttled(): void {
    this.throttledThisSecond = true;
    this.ceiling = Math.max(1, Math.floor(this.ceiling * 0.7));
    this.tokens = Math.min(this.tokens, Math.max(0, this.ceiling - this.usedThisSecond));
  }

  release(): Promise<void> {
    // Behind any take still queued, like every step of this worker's limiter.
    const next = this.pending.then(() => this.giveBack());
    this.pending = next.catch(() => undefined);
    return next;
  }

  take(): Promise<void> {
    // One taker at a time per worker: callers queue behind each other.
    const next = this.pending.then(() => this.takeOne());
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async takeOne(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const second = Math.floor(now / 1000);
      if (second !== this.second) this.nextSecond(second);
      if (this.usedThisSecond >= this.ceiling) {
        await this.clock.sleepUntil((second + 1) * 1000);
        continue;
      }
      if (this.tokens > 0) {
        this.tokens -= 1;
        this.usedThisSecond += 1;
        return;
      }
      if ((second + 1) * 1000 - now < MIN_MS_LEFT || (fullSeconds.get(this.counter) ?? -1) >= second) {
        await this.clock.sleepUntil((second + 1) * 1000);
        continue;
      }
      const granted = await this.acquire(second, this.ceiling - this.usedThisSecond);
      if (granted > 0 && Math.floor(this.clock.now() / 1000) === second) {
        this.tokens = granted - 1;
        this.usedThisSecond += 1;
        // This worker alone was granted the whole rate: the second is full for everyone.
        if (this.usedThisSecond + this.tokens >= this.rate) this.markFull(second);
        return;
      }
      await this.clock.sleepUntil((second + 1) * 1000);
    }
  }

  private async giveBack(): Promise<void> {
    const unused = this.tokens;
    if (unused <= 0 || Math.floor(this.clock.now() / 1000) !== this.second) return;
    this.tokens = 0;
    if (fullSeconds.get(this.counter) === this.second) fullSeconds.delete(this.counter);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${this.name}`, sk: String(this.second) },
          UpdateExpression: 'ADD used :back',
          ConditionExpression: 'used >= :unused',
          ExpressionAttributeValues: { ':back': -unused, ':unused': unused },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private nextSecond(second: number): void {
    if (!this.throttledThisSecond && this.second >= 0) {
      this.ceiling = Math.min(this.rate, this.ceiling + Math.max(1, Math.floor(this.rate * 0.05)));
    }
    this.second = second;
    this.tokens = 0;
    this.usedThisSecond = 0;
    this.throttledThisSecond = false;
  }

  private get counter(): string {
    return `${this.tableName}|${this.name}`;
  }

  private markFull(second: number): void {
    if ((fullSeconds.get(this.counter) ?? -1) < second) fullSeconds.set(this.counter, second);
  }

  /** Takes up to `most` tokens of `second` (a grant at a time); 0 when the second is used up. */
  private async acquire(second: number, most: number): Promise<number> {
    let want = Math.min(this.grant, this.rate, most);
    for (let attempt = 0; attempt < 3 && want > 0; attempt += 1) {
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: `RATE#${this.name}`, sk: String(second) },
            UpdateExpression: 'ADD used :want SET #expires = :expires',
            ConditionExpression: 'attribute_not_exists(used) OR used <= :most',
            ExpressionAttributeNames: { '#expires': CAMPAIGNS_TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':want': want,
              ':most': this.rate - want,
              ':expires': second + ROW_LIFETIME_S,
            },
          }),
        );
        return want;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${this.name}`, sk: String(second) },
          ConsistentRead: true,
        }),
      );
      want = Math.min(want, this.rate - Number(Item?.used ?? 0));
      if (this.rate - Number(Item?.used ?? 0) <= 0) this.markFull(second);
    }
    return 0;
  }
}
