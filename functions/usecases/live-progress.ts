/**
 * `GET /campaigns/{id}/live`: the live view's figures, read as the report reads them (the
 * approved version's sends and the recorded outcomes of their touches). Only sends already
 * dispatched are read touch by touch; the others are still all to go.
 */
import { type LiveProgress, liveProgress } from '../domain/live-progress.ts';
import type { CampaignStore, Touch, TouchStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import { unknownCampaign } from './errors.ts';

export interface LiveDeps {
  lifecycle: Pick<LifecycleStore, 'getLifecycle'>;
  campaigns: Pick<CampaignStore, 'getSends'>;
  touches: Pick<TouchStore, 'readShard'>;
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
  const touchesBySend = new Map<string, Touch[]>();
  for (const send of sends) {
    if (send.state !== 'dispatched') continue;
    const touches: Touch[] = [];
    for (let shard = 0; shard < send.shards; shard += 1) {
      touches.push(...(await deps.touches.readShard({ campaignId, version: send.version, sendId: send.id, shard })));
    }
    touchesBySend.set(send.id, touches);
  }
  const cancelled = new Set(lifecycle.state === 'cancelled' ? ['*'] : lifecycle.cancelledWaves);
  const now = deps.clock.now();
  const progress = liveProgress({ now, sends, touchesBySend, cancelled });
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
