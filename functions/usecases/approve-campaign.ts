/**
 * Approve one version: from then on it is the one sent. The decision (stale version, wrong
 * state, a first send already past its window, a send that has started and would change) is
 * made before anything is written; the lifecycle's conditional write is the commit; then the
 * version's sends and schedules are brought in line with it.
 *
 * Why in that order: the dispatcher sends a schedule's send only when its version is the
 * approved one, so until the commit the old version keeps sending undisturbed, and after it
 * nothing of the old version leaves. Writing the sends and schedules is idempotent, so a
 * crash after the commit is repaired by approving the same version again (which changes
 * nothing on the lifecycle and writes what is missing).
 */
import { scheduleGroup } from '../contract.ts';
import { decide, type Lifecycle } from '../domain/campaign-lifecycle.ts';
import { hasOrderRules } from '../domain/triggers.ts';
import type { CampaignStore, StoredSend } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore, StoredVersion } from '../ports/lifecycle-store.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { TriggerStore } from '../ports/trigger-store.ts';
import { CampaignError, refusalError, unknownCampaign } from './errors.ts';
import { fireAtFor, shardsFor } from './plan-campaign.ts';

const MAX_ATTEMPTS = 20;

export interface ApproveDeps {
  lifecycle: LifecycleStore;
  campaigns: Pick<CampaignStore, 'getSends' | 'putSends' | 'deleteSends'>;
  scheduler: Scheduler;
  /** Read again when the schedules are written. */
  clock: Pick<Clock, 'now'>;
  /** Where the order webhook finds the approved campaigns with order rules (triggers, presale balances). */
  triggers?: Pick<TriggerStore, 'register' | 'unregister'>;
}

export interface ApproveRequest {
  campaignId: string;
  version: number;
  actor: string;
  /** The approval instant, epoch ms. */
  now: number;
}

export interface ApproveResult {
  lifecycle: Lifecycle;
  /** False when the version was already approved (a repeated or concurrent approval). */
  changed: boolean;
  /** Sends scheduled from the version. */
  scheduled: string[];
  /** Sends that had started and stay as they are. */
  frozen: string[];
  /** Sends of the previous version that are gone, with their schedules. */
  removed: string[];
}

export async function approveCampaign(deps: ApproveDeps, request: ApproveRequest): Promise<ApproveResult> {
  const { campaignId, version } = request;
  let current = await deps.lifecycle.getLifecycle(campaignId);
  if (!current) throw unknownCampaign(campaignId);
  const stored = await deps.lifecycle.getVersion(campaignId, version);
  // Approved already and still the latest: a repeated or concurrent approval changes nothing but
  // completes the sends and schedules (a crash after the commit left them half written).
  const approvedAlready = (lifecycle: Lifecycle) =>
    lifecycle.approvedVersion === version &&
    lifecycle.latestVersion === version &&
    lifecycle.state !== 'cancelled' &&
    lifecycle.state !== 'completed';
  if (stored && approvedAlready(current)) {
    return { lifecycle: current, changed: false, ...(await syncSends(deps, stored)) };
  }

  const existing = await deps.campaigns.getSends(campaignId);
  const started = existing.filter((send) => send.state !== 'scheduled');
  const startedIds = new Set(started.map((send) => send.id));
  const planned = new Map((stored?.timeline.sends ?? []).map((send) => [send.id, send]));
  // A started send is frozen: the version may keep it exactly, never change or drop it.
  const changedIds = started
    .filter((send) => {
      const next = planned.get(send.id);
      return !next || Date.parse(next.at) !== Date.parse(send.at) || next.customers !== send.customers;
    })
    .map((send) => send.id);
  const unsent = (stored?.timeline.sends ?? []).filter((send) => !startedIds.has(send.id));
  const firstSendAt = unsent.length > 0 ? Math.min(...unsent.map((send) => Date.parse(send.at))) : undefined;
  const graceMs = (stored?.campaign.resumeGraceMinutes ?? 30) * 60_000;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const decision = decide(
      current,
      { kind: 'approve', version, ...(firstSendAt === undefined ? {} : { firstSendAt }), graceMs },
      {
        campaignId,
        now: request.now,
        actor: request.actor,
        waveIds: stored?.campaign.waves.map((wave) => wave.id) ?? [],
      },
    );
    if (!decision.ok) throw refusalError(decision.refusal);
    if (!stored) {
      // The lifecycle names it the latest, yet its plan is not stored (a plan that died between the two).
      throw new CampaignError('plan-conflict', `version ${version} of ${campaignId} is not fully planned: plan again`);
    }
    if (changedIds.length > 0) {
      throw new CampaignError(
        'send-started',
        `version ${version} would change sends that have started: ${changedIds.join(', ')}; they are left as they are, and nothing was approved`,
        { sendIds: changedIds },
      );
    }
    if (await deps.lifecycle.saveLifecycle(decision.next, current.revision)) {
      return { lifecycle: decision.next, changed: true, ...(await syncSends(deps, stored)) };
    }
    // Someone changed the campaign first (a pause, another approval): decide again on what is there now.
    current = await deps.lifecycle.getLifecycle(campaignId);
    if (!current) throw unknownCampaign(campaignId);
    if (approvedAlready(current)) {
      return { lifecycle: current, changed: false, ...(await syncSends(deps, stored)) };
    }
  }
  throw new CampaignError(
    'plan-conflict',
    `campaign ${campaignId} kept changing while version ${version} was approved; approve again`,
  );
}

/**
 * The approved version's sends and schedules, as they must be: each unstarted send stored
 * (state `scheduled`) and scheduled; started sends left as they are; sends and schedules
 * the version no longer has deleted. Idempotent: schedules keep their names.
 */
async function syncSends(
  deps: ApproveDeps,
  stored: StoredVersion,
): Promise<Pick<ApproveResult, 'scheduled' | 'frozen' | 'removed'>> {
  const { campaignId, version, campaign } = stored;
  if (deps.triggers) {
    if (hasOrderRules(campaign)) await deps.triggers.register({ campaignId, version, campaign });
    else await deps.triggers.unregister(campaignId);
  }
  const existing = await deps.campaigns.getSends(campaignId);
  const startedIds = new Set(existing.filter((send) => send.state !== 'scheduled').map((send) => send.id));
  const sends: StoredSend[] = stored.timeline.sends
    .filter((send) => !startedIds.has(send.id))
    .map((send) => ({ ...send, campaignId, version, shards: shardsFor(send.customers), state: 'scheduled' }));
  // A send the dispatcher started since it was read above is kept as it is, too.
  const keptNow = new Set(await deps.campaigns.putSends(sends));
  const scheduled = sends.filter((send) => !keptNow.has(send.id));

  const group = scheduleGroup(campaignId);
  await deps.scheduler.ensureGroup(group);
  for (const send of scheduled) {
    await deps.scheduler.upsert({
      name: send.id,
      group,
      fireAt: fireAtFor(Date.parse(send.at), deps.clock.now()),
      timeZone: campaign.timezone,
      payload: { campaignId, sendId: send.id, version },
    });
  }
  const frozen = [...startedIds, ...keptNow];
  const keep = new Set([...stored.timeline.sends.map((send) => send.id), ...frozen]);
  const removedSchedules = (await deps.scheduler.list(group)).filter((name) => !keep.has(name));
  for (const name of removedSchedules) await deps.scheduler.delete(group, name);
  const gone = existing.filter((send) => !keep.has(send.id)).map((send) => send.id);
  const keptGone = new Set(await deps.campaigns.deleteSends(campaignId, gone));
  return {
    scheduled: scheduled.map((send) => send.id),
    frozen: frozen.sort(),
    removed: [...new Set([...removedSchedules, ...gone.filter((id) => !keptGone.has(id))])].sort(),
  };
}
