/**
 * Tracked links in the `links` table, the one table the public redirect may touch:
 *   - a link: pk `LINK#<id>`, sk `LINK`, written by the send path (BatchWriteItem) before its
 *     message leaves; the same touch writes the same item again, so re-staging is harmless;
 *   - a click: pk `CLICK#<campaign>`, sk `<id>`, one conditional put (the first stays; a replay
 *     or a race of two requests changes nothing), kept apart from the link so that a link
 *     written again never erases its click. One partition per campaign: DynamoDB splits a hot
 *     one by sort key, and the report reads a campaign's clicks with one Query.
 *
 * The redirect's reads and click writes go through a coalescer (coalescer.ts): alone, a
 * resolve is one GetItem and a click one conditional PutItem; under load in one process,
 * the waiting resolves are one BatchGetItem, and the waiting clicks one consistent
 * BatchGetItem of their CLICK items and one BatchWriteItem of the absent ones. BatchWrite
 * has no condition, so two writers of one click must never be in flight at once: a click
 * already waiting or out in this process is answered `already` once the first is written,
 * and a batch of more than one only happens in one process serving many requests (the
 * local server), never on Lambda, whose container serves one request at a time and so
 * always takes the conditional put.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Click, LinkRecord, LinkStore } from '../../ports/link-store.ts';
import { queryAll } from './all-pages.ts';
import { BATCH_GET_SIZE, batchGetItems } from './batch-get.ts';
import { BatchWriter } from './batch-writer.ts';
import { Coalescer } from './coalescer.ts';

const LINK_SK = 'LINK';
export const linkPk = (id: string) => `LINK#${id}`;
export const clickPk = (campaignId: string) => `CLICK#${campaignId}`;
/** One click's item key as one string: the pending map's key and the batch's lookup. */
const clickKey = (click: Pick<Click, 'campaignId' | 'id'>) => `${clickPk(click.campaignId)}\u0000${click.id}`;

type ClickOutcome = 'recorded' | 'already';

/**
 * Batches out at once. One gathers the largest batches: measured on the embedded stack
 * (50 connections), 1 gave 1,790 redirects/s and p99 62 ms, 2 gave 1,460/s, 4 1,080/s,
 * 8 960/s and p99 126 ms: the database, not the wait, is what a request queues for.
 */
const IN_FLIGHT = 1;

export class DynamoLinkStore implements LinkStore {
  private readonly resolves = new Coalescer<string, LinkRecord | undefined>((ids) => this.resolveBatch(ids), {
    maxBatch: BATCH_GET_SIZE,
    maxInFlight: IN_FLIGHT,
  });
  private readonly clickWrites = new Coalescer<Click, ClickOutcome>((clicks) => this.recordBatch(clicks), {
    maxBatch: BATCH_GET_SIZE,
    maxInFlight: IN_FLIGHT,
  });
  /** Clicks waiting or out, by `CLICK` key: a second one of the same key waits for the first. */
  private readonly clicksPending = new Map<string, Promise<ClickOutcome>>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async register(links: readonly LinkRecord[]): Promise<void> {
    if (links.length === 0) return;
    const writer = new BatchWriter({ client: this.client, tableName: this.tableName });
    for (const link of links) await writer.put({ pk: linkPk(link.id), sk: LINK_SK, ...link });
    await writer.flush();
  }

  resolve(id: string): Promise<LinkRecord | undefined> {
    return this.resolves.call(id);
  }

  recordClick(click: Click): Promise<ClickOutcome> {
    const key = clickKey(click);
    const earlier = this.clicksPending.get(key);
    if (earlier) return earlier.then(() => 'already');
    const outcome = this.clickWrites.call(click);
    this.clicksPending.set(key, outcome);
    const forget = () => {
      if (this.clicksPending.get(key) === outcome) this.clicksPending.delete(key);
    };
    outcome.then(forget, forget);
    return outcome;
  }

  private async resolveBatch(ids: string[]): Promise<Array<LinkRecord | undefined>> {
    if (ids.length === 1) {
      const { Item } = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: linkPk(ids[0] as string), sk: LINK_SK } }),
      );
      return [Item ? linkOf(Item) : undefined];
    }
    const items = await batchGetItems(
      this.documents,
      this.tableName,
      ids.map((id) => ({ pk: linkPk(id), sk: LINK_SK })),
    );
    const found = new Map(items.map((item) => [String(item.id), linkOf(item)]));
    return ids.map((id) => found.get(id));
  }

  private async recordBatch(clicks: Click[]): Promise<ClickOutcome[]> {
    if (clicks.length === 1) return [await this.recordOne(clicks[0] as Click)];
    const present = new Set(
      (
        await batchGetItems(
          this.documents,
          this.tableName,
          clicks.map((click) => ({ pk: clickPk(click.campaignId), sk: click.id })),
          { projection: 'pk, sk', consistentRead: true },
        )
      ).map((item) => `${item.pk}\u0000${item.sk}`),
    );
    const outcomes = clicks.map((click): ClickOutcome => (present.has(clickKey(click)) ? 'already' : 'recorded'));
    const writer = new BatchWriter({ client: this.client, tableName: this.tableName });
    for (const [index, click] of clicks.entries()) {
      if (outcomes[index] === 'recorded') await writer.put({ pk: clickPk(click.campaignId), sk: click.id, ...click });
    }
    await writer.flush();
    return outcomes;
  }

  private async recordOne(click: Click): Promise<ClickOutcome> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: clickPk(click.campaignId), sk: click.id, ...click },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already';
      throw error;
    }
  }

  async clicks(campaignId: string): Promise<Click[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': clickPk(campaignId) },
    });
    return items.map(({ pk: _pk, sk: _sk, ...click }) => click as unknown as Click);
  }
}

function linkOf(item: Record<string, unknown>): LinkRecord {
  const { pk: _pk, sk: _sk, ...link } = item;
  return link as unknown as LinkRecord;
}
