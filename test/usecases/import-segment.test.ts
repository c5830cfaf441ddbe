import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalServers, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { clientsFor, importDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import { handler } from '../../functions/handlers/import-segment.ts';
import type { CustomerStore, SegmentRow } from '../../functions/ports/customer-store.ts';
import {
  ImportBusyError,
  type ImportSegmentDeps,
  importSegment,
  parseSegmentKey,
  rejectsKeyFor,
} from '../../functions/usecases/import-segment.ts';
import { customerItems, importRecords, rejectsOf } from '../support/import-store-reads.ts';
import { freshImportConfig } from '../support/import-tables.ts';

const BUCKET = 'campaign-data';
const HEADER = 'customer_id,phone,email,name,device,unpaid_order';
const silent = { info: () => {}, warn: () => {} };
let servers: LocalServers;
let onEvent: (event: unknown) => Promise<unknown> = async () => undefined;
let config: LocalConfig;

beforeAll(async () => {
  servers = await startLocalServers({
    bucket: BUCKET,
    onObjectCreated: async (event) => {
      await onEvent(event);
    },
  });
});

afterAll(async () => {
  await servers.stop();
});

beforeEach(async () => {
  // Prepare (every test): its own tables, and the handler's environment pointing at them.
  config = await freshImportConfig(servers, BUCKET);
  onEvent = async () => undefined;
});

function csv(...rows: string[]): string {
  return `${[HEADER, ...rows].join('\n')}\n`;
}

async function upload(key: string, body: string | Uint8Array): Promise<void> {
  await clientsFor(config).s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** An S3 notification as AWS sends it: the key URL-encoded, spaces as `+`. */
function awsEvent(key: string) {
  const encoded = encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
  return { Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: BUCKET }, object: { key: encoded } } }] };
}

function deps(overrides: Partial<ImportSegmentDeps> = {}): ImportSegmentDeps {
  return {
    ...importDependencies(config, { log: silent, deliverLocally: async () => undefined }),
    checkpointEveryRows: 2,
    ...overrides,
  };
}

/** A run that claimed the file's current content and crashed: its lease is live for `leaseMs`. */
async function crashedRunHolds(key: string, leaseMs: number): Promise<{ etag: string }> {
  const object = await deps().storage.head(key);
  if (!object) throw new Error(`no object ${key}`);
  const target = parseSegmentKey(key);
  const claim = await deps().imports.claim(
    { ...object, campaignId: target?.campaignId ?? '', segment: target?.label ?? '', rejectsKey: rejectsKeyFor(key) },
    'crashed-run',
    Date.now(),
    leaseMs,
  );
  if (claim.kind !== 'claimed') throw new Error(`could not set up the crashed run: ${claim.kind}`);
  return { etag: object.etag };
}

/** Time has passed: the lease of whoever holds the import has run out. */
async function leaseRunsOut(key: string, etag: string): Promise<void> {
  await clientsFor(config).documents.send(
    new UpdateCommand({
      TableName: config.tables.imports,
      Key: { pk: key, sk: etag },
      UpdateExpression: 'SET leaseUntil = :past',
      ExpressionAttributeValues: { ':past': Date.now() - 1 },
    }),
  );
}

/** Polls for what an event handler leaves behind; only the test's own time limit bounds it, however slow the machine. */
async function until<T>(probe: () => Promise<T | undefined>, _what?: string): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('segment import through S3 events', () => {
  it('imports an uploaded file: rows in DynamoDB, a rejects report, one import record', async () => {
    // Prepare
    const done = new Promise<unknown>((resolve) => {
      onEvent = (event) => handler(event).then(resolve, resolve);
    });
    const key = 'segments/d11-2026/vip.csv';

    // Act
    await upload(key, csv('C1,13800138000,a@qq.com,王芳,pc,TRUE', 'C2,12345,b@qq.com,李雷,tablet,', 'C3,,,,,'));
    await done;

    // Assess
    const items = await customerItems(config);
    expect(items.map((item) => [item.pk, item.sk, item.phone, item.device, item.unpaidOrder])).toEqual([
      ['CUSTOMER#C1', 'SEGMENT#d11-2026#vip', '+8613800138000', 'pc', true],
      ['CUSTOMER#C3', 'SEGMENT#d11-2026#vip', undefined, 'mobile', undefined],
    ]);
    expect(await rejectsOf(config, BUCKET, key)).toEqual([
      {
        file: key,
        line: 3,
        customerId: 'C2',
        problems: [
          { column: 'phone', reason: expect.stringContaining('"12345"') },
          { column: 'device', reason: expect.stringContaining('"tablet"') },
        ],
      },
    ]);
    expect(await importRecords(config)).toEqual([
      expect.objectContaining({
        key,
        status: 'succeeded',
        rows: 3,
        imported: 2,
        rejected: 1,
        repeats: 0,
        campaignId: 'd11-2026',
        segment: 'vip',
        encoding: 'utf-8',
        invocations: 1,
      }),
    ]);
  });

  it('gives the same state and one record when the same event arrives twice at once', async () => {
    // Prepare
    const key = 'segments/d11-2026/twice.csv';
    await upload(key, csv('C1,13800138000,,,,', 'C2,13800138001,,,,', 'C1,13800138002,,,,'));

    // Act: two deliveries race; the loser finds the import running (retry later) or done.
    const results = await Promise.allSettled([handler(awsEvent(key)), handler(awsEvent(key))]);
    await handler(awsEvent(key));

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    const items = await customerItems(config);
    expect(items.map((item) => [item.customerId, item.phone])).toEqual([
      ['C1', '+8613800138002'],
      ['C2', '+8613800138001'],
    ]);
    const records = await importRecords(config);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'succeeded', rows: 3, imported: 2, repeats: 1, invocations: 1 });
  });

  it('changes nothing when the same bytes are uploaded again', async () => {
    // Prepare
    const key = 'segments/d11-2026/again.csv';
    const body = csv('C1,13800138000,,,,');
    await upload(key, body);
    await handler(awsEvent(key));
    const before = await customerItems(config);

    // Act
    await upload(key, body);
    const outcome = await importSegment(deps(), { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });

    // Assess
    expect(outcome.kind).toBe('duplicate');
    expect(await customerItems(config)).toEqual(before);
    expect(await importRecords(config)).toHaveLength(1);
  });

  it('reads a GB18030 file as Excel on Chinese Windows saves it', async () => {
    // Prepare
    const key = 'segments/d11-2026/excel.csv';
    await upload(key, iconv.encode(csv('C1,13800138000,,欧阳娜,,是', 'C2,13800138001,,王芳,,否'), 'gb18030'));

    // Act
    await handler(awsEvent(key));

    // Assess
    expect((await customerItems(config)).map((item) => [item.name, item.unpaidOrder])).toEqual([
      ['欧阳娜', true],
      ['王芳', false],
    ]);
    expect((await importRecords(config))[0]).toMatchObject({ encoding: 'gb18030', imported: 2 });
  });

  it('imports a CSV with CR-only line ends (Excel for Mac): every row, phones and emails as values', async () => {
    // Prepare
    const key = 'segments/d11-2026/mac.csv';
    const rows = [HEADER, 'C1,13800138000,a@qq.com,王芳,pc,TRUE', 'C2,13900139000,b@qq.com,李雷,,'];
    await upload(key, Buffer.from(`${rows.join('\r')}\r`, 'utf8'));

    // Act
    await handler(awsEvent(key));

    // Assess
    const items = await customerItems(config);
    expect(items.map((item) => [item.customerId, item.phone, item.email, item.name])).toEqual([
      ['C1', '+8613800138000', 'a@qq.com', '王芳'],
      ['C2', '+8613900139000', 'b@qq.com', '李雷'],
    ]);
    expect(await rejectsOf(config, BUCKET, key)).toEqual([]);
    expect((await importRecords(config))[0]).toMatchObject({
      status: 'succeeded',
      rows: 2,
      imported: 2,
      rejected: 0,
      ignoredColumns: [],
    });
  });

  it('rejects the one GBK row of a UTF-8 file as mixed-encoding and imports the others with their names', async () => {
    // Prepare: 张三 saved as GBK inside a UTF-8 file would read as mojibake.
    const key = 'segments/d11-2026/pasted.csv';
    await upload(
      key,
      Buffer.concat([
        Buffer.from(csv('C1,13800138000,,王芳,,'), 'utf8'),
        iconv.encode('C2,13800138001,,张三,,\n', 'gbk'),
        Buffer.from('C3,13800138002,,李四,,\n', 'utf8'),
      ]),
    );

    // Act
    await handler(awsEvent(key));

    // Assess
    expect((await customerItems(config)).map((item) => [item.customerId, item.name])).toEqual([
      ['C1', '王芳'],
      ['C3', '李四'],
    ]);
    expect(await rejectsOf(config, BUCKET, key)).toEqual([
      {
        file: key,
        line: 3,
        customerId: 'C2',
        problems: [
          {
            column: 'name',
            code: 'mixed-encoding',
            reason: expect.stringMatching(/row is GB18030\/GBK text, but the rest of the file is UTF-8/),
          },
        ],
      },
    ]);
    expect((await importRecords(config))[0]).toMatchObject({ encoding: 'utf-8', rows: 3, imported: 2, rejected: 1 });
  });

  it('imports nothing and reports every row of a file of only bad rows', async () => {
    // Prepare
    const key = 'segments/d11-2026/bad.csv';
    await upload(key, csv(',13800138000,,,,', 'C2,123,,,,', 'C3,,,,phone,'));

    // Act
    await handler(awsEvent(key));

    // Assess
    expect(await customerItems(config)).toEqual([]);
    expect((await rejectsOf(config, BUCKET, key)).map((row) => row.line)).toEqual([2, 3, 4]);
    expect((await importRecords(config))[0]).toMatchObject({ status: 'succeeded', rows: 3, imported: 0, rejected: 3 });
  });

  it('records a 0-byte file as an import of nothing', async () => {
    // Prepare
    const key = 'segments/d11-2026/empty.csv';
    await upload(key, '');

    // Act
    await handler(awsEvent(key));

    // Assess
    expect(await customerItems(config)).toEqual([]);
    expect(await rejectsOf(config, BUCKET, key)).toEqual([]);
    expect((await importRecords(config))[0]).toMatchObject({ status: 'succeeded', rows: 0, imported: 0, rejected: 0 });
  });

  it('refuses a file without customer_id whole, with the reason in the record and the report', async () => {
    // Prepare
    const key = 'segments/d11-2026/no-id.csv';
    await upload(key, 'phone,email\n13800138000,a@qq.com\n');

    // Act
    await handler(awsEvent(key));

    // Assess
    expect((await importRecords(config))[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no customer_id column'),
    });
    expect((await rejectsOf(config, BUCKET, key))[0]).toMatchObject({ line: 1, problems: [{ column: '(file)' }] });
  });

  it('finds a key with spaces and Chinese characters whether the event encodes it (AWS) or not (s3rver)', async () => {
    // Prepare
    const key = 'segments/d11-2026/vip 客户 (11月).csv';
    const delivered = new Promise<unknown>((resolve) => {
      onEvent = (event) => handler(event).then(resolve, resolve);
    });
    await upload(key, csv('C1,13800138000,,,,'));
    await delivered;

    // Act: the AWS-encoded form of the same event.
    const outcome = await importSegment(deps(), {
      keys: [key.replace(/ /g, '+'), key],
      remainingMs: () => Number.POSITIVE_INFINITY,
    });
    await handler(awsEvent(key));

    // Assess
    expect(outcome.kind).toBe('duplicate');
    expect((await customerItems(config))[0]).toMatchObject({ sk: 'SEGMENT#d11-2026#vip 客户 (11月)', sourceKey: key });
    expect(await importRecords(config)).toEqual([expect.objectContaining({ key, status: 'succeeded' })]);
  });

  it('leaves order stats alone when a customer is imported again', async () => {
    // Prepare
    const key = 'segments/d11-2026/merge.csv';
    await upload(key, csv('C1,13800138000,,,,'));
    await handler(awsEvent(key));
    const orders = { pk: 'CUSTOMER#C1', sk: 'ORDERS', orderCount: 4, totalSpend: 1299.5 };
    await clientsFor(config).documents.send(new PutCommand({ TableName: config.tables.customers, Item: orders }));

    // Act: a new version of the file, with a new phone.
    await upload(key, csv('C1,13900139000,,,,'));
    await handler(awsEvent(key));

    // Assess
    const items = await customerItems(config);
    expect(items.find((item) => item.sk === 'ORDERS')).toEqual(orders);
    expect(items.find((item) => item.sk === 'SEGMENT#d11-2026#merge')?.phone).toBe('+8613900139000');
    expect(await importRecords(config)).toHaveLength(2);
  });
});

describe('an import interrupted and delivered again', () => {
  /** A customer store that fails after `limit` rows, as a crash mid-file would. */
  function failingAfter(limit: number, store: CustomerStore): CustomerStore {
    return {
      openWriter() {
        const writer = store.openWriter();
        let rows = 0;
        return {
          async write(row: SegmentRow) {
            rows += 1;
            if (rows > limit) throw new Error('crash');
            await writer.write(row);
          },
          flush: () => writer.flush(),
        };
      },
    };
  }

  it('ends with every good row exactly once after a crash mid-file and a redelivery', async () => {
    // Prepare: 40 good rows and 2 bad ones; the first run dies after 15 rows.
    const key = 'segments/d11-2026/crash.csv';
    const rows = Array.from({ length: 40 }, (_, index) => `C${index},1380013${String(index).padStart(4, '0')},,,,`);
    rows.splice(10, 0, 'BAD,123,,,,');
    rows.splice(30, 0, ',13800138000,,,,');
    await upload(key, csv(...rows));
    let now = Date.parse('2026-10-20T12:00:00+08:00');
    const healthy = deps({ clock: () => now, owner: 'first' });
    const crashed = importSegment(
      { ...healthy, customers: failingAfter(15, healthy.customers) },
      { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY },
    );
    await expect(crashed).rejects.toThrow('crash');
    const interrupted = (await importRecords(config))[0];

    // Act: the redelivery arrives once the crashed run's lease has expired.
    await expect(
      importSegment({ ...healthy, owner: 'early' }, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY }),
    ).rejects.toThrow(/running in another invocation/);
    now += 10 * 60_000;
    const outcome = await importSegment(
      { ...healthy, owner: 'second' },
      { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY },
    );

    // Assess
    expect(interrupted).toMatchObject({ status: 'running', checkpointLine: expect.any(Number) });
    expect(interrupted?.checkpointLine).toBeGreaterThan(0);
    expect(outcome.kind).toBe('imported');
    const items = await customerItems(config);
    expect(items.map((item) => item.customerId).sort()).toEqual(
      Array.from({ length: 40 }, (_, index) => `C${index}`).sort(),
    );
    expect(await rejectsOf(config, BUCKET, key)).toHaveLength(2);
    expect(await importRecords(config)).toEqual([
      expect.objectContaining({ status: 'succeeded', rows: 42, imported: 40, rejected: 2, invocations: 2 }),
    ]);
  });

  it('reports an SQS message whose import meets a live lease as failed, so SQS delivers it again', async () => {
    // Prepare: the upload's content is held by a run that crashed; the event comes through SQS.
    const key = 'segments/d11-2026/leased.csv';
    await upload(key, csv('C1,13800138000,,,,', 'C2,13800138001,,,,'));
    const { etag } = await crashedRunHolds(key, 10 * 60_000);
    const bridged = { 'detail-type': 'Object Created', detail: { object: { key } } };
    const batch = { Records: [{ eventSource: 'aws:sqs', messageId: 'm-1', body: JSON.stringify(bridged) }] };

    // Act: delivered while the lease is live, then again once it has run out (the visibility timeout).
    const whileLeased = await handler(batch);
    const untouched = await importRecords(config);
    await leaseRunsOut(key, etag);
    const afterLease = await handler(batch);

    // Assess
    expect(whileLeased, 'the message must come back, not be deleted').toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-1' }],
    });
    expect(untouched).toEqual([expect.objectContaining({ status: 'running', owner: 'crashed-run' })]);
    expect(afterLease).toEqual({ batchItemFailures: [] });
    expect(await importRecords(config)).toEqual([
      expect.objectContaining({ status: 'succeeded', rows: 2, imported: 2, invocations: 2 }),
    ]);
  });

  it("counts the time its invocations worked as the duration, not the wait for a crashed one's lease", async () => {
    // Prepare: a clock that moves one second per row written; the first run dies after 15 rows.
    const key = 'segments/d11-2026/timed.csv';
    const rows = Array.from({ length: 30 }, (_, index) => `C${index},1380013${String(index).padStart(4, '0')},,,,`);
    await upload(key, csv(...rows));
    let now = Date.parse('2026-10-20T12:00:00+08:00');
    const written = { first: 0, second: 0 };
    const ticking = (store: CustomerStore, run: keyof typeof written): CustomerStore => ({
      openWriter() {
        const writer = store.openWriter();
        return {
          async write(row: SegmentRow) {
            await writer.write(row);
            written[run] += 1;
            now += 1_000;
          },
          flush: () => writer.flush(),
        };
      },
    });
    const base = deps({ clock: () => now });
    await expect(
      importSegment(
        { ...base, owner: 'first', customers: failingAfter(15, ticking(base.customers, 'first')) },
        { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY },
      ),
    ).rejects.toThrow('crash');

    // Act: a delivery meets the dead run's lease; ten minutes later the next one finishes the file.
    const early = await importSegment(
      { ...base, owner: 'early' },
      { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY },
    ).catch((error: unknown) => error);
    now += 10 * 60_000;
    const outcome = await importSegment(
      { ...base, owner: 'second', customers: ticking(base.customers, 'second') },
      { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY },
    );

    // Assess
    expect(early).toBeInstanceOf(ImportBusyError);
    expect((early as ImportBusyError).retryAfterMs).toBeGreaterThan(0);
    expect((early as ImportBusyError).retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(outcome.kind).toBe('imported');
    const record = outcome.kind === 'imported' ? outcome.record : undefined;
    expect(record).toMatchObject({ status: 'succeeded', rows: 30, imported: 30, invocations: 2 });
    expect(written.first).toBe(15);
    // The first run's work up to its last checkpoint counts; the ten idle minutes do not.
    expect(record?.durationMs, 'more than the second run alone').toBeGreaterThan(written.second * 1_000);
    expect(record?.durationMs, 'no more than both runs worked').toBeLessThanOrEqual(
      (written.first + written.second) * 1_000,
    );
  });

  it('hands a file too large for one invocation over to a continuation that finishes it', async () => {
    // Prepare: the invocation "runs out of time" after its first batch.
    const key = 'segments/d11-2026/large.csv';
    const rows = Array.from(
      { length: 3000 },
      (_, index) => `C${index},1380013${String(index % 10_000).padStart(4, '0')},,,,`,
    );
    await upload(key, csv(...rows));
    let continued: Promise<unknown> | undefined;
    const first = deps({
      continuation: {
        continueLater: async (ref) => {
          continued = handler({ continueImport: ref });
        },
      },
    });
    let batches = 0;

    // Act
    const outcome = await importSegment(first, {
      keys: [key],
      remainingMs: () => (batches++ < 1 ? Number.POSITIVE_INFINITY : 0),
    });
    await continued;

    // Assess
    expect(outcome.kind).toBe('continued');
    const record = await until(async () => {
      const [found] = await importRecords(config);
      return found?.status === 'succeeded' ? found : undefined;
    });
    expect(record).toMatchObject({ rows: 3000, imported: 3000, invocations: 2 });
    expect(await customerItems(config)).toHaveLength(3000);
  });
});
