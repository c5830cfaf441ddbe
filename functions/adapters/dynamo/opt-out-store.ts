/**
 * Opt-outs in the `customers` table: one item per customer and channel, pk `CUSTOMER#<id>`,
 * sk `OPTOUT#<channel>` (channel, time, source, campaign). Written by one conditional put
 * (the first one stays; a repeat or a race changes nothing); segment imports write only
 * `SEGMENT#...` items, so no import can overwrite or undo it. Read before a send with
 * BatchGetItem in pages of 100, and by planning's Scan (customer-reader.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OptOut, OptOutChannel, OptOutStore } from '../../ports/opt-out-store.ts';
import { customerPk } from './customer-store.ts';

export const OPT_OUT_SK_PREFIX = 'OPTOUT#';
export const optOutSk = (channel: OptOutChannel) => `${OPT_OUT_SK_PREFIX}${channel}`;

/** BatchGetItem takes at most 100 keys. */
const PAGE = 100;
const MAX_ATTEMPTS = 10;

export class DynamoOptOutStore implements OptOutStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async record(optOut: OptOut): Promise<'recorded' | 'already'> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: customerPk(optOut.customerId),
            sk: optOutSk(optOut.channel),
            type: 'opt-out',
            customerId: optOut.customerId,
            channel: optOut.channel,
            campaignId: optOut.campaignId,
            at: optOut.at,
            source: optOut.source,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already';
      throw error;
    }
  }

  async optedOut(customerIds: readonly string[], channel: OptOutChannel): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(customerIds)];
    for (let start = 0; start < unique.length; start += PAGE) {
      let keys: Array<Record<string, unknown>> | undefined = unique
        .slice(start, start + PAGE)
        .map((id) => ({ pk: customerPk(id), sk: optOutSk(channel) }));
      for (let attempt = 1; keys && keys.length > 0; attempt += 1) {
        const result: BatchGetCommandOutput = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: 'customerId', ConsistentRead: true },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.add(String(item.customerId));
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys;
        if (!keys?.length) break;
        // Unprocessed keys are throttling: retry them with jittered backoff, then give up loudly.
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`BatchGetItem on ${this.tableName} left ${keys.length} keys unread`);
        await this.sleep(Math.random() * Math.min(2000, 25 * 2 ** attempt));
      }
    }
    return found;
  }
}
