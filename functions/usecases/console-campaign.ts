/**
 * What the console's campaign page is made from: the campaign's lifecycle and its latest
 * planned version (its campaign file, timeline, cost, warnings and diff), or nothing for a
 * campaign not planned yet (the page then offers its imports and its first campaign file).
 */
import type { Lifecycle } from '../domain/campaign-lifecycle.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore, StoredVersion } from '../ports/lifecycle-store.ts';

export interface ConsoleDeps {
  lifecycle: Pick<LifecycleStore, 'getLifecycle' | 'getVersion'>;
  clock: Pick<Clock, 'now'>;
}

export interface ConsoleCampaign {
  lifecycle?: Lifecycle;
  /** Absent while the latest version is still being planned, or before any plan. */
  latest?: StoredVersion;
  now: number;
}

export async function loadConsoleCampaign(deps: ConsoleDeps, campaignId: string): Promise<ConsoleCampaign> {
  const now = deps.clock.now();
  const lifecycle = await deps.lifecycle.getLifecycle(campaignId);
  if (!lifecycle) return { now };
  const latest = await deps.lifecycle.getVersion(campaignId, lifecycle.latestVersion);
  return { lifecycle, ...(latest ? { latest } : {}), now };
}
