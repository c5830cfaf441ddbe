/**
 * `campaign status|approve|pause|resume|cancel|test-send` as a user runs them, against a local
 * HTTP server that records what it is asked and answers as the campaign API does; and the
 * signed-in user's token on https calls.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, apiBase, bearerToken } from '../../functions/cli/api-client.ts';
import { statusSummary } from '../../functions/cli/control-commands.ts';
import { setCliLang } from '../../functions/cli/messages.ts';

const BIN = 'functions/cli/campaign.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** In English unless `lang` says otherwise: these tests are about what is sent and refused, one test about the words. */
function campaign(args: string[], lang: 'en' | '' = 'en'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [BIN, ...args], {
      env: { ...process.env, NODE_OPTIONS: '', PORT: '', CAMPAIGN_TOKEN: '', CAMPAIGN_LANG: lang },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** What the fake API answers to `METHOD path`; unknown routes 404. */
const answers = new Map<string, { status: number; body: unknown }>();
const seen: Seen[] = [];
let server: Server;
let api: string;

const STATUS = {
  campaignId: 'd11-2026',
  state: 'running',
  latestVersion: 3,
  approvedVersion: 2,
  pausedWaves: ['unpaid'],
  cancelledWaves: [],
  versions: [
    { version: 1, plannedAt: '2026-10-18T04:00:00.000Z', plannedBy: 'marketer', cost: { totalCny: 1234.5 } },
    { version: 2, plannedAt: '2026-10-19T04:00:00.000Z', plannedBy: 'marketer', cost: { totalCny: 1300 } },
    { version: 3, plannedAt: '2026-10-20T04:00:00.000Z', plannedBy: 'marketer', cost: { totalCny: 1310 } },
  ],
  sends: [
    {
      id: 'presale.sms.g1',
      channel: 'sms',
      at: '2026-10-24T20:00:00+08:00',
      customers: 3000,
      state: 'dispatched',
      version: 2,
    },
    {
      id: 'midnight.sms.g1',
      channel: 'sms',
      at: '2026-11-11T00:00:00+08:00',
      customers: 9000,
      state: 'scheduled',
      version: 2,
    },
  ],
  audit: [
    {
      at: '2026-10-19T04:10:00.000Z',
      actor: 'arn:aws:iam::123456789012:user/li',
      action: 'approve',
      from: 'draft',
      to: 'approved',
      version: 2,
    },
    {
      at: '2026-11-10T15:50:00.000Z',
      actor: 'arn:aws:iam::123456789012:user/li',
      action: 'pause',
      from: 'running',
      to: 'running',
      waveId: 'unpaid',
      reason: 'wrong price',
    },
  ],
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += String(chunk);
    });
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: text === '' ? undefined : JSON.parse(text),
      });
      const answer = answers.get(`${request.method} ${request.url}`) ?? { status: 404, body: { message: 'Not Found' } };
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  answers.clear();
  seen.length = 0;
});

describe('campaign status', () => {
  it('prints the state, the versions, the sends and the audit trail from GET /campaigns/{id}', async () => {
    // Prepare
    answers.set('GET /campaigns/d11-2026', { status: 200, body: STATUS });

    // Act
    const run = await campaign(['status', 'd11-2026', '--api', api]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^campaign d11-2026: running\n {2}latest version 3, approved version 2\n {2}paused waves: unpaid\n/,
    );
    expect(run.stdout).toMatch(
      / {2}v2 {2}planned 2026-10-19T12:00:00\+08:00 by marketer {2}est\. 1300\.00 CNY {2}\(approved\)/,
    );
    expect(run.stdout).toMatch(/sends: 2 \(1 dispatched, 1 scheduled\)/);
    expect(run.stdout).toMatch(
      /2026-11-10T23:50:00\+08:00 {2}pause wave unpaid {2}running {2}by arn:aws:iam::123456789012:user\/li {2}\(wrong price\)/,
    );
    expect(run.stdout).toMatch(/approve v2 {2}draft -> approved/);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /campaigns/d11-2026']);
    expect(seen[0]?.headers.authorization, 'a plain-http call must not be signed').toBeUndefined();
  });

  it('prints the answer as it is with --json', async () => {
    // Prepare
    answers.set('GET /campaigns/d11-2026', { status: 200, body: STATUS });

    // Act
    const run = await campaign(['status', 'd11-2026', '--api', api, '--json']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(STATUS);
  });

  it("says the API's message on stderr and exits 2 for an unknown campaign", async () => {
    // Prepare
    answers.set('GET /campaigns/nope', {
      status: 404,
      body: { error: 'unknown-campaign', message: 'no campaign nope' },
    });

    // Act
    const run = await campaign(['status', 'nope', '--api', api]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('campaign status: no campaign nope (HTTP 404)\n');
  });

  it('exits 1 with a hint to run npm start when nothing listens, and 1 on a 5xx', async () => {
    // Prepare
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    answers.set('GET /campaigns/d11-2026', { status: 500, body: { message: 'Internal Server Error' } });

    // Act
    const unreachable = await campaign(['status', 'd11-2026', '--api', `http://127.0.0.1:${port}`]);
    const failing = await campaign(['status', 'd11-2026', '--api', api]);

    // Assess
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach the campaign API at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(unreachable.stderr).toMatch(/npm start/);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/Internal Server Error \(HTTP 500\)/);
  });

  it('refuses a command line without one campaign id, or with a malformed one, asking nothing', async () => {
    // Act
    const none = await campaign(['status', '--api', api], '');
    const two = await campaign(['status', 'a', 'b', '--api', api]);
    const bad = await campaign(['status', '../x', '--api', api]);

    // Assess
    for (const run of [none, two, bad]) expect(run.code).toBe(2);
    // The message and the usage in the run's language: Chinese by default.
    expect(none.stderr).toMatch(/CAMPAIGN-ID：请给恰好一个活动 ID[\s\S]*用法：campaign status/);
    expect(bad.stderr).toMatch(/"\.\.\/x" is not a campaign id/);
    expect(seen).toEqual([]);
  });
});

describe('campaign approve, pause, resume, cancel', () => {
  it('approve posts the version and prints the new state', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/approve', {
      status: 200,
      body: {
        state: 'approved',
        entry: {
          at: '2026-10-20T04:00:00.000Z',
          actor: 'local-user',
          action: 'approve',
          from: 'draft',
          to: 'approved',
          version: 2,
        },
      },
    });

    // Act
    const run = await campaign(['approve', 'd11-2026', '--version', '2', '--api', api]);
    const chinese = await campaign(['approve', 'd11-2026', '--version', '2', '--api', api], '');

    // Assess
    expect(chinese.stdout, 'the summary in Chinese by default').toMatch(
      /^campaign d11-2026: 已批准版本 2；当前已批准\n {2}2026-10-20T12:00:00\+08:00 {2}批准 v2 {2}草稿 -> 已批准 {2}操作人 local-user/,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(seen.map((s) => s.body)).toEqual([{ version: 2 }, { version: 2 }]);
    expect(run.stdout).toMatch(
      /^campaign d11-2026: version 2 approved; now approved\n {2}2026-10-20T12:00:00\+08:00 {2}approve v2 {2}draft -> approved {2}by local-user/,
    );
  });

  it('a stale version: exit 2 with the message and the field errors on stderr', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/approve', {
      status: 409,
      body: {
        error: 'stale-version',
        message: 'version 1 is not the current one: approve version 2',
        fields: [{ path: 'version', message: 'current is 2' }],
      },
    });

    // Act
    const run = await campaign(['approve', 'd11-2026', '--version', '1', '--api', api]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'campaign approve: version 1 is not the current one: approve version 2 (HTTP 409)\n  version: current is 2\n',
    );
  });

  it('approve without a version, or with one that is no number, is refused before any request', async () => {
    // Act
    const missing = await campaign(['approve', 'd11-2026', '--api', api]);
    const bad = await campaign(['approve', 'd11-2026', '--version', 'two', '--api', api]);

    // Assess
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--version: give the version/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--version: "two" is not a version number/);
    expect(seen).toEqual([]);
  });

  it('pause posts the wave and the reason; resume the wave; both print the answer', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/pause', { status: 200, body: { state: 'running' } });
    answers.set('POST /campaigns/d11-2026/resume', { status: 200, body: { state: 'running' } });

    // Act
    const pause = await campaign(['pause', 'd11-2026', '--wave', 'midnight', '--reason', 'wrong price', '--api', api]);
    const resume = await campaign(['resume', 'd11-2026', '--wave', 'midnight', '--api', api]);
    const whole = await campaign(['pause', 'd11-2026', '--api', api]);

    // Assess
    expect([pause.code, resume.code, whole.code]).toEqual([0, 0, 0]);
    expect(seen.map((s) => [s.url, s.body])).toEqual([
      ['/campaigns/d11-2026/pause', { waveId: 'midnight', reason: 'wrong price' }],
      ['/campaigns/d11-2026/resume', { waveId: 'midnight' }],
      ['/campaigns/d11-2026/pause', {}],
    ]);
    expect(pause.stdout).toBe('campaign d11-2026: wave midnight paused; now running\n');
    expect(whole.stdout).toBe('campaign d11-2026: paused; now running\n');
  });

  it('a pause in the wrong state: exit 2 with the message', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/pause', {
      status: 409,
      body: {
        code: 'wrong-state',
        message: 'cannot pause a campaign that is cancelled (only when it is approved or running)',
      },
    });

    // Act
    const run = await campaign(['pause', 'd11-2026', '--api', api]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^campaign pause: cannot pause a campaign that is cancelled .* \(HTTP 409\)\n$/);
  });

  it('in Chinese by default: a refusal from its code and details, a usage error and an unreachable API', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/pause', {
      status: 409,
      body: { error: 'wrong-state', message: 'cannot pause a campaign that is cancelled', state: 'cancelled' },
    });
    answers.set('POST /campaigns/d11-2026/approve', {
      status: 409,
      body: {
        error: 'stale-version',
        message: 'version 1 is not the current one: approve version 2',
        currentVersion: 2,
      },
    });
    answers.set('POST /campaigns/d11-2026/resume', {
      status: 409,
      body: { error: 'a-newer-code', message: 'as sent' },
    });

    // Act
    const paused = await campaign(['pause', 'd11-2026', '--api', api], '');
    const stale = await campaign(['approve', 'd11-2026', '--version', '1', '--api', api], '');
    const unknownCode = await campaign(['resume', 'd11-2026', '--api', api], '');
    const usage = await campaign(['approve', 'd11-2026', '--version', 'two', '--api', api], '');
    const unknownOption = await campaign(['pause', 'd11-2026', '--bogus', '--api', api], '');
    const unreachable = await campaign(['status', 'd11-2026', '--api', 'http://127.0.0.1:9'], '');

    // Assess
    expect(paused.stderr, 'the state in Chinese').toBe(
      'campaign pause: 活动当前为“已取消”，不能执行这个操作 (HTTP 409)\n',
    );
    expect(stale.stderr).toMatch(/^campaign approve: 这个版本已不是最新版本：请批准版本 2/);
    expect(unknownCode.stderr, "a code this CLI does not know keeps the API's words").toBe(
      'campaign resume: as sent (HTTP 409)\n',
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^campaign approve: --version："two" 不是版本号/);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/^campaign pause: 没有 --bogus 这个选项/);
    expect(unknownOption.stderr).toMatch(/^用法：campaign pause /m);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^campaign status: 无法连接活动接口 http:\/\/127\.0\.0\.1:9\n {2}本地环境在运行吗/,
    );
  });

  it('a marketer approving: exit 2 with the role the API names; a 401: how to get a new token', async () => {
    // Prepare
    const forbidden = '批准活动需要审批人 (approver)角色，你的角色：营销人员 (marketer)。';
    answers.set('POST /campaigns/d11-2026/approve', {
      status: 403,
      body: { error: 'forbidden', message: forbidden, requiredRole: 'approver' },
    });
    answers.set('POST /campaigns/d11-2026/resume', { status: 401, body: { message: 'Unauthorized' } });

    // Act
    const refused = await campaign(['approve', 'd11-2026', '--version', '2', '--api', api]);
    const expired = await campaign(['resume', 'd11-2026', '--api', api]);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`campaign approve: ${forbidden} (HTTP 403)\n`);
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(
      /^campaign resume: Unauthorized \(HTTP 401\)\n {2}your token is missing, expired .*initiate-auth --auth-flow USER_PASSWORD_AUTH/,
    );
  });

  it('cancel without --yes asks nothing and exits 2; with --yes it posts', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/cancel', { status: 200, body: { state: 'cancelled' } });

    // Act
    const refused = await campaign(['cancel', 'd11-2026', '--api', api]);
    const asked = seen.length;
    const done = await campaign(['cancel', 'd11-2026', '--yes', '--reason', 'withdrawn', '--api', api]);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes: cancelling d11-2026 cannot be undone/);
    expect(asked, 'cancel without --yes sent a request').toBe(0);
    expect(done.code, done.stderr).toBe(0);
    expect(seen.map((s) => s.body)).toEqual([{ reason: 'withdrawn' }]);
    expect(done.stdout).toBe('campaign d11-2026: cancelled; now cancelled\n');
  });
});

describe('campaign test-send', () => {
  it('posts the wave and every --to, and lists what was sent', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/test-send', {
      status: 202,
      body: {
        version: 3,
        sent: [
          { to: '+8613800138000', channel: 'sms', variant: 'mobile/name', messageId: 'local-sms-000001' },
          { to: 'me@store.cn', channel: 'email', variant: 'mobile/name', messageId: '123456789' },
        ],
        failed: [],
      },
    });

    // Act
    const run = await campaign([
      'test-send',
      'd11-2026',
      '--wave',
      'presale',
      '--to',
      '+8613800138000',
      '--to',
      'me@store.cn',
      '--api',
      api,
    ]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(seen.map((s) => s.body)).toEqual([{ waveId: 'presale', to: ['+8613800138000', 'me@store.cn'] }]);
    expect(run.stdout).toMatch(/^campaign d11-2026: test of wave presale \(version 3\): 2 sent, 0 failed\n/);
    expect(run.stdout).toMatch(/ {2}sent {4}sms {4}\+8613800138000 {2}mobile\/name {2}local-sms-000001/);
  });

  it('--group picks whose text is sent, and the summary names it', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/test-send', {
      status: 202,
      body: { version: 3, group: 'd11-only', sent: [], failed: [] },
    });

    // Act
    const args = ['test-send', 'd11-2026', '--wave', 'presale', '--to', '+8613800138000', '--group', 'd11-only'];
    const run = await campaign([...args, '--api', api]);
    const chinese = await campaign([...args, '--api', api], '');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(seen[0]?.body).toEqual({ waveId: 'presale', to: ['+8613800138000'], group: 'd11-only' });
    expect(run.stdout).toMatch(/^campaign d11-2026: test of wave presale \(version 3\), the text of d11-only: 0 sent/);
    expect(chinese.stdout).toMatch(
      /^campaign d11-2026: 波次 presale 的测试（版本 3），d11-only 的文案：发送 0 条，失败 0 条/,
    );
  });

  it('a recipient not in testRecipients: exit 2 with the message and the field named', async () => {
    // Prepare
    answers.set('POST /campaigns/d11-2026/test-send', {
      status: 400,
      body: {
        error: 'not-test-recipient',
        message: "to[0]: +86137****7000 is not in the campaign's testRecipients; nothing was sent",
        fields: [{ path: 'to[0]', message: "+86137****7000 is not in the campaign's testRecipients" }],
      },
    });

    // Act
    const run = await campaign(['test-send', 'd11-2026', '--wave', 'presale', '--to', '+8613700137000', '--api', api]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nothing was sent \(HTTP 400\)\n {2}to\[0\]: \+86137\*\*\*\*7000 is not in/);
  });

  it('without --wave or --to it is refused before any request', async () => {
    // Act
    const noWave = await campaign(['test-send', 'd11-2026', '--to', 'me@store.cn', '--api', api]);
    const noTo = await campaign(['test-send', 'd11-2026', '--wave', 'presale', '--api', api]);

    // Assess
    expect([noWave.code, noTo.code]).toEqual([2, 2]);
    expect(noWave.stderr).toMatch(/--wave: /);
    expect(noTo.stderr).toMatch(/--to: /);
    expect(seen).toEqual([]);
  });
});

describe('the token of https calls', () => {
  const deployed = 'https://abc123.execute-api.ap-northeast-1.amazonaws.com';
  /** A well-formed JWT (not a real one: API Gateway checks the signature, not the CLI). */
  const TOKEN = 'eyJraWQiOiJrIn0.eyJzdWIiOiJ1LTEiLCJ1c2VybmFtZSI6Im1laSJ9.c2lnbmF0dXJl';

  it('goes as Authorization: Bearer to https URLs only, from --token, else CAMPAIGN_TOKEN', async () => {
    // Prepare
    const requests: Array<{ url: string; headers: Record<string, string> }> = [];
    const fakeFetch = (async (url: URL | string, init?: RequestInit) => {
      requests.push({ url: String(url), headers: { ...(init?.headers as Record<string, string>) } });
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const local = apiBase('http://127.0.0.1:3000');
    const remote = apiBase(deployed);

    // Act
    const localToken = bearerToken(local, TOKEN, {});
    await new ApiClient({ base: local, token: TOKEN, fetch: fakeFetch }).call('GET', '/campaigns/d11-2026');
    const fromOption = bearerToken(remote, TOKEN, { CAMPAIGN_TOKEN: 'other.token.value' });
    await new ApiClient({ base: remote, token: fromOption ?? '', fetch: fakeFetch }).call(
      'POST',
      '/campaigns/d11-2026/pause',
      {},
    );
    const fromEnv = bearerToken(remote, undefined, { CAMPAIGN_TOKEN: `Bearer ${TOKEN}` });

    // Assess
    expect(localToken, 'a plain-http API gets no token').toBeUndefined();
    expect(requests[0]?.headers.authorization, 'never sent over plain http').toBeUndefined();
    expect(fromOption).toBe(TOKEN);
    expect(requests[1]?.url).toBe(`${deployed}/campaigns/d11-2026/pause`);
    expect(requests[1]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(fromEnv, 'a pasted "Bearer " prefix is dropped').toBe(TOKEN);
  });

  it('is required for an https API, with how to get one, and must look like a JWT', () => {
    // Act / Assess
    expect(() => bearerToken(apiBase(deployed), undefined, {})).toThrow(
      /--token: abc123\.execute-api\.ap-northeast-1\.amazonaws\.com wants a signed-in user: .*CAMPAIGN_TOKEN.*initiate-auth --auth-flow USER_PASSWORD_AUTH/,
    );
    expect(() => bearerToken(apiBase(deployed), 'not a token', {})).toThrow(/--token: not a token/);
  });

  it('an https call without a token is refused before any request, exit 2', async () => {
    // Act
    const run = await campaign(['status', 'd11-2026', '--api', deployed]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--token: .* wants a signed-in user/);
  });

  it('refuses an --api that is not an http(s) URL', () => {
    // Act / Assess
    expect(() => apiBase('ftp://x')).toThrow(/--api: "ftp:\/\/x" is not an http\(s\) URL/);
    expect(() => apiBase('http://x/?a=1')).toThrow(/--api/);
    expect(apiBase(undefined, { PORT: '3100' }).href).toBe('http://127.0.0.1:3100/');
  });
});

describe('the status summary', () => {
  it('reads an answer that has no lifecycle yet (a plan only) without inventing one', () => {
    // Act
    setCliLang('en');
    const lines = statusSummary('api', { campaignId: 'api', version: 1, sends: [] });
    setCliLang('zh');
    const chinese = statusSummary('api', { campaignId: 'api', version: 1, sends: [] });

    // Assess
    expect(lines).toEqual(['campaign api: planned', '  latest version 1, none approved']);
    expect(chinese).toEqual(['campaign api: 已规划', '  最新版本 1，尚无已批准版本']);
  });
});
