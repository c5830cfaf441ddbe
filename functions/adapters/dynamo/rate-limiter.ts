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
      if ((second + 1) * 1000 - now < MIN_MS_LEFT) {
        await this.clock.sleepUntil((second + 1) * 1000);
        continue;
      }
      const granted = await this.acquire(second, this.ceiling - this.usedThisSecond);
      if (granted > 0 && Math.floor(this.clock.now() / 1000) === second) {
        this.tokens = granted - 1;
        this.usedThisSecond += 1;
        return;
      }
      await this.clock.sleepUntil((second + 1) * 1000);
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
    }
    return 0;
  }
}
