/**
 * Reading a whole partition or table page by page on the local DynamoDB: pages cut small
 * (Limit) so every read takes several, and nothing is lost or read twice at the page edges.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAll, scanAll } from '../../functions/adapters/dynamo/all-pages.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock: new VirtualClock(Date.parse('2026-11-11T00:00:00+08:00')),
  });
});

afterAll(async () => {
  await stack.stop();
});

describe('all pages of a read', () => {
  it('a Query and a Scan cut into pages of 3 return every item once', async () => {
    // Prepare: 11 items in one partition of the links table, 4 in another.
    const { documents } = clientsFor(stack.config);
    const table = stack.config.tables.links;
    const items = [
      ...Array.from({ length: 11 }, (_, index) => ({ pk: 'PAGES#a', sk: `s${String(index).padStart(2, '0')}` })),
      ...Array.from({ length: 4 }, (_, index) => ({ pk: 'PAGES#b', sk: `s${index}` })),
    ];
    await documents.send(
      new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }),
    );

    // Act
    const queried = await queryAll(documents, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PAGES#a' },
      Limit: 3,
    });
    const scanned = await scanAll(documents, {
      TableName: table,
      FilterExpression: 'begins_with(pk, :pages)',
      ExpressionAttributeValues: { ':pages': 'PAGES#' },
      Limit: 3,
    });

    // Assess
    expect(
      queried.map((item) => item.sk),
      'the partition in sort-key order, across 4 pages',
    ).toEqual(items.slice(0, 11).map((item) => item.sk));
    expect(scanned.map((item) => `${item.pk}/${item.sk}`).sort(), 'both partitions, each item once').toEqual(
      items.map((item) => `${item.pk}/${item.sk}`).sort(),
    );
  });
});
