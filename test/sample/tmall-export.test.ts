/**
 * Acceptance: the store's real export imports as it is. `campaign sample --format
 * tmall-csv|tmall-xlsx` writes the sample customers as a Tmall/Taobao CRM export; imported
 * through S3 (s3rver, dynalite, real SDK clients) and planned offline, each gives the same
 * customers and the same plan as the canonical English CSV of the same customers.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../functions/adapters/dynamo/ensure-tables.ts';
import { localSegmentFile } from '../../functions/adapters/local/file-bytes.ts';
import { localConfigFor } from '../../functions/adapters/local/local-config.ts';
import { type LocalServers, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { clientsFor, importDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import type { RejectedRow } from '../../functions/domain/segment-reader.ts';
import type { ImportRecord } from '../../functions/ports/import-store.ts';
import { gbkEncoder } from '../../functions/sample/gbk.ts';
import { TMALL_HEADER, writeCanonicalTwin, writeTmallSample } from '../../functions/sample/tmall-export.ts';
import { importSegment } from '../../functions/usecases/import-segment.ts';
import { planOffline } from '../../functions/usecases/plan-offline.ts';

const BUCKET = 'campaign-data';
const CUSTOMERS = 800;
const NOW = '2026-10-20T12:00:00+08:00';
const SAMPLE = { customers: CUSTOMERS, now: new Date(NOW), seed: 7 };
const CAMPAIGN = join(import.meta.dirname, '../../functions/sample/d11-2026.campaign.json');
let servers: LocalServers;
let config: LocalConfig;
let files: { csv: string; xlsx: string; canonical: string };

beforeAll(async () => {
  // Prepare (once): the servers, one set of tables, the three files of the same customers.
  servers = await startLocalServers({ bucket: BUCKET, onObjectCreated: async () => {} });
  config = localConfigFor(servers.endpoints, { dataBucket: BUCKET, suffix: randomUUID().slice(0, 8) });
  await ensureTables(clientsFor(config).dynamodb, Object.values(config.tables));
  const dir = await mkdtemp(join(tmpdir(), 'tmall-sample-'));
  // One file name (the segment label) for all three: only the contents differ.
  await mkdir(join(dir, 'canonical'));
  files = {
    csv: join(dir, 'tmall.csv'),
    xlsx: join(dir, 'tmall.xlsx'),
    canonical: join(dir, 'canonical', 'tmall.csv'),
  };
  await writeTmallSample(files.csv, SAMPLE, 'tmall-csv');
  await writeTmallSample(files.xlsx, SAMPLE, 'tmall-xlsx');
  await writeCanonicalTwin(files.canonical, SAMPLE, 'tmall-csv');
});

afterAll(async () => {
  await servers?.stop();
});

async function planOf(path: string) {
  const rejected: RejectedRow[] = [];
  const result = await planOffline({
    campaign: await readFile(CAMPAIGN, 'utf8'),
    sources: [await localSegmentFile(path)],
    now: Date.parse(NOW),
    onRejected: (row) => rejected.push(row),
  });
  const customerIds = (indices: Int32Array) =>
    [...indices].map((index) => result.customers.customers[index]?.customerId);
  return {
    timeline: result.plan.timeline,
    members: result.plan.members.map(customerIds),
    customers: result.customers.customers.map((customer) => ({ ...customer })),
    rejected: rejected.map((row) => ({ line: row.line, columns: row.problems.map((problem) => problem.column) })),
    file: result.files[0],
  };
}

/** The customers an import wrote for a campaign, without what names the file they came from. */
async function importedCustomers(campaignId: string) {
  const result = await clientsFor(config).dynamodb.send(new ScanCommand({ TableName: config.tables.customers }));
  return (result.Items ?? [])
    .map((item) => unmarshall(item))
    .filter((item) => item.campaignId === campaignId)
    .map(
      ({
        sk: _sk,
        campaignId: _campaign,
        sourceKey: _key,
        sourceEtag: _etag,
        sourceLine: _line,
        importedAt: _at,
        ...rest
      }) => rest,
    )
    .sort((a, b) => (a.pk < b.pk ? -1 : 1));
}

async function importThroughS3(key: string, path: string): Promise<ImportRecord> {
  await clientsFor(config).s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(path) }));
  const deps = importDependencies(config, { log: { info: () => {}, warn: () => {} }, deliverLocally: async () => {} });
  const outcome = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });
  if (outcome.kind !== 'imported') throw new Error(`the import of ${key} ended ${outcome.kind}`);
  return outcome.record;
}

describe('the Tmall sample export', () => {
  it('is a GBK CSV with the Chinese headers and the value forms of the exports', async () => {
    // Act
    const bytes = await readFile(files.csv);
    const text = new TextDecoder('gbk', { fatal: true }).decode(bytes);

    // Assess
    expect(Buffer.from(gbkEncoder()(text)).equals(bytes), 'the bytes are GBK, not UTF-8').toBe(true);
    const [header, ...rows] = text.split('\r\n');
    expect(header).toBe(TMALL_HEADER.join(','));
    const forms: Record<string, RegExp> = {
      'masked phone': /,1\d\d\*{4}\d{4},/,
      '+86 phone': /,\+86 1\d\d \d{4} \d{4},/,
      无线端: /,无线端,/,
      PC端: /,PC端,/,
      'Chinese date': /,20\d\d年\d{1,2}月\d{1,2}日/,
      'dotted date': /,20\d\d\.\d\d\.\d\d/,
      'Excel serial': /,4\d{4}(\.\d+)?,/,
      'money with ￥ and thousands': /"￥\d{1,3}(,\d{3})+\.\d\d"/,
      'money with 元': /,\d+(\.\d\d)?元,|"[\d,.]+元"/,
      'years by comma': /"20\d\d,20\d\d/,
      'years by 、': /20\d\d、20\d\d/,
      'tier spelled vip2': /,vip\d,/,
      是否: /,是,|,否,/,
      'masked name': /,.\*\*,/,
    };
    for (const [form, pattern] of Object.entries(forms)) {
      expect(
        rows.some((row) => pattern.test(row)),
        `some row has the form: ${form}`,
      ).toBe(true);
    }
  });

  it('plans offline, as .csv and as .xlsx, exactly as the canonical CSV of the same customers', async () => {
    // Act
    const canonical = await planOf(files.canonical);
    const csv = await planOf(files.csv);
    const xlsx = await planOf(files.xlsx);

    // Assess
    expect(canonical.customers.length, 'the sample plans most of its customers').toBeGreaterThan(CUSTOMERS * 0.95);
    for (const [name, plan] of Object.entries({ csv, xlsx })) {
      expect(plan.customers, `${name}: the same customers`).toEqual(canonical.customers);
      expect(plan.timeline, `${name}: the same timeline`).toEqual(canonical.timeline);
      expect(plan.members, `${name}: the same customers in every send`).toEqual(canonical.members);
    }
    expect(csv.file).toMatchObject({ format: 'csv', encoding: 'gb18030', ignoredColumns: ['备注'] });
    expect(xlsx.file).toMatchObject({ format: 'xlsx', sheet: '客户列表', ignoredColumns: ['备注'] });
    expect(csv.file?.maskedPhones).toBeGreaterThan(0);
    // The same rows are rejected; the workbook's under the row Excel shows (a title row above the header).
    expect(canonical.rejected.length).toBeGreaterThan(0);
    expect(csv.rejected).toEqual(canonical.rejected);
    expect(xlsx.rejected).toEqual(canonical.rejected.map((row) => ({ ...row, line: row.line + 1 })));
  });

  it('imports through S3, as .csv and as .xlsx, the same customers as the canonical CSV', async () => {
    // Act
    const canonicalRecord = await importThroughS3('segments/canonical/tmall.csv', files.canonical);
    const csvRecord = await importThroughS3('segments/export-csv/tmall.csv', files.csv);
    const xlsxRecord = await importThroughS3('segments/export-xlsx/tmall.xlsx', files.xlsx);

    // Assess
    const canonical = await importedCustomers('canonical');
    expect(canonical.length).toBe(canonicalRecord.imported);
    expect(await importedCustomers('export-csv'), 'the GBK CSV export').toEqual(canonical);
    expect(await importedCustomers('export-xlsx'), 'the workbook export').toEqual(canonical);
    const counts = (record: ImportRecord) => [record.rows, record.imported, record.rejected, record.repeats];
    expect(counts(csvRecord)).toEqual(counts(canonicalRecord));
    expect(counts(xlsxRecord)).toEqual(counts(canonicalRecord));
    expect(xlsxRecord).toMatchObject({ format: 'xlsx', sheet: '客户列表', status: 'succeeded' });
    expect(csvRecord).toMatchObject({ format: 'csv', encoding: 'gb18030', status: 'succeeded' });
  });
});
