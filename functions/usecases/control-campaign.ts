/**
 * Pause, resume and cancel, for the whole campaign or one wave: the decision on the
 * lifecycle, saved by one conditional write (decided again on a fresh read when someone
 * changed the campaign first); a refusal names the state or the wave. Then what the
 * decision sets off, each step safe to repeat (a retried request, or two at once, never
 * doubles an effect):
 *
 * - pause: nothing more. The workers read the control item before every message and stop
 *   within a second; schedules that fire meanwhile hold their sends.
 * - resume: held sends are scheduled again (the dispatcher sends them: now, or at their
 *   second if that is still ahead), and the shards that stopped for the pause go back on
 *   the send queue, to go on where they stopped: the ledger sends nobody twice, and what
 *   would now land outside its window is dropped as `expired`. A campaign whose last shard
 *   finished while it was paused is completed.
 * - cancel: the schedules are deleted (the campaign's, or the wave's sends'), and every
 *   shard not finished gets a sweep message: its worker drops what is left as `cancelled`.
 *   300,000 touches cannot be marked within one API call; the report counts the touches
 *   still planned of a cancelled campaign or wave as cancelled meanwhile.
 *
 * A resume or cancel refused because it was applied already (a retry after a reply was
 * lost, or after a crash between the write and its effects) still makes sure its effects
 * are there, then answers the refusal.
 */
import { scheduleGroup } from '../contract.ts';
import { decide, type Lifecycle, type LifecycleCommand, type LifecycleRefusal } from '../domain/campaign-lifecycle.ts';
import type { CampaignStore, StoredSend } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import { CampaignError, refusalError } from './errors.ts';
import { fireAtFor } from './plan-campaign.ts';
import { completeIfDone, livePermission, type SendQueue, sweepMessages } from './send-wave.ts';

const MAX_ATTEMPTS = 20;

export interface ControlDeps {
  lifecycle: LifecycleStore;
  clock: Clock;
  campaigns: Pick<CampaignStore, 'getSends' | 'parkedShards'>;
  scheduler: Scheduler;
  /** The send queue: resumed shards and cancel sweeps go through it. */
  queue: SendQueue;
}

export interface ControlRequest {
  campaignId: string;
  action: 'pause' | 'resume' | 'cancel';
  waveId?: string;
  reason?: string;
  actor: string;
}

export async function controlCampaign(deps: ControlDeps, request: ControlRequest): Promise<{ lifecycle: Lifecycle }> {
  const wave = request.waveId === undefined ? {} : { waveId: request.waveId };
  const reason = request.reason === undefined ? {} : { reason: request.reason };
  const command: LifecycleCommand =
    request.action === 'resume' ? { kind: 'resume', ...wave } : { kind: request.action, ...wave, ...reason };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await deps.lifecycle.getLifecycle(request.campaignId);
    // The waves a wave id may name: those of the version being sent, or of the draft before one is.
    const about = current ? (current.approvedVersion ?? current.latestVersion) : undefined;
    const version = about === undefined ? undefined : await deps.lifecycle.getVersion(request.campaignId, about);
    const decision = decide(current, command, {
      campaignId: request.campaignId,
      now: deps.clock.now(),
      actor: request.actor,
      waveIds: version?.campaign.waves.map((w) => w.id) ?? [],
    });
    if (!decision.ok) {
      if (current && appliedAlready(request, current, decision.refusal)) await applyEffects(deps, request, current);
      throw refusalError(decision.refusal);
    }
    if (!decision.changed || !current || (await deps.lifecycle.saveLifecycle(decision.next, current.revision))) {
      await applyEffects(deps, request, decision.next);
      return { lifecycle: decision.next };
    }
  }
  throw new CampaignError(
    'plan-conflict',
    `campaign ${request.campaignId} kept changing while it was asked to ${request.action}; try again`,
  );
}

/** A refusal that says the action is in effect already: a campaign cancelled, or going again. */
function appliedAlready(request: ControlRequest, current: Lifecycle, refusal: LifecycleRefusal): boolean {
  if (refusal.code !== 'wrong-state') return false;
  if (request.action === 'cancel') return current.state === 'cancelled';
  if (request.action === 'resume') return current.state === 'approved' || current.state === 'running';
  return false;
}

async function applyEffects(deps: ControlDeps, request: ControlRequest, lifecycle: Lifecycle): Promise<void> {
  if (request.action === 'pause' || lifecycle.approvedVersion === undefined) return;
  const sends = (await deps.campaigns.getSends(request.campaignId)).filter(
    (send) => request.waveId === undefined || send.waveId === request.waveId,
  );
  if (request.action === 'resume') await resumeSends(deps, lifecycle, sends);
  else await cancelSends(deps, lifecycle, sends, request.waveId);
}

async function resumeSends(deps: ControlDeps, lifecycle: Lifecycle, sends: StoredSend[]): Promise<void> {
  const going = new Map(
    sends.filter((send) => livePermission(lifecycle, send) === 'go').map((send) => [send.id, send] as const),
  );
  const held = [...going.values()].filter((send) => send.state === 'held');
  if (held.length > 0) {
    const plan = await deps.lifecycle.getVersion(lifecycle.campaignId, lifecycle.approvedVersion as number);
    const group = scheduleGroup(lifecycle.campaignId);
    await deps.scheduler.ensureGroup(group);
    for (const send of held) {
      // The same name: a repeated resume replaces the schedule, never adds one.
      await deps.scheduler.upsert({
        name: send.id,
        group,
        fireAt: fireAtFor(Date.parse(send.at), deps.clock.now()),
        timeZone: plan?.campaign.timezone ?? 'Asia/Shanghai',
        payload: { campaignId: send.campaignId, sendId: send.id, version: send.version },
      });
    }
  }
  const parked = (await deps.campaigns.parkedShards(lifecycle.campaignId)).filter((shard) => {
    const send = going.get(shard.sendId);
    return send !== undefined && send.version === shard.version;
  });
  await deps.queue.enqueue(
    parked.map((shard) => ({ ...shard, releaseAt: Date.parse((going.get(shard.sendId) as StoredSend).at) })),
  );
  await completeIfDone(deps, lifecycle.campaignId);
}

async function cancelSends(
  deps: ControlDeps,
  lifecycle: Lifecycle,
  sends: StoredSend[],
  waveId: string | undefined,
): Promise<void> {
  const group = scheduleGroup(lifecycle.campaignId);
  // The whole campaign: every schedule of its group. A wave: only its sends' schedules.
  const names = waveId === undefined ? await deps.scheduler.list(group) : sends.map((send) => send.id);
  for (const name of names) await deps.scheduler.delete(group, name);
  const sweeps = sends.filter((send) => livePermission(lifecycle, send) === 'cancelled').flatMap(sweepMessages);
  await deps.queue.enqueue(sweeps);
}
