import { describe, expect, it } from 'vitest';
import {
  type DecisionContext,
  decide,
  type Lifecycle,
  type LifecycleCommand,
  sendPermission,
} from '../../functions/domain/campaign-lifecycle.ts';

const NOW = Date.parse('2026-11-10T15:50:00Z');
const context: DecisionContext = {
  campaignId: 'd11-2026',
  now: NOW,
  actor: 'marketer@store',
  waveIds: ['presale', 'midnight'],
};

/** Applies commands in order; fails the test on the first refusal. */
function run(...commands: LifecycleCommand[]): Lifecycle {
  let current: Lifecycle | undefined;
  for (const command of commands) {
    const decision = decide(current, command, context);
    if (!decision.ok) throw new Error(`refused ${command.kind}: ${decision.refusal.message}`);
    current = decision.next;
  }
  return current as Lifecycle;
}

const approve = (version: number): LifecycleCommand => ({ kind: 'approve', version, graceMs: 0 });

describe('campaign lifecycle', () => {
  it('walks draft -> approved -> running -> completed, one audit entry per change', () => {
    // Act
    const lifecycle = run(
      { kind: 'plan', version: 1 },
      approve(1),
      { kind: 'start', version: 1 },
      {
        kind: 'complete',
        version: 1,
      },
    );

    // Assess
    expect(lifecycle.state).toBe('completed');
    expect(lifecycle.audit.map((entry) => `${entry.action}:${entry.from}->${entry.to}`)).toEqual([
      'plan:null->draft',
      'approve:draft->approved',
      'start:approved->running',
      'complete:running->completed',
    ]);
    expect(lifecycle.revision).toBe(4);
    expect(lifecycle.audit[1]).toMatchObject({ actor: 'marketer@store', version: 1, at: '2026-11-10T15:50:00.000Z' });
  });

  it('keeps the higher version as the latest when two plans are recorded out of order', () => {
    // Act: plan 3 was recorded before plan 2, which ran beside it.
    const lifecycle = run({ kind: 'plan', version: 1 }, { kind: 'plan', version: 3 }, { kind: 'plan', version: 2 });

    // Assess
    expect(lifecycle.latestVersion).toBe(3);
    expect(lifecycle.audit.map((entry) => entry.version)).toEqual([1, 3, 2]);
  });

  it('refuses a stale version and names the current one', () => {
    // Prepare
    const lifecycle = run({ kind: 'plan', version: 1 }, { kind: 'plan', version: 2 });

    // Act
    const decision = decide(lifecycle, approve(1), context);

    // Assess
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'stale-version', current: 2 } });
    if (!decision.ok) expect(decision.refusal.message).toContain('approve version 2');
  });

  it('keeps a live campaign running while a newer draft waits for its approval', () => {
    // Prepare
    const running = run({ kind: 'plan', version: 1 }, approve(1), { kind: 'start', version: 1 });

    // Act
    const replanned = run(
      { kind: 'plan', version: 1 },
      approve(1),
      { kind: 'start', version: 1 },
      {
        kind: 'plan',
        version: 2,
      },
    );

    // Assess
    expect(running.state).toBe('running');
    expect(replanned).toMatchObject({ state: 'running', approvedVersion: 1, latestVersion: 2 });
    expect(sendPermission(replanned, 1, 'presale')).toBe('go');
    expect(sendPermission(replanned, 2, 'presale')).toBe('stale');
    const approved = decide(replanned, approve(2), context);
    expect(approved).toMatchObject({ ok: true, next: { state: 'running', approvedVersion: 2 } });
  });

  it('refuses to approve a plan whose first send is past its window, with the reason', () => {
    // Prepare
    const draft = run({ kind: 'plan', version: 1 });

    // Act
    const decision = decide(
      draft,
      { kind: 'approve', version: 1, firstSendAt: NOW - 60_000, graceMs: 30_000 },
      context,
    );

    // Assess
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'past-window' } });
  });

  it('pauses and resumes back to where it was', () => {
    // Act
    const paused = run({ kind: 'plan', version: 1 }, approve(1), { kind: 'start', version: 1 }, { kind: 'pause' });
    const resumed = decide(paused, { kind: 'resume' }, context);

    // Assess
    expect(paused.state).toBe('paused');
    expect(sendPermission(paused, 1, 'midnight')).toBe('paused');
    expect(resumed).toMatchObject({ ok: true, next: { state: 'running' } });
  });

  it('pauses one wave while the others go on', () => {
    // Act
    const lifecycle = run({ kind: 'plan', version: 1 }, approve(1), { kind: 'pause', waveId: 'presale' });

    // Assess
    expect(lifecycle.state).toBe('approved');
    expect(sendPermission(lifecycle, 1, 'presale')).toBe('paused');
    expect(sendPermission(lifecycle, 1, 'midnight')).toBe('go');
  });

  it('refuses pausing a draft and resuming what is not paused, naming the state', () => {
    // Prepare
    const draft = run({ kind: 'plan', version: 1 });
    const approved = run({ kind: 'plan', version: 1 }, approve(1));

    // Act
    const pause = decide(draft, { kind: 'pause' }, context);
    const resume = decide(approved, { kind: 'resume' }, context);

    // Assess
    expect(pause).toMatchObject({ ok: false, refusal: { code: 'wrong-state', state: 'draft' } });
    expect(resume).toMatchObject({ ok: false, refusal: { code: 'wrong-state', state: 'approved' } });
  });

  it('makes cancel final: nothing is sent, nothing can be resumed or approved', () => {
    // Prepare
    const cancelled = run({ kind: 'plan', version: 1 }, approve(1), { kind: 'cancel', reason: 'wrong price' });

    // Act
    const decisions = (
      [{ kind: 'resume' }, { kind: 'pause' }, approve(1), { kind: 'plan', version: 2 }] as LifecycleCommand[]
    ).map((command) => decide(cancelled, command, context));

    // Assess
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.audit.at(-1)).toMatchObject({ action: 'cancel', reason: 'wrong price' });
    expect(sendPermission(cancelled, 1, 'presale')).toBe('cancelled');
    for (const decision of decisions) expect(decision.ok, JSON.stringify(decision)).toBe(false);
  });

  it('refuses an unknown wave', () => {
    // Prepare
    const approved = run({ kind: 'plan', version: 1 }, approve(1));

    // Act
    const decision = decide(approved, { kind: 'pause', waveId: 'nope' }, context);

    // Assess
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'unknown-wave', waveId: 'nope' } });
  });

  it('treats a repeated pause as no change (no audit entry, same revision)', () => {
    // Prepare
    const paused = run({ kind: 'plan', version: 1 }, approve(1), { kind: 'pause' });

    // Act
    const again = decide(paused, { kind: 'pause' }, context);

    // Assess
    expect(again).toMatchObject({ ok: true, changed: false, next: { revision: paused.revision } });
  });

  it('refuses every command but plan for a campaign that does not exist', () => {
    // Act
    const decision = decide(undefined, approve(1), context);

    // Assess
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'unknown-campaign' } });
  });
});
