/**
 * The plan Lambda: a campaign file uploaded under `campaigns/` (EventBridge on AWS, s3rver
 * locally), or a direct invocation `{ campaign: {...}, actor? }`. Plans a draft version
 * (nothing is scheduled until it is approved) and writes the answer beside the file under
 * `reports/`.
 */
import { z } from 'zod';
import { planUploadDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { type PlanUploadResult, planUploadedCampaign } from '../usecases/plan-uploaded-campaign.ts';
import { LOCAL_ACTOR } from './actor.ts';
import { keyCandidates } from './import-segment.ts';
import { planShardSteps } from './plan-shards.ts';

const observed = observability(SERVICE.planCampaign);
const { logger } = observed;

const objectRef = z.object({ key: z.string().min(1), sequencer: z.string().optional() });
const planEvent = z.union([
  z.object({
    Records: z
      .array(
        z.object({
          s3: z.object({ object: objectRef }),
          userIdentity: z.object({ principalId: z.string() }).optional(),
        }),
      )
      .min(1),
  }),
  z.object({
    'detail-type': z.literal('Object Created'),
    detail: z.object({ object: objectRef, requester: z.string().optional() }),
  }),
  z.object({ campaign: z.record(z.string(), z.unknown()), actor: z.string().min(1).max(200).optional() }),
]);

export type PlanHandlerResult = PlanUploadResult;

async function handle(event: unknown): Promise<PlanHandlerResult> {
  const parsed = planEvent.safeParse(event);
  if (!parsed.success) return { status: 'ignored', reason: 'not a campaign event' };
  const config = loadConfig();
  // Locally a sharded plan runs the shard handler's own steps in this process.
  const deps = planUploadDependencies(config, { localPlanSteps: planShardSteps });
  const local = config.runtime === 'local';
  const now = deps.clock.now();
  let result: PlanUploadResult;
  if ('campaign' in parsed.data) {
    result = await planUploadedCampaign(deps, {
      campaign: parsed.data.campaign,
      actor: parsed.data.actor ?? (local ? LOCAL_ACTOR : 'system'),
      now,
    });
  } else {
    const { object, uploader } =
      'Records' in parsed.data
        ? {
            object: parsed.data.Records[0]?.s3.object ?? { key: '' },
            uploader: parsed.data.Records[0]?.userIdentity?.principalId,
          }
        : { object: parsed.data.detail.object, uploader: parsed.data.detail.requester };
    result = await planUploadedCampaign(deps, {
      keys: keyCandidates(object.key, true),
      ...(object.sequencer ? { sequencer: object.sequencer } : {}),
      // Locally s3rver makes up a principal per event: the uploader is the local marketer.
      actor: local ? LOCAL_ACTOR : `upload:${uploader ?? 'unknown'}`,
      now,
    });
  }
  if (result.status === 'planned') {
    logger.info('campaign planned as a draft', {
      campaignId: result.campaignId,
      version: result.version,
      sends: result.sends,
    });
  } else if (result.status === 'planning') {
    logger.info('sharded plan started', {
      campaignId: result.campaignId,
      version: result.version,
      shards: result.shards,
      customers: result.customers,
    });
  } else if (result.status === 'refused') logger.warn('campaign refused', { problems: result.problems });
  return result;
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
