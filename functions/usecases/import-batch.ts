/**
 * One batch of the Distributed Map import: its rows are judged by the same reader as the
 * streamed import (header resolved with the run's mapping, every row validated alike),
 * accepted rows are written with last-line-wins puts, and what the batch came to (counts,
 * the accepted ids in file order, the rejects) is kept as the batch's part for the finish
 * step. At least once, safely: a batch run again writes the same items and the same part.
 */
import { importRunPartKey } from '../contract.ts';
import { type BatchResult, batchReader, cellRowsOf, type MapBatch } from '../domain/map-import.ts';
import type { CustomerWriter } from '../ports/customer-store.ts';
import type { ObjectStorage } from '../ports/object-storage.ts';

export interface ImportBatchDeps {
  storage: ObjectStorage;
  /** A writer whose rows may land in any order: the last line of a customer wins. */
  openWriter: () => CustomerWriter;
}

/** What a batch returns to the map (its result file): small, whatever the batch held. */
export interface BatchSummary {
  firstIndex: number;
  items: number;
  rows: number;
  accepted: number;
  rejected: number;
  part: string;
}

/** The part a batch leaves for the finish step. */
export interface BatchPart extends BatchResult {
  items: number;
}

export async function importBatch(deps: ImportBatchDeps, batch: MapBatch): Promise<BatchSummary> {
  const input = batch.BatchInput;
  const firstIndex = batch.Items.reduce((least, item) => Math.min(least, item.index), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(firstIndex)) throw new Error(`a batch of ${input.key} has no rows`);
  const reader = batchReader(input);
  const writer = deps.openWriter();
  const ids: string[] = [];
  const rejects: BatchResult['rejects'] = [];
  for await (const judged of reader.readRows(cellRowsOf(batch))) {
    rejects.push(...judged.rejected);
    for (const { line, customer } of judged.accepted) {
      ids.push(customer.customerId);
      await writer.write({
        customer,
        campaignId: input.campaignId,
        label: customer.segment,
        source: { key: input.key, etag: input.etag, line },
      });
    }
  }
  await writer.flush();
  const summary = reader.summary;
  const part: BatchPart = {
    firstIndex,
    items: batch.Items.length,
    rows: summary.rows,
    accepted: summary.accepted,
    rejected: summary.rejected,
    maskedPhones: summary.maskedPhones,
    maskedEmails: summary.maskedEmails,
    maskedNames: summary.maskedNames,
    ids,
    rejects: rejects.sort((a, b) => a.line - b.line),
  };
  const key = importRunPartKey(input.run, firstIndex);
  // Written after the rows are durable: a part says its rows are in the table.
  await deps.storage.put(key, JSON.stringify(part), 'application/json');
  return {
    firstIndex,
    items: part.items,
    rows: part.rows,
    accepted: part.accepted,
    rejected: part.rejected,
    part: key,
  };
}
