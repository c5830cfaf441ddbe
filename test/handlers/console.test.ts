import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { type ConsoleRoute, ENV } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { handler as consoleHandler } from '../../functions/handlers/console.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { consoleSignInScript } from '../../functions/views/console-sign-in.ts';
import { awsRuntimeEnvironment, gatewayEvent as eventOf, withEnvironment } from '../support/aws-runtime.ts';

/**
 * The console's routes over the local HTTP server and the embedded DynamoDB and S3: its pages
 * (language, escaping, what each state offers), the live figures, and the upload flow from a
 * presigned PUT to the import's record and rejects.
 */

let stack: LocalStack;
let http: LocalHttpServer;
const NOW = Date.parse('2026-10-20T12:00:00+08:00');

beforeAll(async () => {
  stack = await startEphemeralStack({ log: (line) => console.error(line), clock: new VirtualClock(NOW) });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  for (const id of ['page', 'page2']) {
    await uploadSegmentAndWait(
      stack.config,
      `segments/${id}/customers.csv`,
      'customer_id,phone,name\nC1,13800138001,王一\nC2,13800138002,\n',
    );
  }
}, 120_000);

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
      {
        id: 'warmup',
        sms: '2026-11-05T12:00',
        audience: ['*'],
        templates: { sms: '{signature}{name}<b>抢</b>&{link} {optOut}' },
      },
      { id: 'midnight', sms: 'midnight', audience: ['*'] },
    ],
    caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
    testRecipients: ['+8613900139000'],
    ...extra,
  };
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${http.url}${path}`, { headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function send(method: string, path: string, body: unknown) {
  const response = await fetch(`${http.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the console pages', () => {
  it('GET / is a shell in Chinese by default; ?lang=en answers in English and remembers it in a cookie', async () => {
    // Act
    const chinese = await get('/');
    const english = await get('/?lang=en');
    const remembered = await get('/console', { cookie: 'console_lang=en' });
    const view = await get('/console/view', { cookie: 'console_lang=en' });

    // Assess
    expect(chinese.status).toBe(200);
    expect(chinese.text).toContain('<html lang="zh-CN">');
    expect(chinese.text, 'the shell says it is loading').toContain('加载中…');
    expect(chinese.text, 'the start page itself is the view').not.toContain('打开一个活动');
    expect(chinese.headers.get('set-cookie'), 'no cookie unless the language was chosen').toBeNull();
    expect(english.text).toContain('<html lang="en">');
    expect(english.headers.get('set-cookie')).toMatch(/^console_lang=en; Path=\/; Max-Age=\d+; SameSite=Lax/);
    expect(remembered.text).toContain('Loading…');
    expect(view.status).toBe(200);
    expect(view.text).toContain('Open a campaign');
    expect(view.text, 'a view is a part of a page, not a document').not.toContain('<html');
    expect(chinese.headers.get('content-security-policy')).toMatch(
      /script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/,
    );
  });

  it("a campaign's shell and its report's shell hold no campaign data; its view does", async () => {
    // Prepare
    expect((await send('PUT', '/campaigns/shell', campaign('shell'))).status).toBe(201);

    // Act
    const shells = [await get('/console/campaigns/shell'), await get('/console/campaigns/shell/report')];
    const view = await get('/console/campaigns/shell/view');

    // Assess
    for (const shell of shells) {
      expect(shell.status).toBe(200);
      expect(shell.text).toContain('id="console-shell"');
      expect(shell.text).toContain('id="console-status"');
      for (const data of [
        '王小明',
        'data-action="',
        'id="cost-total"',
        'id="console-data"',
        'testRecipients',
        '+8613900139000',
      ]) {
        expect(shell.text, `the shell holds no ${data}`).not.toContain(data);
      }
    }
    expect(view.text).toContain('data-action="approve"');
    expect(view.text).toContain('id="console-data"');
    expect(view.text, 'the report opens through its shell').toContain('href="/console/campaigns/shell/report"');
    expect(view.headers.get('content-security-policy'), 'a view opened on its own runs nothing').toMatch(
      /^default-src 'none'/,
    );
  });

  it('GET /?id=<campaign> opens that campaign; a bad id stays on the start page', async () => {
    // Act
    const open = await get('/?id=d11-2026');
    const bad = await get('/?id=../x');

    // Assess
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe('/console/campaigns/d11-2026');
    expect(bad.status).toBe(200);
  });

  it('a campaign not planned yet offers its imports and a first campaign file, and no action', async () => {
    // Act
    const page = await get('/console/campaigns/nothing-yet/view');

    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain('这个活动还没有计划');
    expect(page.text).toContain('id="upload-form"');
    expect(page.text).toContain('&quot;id&quot;: &quot;nothing-yet&quot;');
    expect(page.text).not.toContain('data-action=');
  });

  it('a draft shows every variant of its texts escaped, its cost, and offers approve, cancel and the test send', async () => {
    // Prepare
    const planned = await send('PUT', '/campaigns/page', campaign('page'));
    expect(planned.status).toBe(201);

    // Act
    const page = await get('/console/campaigns/page/view');

    // Assess
    expect(page.text, 'the template text is shown, never run as markup').toContain('&lt;b&gt;抢&lt;/b&gt;&amp;');
    expect(page.text).not.toContain('<b>抢</b>');
    expect(page.text).toContain('王小明');
    expect(page.text).toContain('亲');
    expect(page.text).toContain('手机链接 · 有姓名');
    expect(page.text).toContain('电脑链接 · 无姓名');
    expect(page.text).toMatch(/id="cost-total">¥\d+\.\d\d</);
    expect(page.text).toContain('data-action="approve" data-version="1"');
    expect(page.text).toContain('data-action="cancel"');
    expect(page.text, 'a draft cannot be paused').not.toContain('data-action="pause"');
    expect(page.text).toContain('id="test-send-form"');
    expect(page.text).toContain('id="confirm-approve"');
    expect(page.text).toContain('id="confirm-cancel"');
    // Who the plan is for: both customers have no order on file, so churned, one order or none, lower value.
    expect(page.text).toContain('客群（睡眠与流失客户按单次/多次购买、高/低价值细分）');
    expect(page.text).toContain('<span class="group" title="churned">流失客 2</span>');
    expect(page.text).toContain('<span class="group" title="churned:new-low">单次购买·低价值 2');
  });

  it('shows the planner warnings in the marketer language: Chinese by default, English on the switch', async () => {
    // Prepare: a wave whose audience matches nobody, so the plan warns.
    const input = campaign('warns');
    const first = input.waves[0];
    if (first) first.audience = ['nobody-has-this'];
    const planned = await send('PUT', '/campaigns/warns', input);
    expect(planned.status).toBe(201);

    // Act
    const chinese = await get('/console/campaigns/warns/view');
    const english = await get('/console/campaigns/warns/view?lang=en');

    // Assess
    expect(chinese.text).toContain('波次 warmup：受众“nobody-has-this”既不是玩法分组，也不是文件里的客群标签');
    expect(chinese.text, 'an English warning on the Chinese console').not.toContain('it matches nobody');
    expect(english.text).toContain(
      'wave warmup: audience &quot;nobody-has-this&quot; is neither a playbook group nor a segment label in the files; it matches nobody',
    );
  });

  it('an approved campaign offers pause, not approve; a paused one offers resume', async () => {
    // Prepare
    await send('PUT', '/campaigns/page2', campaign('page2'));
    expect((await send('POST', '/campaigns/page2/approve', { version: 1 })).status).toBe(200);

    // Act
    const approved = await get('/console/campaigns/page2/view');
    await send('POST', '/campaigns/page2/pause', {});
    const paused = await get('/console/campaigns/page2/view');

    // Assess
    expect(approved.text).toContain('data-action="pause"');
    expect(approved.text).not.toContain('data-action="approve"');
    expect(approved.text).toContain('已批准的计划：版本 1');
    expect(paused.text).toContain('data-action="resume"');
    expect(paused.text).not.toContain('data-action="pause"');
  });

  it('a bad campaign id in the path is a 400 naming the field, for the shell and the view', async () => {
    // Act
    const pages = [await get('/console/campaigns/..%2Fx'), await get('/console/campaigns/..%2Fx/view')];

    // Assess
    for (const page of pages) {
      expect(page.status).toBe(400);
      expect(JSON.parse(page.text)).toMatchObject({ error: 'invalid-request', fields: [{ path: 'id' }] });
    }
  });
});

describe('GET /campaigns/{id}/live', () => {
  it('before the first send: every customer of the approved sends is still waiting, nothing is done', async () => {
    // Act
    const live = await get('/campaigns/page2/live');

    // Assess
    expect(live.status).toBe(200);
    expect(live.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(live.text);
    expect(body).toMatchObject({
      campaignId: 'page2',
      state: 'paused',
      approvedVersion: 1,
      done: 0,
      sent: 0,
      pending: 0,
      perSecond: 0,
      secondsToFinish: null,
    });
    expect(body.waiting, 'both waves, two customers each').toBe(4);
    expect(body.sends).toHaveLength(2);
  });

  it('an unknown campaign is a 404', async () => {
    // Act
    const live = await get('/campaigns/nobody/live');

    // Assess
    expect(live.status).toBe(404);
    expect(JSON.parse(live.text)).toMatchObject({ error: 'unknown-campaign' });
  });
});

describe('segment uploads', () => {
  it('a presigned PUT straight to the bucket starts the import, which the imports list follows to its result and rejects', async () => {
    // Prepare
    const csv = 'customer_id,phone\nU1,13800138011\nU2,12345\n';

    // Act
    const presigned = await send('POST', '/campaigns/up/uploads', { fileName: 'VIP客户.csv', size: csv.length });
    const { url, method, headers, key } = presigned.json as {
      url: string;
      method: string;
      headers: Record<string, string>;
      key: string;
    };
    const put = await fetch(url, { method, headers, body: csv });
    expect(put.status, await put.clone().text()).toBe(200);
    let imports: Array<Record<string, unknown>> = [];
    for (let attempt = 0; attempt < 600; attempt += 1) {
      imports = JSON.parse((await get('/campaigns/up/imports')).text).imports;
      if (imports[0]?.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rejects = JSON.parse((await get(`/campaigns/up/imports/rejects?key=${encodeURIComponent(key)}`)).text);

    // Assess
    expect(presigned.status).toBe(200);
    expect(key).toBe('segments/up/VIP客户.csv');
    expect(new URL(url).origin, 'the upload goes to the bucket, not through the API').toBe(stack.config.endpoints.s3);
    expect(put.status).toBe(200);
    expect(headers['x-amz-meta-uploaded-by'], 'who asked is signed into the upload').toBe('local-marketer');
    expect(imports).toEqual([
      expect.objectContaining({
        key,
        file: 'VIP客户.csv',
        status: 'succeeded',
        rows: 2,
        imported: 1,
        rejected: 1,
        uploadedBy: 'local-marketer',
      }),
    ]);
    expect(rejects).toMatchObject({ key, total: 1, truncated: false });
    expect(rejects.rows[0]).toMatchObject({
      line: 3,
      customerId: 'U2',
      problems: [expect.objectContaining({ column: 'phone' })],
    });
  });

  it('refuses a file that is not a segment file, a reserved name and a key of another campaign, by field', async () => {
    // Act
    const pdf = await send('POST', '/campaigns/up/uploads', { fileName: 'list.pdf' });
    const columns = await send('POST', '/campaigns/up/uploads', { fileName: 'a.csv', segment: 'columns' });
    const unknown = await send('POST', '/campaigns/up/uploads', { fileName: 'a.csv', bucket: 'x' });
    const elsewhere = await get('/campaigns/up/imports/rejects?key=segments/page/customers.csv');

    // Assess
    expect(pdf.status).toBe(400);
    expect(pdf.json).toMatchObject({ error: 'invalid-request', fields: [{ path: 'fileName' }] });
    expect(columns.json).toMatchObject({ fields: [{ path: 'segment' }] });
    expect(unknown.json).toMatchObject({ fields: [{ path: '(body)', message: 'has unknown field(s): bucket' }] });
    expect(elsewhere.status).toBe(400);
    expect(JSON.parse(elsewhere.text)).toMatchObject({ fields: [{ path: 'key' }] });
  });
});

/** Every variable the AWS runtime requires, as the CDK sets them for the console (the tables are the embedded stack's). */
const SIGN_IN = {
  signInUrl: 'https://d11-campaign-000000000000.auth.ap-northeast-1.amazoncognito.com',
  clientId: 'consoleclient1',
  redirectUri: 'https://api.example/console',
};
function awsEnvironment(): Record<string, string> {
  // The embedded DynamoDB answers any key; the endpoint variable is the stack's own (AWS_ENDPOINT_URL_DYNAMODB).
  return awsRuntimeEnvironment(stack.config, {
    [ENV.signInUrl]: SIGN_IN.signInUrl,
    [ENV.consoleClientId]: SIGN_IN.clientId,
    [ENV.consoleUrl]: SIGN_IN.redirectUri,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
}

async function onAws<T>(act: () => Promise<T>): Promise<T> {
  return withEnvironment(awsEnvironment(), act);
}

/** An API Gateway event of `routeKey` on campaign `id`, with the JWT authorizer's claims when given. */
function gatewayEvent(routeKey: ConsoleRoute, id: string, claims?: Record<string, string>): APIGatewayProxyEventV2 {
  return eventOf(routeKey, id, { claims });
}

const call = async (event: APIGatewayProxyEventV2) =>
  (await consoleHandler(event, {} as never)) as { statusCode: number; headers: Record<string, string>; body: string };

describe('the console on AWS', () => {
  it('serves the shells to anyone, with the sign-in script allowed by its hash and the token endpoint in connect-src', async () => {
    // Prepare
    await send('PUT', '/campaigns/aws-page', campaign('aws-page'));
    const signIn = consoleSignInScript(SIGN_IN);
    const hash = `'sha256-${createHash('sha256').update(signIn).digest('base64')}'`;

    // Act
    const shells = await onAws(async () =>
      Promise.all([
        call(gatewayEvent('GET /', '')),
        call(gatewayEvent('GET /console', '')),
        call(gatewayEvent('GET /console/campaigns/{id}', 'aws-page')),
        call(gatewayEvent('GET /console/campaigns/{id}/report', 'aws-page')),
      ]),
    );

    // Assess
    for (const shell of shells) {
      expect(shell.statusCode, 'a navigation carries no token: the shell is open').toBe(200);
      expect(shell.body).toContain(signIn);
      expect(shell.body, 'the shell says it is signing in').toContain('正在登录…');
      expect(shell.body).not.toContain('王小明');
      expect(shell.body).not.toContain('data-action="');
      const csp = shell.headers['content-security-policy'] ?? '';
      expect(csp).toContain(hash);
      expect(csp).toMatch(
        /connect-src 'self' https:\/\/\*\.amazonaws\.com https:\/\/d11-campaign-000000000000\.auth\.ap-northeast-1\.amazoncognito\.com;/,
      );
    }
  });

  it('answers a view 401 without claims and 403 to a user in no group, and renders it for a marketer', async () => {
    // Act
    const { unauthenticated, startUnauthenticated, forbidden, marketer } = await onAws(async () => ({
      unauthenticated: await call(gatewayEvent('GET /console/campaigns/{id}/view', 'aws-page')),
      startUnauthenticated: await call(gatewayEvent('GET /console/view', '')),
      forbidden: await call(
        gatewayEvent('GET /console/campaigns/{id}/view', 'aws-page', { sub: 'u-2', username: 'wu' }),
      ),
      marketer: await call(
        gatewayEvent('GET /console/campaigns/{id}/view', 'aws-page', {
          sub: 'u-1',
          username: 'mei',
          'cognito:groups': '[marketer]',
        }),
      ),
    }));

    // Assess
    expect(unauthenticated.statusCode).toBe(401);
    expect(JSON.parse(unauthenticated.body)).toMatchObject({ error: 'unauthenticated' });
    expect(startUnauthenticated.statusCode).toBe(401);
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body)).toMatchObject({ error: 'forbidden', requiredRole: 'marketer' });
    expect(marketer.statusCode).toBe(200);
    expect(marketer.body).toContain('王小明');
    expect(marketer.body, 'a marketer may pause, not approve').not.toContain('data-action="approve"');
    expect(marketer.body).not.toContain(consoleSignInScript(SIGN_IN));
    expect(marketer.body, 'the header names the signed-in user').toContain(
      '<span class="who" id="console-user-name">mei</span>',
    );
    expect(marketer.body).toContain('<span class="role" id="console-user-role">营销</span>');
    expect(marketer.body, 'a signed-in user may sign out').toContain('id="sign-out"');
  });

  it('locally the header shows the built-in user and its role, with no sign-out', async () => {
    // Act
    const zh = await get('/console/view');
    const en = await get('/console/view?lang=en');

    // Assess
    expect(zh.status).toBe(200);
    expect(zh.text).toContain('<span class="who" id="console-user-name">本地用户</span>');
    expect(zh.text, 'the local user is an approver by default').toContain('id="console-user-role">审批人</span>');
    expect(en.text).toContain('id="console-user-name">Local user</span>');
    expect(zh.text + en.text, 'the built-in user cannot sign out').not.toContain('id="sign-out"');
  });
});
