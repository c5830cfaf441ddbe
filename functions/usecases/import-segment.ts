/**
 * Import one segment file from object storage into the customer store.
 *
 * At least once, safely: the file content (key + ETag) has one import record, claimed
 * with a lease, so a duplicate event or a re-upload of the same bytes finds it done; a
 * crash leaves a checkpoint (every accepted row up to a line is durable), and the next
 * delivery re-reads the file, writes only what follows the checkpoint and rebuilds the
 * counts and the rejects report from the whole file. A file too large for one invocation
 * hands itself over to a continuation the same way before its time runs out.
 */

import { createHash } from 'node:crypto';
import { DISTRIBUTED_IMPORT, PREFIX } from '../contract.ts';
import {
  type ColumnMapping,
  ColumnMappingError,
  mappingToJson,
  parseColumnMappingText,
  toColumnMapping,
} from '../domain/column-mapping.ts';
import { type MapBatchInput, mapEligibility } from '../domain/map-import.ts';
import { SeenKeys } from '../domain/seen-keys.ts';
import { readSegmentFile, type SegmentFile } from '../domain/segment-file.ts';
import { SegmentFileError, SegmentReader } from '../domain/segment-reader.ts';
import type { CustomerStore } from '../ports/customer-store.ts';
import type {
  ImportContinuation,
  ImportCounts,
  ImportRecord,
  ImportRef,
  ImportStore,
  MapImportStarter,
} from '../ports/import-store.ts';
import { type LineWriter, ObjectChangedError, type ObjectStorage, type StoredObject } from '../ports/object-storage.ts';

/** How often, in rows, a long batch looks at the clock and the checkpoint. */
const TIME_CHECK_ROWS = 1_000;
const SEGMENT_KEY = /^segments\/([A-Za-z0-9][A-Za-z0-9_-]{0,47})\/([^/]+)\.(csv|jsonl|ndjson|xlsx)$/i;

export interface ImportLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface ImportSegmentDeps {
  storage: ObjectStorage;
  customers: CustomerStore;
  imports: ImportStore;
  continuation: ImportContinuation;
  /** Zone for dates without an offset (the campaigns' zone). */
  timeZone: string;
  /** Who runs this import: an invocation id. */
  owner: string;
  clock: () => number;
  log: ImportLog;
  leaseMs?: number;
  checkpointEveryRows?: number;
  checkpointEveryMs?: number;
  /** Hand over to a continuation when less time than this is left. */
  handOverMarginMs?: number;
  /**
   * The Distributed Map import, where one is deployed: UTF-8 CSV files of at least
   * `thresholdBytes` are handed to it; everything else streams through this writer.
   */
  mapImport?: { starter: MapImportStarter; thresholdBytes: number; headBytes?: number };
}

/** How long a map run holds its import: a redrive within this time finishes it; after it, a new event may start over. */
export const MAP_RUN_LEASE_MS = 24 * 60 * 60 * 1000;

/** The execution input the import state machine takes: the file its ItemReader reads and every batch's fixed part. */
export interface MapImportInput {
  key: string;
  batchInput: MapBatchInput;
}

export interface ImportRequest {
  /** The object key, or the candidates for it when an event's key encoding is uncertain. */
  keys: readonly string[];
  /** Time left in this invocation, ms. */
  remainingMs: () => number;
}

export type ImportOutcome =
  | { kind: 'imported'; record: ImportRecord }
  | { kind: 'failed'; record: ImportRecord }
  | { kind: 'duplicate'; record: ImportRecord }
  | { kind: 'continued'; ref: ImportRef; checkpointLine: number }
  /** Handed to (or already with) a Distributed Map run; its finish step completes the record. */
  | { kind: 'distributed'; ref: ImportRef; run: string; executionArn?: string }
  | { kind: 'ignored'; reason: string };

/**
 * Another invocation holds the import's lease: the delivery must be retried, not dropped, once
 * the lease has run out (by then the holder has finished, renewed it, or crashed and left the
 * import to be taken over).
 */
export class ImportBusyError extends Error {
  constructor(
    readonly key: string,
    /** How long the holder's lease has left, on the import's clock. */
    readonly retryAfterMs: number,
  ) {
    super(`the import of ${key} is running in another invocation (its lease ends in ${retryAfterMs} ms)`);
    this.name = 'ImportBusyError';
  }
}

/**
 * The folder's column mapping: `segments/<campaign-id>/columns.json`, `{ "<their header>":
 * "<column>" }` as the campaign file's `columns` write it. An upload cannot carry the
 * campaign's own mapping (the campaign file may come later, or not through S3 at all), and
 * a store's exports share their headers, so one file beside the segment files maps them all.
 */
export const COLUMNS_FILE_NAME = 'columns.json';
const COLUMNS_KEY = /^segments\/([A-Za-z0-9][A-Za-z0-9_-]{0,47})\/columns\.json$/;
/** A mapping is a few hundred bytes; anything this big is not one (and is not read whole). */
const MAX_MAPPING_BYTES = 64 * 1024;

export function columnsKeyFor(campaignId: string): string {
  return `${PREFIX.segments}${campaignId}/${COLUMNS_FILE_NAME}`;
}

/** The mapping an import of a folder's files reads, as found in storage. */
export interface FolderMapping {
  key: string;
  /** The mapping's content identity (part of the import's: another mapping is another import). */
  id: string;
  mapping?: ColumnMapping;
  /** Why the mapping cannot be used: every file of the folder is refused until it is fixed. */
  error?: string;
}

/** The content identity of a mapping file's bytes. */
export function mappingId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/**
 * An import's identity: the segment file's content (its ETag), and with a folder mapping
 * the mapping's too. The same bytes read with the same mapping are one import (a duplicate
 * event changes nothing); with a fixed mapping, uploading the same file again imports it again.
 */
export function importEtag(
  segmentEtag: string,
  mapping: Pick<FolderMapping, 'id'> | undefined,
  sheet?: string,
): string {
  const withMapping = mapping ? `${segmentEtag}+columns-${mapping.id}` : segmentEtag;
  // Another sheet of the same workbook is another import.
  return sheet === undefined ? withMapping : `${withMapping}+sheet-${encodeURIComponent(sheet)}`;
}

/** The folder mapping of a campaign's segment files, or undefined when there is none. */
export async function readFolderMapping(
  storage: ObjectStorage,
  campaignId: string,
): Promise<FolderMapping | undefined> {
  const key = columnsKeyFor(campaignId);
  const object = await storage.head(key);
  if (!object) return undefined;
  if (object.size > MAX_MAPPING_BYTES) {
    return { key, id: object.etag, error: `${key}: is ${object.size} bytes, not a column mapping (at most 64 KB)` };
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of storage.read(key)) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const id = mappingId(bytes);
  try {
    return { key, id, mapping: toColumnMapping(parseColumnMappingText(bytes.toString('utf8'), key)) };
  } catch (error) {
    if (!(error instanceof ColumnMappingError)) throw error;
    return { key, id, error: error.message };
  }
}

export function rejectsKeyFor(key: string): string {
  return `reports/${key}.rejects.jsonl`;
}

/** `segments/<campaign-id>/<name>.csv` -> campaign id and the file's label. */
export function parseSegmentKey(key: string): { campaignId: string; label: string } | undefined {
  const match = SEGMENT_KEY.exec(key);
  return match ? { campaignId: match[1] as string, label: match[2] as string } : undefined;
}

export async function importSegment(deps: ImportSegmentDeps, request: ImportRequest): Promise<ImportOutcome> {
  const candidates = request.keys.filter((key) => key.startsWith(PREFIX.segments));
  if (candidates.length === 0) return { kind: 'ignored', reason: 'not under segments/' };
  if (candidates.some((key) => COLUMNS_KEY.test(key))) {
    return { kind: 'ignored', reason: 'a column mapping: the imports of the files beside it read it' };
  }
  let object: Awaited<ReturnType<ObjectStorage['head']>>;
  for (const key of candidates) {
    object = await deps.storage.head(key);
    if (object) break;
  }
  if (!object) return { kind: 'ignored', reason: `no object ${candidates[0]} (deleted since the event)` };
  const parsed = parseSegmentKey(object.key);
  const folderMapping = parsed ? await readFolderMapping(deps.storage, parsed.campaignId) : undefined;
  const ref: ImportRef = {
    key: object.key,
    etag: importEtag(object.etag, folderMapping, object.sheet),
    size: object.size,
  };
  const leaseMs = deps.leaseMs ?? 120_000;
  const now = deps.clock();
  const claim = await deps.imports.claim(
    {
      ...ref,
      campaignId: parsed?.campaignId ?? '',
      segment: parsed?.label ?? '',
      rejectsKey: rejectsKeyFor(ref.key),
      ...(object.uploadedBy === undefined ? {} : { uploadedBy: object.uploadedBy }),
    },
    deps.owner,
    now,
    leaseMs,
  );
  if (claim.kind === 'done') return { kind: 'duplicate', record: claim.record };
  if (claim.kind === 'busy' && claim.record.mode === 'distributed' && claim.record.run !== undefined) {
    // A map run holds the import: a repeated event changes nothing (a start is idempotent by name).
    return { kind: 'distributed', ref, run: claim.record.run, ...arnOf(claim.record) };
  }
  if (claim.kind === 'busy') throw new ImportBusyError(ref.key, Math.max(0, claim.record.leaseUntil - now));
  // This invocation's work starts at its claim and adds to what earlier ones checkpointed.
  const worked = () => (claim.record.workedMs ?? 0) + (deps.clock() - now);

  const rejects = deps.storage.openLineWriter(rejectsKeyFor(ref.key), 'application/x-ndjson');
  try {
    if (!parsed) {
      return await failWhole(deps, ref, rejects, worked, {
        reason: 'the key must be segments/<campaign-id>/<name>.csv, .jsonl or .xlsx',
        record: claim.record,
      });
    }
    if (folderMapping?.error !== undefined) {
      return await failWhole(deps, ref, rejects, worked, { reason: folderMapping.error, record: claim.record });
    }
    const handed = await startMapRun(deps, ref, object, parsed, folderMapping, claim.record);
    if (handed) {
      await rejects.abort();
      return handed;
    }
    return await run(deps, request, ref, object, parsed, folderMapping, claim.record, rejects, leaseMs, worked);
  } catch (error) {
    await rejects.abort();
    throw error;
  }
}

function arnOf(record: ImportRecord): { executionArn?: string } {
  return record.executionArn === undefined ? {} : { executionArn: record.executionArn };
}

/** The map run's name: the import's identity and attempt, within Step Functions' 80 characters. */
export function mapRunName(ref: Pick<ImportRef, 'key' | 'etag'>, attempt: number): string {
  const id = createHash('sha256').update(`${ref.key}\u0000${ref.etag}`).digest('hex').slice(0, 32);
  return `import-${id}-${attempt}`;
}

/**
 * A large UTF-8 CSV goes to the Distributed Map: the import's header is resolved here, once,
 * from the first bytes, then the run is named, given the import (its owner from now on) and
 * started. Anything the map cannot read (small, .xlsx, .jsonl, GB18030, a header the reader
 * refuses) returns undefined and streams through this writer as before.
 */
async function startMapRun(
  deps: ImportSegmentDeps,
  ref: ImportRef,
  object: StoredObject,
  target: { campaignId: string; label: string },
  folderMapping: FolderMapping | undefined,
  record: ImportRecord,
): Promise<ImportOutcome | undefined> {
  const map = deps.mapImport;
  if (!map || object.size < map.thresholdBytes || object.sheet !== undefined || record.checkpointLine > 0) {
    return undefined;
  }
  const headBytes = Math.min(object.size, map.headBytes ?? DISTRIBUTED_IMPORT.headBytes);
  const chunks: Uint8Array[] = [];
  for await (const chunk of deps.storage.readRange(object.key, object.etag, 0, headBytes)) chunks.push(chunk);
  const mapping = folderMapping?.mapping ? mappingToJson(folderMapping.mapping) : undefined;
  const eligibility = await mapEligibility(ref.key, Buffer.concat(chunks), {
    timeZone: deps.timeZone,
    label: target.label,
    mapping,
  });
  if (!eligibility.eligible) {
    deps.log.info('large file streams through one writer', { key: ref.key, reason: eligibility.reason });
    return undefined;
  }
  const name = mapRunName(ref, record.invocations);
  const input: MapImportInput = {
    key: ref.key,
    batchInput: {
      run: name,
      key: ref.key,
      etag: ref.etag,
      campaignId: target.campaignId,
      label: target.label,
      timeZone: deps.timeZone,
      header: eligibility.header,
      ...(mapping ? { mapping } : {}),
    },
  };
  await deps.imports.handOverToRun(ref, deps.owner, name, deps.clock() + MAP_RUN_LEASE_MS);
  const { executionArn } = await map.starter.start({ name, input });
  await deps.imports.recordExecution(ref, name, executionArn);
  deps.log.info('handed the import to a Distributed Map run', { key: ref.key, run: name, executionArn });
  return { kind: 'distributed', ref, run: name, executionArn };
}

/**
 * The object as the segment reader takes it. A workbook is read by ranged GETs of this very
 * content (its ETag), so a continuation or a retry reads the same rows in the same order
 * and resumes by row number as a CSV resumes by line.
 */
function segmentFileOf(storage: ObjectStorage, object: StoredObject): SegmentFile {
  const file: SegmentFile = {
    name: object.key,
    open: () => storage.read(object.key),
    bytes: { size: object.size, read: (start, end) => storage.readRange(object.key, object.etag, start, end) },
  };
  if (object.sheet !== undefined) file.sheet = object.sheet;
  return file;
}

async function run(
  deps: ImportSegmentDeps,
  request: ImportRequest,
  ref: ImportRef,
  object: StoredObject,
  target: { campaignId: string; label: string },
  folderMapping: FolderMapping | undefined,
  record: ImportRecord,
  rejects: LineWriter,
  leaseMs: number,
  worked: () => number,
): Promise<ImportOutcome> {
  const everyRows = deps.checkpointEveryRows ?? 20_000;
  const everyMs = deps.checkpointEveryMs ?? 5_000;
  const margin = deps.handOverMarginMs ?? 90_000;
  const resumeAfter = record.checkpointLine;
  if (resumeAfter > 0) deps.log.info('resuming import', { key: ref.key, afterLine: resumeAfter });

  const reader = new SegmentReader({
    fileName: ref.key,
    timeZone: deps.timeZone,
    segment: target.label,
    ...(folderMapping?.mapping ? { columns: folderMapping.mapping } : {}),
  });
  const writer = deps.customers.openWriter();
  const seenCustomers = new SeenKeys();
  let repeats = 0;
  let lastLine = 0;
  let rowsAtCheckpoint = 0;
  let checkpointAt = deps.clock();
  const checkpoint = async (leaseUntil: number) => {
    await writer.flush();
    await deps.imports.checkpoint(
      ref,
      deps.owner,
      { checkpointLine: Math.max(resumeAfter, lastLine), progressRows: reader.summary.rows, workedMs: worked() },
      leaseUntil,
    );
    rowsAtCheckpoint = reader.summary.rows;
    checkpointAt = deps.clock();
  };

  // Out of time: make everything so far durable, release the lease, hand over.
  const handOver = async (): Promise<ImportOutcome> => {
    await checkpoint(deps.clock());
    await rejects.abort();
    await deps.continuation.continueLater(ref);
    deps.log.info('handed the import over to a continuation', { key: ref.key, line: lastLine });
    return { kind: 'continued', ref, checkpointLine: Math.max(resumeAfter, lastLine) };
  };
  /** Between rows: hand over when time runs short, checkpoint when one is due. */
  const keepUp = async (): Promise<ImportOutcome | undefined> => {
    if (request.remainingMs() < margin) return handOver();
    if (reader.summary.rows - rowsAtCheckpoint >= everyRows || deps.clock() - checkpointAt >= everyMs) {
      await checkpoint(deps.clock() + leaseMs);
    }
    return undefined;
  };
  const checkEveryRows = Math.min(TIME_CHECK_ROWS, everyRows);
  let rowsSinceCheck = 0;
  try {
    for await (const batch of readSegmentFile(reader, segmentFileOf(deps.storage, object))) {
      for (const rejected of batch.rejected) await rejects.write(JSON.stringify(rejected));
      for (const { line, customer } of batch.accepted) {
        if (seenCustomers.add(customer.customerId)) repeats += 1;
        if (line > resumeAfter) {
          await writer.write({
            customer,
            campaignId: target.campaignId,
            label: customer.segment,
            source: { key: ref.key, etag: ref.etag, line },
          });
        }
        lastLine = line;
        rowsSinceCheck += 1;
        if (rowsSinceCheck >= checkEveryRows) {
          rowsSinceCheck = 0;
          const handedOver = await keepUp();
          if (handedOver) return handedOver;
        }
      }
      const last = batch.rejected.at(-1)?.line ?? 0;
      if (last > lastLine) lastLine = last;
      const handedOver = await keepUp();
      if (handedOver) return handedOver;
    }
  } catch (error) {
    if (error instanceof ObjectChangedError) {
      // Replaced mid-read: the new content has its own event and its own import record.
      return await failWhole(deps, ref, rejects, worked, {
        reason: 'the file was replaced while it was imported; the new upload is imported on its own',
        record,
      });
    }
    if (!(error instanceof SegmentFileError)) throw error;
    return await failWhole(deps, ref, rejects, worked, { reason: error.reason, record });
  }
  await writer.flush();
  await rejects.close();
  const summary = reader.summary;
  const counts: ImportCounts = {
    rows: summary.rows,
    imported: summary.accepted - repeats,
    rejected: summary.rejected,
    repeats,
  };
  const finished = await deps.imports.finish(ref, deps.owner, {
    ...counts,
    status: 'succeeded',
    finishedAt: new Date(deps.clock()).toISOString(),
    durationMs: worked(),
    encoding: summary.encoding,
    format: summary.format,
    columns: summary.columns,
    ...(summary.sheet !== undefined ? { sheet: summary.sheet } : {}),
    ignoredColumns: summary.ignoredColumns,
    ...(folderMapping ? { columnsKey: folderMapping.key } : {}),
    maskedPhones: summary.maskedPhones,
    maskedEmails: summary.maskedEmails,
    maskedNames: summary.maskedNames,
  });
  deps.log.info('imported segment file', { key: ref.key, ...counts });
  return { kind: 'imported', record: finished };
}

/** The file as a whole cannot be imported: the reason goes to the rejects report and the record. */
async function failWhole(
  deps: ImportSegmentDeps,
  ref: ImportRef,
  rejects: LineWriter,
  worked: () => number,
  failure: { reason: string; record: ImportRecord },
): Promise<ImportOutcome> {
  await rejects.write(
    JSON.stringify({ file: ref.key, line: 1, problems: [{ column: '(file)', reason: failure.reason }] }),
  );
  await rejects.close();
  const record = await deps.imports.finish(ref, deps.owner, {
    rows: 0,
    imported: 0,
    rejected: 0,
    repeats: 0,
    status: 'failed',
    finishedAt: new Date(deps.clock()).toISOString(),
    durationMs: worked(),
    error: failure.reason,
  });
  deps.log.warn('segment file refused', { key: ref.key, reason: failure.reason });
  return { kind: 'failed', record };
}
