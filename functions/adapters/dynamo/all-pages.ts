/**
 * Every item a Query or a Scan finds, page after page (each page at most 1 MB), for the
 * reads that want a whole partition or a whole small table. The customers table's Scan
 * (customer-reader.ts) streams its pages in parallel segments instead.
 */
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

async function allPages(
  read: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await read(start);
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export function queryAll(
  documents: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof QueryCommand>[0],
): Promise<Item[]> {
  return allPages((start) => documents.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
}

export function scanAll(
  documents: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof ScanCommand>[0],
): Promise<Item[]> {
  return allPages((start) => documents.send(new ScanCommand({ ...input, ExclusiveStartKey: start })));
}
