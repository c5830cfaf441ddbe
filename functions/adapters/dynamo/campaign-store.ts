/**
 * Campaigns in DynamoDB (the `campaigns` table, pk `CAMPAIGN#<id>`): one item per send of the
 * approved version (sk `SEND#<sendId>`) and one per shard lease (sk `SHARD#v<version>#<sendId>#<n>`).
 * Touches live in the `touches` table, pk `TOUCH#<campaign>#v<version>#<sendId>#<shard>`, sk the
 * customer id, so a send's 30,000 customers are spread over about 30 partition keys.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CampaignStore, ShardClaim, ShardRef, StoredSend, Touch, TouchStore } from '../../ports/campaign-store.ts';
import { BatchWriter } from './batch-writer.ts';

const campaignPk = (campaignId: string) => `CAMPAIGN#${campaignId}`;
const shardSk = (ref: ShardRef) => `SHARD#v${ref.version}#${ref.sendId}#${ref.shard}`;
export const touchPk = (ref: ShardRef) => `TOUCH#${ref.campaignId}#v${ref.version}#${ref.sendId}#${ref.shard}`;

/** The shard a customer's touch lives in: a stable spread over `shards`. */
export function shardOf(customerId: string, shards: number): number {
  let hash = 2166136261;
  for (let index = 0; index < customerId.length; index += 1) {
    hash = Math.imul(hash ^ customerId.charCodeAt(index), 16777619);
  }
  return (hash >>> 0) % shards;
}

async function queryAll(
  documents: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof QueryCommand>[0],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getSends(campaignId: string): Promise<StoredSend[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
      ExpressionAttributeValues: { ':pk': campaignPk(campaignId), ':send': 'SEND#' },
      ConsistentRead: true,
    });
    return items.map((item) => strip<StoredSend>(item));
  }

  async getSend(campaignId: string, sendId: string): Promise<StoredSend | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: `SEND#${sendId}` },
        ConsistentRead: true,
      }),
    );
    return result.Item ? strip<StoredSend>(result.Item) : undefined;
  }

  async putSends(sends: StoredSend[]): Promise<string[]> {
    // One conditional put each (a campaign has tens of sends, not thousands): a batch write
    // could not refuse to overwrite a send the dispatcher started a moment ago.
    const kept: string[] = [];
    for (const send of sends) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: campaignPk(send.campaignId), sk: `SEND#${send.id}`, ...send },
            ConditionExpression: 'attribute_not_exists(pk) OR #state = :scheduled',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':scheduled': 'scheduled' },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        kept.push(send.id);
      }
    }
    return kept;
  }

  async deleteSends(campaignId: string, sendIds: string[]): Promise<string[]> {
    const kept: string[] = [];
    for (const sendId of sendIds) {
      try {
        await this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: campaignPk(campaignId), sk: `SEND#${sendId}` },
            ConditionExpression: 'attribute_not_exists(pk) OR #state = :scheduled',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':scheduled': 'scheduled' },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        kept.push(sendId);
      }
    }
    return kept;
  }

  async markDispatched(campaignId: string, sendId: string, version: number, at: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(campaignId), sk: `SEND#${sendId}` },
          UpdateExpression: 'SET #state = :dispatched, dispatchedAt = :at',
          ConditionExpression: '#state = :scheduled AND version = :version',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':dispatched': 'dispatched',
            ':scheduled': 'scheduled',
            ':version': version,
            ':at': at,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async claimShard(shard: ShardRef, owner: string, now: number, leaseMs: number): Promise<ShardClaim> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
          UpdateExpression: 'SET #owner = :owner, leaseUntil = :lease, sendId = :sendId, version = :version',
          ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(done) AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':lease': now + leaseMs,
            ':now': now,
            ':sendId': shard.sendId,
            ':version': shard.version,
          },
        }),
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
        ConsistentRead: true,
      }),
    );
    return current.Item?.done ? { kind: 'done' } : { kind: 'busy' };
  }

  async renewShard(shard: ShardRef, owner: string, leaseUntil: number): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
        UpdateExpression: 'SET leaseUntil = :lease',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':lease': leaseUntil, ':owner': owner },
      }),
    );
  }

  async finishShard(shard: ShardRef, owner: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
        UpdateExpression: 'SET done = :true, leaseUntil = :zero',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':true': true, ':zero': 0, ':owner': owner },
      }),
    );
  }

  async finishedShards(campaignId: string, version: number): Promise<Map<string, number>> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': campaignPk(campaignId), ':prefix': `SHARD#v${version}#` },
      ConsistentRead: true,
    });
    const finished = new Map<string, number>();
    for (const item of items) {
      if (item.done) finished.set(String(item.sendId), (finished.get(String(item.sendId)) ?? 0) + 1);
    }
    return finished;
  }
}

export class DynamoTouchStore implements TouchStore {
  private readonly outcomes: BatchWriter;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.outcomes = new BatchWriter({ client, tableName });
  }

  async writeTouches(campaignId: string, version: number, shards: number, touches: Touch[]): Promise<void> {
    const writer = new BatchWriter({ client: this.client, tableName: this.tableName });
    for (const touch of touches) {
      const ref = { campaignId, version, sendId: touch.sendId, shard: shardOf(touch.customerId, shards) };
      await writer.put({ pk: touchPk(ref), sk: touch.customerId, ...touch });
    }
    await writer.flush();
  }

  async readShard(shard: ShardRef): Promise<Touch[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': touchPk(shard) },
      ConsistentRead: true,
    });
    return items.map((item) => strip<Touch>(item));
  }

  async recordOutcome(shard: ShardRef, touch: Touch): Promise<void> {
    await this.outcomes.put({ pk: touchPk(shard), sk: touch.customerId, ...touch });
  }

  async flush(): Promise<void> {
    await this.outcomes.flush();
  }
}
