/**
 * The Distributed Map import's batch writer: a child execution's batch (`BatchInput` with
 * the run, file and header; `Items` with each row and its index) is validated, written and
 * summed up by one use case. A malformed batch is an error: the map run fails and can be
 * redriven once the definition is fixed, never half-applied.
 */
import { z } from 'zod';
import { importBatchDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { CUSTOMER_COLUMNS } from '../domain/customer.ts';
import type { MapBatch } from '../domain/map-import.ts';
import { observability } from '../observability.ts';
import { type BatchSummary, importBatch } from '../usecases/import-batch.ts';

const observed = observability(SERVICE.importBatch);

const column = z.enum(CUSTOMER_COLUMNS);
export const batchInputSchema = z.object({
  run: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/),
  key: z.string().min(1),
  etag: z.string().min(1),
  campaignId: z.string().min(1),
  label: z.string().min(1),
  timeZone: z.string().min(1),
  header: z.array(z.string()).min(1),
  mapping: z.record(z.string(), column.nullable()).optional(),
});
const batchEvent = z.object({
  BatchInput: batchInputSchema,
  Items: z.array(z.object({ index: z.int().min(0), row: z.record(z.string(), z.string()) })).min(1),
});

export class InvalidBatchError extends Error {
  constructor(detail: string) {
    super(`not an import batch: ${detail}`);
    this.name = 'InvalidBatchError';
  }
}

async function handle(event: unknown): Promise<BatchSummary> {
  const parsed = batchEvent.safeParse(event);
  if (!parsed.success) throw new InvalidBatchError(parsed.error.issues.map((issue) => issue.path.join('.')).join(', '));
  const summary = await importBatch(importBatchDependencies(loadConfig()), parsed.data as MapBatch);
  observed.logger.info('import batch written', { run: parsed.data.BatchInput.run, ...summary });
  return summary;
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
