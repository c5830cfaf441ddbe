/**
 * Plan a campaign from segment files, with no AWS and no server: the `campaign plan`
 * use case. Files stream through the segment reader; good rows become the customer set,
 * bad rows go to `onRejected` as they are found; then the pure planner decides.
 */

import { type Campaign, parseCampaign } from '../domain/campaign.ts';
import { type ColumnMapping, mergeMappings, toColumnMapping } from '../domain/column-mapping.ts';
import { CustomerSet } from '../domain/customer-set.ts';
import { type Plan, planCampaign } from '../domain/planner.ts';
import { readSegmentFile, type SegmentFile } from '../domain/segment-file.ts';
import { type RejectedRow, SegmentReader, type SegmentReadSummary } from '../domain/segment-reader.ts';
import { withTrackingBase } from '../domain/tracked-link.ts';

/** A segment file: its bytes as a stream, and for a workbook (.xlsx) at any offset, with the sheet to read. */
export type SegmentSource = SegmentFile;

export interface FileReport extends SegmentReadSummary {
  file: string;
}

export interface LoadProgress {
  file: string;
  rows: number;
}

export interface LoadCustomersInput {
  sources: readonly SegmentSource[];
  timeZone: string;
  /** Which header is which column, beside the built-in aliases (it wins over them). */
  columns?: ColumnMapping;
  onRejected: (row: RejectedRow) => void;
  onProgress?: (progress: LoadProgress) => void;
}

export interface LoadedCustomers {
  customers: CustomerSet;
  files: FileReport[];
}

/**
 * Bytes a row of a CSV export takes, at the short end (ids, a phone, an email, a name and a
 * few numbers): the files' sizes over this are the customers the set makes room for at once.
 * Too many costs only address space (room never written is never touched); too few, a copy.
 */
const SHORT_ROW_BYTES = 64;
/** Customers the set makes room for at once, at most (past this it grows as it fills). */
const MAX_EXPECTED_CUSTOMERS = 20_000_000;

function expectedCustomers(sources: readonly SegmentSource[]): number {
  let bytes = 0;
  // A workbook is compressed: its size says little, so its rows are left to grow the set.
  for (const source of sources) if (!source.name.toLowerCase().endsWith('.xlsx')) bytes += source.size ?? 0;
  return Math.min(MAX_EXPECTED_CUSTOMERS, Math.ceil(bytes / SHORT_ROW_BYTES));
}

/** Reads every segment file into one customer set (last row wins, labels gathered). */
export async function loadCustomers(input: LoadCustomersInput): Promise<LoadedCustomers> {
  const customers = new CustomerSet({ expectedSize: expectedCustomers(input.sources) });
  const files: FileReport[] = [];
  for (const [fileNumber, source] of input.sources.entries()) {
    const reader = new SegmentReader({
      fileName: source.name,
      timeZone: input.timeZone,
      ...(input.columns ? { columns: input.columns } : {}),
      // Straight into the set: the set copies each customer into its columns, cells as bytes.
      accept: (customer, _line, cells) => customers.upsert(customer, fileNumber, cells),
      cellBytes: true,
    });
    for await (const batch of readSegmentFile(reader, source)) {
      for (const row of batch.rejected) input.onRejected(row);
      input.onProgress?.({ file: source.name, rows: reader.summary.rows });
    }
    files.push({ file: source.name, ...reader.summary });
  }
  return { customers, files };
}

export interface PlanOfflineInput extends Omit<LoadCustomersInput, 'timeZone'> {
  /** The campaign file's text (or parsed JSON). */
  campaign: unknown;
  now: number;
  /** The tracked links' base of a campaign that names none (where the product will be reached). */
  linkBase?: string;
}

export interface PlanOfflineResult extends LoadedCustomers {
  campaign: Campaign;
  plan: Plan;
}

/**
 * Validates the campaign first (nothing is read from an invalid one), then loads and plans.
 * The campaign file's `columns` map the headers; `input.columns` (`--columns FILE`) wins
 * over them header by header.
 */
export async function planOffline(input: PlanOfflineInput): Promise<PlanOfflineResult> {
  const campaign = withTrackingBase(parseCampaign(input.campaign), input.linkBase);
  const columns = mergeMappings(toColumnMapping(campaign.columns), input.columns ?? new Map());
  const loaded = await loadCustomers({ ...input, timeZone: campaign.timezone, columns });
  const plan = planCampaign({ campaign, customers: loaded.customers, now: input.now });
  return { campaign, plan, ...loaded };
}
