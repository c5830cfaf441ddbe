/**
 * Customers in DynamoDB (the `customers` table). One item per customer per segment file
 * label: pk `CUSTOMER#<id>`, sk `SEGMENT#<campaignId>#<label>`. A customer in two files has
 * two items (labels are never lost); the same file again writes the same items (the same
 * state). Order-webhook stats live in their own item (sk `ORDERS`) that imports never
 * touch, so a re-import cannot clobber them.
 */
import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CustomerStore, CustomerWriter, SegmentRow } from '../../ports/customer-store.ts';
import { BatchWriter } from './batch-writer.ts';
import { toItem } from './marshalling.ts';

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

  /**
   * A writer for rows written by many writers at once (the Distributed Map's batches): each
   * row is one conditional put that stands only if no later line of the same import holds the
   * item, so the file's last row of a customer wins whatever order the batches land in, and a
   * batch written again (a retry, a redrive) changes nothing. BatchWriteItem cannot carry a
   * condition; the write units are the same (one per item up to 1 KB).
   */
  openLastLineWinsWriter(concurrency = 32): CustomerWriter & { readonly written: number } {
    const importedAt = new Date(this.clock()).toISOString();
    const running = new Set<Promise<void>>();
    let failure: unknown;
    let written = 0;
    const put = async (row: SegmentRow) => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: toItem(segmentItem(row, importedAt)),
            ConditionExpression:
              'attribute_not_exists(pk) OR sourceKey <> :key OR sourceEtag <> :etag OR sourceLine <= :line',
            ExpressionAttributeValues: toItem({
              ':key': row.source.key,
              ':etag': row.source.etag,
              ':line': row.source.line,
            }),
          }),
        );
        written += 1;
      } catch (error) {
        // A later row of this import already holds the item: it wins, as it would in file order.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    };
    return {
      write: async (row) => {
        if (failure !== undefined) throw failure;
        while (running.size >= concurrency) await Promise.race(running);
        const task = put(row).catch((error: unknown) => {
          failure ??= error;
        });
        running.add(task);
        void task.finally(() => running.delete(task));
      },
      flush: async () => {
        await Promise.all(running);
        if (failure !== undefined) throw failure;
      },
      get written() {
        return written;
      },
    };
  }

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
