/**
 * BatchGetItem with the rules DynamoDB imposes: at most 100 keys a request, no key twice in
 * one, and UnprocessedKeys (throttling) tried again with jittered backoff, then given up on
 * loudly rather than answered as if the item were absent.
 */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const BATCH_GET_SIZE = 100;
const MAX_ATTEMPTS = 10;

export type ItemKey = { pk: string; sk: string };

export interface BatchGetOptions {
  /** Only these attributes (the key attributes come back only if named). */
  projection?: string;
  consistentRead?: boolean;
  /** Waits between tries (ms); replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every item of `keys` that exists, in no particular order (duplicate keys are read once). */
export async function batchGetItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: BatchGetOptions = {},
): Promise<Array<Record<string, unknown>>> {
  const unique = [...new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()];
  const items: Array<Record<string, unknown>> = [];
  const sleep = options.sleep ?? pause;
  for (let start = 0; start < unique.length; start += BATCH_GET_SIZE) {
    let page: Array<Record<string, unknown>> | undefined = unique.slice(start, start + BATCH_GET_SIZE);
    for (let attempt = 1; page && page.length > 0; attempt += 1) {
      const result: BatchGetCommandOutput = await documents.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: page,
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              ...(options.consistentRead ? { ConsistentRead: true } : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      page = result.UnprocessedKeys?.[tableName]?.Keys;
      if (!page?.length) break;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGetItem on ${tableName} left ${page.length} keys unread`);
      await sleep(Math.random() * Math.min(2000, 25 * 2 ** attempt));
    }
  }
  return items;
}
