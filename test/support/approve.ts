/** Plans a campaign through the plan handler (a draft) and approves it, as a marketer would. */
import { approveDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { handler as plan } from '../../functions/handlers/plan-campaign.ts';
import { type ApproveResult, approveCampaign } from '../../functions/usecases/approve-campaign.ts';

export async function planAndApprove(
  config: LocalConfig,
  campaign: CampaignInput,
  actor = 'test-marketer',
): Promise<{ campaignId: string; version: number; approved: ApproveResult }> {
  const planned = await plan({ campaign });
  if (planned.status !== 'planned') throw new Error(`the campaign was not planned: ${JSON.stringify(planned)}`);
  const deps = approveDependencies(config);
  const approved = await approveCampaign(deps, {
    campaignId: planned.campaignId,
    version: planned.version,
    actor,
    now: deps.clock.now(),
  });
  return { campaignId: planned.campaignId, version: planned.version, approved };
}
