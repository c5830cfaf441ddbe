/**
 * `campaign import FILE [--segment NAME] [--campaign ID]`: uploads a segment file to the
 * running local stack (`npm start`), as a marketer's upload to S3 would, then follows the
 * import it triggers and prints the import record.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { Upload } from '@aws-sdk/lib-storage';
import { DynamoImportStore } from '../adapters/dynamo/import-store.ts';
import { clientsFor } from '../composition.ts';
import { type LocalConfig, loadConfig } from '../config.ts';
import { formatOf } from '../domain/segment-reader.ts';
import type { ImportRecord } from '../ports/import-store.ts';
import { parseSegmentKey } from '../usecases/import-segment.ts';
import { UsageError } from './errors.ts';
import { bar, formatCount, progressOn } from './progress.ts';

export const IMPORT_USAGE = 'campaign import FILE [--segment NAME] [--campaign ID] [--timeout SECONDS]';
const DEFAULT_CAMPAIGN = 'd11-2026';

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      segment: { type: 'string' },
      campaign: { type: 'string', default: process.env.CAMPAIGN_ID ?? DEFAULT_CAMPAIGN },
      timeout: { type: 'string', default: '600' },
      quiet: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('FILE: give exactly one segment file (.csv or .jsonl)');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`FILE: no such file ${file}`);
  if (!formatOf(file)) throw new UsageError(`FILE: ${file} is not .csv or .jsonl`);
  const segment = values.segment ?? basename(file, extname(file));
  const key = `segments/${values.campaign}/${segment}${extname(file).toLowerCase()}`;
  if (!parseSegmentKey(key)) {
    throw new UsageError(
      `--campaign: "${values.campaign}" must be letters, digits, - or _ (it becomes part of ${key})`,
    );
  }
  const config = loadConfig({ ...process.env, CAMPAIGN_RUNTIME: 'local' }) as LocalConfig;
  await requireRunningStack(config);
  const progress = progressOn(process.stderr, values.quiet === true);
  const clients = clientsFor(config);

  const upload = new Upload({
    client: clients.s3,
    params: { Bucket: config.dataBucket, Key: key, Body: createReadStream(file), ContentType: 'text/csv' },
  });
  upload.on('httpUploadProgress', (event) =>
    progress.update(`uploading ${bar((event.loaded ?? 0) / Math.max(1, info.size))} ${key}`),
  );
  const uploadStarted = new Date().toISOString();
  const uploaded = await upload.done();
  const etag = (uploaded.ETag ?? '').replaceAll('"', '');
  progress.done(`uploaded ${file} to s3://${config.dataBucket}/${key}`);

  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  const deadline = Date.now() + Number(values.timeout) * 1000;
  const estimatedRows = Math.max(1, info.size / 90);
  let record: ImportRecord | undefined;
  for (;;) {
    record = await imports.get({ key, etag });
    if (record && record.status !== 'running') break;
    if (Date.now() > deadline) {
      progress.done(`the import of ${key} did not finish within ${values.timeout} s; it goes on in the local stack`);
      return 1;
    }
    const rows = record?.progressRows ?? 0;
    progress.update(`importing ${bar(Math.min(0.99, rows / estimatedRows))} ${formatCount(rows)} rows`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  printRecord(record, (line) => progress.done(line));
  if (record.finishedAt && record.finishedAt < uploadStarted) {
    progress.done('  (this exact content was imported before: the upload changed nothing)');
  }
  return record.status === 'succeeded' ? 0 : 2;
}

async function requireRunningStack(config: LocalConfig): Promise<void> {
  const url = `http://127.0.0.1:${config.httpPort}/health`;
  const healthy = await fetch(url, { signal: AbortSignal.timeout(2000) })
    .then((response) => response.ok)
    .catch(() => false);
  if (!healthy) {
    throw new UsageError(`the local stack is not running (no answer from ${url}): start it with \`npm start\``);
  }
}

function printRecord(record: ImportRecord, print: (line: string) => void): void {
  print(`import ${record.status}: ${record.key} (etag ${record.etag})`);
  if (record.error) print(`  error:     ${record.error}`);
  print(`  rows:      ${formatCount(record.rows)}${record.format ? ` (${record.format}, ${record.encoding})` : ''}`);
  print(`  imported:  ${formatCount(record.imported)} customers`);
  print(`  rejected:  ${formatCount(record.rejected)} rows -> s3://…/${record.rejectsKey}`);
  print(`  repeats:   ${formatCount(record.repeats)} (repeated customer_id; the last row won)`);
  print(`  duration:  ${((record.durationMs ?? 0) / 1000).toFixed(1)} s in ${record.invocations} invocation(s)`);
  if (record.ignoredColumns && record.ignoredColumns.length > 0) {
    print(`  ignored columns: ${record.ignoredColumns.join(', ')}`);
  }
}
