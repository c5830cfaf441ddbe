/**
 * The send dispatcher: invoked by a send's schedule, reads the SMS opt-out list once for the
 * send and fans the send out to its shards once.
 */
import { z } from 'zod';
import { dispatchDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { type DispatchOutcome, dispatchSend } from '../usecases/send-wave.ts';

const observed = observability(SERVICE.sendDispatch);
const { logger } = observed;

const schedulePayload = z.object({
  campaignId: z.string().min(1),
  sendId: z.string().min(1),
  version: z.int().min(1),
});

async function handle(event: unknown): Promise<DispatchOutcome> {
  const payload = schedulePayload.safeParse(event);
  if (!payload.success) {
    // A malformed payload cannot become valid by retrying: say so and stop.
    logger.error('not a send schedule payload', { issues: payload.error.issues.map((i) => i.message) });
    return { kind: 'ignored', reason: 'not a send schedule payload' };
  }
  const outcome = await dispatchSend(dispatchDependencies(loadConfig()), payload.data);
  logger.info('send dispatch', {
    ...payload.data,
    outcome: outcome.kind,
    ...(outcome.kind === 'dispatched' ? { shards: outcome.shards, optOuts: outcome.optOuts } : {}),
    // Why a firing sent nothing (not the approved version, cancelled, dispatched already): on record.
    ...(outcome.kind === 'ignored' ? { reason: outcome.reason } : {}),
  });
  return outcome;
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
