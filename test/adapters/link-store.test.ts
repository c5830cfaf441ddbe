/**
 * The tracked-link store on the local DynamoDB, as the redirect uses it under load: many
 * requests at once in one process, coalesced into batches, still one click per link.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamo/link-store.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import type { Click, LinkRecord } from '../../functions/ports/link-store.ts';

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

/** A store whose clients count the requests by command (`GetCommand`, `BatchGetCommand`, ...). */
function countingStore(): { store: DynamoLinkStore; requests: Map<string, number> } {
  const requests = new Map<string, number>();
  const { dynamodb, documents } = clientsFor(stack.config);
  const counted = <T extends { send: (command: never) => unknown }>(client: T): T =>
    ({
      send: (command: { constructor: { name: string } }) => {
        requests.set(command.constructor.name, (requests.get(command.constructor.name) ?? 0) + 1);
        return (client.send as (c: unknown) => unknown).call(client, command);
      },
    }) as unknown as T;
  const store = new DynamoLinkStore(
    counted(dynamodb) as DynamoDBClient,
    counted(documents) as DynamoDBDocumentClient,
    stack.config.tables.links,
  );
  return { store, requests };
}

const link = (campaignId: string, index: number): LinkRecord => ({
  id: `${campaignId}-link-${index}`,
  campaignId,
  waveId: 'w4-midnight',
  channel: 'sms',
  customerId: `C${index}`,
  sendId: `w4-midnight.sms.g${index % 3}`,
  to: 'https://s.example.cn/d11',
});

const clickOf = ({ to: _to, ...touch }: LinkRecord, at: string): Click => ({ ...touch, at });

describe('the tracked-link store under many requests at once', () => {
  it('answers 300 resolves at once, found and not, in fewer requests than resolves', async () => {
    // Prepare
    const { store, requests } = countingStore();
    const links = Array.from({ length: 300 }, (_, index) => link('resolves', index));
    await store.register(links);
    requests.clear();
    const asked = [...links.map((one) => one.id), 'resolves-link-missing', links[0]?.id as string];

    // Act
    const found = await Promise.all(asked.map((id) => store.resolve(id)));

    // Assess
    expect(found.slice(0, 300)).toEqual(links);
    expect(found[300], 'an id never registered resolves to nothing').toBeUndefined();
    expect(found[301], 'an id asked twice in one batch is answered twice').toEqual(links[0]);
    const sent = [...requests.values()].reduce((sum, count) => sum + count, 0);
    expect(sent, `requests sent: ${JSON.stringify(Object.fromEntries(requests))}`).toBeLessThan(30);
  });

  it('records each of 300 first clicks once, with replays racing them, and keeps the first click', async () => {
    // Prepare: every link clicked three times at once; a fourth replay comes after.
    const { store } = countingStore();
    const links = Array.from({ length: 300 }, (_, index) => link('clicks', index));
    await store.register(links);
    const taps = links.flatMap((one) => [0, 1, 2].map((tap) => clickOf(one, `2026-11-10T16:00:0${tap}.000Z`)));

    // Act
    const outcomes = await Promise.all(taps.map((tap) => store.recordClick(tap)));
    const later = await Promise.all(links.map((one) => store.recordClick(clickOf(one, '2026-11-10T17:00:00.000Z'))));

    // Assess
    const recorded = outcomes.filter((outcome) => outcome === 'recorded').length;
    expect(recorded, 'one recorded outcome per link').toBe(300);
    expect(new Set(later)).toEqual(new Set(['already']));
    const clicks = await store.clicks('clicks');
    expect(clicks).toHaveLength(300);
    expect(new Set(clicks.map((click) => click.at)), 'each click is the first tap').toEqual(
      new Set(['2026-11-10T16:00:00.000Z']),
    );
  });

  it('takes the conditional put for a click alone, so another process racing it still counts once', async () => {
    // Prepare: two stores stand for two Lambda containers, each serving one request.
    const [first, second] = [countingStore(), countingStore()];
    const one = link('alone', 1);
    await first.store.register([one]);
    first.requests.clear();

    // Act
    const outcomes = await Promise.all([
      first.store.recordClick(clickOf(one, '2026-11-10T16:00:00.000Z')),
      second.store.recordClick(clickOf(one, '2026-11-10T16:00:01.000Z')),
    ]);

    // Assess
    expect([...outcomes].sort()).toEqual(['already', 'recorded']);
    expect(first.requests.get('PutCommand')).toBe(1);
    expect(first.requests.has('BatchWriteItemCommand'), 'a click alone is never an unconditional batch write').toBe(
      false,
    );
    expect(await first.store.clicks('alone')).toHaveLength(1);
  });
});
