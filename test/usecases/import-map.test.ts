import { PutObjectCommand } from '@aws-sdk/client-s3';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalMapImport,
  type LocalMapSteps,
  runMapImportLocally,
} from '../../functions/adapters/local/map-import-runner.ts';
import { type LocalServers, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { clientsFor, importDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import { handler as batchHandler } from '../../functions/handlers/import-batch.ts';
import { handler as finishHandler } from '../../functions/handlers/import-finish.ts';
import type { ImportRecord, MapImportRun } from '../../functions/ports/import-store.ts';
import { type ImportSegmentDeps, importSegment, type MapImportInput } from '../../functions/usecases/import-segment.ts';
import { customerItems, importRecords, rejectsOf } from '../support/import-store-reads.ts';
import { freshImportConfig } from '../support/import-tables.ts';

const BUCKET = 'campaign-data';
const silent = { info: () => {}, warn: () => {} };
let servers: LocalServers;

beforeAll(async () => {
  servers = await startLocalServers({ bucket: BUCKET, onObjectCreated: async () => undefined });
});

afterAll(async () => {
  await servers.stop();
});

const freshConfig = (): Promise<LocalConfig> => freshImportConfig(servers, BUCKET);

async function upload(config: LocalConfig, key: string, body: string | Uint8Array): Promise<void> {
  await clientsFor(config).s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/**
 * A store's export, 400 rows: Chinese names and a Chinese header, masked phones, bad
 * phones and emails, rows without an id, and customers who come again far apart (in
 * other batches), their later row different, so the last row must win whatever the order.
 */
function exportFile(): string {
  const lines = ['客户ID,手机号,邮箱,姓名,设备,待付款'];
  for (let row = 1; row <= 400; row += 1) {
    const id = row % 97 === 0 ? `C${row - 90}` : `C${row}`;
    const phone =
      row % 31 === 0 ? '12345' : row % 17 === 0 ? '138****8000' : `138${String(10_000_000 + row).slice(0, 8)}`;
    const email = row % 23 === 0 ? 'not-an-email' : `u${row}@qq.com`;
    const name = row % 2 === 0 ? '王芳' : '欧阳娜';
    const customerId = row % 53 === 0 ? '' : id;
    lines.push(`${customerId},${phone},${email},${name},${row % 3 === 0 ? 'ios' : 'pc'},${row % 5 === 0 ? '是' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What a customer item says about the customer: everything but when it was written. */
function withoutTimes(items: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return items.map(({ importedAt: _at, ...item }) => item);
}

const COUNTED: Array<keyof ImportRecord> = [
  'status',
  'rows',
  'imported',
  'rejected',
  'repeats',
  'encoding',
  'format',
  'columns',
  'ignoredColumns',
  'maskedPhones',
  'maskedEmails',
  'maskedNames',
  'etag',
];

function counted(record: ImportRecord | undefined): Partial<ImportRecord> {
  return Object.fromEntries(COUNTED.map((field) => [field, record?.[field]]));
}

/** The map path: every file is large enough, batches of 25 rows, at most 3 at once, through the real handlers. */
function mapDeps(config: LocalConfig, steps?: LocalMapSteps) {
  const base = importDependencies(config, { log: silent, deliverLocally: async () => undefined });
  const runs: MapImportRun[] = [];
  const local = new LocalMapImport(
    base.storage,
    steps ?? { batch: (batch) => batchHandler(batch), finish: (event) => finishHandler(event) },
    { maxItemsPerBatch: 25, maxConcurrency: 3 },
  );
  const deps: ImportSegmentDeps = {
    ...base,
    mapImport: {
      thresholdBytes: 1,
      starter: {
        start: (run) => {
          runs.push(run);
          return local.start(run);
        },
      },
    },
  };
  return { deps, runs, local };
}

describe('the Distributed Map import', () => {
  it('leaves the same items, counts and rejects as the streamed import of the same file', async () => {
    // Prepare: one export, imported first by one writer (its own tables), then by the map.
    const key = 'segments/d11/会员.csv';
    const streamed = await freshConfig();
    await upload(streamed, key, exportFile());
    const streamedOutcome = await importSegment(
      {
        ...importDependencies(streamed, { log: silent, deliverLocally: async () => undefined }),
        checkpointEveryRows: 50,
      },
      { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY },
    );
    expect(streamedOutcome.kind, 'the streamed import finishes in one go').toBe('imported');
    const streamedRejects = await rejectsOf(streamed, BUCKET, key);
    const streamedItems = withoutTimes(await customerItems(streamed));
    const [streamedRecord] = await importRecords(streamed);

    const mapped = await freshConfig();
    const { deps, runs, local } = mapDeps(mapped);

    // Act
    const outcome = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });
    expect(outcome.kind, 'a large UTF-8 CSV is handed to the map').toBe('distributed');
    const run = runs[0]?.name ?? '';
    await local.settled(run);

    // Assess
    const [record] = await importRecords(mapped);
    expect(record?.mode, 'the record says the map imported it').toBe('distributed');
    expect(record?.run).toBe(run);
    expect(record?.executionArn).toBe(`local:import-map:${run}`);
    expect(counted(record), 'the counts, columns and masked counts match the streamed import').toEqual(
      counted(streamedRecord),
    );
    expect(streamedRecord?.repeats, 'the file has customers who come again in other batches').toBeGreaterThan(0);
    expect(withoutTimes(await customerItems(mapped)), 'the same items, the last row of a customer winning').toEqual(
      streamedItems,
    );
    expect(streamedRejects.length, 'the file has rejected rows').toBeGreaterThan(10);
    expect(await rejectsOf(mapped, BUCKET, key), 'the same rejects, same lines, same order').toEqual(streamedRejects);
  });

  it('a repeated event while the run holds the import starts nothing new', async () => {
    // Prepare
    const key = 'segments/d11/repeat.csv';
    const config = await freshConfig();
    await upload(config, key, exportFile());
    const { deps, runs, local } = mapDeps(config);
    const first = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });

    // Act: the same event again, before and after the run finished.
    const again = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });
    await local.settled(runs[0]?.name ?? '');
    const afterwards = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });

    // Assess
    expect(first.kind).toBe('distributed');
    expect(again, 'the second delivery sees the run that holds the import').toMatchObject({
      kind: 'distributed',
      run: runs[0]?.name,
    });
    expect(runs.length, 'one run started').toBe(1);
    expect(afterwards.kind, 'once finished, the file is a duplicate').toBe('duplicate');
  });

  it('a failed run, redriven, finishes with the same result (batches written twice change nothing)', async () => {
    // Prepare: the fourth batch fails the first time it runs.
    const key = 'segments/d11/redrive.csv';
    const reference = await freshConfig();
    await upload(reference, key, exportFile());
    await importSegment(importDependencies(reference, { log: silent, deliverLocally: async () => undefined }), {
      keys: [key],
      remainingMs: () => Number.POSITIVE_INFINITY,
    });
    const referenceItems = withoutTimes(await customerItems(reference));
    const [referenceRecord] = await importRecords(reference);

    const config = await freshConfig();
    let failed = false;
    const flaky: LocalMapSteps = {
      batch: async (batch) => {
        if (!failed && batch.Items[0]?.index === 75) {
          failed = true;
          throw new Error('Lambda.ServiceException: the batch writer failed');
        }
        return batchHandler(batch);
      },
      finish: (event) => finishHandler(event),
    };
    const { deps, runs, local } = mapDeps(config, flaky);
    await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });
    await expect(local.settled(runs[0]?.name ?? ''), 'no failure is tolerated: the run fails').rejects.toThrow(
      /batch writer failed/,
    );
    const [stuck] = await importRecords(config);
    expect(stuck?.status, 'a failed run leaves the import running, held by the run').toBe('running');

    // Act: the redrive.
    await runMapImportLocally(deps.storage, flaky, runs[0]?.input as MapImportInput, {
      maxItemsPerBatch: 25,
      maxConcurrency: 3,
      redrive: true,
    });

    // Assess
    const [record] = await importRecords(config);
    expect(counted(record)).toEqual(counted(referenceRecord));
    expect(withoutTimes(await customerItems(config))).toEqual(referenceItems);
  });

  it('files the map cannot read stream through one writer: GB18030 text', async () => {
    // Prepare
    const key = 'segments/d11/gbk.csv';
    const config = await freshConfig();
    await upload(config, key, iconv.encode(exportFile(), 'gb18030'));
    const { deps, runs } = mapDeps(config);

    // Act
    const outcome = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });

    // Assess
    expect(outcome.kind, 'imported by the streamed path').toBe('imported');
    expect(runs, 'no map run').toEqual([]);
    const [record] = await importRecords(config);
    expect(record?.mode).toBeUndefined();
    expect(record?.encoding).toBe('gb18030');
  });
});
