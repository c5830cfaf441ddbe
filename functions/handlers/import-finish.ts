/**
 * The Distributed Map import's finish step: after every batch, the import record gets the
 * merged counts and the rejects report is written, as the streamed import leaves them.
 */
import { z } from 'zod';
import { importFinishDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import type { MapBatchInput } from '../domain/map-import.ts';
import { observability } from '../observability.ts';
import { finishMapImport } from '../usecases/import-finish.ts';
import { batchInputSchema, InvalidBatchError } from './import-batch.ts';

const observed = observability(SERVICE.importFinish);
const { logger } = observed;
const finishLog = {
  info: (message: string, data: Record<string, unknown> = {}) => logger.info(message, data),
  warn: (message: string, data: Record<string, unknown> = {}) => logger.warn(message, data),
};

const finishEvent = z.object({ batchInput: batchInputSchema });

export interface FinishResult {
  key: string;
  rows: number;
  imported: number;
  rejected: number;
  repeats: number;
}

async function handle(event: unknown): Promise<FinishResult> {
  const parsed = finishEvent.safeParse(event);
  if (!parsed.success) throw new InvalidBatchError(parsed.error.issues.map((issue) => issue.path.join('.')).join(', '));
  const record = await finishMapImport(
    importFinishDependencies(loadConfig(), finishLog),
    parsed.data.batchInput as MapBatchInput,
  );
  return {
    key: record.key,
    rows: record.rows,
    imported: record.imported,
    rejected: record.rejected,
    repeats: record.repeats,
  };
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
