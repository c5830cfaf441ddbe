/**
 * Pause, resume and cancel, for the whole campaign or one wave: the decision on the
 * lifecycle, saved by one conditional write (decided again on a fresh read when someone
 * changed the campaign first); a refusal names the state or the wave.
 */
import { decide, type Lifecycle, type LifecycleCommand } from '../domain/campaign-lifecycle.ts';
import type { Clock } from '../ports/clock.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import { CampaignError, refusalError } from './errors.ts';

const MAX_ATTEMPTS = 20;

export interface ControlDeps {
  lifecycle: LifecycleStore;
  clock: Clock;
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
    if (!decision.ok) throw refusalError(decision.refusal);
    if (!decision.changed || !current) return { lifecycle: decision.next };
    if (await deps.lifecycle.saveLifecycle(decision.next, current.revision)) return { lifecycle: decision.next };
  }
  throw new CampaignError(
    'plan-conflict',
    `campaign ${request.campaignId} kept changing while it was asked to ${request.action}; try again`,
  );
}
