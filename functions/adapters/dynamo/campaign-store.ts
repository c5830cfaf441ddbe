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
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ShardTally } from '../../domain/live-progress.ts';
import type {
  CampaignStore,
  SendState,
  ShardClaim,
  ShardRef,
  StoredSend,
  Touch,
  TouchStore,
} from '../../ports/campaign-store.ts';
import { queryAll } from './all-pages.ts';
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

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/** A send item as the port shows it: the set of finished shard numbers as their count. */
function toSend(item: Record<string, unknown>): StoredSend {
  const { finished, ...rest } = strip<Record<string, unknown>>(item);
  const count = finished instanceof Set ? finished.size : 0;
  return { ...(rest as unknown as StoredSend), ...(count > 0 ? { finishedShards: count } : {}) };
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
    return items.map((item) => toSend(item));
  }

  async getSend(campaignId: string, sendId: string): Promise<StoredSend | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: `SEND#${sendId}` },
        ConsistentRead: true,
      }),
    );
    return result.Item ? toSend(result.Item) : undefined;
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

  async markDispatched(
    campaignId: string,
    sendId: string,
    version: number,
    at: string,
    from: SendState = 'scheduled',
  ): Promise<boolean> {
    return this.moveSend(campaignId, sendId, version, from, 'dispatched', at);
  }

  async markHeld(campaignId: string, sendId: string, version: number): Promise<boolean> {
    return this.moveSend(campaignId, sendId, version, 'scheduled', 'held');
  }

  private async moveSend(
    campaignId: string,
    sendId: string,
    version: number,
    from: SendState,
    to: SendState,
    dispatchedAt?: string,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(campaignId), sk: `SEND#${sendId}` },
          UpdateExpression: dispatchedAt ? 'SET #state = :to, dispatchedAt = :at' : 'SET #state = :to',
          ConditionExpression: '#state = :from AND version = :version',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':to': to,
            ':from': from,
            ':version': version,
            ...(dispatchedAt ? { ':at': dispatchedAt } : {}),
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
          // Taken up again: no longer parked by a pause.
          UpdateExpression:
            'SET #owner = :owner, leaseUntil = :lease, sendId = :sendId, version = :version, #shard = :shard REMOVE #parked',
          ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(done) AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#owner': 'owner', '#shard': 'shard', '#parked': 'parked' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':lease': now + leaseMs,
            ':now': now,
            ':sendId': shard.sendId,
            ':version': shard.version,
            ':shard': shard.shard,
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

  async parkShard(shard: ShardRef, owner: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
        UpdateExpression: 'SET leaseUntil = :zero, #parked = :true',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner', '#parked': 'parked' },
        ExpressionAttributeValues: { ':true': true, ':zero': 0, ':owner': owner },
      }),
    );
  }

  async parkedShards(campaignId: string): Promise<ShardRef[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#parked = :true AND attribute_not_exists(done)',
      ExpressionAttributeNames: { '#parked': 'parked' },
      ExpressionAttributeValues: { ':pk': campaignPk(campaignId), ':prefix': 'SHARD#', ':true': true },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      campaignId,
      version: Number(item.version),
      sendId: String(item.sendId),
      shard: Number(item.shard ?? String(item.sk).split('#').pop()),
    }));
  }

  async countFinishedShard(shard: ShardRef): Promise<{ finished: number; shards: number } | undefined> {
    try {
      // A set of shard numbers, not a counter: a repeated count (a redelivery after a crash) adds nothing.
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(shard.campaignId), sk: `SEND#${shard.sendId}` },
          UpdateExpression: 'ADD #finished :shard',
          ConditionExpression: 'attribute_exists(pk) AND version = :version',
          ExpressionAttributeNames: { '#finished': 'finished' },
          ExpressionAttributeValues: { ':shard': new Set([shard.shard]), ':version': shard.version },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const finished = Attributes?.finished;
      return { finished: finished instanceof Set ? finished.size : 0, shards: Number(Attributes?.shards ?? 0) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async finishShard(shard: ShardRef, owner: string, tally?: ShardTally): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
        UpdateExpression: `SET done = :true, leaseUntil = :zero${tally ? ', tally = :tally' : ''} REMOVE #parked`,
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner', '#parked': 'parked' },
        ExpressionAttributeValues: {
          ':true': true,
          ':zero': 0,
          ':owner': owner,
          ...(tally ? { ':tally': tally } : {}),
        },
      }),
    );
  }

  async reportShard(shard: ShardRef, owner: string, tally: ShardTally): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(shard.campaignId), sk: shardSk(shard) },
          UpdateExpression: 'SET tally = :tally',
          // A finished shard's tally is final; a lease taken over is the new owner's to report.
          ConditionExpression: '#owner = :owner AND attribute_not_exists(done)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':tally': tally, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async shardTallies(campaignId: string, version: number, sendId: string): Promise<ShardTally[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': campaignPk(campaignId), ':prefix': `SHARD#v${version}#${sendId}#` },
      ProjectionExpression: 'tally',
    });
    return items.flatMap((item) => (item.tally ? [item.tally as ShardTally] : []));
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
