/**
 * What the console's campaign page is made from: the campaign's lifecycle and its latest
 * planned version (its campaign file, timeline, cost, warnings and diff), or nothing for a
 * campaign not planned yet (the page then offers its imports and its first campaign file);
 * and the sharded plans still planning a newer version, or refused.
 */
import type { Lifecycle } from '../domain/campaign-lifecycle.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore, PlanRunView, StoredVersion } from '../ports/lifecycle-store.ts';
import { runsAfterLatest } from './get-campaign.ts';

export interface ConsoleDeps {
  lifecycle: Pick<LifecycleStore, 'getLifecycle' | 'getVersion' | 'planRuns'>;
  clock: Pick<Clock, 'now'>;
}

export interface ConsoleCampaign {
  lifecycle?: Lifecycle;
  /** Absent while the latest version is still being planned, or before any plan. */
  latest?: StoredVersion;
  /** Sharded plans of versions after the latest recorded one: still planning, or refused. */
  runs: PlanRunView[];
  now: number;
}

export async function loadConsoleCampaign(deps: ConsoleDeps, campaignId: string): Promise<ConsoleCampaign> {
  const now = deps.clock.now();
  const [lifecycle, all] = await Promise.all([
    deps.lifecycle.getLifecycle(campaignId),
    deps.lifecycle.planRuns(campaignId),
  ]);
  const runs = runsAfterLatest(all, lifecycle);
  if (!lifecycle) return { runs, now };
  const latest = await deps.lifecycle.getVersion(campaignId, lifecycle.latestVersion);
  return { lifecycle, ...(latest ? { latest } : {}), runs, now };
}
