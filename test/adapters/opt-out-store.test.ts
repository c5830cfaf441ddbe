/** The opt-out record on the local DynamoDB: one conditional put, read back in pages of 100. */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOptOutStore } from '../../functions/adapters/dynamo/opt-out-store.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import type { OptOut } from '../../functions/ports/opt-out-store.ts';

let stack: LocalStack;
let store: DynamoOptOutStore;

beforeAll(async () => {
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock: new VirtualClock(Date.parse('2026-10-25T10:00:00+08:00')),
  });
  store = new DynamoOptOutStore(clientsFor(stack.config).documents, stack.config.tables.customers);
});

afterAll(async () => {
  await stack.stop();
});

const optOut = (customerId: string, extra: Partial<OptOut> = {}): OptOut => ({
  customerId,
  channel: 'email',
  campaignId: 'd11-2026',
  at: '2026-10-25T02:00:00.000Z',
  source: 'one-click',
  ...extra,
});

describe('the opt-out record', () => {
  it('is recorded once: a repeat says already and keeps the first record', async () => {
    // Act
    const first = await store.record(optOut('R1'));
    const second = await store.record(optOut('R1', { at: '2026-10-26T00:00:00.000Z', source: 'page' }));

    // Assess
    expect([first, second]).toEqual(['recorded', 'already']);
    const { Responses } = await clientsFor(stack.config).documents.send(
      new BatchGetCommand({
        RequestItems: { [stack.config.tables.customers]: { Keys: [{ pk: 'CUSTOMER#R1', sk: 'OPTOUT#email' }] } },
      }),
    );
    expect(Responses?.[stack.config.tables.customers]).toEqual([
      expect.objectContaining({ at: '2026-10-25T02:00:00.000Z', source: 'one-click' }),
    ]);
  });

  it('tells which of 250 customers opted out, across BatchGetItem pages of 100', async () => {
    // Prepare: every 7th of 250 customers opted out; the ids repeat, as touches of a shard can.
    const ids = Array.from({ length: 250 }, (_, index) => `M${index}`);
    const expected = ids.filter((_, index) => index % 7 === 3);
    for (const id of expected) await store.record(optOut(id));
    const pages: number[] = [];
    const documents = clientsFor(stack.config).documents;
    const counting = {
      send: (command: BatchGetCommand) => {
        pages.push(command.input.RequestItems?.[stack.config.tables.customers]?.Keys?.length ?? 0);
        return documents.send(command);
      },
    } as unknown as DynamoDBDocumentClient;
    const reader = new DynamoOptOutStore(counting, stack.config.tables.customers);

    // Act
    const found = await reader.optedOut([...ids, ...ids.slice(0, 10)], 'email');

    // Assess
    expect([...found].sort()).toEqual([...expected].sort());
    expect(pages).toEqual([100, 100, 50]);
  });

  it('retries the keys DynamoDB left unprocessed (throttling) until all are read', async () => {
    // Prepare: the first answer leaves every key unprocessed, as a throttled table does.
    await store.record(optOut('U1'));
    const documents = clientsFor(stack.config).documents;
    let calls = 0;
    const throttledOnce = {
      send: (command: BatchGetCommand) => {
        calls += 1;
        if (calls === 1) return Promise.resolve({ Responses: {}, UnprocessedKeys: command.input.RequestItems });
        return documents.send(command);
      },
    } as unknown as DynamoDBDocumentClient;
    const reader = new DynamoOptOutStore(throttledOnce, stack.config.tables.customers, async () => {});

    // Act
    const found = await reader.optedOut(['U1', 'U2'], 'email');

    // Assess
    expect([...found]).toEqual(['U1']);
    expect(calls).toBe(2);
  });

  it('reads nothing for no customers', async () => {
    // Act / Assess
    expect(await store.optedOut([], 'email')).toEqual(new Set());
  });
});
