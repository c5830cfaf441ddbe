/**
 * The import records: one per file content (key + ETag; with a folder column mapping, the
 * ETag joined with the mapping's content id), with a lease and a checkpoint.
 */
import type { MappedColumn } from '../domain/column-mapping.ts';

export interface ImportRef {
  key: string;
  etag: string;
  size: number;
}

export type ImportStatus = 'running' | 'succeeded' | 'failed';

export interface ImportCounts {
  /** Data rows read (blank lines not counted). */
  rows: number;
  /** Distinct customers written: accepted rows less repeats. */
  imported: number;
  rejected: number;
  /** Rows whose customer_id (and label) came again later in the file: the last row won. */
  repeats: number;
}

export interface ImportRecord extends ImportRef, ImportCounts {
  campaignId: string;
  segment: string;
  /** Who uploaded the file from the console (absent for an upload by other means). */
  uploadedBy?: string;
  status: ImportStatus;
  owner: string;
  /** Epoch ms until which `owner` holds the import. */
  leaseUntil: number;
  /** Every accepted row up to this line is durable: a resumed import writes only what follows. */
  checkpointLine: number;
  /** Rows read so far by the current run: progress for `campaign import`. */
  progressRows: number;
  invocations: number;
  /**
   * Time spent working on the import, summed over its invocations, as of the last checkpoint.
   * Not in it: the wait for a crashed invocation's lease, nor that invocation's work after its
   * last checkpoint (redone by the next one). Absent on records written before it was kept.
   */
  workedMs?: number;
  startedAt: string;
  finishedAt?: string;
  /** The work's duration (workedMs at the finish), not the time since startedAt. */
  durationMs?: number;
  encoding?: string;
  format?: string;
  /** The sheet read, for a workbook (.xlsx). */
  sheet?: string;
  rejectsKey: string;
  /** Which header became which column, in header order. */
  columns?: MappedColumn[];
  /** Headers whose values were ignored: unknown, mapped to null, or replaced by the mapping. */
  ignoredColumns?: string[];
  /** The folder's column mapping the import read (`segments/<campaign-id>/columns.json`), if any. */
  columnsKey?: string;
  /** Accepted customers whose phone, email or name the platform masked: kept without it. */
  maskedPhones?: number;
  maskedEmails?: number;
  maskedNames?: number;
  error?: string;
  /**
   * `distributed`: a file too large for one writer, handed to a Step Functions Distributed
   * Map run (`run` is the execution's name and the import's owner until it finishes;
   * `executionArn` where to see it, redrive it). Absent: one writer, continuing itself.
   */
  mode?: 'distributed';
  run?: string;
  executionArn?: string;
}

/** What a finished import records beside its counts. */
export interface ImportResultFields {
  encoding?: string;
  format?: string;
  columns?: MappedColumn[];
  ignoredColumns?: string[];
  columnsKey?: string;
  maskedPhones?: number;
  maskedEmails?: number;
  maskedNames?: number;
  error?: string;
}

export type ClaimResult =
  | { kind: 'claimed'; record: ImportRecord }
  /** Already finished: a duplicate event, or the same file uploaded again. */
  | { kind: 'done'; record: ImportRecord }
  /** Another invocation holds a live lease. */
  | { kind: 'busy'; record: ImportRecord };

export interface NewImport extends ImportRef {
  campaignId: string;
  segment: string;
  rejectsKey: string;
  /** Who uploaded the file from the console (absent for an upload by other means). */
  uploadedBy?: string;
}

export interface ImportStore {
  claim(request: NewImport, owner: string, now: number, leaseMs: number): Promise<ClaimResult>;
  /** Records progress and renews the lease; throws LeaseLostError when another owner took over. */
  checkpoint(
    ref: ImportRef,
    owner: string,
    progress: { checkpointLine: number; progressRows: number; workedMs: number },
    leaseUntil: number,
  ): Promise<void>;
  finish(
    ref: ImportRef,
    owner: string,
    result: ImportCounts &
      ImportResultFields & {
        status: 'succeeded' | 'failed';
        finishedAt: string;
        durationMs: number;
      },
  ): Promise<ImportRecord>;
  /**
   * Hands the import to a Distributed Map run: `run` becomes its owner, holding it until
   * `leaseUntil`; throws LeaseLostError when `owner` no longer holds it.
   */
  handOverToRun(ref: ImportRef, owner: string, run: string, leaseUntil: number): Promise<void>;
  /** Notes the run's execution ARN (for operators: where to look, what to redrive). */
  recordExecution(ref: ImportRef, run: string, executionArn: string): Promise<void>;
  get(ref: Pick<ImportRef, 'key' | 'etag'>): Promise<ImportRecord | undefined>;
  /** The newest import record of a key, whatever its content. */
  latest(key: string): Promise<ImportRecord | undefined>;
  /**
   * The customers imported for a campaign without reading them: the sum, over its files, of
   * the newest succeeded import's distinct customers (a customer in two files counts twice).
   */
  importedCustomers(campaignId: string): Promise<number>;
}

export class LeaseLostError extends Error {
  constructor(key: string) {
    super(`the import of ${key} was taken over by another invocation`);
    this.name = 'LeaseLostError';
  }
}

/** Hands a large file's import to a fresh invocation, resuming from its checkpoint. */
export interface ImportContinuation {
  continueLater(ref: ImportRef): Promise<void>;
}

/** A run of the Distributed Map import, as the importer starts it. */
export interface MapImportRun {
  /** The execution's name: unique per import and attempt, so a repeated start is the same run. */
  name: string;
  /** The execution's input (the map reads the file named in it). */
  input: unknown;
}

/** Starts (idempotently: the same name again is the same run) the Distributed Map import. */
export interface MapImportStarter {
  start(run: MapImportRun): Promise<{ executionArn: string }>;
}
