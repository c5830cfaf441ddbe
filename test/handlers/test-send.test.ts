/**
 * `POST /campaigns/{id}/test-send` on the embedded stack, through the local HTTP server and the
 * real handler: the wave's variants reach the local SMS sink and the local SES marked as tests;
 * an address not in testRecipients is refused with nothing sent; the ledger, the plan's touches
 * and the report never see a test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoLifecycleStore } from '../../functions/adapters/dynamo/lifecycle-store.ts';
import { DynamoTestTouchStore } from '../../functions/adapters/dynamo/test-touch-store.ts';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { TEST_HEADER } from '../../functions/adapters/ses-email.ts';
import { writeOutputs } from '../../functions/cli/simulate-command.ts';
import { clientsFor, reportDependencies } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';
import { parseCampaign, type Wave } from '../../functions/domain/campaign.ts';
import { decide, type LifecycleCommand } from '../../functions/domain/campaign-lifecycle.ts';
import { registrableForm, renderSms, templateFingerprint } from '../../functions/domain/messages.ts';
import { handler as plan } from '../../functions/handlers/plan-campaign.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { buildReport } from '../../functions/usecases/build-report.ts';
import { messageValues, waveSms } from '../../functions/usecases/send-wave.ts';
import { VARIANTS } from '../../functions/usecases/test-send.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const PHONE = '+8613800138000';
const EMAIL = 'me@store.cn';
const CARE_SMS = '{signature}{name}，感谢您近期的购买，商品用得还满意吗？ {link} {optOut}';
const CAMPAIGN = {
  id: 'ts-d11',
  registeredTemplates: {
    SMS_CARE: templateFingerprint(registrableForm(CARE_SMS, { signature: '【示例旗舰店】', optOut: '回T退订' })),
  },
  midnight: '2026-11-11T00:00',
  smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
  links: { mobile: 'https://s.example.cn/d11', pc: 'https://shop.example.com/d11' },
  testRecipients: ['13800138000', 'Me@Store.CN', '+8613900139000'],
  waves: [
    {
      id: 'presale',
      sms: '2026-10-24T20:00',
      audience: ['*'],
      email: true,
      care: { sms: CARE_SMS, templateId: 'SMS_CARE' },
    },
    { id: 'midnight', sms: 'midnight', audience: ['*'] },
  ],
};

let stack: LocalStack;
let http: LocalHttpServer;

interface SesMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
}

async function mails(config: LocalConfig): Promise<SesMail[]> {
  return ((await (await fetch(`${config.endpoints.ses}/store`)).json()) as { emails: SesMail[] }).emails;
}

/** The draft the plan handler made of the upload: test sends use the latest version's texts. */
async function ensureDraft(config: LocalConfig, campaignId: string, _input: unknown): Promise<void> {
  const lifecycles = new DynamoLifecycleStore(clientsFor(config).documents, config.tables.campaigns);
  expect(await lifecycles.getLifecycle(campaignId), `the plan handler made no draft of ${campaignId}`).toBeDefined();
}

async function applyCommand(config: LocalConfig, campaignId: string, command: LifecycleCommand): Promise<void> {
  const lifecycles = new DynamoLifecycleStore(clientsFor(config).documents, config.tables.campaigns);
  const current = await lifecycles.getLifecycle(campaignId);
  const decision = decide(current, command, { campaignId, now: NOW, actor: 'test', waveIds: [] });
  if (!decision.ok || !current) throw new Error(`cannot ${command.kind} ${campaignId}`);
  expect(await lifecycles.saveLifecycle(decision.next, current.revision)).toBe(true);
}

async function testSend(campaignId: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${http.url}/campaigns/${campaignId}/test-send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Every item of a table, sorted: to show a table did not change. */
async function tableItems(config: LocalConfig, table: string): Promise<unknown[]> {
  const { Items = [] } = await clientsFor(config).documents.send(new ScanCommand({ TableName: table }));
  return Items.map((item) => JSON.stringify(item)).sort();
}

beforeAll(async () => {
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    log: (line) => console.error(line),
    clock: new VirtualClock(NOW),
  });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  stack.runtime.publicBaseUrl = http.url;
  await uploadSegmentAndWait(
    stack.config,
    `segments/${CAMPAIGN.id}/customers.csv`,
    'customer_id,phone,email,name,device\nC1,13800138001,c1@example.com,张三,mobile\nC2,13800138002,,,pc\n',
  );
  const planned = await plan({ campaign: CAMPAIGN });
  expect(planned).toMatchObject({ status: 'planned' });
  await ensureDraft(stack.config, CAMPAIGN.id, CAMPAIGN);
});

afterAll(async () => {
  await http?.stop();
  await stack?.stop();
});

beforeEach(async () => {
  stack.runtime.sms.clear();
  await fetch(`${stack.config.endpoints.ses}/clear-store`, { method: 'POST' });
});

describe('POST /campaigns/{id}/test-send', () => {
  it('sends each variant of the wave, SMS to the phone and email to the address, marked as tests', async () => {
    // Prepare
    const request = { waveId: 'presale', to: ['138 0013 8000', 'ME@store.cn'] };

    // Act
    const response = await testSend(CAMPAIGN.id, request);

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    const sms = stack.runtime.sms.messages();
    expect(sms.map((m) => m.phone)).toEqual([PHONE, PHONE, PHONE, PHONE]);
    const texts = sms.map((m) => m.text);
    expect(texts.filter((t) => t.includes('王小明') && t.includes('https://s.example.cn/d11 '))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('亲') && t.includes('https://s.example.cn/d11 '))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('王小明') && t.includes('https://shop.example.com/d11'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('亲') && t.includes('https://shop.example.com/d11'))).toHaveLength(1);
    for (const text of texts) expect(text).toMatch(/^【示例旗舰店】.*回T退订$/);
    for (const message of sms) {
      expect(message.tags).toMatchObject({
        campaignId: CAMPAIGN.id,
        waveId: 'presale',
        sendId: 'presale.test',
        test: true,
      });
    }

    const email = await mails(stack.config);
    expect(email).toHaveLength(4);
    for (const mail of email) {
      expect(mail.destination.to).toEqual([EMAIL]);
      expect(mail.subject).toMatch(/双11/);
      expect(mail.body.text).toContain(`退订 / Unsubscribe: ${http.url}/unsubscribe?t=`);
      expect(mail.headers).toContainEqual({ name: TEST_HEADER, value: 'true' });
      expect(mail.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    }
    expect(email.filter((m) => m.subject.startsWith('王小明'))).toHaveLength(2);
    expect(email.filter((m) => m.subject.startsWith('亲'))).toHaveLength(2);
    expect(email.filter((m) => m.body.text?.includes('https://shop.example.com/d11'))).toHaveLength(2);

    const sent = response.body.sent as Array<{ to: string; channel: string; variant: string; messageId: string }>;
    expect(sent.map((s) => `${s.channel} ${s.to} ${s.variant}`).sort()).toEqual(
      [
        ...['mobile/name', 'mobile/fallback-name', 'pc/name', 'pc/fallback-name'].map((v) => `sms ${PHONE} ${v}`),
        ...['mobile/name', 'mobile/fallback-name', 'pc/name', 'pc/fallback-name'].map((v) => `email ${EMAIL} ${v}`),
      ].sort(),
    );
    expect(response.body).toMatchObject({ campaignId: CAMPAIGN.id, waveId: 'presale', version: 1, failed: [] });
  });

  it('sends exactly the chosen group’s text, or the care text with its registered template id', async () => {
    // Prepare: what the send path gives a d11-only customer of the presale, per variant.
    const campaign = parseCampaign(CAMPAIGN);
    const wave = campaign.waves[0] as Wave;
    const groupTexts = VARIANTS.map((variant) =>
      renderSms(waveSms(campaign, wave, 'd11-only').template, messageValues(campaign, wave, variant)),
    );

    // Act
    const group = await testSend(CAMPAIGN.id, { waveId: 'presale', to: [PHONE], group: 'd11-only' });
    const groupSms = stack.runtime.sms.messages().map((m) => ({ text: m.text, templateId: m.templateId }));
    stack.runtime.sms.clear();
    const care = await testSend(CAMPAIGN.id, { waveId: 'presale', to: [PHONE], group: 'care' });
    const careSms = [...stack.runtime.sms.messages()];
    stack.runtime.sms.clear();
    const unknown = await testSend(CAMPAIGN.id, { waveId: 'presale', to: [PHONE], group: 'vip' });
    const careByEmail = await testSend(CAMPAIGN.id, { waveId: 'presale', to: [EMAIL], group: 'care' });

    // Assess
    expect(group.status, JSON.stringify(group.body)).toBe(202);
    expect(group.body.group).toBe('d11-only');
    expect(groupSms.map((m) => m.text).sort(), 'the d11-only customers’ own text').toEqual([...groupTexts].sort());
    expect(
      groupSms.every((m) => m.templateId === undefined),
      'an unregistered text names no template',
    ).toBe(true);
    expect(care.status, JSON.stringify(care.body)).toBe(202);
    expect(care.body.group).toBe('care');
    expect(careSms.length).toBeGreaterThan(0);
    for (const message of careSms) {
      expect(message.text).toContain('感谢您近期的购买');
      expect(message.templateId, 'the care text’s registered template reaches the provider').toBe('SMS_CARE');
    }
    expect(unknown.status).toBe(400);
    expect(String(unknown.body.message)).toMatch(/group: "vip" is neither a playbook group/);
    expect(careByEmail.status).toBe(400);
    expect(String(careByEmail.body.message)).toMatch(/the care text is an SMS/);
    expect(stack.runtime.sms.messages(), 'a refused request sends nothing').toEqual([]);
  });

  it('records the test apart from the plan and in the audit trail, and never touches the ledger or the report', async () => {
    // Prepare
    const { config } = stack;
    const clients = clientsFor(config);
    const ledgerBefore = await tableItems(config, config.tables.customers);
    const touchesBefore = (await tableItems(config, config.tables.touches)).filter(
      (t) => !String(t).includes('"TEST#'),
    );
    const reportBefore = (await buildReport(reportDependencies(config), CAMPAIGN.id)).report;
    const tests = new DynamoTestTouchStore(clients.documents, config.tables.touches);
    expect((await tests.list(CAMPAIGN.id)).filter((t) => t.waveId === 'midnight')).toEqual([]);

    // Act
    const response = await testSend(CAMPAIGN.id, { waveId: 'midnight', to: [PHONE] });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(await tableItems(config, config.tables.customers), 'the customers table (with the ledger) changed').toEqual(
      ledgerBefore,
    );
    expect(
      (await tableItems(config, config.tables.touches)).filter((t) => !String(t).includes('"TEST#')),
      "the plan's touches changed",
    ).toEqual(touchesBefore);
    const reportAfter = (await buildReport(reportDependencies(config), CAMPAIGN.id)).report;
    expect(reportAfter.totals).toEqual(reportBefore.totals);
    expect(reportAfter.rows).toEqual(reportBefore.rows);
    // The clock stands still here, so the records of the earlier test send share its instant: pick this wave's.
    const recorded = (await tests.list(CAMPAIGN.id)).filter((t) => t.waveId === 'midnight');
    expect(recorded).toHaveLength(4);
    for (const touch of recorded) {
      expect(touch).toMatchObject({
        campaignId: CAMPAIGN.id,
        waveId: 'midnight',
        channel: 'sms',
        address: PHONE,
        status: 'sent',
        version: 1,
        actor: 'local-marketer',
      });
    }
    const lifecycle = await new DynamoLifecycleStore(clients.documents, config.tables.campaigns).getLifecycle(
      CAMPAIGN.id,
    );
    expect(lifecycle?.audit.at(-1)).toMatchObject({
      action: 'test-send',
      actor: 'local-marketer',
      waveId: 'midnight',
      from: 'draft',
      to: 'draft',
    });
    expect(lifecycle?.state).toBe('draft');
  });

  it('refuses an address not in testRecipients with 400 naming it (masked), and sends nothing to anyone', async () => {
    // Prepare
    const lifecycles = new DynamoLifecycleStore(clientsFor(stack.config).documents, stack.config.tables.campaigns);
    const auditBefore = (await lifecycles.getLifecycle(CAMPAIGN.id))?.audit.length;

    // Act
    const response = await testSend(CAMPAIGN.id, { waveId: 'presale', to: [PHONE, '+8613700137000', EMAIL] });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('not-test-recipient');
    expect(response.body.message).toMatch(/to\[1\]: \+86137\*\*\*\*7000 is not in the campaign's testRecipients/);
    expect(JSON.stringify(response.body)).not.toContain('13700137000');
    expect(stack.runtime.sms.messages()).toEqual([]);
    expect(await mails(stack.config)).toEqual([]);
    expect((await lifecycles.getLifecycle(CAMPAIGN.id))?.audit.length).toBe(auditBefore);
  });

  it.each([
    [
      'an email to a wave that sends no email',
      { waveId: 'midnight', to: [EMAIL] },
      400,
      'invalid-request',
      /to\[0\]: wave midnight sends no email/,
    ],
    ['an unknown wave', { waveId: 'nope', to: [PHONE] }, 400, 'unknown-wave', /waveId: .*no wave "nope"/],
    ['no recipient', { waveId: 'presale', to: [] }, 400, 'invalid-request', /^to: name at least one/],
    [
      'eleven recipients',
      { waveId: 'presale', to: Array.from({ length: 11 }, () => PHONE) },
      400,
      'invalid-request',
      /^to: at most 10/,
    ],
    [
      'something that is no address',
      { waveId: 'presale', to: ['hello'] },
      400,
      'invalid-request',
      /to\[0\]: "hello" is neither a phone nor an email/,
    ],
    ['a body field of another shape', { wave: 'presale', to: [PHONE] }, 400, 'invalid-request', /waveId: /],
  ])('refuses %s, naming the field, and sends nothing', async (_what, body, status, code, message) => {
    // Act
    const response = await testSend(CAMPAIGN.id, body);

    // Assess
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: code, message: expect.stringMatching(message) });
    expect(stack.runtime.sms.messages()).toEqual([]);
    expect(await mails(stack.config)).toEqual([]);
  });

  it('answers 404 for an unknown campaign and 409 for a cancelled one, sending nothing', async () => {
    // Prepare
    const over = { ...CAMPAIGN, id: 'ts-over' };
    expect(await plan({ campaign: over })).toMatchObject({ status: 'planned' });
    await ensureDraft(stack.config, over.id, over);
    await applyCommand(stack.config, over.id, { kind: 'cancel', reason: 'wrong price' });

    // Act
    const unknown = await testSend('ts-nope', { waveId: 'presale', to: [PHONE] });
    const cancelled = await testSend(over.id, { waveId: 'presale', to: [PHONE] });

    // Assess
    expect(unknown).toMatchObject({ status: 404, body: { error: 'unknown-campaign' } });
    expect(cancelled).toMatchObject({
      status: 409,
      body: { error: 'wrong-state', message: expect.stringMatching(/cancelled/) },
    });
    expect(stack.runtime.sms.messages()).toEqual([]);
  });

  it('shows test messages in the simulate outbox, each marked "test": true', async () => {
    // Prepare
    const out = await mkdtemp(join(tmpdir(), 'test-send-outbox-'));
    const response = await testSend(CAMPAIGN.id, { waveId: 'presale', to: [PHONE, EMAIL] });
    expect(response.status).toBe(202);

    // Act
    await writeOutputs(stack, CAMPAIGN.id, out, []);

    // Assess
    const lines = (await readFile(join(out, 'outbox.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { channel: string; sendId: string; test?: boolean });
    await rm(out, { recursive: true, force: true });
    expect(lines.filter((line) => line.channel === 'sms')).toHaveLength(4);
    expect(lines.filter((line) => line.channel === 'email')).toHaveLength(4);
    for (const line of lines) expect(line).toMatchObject({ sendId: 'presale.test', test: true });
  });
});
