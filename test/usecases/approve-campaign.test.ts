import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import {
  approveDependencies,
  clientsFor,
  controlDependencies,
  dispatchDependencies,
  planDependencies,
} from '../../functions/composition.ts';
import { scheduleGroup } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { handler as dispatch } from '../../functions/handlers/send-dispatch.ts';
import { playSchedules } from '../../functions/local/play.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { approveCampaign } from '../../functions/usecases/approve-campaign.ts';
import { controlCampaign } from '../../functions/usecases/control-campaign.ts';
import { CampaignError } from '../../functions/usecases/errors.ts';
import { planDraft } from '../../functions/usecases/plan-draft.ts';
import { dispatchSend } from '../../functions/usecases/send-wave.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const CUSTOMERS =
  'customer_id,phone,email,unpaid_order\nC1,13800138001,a@qq.com,true\nC2,13800138002,b@qq.com,true\nC3,13800138003,,false\n';
let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function startWithCustomers(campaignId: string) {
  const clock = new VirtualClock(NOW);
  stack = await startEphemeralStack({ dataBucket: 'campaign-data', clock, log: (line) => console.error(line) });
  await uploadSegmentAndWait(stack.config, `segments/${campaignId}/customers.csv`, CUSTOMERS);
  return { local: stack, clock };
}

/** Every customer may get every SMS (multi-SMS share 1): a wave added or moved changes no other wave. */
function campaign(id: string, waves: CampaignInput['waves'], extra: Partial<CampaignInput> = {}): CampaignInput {
  return {
    id,
    midnight: '2026-11-11T00:00',
    smsRules: 'none',
    caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
    waves,
    ...extra,
  };
}

const WARMUP_AND_MIDNIGHT: CampaignInput['waves'] = [
  { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
  { id: 'midnight', sms: 'midnight', audience: ['*'] },
];

async function plan(local: LocalStack, input: CampaignInput, now = NOW, actor = 'planner@store') {
  return planDraft(planDependencies(local.config), { campaign: input, actor, now });
}

async function approve(local: LocalStack, campaignId: string, version: number, now = NOW, actor = 'boss@store') {
  return approveCampaign(approveDependencies(local.config), { campaignId, version, actor, now });
}

/** What the scheduler holds for a campaign: name -> the version its payload sends. */
function schedulesOf(local: LocalStack, campaignId: string): Record<string, unknown> {
  return Object.fromEntries(
    local.runtime.scheduler
      .schedules()
      .filter((s) => s.group === scheduleGroup(campaignId))
      .map((s) => [s.name, s.payload.version]),
  );
}

async function refusal(promise: Promise<unknown>): Promise<CampaignError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof CampaignError)) throw new Error(`expected a CampaignError, got ${String(error)}`);
  return error;
}

describe('approving a version', () => {
  it('schedules exactly the approved version, with who approved it and when in the audit trail', async () => {
    // Prepare
    const { local } = await startWithCustomers('appr');
    const draft = await plan(local, campaign('appr', WARMUP_AND_MIDNIGHT));

    // Act
    const result = await approve(local, 'appr', draft.version, NOW + 60_000);

    // Assess
    expect(result.changed).toBe(true);
    expect(result.lifecycle).toMatchObject({ state: 'approved', approvedVersion: 1, latestVersion: 1 });
    expect(result.lifecycle.audit.at(-1)).toEqual({
      at: new Date(NOW + 60_000).toISOString(),
      actor: 'boss@store',
      action: 'approve',
      from: 'draft',
      to: 'approved',
      version: 1,
    });
    expect(schedulesOf(local, 'appr')).toEqual(
      Object.fromEntries(draft.timeline.sends.map((send) => [send.id, draft.version])),
    );
    const sends = await approveDependencies(local.config).campaigns.getSends('appr');
    expect(sends.map((s) => `${s.id}@v${s.version}:${s.state}`).sort()).toEqual(
      draft.timeline.sends.map((s) => `${s.id}@v1:scheduled`).sort(),
    );
  });

  it('keeps v1 scheduled while a re-plan is a draft, and swaps to v2 only when v2 is approved', async () => {
    // Prepare: v1 approved; v2 drops the warm-up email and moves the warm-up SMS.
    const { local } = await startWithCustomers('swap');
    const v1 = await plan(local, campaign('swap', WARMUP_AND_MIDNIGHT));
    await approve(local, 'swap', v1.version);
    const before = schedulesOf(local, 'swap');

    // Act 1: re-plan
    const v2 = await plan(
      local,
      campaign('swap', [
        { id: 'warmup', sms: '2026-11-05T15:00', audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ]),
    );

    // Assess 1: a draft with its diff; v1 still the one scheduled and sent.
    expect(v2.version).toBe(2);
    expect(v2.lifecycle).toMatchObject({ state: 'approved', approvedVersion: 1, latestVersion: 2 });
    expect(v2.diff).toMatchObject({
      againstVersion: 1,
      sendsRemoved: ['warmup.email.g1'],
      sendsMoved: [{ id: 'warmup.sms.g1' }],
    });
    expect(schedulesOf(local, 'swap')).toEqual(before);
    expect(Object.values(before).every((version) => version === 1)).toBe(true);

    // Act 2: approve v2
    const approved = await approve(local, 'swap', v2.version);

    // Assess 2
    expect(approved.removed).toEqual(['warmup.email.g1']);
    expect(schedulesOf(local, 'swap')).toEqual({ 'midnight.sms.g1': 2, 'warmup.sms.g1': 2 });
  });

  it('refuses a stale version with 409 naming the current one, and changes nothing', async () => {
    // Prepare
    const { local } = await startWithCustomers('stale');
    await plan(local, campaign('stale', WARMUP_AND_MIDNIGHT));
    await plan(local, campaign('stale', WARMUP_AND_MIDNIGHT));

    // Act
    const error = await refusal(approve(local, 'stale', 1));

    // Assess
    expect(error.code).toBe('stale-version');
    expect(error.details.currentVersion).toBe(2);
    expect(error.message).toContain('approve version 2');
    expect(schedulesOf(local, 'stale')).toEqual({});
  });

  it('refuses a plan whose first send is past its window, saying why; within the grace it approves', async () => {
    // Prepare: the warm-up is at 12:00 on 11-05; the grace is 30 minutes.
    const { local } = await startWithCustomers('late');
    const warmup = Date.parse('2026-11-05T12:00:00+08:00');
    const draft = await plan(local, campaign('late', [{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] }]));

    // Act
    const late = await refusal(approve(local, 'late', draft.version, warmup + 31 * 60_000));
    const inTime = await approve(local, 'late', draft.version, warmup + 29 * 60_000);

    // Assess
    expect(late.code).toBe('past-window');
    expect(late.message).toMatch(/first send was due at 2026-11-05T04:00:00.000Z, more than the resume grace ago/);
    expect(inTime.lifecycle.state).toBe('approved');
    expect(inTime.lifecycle.audit.filter((e) => e.action === 'approve')).toHaveLength(1);
  });

  it('refuses whole a version that would change a send that has started, and changes nothing', async () => {
    // Prepare: v1 approved and its warm-up dispatched; v2 moves the warm-up.
    const { local } = await startWithCustomers('frozen');
    const v1 = await plan(local, campaign('frozen', [{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] }]));
    await approve(local, 'frozen', v1.version);
    expect(await dispatch({ campaignId: 'frozen', sendId: 'warmup.sms.g1', version: 1 })).toMatchObject({
      kind: 'dispatched',
    });
    const v2 = await plan(
      local,
      campaign('frozen', [
        { id: 'warmup', sms: '2026-11-05T15:00', audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ]),
    );
    const schedulesBefore = schedulesOf(local, 'frozen');
    const sendsBefore = await approveDependencies(local.config).campaigns.getSends('frozen');

    // Act
    const error = await refusal(approve(local, 'frozen', v2.version));

    // Assess
    expect(error.code).toBe('send-started');
    expect(error.details.sendIds).toEqual(['warmup.sms.g1']);
    const lifecycle = await approveDependencies(local.config).lifecycle.getLifecycle('frozen');
    expect(lifecycle).toMatchObject({ approvedVersion: 1, latestVersion: 2 });
    expect(schedulesOf(local, 'frozen')).toEqual(schedulesBefore);
    expect(await approveDependencies(local.config).campaigns.getSends('frozen')).toEqual(sendsBefore);
  });

  it('keeps a started send that the new version leaves as it was, and schedules the rest', async () => {
    // Prepare: v1's warm-up dispatched; v2 keeps it exactly and adds the midnight push.
    const { local } = await startWithCustomers('keep');
    const warmup: CampaignInput['waves'][number] = { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] };
    const v1 = await plan(local, campaign('keep', [warmup]));
    await approve(local, 'keep', v1.version);
    await dispatch({ campaignId: 'keep', sendId: 'warmup.sms.g1', version: 1 });
    const v2 = await plan(local, campaign('keep', [warmup, { id: 'midnight', sms: 'midnight', audience: ['*'] }]));

    // Act
    const approved = await approve(local, 'keep', v2.version);

    // Assess
    expect(approved.frozen).toEqual(['warmup.sms.g1']);
    expect(approved.scheduled).toEqual(['midnight.sms.g1']);
    const sends = await approveDependencies(local.config).campaigns.getSends('keep');
    expect(sends.map((s) => `${s.id}@v${s.version}:${s.state}`).sort()).toEqual([
      'midnight.sms.g1@v2:scheduled',
      'warmup.sms.g1@v1:dispatched',
    ]);
  });

  it('makes one change when the same version is approved twice at once', async () => {
    // Prepare
    const { local } = await startWithCustomers('twice');
    const draft = await plan(local, campaign('twice', WARMUP_AND_MIDNIGHT));

    // Act
    const results = await Promise.all([
      approve(local, 'twice', draft.version, NOW, 'alice@store'),
      approve(local, 'twice', draft.version, NOW, 'bob@store'),
    ]);

    // Assess
    expect(results.map((r) => r.changed).sort()).toEqual([false, true]);
    const lifecycle = await approveDependencies(local.config).lifecycle.getLifecycle('twice');
    expect(lifecycle?.audit.filter((entry) => entry.action === 'approve')).toHaveLength(1);
    expect(lifecycle?.revision).toBe(draft.lifecycle.revision + 1);
    expect(Object.keys(schedulesOf(local, 'twice')).sort()).toEqual(draft.timeline.sends.map((s) => s.id).sort());
  });

  it('keeps a paused campaign paused when a newer version is approved', async () => {
    // Prepare
    const { local } = await startWithCustomers('paused');
    const v1 = await plan(local, campaign('paused', WARMUP_AND_MIDNIGHT));
    await approve(local, 'paused', v1.version);
    await controlCampaign(controlDependencies(local.config), {
      campaignId: 'paused',
      action: 'pause',
      actor: 'boss@store',
      reason: 'wrong price',
    });
    const v2 = await plan(local, campaign('paused', WARMUP_AND_MIDNIGHT, { signature: '【新店名】' }));

    // Act
    const approved = await approve(local, 'paused', v2.version);

    // Assess
    expect(approved.lifecycle).toMatchObject({ state: 'paused', approvedVersion: 2, resumeTo: 'approved' });
    expect(approved.lifecycle.audit.map((e) => `${e.action}:${e.from}->${e.to}`)).toEqual([
      'plan:null->draft',
      'approve:draft->approved',
      'pause:approved->paused',
      'plan:paused->paused',
      'approve:paused->paused',
    ]);
  });

  it('refuses an unknown campaign', async () => {
    // Prepare
    const { local } = await startWithCustomers('nobody');

    // Act
    const error = await refusal(approve(local, 'nobody', 1));

    // Assess
    expect(error.code).toBe('unknown-campaign');
  });
});

describe('only an approved version is sent', () => {
  it('never dispatches a send of a version that was not approved, even if its send item exists', async () => {
    // Prepare: a draft, and a send item of it written as if an approval had died half-way.
    const { local } = await startWithCustomers('draft');
    const draft = await plan(local, campaign('draft', WARMUP_AND_MIDNIGHT));
    const first = draft.timeline.sends[0];
    if (!first) throw new Error('the draft has no sends');
    await clientsFor(local.config).documents.send(
      new PutCommand({
        TableName: local.config.tables.campaigns,
        Item: {
          pk: 'CAMPAIGN#draft',
          sk: `SEND#${first.id}`,
          ...first,
          campaignId: 'draft',
          version: 1,
          shards: 1,
          state: 'scheduled',
        },
      }),
    );

    // Act
    const outcome = await dispatchSend(dispatchDependencies(local.config), {
      campaignId: 'draft',
      sendId: first.id,
      version: 1,
    });

    // Assess
    expect(outcome).toEqual({
      kind: 'ignored',
      reason: 'v1 is not the approved version (none is; the campaign is draft)',
    });
    expect(local.runtime.sms.messages()).toEqual([]);
  });

  it('sends the approved version: a customer who paid since planning leaves a stopOnPurchase wave', async () => {
    // Prepare: C1 pays after the plan (the order webhook keeps lastPaidAt on the ORDERS item).
    const { local, clock } = await startWithCustomers('unpaid');
    const draft = await plan(
      local,
      campaign('unpaid', [{ id: 'unpaid', sms: '2026-11-09T20:00', audience: ['unpaid'], stopOnPurchase: true }]),
    );
    await approve(local, 'unpaid', draft.version);
    await clientsFor(local.config).documents.send(
      new PutCommand({
        TableName: local.config.tables.customers,
        Item: { pk: 'CUSTOMER#C1', sk: 'ORDERS', customerId: 'C1', lastPaidAt: '2026-11-02T10:00:00.000Z' },
      }),
    );

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    expect(local.runtime.sms.messages().map((m) => m.tags.customerId)).toEqual(['C2']);
  });
});
