/**
 * The local import queue: an import event is never lost to a failed delivery. Through the
 * whole stack (s3rver's event, the real import handler, dynalite) for a delivery that meets
 * a live lease; on its own for the receive limit and stopping. Redelivery waits are
 * controlled by the tests, never timed.
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoImportStore } from '../../functions/adapters/dynamo/import-store.ts';
import { LocalImportQueue } from '../../functions/adapters/local/import-queue.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import type { ImportRecord } from '../../functions/ports/import-store.ts';
import { ImportBusyError, rejectsKeyFor } from '../../functions/usecases/import-segment.ts';

/** A generous bound on waiting for an event, so a missing one fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('an upload whose import meets a live lease, on the local stack', () => {
  let stack: LocalStack;
  const logs: string[] = [];
  /** Redelivery waits the queue asked for; each resolves when the test lets it. */
  const waits: Array<{ ms: number; release: () => void }> = [];
  let waitAsked: () => void = () => {};

  beforeAll(async () => {
    stack = await startEphemeralStack({
      dataBucket: 'campaign-data',
      clock: new VirtualClock(Date.parse('2026-10-20T12:00:00+08:00')),
      log: (line) => logs.push(line),
      importQueue: {
        wait: (ms) =>
          new Promise<void>((release) => {
            waits.push({ ms, release });
            waitAsked();
          }),
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is delivered again once the lease has run out, and the import then completes', async () => {
    // Prepare: a run that claimed this very content and crashed, its 10-minute lease still live.
    const key = 'segments/d11-2026/busy.csv';
    const body = 'customer_id,phone\nC1,13800138001\nC2,13800138002\nC3,13800138003\n';
    const etag = createHash('md5').update(body).digest('hex');
    const { documents, s3, dynamodb } = clientsFor(stack.config);
    const imports = new DynamoImportStore(documents, stack.config.tables.imports);
    const claimed = await imports.claim(
      {
        key,
        etag,
        size: Buffer.byteLength(body),
        campaignId: 'd11-2026',
        segment: 'busy',
        rejectsKey: rejectsKeyFor(key),
      },
      'crashed-run',
      Date.now(),
      10 * 60_000,
    );
    const asked = new Promise<void>((resolve) => {
      waitAsked = resolve;
    });

    // Act: the upload's event meets the lease; the queue must keep it for later.
    await s3.send(new PutObjectCommand({ Bucket: stack.config.dataBucket, Key: key, Body: body }));
    await within(asked, 'the queue holding the event back for a redelivery');
    const whileHeld = await imports.get({ key, etag });
    // The crashed run's lease runs out; then the held-back delivery goes.
    await documents.send(
      new UpdateCommand({
        TableName: stack.config.tables.imports,
        Key: { pk: key, sk: etag },
        UpdateExpression: 'SET leaseUntil = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1 },
      }),
    );
    waits[0]?.release();
    const record = await until(async () => {
      const found = await imports.get({ key, etag });
      return found?.status === 'running' ? undefined : found;
    }, 'the redelivered import to finish');

    // Assess
    expect(claimed.kind).toBe('claimed');
    expect(whileHeld, 'the first delivery must not take over a live lease').toMatchObject({
      status: 'running',
      owner: 'crashed-run',
    });
    expect(waits).toHaveLength(1);
    expect(waits[0]!.ms, 'the redelivery waits for the rest of the lease').toBeGreaterThan(5 * 60_000);
    expect(waits[0]!.ms).toBeLessThanOrEqual(10 * 60_000 + 1_000);
    expect(record).toMatchObject<Partial<ImportRecord>>({ status: 'succeeded', rows: 3, imported: 3, invocations: 2 });
    expect(record.owner).not.toBe('crashed-run');
    const items = await dynamodb.send(new ScanCommand({ TableName: stack.config.tables.customers }));
    expect((items.Items ?? []).map((item) => unmarshall(item).customerId).sort()).toEqual(['C1', 'C2', 'C3']);
    expect(logs.some((line) => line.includes(`import: ${key} delivered again`))).toBe(true);
  });
});

describe('LocalImportQueue', () => {
  const immediately = async () => {};

  it('delivers a failed event again after a pause, until it succeeds', async () => {
    // Prepare
    const pauses: number[] = [];
    let calls = 0;
    let succeeded!: () => void;
    const done = new Promise<void>((resolve) => {
      succeeded = resolve;
    });
    const queue = new LocalImportQueue<string>({
      retryDelayMs: 1_234,
      wait: async (ms) => {
        pauses.push(ms);
      },
      handle: async () => {
        calls += 1;
        if (calls < 3) throw new Error('DynamoDB unavailable');
        succeeded();
      },
    });
    // Act
    await queue.deliver('segments/d11-2026/a.csv');
    await within(done, 'the third delivery');
    // Assess
    expect(calls).toBe(3);
    expect(pauses).toEqual([1_234, 1_234]);
    expect(queue.deadLetters).toEqual([]);
  });

  it('waits out the lease an ImportBusyError names before delivering again', async () => {
    // Prepare
    const pauses: number[] = [];
    let calls = 0;
    const queue = new LocalImportQueue<string>({
      leaseMarginMs: 0,
      wait: async (ms) => {
        pauses.push(ms);
      },
      handle: async (key) => {
        calls += 1;
        if (calls === 1) throw new ImportBusyError(key, 42_000);
      },
    });
    // Act
    await queue.deliver('segments/d11-2026/b.csv');
    await within(
      until(async () => (calls === 2 ? true : undefined), 'the second delivery'),
      'the second delivery',
    );
    // Assess
    expect(pauses).toEqual([42_000]);
  });

  it('gives up after the receive limit and keeps the event as a dead letter', async () => {
    // Prepare
    let calls = 0;
    const queue = new LocalImportQueue<string>({
      maxReceives: 3,
      wait: immediately,
      handle: async () => {
        calls += 1;
        throw new Error('always broken');
      },
    });
    // Act
    await queue.deliver('segments/d11-2026/c.csv');
    await within(
      until(async () => (queue.deadLetters.length > 0 ? true : undefined), 'the dead letter'),
      'the dead letter',
    );
    // Assess
    expect(calls).toBe(3);
    expect(queue.deadLetters).toEqual([{ event: 'segments/d11-2026/c.csv', error: new Error('always broken') }]);
  });

  it('drops the redeliveries still waiting when it stops', async () => {
    // Prepare: a real (unref'd) wait far in the future, cut short by stop().
    let calls = 0;
    const queue = new LocalImportQueue<string>({
      retryDelayMs: 60 * 60_000,
      handle: async () => {
        calls += 1;
        throw new Error('broken');
      },
    });
    await queue.deliver('segments/d11-2026/d.csv');
    // Act
    await within(queue.stop(), 'stop');
    // Assess
    expect(calls).toBe(1);
    expect(queue.deadLetters).toEqual([]);
  });
});
