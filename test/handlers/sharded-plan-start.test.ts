/**
 * `PUT /campaigns/{id}` of a campaign at or above the sharded-plan threshold, on the embedded
 * stack (dynalite, s3rver, real SDK clients) through the local HTTP server: 202 at once with
 * the version it reserved, then the shard handler's own steps run in the process (the local
 * starter) and store that version as a draft, the same as the plan made in one process. An
 * uploaded campaign file of such a campaign: planning said beside it, one run however often
 * its event comes, the answer written beside it when the run stores the draft.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../functions/adapters/local/directory-storage.ts';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { settledLocalPlan } from '../../functions/adapters/local/sharded-plan-runner.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { S3ObjectStorage } from '../../functions/adapters/s3-object-storage.ts';
import { clientsFor, planDependencies, planUploadDependencies } from '../../functions/composition.ts';
import { loadConfig } from '../../functions/config.ts';
import { ENV, planExecutionName } from '../../functions/contract.ts';
import { planShardSteps } from '../../functions/handlers/plan-shards.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import type { ObjectStorage } from '../../functions/ports/object-storage.ts';
import { writeSampleCsv } from '../../functions/sample/generate-customers.ts';
import { readAll } from '../../functions/usecases/plan-shards.ts';
import { planUploadedCampaign } from '../../functions/usecases/plan-uploaded-campaign.ts';
import { withEnvironment } from '../support/aws-runtime.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const ID = 'huge';
const CUSTOMERS = 400;

let stack: LocalStack;
let http: LocalHttpServer;
let campaign: Record<string, unknown>;
let dir: string;
let csvPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sharded-start-'));
  csvPath = join(dir, 'customers.csv');
  await writeSampleCsv(csvPath, { customers: CUSTOMERS, now: new Date(NOW), badRows: 0 });
  const csv = await readFile(csvPath, 'utf8');
  stack = await startEphemeralStack({ dataBucket: 'sharded-start', clock: new VirtualClock(NOW), log: () => {} });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  await uploadSegmentAndWait(stack.config, `segments/${ID}/customers.csv`, csv);
  campaign = { ...JSON.parse(await readFile('functions/sample/d11-2026.campaign.json', 'utf8')), id: ID };
}, 120_000);

afterAll(async () => {
  await http?.stop();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function put(id: string, body: unknown) {
  const response = await fetch(`${http.url}/campaigns/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('a plan at or above the sharded-plan threshold', () => {
  it('answers 202 with the version it reserved, and the shards store the same draft as one process', async () => {
    // Prepare: the threshold below the campaign's 400 imported customers
    const threshold = { [ENV.shardedPlanCustomers]: String(CUSTOMERS - 100) };

    // Act: planned in shards, then (the threshold back at its default) in one process
    const sharded = await withEnvironment(threshold, () => put(ID, campaign));
    const finished = (await settledLocalPlan(planExecutionName(ID, 1))) as Record<string, unknown>;
    const single = await put(ID, campaign);

    // Assess
    expect(sharded).toEqual({
      status: 202,
      json: { version: 1, status: 'planning', shards: 2, customers: CUSTOMERS },
    });
    expect(finished).toMatchObject({ version: 1, replayed: false });
    expect(single.status, JSON.stringify(single.json)).toBe(201);
    expect(single.json.version).toBe(2);
    const { lifecycle } = planDependencies(stack.config);
    const [first, second] = [await lifecycle.getVersion(ID, 1), await lifecycle.getVersion(ID, 2)];
    expect(first?.timeline.sends.length, 'the sharded plan stored no sends').toBeGreaterThan(0);
    expect(first?.timeline).toEqual(second?.timeline);
    expect(first?.cost).toEqual(second?.cost);
    expect(first?.plannedBy).toBe(second?.plannedBy);
    const audit = (await lifecycle.getLifecycle(ID))?.audit.filter((entry) => entry.action === 'plan');
    expect(audit?.map((entry) => entry.version)).toEqual([1, 2]);
  }, 180_000);

  it('refuses a campaign file with a problem by its field, before reserving a version or starting a run', async () => {
    // Prepare
    const threshold = { [ENV.shardedPlanCustomers]: '1' };
    const { lifecycle } = planDependencies(stack.config);
    const before = (await lifecycle.getLifecycle(ID))?.latestVersion;

    // Act
    const refused = await withEnvironment(threshold, () => put(ID, { ...campaign, midnight: 'tonight' }));

    // Assess
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('midnight');
    expect((await lifecycle.getLifecycle(ID))?.latestVersion).toBe(before);
    expect(await lifecycle.reserveVersion(ID, (before ?? 0) + 1, new Date(NOW).toISOString())).toBe(true);
  });
});

describe('a sharded plan the reduce refuses, asked for by PUT', () => {
  it('shows on GET /campaigns/{id} and the console page as refused, each problem by its field, and stores no version', async () => {
    // Prepare: the sample's texts without their registrations, to +86 numbers (China's SMS rules)
    const refusedFile = { ...campaign, registeredTemplates: {} };

    // Act
    const started = await withEnvironment({ [ENV.shardedPlanCustomers]: '100' }, () => put(ID, refusedFile));
    const version = Number(started.json.version);
    await settledLocalPlan(planExecutionName(ID, version));
    const shown = await (await fetch(`${http.url}/campaigns/${ID}`)).json();
    const page = await (await fetch(`${http.url}/console/campaigns/${ID}/view`)).text();

    // Assess
    expect(started.status).toBe(202);
    expect(shown.planning).toEqual([
      { version, shards: 2, customers: CUSTOMERS, startedAt: new Date(NOW).toISOString(), refused: expect.any(Array) },
    ]);
    expect(shown.planning[0].refused[0]).toEqual({
      path: expect.stringMatching(/^waves\[\d+\]\.templates\.sms$/),
      message: expect.stringContaining('registered'),
      messageZh: expect.stringContaining('报备'),
    });
    expect(shown.latestVersion, 'the refused plan became the latest version').toBeLessThan(version);
    expect(await planDependencies(stack.config).lifecycle.getVersion(ID, version)).toBeUndefined();
    expect(page).toContain(`data-run="${version}" data-status="refused"`);
  });
});

describe('an uploaded campaign file at or above the sharded-plan threshold', () => {
  it('says planning beside the file, plans once however often its event comes, then writes the answer', async () => {
    // Prepare: the file where the plan function reads it (a folder standing in for the bucket:
    // a file put in the embedded bucket would start its own plan), its event delivered three
    // times, twice while the run goes on
    const key = `campaigns/${ID}-upload.json`;
    const files = new DirectoryStorage(join(dir, 'upload-bucket'));
    const bucket = new S3ObjectStorage(clientsFor(stack.config).s3, stack.config.dataBucket);
    await uploadSegmentAndWait(stack.config, `segments/${ID}-up/customers.csv`, await readFile(csvPath, 'utf8'));
    await files.put(key, JSON.stringify({ ...campaign, id: `${ID}-up` }), 'application/json');
    const request = { keys: [key], sequencer: '0061A2B3C4', actor: 'upload:tester', now: NOW };
    const plan = (at = NOW) =>
      withEnvironment({ [ENV.shardedPlanCustomers]: '100' }, () =>
        planUploadedCampaign(
          { ...planUploadDependencies(loadConfig(), { localPlanSteps: planShardSteps }), storage: files },
          { ...request, now: at },
        ),
      );

    // Act
    const first = await plan();
    const again = await plan(NOW + 60_000);
    const planning = JSON.parse(await readText(files, `reports/${key}.plan.json`));
    await settledLocalPlan(planExecutionName(`${ID}-up`, 1));
    const answered = JSON.parse(await readText(bucket, `reports/${key}.plan.json`));
    const late = await plan(NOW + 120_000);

    // Assess
    expect(first).toEqual({ status: 'planning', campaignId: `${ID}-up`, version: 1, shards: 2, customers: CUSTOMERS });
    expect(again, 'a redelivered event started another plan').toEqual(first);
    expect(planning).toEqual(first);
    expect(answered).toMatchObject({ status: 'planned', campaignId: `${ID}-up`, version: 1, state: 'draft' });
    expect(answered.timeline.sends.length).toBeGreaterThan(0);
    expect((await readText(bucket, `reports/${key}.timeline.html`)).length).toBeGreaterThan(0);
    expect(late).toMatchObject({ status: 'planned', version: 1 });
    const { lifecycle } = planDependencies(stack.config);
    const audit = (await lifecycle.getLifecycle(`${ID}-up`))?.audit.filter((entry) => entry.action === 'plan');
    expect(audit?.map((entry) => entry.version)).toEqual([1]);
    const stored = await lifecycle.getVersion(`${ID}-up`, 1);
    expect(stored?.plannedAt, 'the redelivery changed the planning instant').toBe(new Date(NOW).toISOString());
    expect(stored?.source).toBe(`${key}@0061A2B3C4`);
  }, 180_000);
});

describe('a sharded plan that only the customers show to be refused', () => {
  it("writes the file's refusal by field beside it, stores no version, and fails no run", async () => {
    // Prepare: the sample's texts without their registrations, to +86 numbers (China's SMS rules)
    const id = `${ID}-no`;
    const key = `campaigns/${id}.json`;
    const files = new DirectoryStorage(join(dir, 'refused-bucket'));
    const bucket = new S3ObjectStorage(clientsFor(stack.config).s3, stack.config.dataBucket);
    await uploadSegmentAndWait(stack.config, `segments/${id}/customers.csv`, await readFile(csvPath, 'utf8'));
    await files.put(key, JSON.stringify({ ...campaign, id, registeredTemplates: {} }), 'application/json');

    // Act
    const started = await withEnvironment({ [ENV.shardedPlanCustomers]: '100' }, () =>
      planUploadedCampaign(
        { ...planUploadDependencies(loadConfig(), { localPlanSteps: planShardSteps }), storage: files },
        { keys: [key], sequencer: '00AB', actor: 'upload:tester', now: NOW },
      ),
    );
    const finished = (await settledLocalPlan(planExecutionName(id, 1))) as { refused?: string[] };
    const answer = JSON.parse(await readText(bucket, `reports/${key}.plan.json`));

    // Assess
    expect(started).toMatchObject({ status: 'planning', version: 1 });
    expect(answer).toMatchObject({ status: 'refused', code: 'invalid-request' });
    expect(answer.problems.length, 'no problem named').toBeGreaterThan(0);
    expect(answer.problems[0]).toMatch(/^waves\[\d+\]\.templates\.sms: .*registered/);
    expect(finished.refused).toEqual(answer.problems);
    const { lifecycle } = planDependencies(stack.config);
    expect(await lifecycle.getVersion(id, 1), 'a refused plan stored a version').toBeUndefined();
    expect(await lifecycle.getLifecycle(id)).toBeUndefined();
  }, 180_000);
});

async function readText(storage: ObjectStorage, key: string): Promise<string> {
  return new TextDecoder().decode(await readAll(storage, key));
}
