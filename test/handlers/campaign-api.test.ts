import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoTriggerStore } from '../../functions/adapters/dynamo/trigger-store.ts';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type Config, loadConfig } from '../../functions/config.ts';
import { CAMPAIGN_ROUTES, MARKETER_ROUTES, type MarketerRoute } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { authorize, callerOf, groupsOf, LOCAL_ACTOR, rolesOf } from '../../functions/handlers/actor.ts';
import { handler as campaignApi } from '../../functions/handlers/campaign-api.ts';
import { handler as testSend } from '../../functions/handlers/test-send.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import type { CampaignError } from '../../functions/usecases/errors.ts';
import { awsRuntimeEnvironment, gatewayEvent as eventOf, withEnvironment } from '../support/aws-runtime.ts';

let stack: LocalStack;
let http: LocalHttpServer;

/** Recent buyers: a midnight push to them carries no warning. */
const CUSTOMERS = 'customer_id,phone,last_order_at\nC1,13800138001,2026-10-01\nC2,13800138002,2026-10-01\n';

beforeAll(async () => {
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    log: (line) => console.error(line),
    clock: new VirtualClock(Date.parse('2026-10-20T12:00:00+08:00')),
  });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  for (const id of ['api', 'flow', 'fuzz', 'roles', 'roles-local', 'rules']) {
    await uploadSegmentAndWait(stack.config, `segments/${id}/customers.csv`, CUSTOMERS);
  }
});

afterAll(async () => {
  await http.stop();
  await stack.stop();
});

function campaign(id: string, extra: Partial<CampaignInput> = {}): CampaignInput {
  return {
    id,
    midnight: '2026-11-11T00:00',
    smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
    waves: [
      { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] },
      { id: 'midnight', sms: 'midnight', audience: ['*'] },
    ],
    caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
    ...extra,
  };
}

/** A request to the local server; the body is sent as given (a string) or as JSON. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${http.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // An HTML page, checked by the caller.
  }
  return { status: response.status, json, text, type: response.headers.get('content-type') ?? '' };
}

describe('the campaign routes', () => {
  it('PUT /campaigns/{id} plans a draft: 201 with its version, diff, cost and warnings', async () => {
    // Act
    const first = await call('PUT', '/campaigns/api', campaign('api'));

    // Assess
    expect(first.status).toBe(201);
    expect(first.json).toEqual({
      version: 1,
      diff: null,
      cost: expect.objectContaining({ sms: { messages: 4, parts: expect.any(Number), cny: expect.any(Number) } }),
      // The links are tracked on this API's own address, longer than the wave's link: a part more.
      warnings: [expect.stringContaining('wave warmup: the tracked link is longer')],
      warningsZh: [expect.stringContaining('波次 warmup：短信里的追踪链接比原链接长')],
    });
  });

  it('PUT answers 400 naming the field: the id of another campaign, a bad wave, a body that is not JSON', async () => {
    // Act
    const otherId = await call('PUT', '/campaigns/api', campaign('someone-else'));
    const badWave = await call('PUT', '/campaigns/api', {
      ...campaign('api'),
      waves: [{ id: 'w', sms: '2026-11-05T23:00' }],
    });
    const notJson = await call('PUT', '/campaigns/api', '{"id": "api",');
    const notObject = await call('PUT', '/campaigns/api', '[1, 2]');
    const tooManyWaves = await call('PUT', '/campaigns/api', {
      ...campaign('api'),
      waves: Array.from({ length: 17 }, (_, day) => ({
        id: `w${day}`,
        sms: `2026-11-05T12:${String(day * 3).padStart(2, '0')}`,
      })),
    });

    // Assess
    expect(otherId.status).toBe(400);
    expect(otherId.json).toMatchObject({
      error: 'invalid-request',
      fields: [{ path: 'id', message: 'must be the campaign id of the address, "api"' }],
    });
    expect(badWave.status).toBe(400);
    expect(badWave.json.fields).toEqual([
      {
        path: 'waves[0].sms',
        message: expect.stringContaining('quiet hours'),
        messageZh: expect.stringContaining('免打扰时段'),
      },
    ]);
    expect(notJson.status).toBe(400);
    expect(notJson.json.fields).toEqual([
      { path: '(body)', message: 'is not valid JSON', messageZh: '不是有效的 JSON' },
    ]);
    expect(notObject.status).toBe(400);
    expect(notObject.json.fields).toEqual([
      { path: '(body)', message: 'must be a campaign JSON object', messageZh: '必须是活动文件的 JSON 对象' },
    ]);
    expect(tooManyWaves.status).toBe(400);
    expect(tooManyWaves.json.fields).toEqual([
      {
        path: 'waves',
        message: expect.stringContaining('more than 16 waves'),
        messageZh: expect.stringContaining('波次超过 16 个'),
      },
    ]);
  });

  it('PUT answers 400 naming the budget when the midnight push alone costs more, and plans no version', async () => {
    // Prepare
    const before = await call('GET', '/campaigns/api');

    // Act: four customers' midnight SMS cost more than 0.01 CNY.
    const refused = await call('PUT', '/campaigns/api', campaign('api', { budget: 0.01 }));
    const after = await call('GET', '/campaigns/api');

    // Assess
    expect(refused.status, JSON.stringify(refused.json)).toBe(400);
    expect(refused.json.fields).toEqual([
      {
        path: 'budget',
        message: expect.stringContaining('less than the midnight push alone costs'),
        messageZh: expect.stringContaining('低于零点开抢本身的费用'),
      },
    ]);
    expect(after.json, 'no version was made').toEqual(before.json);
  });

  it('answers 404 for an unknown campaign on every route, and 400 naming the id for a malformed one', async () => {
    // Act
    const answers = await Promise.all([
      call('GET', '/campaigns/nope'),
      call('GET', '/campaigns/nope/report'),
      call('POST', '/campaigns/nope/approve', { version: 1 }),
      call('POST', '/campaigns/nope/pause'),
      call('POST', '/campaigns/nope/resume'),
      call('POST', '/campaigns/nope/cancel'),
    ]);
    const malformed = await call('GET', `/campaigns/${encodeURIComponent('../etc')}`);

    // Assess
    expect(answers.map((a) => `${a.status} ${a.json.error}`)).toEqual(Array(6).fill('404 unknown-campaign'));
    expect(malformed.status).toBe(400);
    expect(malformed.json.fields).toEqual([
      {
        path: 'id',
        message: expect.stringContaining('not a campaign id'),
        messageZh: expect.stringContaining('活动编号'),
      },
    ]);
  });

  it('an approval through the route registers the order rules for the webhook, and the report has a row per rule', async () => {
    // Prepare
    const rules = campaign('rules', {
      triggers: [
        {
          id: 'pay-reminder',
          on: 'order.created',
          after: 'PT30M',
          window: { from: '2026-11-11T00:00', to: '2026-11-12T00:00' },
        },
      ],
      presaleBalance: { atOpen: true },
    });
    const planned = await call('PUT', '/campaigns/rules', rules);
    const registry = new DynamoTriggerStore(clientsFor(stack.config).documents, stack.config.tables.campaigns);

    // Act
    const approved = await call('POST', '/campaigns/rules/approve', { version: planned.json.version });
    const report = await call('GET', '/campaigns/rules/report');

    // Assess
    expect(approved.status).toBe(200);
    expect(await registry.registeredOne('rules'), 'the webhook finds the approved rules').toMatchObject({
      campaignId: 'rules',
      version: planned.json.version,
    });
    expect((report.json.triggers as Array<{ rule: string; scheduled: number }>).map((row) => row.rule)).toEqual([
      'trigger:pay-reminder',
      'presale:open',
    ]);
  });

  it('walks a campaign through approve, pause, resume and cancel, with 409s and 400s that name the state, version or wave', async () => {
    // Prepare
    expect((await call('PUT', '/campaigns/flow', campaign('flow'))).status).toBe(201);
    expect((await call('PUT', '/campaigns/flow', campaign('flow', { signature: '【新店】' }))).status).toBe(201);

    // Act + Assess: approve
    const stale = await call('POST', '/campaigns/flow/approve', { version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: 'stale-version', currentVersion: 2 });
    const badVersion = await call('POST', '/campaigns/flow/approve', { version: 'two' });
    expect(badVersion.status).toBe(400);
    expect(badVersion.json.fields).toEqual([
      { path: 'version', message: expect.any(String), messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) },
    ]);
    const extraField = await call('POST', '/campaigns/flow/approve', { version: 2, force: true });
    expect(extraField.status).toBe(400);
    expect(extraField.json.fields).toEqual([
      { path: '(body)', message: 'has unknown field(s): force', messageZh: '含有未知字段：force' },
    ]);
    const approved = await call('POST', '/campaigns/flow/approve', { version: 2 });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ campaignId: 'flow', state: 'approved', approvedVersion: 2 });

    // pause / resume, the whole campaign and one wave
    const paused = await call('POST', '/campaigns/flow/pause', '');
    expect(paused.status).toBe(200);
    expect(paused.json.state).toBe('paused');
    const unknownWave = await call('POST', '/campaigns/flow/pause', { waveId: 'nope' });
    expect(unknownWave.status).toBe(400);
    expect(unknownWave.json).toMatchObject({ error: 'unknown-wave', waveId: 'nope' });
    expect((await call('POST', '/campaigns/flow/resume', {})).json.state).toBe('approved');
    const notPaused = await call('POST', '/campaigns/flow/resume');
    expect(notPaused.status).toBe(409);
    expect(notPaused.json).toMatchObject({ error: 'wrong-state', state: 'approved' });
    const wavePaused = await call('POST', '/campaigns/flow/pause', { waveId: 'warmup', reason: 'price check' });
    expect(wavePaused.json.pausedWaves).toEqual(['warmup']);

    // cancel, then nothing more
    const cancelled = await call('POST', '/campaigns/flow/cancel', { reason: 'wrong price' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.state).toBe('cancelled');
    const afterCancel = await Promise.all([
      call('POST', '/campaigns/flow/pause'),
      call('POST', '/campaigns/flow/approve', { version: 2 }),
      call('PUT', '/campaigns/flow', campaign('flow')),
    ]);
    expect(afterCancel.map((a) => `${a.status} ${a.json.error} ${a.json.state}`)).toEqual(
      Array(3).fill('409 wrong-state cancelled'),
    );

    // GET shows the state, the versions, the sends and the audit trail with its actors
    const view = await call('GET', '/campaigns/flow');
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({
      campaignId: 'flow',
      state: 'cancelled',
      latestVersion: 2,
      approvedVersion: 2,
      versions: [
        { version: 1, plannedBy: 'local-marketer', status: 'superseded' },
        { version: 2, plannedBy: 'local-marketer', status: 'approved' },
      ],
      latest: { version: 2, warnings: [] },
    });
    // Planned before any approval: nothing to differ from.
    expect(view.json.latest).not.toHaveProperty('diff');
    expect((view.json.sends as Array<{ id: string; version: number }>).map((s) => `${s.id}@v${s.version}`)).toEqual([
      'warmup.sms.g1@v2',
      'midnight.sms.g1@v2',
    ]);
    const audit = view.json.audit as Array<Record<string, unknown>>;
    expect(audit.map((e) => `${e.actor} ${e.action} ${e.from}->${e.to}${e.waveId ? ` ${e.waveId}` : ''}`)).toEqual([
      'local-marketer plan null->draft',
      'local-marketer plan draft->draft',
      'local-marketer approve draft->approved',
      'local-marketer pause approved->paused',
      'local-marketer resume paused->approved',
      'local-marketer pause approved->approved warmup',
      'local-marketer cancel approved->cancelled',
    ]);
    expect(audit.at(-1)).toMatchObject({ reason: 'wrong price', at: expect.stringMatching(/^2026-10-20T04:/) });
    expect(audit.find((e) => e.action === 'approve')).toMatchObject({ version: 2 });

    // the report carries the audit trail too, and its page lists it
    const report = await call('GET', '/campaigns/flow/report');
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ campaignId: 'flow', state: 'cancelled', version: 2 });
    expect(report.json.audit).toEqual(audit);
    const page = await call('GET', '/campaigns/flow/report', undefined, { accept: 'text/html' });
    expect(page.type).toMatch(/text\/html/);
    expect(page.text).toContain('wrong price');
  });

  it('GET /campaigns/{id}/report answers JSON, or the page when HTML is asked for', async () => {
    // Prepare: api v1 is a draft; its report shows every touch still pending once approved.
    expect((await call('POST', '/campaigns/api/approve', { version: 1 })).status).toBe(200);

    // Act
    const asJson = await call('GET', '/campaigns/api/report');
    const asHtml = await call('GET', '/campaigns/api/report', undefined, { accept: 'text/html' });

    // Assess
    expect(asJson.json.totals).toMatchObject({ planned: 4, sent: 0, pending: 4 });
    expect(asHtml.type).toMatch(/text\/html/);
    expect(asHtml.text).toMatch(/<svg|<table/);
  });

  it('GET /campaigns/{id}/report?lang=en is the English page; Chinese by default; another language is refused', async () => {
    // Act
    const zh = await call('GET', '/campaigns/api/report?format=html');
    const en = await call('GET', '/campaigns/api/report?format=html&lang=en');
    const fr = await call('GET', '/campaigns/api/report?format=html&lang=fr');

    // Assess
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('活动报告');
    expect(zh.text, 'the switch to English').toContain('href="?format=html&amp;lang=en"');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('campaign report');
    expect(en.text, 'the switch back').toContain('href="?format=html&amp;lang=zh"');
    expect(fr.status).toBe(400);
    expect(fr.text).toContain('lang');
  });
});

describe('bad requests', () => {
  const ids = fc.oneof(
    fc.constant('fuzz'),
    fc.constant('nope'),
    fc.string({ maxLength: 60 }),
    fc.constantFrom('../x', '%', 'a'.repeat(49), ''),
  );
  const bodies = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 3 }),
    fc.record({ version: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)) }, { requiredKeys: [] }),
    fc.record(
      {
        waveId: fc.oneof(fc.string({ maxLength: 80 }), fc.integer()),
        reason: fc.oneof(fc.string({ maxLength: 600 }), fc.boolean()),
      },
      { requiredKeys: [] },
    ),
    fc.record({
      id: fc.constantFrom('fuzz', 'nope'),
      midnight: fc.oneof(fc.constant('2026-11-11T00:00'), fc.string()),
      waves: fc.array(
        fc.record({ id: fc.string({ maxLength: 8 }), sms: fc.oneof(fc.constant('midnight'), fc.string()) }),
        { maxLength: 20 },
      ),
    }),
  );

  function event(routeKey: string, id: string, body: string | undefined, base64: boolean): APIGatewayProxyEventV2 {
    const [method, path] = routeKey.split(' ') as [string, string];
    const rawPath = path.replace('{id}', encodeURIComponent(id));
    return {
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
        requestId: 'fuzz',
        routeKey,
        stage: '$default',
        time: '20/Oct/2026:04:00:00 +0000',
        timeEpoch: 0,
      },
      ...(id === '' ? {} : { pathParameters: { id } }),
      ...(body === undefined ? {} : { body: base64 ? Buffer.from(body).toString('base64') : body }),
      isBase64Encoded: base64 && body !== undefined,
    };
  }

  it('never answers a 5xx, whatever the route, id and body', async () => {
    // Prepare: a campaign the fuzzed requests can reach.
    expect((await call('PUT', '/campaigns/fuzz', campaign('fuzz'))).status).toBe(201);
    const statuses = new Set<number>();

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CAMPAIGN_ROUTES),
        ids,
        bodies,
        fc.boolean(),
        async (routeKey, id, body, base64) => {
          const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
          const response = await campaignApi(event(routeKey, id, text, base64));
          statuses.add(response.statusCode ?? 0);
          expect(response.statusCode, `${routeKey} ${id} ${text}: ${response.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    // The fuzz reached past validation, not only the id check.
    expect([...statuses].some((status) => status === 404 || status === 409 || status === 200)).toBe(true);
  });
});

/** Every variable the AWS runtime requires, as the CDK sets them (the tables are the embedded stack's). */
function awsEnvironment(): Record<string, string> {
  // The embedded DynamoDB answers any key; the endpoint variable is the stack's own (AWS_ENDPOINT_URL_DYNAMODB).
  return awsRuntimeEnvironment(stack.config, {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
}

/** Runs `act` with the handlers on the AWS runtime, as behind the HTTP API; the environment is restored after. */
async function onAws<T>(act: () => Promise<T>): Promise<T> {
  return withEnvironment(awsEnvironment(), act);
}

/** The claims the HTTP API's JWT authorizer passes on: array claims as one `[a b]` string. */
type Claims = Record<string, string | string[]>;

/** An API Gateway event of `routeKey` on campaign `id`, with the JWT authorizer's claims when given. */
function gatewayEvent(routeKey: MarketerRoute, id: string, body?: unknown, claims?: Claims): APIGatewayProxyEventV2 {
  return eventOf(routeKey, id, { body, claims, headers: { 'content-type': 'application/json' } });
}

const MEI = { sub: 'u-mei', 'cognito:username': 'mei', email: 'mei@d11-shop.cn' };
const MARKETER: Claims = { ...MEI, 'cognito:groups': '[marketer]' };
const APPROVER: Claims = { sub: 'u-li', username: 'li', 'cognito:groups': '[approver]' };
const APPROVER_ONLY_ROUTES: MarketerRoute[] = [
  'POST /campaigns/{id}/approve',
  'POST /campaigns/{id}/resume',
  'POST /campaigns/{id}/cancel',
];

describe('who may do what: the caller from the JWT claims', () => {
  const aws = { runtime: 'aws' } as Config;
  const withClaims = (claims: Claims) => gatewayEvent('GET /campaigns/{id}', 'x', undefined, claims);

  it('is the Cognito user name (ID or access token), else the sub, never the e-mail address', () => {
    // Act + Assess
    expect(callerOf(withClaims(MARKETER), aws)).toEqual({ actor: 'mei', roles: ['marketer'] });
    expect(callerOf(withClaims(APPROVER), aws)).toEqual({ actor: 'li', roles: ['marketer', 'approver'] });
    expect(callerOf(withClaims({ sub: 'u-1', email: 'a@d11-shop.cn' }), aws)).toEqual({ actor: 'u-1', roles: [] });
    expect(callerOf(gatewayEvent('GET /campaigns/{id}', 'x'), aws), 'no authorizer claims').toBeUndefined();
    expect(callerOf(withClaims({ email: 'a@d11-shop.cn' }), aws), 'no user name and no sub').toBeUndefined();
  });

  it('reads cognito:groups as a JSON array or as the HTTP API string, and ignores groups that are no role', () => {
    // Act + Assess
    expect(groupsOf('[approver marketer]')).toEqual(['approver', 'marketer']);
    expect(groupsOf(['marketer'])).toEqual(['marketer']);
    expect(groupsOf('[]')).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
    expect(rolesOf(['approver'])).toEqual(['marketer', 'approver']);
    expect(rolesOf(['ap-northeast-1_x_Google', 'admins'])).toEqual([]);
  });

  it('lets a marketer plan, read, test send and pause, and refuses approve, resume and cancel naming the role', () => {
    // Act
    const allowed = MARKETER_ROUTES.filter((route) => !APPROVER_ONLY_ROUTES.includes(route));
    const refusals = APPROVER_ONLY_ROUTES.map((route) => {
      try {
        authorize(gatewayEvent(route, 'x', undefined, MARKETER), route, aws);
        return undefined;
      } catch (error) {
        return error as CampaignError;
      }
    });

    // Assess
    for (const route of allowed) {
      expect(authorize(gatewayEvent(route, 'x', undefined, MARKETER), route, aws).actor, route).toBe('mei');
    }
    expect(refusals.map((e) => e?.code)).toEqual(['forbidden', 'forbidden', 'forbidden']);
    expect(refusals.map((e) => e?.details.requiredRole)).toEqual(['approver', 'approver', 'approver']);
    expect(refusals[0]?.message).toMatch(/^批准活动需要审批人 \(approver\)角色，你的角色：营销人员 \(marketer\)/);
    expect(refusals[2]?.message).toContain('To cancel a campaign you need the approver role; you have: marketer');
  });

  it('lets an approver do everything, and refuses a signed-in user in neither group everything', () => {
    // Act + Assess
    for (const route of MARKETER_ROUTES) {
      expect(authorize(gatewayEvent(route, 'x', undefined, APPROVER), route, aws).actor, route).toBe('li');
      expect(() => authorize(gatewayEvent(route, 'x', undefined, { sub: 'u-2' }), route, aws), route).toThrow(
        /你的角色：无 \(none\)/,
      );
    }
  });

  it('is the built-in local user with the role LOCAL_USER_ROLE gives, approver by default', () => {
    // Prepare
    const local = (role?: string) =>
      loadConfig({ CAMPAIGN_RUNTIME: 'local', ...(role ? { LOCAL_USER_ROLE: role } : {}) });

    // Act + Assess
    expect(callerOf(gatewayEvent('GET /campaigns/{id}', 'x', undefined, APPROVER), local())).toEqual({
      actor: LOCAL_ACTOR,
      roles: ['marketer', 'approver'],
    });
    expect(callerOf(gatewayEvent('GET /campaigns/{id}', 'x'), local('marketer'))?.roles).toEqual(['marketer']);
    expect(() => local('admin')).toThrow(/LOCAL_USER_ROLE: must be one of marketer, approver/);
  });
});

describe('who may do what: the handlers', () => {
  it('on AWS answer 401 without claims and 403 to a marketer approving, resuming or cancelling, before any read', async () => {
    // Act
    const { unauthenticated, testSendUnauthenticated, forbidden } = await onAws(async () => ({
      unauthenticated: await campaignApi(gatewayEvent('GET /campaigns/{id}', 'roles')),
      testSendUnauthenticated: await testSend(
        gatewayEvent('POST /campaigns/{id}/test-send', 'roles', { waveId: 'w', to: ['+8613800138000'] }),
      ),
      forbidden: await Promise.all(
        APPROVER_ONLY_ROUTES.map((route) =>
          campaignApi(
            gatewayEvent(route, 'no-such-campaign', route.endsWith('approve') ? { version: 1 } : {}, MARKETER),
          ),
        ),
      ),
    }));

    // Assess
    expect(unauthenticated.statusCode).toBe(401);
    expect(JSON.parse(unauthenticated.body ?? '{}')).toMatchObject({ error: 'unauthenticated', message: /^请先登录/ });
    expect(testSendUnauthenticated.statusCode).toBe(401);
    // 403, not 404: the role is checked before the campaign is even looked up.
    expect(forbidden.map((r) => r.statusCode)).toEqual([403, 403, 403]);
    expect(forbidden.map((r) => JSON.parse(r.body ?? '{}'))).toEqual(
      ['批准活动', '恢复活动', '取消活动'].map((action) =>
        expect.objectContaining({
          error: 'forbidden',
          requiredRole: 'approver',
          message: expect.stringMatching(new RegExp(`^${action}需要审批人`)),
        }),
      ),
    );
  });

  it('on AWS record the signed-in user (not the e-mail) in the audit trail when a marketer plans, and let an approver read it', async () => {
    // Prepare: dates ahead of the real clock, which the AWS runtime uses.
    const year = new Date().getUTCFullYear() + 1;
    const input = {
      ...campaign('roles'),
      midnight: `${year}-11-11T00:00`,
      waves: [{ id: 'warmup', sms: `${year}-11-05T12:00`, audience: ['*'] }],
    };

    // Act
    const { planned, readByApprover, view } = await onAws(async () => ({
      planned: await campaignApi(gatewayEvent('PUT /campaigns/{id}', 'roles', input, MARKETER)),
      readByApprover: await campaignApi(gatewayEvent('GET /campaigns/{id}', 'roles', undefined, APPROVER)),
      view: await campaignApi(gatewayEvent('GET /campaigns/{id}', 'roles', undefined, MARKETER)),
    }));

    // Assess
    expect(planned.statusCode, planned.body).toBe(201);
    expect(readByApprover.statusCode, readByApprover.body).toBe(200);
    const audit = JSON.parse(view.body ?? '{}').audit as Array<Record<string, unknown>>;
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual(['mei plan']);
    expect(view.body, 'the e-mail address is not copied into the audit trail').not.toContain('d11-shop.cn');
  });

  it('locally refuse the built-in user as a marketer approve, resume and cancel, and let it plan and pause', async () => {
    // Prepare
    expect((await call('PUT', '/campaigns/roles-local', campaign('roles-local'))).status).toBe(201);
    vi.stubEnv('LOCAL_USER_ROLE', 'marketer');

    // Act
    let answers: Awaited<ReturnType<typeof call>>[];
    let planned: Awaited<ReturnType<typeof call>>;
    let paused: Awaited<ReturnType<typeof call>>;
    try {
      answers = [
        await call('POST', '/campaigns/roles-local/approve', { version: 1 }),
        await call('POST', '/campaigns/roles-local/resume'),
        await call('POST', '/campaigns/roles-local/cancel'),
      ];
      planned = await call('PUT', '/campaigns/roles-local', campaign('roles-local', { signature: '【新店】' }));
      // A draft cannot be paused: 409 names the state, so the role check let it through.
      paused = await call('POST', '/campaigns/roles-local/pause');
    } finally {
      vi.unstubAllEnvs();
    }
    const approved = await call('POST', '/campaigns/roles-local/approve', { version: 2 });
    const view = await call('GET', '/campaigns/roles-local');

    // Assess
    expect(answers.map((a) => `${a.status} ${a.json.error} ${a.json.requiredRole}`)).toEqual(
      Array(3).fill('403 forbidden approver'),
    );
    expect(planned.status).toBe(201);
    expect(paused.status).toBe(409);
    expect(paused.json.error).toBe('wrong-state');
    expect(approved.status, 'the default local role is approver').toBe(200);
    const audit = view.json.audit as Array<Record<string, unknown>>;
    expect(audit.map((e) => `${e.actor} ${e.action} v${e.version}`)).toEqual([
      'local-marketer plan v1',
      'local-marketer plan v2',
      'local-marketer approve v2',
    ]);
  });
});
