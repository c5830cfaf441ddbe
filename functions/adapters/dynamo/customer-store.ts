/**
 * Customers in DynamoDB (the `customers` table). One item per customer per segment file
 * label: pk `CUSTOMER#<id>`, sk `SEGMENT#<campaignId>#<label>`. A customer in two files has
 * two items (labels are never lost); the same file again writes the same items (the same
 * state). Order-webhook stats live in their own item (sk `ORDERS`) that imports never
 * touch, so a re-import cannot clobber them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomerStore, CustomerWriter, SegmentRow } from '../../ports/customer-store.ts';
import { BatchWriter } from './batch-writer.ts';

export const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
export const segmentSk = (campaignId: string, label: string) => `SEGMENT#${campaignId}#${label}`;

/** The stored form of a segment row. */
export function segmentItem(row: SegmentRow, importedAt: string): Record<string, unknown> & { pk: string; sk: string } {
  const { customer } = row;
  return {
    pk: customerPk(customer.customerId),
    sk: segmentSk(row.campaignId, row.label),
    type: 'segment',
    customerId: customer.customerId,
    campaignId: row.campaignId,
    label: row.label,
    phone: customer.phone,
    email: customer.email,
    name: customer.name,
    device: customer.device,
    lastOrderAt: customer.lastOrderAt === undefined ? undefined : new Date(customer.lastOrderAt).toISOString(),
    orderCount: customer.orderCount,
    totalSpend: customer.totalSpend,
    d11Years: customer.d11Years.length > 0 ? customer.d11Years : undefined,
    unpaidOrder: customer.unpaidOrder,
    optOutSms: customer.optOutSms,
    optOutEmail: customer.optOutEmail,
    tier: customer.tier,
    sourceKey: row.source.key,
    sourceEtag: row.source.etag,
    sourceLine: row.source.line,
    importedAt,
  };
}

export class DynamoCustomerStore implements CustomerStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  openWriter(): CustomerWriter & { readonly written: number } {
    const writer = new BatchWriter({ client: this.client, tableName: this.tableName });
    const importedAt = new Date(this.clock()).toISOString();
    return {
      write: (row) => writer.put(segmentItem(row, importedAt)),
      flush: () => writer.flush(),
      get written() {
        return writer.written;
      },
    };
  }
}
