/**
 * `GET /campaigns/{id}/live`: the live view's figures, from the approved version's sends and
 * the tallies their shards' workers keep (one small item per shard, never the touches: the
 * view polls every few seconds through the night). Sends not dispatched are all still to go.
 */
import { type LiveProgress, liveProgress, type ShardTally } from '../domain/live-progress.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import { unknownCampaign } from './errors.ts';

export interface LiveDeps {
  lifecycle: Pick<LifecycleStore, 'getLifecycle'>;
  campaigns: Pick<CampaignStore, 'getSends' | 'shardTallies'>;
  clock: Pick<Clock, 'now'>;
}

export interface LiveView extends LiveProgress {
  campaignId: string;
  state: string;
  approvedVersion?: number;
  pausedWaves: string[];
}

export async function readLiveProgress(deps: LiveDeps, campaignId: string): Promise<LiveView> {
  const lifecycle = await deps.lifecycle.getLifecycle(campaignId);
  if (!lifecycle) throw unknownCampaign(campaignId);
  const sends = await deps.campaigns.getSends(campaignId);
  const dispatched = sends.filter((send) => send.state === 'dispatched');
  const tallies = await Promise.all(
    dispatched.map((send) => deps.campaigns.shardTallies(campaignId, send.version, send.id)),
  );
  const talliesBySend = new Map<string, ShardTally[]>(dispatched.map((send, index) => [send.id, tallies[index] ?? []]));
  const cancelled = new Set(lifecycle.state === 'cancelled' ? ['*'] : lifecycle.cancelledWaves);
  const now = deps.clock.now();
  const progress = liveProgress({ now, sends, talliesBySend, cancelled });
  return {
    campaignId,
    state: lifecycle.state,
    ...(lifecycle.approvedVersion === undefined ? {} : { approvedVersion: lifecycle.approvedVersion }),
    pausedWaves: lifecycle.pausedWaves,
    ...progress,
    // Nothing finishes while paused: the last seconds' pace says nothing about when it will.
    secondsToFinish: lifecycle.state === 'paused' ? null : progress.secondsToFinish,
  };
}
