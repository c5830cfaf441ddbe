/**
 * A store's export imported through S3 as it is (dynalite, s3rver, real SDK clients): the
 * header aliases, the folder's column mapping (`segments/<campaign-id>/columns.json`), and
 * what the import record says about them. Each test has its own tables and campaign folder.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTables } from '../../functions/adapters/dynamo/ensure-tables.ts';
import { localConfigFor } from '../../functions/adapters/local/local-config.ts';
import { type LocalServers, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { clientsFor, importDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import { columnsKeyFor, type ImportOutcome, importSegment } from '../../functions/usecases/import-segment.ts';
import { canonicalCsvBytes, EXPORT_COLUMNS, exportCsvBytes } from '../support/export-fixtures.ts';
import { customerItems, importRecords, rejectsOf } from '../support/import-store-reads.ts';

const BUCKET = 'campaign-data';
const silent = { info: () => {}, warn: () => {} };
let servers: LocalServers;
let config: LocalConfig;
/** This test's campaign folder: segments/<campaign>/... */
let campaign: string;

beforeAll(async () => {
  // The events are not followed: each test runs the import itself, once per upload.
  servers = await startLocalServers({ bucket: BUCKET, onObjectCreated: async () => undefined });
});

afterAll(async () => {
  await servers.stop();
});

beforeEach(async () => {
  // Prepare (every test): its own tables and folder.
  const suffix = randomUUID().slice(0, 8);
  campaign = `shop-${suffix}`;
  config = localConfigFor(servers.endpoints, { dataBucket: BUCKET, suffix });
  await ensureTables(clientsFor(config).dynamodb, Object.values(config.tables));
});

async function upload(key: string, body: string | Uint8Array): Promise<void> {
  await clientsFor(config).s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** What the S3 event of `key` makes the import Lambda do. */
async function importOf(key: string): Promise<ImportOutcome> {
  const deps = importDependencies(config, { log: silent, deliverLocally: async () => undefined });
  return importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });
}

/** A stored customer without what says where and when it came from. */
function customerPart(item: Record<string, unknown>): Record<string, unknown> {
  const { sourceKey: _key, sourceEtag: _etag, importedAt: _at, sk: _sk, campaignId: _campaign, ...rest } = item;
  return rest;
}

describe('a store export imported through S3 as it is', () => {
  it('gives the customers of the canonical file, and the record says which header became which column', async () => {
    // Prepare
    // Two campaigns, one file name: a customer has one item per campaign and label.
    const exported = `segments/${campaign}-export/customers.csv`;
    const canonical = `segments/${campaign}-canonical/customers.csv`;
    await upload(exported, exportCsvBytes());
    await upload(canonical, canonicalCsvBytes());

    // Act
    const fromExport = await importOf(exported);
    const fromCanonical = await importOf(canonical);

    // Assess
    expect(fromExport.kind).toBe('imported');
    expect(fromCanonical.kind).toBe('imported');
    const items = await customerItems(config, 'sk+pk');
    const byFile = (key: string) => items.filter((item) => item.sourceKey === key).map(customerPart);
    expect(byFile(exported)).toHaveLength(6);
    expect(byFile(exported)).toEqual(byFile(canonical));
    expect(byFile(exported).find((item) => item.customerId === 'T003')).toMatchObject({ tier: '钻石会员' });
    const record = (await importRecords(config)).find((r) => r.key === exported);
    expect(record).toMatchObject({
      status: 'succeeded',
      encoding: 'gb18030',
      rows: 7,
      imported: 6,
      rejected: 1,
      columns: EXPORT_COLUMNS,
      ignoredColumns: ['备注'],
      maskedPhones: 2,
      maskedEmails: 1,
      maskedNames: 1,
    });
    expect(record).not.toHaveProperty('columnsKey');
    expect(await rejectsOf(config, BUCKET, exported)).toEqual([
      {
        file: exported,
        line: 8,
        customerId: 'T007',
        problems: [{ column: 'device', header: '下单终端', reason: expect.stringContaining('"平板" is not a device') }],
      },
    ]);
  });
});

describe("the folder's column mapping (segments/<campaign-id>/columns.json)", () => {
  const file = 'VIP卡号,Handy,备注\nK1,13800138000,x\nK2,139****9000,y\n';

  it('maps the headers of every file in the folder, and its own upload imports nothing', async () => {
    // Prepare
    const columnsKey = columnsKeyFor(campaign);
    await upload(columnsKey, JSON.stringify({ VIP卡号: 'customer_id', Handy: 'phone' }));
    const key = `segments/${campaign}/crm.csv`;
    await upload(key, file);

    // Act
    const mappingEvent = await importOf(columnsKey);
    const outcome = await importOf(key);

    // Assess
    expect(mappingEvent).toEqual({ kind: 'ignored', reason: expect.stringContaining('a column mapping') });
    expect(outcome.kind).toBe('imported');
    expect((await customerItems(config, 'sk+pk')).map((item) => [item.customerId, item.phone])).toEqual([
      ['K1', '+8613800138000'],
      ['K2', undefined],
    ]);
    expect(await importRecords(config)).toEqual([
      expect.objectContaining({
        key,
        status: 'succeeded',
        imported: 2,
        columnsKey,
        columns: [
          { header: 'VIP卡号', column: 'customer_id', by: 'mapping' },
          { header: 'Handy', column: 'phone', by: 'mapping' },
        ],
        ignoredColumns: ['备注'],
        maskedPhones: 1,
      }),
    ]);
  });

  it('imports the same bytes again once a mapping is added or changed, and only then', async () => {
    // Prepare: the file is refused for want of a customer_id column.
    const key = `segments/${campaign}/crm.csv`;
    await upload(key, file);
    const refused = await importOf(key);

    // Act
    await upload(columnsKeyFor(campaign), JSON.stringify({ vip卡号: 'customer_id' }));
    await upload(key, file);
    const withMapping = await importOf(key);
    const again = await importOf(key);
    await upload(columnsKeyFor(campaign), JSON.stringify({ vip卡号: 'customer_id', handy: 'phone' }));
    const withChangedMapping = await importOf(key);

    // Assess
    expect(refused.kind).toBe('failed');
    expect(withMapping.kind).toBe('imported');
    expect(again.kind).toBe('duplicate');
    expect(withChangedMapping.kind).toBe('imported');
    const records = await importRecords(config);
    expect(records.map((r) => r.status).sort()).toEqual(['failed', 'succeeded', 'succeeded']);
    expect((await customerItems(config, 'sk+pk')).map((item) => [item.customerId, item.phone])).toEqual([
      ['K1', '+8613800138000'],
      ['K2', undefined],
    ]);
  });

  it("refuses the folder's files whole while its mapping is wrong, naming the header and the mapping file", async () => {
    // Prepare
    const columnsKey = columnsKeyFor(campaign);
    await upload(columnsKey, JSON.stringify({ VIP卡号: 'customer_id', Handy: 'mobile' }));
    const key = `segments/${campaign}/crm.csv`;
    await upload(key, file);

    // Act
    const outcome = await importOf(key);

    // Assess
    expect(outcome.kind).toBe('failed');
    const [record] = await importRecords(config);
    expect(record?.error).toMatch(
      new RegExp(`^${columnsKey}: not a column mapping:\\n {2}"Handy": must be one of customer_id, phone, `),
    );
    expect(await customerItems(config, 'sk+pk')).toEqual([]);
    expect(await rejectsOf(config, BUCKET, key)).toEqual([
      { file: key, line: 1, problems: [{ column: '(file)', reason: record?.error }] },
    ]);
  });
});
