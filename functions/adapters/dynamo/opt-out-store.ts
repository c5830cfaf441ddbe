/**
 * Opt-outs in the `customers` table: one item per customer and channel, pk `CUSTOMER#<id>`,
 * sk `OPTOUT#<channel>` (channel, time, source, campaign). Written by one conditional put
 * (the first one stays; a repeat or a race changes nothing); segment imports write only
 * `SEGMENT#...` items, so no import can overwrite or undo it. Read before a send with
 * BatchGetItem in pages of 100, and by planning's Scan (customer-reader.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OptOut, OptOutChannel, OptOutStore } from '../../ports/opt-out-store.ts';
import { batchGetItems } from './batch-get.ts';
import { customerPk } from './customer-store.ts';

export const OPT_OUT_SK_PREFIX = 'OPTOUT#';
export const optOutSk = (channel: OptOutChannel) => `${OPT_OUT_SK_PREFIX}${channel}`;

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
    const keys = customerIds.map((id) => ({ pk: customerPk(id), sk: optOutSk(channel) }));
    const items = await batchGetItems(this.documents, this.tableName, keys, {
      projection: 'customerId',
      consistentRead: true,
      sleep: this.sleep,
    });
    return new Set(items.map((item) => String(item.customerId)));
  }
}
