/**
 * Pause, resume and cancel against a running send, on the embedded stack (dynalite, the
 * local scheduler and send queue, the SMS sink) and the discrete virtual clock: the
 * marketer's actions land at pinned virtual instants between the workers' steps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TimedSource } from '../../functions/adapters/local/virtual-clock.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { controlDependencies, reportDependencies } from '../../functions/composition.ts';
import { scheduleGroup } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { handler as dispatch } from '../../functions/handlers/send-dispatch.ts';
import { playSchedules } from '../../functions/local/play.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import type { Touch } from '../../functions/ports/campaign-store.ts';
import { buildReport } from '../../functions/usecases/build-report.ts';
import { type ControlRequest, controlCampaign } from '../../functions/usecases/control-campaign.ts';
import { CampaignError } from '../../functions/usecases/errors.ts';
import { completeIfDone } from '../../functions/usecases/send-wave.ts';
import { planAndApprove } from '../support/approve.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');
/** The sink's rate and the campaign's: 10 SMS a second, so 40 customers take 4 virtual seconds. */
const RATE = 10;
const CUSTOMERS = 40;
let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function startWith(campaign: CampaignInput, customers = CUSTOMERS) {
  const clock = new VirtualClock(NOW);
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock,
    log: (line) => console.error(line),
    smsRatePerSecond: RATE,
    sendWorkers: 4,
  });
  const rows = Array.from({ length: customers }, (_, i) => `C${i},1380013${String(i).padStart(4, '0')},c${i}@qq.com`);
  await uploadSegmentAndWait(
    stack.config,
    `segments/${campaign.id}/customers.csv`,
    `customer_id,phone,email\n${rows.join('\n')}\n`,
  );
  const { version } = await planAndApprove(stack.config, { smsRatePerSecond: RATE, ...campaign });
  return { local: stack, clock, version, control: controlDependencies(stack.config) };
}

function midnightOnly(id: string, extra: Partial<CampaignInput> = {}): CampaignInput {
  return {
    id,
    midnight: '2026-11-11T00:00',
    smsRules: 'none',
    waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
    ...extra,
  };
}

/** The marketer's actions at their virtual instants, through the use case the routes call. */
function actionsAt(
  deps: ReturnType<typeof controlDependencies>,
  actions: Array<{ at: number } & Omit<ControlRequest, 'actor'>>,
): TimedSource {
  const left = [...actions];
  return {
    nextAt: () => left[0]?.at,
    deliverDue: async (now) => {
      while (left[0] && left[0].at <= now) {
        const { at: _at, ...request } = left.shift() as (typeof actions)[number];
        await controlCampaign(deps, { ...request, actor: 'test-marketer' });
      }
    },
  };
}

async function report(local: LocalStack, campaignId: string) {
  return buildReport(reportDependencies(local.config), campaignId);
}

/** The touches as the workers recorded them (the store, not the report's view of them). */
async function storedTouches(local: LocalStack, campaignId: string): Promise<Touch[]> {
  const deps = reportDependencies(local.config);
  const touches: Touch[] = [];
  for (const send of await deps.campaigns.getSends(campaignId)) {
    for (let shard = 0; shard < send.shards; shard += 1) {
      touches.push(...(await deps.touches.readShard({ campaignId, version: send.version, sendId: send.id, shard })));
    }
  }
  return touches;
}

function perCustomer(local: LocalStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of local.runtime.sms.messages()) counts.set(m.tags.customerId, (counts.get(m.tags.customerId) ?? 0) + 1);
  return counts;
}

function statuses(touches: readonly Touch[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of touches) {
    const key = t.reason ? `${t.status}:${t.reason}` : t.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('pause and resume during the midnight push', () => {
  it('stops a running shard before its next claim, parks it, and the resume sends the rest, nobody twice', async () => {
    // Prepare
    const { local, clock, control } = await startWith(midnightOnly('pause-run'));
    const pauseAt = MIDNIGHT + 1_500;
    const resumeAt = MIDNIGHT + 60_000;

    // Act
    await playSchedules(local.runtime, clock, {
      events: actionsAt(control, [
        { at: pauseAt, campaignId: 'pause-run', action: 'pause' },
        { at: resumeAt, campaignId: 'pause-run', action: 'resume' },
      ]),
    });

    // Assess
    const times = local.runtime.sms.messages().map((m) => m.at);
    const before = times.filter((t) => t < pauseAt).length;
    expect(before, 'the push had started before the pause').toBeGreaterThan(0);
    expect(before, 'and had not finished').toBeLessThan(CUSTOMERS);
    expect(
      times.filter((t) => t >= pauseAt && t < resumeAt),
      'messages handed over while paused',
    ).toEqual([]);
    const counts = perCustomer(local);
    expect(counts.size, 'every customer reached').toBe(CUSTOMERS);
    expect(
      [...counts.values()].filter((n) => n > 1),
      'customers sent twice',
    ).toEqual([]);
    const touches = await storedTouches(local, 'pause-run');
    expect(statuses(touches), 'no claim left dangling as unknown by the pause').toEqual({ sent: CUSTOMERS });
    const { report: shown } = await report(local, 'pause-run');
    expect(shown.state).toBe('completed');
    expect(shown.audit?.map((e) => `${e.actor} ${e.action} ${e.from}->${e.to}`)).toEqual([
      'local-marketer plan null->draft',
      'test-marketer approve draft->approved',
      'system start approved->running',
      'test-marketer pause running->paused',
      'test-marketer resume paused->running',
      'system complete running->completed',
    ]);
  });

  it('pauses and resumes one wave the same way, the campaign running meanwhile', async () => {
    // Prepare
    const { local, clock, control } = await startWith(midnightOnly('wave-pause'));
    const pauseAt = MIDNIGHT + 1_500;
    const resumeAt = MIDNIGHT + 20_000;

    // Act
    await playSchedules(local.runtime, clock, {
      events: actionsAt(control, [
        { at: pauseAt, campaignId: 'wave-pause', action: 'pause', waveId: 'midnight' },
        { at: resumeAt, campaignId: 'wave-pause', action: 'resume', waveId: 'midnight' },
      ]),
    });

    // Assess
    const times = local.runtime.sms.messages().map((m) => m.at);
    expect(times.filter((t) => t < pauseAt).length, 'sent before the pause').toBeGreaterThan(0);
    expect(
      times.filter((t) => t >= pauseAt && t < resumeAt),
      'messages while the wave was paused',
    ).toEqual([]);
    const counts = perCustomer(local);
    expect(counts.size).toBe(CUSTOMERS);
    expect(
      [...counts.values()].every((n) => n === 1),
      'nobody twice',
    ).toBe(true);
    const { report: shown } = await report(local, 'wave-pause');
    expect(shown.audit?.filter((e) => e.waveId === 'midnight').map((e) => `${e.action} ${e.from}->${e.to}`)).toEqual([
      'pause running->running',
      'resume running->running',
    ]);
    expect(shown.state).toBe('completed');
  });

  it('holds a send whose schedule fires while paused, records it once however often it fires, and sends it on resume', async () => {
    // Prepare: paused before its schedule fires.
    const { local, clock, control, version } = await startWith(midnightOnly('held'));
    await controlCampaign(control, { campaignId: 'held', action: 'pause', actor: 'test-marketer' });
    const payload = { campaignId: 'held', sendId: 'midnight.sms.g1', version };

    // Act: two deliveries of one firing at once, then the scheduler's own firing, all while paused.
    const outcomes = await Promise.all([dispatch(payload), dispatch(payload)]);
    const resumeAt = MIDNIGHT + 30_000;
    await playSchedules(local.runtime, clock, {
      events: actionsAt(control, [{ at: resumeAt, campaignId: 'held', action: 'resume' }]),
    });

    // Assess
    expect(outcomes, 'a firing while paused sends nothing').toEqual([{ kind: 'held' }, { kind: 'held' }]);
    const { report: shown } = await report(local, 'held');
    const held = (shown.audit ?? []).filter((e) => e.action === 'fired-while-paused');
    expect(
      held.map((e) => [e.actor, e.reason]),
      'one audit entry for the held send',
    ).toEqual([['system', 'schedule of midnight.sms.g1 held']]);
    const times = local.runtime.sms.messages().map((m) => m.at);
    expect(
      times.filter((t) => t < resumeAt),
      'messages before the resume',
    ).toEqual([]);
    const counts = perCustomer(local);
    expect(counts.size).toBe(CUSTOMERS);
    expect(
      [...counts.values()].every((n) => n === 1),
      'nobody twice',
    ).toBe(true);
    expect(shown.state).toBe('completed');
  });

  it('drops as expired what is left when the resume comes after the midnight push’s night', async () => {
    // Prepare: a grace of a day, so what closes the window is the night (quiet hours end at 09:00).
    const { local, clock, control } = await startWith(midnightOnly('late', { resumeGraceMinutes: 24 * 60 }));
    const pauseAt = MIDNIGHT + 1_500;
    const resumeAt = Date.parse('2026-11-11T09:30:00+08:00');

    // Act
    await playSchedules(local.runtime, clock, {
      events: actionsAt(control, [
        { at: pauseAt, campaignId: 'late', action: 'pause' },
        { at: resumeAt, campaignId: 'late', action: 'resume' },
      ]),
    });

    // Assess
    const times = local.runtime.sms.messages().map((m) => m.at);
    expect(
      times.filter((t) => t >= pauseAt),
      'messages after the pause',
    ).toEqual([]);
    const touches = await storedTouches(local, 'late');
    expect(statuses(touches)).toEqual({ sent: times.length, 'expired:window:night': CUSTOMERS - times.length });
    const { report: shown } = await report(local, 'late');
    expect(shown.totals).toMatchObject({
      planned: CUSTOMERS,
      sent: times.length,
      expired: CUSTOMERS - times.length,
      expiredBy: { 'window:night': CUSTOMERS - times.length },
    });
    expect(shown.state, 'every live send finished: completed').toBe('completed');
  });
});

describe('cancel', () => {
  function twoWaves(id: string): CampaignInput {
    return {
      id,
      midnight: '2026-11-11T00:00',
      smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
      caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
      waves: [
        { id: 'evening', sms: '2026-11-10T20:00', audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ],
    };
  }

  it('stops the send, drops every unsent touch as cancelled, deletes the schedules, and is final', async () => {
    // Prepare
    const { local, clock, control } = await startWith(twoWaves('stop'));
    const group = scheduleGroup('stop');
    const cancelAt = Date.parse('2026-11-10T20:00:01.500+08:00');
    let schedulesLeft: string[] | undefined;
    const afterCancel: TimedSource = {
      nextAt: () => (schedulesLeft === undefined ? cancelAt : undefined),
      deliverDue: async (now) => {
        if (now >= cancelAt) schedulesLeft = await local.runtime.scheduler.list(group);
      },
    };

    // Act
    await playSchedules(local.runtime, clock, {
      events: combine([actionsAt(control, [{ at: cancelAt, campaignId: 'stop', action: 'cancel' }]), afterCancel]),
    });

    // Assess
    expect(schedulesLeft, "the midnight push's schedule is deleted").toEqual([]);
    const times = local.runtime.sms.messages().map((m) => m.at);
    expect(times.length, 'the evening wave had started').toBeGreaterThan(0);
    expect(
      times.filter((t) => t >= cancelAt),
      'messages after the cancel',
    ).toEqual([]);
    const touches = await storedTouches(local, 'stop');
    expect(touches.length).toBe(2 * CUSTOMERS);
    expect(statuses(touches), 'every touch sent or swept to cancelled by the workers').toEqual({
      sent: times.length,
      'cancelled:cancelled': 2 * CUSTOMERS - times.length,
    });
    for (const action of ['resume', 'pause', 'cancel'] as const) {
      const refused = await controlCampaign(control, { campaignId: 'stop', action, actor: 'test-marketer' }).catch(
        (error: unknown) => error,
      );
      expect(refused, `${action} after cancel`).toBeInstanceOf(CampaignError);
      expect((refused as CampaignError).code).toBe('wrong-state');
    }
    const { report: shown } = await report(local, 'stop');
    expect(shown.state).toBe('cancelled');
    expect(shown.totals).toMatchObject({
      planned: 2 * CUSTOMERS,
      cancelled: 2 * CUSTOMERS - times.length,
      cancelledBy: { cancelled: 2 * CUSTOMERS - times.length },
      pending: 0,
    });
  });

  it('cancels one wave: its schedule deleted, its touches cancelled, the other wave sent', async () => {
    // Prepare
    const { local, clock, control } = await startWith(twoWaves('one-wave'));
    const group = scheduleGroup('one-wave');

    // Act
    await controlCampaign(control, {
      campaignId: 'one-wave',
      action: 'cancel',
      waveId: 'midnight',
      actor: 'test-marketer',
    });
    const left = await local.runtime.scheduler.list(group);
    await playSchedules(local.runtime, clock);

    // Assess
    expect(
      left.some((name) => name.startsWith('midnight.')),
      'a schedule of the cancelled wave left',
    ).toBe(false);
    expect(
      left.some((name) => name.startsWith('evening.')),
      'the other wave keeps its schedule',
    ).toBe(true);
    const touches = await storedTouches(local, 'one-wave');
    expect(statuses(touches.filter((t) => t.waveId === 'midnight'))).toEqual({ 'cancelled:cancelled': CUSTOMERS });
    expect(statuses(touches.filter((t) => t.waveId === 'evening'))).toEqual({ sent: CUSTOMERS });
    const refused = await controlCampaign(control, {
      campaignId: 'one-wave',
      action: 'resume',
      waveId: 'midnight',
      actor: 'test-marketer',
    }).catch((error: unknown) => error);
    expect((refused as CampaignError).code, 'a cancelled wave cannot be resumed').toBe('wrong-state');
    const { report: shown } = await report(local, 'one-wave');
    expect(shown.state).toBe('completed');
  });
});

describe('completion', () => {
  it('completes exactly once, however many finishing shards ask at the same moment', async () => {
    // Prepare: a campaign sent to the end, then put back to running as if its shards were finishing now.
    const { local, clock } = await startWith(midnightOnly('once'));
    await playSchedules(local.runtime, clock);
    const deps = { ...controlDependencies(local.config) };
    const done = await deps.lifecycle.getLifecycle('once');
    if (!done) throw new Error('no lifecycle');
    expect(done.audit.filter((e) => e.action === 'complete')).toHaveLength(1);
    const audit = done.audit.filter((e) => e.action !== 'complete');
    expect(await deps.lifecycle.saveLifecycle({ ...done, state: 'running', audit }, done.revision)).toBe(true);

    // Act: eight shards finishing at once.
    const completed = await Promise.all(Array.from({ length: 8 }, () => completeIfDone(deps, 'once')));

    // Assess
    expect(completed.filter(Boolean), 'completions that changed the campaign').toHaveLength(1);
    const after = await deps.lifecycle.getLifecycle('once');
    expect(after?.state).toBe('completed');
    expect(after?.audit.filter((e) => e.action === 'complete')).toHaveLength(1);
  });
});

describe('refusals', () => {
  it('answers an unknown campaign with unknown-campaign (404) and a wrong state with wrong-state (409)', async () => {
    // Prepare
    const { control } = await startWith(midnightOnly('states'));

    // Act
    const unknown = await controlCampaign(control, { campaignId: 'nobody', action: 'pause', actor: 'm' }).catch(
      (e: unknown) => e,
    );
    const notPaused = await controlCampaign(control, { campaignId: 'states', action: 'resume', actor: 'm' }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect((unknown as CampaignError).code).toBe('unknown-campaign');
    expect((notPaused as CampaignError).code).toBe('wrong-state');
    expect((notPaused as CampaignError).message).toContain('approved');
  });
});

function combine(sources: readonly TimedSource[]): TimedSource {
  return {
    nextAt: () => {
      const times = sources.map((s) => s.nextAt()).filter((t): t is number => t !== undefined);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    deliverDue: async (now) => {
      for (const source of sources) await source.deliverDue(now);
    },
  };
}
