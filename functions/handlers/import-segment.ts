/**
 * The import Lambda: S3 object-created events for `segments/` (through EventBridge and
 * SQS on AWS; straight from s3rver locally), and continuations of large files. Parses
 * the event, runs the import use case per file, and reports failed SQS messages so only
 * they are retried.
 */
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { z } from 'zod';
import { importDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { importSegment } from '../usecases/import-segment.ts';
import { handler as batchHandler } from './import-batch.ts';
import { handler as finishHandler } from './import-finish.ts';

const observed = observability(SERVICE.importSegment);
const { logger } = observed;
const importLog = {
  info: (message: string, data: Record<string, unknown> = {}) => logger.info(message, data),
  warn: (message: string, data: Record<string, unknown> = {}) => logger.warn(message, data),
};

const objectKey = z.object({ key: z.string().min(1) });
const s3Notification = z.object({
  Records: z.array(z.object({ s3: z.object({ object: objectKey }) })).min(1),
});
const eventBridgeObjectCreated = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ object: objectKey }),
});
const continuation = z.object({ continueImport: objectKey });
const sqsEvent = z.object({
  Records: z.array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string(), body: z.string() })).min(1),
});

export class InvalidImportEventError extends Error {
  constructor(detail: string) {
    super(`not an import event: ${detail}`);
    this.name = 'InvalidImportEventError';
  }
}

/**
 * S3 notifications carry keys URL-encoded (`+` for a space); s3rver's and EventBridge's
 * may not. Both readings are tried, decoded first; only one exists.
 */
export function keyCandidates(rawKey: string, encoded: boolean): string[] {
  if (!encoded) return [rawKey];
  try {
    const decoded = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    return decoded === rawKey ? [rawKey] : [decoded, rawKey];
  } catch {
    return [rawKey];
  }
}

/** The files an event asks to import, each as its key candidates. */
export function filesOf(payload: unknown): string[][] {
  const notification = s3Notification.safeParse(payload);
  if (notification.success) return notification.data.Records.map((r) => keyCandidates(r.s3.object.key, true));
  const bridged = eventBridgeObjectCreated.safeParse(payload);
  if (bridged.success) return [keyCandidates(bridged.data.detail.object.key, true)];
  const next = continuation.safeParse(payload);
  if (next.success) return [[next.data.continueImport.key]];
  throw new InvalidImportEventError(JSON.stringify(payload).slice(0, 200));
}

async function importFiles(payload: unknown, context: Partial<Context> | undefined): Promise<void> {
  const deps = importDependencies(loadConfig(), {
    log: importLog,
    ...(context?.awsRequestId ? { owner: context.awsRequestId } : {}),
    deliverLocally: (body) => handler(body),
    // Locally the map's steps are these same handlers, run by the local runner.
    localMapSteps: { batch: (batch) => batchHandler(batch), finish: (event) => finishHandler(event) },
  });
  const remainingMs = () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  for (const keys of filesOf(payload)) {
    const outcome = await importSegment(deps, { keys, remainingMs });
    logger.info('import outcome', { key: keys[0], outcome: outcome.kind });
  }
}

async function handle(event: unknown, context?: Partial<Context>): Promise<SQSBatchResponse | undefined> {
  const batch = sqsEvent.safeParse(event);
  if (!batch.success) {
    await importFiles(event, context);
    return undefined;
  }
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of batch.data.Records) {
    try {
      await importFiles(JSON.parse(record.body), context);
    } catch (error) {
      logger.error('import failed; the message will be retried', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
