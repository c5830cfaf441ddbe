/**
 * The life of a campaign, as a pure state machine: a command and the current state in,
 * the next state and its audit entry out, or a refusal that names the state. The store
 * applies a decision with one conditional write on the campaign's control item (the
 * revision must not have moved), so a change is applied whole or not at all.
 *
 *   draft -> approved -> running -> completed
 *   approved | running -> paused -> (resume) back where it was
 *   any but completed -> cancelled (final)
 *
 * Versions: every plan (a file upload or PUT) makes a new version. Only the approved
 * version is ever sent; planning again while one is approved makes a newer draft that
 * waits for its own approval, and the live version keeps sending meanwhile. A wave may
 * be paused or cancelled on its own while the campaign runs.
 */

export const CAMPAIGN_STATES = ['draft', 'approved', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const LIFECYCLE_ACTIONS = [
  'plan',
  'approve',
  'start',
  'pause',
  'resume',
  'cancel',
  'complete',
  'test-send',
  'fired-while-paused',
] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export interface AuditEntry {
  /** ISO 8601 instant. */
  at: string;
  /** Who asked: an IAM principal or a signed-in user on AWS, the built-in user locally, or `system`. */
  actor: string;
  action: LifecycleAction;
  from: CampaignState | null;
  to: CampaignState;
  version?: number;
  waveId?: string;
  reason?: string;
}

export interface Lifecycle {
  campaignId: string;
  state: CampaignState;
  /** The newest planned version (a draft, or the approved one when nothing newer was planned). */
  latestVersion: number;
  /** The version being sent; absent until the first approval. */
  approvedVersion?: number;
  /** Where `resume` goes back to when the whole campaign is paused. */
  resumeTo?: 'approved' | 'running';
  /** Waves paused on their own, while the campaign itself goes on. */
  pausedWaves: string[];
  /** Waves cancelled on their own: their unsent touches are dropped as `cancelled`. */
  cancelledWaves: string[];
  /** Grows with every change: the store's optimistic lock. */
  revision: number;
  audit: AuditEntry[];
}

export type LifecycleCommand =
  | { kind: 'plan'; version: number }
  | {
      kind: 'approve';
      version: number;
      /** When the version's first unsent send is due, epoch ms (undefined: it has none). */
      firstSendAt?: number;
      /** How late a send may start and still be sent (the campaign's resume grace). */
      graceMs: number;
    }
  | { kind: 'start'; version: number }
  | { kind: 'pause'; waveId?: string; reason?: string }
  | { kind: 'resume'; waveId?: string }
  | { kind: 'cancel'; waveId?: string; reason?: string }
  | { kind: 'complete'; version: number }
  | { kind: 'test-send'; waveId: string; recipients: number }
  | { kind: 'fired-while-paused'; sendId: string; waveId: string };

export type LifecycleRefusal =
  | { code: 'unknown-campaign'; message: string }
  | { code: 'wrong-state'; state: CampaignState; message: string }
  | { code: 'stale-version'; current: number; message: string }
  | { code: 'past-window'; message: string }
  | { code: 'unknown-wave'; waveId: string; message: string };

export type LifecycleDecision =
  | { ok: true; next: Lifecycle; entry: AuditEntry; changed: boolean }
  | { ok: false; refusal: LifecycleRefusal };

export interface DecisionContext {
  campaignId: string;
  now: number;
  actor: string;
  /** The wave ids of the version the command is about (approved, or latest for drafts). */
  waveIds: readonly string[];
}

const ACTIVE: readonly CampaignState[] = ['approved', 'running', 'paused'];

function refuse(refusal: LifecycleRefusal): LifecycleDecision {
  return { ok: false, refusal };
}

function wrongState(state: CampaignState, action: string, allowed: string): LifecycleDecision {
  return refuse({
    code: 'wrong-state',
    state,
    message: `cannot ${action} a campaign that is ${state} (only when ${allowed})`,
  });
}

/** Decides a command. Pure: the same state, command and context give the same decision. */
export function decide(
  current: Lifecycle | undefined,
  command: LifecycleCommand,
  context: DecisionContext,
): LifecycleDecision {
  const at = new Date(context.now).toISOString();
  if (!current) {
    if (command.kind !== 'plan') {
      return refuse({ code: 'unknown-campaign', message: 'no such campaign: plan it first (upload or PUT)' });
    }
    const next: Lifecycle = {
      campaignId: context.campaignId,
      state: 'draft',
      latestVersion: command.version,
      pausedWaves: [],
      cancelledWaves: [],
      revision: 0,
      audit: [],
    };
    return accept(next, {
      at,
      actor: context.actor,
      action: 'plan',
      from: null,
      to: 'draft',
      version: command.version,
    });
  }
  const { state } = current;
  const entry = (action: LifecycleAction, to: CampaignState, extra: Partial<AuditEntry> = {}): AuditEntry => ({
    at,
    actor: context.actor,
    action,
    from: state,
    to,
    ...extra,
  });
  const knownWave = (waveId: string | undefined): LifecycleDecision | undefined =>
    waveId !== undefined && !context.waveIds.includes(waveId)
      ? refuse({ code: 'unknown-wave', waveId, message: `the campaign has no wave "${waveId}"` })
      : undefined;

  switch (command.kind) {
    case 'plan': {
      if (state === 'cancelled' || state === 'completed')
        return wrongState(state, 'plan', 'it is not cancelled or completed');
      // A new version is a draft of its own; a live campaign keeps its state and keeps sending the approved version.
      // Two plans at once record in either order: the higher number stays the latest.
      return accept(
        { ...current, latestVersion: Math.max(current.latestVersion, command.version) },
        entry('plan', state, { version: command.version }),
      );
    }
    case 'approve': {
      if (state === 'cancelled' || state === 'completed') return wrongState(state, 'approve', 'it is a draft or live');
      if (command.version !== current.latestVersion) {
        return refuse({
          code: 'stale-version',
          current: current.latestVersion,
          message: `version ${command.version} is not the current one: approve version ${current.latestVersion}`,
        });
      }
      if (command.version === current.approvedVersion) {
        return wrongState(state, `approve version ${command.version} again`, 'a newer version is planned');
      }
      if (command.firstSendAt !== undefined && command.firstSendAt + command.graceMs < context.now) {
        return refuse({
          code: 'past-window',
          message: `its first send was due at ${new Date(command.firstSendAt).toISOString()}, more than the resume grace ago: plan it again for a later time`,
        });
      }
      const to: CampaignState = state === 'draft' ? 'approved' : state;
      return accept(
        { ...current, state: to, approvedVersion: command.version },
        entry('approve', to, { version: command.version }),
      );
    }
    case 'start': {
      if (command.version !== current.approvedVersion) return refuseStale(current, command.version);
      if (state !== 'approved') return accept(current, entry('start', state), false);
      return accept({ ...current, state: 'running' }, entry('start', 'running', { version: command.version }));
    }
    case 'pause': {
      const unknown = knownWave(command.waveId);
      if (unknown) return unknown;
      if (!ACTIVE.includes(state)) return wrongState(state, 'pause', 'it is approved or running');
      const reason = command.reason ? { reason: command.reason } : {};
      if (command.waveId !== undefined) {
        if (current.pausedWaves.includes(command.waveId)) return accept(current, entry('pause', state), false);
        return accept(
          { ...current, pausedWaves: [...current.pausedWaves, command.waveId].sort() },
          entry('pause', state, { waveId: command.waveId, ...reason }),
        );
      }
      if (state === 'paused') return accept(current, entry('pause', state), false);
      return accept(
        { ...current, state: 'paused', resumeTo: state === 'running' ? 'running' : 'approved' },
        entry('pause', 'paused', reason),
      );
    }
    case 'resume': {
      const unknown = knownWave(command.waveId);
      if (unknown) return unknown;
      if (command.waveId !== undefined) {
        if (!ACTIVE.includes(state)) return wrongState(state, 'resume a wave of', 'it is approved, running or paused');
        if (!current.pausedWaves.includes(command.waveId)) {
          return wrongState(state, `resume wave ${command.waveId}, which is not paused, in`, 'the wave is paused');
        }
        return accept(
          { ...current, pausedWaves: current.pausedWaves.filter((id) => id !== command.waveId) },
          entry('resume', state, { waveId: command.waveId }),
        );
      }
      if (state !== 'paused') return wrongState(state, 'resume', 'it is paused');
      const to = current.resumeTo ?? 'approved';
      const { resumeTo: _resumeTo, ...rest } = current;
      return accept({ ...rest, state: to }, entry('resume', to));
    }
    case 'cancel': {
      const unknown = knownWave(command.waveId);
      if (unknown) return unknown;
      const reason = command.reason ? { reason: command.reason } : {};
      if (command.waveId !== undefined) {
        if (!ACTIVE.includes(state) && state !== 'draft') {
          return wrongState(state, 'cancel a wave of', 'it is a draft, approved, running or paused');
        }
        if (current.cancelledWaves.includes(command.waveId)) return accept(current, entry('cancel', state), false);
        return accept(
          {
            ...current,
            cancelledWaves: [...current.cancelledWaves, command.waveId].sort(),
            pausedWaves: current.pausedWaves.filter((id) => id !== command.waveId),
          },
          entry('cancel', state, { waveId: command.waveId, ...reason }),
        );
      }
      if (state === 'cancelled' || state === 'completed') {
        return wrongState(state, 'cancel', 'it is a draft, approved, running or paused');
      }
      const { resumeTo: _resumeTo, ...rest } = current;
      return accept({ ...rest, state: 'cancelled', pausedWaves: [] }, entry('cancel', 'cancelled', reason));
    }
    case 'complete': {
      if (command.version !== current.approvedVersion) return refuseStale(current, command.version);
      if (state !== 'running') return accept(current, entry('complete', state), false);
      return accept({ ...current, state: 'completed' }, entry('complete', 'completed', { version: command.version }));
    }
    case 'test-send': {
      const unknown = knownWave(command.waveId);
      if (unknown) return unknown;
      if (state === 'cancelled' || state === 'completed') return wrongState(state, 'test send', 'it is not final');
      return accept(
        current,
        entry('test-send', state, { waveId: command.waveId, reason: `${command.recipients} recipient(s)` }),
      );
    }
    case 'fired-while-paused': {
      return accept(
        current,
        entry('fired-while-paused', state, { waveId: command.waveId, reason: firedWhilePausedReason(command.sendId) }),
      );
    }
  }
}

/** The reason a `fired-while-paused` entry gives: it names the send, so one firing is recorded once. */
export function firedWhilePausedReason(sendId: string): string {
  return `schedule of ${sendId} held`;
}

function refuseStale(current: Lifecycle, version: number): LifecycleDecision {
  return refuse({
    code: 'stale-version',
    current: current.approvedVersion ?? current.latestVersion,
    message: `version ${version} is not the approved one (${current.approvedVersion ?? 'none'})`,
  });
}

function accept(next: Lifecycle, entry: AuditEntry, changed = true): LifecycleDecision {
  if (!changed) return { ok: true, next, entry, changed: false };
  return {
    ok: true,
    next: { ...next, revision: next.revision + 1, audit: [...next.audit, entry] },
    entry,
    changed: true,
  };
}

/** What a worker or the dispatcher may do with a message of `version`, wave `waveId`, right now. */
export type SendPermission = 'go' | 'paused' | 'cancelled' | 'stale';

/** The part of the lifecycle a sender needs (the workers read only this, often). */
export type LifecycleControl = Pick<
  Lifecycle,
  'state' | 'approvedVersion' | 'pausedWaves' | 'cancelledWaves' | 'revision'
>;

export function sendPermission(
  lifecycle: Omit<LifecycleControl, 'revision'> | undefined,
  version: number,
  waveId: string,
): SendPermission {
  if (!lifecycle || lifecycle.approvedVersion !== version) return 'stale';
  if (lifecycle.state === 'cancelled' || lifecycle.cancelledWaves.includes(waveId)) return 'cancelled';
  if (lifecycle.state === 'paused' || lifecycle.pausedWaves.includes(waveId)) return 'paused';
  if (lifecycle.state === 'approved' || lifecycle.state === 'running') return 'go';
  return 'stale';
}
