/** Who paid since a time: the `lastPaidAt` the order webhook keeps on each customer's `ORDERS` item. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PurchaseCheck } from '../../ports/ledger.ts';
import { batchGetItems } from './batch-get.ts';
import { customerPk } from './customer-store.ts';

export const ORDERS_SK = 'ORDERS';

export class DynamoPurchaseCheck implements PurchaseCheck {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async paidSince(customerIds: readonly string[], since: number): Promise<Set<string>> {
    const keys = customerIds.map((id) => ({ pk: customerPk(id), sk: ORDERS_SK }));
    const items = await batchGetItems(this.documents, this.tableName, keys, {
      projection: 'customerId, lastPaidAt',
      consistentRead: true,
    });
    const paid = new Set<string>();
    for (const item of items) {
      if (typeof item.lastPaidAt === 'string' && Date.parse(item.lastPaidAt) >= since)
        paid.add(String(item.customerId));
    }
    return paid;
  }
}
