/**
 * A triggered reminder's check fires (an EventBridge Scheduler one-time schedule in the
 * campaign's trigger group; the local scheduler locally): parse the payload, call one use case.
 * Safe to deliver twice: the check's record and its ledger claim make it send once.
 */
import { z } from 'zod';
import { triggerCheckDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import type { CheckRule } from '../domain/triggers.ts';
import { observability } from '../observability.ts';
import { type FireOutcome, fireCheck } from '../usecases/trigger-check.ts';

const observed = observability(SERVICE.triggerCheck);
const { logger } = observed;

const checkPayload = z.object({
  kind: z.literal('trigger-check'),
  campaignId: z.string().min(1),
  version: z.int().min(1),
  rule: z.string().regex(/^(trigger:[A-Za-z0-9][A-Za-z0-9_-]{0,47}|presale:open|presale:close)$/),
  orderId: z.string().min(1).max(128),
  customerId: z.string().min(1).max(128),
  fireAt: z.number(),
  expiresAt: z.number(),
});

async function handle(event: unknown): Promise<FireOutcome> {
  const payload = checkPayload.parse(event);
  const outcome = await fireCheck(triggerCheckDependencies(loadConfig()), {
    ...payload,
    rule: payload.rule as CheckRule,
  });
  // Ids only: no phone, no name.
  logger.info('trigger check', { campaignId: payload.campaignId, rule: payload.rule, outcome: outcome.kind });
  return outcome;
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
