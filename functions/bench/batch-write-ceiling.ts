/**
 * The raw BatchWriteItem ceiling of a database: pre-built segment items written with the
 * same client settings, batch size and concurrency the import uses, and nothing else.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriter } from '../adapters/dynamo/batch-writer.ts';
import { segmentItem } from '../adapters/dynamo/customer-store.ts';

export async function batchWriteCeiling(client: DynamoDBClient, tableName: string, items: number): Promise<number> {
  const prepared = Array.from({ length: items }, (_, index) =>
    segmentItem(
      {
        customer: {
          customerId: `R${String(index).padStart(8, '0')}`,
          phone: '+8613800138000',
          email: 'someone@qq.com',
          name: '王芳',
          device: 'mobile',
          lastOrderAt: Date.parse('2026-08-03T13:15:00Z'),
          orderCount: 3,
          totalSpend: 1299.5,
          d11Years: [2024, 2025],
          segment: 'ceiling',
        },
        campaignId: 'bench',
        label: 'ceiling',
        source: { key: 'segments/bench/ceiling.csv', etag: 'ceiling', line: index + 2 },
      },
      '2026-10-20T04:00:00.000Z',
    ),
  );
  const writer = new BatchWriter({ client, tableName });
  const started = performance.now();
  for (const item of prepared) await writer.put(item);
  await writer.flush();
  return items / ((performance.now() - started) / 1000);
}
