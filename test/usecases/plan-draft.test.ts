import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoTouchStore } from '../../functions/adapters/dynamo/campaign-store.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { S3ObjectStorage } from '../../functions/adapters/s3-object-storage.ts';
import { approveDependencies, clientsFor, controlDependencies, planDependencies } from '../../functions/composition.ts';
import { scheduleGroup } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { estimateCost } from '../../functions/domain/plan-review.ts';
import { type PlanHandlerResult, handler as plan } from '../../functions/handlers/plan-campaign.ts';
import { playSchedules } from '../../functions/local/play.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { controlCampaign } from '../../functions/usecases/control-campaign.ts';
import { CampaignError } from '../../functions/usecases/errors.ts';
import { planDraft } from '../../functions/usecases/plan-draft.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
/** Recent buyers: a midnight push to them carries no warning. */
const CUSTOMERS =
  'customer_id,phone,email,last_order_at\nC1,13800138001,a@qq.com,2026-10-01\nC2,13800138002,b@qq.com,2026-10-01\nC3,13800138003,,2026-10-01\n';
let stack: LocalStack | undefined;
let planned: PlanHandlerResult[] = [];

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  planned = [];
});

async function startWithCustomers(campaignId: string) {
  const clock = new VirtualClock(NOW);
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock,
    log: (line) => console.error(line),
    onPlanned: (result) => planned.push(result),
  });
  await uploadSegmentAndWait(stack.config, `segments/${campaignId}/customers.csv`, CUSTOMERS);
  return { local: stack, clock };
}

function campaign(id: string, extra: Partial<CampaignInput> = {}): CampaignInput {
  return {
    id,
    midnight: '2026-11-11T00:00',
    smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
    waves: [
      { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
      { id: 'midnight', sms: 'midnight', audience: ['*'] },
    ],
    ...extra,
  };
}

/** Uploads a campaign file under campaigns/ and waits for the plan handler's answer to it. */
async function upload(local: LocalStack, key: string, body: string): Promise<PlanHandlerResult> {
  const seen = planned.length;
  await clientsFor(local.config).s3.send(
    new PutObjectCommand({ Bucket: local.config.dataBucket, Key: key, Body: body }),
  );
  for (let waited = 0; planned.length === seen; waited += 1) {
    if (waited > 600) throw new Error(`no plan answer for ${key} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return planned[seen] as PlanHandlerResult;
}

async function readJson(local: LocalStack, key: string): Promise<unknown> {
  const storage = new S3ObjectStorage(clientsFor(local.config).s3, local.config.dataBucket);
  if (!(await storage.head(key))) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of storage.read(key)) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function refusal(promise: Promise<unknown>): Promise<CampaignError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof CampaignError)) throw new Error(`expected a CampaignError, got ${String(error)}`);
  return error;
}

describe('planning makes drafts', () => {
  it('plans an uploaded campaign file into a draft, writes its answer beside it, and schedules nothing', async () => {
    // Prepare
    const { local, clock } = await startWithCustomers('upload');

    // Act
    const result = await upload(local, 'campaigns/upload.json', JSON.stringify(campaign('upload')));
    await playSchedules(local.runtime, clock);

    // Assess: a draft, nothing scheduled, nothing sent.
    expect(result).toMatchObject({ status: 'planned', campaignId: 'upload', version: 1 });
    expect(await local.runtime.scheduler.list(scheduleGroup('upload'))).toEqual([]);
    expect(await approveDependencies(local.config).campaigns.getSends('upload')).toEqual([]);
    expect(local.runtime.sms.messages()).toEqual([]);
    const lifecycle = await approveDependencies(local.config).lifecycle.getLifecycle('upload');
    expect(lifecycle).toMatchObject({ state: 'draft', latestVersion: 1 });
    expect(lifecycle?.approvedVersion).toBeUndefined();
    expect(lifecycle?.audit).toEqual([
      expect.objectContaining({ actor: 'local-marketer', action: 'plan', from: null, to: 'draft', version: 1 }),
    ]);
    // The answer beside the file: the version with its cost (and its timeline), and the page.
    const stored = await approveDependencies(local.config).lifecycle.getVersion('upload', 1);
    const report = (await readJson(local, 'reports/campaigns/upload.json.plan.json')) as Record<string, unknown>;
    expect(report).toMatchObject({ status: 'planned', state: 'draft', version: 1, cost: stored?.cost, warnings: [] });
    expect(stored?.cost).toEqual(
      estimateCost(
        stored?.timeline ?? { sends: [] },
        stored?.campaign.prices ?? {
          smsPart: 0,
          email: 0,
        },
      ),
    );
    expect(stored?.cost.sms.messages).toBe(stored?.timeline.summary.touches.sms);
    expect(stored).toMatchObject({
      plannedBy: 'local-marketer',
      plannedAt: expect.stringMatching(/^2026-10-20T04:00/),
    });
    const storage = new S3ObjectStorage(clientsFor(local.config).s3, local.config.dataBucket);
    expect(await storage.head('reports/campaigns/upload.json.timeline.html')).toBeDefined();
    expect(await storage.head('reports/campaigns/upload.json.timeline.en.html')).toBeDefined();
  });

  it('says where uploads take a column mapping when the campaign file has columns', async () => {
    // Prepare
    const { local } = await startWithCustomers('mapped');

    // Act
    const result = await upload(
      local,
      'campaigns/mapped.json',
      JSON.stringify(campaign('mapped', { columns: { 会员卡号: 'customer_id' } })),
    );

    // Assess
    expect(result).toMatchObject({ status: 'planned', version: 1 });
    const stored = await approveDependencies(local.config).lifecycle.getVersion('mapped', 1);
    expect(stored?.timeline.warnings).toContain(
      'the campaign file\'s "columns" map the headers of the files `campaign plan` reads; uploaded segment files were read with ' +
        'segments/mapped/columns.json: put the same mapping there (`campaign import --columns FILE` does) and upload the files again if their headers were not read',
    );
  });

  it('writes each version its own touches', async () => {
    // Prepare
    const { local } = await startWithCustomers('touches');
    const deps = planDependencies(local.config);

    // Act
    await planDraft(deps, { campaign: campaign('touches'), actor: 'a', now: NOW });
    await planDraft(deps, { campaign: campaign('touches', { signature: '【另一家店】' }), actor: 'b', now: NOW });

    // Assess
    const touches = new DynamoTouchStore(
      clientsFor(local.config).dynamodb,
      clientsFor(local.config).documents,
      local.config.tables.touches,
    );
    for (const version of [1, 2]) {
      const shard = await touches.readShard({ campaignId: 'touches', version, sendId: 'midnight.sms.g1', shard: 0 });
      expect(shard.map((touch) => `${touch.customerId}:${touch.status}`).sort()).toEqual([
        'C1:planned',
        'C2:planned',
        'C3:planned',
      ]);
    }
  });

  it('plans a repeated delivery of one upload once', async () => {
    // Prepare: one upload event, delivered twice (S3 and EventBridge deliver at least once).
    const { local } = await startWithCustomers('dup');
    await upload(local, 'campaigns/dup.json', JSON.stringify(campaign('dup')));
    const event = { Records: [{ s3: { object: { key: 'campaigns/dup.json', sequencer: '0066C0FFEE' } } }] };

    // Act
    const first = await plan(event);
    const again = await plan(event);

    // Assess
    expect(first).toMatchObject({ status: 'planned', version: 2 });
    expect(again).toEqual(first);
    const versions = await approveDependencies(local.config).lifecycle.listVersions('dup');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses an invalid campaign file, naming each field beside the file, and stores nothing', async () => {
    // Prepare
    const { local } = await startWithCustomers('bad');
    const body = JSON.stringify({
      id: 'bad',
      midnight: '2026-11-11T00:00',
      waves: [{ id: 'w', sms: '2026-11-05T23:00' }],
    });

    // Act
    const result = await upload(local, 'campaigns/bad.json', body);

    // Assess
    const expected = {
      status: 'refused',
      code: 'invalid-request',
      problems: [expect.stringMatching(/^waves\[0\]\.sms: falls in quiet hours/)],
    };
    expect(result).toEqual(expected);
    expect(await readJson(local, 'reports/campaigns/bad.json.plan.json')).toEqual(expected);
    expect(await approveDependencies(local.config).lifecycle.getLifecycle('bad')).toBeUndefined();
  });

  it('gives two plans at once two versions, and the later number stays the latest', async () => {
    // Prepare
    const { local } = await startWithCustomers('race');
    const deps = planDependencies(local.config);

    // Act
    const results = await Promise.all([
      planDraft(deps, { campaign: campaign('race'), actor: 'alice@store', now: NOW }),
      planDraft(deps, { campaign: campaign('race'), actor: 'bob@store', now: NOW }),
    ]);

    // Assess
    expect(results.map((r) => r.version).sort()).toEqual([1, 2]);
    const lifecycle = await deps.lifecycle.getLifecycle('race');
    expect(lifecycle?.latestVersion).toBe(2);
    const [alice, bob] = results;
    expect(lifecycle?.audit.map((entry) => `${entry.action} v${entry.version} by ${entry.actor}`).sort()).toEqual(
      [`plan v${alice?.version} by alice@store`, `plan v${bob?.version} by bob@store`].sort(),
    );
    expect((await deps.lifecycle.listVersions('race')).map((v) => v.plannedBy).sort()).toEqual([
      'alice@store',
      'bob@store',
    ]);
  });

  it('refuses to plan a cancelled campaign, naming the state, and plans nothing', async () => {
    // Prepare
    const { local } = await startWithCustomers('over');
    const deps = planDependencies(local.config);
    await planDraft(deps, { campaign: campaign('over'), actor: 'a', now: NOW });
    await controlCampaign(controlDependencies(local.config), { campaignId: 'over', action: 'cancel', actor: 'a' });

    // Act
    const error = await refusal(planDraft(deps, { campaign: campaign('over'), actor: 'a', now: NOW }));

    // Assess
    expect(error.code).toBe('wrong-state');
    expect(error.details.state).toBe('cancelled');
    expect(error.message).toContain('cancelled');
    expect((await deps.lifecycle.listVersions('over')).map((v) => v.version)).toEqual([1]);
  });

  it("refuses a file whose id is not the addressed campaign's, naming the field", async () => {
    // Prepare
    const { local } = await startWithCustomers('named');

    // Act
    const error = await refusal(
      planDraft(planDependencies(local.config), {
        campaign: campaign('other'),
        campaignId: 'named',
        actor: 'a',
        now: NOW,
      }),
    );

    // Assess
    expect(error.code).toBe('invalid-request');
    expect(error.details.fields).toEqual([{ path: 'id', message: 'must be the campaign id of the address, "named"' }]);
  });
});
