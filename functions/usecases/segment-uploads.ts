/**
 * The console's side of segment imports: a presigned request that puts one file straight into
 * the campaign's folder `segments/<id>/<segment>.<ext>` (where its upload starts the import,
 * as any upload there does), the folder's imports with their progress and result, and the
 * rejected rows of one import, read from the rejects report beside it.
 */
import { UPLOADED_BY_METADATA } from '../contract.ts';
import { maskPersonalData } from '../domain/masking.ts';
import type { ImportRecord, ImportStore } from '../ports/import-store.ts';
import type { ObjectStorage } from '../ports/object-storage.ts';
import type { ObjectListing, PresignedUpload, UploadSigner } from '../ports/upload-signer.ts';
import { CampaignError } from './errors.ts';
import { parseSegmentKey, rejectsKeyFor } from './import-segment.ts';

/** Long enough for a slow upload to start; a request is signed for one file and one key only. */
export const UPLOAD_EXPIRES_SECONDS = 15 * 60;
/** S3's limit for one PUT. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** Rejected rows shown at once; the whole report stays in the bucket. */
export const REJECTS_SHOWN = 200;
const EXTENSIONS = ['csv', 'xlsx', 'jsonl', 'ndjson'] as const;
const SEGMENT_LABEL = /^[^/\\\u0000-\u001f]{1,100}$/;

export interface SegmentUploadDeps {
  imports: Pick<ImportStore, 'latest'>;
  listing: ObjectListing;
  storage: Pick<ObjectStorage, 'read'>;
  signer: UploadSigner;
}

export interface UploadRequest {
  campaignId: string;
  fileName: string;
  /** The segment's label; the file's name without its extension by default. */
  segment?: string;
  size?: number;
}

function refused(path: string, message: string): CampaignError {
  return new CampaignError('invalid-request', `${path}: ${message}`, { fields: [{ path, message }] });
}

/** The key an upload goes to: the segment label and the file's own format. */
export function uploadKey(request: UploadRequest): string {
  const name = request.fileName.split(/[/\\]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!(EXTENSIONS as readonly string[]).includes(extension)) {
    throw refused('fileName', `must be a .csv, .xlsx, .jsonl or .ndjson file, not "${name}"`);
  }
  const label = (request.segment ?? name.slice(0, dot)).trim();
  if (!SEGMENT_LABEL.test(label))
    throw refused(request.segment === undefined ? 'fileName' : 'segment', 'must be 1-100 characters without / or \\');
  if (label.toLowerCase() === 'columns')
    throw refused('segment', '"columns" is the folder\'s column mapping, not a segment');
  if (request.size !== undefined && request.size > MAX_UPLOAD_BYTES) {
    throw refused('size', `is over the ${MAX_UPLOAD_BYTES / 1024 ** 3} GB a single upload may be`);
  }
  const key = `segments/${request.campaignId}/${label}.${extension}`;
  if (!parseSegmentKey(key)) throw refused('segment', 'does not make a segment file name');
  return key;
}

/** A presigned PUT of the file, with who asked for it signed in: the import records its uploader. */
export async function requestUpload(
  deps: SegmentUploadDeps,
  request: UploadRequest,
  uploadedBy: string,
): Promise<PresignedUpload> {
  return deps.signer.presignPut(uploadKey(request), UPLOAD_EXPIRES_SECONDS, { [UPLOADED_BY_METADATA]: uploadedBy });
}

export interface ImportItem {
  key: string;
  /** The file's name in the folder. */
  file: string;
  size: number;
  /** `running` also while the upload's event has not reached the import yet. */
  status: ImportRecord['status'];
  rows: number;
  imported: number;
  rejected: number;
  repeats: number;
  progressRows: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  format?: string;
  encoding?: string;
  /** Who uploaded it from the console. */
  uploadedBy?: string;
  error?: string;
}

export async function listImports(deps: SegmentUploadDeps, campaignId: string): Promise<ImportItem[]> {
  const objects = (await deps.listing.list(`segments/${campaignId}/`)).filter((object) => parseSegmentKey(object.key));
  const items = await Promise.all(
    objects.map(async (object): Promise<ImportItem> => {
      const record = await deps.imports.latest(object.key);
      const file = object.key.slice(`segments/${campaignId}/`.length);
      if (!record) {
        return {
          key: object.key,
          file,
          size: object.size,
          status: 'running',
          rows: 0,
          imported: 0,
          rejected: 0,
          repeats: 0,
          progressRows: 0,
        };
      }
      return {
        key: object.key,
        file,
        size: object.size,
        status: record.status,
        rows: record.rows,
        imported: record.imported,
        rejected: record.rejected,
        repeats: record.repeats,
        progressRows: record.progressRows,
        startedAt: record.startedAt,
        ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
        ...(record.durationMs !== undefined ? { durationMs: record.durationMs } : {}),
        ...(record.format ? { format: record.format } : {}),
        ...(record.encoding ? { encoding: record.encoding } : {}),
        ...(record.uploadedBy ? { uploadedBy: record.uploadedBy } : {}),
        ...(record.error ? { error: maskPersonalData(record.error) } : {}),
      };
    }),
  );
  // Newest first: what was just uploaded is on top.
  return items.sort((a, b) => (b.startedAt ?? '9').localeCompare(a.startedAt ?? '9') || a.file.localeCompare(b.file));
}

export interface RejectedRowView {
  line: number;
  customerId?: string;
  problems: Array<{ column: string; header?: string; reason: string }>;
}

export interface RejectsView {
  key: string;
  rows: RejectedRowView[];
  total: number;
  truncated: boolean;
}

export async function readRejects(deps: SegmentUploadDeps, campaignId: string, key: string): Promise<RejectsView> {
  if (parseSegmentKey(key)?.campaignId !== campaignId) {
    throw refused('key', `is not a segment file of ${campaignId} (segments/${campaignId}/<name>.csv)`);
  }
  const rows: RejectedRowView[] = [];
  let total = 0;
  let rest = '';
  const decoder = new TextDecoder();
  const take = (line: string) => {
    if (line.trim() === '') return;
    total += 1;
    if (rows.length >= REJECTS_SHOWN) return;
    const parsed = JSON.parse(line) as { line: number; customerId?: string; problems?: RejectedRowView['problems'] };
    rows.push({
      line: parsed.line,
      ...(parsed.customerId ? { customerId: parsed.customerId } : {}),
      // The report keeps the file's values out, but a reason may quote one: masked all the same.
      problems: (parsed.problems ?? []).map((problem) => ({
        column: problem.column,
        ...(problem.header ? { header: problem.header } : {}),
        reason: maskPersonalData(problem.reason),
      })),
    });
  };
  try {
    for await (const chunk of deps.storage.read(rejectsKeyFor(key))) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) take(line);
    }
    take(rest + decoder.decode());
  } catch (error) {
    // No report yet (the import has not finished): no rejected rows to show.
    if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
  }
  return { key, rows, total, truncated: total > rows.length };
}
