/** Who paid since a time: the `lastPaidAt` the order webhook keeps on each customer's `ORDERS` item. */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PurchaseCheck } from '../../ports/ledger.ts';
import { customerPk } from './customer-store.ts';

export const ORDERS_SK = 'ORDERS';

export class DynamoPurchaseCheck implements PurchaseCheck {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async paidSince(customerIds: readonly string[], since: number): Promise<Set<string>> {
    const paid = new Set<string>();
    for (let start = 0; start < customerIds.length; start += 100) {
      let keys: Array<Record<string, unknown>> | undefined = customerIds
        .slice(start, start + 100)
        .map((id) => ({ pk: customerPk(id), sk: ORDERS_SK }));
      while (keys && keys.length > 0) {
        const result: BatchGetCommandOutput = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: 'customerId, lastPaidAt', ConsistentRead: true },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          if (typeof item.lastPaidAt === 'string' && Date.parse(item.lastPaidAt) >= since)
            paid.add(String(item.customerId));
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return paid;
  }
}
