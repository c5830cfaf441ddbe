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

/** Reads every segment file into one customer set (last row wins, labels gathered). */
export async function loadCustomers(input: LoadCustomersInput): Promise<LoadedCustomers> {
  const customers = new CustomerSet();
  const files: FileReport[] = [];
  for (const [fileNumber, source] of input.sources.entries()) {
    const reader = new SegmentReader({
      fileName: source.name,
      timeZone: input.timeZone,
      ...(input.columns ? { columns: input.columns } : {}),
      // Straight into the set: the set copies each customer into its columns.
      accept: (customer) => customers.upsert(customer, fileNumber),
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
  const campaign = parseCampaign(input.campaign);
  const columns = mergeMappings(toColumnMapping(campaign.columns), input.columns ?? new Map());
  const loaded = await loadCustomers({ ...input, timeZone: campaign.timezone, columns });
  const plan = planCampaign({ campaign, customers: loaded.customers, now: input.now });
  return { campaign, plan, ...loaded };
}
