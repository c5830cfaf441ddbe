import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalServers, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { metadataValue } from '../../functions/adapters/s3-object-storage.ts';
import { clientsFor, importDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import { SHEET_METADATA } from '../../functions/contract.ts';
import { handler } from '../../functions/handlers/import-segment.ts';
import type { CustomerStore, SegmentRow } from '../../functions/ports/customer-store.ts';
import type { ObjectStorage } from '../../functions/ports/object-storage.ts';
import { type ImportSegmentDeps, importSegment } from '../../functions/usecases/import-segment.ts';
import { customerItems, importRecords, rejectsOf } from '../support/import-store-reads.ts';
import { freshImportConfig } from '../support/import-tables.ts';
import { type FixtureSheet, wallClock, workbookBytes } from '../support/xlsx-fixtures.ts';

const BUCKET = 'campaign-data';
const HEADER = ['customer_id', 'phone', 'email', 'last_order_at', 'order_count'];
const silent = { info: () => {}, warn: () => {} };
let servers: LocalServers;
let config: LocalConfig;

beforeAll(async () => {
  servers = await startLocalServers({ bucket: BUCKET, onObjectCreated: async () => {} });
});

afterAll(async () => {
  await servers.stop();
});

beforeEach(async () => {
  // Prepare (every test): its own tables, and the handler's environment pointing at them.
  config = await freshImportConfig(servers, BUCKET);
});

async function upload(key: string, body: Uint8Array, sheet?: string): Promise<void> {
  await clientsFor(config).s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: body,
      ...(sheet !== undefined ? { Metadata: { [SHEET_METADATA]: metadataValue(sheet) } } : {}),
    }),
  );
}

function deps(overrides: Partial<ImportSegmentDeps> = {}): ImportSegmentDeps {
  return {
    ...importDependencies(config, { log: silent, deliverLocally: async () => undefined }),
    checkpointEveryRows: 2,
    ...overrides,
  };
}

const forever = { remainingMs: () => Number.POSITIVE_INFINITY };

/** Storage that counts the ranged reads, so the test knows the workbook was read by ranges. */
function countingRanges(storage: ObjectStorage): { storage: ObjectStorage; ranges: number; wholeReads: number } {
  const counts = { ranges: 0, wholeReads: 0 };
  const counted: ObjectStorage = {
    head: (key) => storage.head(key),
    read: (key) => {
      counts.wholeReads += 1;
      return storage.read(key);
    },
    readRange: (key, etag, start, end) => {
      counts.ranges += 1;
      return storage.readRange(key, etag, start, end);
    },
    openLineWriter: (key, type) => storage.openLineWriter(key, type),
    put: (key, body, type) => storage.put(key, body, type),
    putBlocks: (key, blocks, size, type) => storage.putBlocks(key, blocks, size, type),
  };
  return {
    storage: counted,
    get ranges() {
      return counts.ranges;
    },
    get wholeReads() {
      return counts.wholeReads;
    },
  };
}

function customerRows(count: number): FixtureSheet['rows'] {
  return Array.from({ length: count }, (_, index) => [`C${index}`, 13_800_000_000 + index, null, null, 1]);
}

describe('an .xlsx file through the S3 import', () => {
  it('imports the first sheet by ranged reads: typed cells, rejects by Excel row, the sheet in the record', async () => {
    // Prepare: a title row, the header on row 2, a bad phone on row 5.
    const key = 'segments/d11-2026/vip.xlsx';
    const rows: FixtureSheet['rows'] = [
      ['会员导出 2026-10-20'],
      HEADER,
      ['C1', 13800138000, 'a@qq.com', wallClock(2025, 11, 11, 10), 3],
      ['C2', '13800138001', null, 45972, 1],
      ['C3', '12345', null, null, 1],
    ];
    await upload(
      key,
      await workbookBytes([
        { name: '客户', rows },
        { name: '其他', rows: [HEADER, ['X1']] },
      ]),
    );
    const counted = countingRanges(deps().storage);

    // Act
    const outcome = await importSegment(deps({ storage: counted.storage }), { keys: [key], ...forever });

    // Assess
    expect(outcome.kind).toBe('imported');
    expect(counted.wholeReads, 'a workbook is never read front to back').toBe(0);
    expect(counted.ranges).toBeGreaterThan(2);
    const items = await customerItems(config);
    expect(items.map((item) => [item.customerId, item.phone, item.lastOrderAt, item.orderCount])).toEqual([
      ['C1', '+8613800138000', '2025-11-11T02:00:00.000Z', 3],
      ['C2', '+8613800138001', '2025-11-10T16:00:00.000Z', 1],
    ]);
    expect(await rejectsOf(config, BUCKET, key)).toEqual([
      {
        file: key,
        line: 5,
        customerId: 'C3',
        problems: [{ column: 'phone', reason: expect.stringContaining('12345') }],
      },
    ]);
    expect(await importRecords(config)).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        format: 'xlsx',
        sheet: '客户',
        rows: 3,
        imported: 2,
        rejected: 1,
      }),
    ]);
  });

  it('imports the sheet named in the upload metadata (as campaign import --sheet sets it)', async () => {
    // Prepare
    const key = 'segments/d11-2026/named.xlsx';
    const sheets = [
      { name: '全部', rows: [HEADER, ['ALL1']] },
      { name: '双11 老客', rows: [HEADER, ['D1'], ['D2']] },
    ];
    await upload(key, await workbookBytes(sheets), '双11 老客');

    // Act
    await handler({ continueImport: { key } });

    // Assess
    expect((await customerItems(config)).map((item) => item.customerId)).toEqual(['D1', 'D2']);
    expect(await importRecords(config)).toEqual([expect.objectContaining({ status: 'succeeded', sheet: '双11 老客' })]);
  });

  it('fails an upload whose sheet is missing or which is no workbook, with the reason', async () => {
    // Prepare
    const missing = 'segments/d11-2026/missing.xlsx';
    const fake = 'segments/d11-2026/fake.xlsx';
    await upload(missing, await workbookBytes([{ name: '客户', rows: [HEADER, ['C1']] }]), 'VIP');
    await upload(fake, Buffer.from('customer_id\nC1\n'));

    // Act
    await importSegment(deps(), { keys: [missing], ...forever });
    await importSegment(deps(), { keys: [fake], ...forever });

    // Assess
    const records = Object.fromEntries((await importRecords(config)).map((record) => [record.key, record]));
    expect(records[missing]).toMatchObject({
      status: 'failed',
      error: 'the workbook has no sheet "VIP" (its sheets: "客户")',
    });
    expect(records[fake]).toMatchObject({
      status: 'failed',
      error:
        'the file is not an Excel workbook (.xlsx): it is not a zip file (a CSV or text file renamed to .xlsx? then name it .csv)',
    });
    expect(await customerItems(config)).toEqual([]);
  });

  it('resumes by row after a crash mid-sheet: every good row exactly once', async () => {
    // Prepare: 40 rows and 2 bad ones; the first run dies after 15 writes.
    const key = 'segments/d11-2026/crash.xlsx';
    const rows = customerRows(40);
    rows.splice(10, 0, ['BAD', '123']);
    rows.splice(30, 0, [null, 13800138000]);
    await upload(key, await workbookBytes([{ name: 'S', rows: [HEADER, ...rows] }]));
    let now = Date.parse('2026-10-20T12:00:00+08:00');
    const healthy = deps({ clock: () => now, owner: 'first' });
    const failing: CustomerStore = {
      openWriter() {
        const writer = healthy.customers.openWriter();
        let written = 0;
        return {
          async write(row: SegmentRow) {
            written += 1;
            if (written > 15) throw new Error('crash');
            await writer.write(row);
          },
          flush: () => writer.flush(),
        };
      },
    };
    await expect(importSegment({ ...healthy, customers: failing }, { keys: [key], ...forever })).rejects.toThrow(
      'crash',
    );
    const interrupted = (await importRecords(config))[0];
    const written: number[] = [];
    const watching: CustomerStore = {
      openWriter() {
        const writer = healthy.customers.openWriter();
        return {
          async write(row: SegmentRow) {
            written.push(row.source.line);
            await writer.write(row);
          },
          flush: () => writer.flush(),
        };
      },
    };

    // Act: the redelivery after the lease has run out.
    now += 10 * 60_000;
    const outcome = await importSegment(
      { ...healthy, owner: 'second', customers: watching },
      { keys: [key], ...forever },
    );

    // Assess
    expect(interrupted?.checkpointLine, 'the first run checkpointed a row').toBeGreaterThan(1);
    expect(outcome.kind).toBe('imported');
    expect(Math.min(...written), 'the second run writes only rows after the checkpoint').toBeGreaterThan(
      interrupted?.checkpointLine ?? 0,
    );
    expect((await customerItems(config)).map((item) => item.customerId).sort()).toEqual(
      Array.from({ length: 40 }, (_, index) => `C${index}`).sort(),
    );
    expect((await rejectsOf(config, BUCKET, key)).map((row) => row.line)).toEqual([12, 32]);
    expect(await importRecords(config)).toEqual([
      expect.objectContaining({ status: 'succeeded', rows: 42, imported: 40, rejected: 2, invocations: 2 }),
    ]);
  });

  it('hands a large sheet over to a continuation that finishes it', async () => {
    // Prepare: the invocation "runs out of time" after its first batch.
    const key = 'segments/d11-2026/large.xlsx';
    await upload(key, await workbookBytes([{ name: 'S', rows: [HEADER, ...customerRows(3000)] }]));
    let continued: Promise<unknown> | undefined;
    const first = deps({
      continuation: {
        continueLater: async (ref) => {
          continued = handler({ continueImport: ref });
        },
      },
    });
    let checks = 0;

    // Act
    const outcome = await importSegment(first, {
      keys: [key],
      remainingMs: () => (checks++ < 1 ? Number.POSITIVE_INFINITY : 0),
    });
    await continued;

    // Assess
    expect(outcome).toMatchObject({ kind: 'continued', checkpointLine: expect.any(Number) });
    const [record] = await importRecords(config);
    expect(record).toMatchObject({ status: 'succeeded', rows: 3000, imported: 3000, invocations: 2, sheet: 'S' });
    expect(await customerItems(config)).toHaveLength(3000);
  });

  it('fails the import of content replaced while it was read, and imports the new upload on its own', async () => {
    // Prepare: the workbook is replaced after its directory was read.
    const key = 'segments/d11-2026/replaced.xlsx';
    await upload(key, await workbookBytes([{ name: 'S', rows: [HEADER, ...customerRows(50)] }]));
    const replacement = await workbookBytes([{ name: 'S', rows: [HEADER, ['NEW1']] }]);
    const real = deps().storage;
    let reads = 0;
    const replacing: ObjectStorage = {
      ...real,
      head: (k) => real.head(k),
      read: (k) => real.read(k),
      openLineWriter: (k, type) => real.openLineWriter(k, type),
      put: (k, body, type) => real.put(k, body, type),
      putBlocks: (k, blocks, size, type) => real.putBlocks(k, blocks, size, type),
      async *readRange(k, etag, start, end) {
        reads += 1;
        if (reads === 3) await upload(key, replacement);
        yield* real.readRange(k, etag, start, end);
      },
    };

    // Act
    const stale = await importSegment(deps({ storage: replacing }), { keys: [key], ...forever });
    const fresh = await importSegment(deps(), { keys: [key], ...forever });

    // Assess
    expect(stale.kind).toBe('failed');
    expect(fresh.kind).toBe('imported');
    const records = await importRecords(config);
    expect(records.map((record) => [record.status, record.error ?? ''])).toEqual(
      expect.arrayContaining([
        ['failed', expect.stringContaining('replaced while it was imported')],
        ['succeeded', ''],
      ]),
    );
    expect((await customerItems(config)).map((item) => item.customerId)).toEqual(['NEW1']);
  });
});
