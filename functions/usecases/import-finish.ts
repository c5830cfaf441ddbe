/**
 * The Distributed Map import's finish step: reads the batches' parts in file order, merges
 * their counts into the import record and their rejects into `reports/<key>.rejects.jsonl`,
 * exactly as the streamed import would have left them (a customer id that comes again in a
 * later row, in any batch, is a repeat). At least once, safely: a finish run again after it
 * succeeded finds the record finished by its run and returns it.
 */
import { PREFIX } from '../contract.ts';
import { batchReader, type MapBatchInput } from '../domain/map-import.ts';
import { SeenKeys } from '../domain/seen-keys.ts';
import { type ImportRecord, type ImportStore, LeaseLostError } from '../ports/import-store.ts';
import type { ObjectListing, ObjectStorage } from '../ports/object-storage.ts';
import type { BatchPart } from './import-batch.ts';
import { type ImportLog, rejectsKeyFor } from './import-segment.ts';

export interface ImportFinishDeps {
  storage: ObjectStorage & ObjectListing;
  imports: ImportStore;
  clock: () => number;
  log: ImportLog;
}

/** The map's parts do not cover the file's rows one after another: a batch is missing. */
export class IncompleteMapRunError extends Error {
  constructor(run: string, detail: string) {
    super(`the map run ${run} is incomplete: ${detail}`);
    this.name = 'IncompleteMapRunError';
  }
}

async function readPart(storage: ObjectStorage, key: string): Promise<BatchPart> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of storage.read(key)) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as BatchPart;
}

export async function finishMapImport(deps: ImportFinishDeps, input: MapBatchInput): Promise<ImportRecord> {
  const ref = { key: input.key, etag: input.etag };
  const record = await deps.imports.get(ref);
  if (!record) throw new Error(`no import record for ${input.key} (${input.etag})`);
  if (record.status !== 'running') {
    if (record.run === input.run) return record;
    throw new LeaseLostError(input.key);
  }
  // The header's columns, as the streamed import records them.
  const header = batchReader(input);
  for await (const _ of header.readRows(headerOnly(input.header))) {
    // Only the header.
  }
  const rejects = deps.storage.openLineWriter(rejectsKeyFor(input.key), 'application/x-ndjson');
  const seen = new SeenKeys();
  const totals = { rows: 0, accepted: 0, rejected: 0, repeats: 0, maskedPhones: 0, maskedEmails: 0, maskedNames: 0 };
  let nextIndex = 0;
  try {
    // Parts are named by their first row, zero-padded: key order is file order.
    for await (const key of deps.storage.listKeys(`${PREFIX.importRuns}${input.run}/parts/`)) {
      const part = await readPart(deps.storage, key);
      if (part.firstIndex !== nextIndex) {
        throw new IncompleteMapRunError(
          input.run,
          `rows from ${nextIndex} are missing (the next part starts at ${part.firstIndex})`,
        );
      }
      nextIndex = part.firstIndex + part.items;
      for (const reject of part.rejects) await rejects.write(JSON.stringify(reject));
      for (const id of part.ids) if (seen.add(id)) totals.repeats += 1;
      totals.rows += part.rows;
      totals.accepted += part.accepted;
      totals.rejected += part.rejected;
      totals.maskedPhones += part.maskedPhones;
      totals.maskedEmails += part.maskedEmails;
      totals.maskedNames += part.maskedNames;
    }
    await rejects.close();
  } catch (error) {
    await rejects.abort();
    throw error;
  }
  const summary = header.summary;
  const finishedAt = deps.clock();
  const finished = await deps.imports.finish({ ...ref, size: record.size }, input.run, {
    rows: totals.rows,
    imported: totals.accepted - totals.repeats,
    rejected: totals.rejected,
    repeats: totals.repeats,
    status: 'succeeded',
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: (record.workedMs ?? 0) + Math.max(0, finishedAt - Date.parse(record.startedAt)),
    encoding: 'utf-8',
    format: 'csv',
    columns: summary.columns,
    ignoredColumns: summary.ignoredColumns,
    ...(input.mapping ? { columnsKey: `${PREFIX.segments}${input.campaignId}/columns.json` } : {}),
    maskedPhones: totals.maskedPhones,
    maskedEmails: totals.maskedEmails,
    maskedNames: totals.maskedNames,
  });
  deps.log.info('imported segment file through the map', {
    key: input.key,
    run: input.run,
    rows: totals.rows,
    rejected: totals.rejected,
  });
  return finished;
}

async function* headerOnly(header: string[]): AsyncGenerator<Array<{ line: number; cells: string[] }>> {
  yield [{ line: 1, cells: header }];
}
