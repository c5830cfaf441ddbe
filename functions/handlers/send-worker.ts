/**
 * The send worker: one shard of one send per message (SQS on AWS, the in-process queue
 * locally). Failed messages are reported back so only they are retried.
 */
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { z } from 'zod';
import { sendDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { type ShardOutcome, sendShard } from '../usecases/send-wave.ts';

const observed = observability(SERVICE.sendWorker);
const { logger } = observed;
const log = { info: (message: string, data: Record<string, unknown> = {}) => logger.info(message, data) };

const shardMessage = z.object({
  campaignId: z.string().min(1),
  version: z.int().min(1),
  sendId: z.string().min(1),
  shard: z.int().min(0),
  releaseAt: z.number(),
  sweep: z.boolean().optional(),
});
const sqsEvent = z.object({
  Records: z.array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string(), body: z.string() })).min(1),
});

async function sendOne(body: unknown, context?: Partial<Context>): Promise<ShardOutcome> {
  const message = shardMessage.parse(body);
  const deps = sendDependencies(loadConfig(), {
    log,
    ...(context?.awsRequestId ? { owner: context.awsRequestId } : {}),
  });
  return sendShard(deps, message, () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY);
}

async function handle(event: unknown, context?: Partial<Context>): Promise<SQSBatchResponse | ShardOutcome> {
  const batch = sqsEvent.safeParse(event);
  if (!batch.success) return sendOne(event, context);
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of batch.data.Records) {
    try {
      await sendOne(JSON.parse(record.body), context);
    } catch (error) {
      logger.warn('shard failed; it will be retried', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
