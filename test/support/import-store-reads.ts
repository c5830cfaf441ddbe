/**
 * What an import left behind, read straight from the embedded DynamoDB and S3 with the
 * real SDK clients: the import tests assess through these, not through the code under test.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { clientsFor } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import type { ImportRecord } from '../../functions/ports/import-store.ts';

/** Every item of the customers table, in a stable order (by `sk` then `pk` when asked). */
export async function customerItems(
  config: LocalConfig,
  order: 'pk' | 'sk+pk' = 'pk',
): Promise<Array<Record<string, unknown>>> {
  const result = await clientsFor(config).dynamodb.send(new ScanCommand({ TableName: config.tables.customers }));
  const key = (item: Record<string, unknown>) => (order === 'pk' ? `${item.pk}` : `${item.sk}${item.pk}`);
  return (result.Items ?? []).map((item) => unmarshall(item)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

export async function importRecords(config: LocalConfig): Promise<ImportRecord[]> {
  const result = await clientsFor(config).dynamodb.send(new ScanCommand({ TableName: config.tables.imports }));
  return (result.Items ?? []).map((item) => unmarshall(item) as ImportRecord);
}

/** The rejects report written beside an upload, one object per line. */
export async function rejectsOf(
  config: LocalConfig,
  bucket: string,
  key: string,
): Promise<Array<Record<string, unknown>>> {
  const object = await clientsFor(config).s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: `reports/${key}.rejects.jsonl` }),
  );
  const text = (await object.Body?.transformToString()) ?? '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
