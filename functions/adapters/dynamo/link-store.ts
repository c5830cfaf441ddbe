/**
 * Tracked links in the `links` table, the one table the public redirect may touch:
 *   - a link: pk `LINK#<id>`, sk `LINK`, written by the send path (BatchWriteItem) before its
 *     message leaves; the same touch writes the same item again, so re-staging is harmless;
 *   - a click: pk `CLICK#<campaign>`, sk `<id>`, one conditional put (the first stays; a replay
 *     or a race of two requests changes nothing), kept apart from the link so that a link
 *     written again never erases its click. One partition per campaign: DynamoDB splits a hot
 *     one by sort key, and the report reads a campaign's clicks with one Query.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Click, LinkRecord, LinkStore } from '../../ports/link-store.ts';
import { BatchWriter } from './batch-writer.ts';

const LINK_SK = 'LINK';
export const linkPk = (id: string) => `LINK#${id}`;
export const clickPk = (campaignId: string) => `CLICK#${campaignId}`;

export class DynamoLinkStore implements LinkStore {
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

  async resolve(id: string): Promise<LinkRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: linkPk(id), sk: LINK_SK } }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...link } = Item;
    return link as LinkRecord;
  }

  async recordClick(click: Click): Promise<'recorded' | 'already'> {
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
    const clicks: Click[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': clickPk(campaignId) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const { pk: _pk, sk: _sk, ...click } of page.Items ?? []) clicks.push(click as Click);
      start = page.LastEvaluatedKey;
    } while (start);
    return clicks;
  }
}
