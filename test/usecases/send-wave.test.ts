import { InvalidParameterException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealTimeClock } from '../../functions/adapters/local/real-time-clock.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { SnsSmsSender } from '../../functions/adapters/sns-sms.ts';
import { clientsFor, dispatchDependencies, reportDependencies, sendDependencies } from '../../functions/composition.ts';
import { CAMPAIGNS_TTL_ATTRIBUTE, SERVICE } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { registrableForm, templateFingerprint } from '../../functions/domain/messages.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { handler as dispatch } from '../../functions/handlers/send-dispatch.ts';
import { playSchedules } from '../../functions/local/play.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { observability } from '../../functions/observability.ts';
import type { Touch } from '../../functions/ports/campaign-store.ts';
import { buildReport } from '../../functions/usecases/build-report.ts';
import { MissingOptOutsError, type ShardMessage, sendShard, storeOptOuts } from '../../functions/usecases/send-wave.ts';
import { planAndApprove } from '../support/approve.ts';
import { captureLogLines } from '../support/log-lines.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');
const silent = { info: () => {} };
let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** On the discrete virtual clock (time moves only while every worker waits on it), or on real time. */
async function startStack<C extends VirtualClock | RealTimeClock = VirtualClock>(
  options: { smsRate?: number; clock?: C } = {},
) {
  const clock = options.clock ?? new VirtualClock(NOW);
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock,
    // Shown only when a test fails, with its other output.
    log: (line) => console.error(line),
    ...(options.smsRate ? { smsRatePerSecond: options.smsRate } : {}),
    sendWorkers: 4,
  });
  return { stack, clock: clock as C };
}

/** Customers C0..C(n-1) imported through S3 and the import handler. */
async function importCustomers(target: LocalStack, campaignId: string, count: number): Promise<void> {
  const rows = Array.from(
    { length: count },
    (_, index) => `C${index},1380013${String(index).padStart(4, '0')},c${index}@qq.com`,
  );
  const record = await uploadSegmentAndWait(
    target.config,
    `segments/${campaignId}/customers.csv`,
    `customer_id,phone,email\n${rows.join('\n')}\n`,
  );
  expect(record.imported).toBe(count);
}

/** Planned as a draft and approved: its sends scheduled. */
async function planCampaign(campaign: CampaignInput) {
  if (!stack) throw new Error('start the stack first');
  const { version } = await planAndApprove(stack.config, campaign);
  return { status: 'planned' as const, version };
}

function midnightCampaign(id: string, extra: Partial<CampaignInput> = {}): CampaignInput {
  return {
    id,
    midnight: '2026-11-11T00:00',
    smsRules: 'none',
    waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
    ...extra,
  };
}

async function touchesOf(target: LocalStack, campaignId: string): Promise<Touch[]> {
  return (await buildReport(reportDependencies(target.config), campaignId)).touches;
}

function smsPerCustomer(target: LocalStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of target.runtime.sms.messages()) {
    counts.set(message.tags.customerId, (counts.get(message.tags.customerId) ?? 0) + 1);
  }
  return counts;
}

describe('the send path', () => {
  it('sends nothing twice when a schedule fires twice at once', async () => {
    // Prepare
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'twice', 300);
    const planned = await planCampaign(midnightCampaign('twice'));
    const payload = {
      campaignId: 'twice',
      sendId: 'midnight.sms.g1',
      version: planned.status === 'planned' ? planned.version : 0,
    };

    // Act: two deliveries of the firing at once, then the scheduler's own.
    const outcomes = await Promise.all([dispatch(payload), dispatch(payload)]);
    await playSchedules(local.runtime, clock);

    // Assess
    expect(outcomes.some((o) => o.kind === 'dispatched')).toBe(true);
    const counts = smsPerCustomer(local);
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('ends with every customer sent once after a worker dies mid-wave, the in-flight ones unknown', async () => {
    // Prepare: on real time, so the worker has its 8 messages in flight at once, as on AWS.
    const { stack: local, clock } = await startStack({ clock: new RealTimeClock(NOW) });
    await importCustomers(local, 'crash', 400);
    const planned = await planCampaign(midnightCampaign('crash', { smsRatePerSecond: 1000 }));
    const version = planned.status === 'planned' ? planned.version : 0;
    const message: ShardMessage = {
      campaignId: 'crash',
      version,
      sendId: 'midnight.sms.g1',
      shard: 0,
      releaseAt: MIDNIGHT,
    };
    // The dispatcher's part, which this test skips: the send's copy of the opt-out list.
    await storeOptOuts(dispatchDependencies(local.config), message);
    const healthy = sendDependencies(local.config, { log: silent, owner: 'first' });
    let recorded = 0;
    const dying = {
      ...healthy,
      touches: {
        ...healthy.touches,
        readShard: healthy.touches.readShard.bind(healthy.touches),
        flush: healthy.touches.flush.bind(healthy.touches),
        recordOutcome: async (...args: Parameters<typeof healthy.touches.recordOutcome>) => {
          recorded += 1;
          if (recorded > 120) throw new Error('worker killed');
          await healthy.touches.recordOutcome(...args);
        },
      },
    };

    // Act: the first worker dies; after its lease expires a new one takes the shard.
    await expect(sendShard(dying, message)).rejects.toThrow('worker killed');
    clock.jumpTo(clock.now() + 10 * 60_000);
    const restarted = sendDependencies(local.config, { log: silent, owner: 'second' });
    await sendShard(restarted, message);

    // Assess
    const counts = smsPerCustomer(local);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const touches = (await touchesOf(local, 'crash')).filter(
      (t) => t.sendId === message.sendId && t.status !== 'planned',
    );
    const shardTouches = touches.length;
    const unknown = touches.filter((t) => t.status === 'unknown');
    const sent = touches.filter((t) => t.status === 'sent');
    expect(unknown.length).toBeGreaterThan(0);
    // Only what was in flight (claimed, outcome not yet durable) is unknown.
    expect(unknown.length).toBeLessThanOrEqual(8 + 25);
    expect(sent.length + unknown.length).toBe(shardTouches);
    for (const touch of unknown) expect(counts.get(touch.customerId) ?? 0).toBeLessThanOrEqual(1);
  });

  it('absorbs provider throttling without losing a message', async () => {
    // Prepare: the campaign says 50 SMS/s, the provider allows 10.
    const { stack: local, clock } = await startStack({ smsRate: 10 });
    await importCustomers(local, 'throttle', 200);
    await planCampaign(midnightCampaign('throttle', { smsRatePerSecond: 50 }));

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    const summary = local.runtime.sms.summary();
    expect(summary.count).toBe(200);
    expect(summary.throttled).toBeGreaterThan(0);
    expect(summary.maxPerSecond).toBeLessThanOrEqual(10);
    const touches = await touchesOf(local, 'throttle');
    expect(touches.filter((t) => t.status === 'sent')).toHaveLength(200);
  });

  it('releases each send at its second and paces it to the rate, second by virtual second', async () => {
    // Prepare
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'second', 150);
    await planCampaign({
      id: 'second',
      midnight: '2026-11-11T00:00',
      smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
      smsRatePerSecond: 50,
      caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
      waves: [
        { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ],
    });

    // Act
    await playSchedules(local.runtime, clock);

    // Assess: 150 messages at 50 a second take exactly three seconds from the send's own second.
    const perSecond = (waveId: string) => {
      const counts = new Map<number, number>();
      for (const message of local.runtime.sms.messages().filter((m) => m.tags.waveId === waveId)) {
        counts.set(message.at, (counts.get(message.at) ?? 0) + 1);
      }
      return [...counts].sort(([a], [b]) => a - b);
    };
    const warmupAt = Date.parse('2026-11-05T12:00:00+08:00');
    expect(perSecond('warmup'), 'warmup messages per instant').toEqual([
      [warmupAt, 50],
      [warmupAt + 1000, 50],
      [warmupAt + 2000, 50],
    ]);
    expect(perSecond('midnight'), 'midnight messages per instant').toEqual([
      [MIDNIGHT, 50],
      [MIDNIGHT + 1000, 50],
      [MIDNIGHT + 2000, 50],
    ]);
  });

  it('keeps the SMS-per-month cap when two campaigns send to one customer in November', async () => {
    // Prepare: campaign A sends on 11-05 and at midnight; campaign B on 11-07, to the same people.
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'brand-a', 100);
    await importCustomers(local, 'brand-b', 100);
    await planCampaign({
      id: 'brand-a',
      midnight: '2026-11-11T00:00',
      smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
      caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
      waves: [
        { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ],
    });
    await planCampaign({
      id: 'brand-b',
      midnight: '2026-11-11T00:00',
      smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
      waves: [{ id: 'flash', sms: '2026-11-07T12:00', audience: ['*'] }],
    });

    // Act
    await playSchedules(local.runtime, clock);

    // Assess: A's midnight push is the third SMS of November: the ledger refuses it.
    expect([...smsPerCustomer(local).values()].every((n) => n === 2)).toBe(true);
    const refused = (await touchesOf(local, 'brand-a')).filter((t) => t.reason === 'cap:sms-month');
    expect(refused).toHaveLength(100);
    expect(refused.every((t) => t.waveId === 'midnight' && t.status === 'suppressed')).toBe(true);
  });

  it('sends a recent buyer the wave’s care text, the others its promotion, each with its registered template id', async () => {
    // Prepare: C0 bought 5 days before the warm-up (care), C1 long ago; both texts registered.
    const { stack: local, clock } = await startStack();
    const own = '{signature}{name}，双11即将开抢，好物先加购 {link} {optOut}';
    const care = '{signature}{name}，感谢您近期的购买，商品用得还满意吗？ {link} {optOut}';
    const fixed = { signature: '【示例旗舰店】', optOut: '回T退订' };
    await uploadSegmentAndWait(
      local.config,
      'segments/care-send/customers.csv',
      'customer_id,phone,last_order_at\nC0,13800130000,2026-10-31T10:00:00+08:00\nC1,13800130001,2025-01-01T10:00:00+08:00\n',
    );
    await planCampaign({
      id: 'care-send',
      midnight: '2026-11-11T00:00',
      smsRules: 'cn-marketing',
      registeredTemplates: {
        SMS_OWN: templateFingerprint(registrableForm(own, fixed)),
        SMS_CARE: templateFingerprint(registrableForm(care, fixed)),
      },
      waves: [{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], templates: { sms: own }, care: { sms: care } }],
    });

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    const sent = local.runtime.sms
      .messages()
      .map((m) => ({ customer: m.tags.customerId, text: m.text, id: m.templateId }));
    expect(sent.sort((a, b) => a.customer.localeCompare(b.customer))).toEqual([
      {
        customer: 'C0',
        text: '【示例旗舰店】亲，感谢您近期的购买，商品用得还满意吗？ https://s.example.cn/d11 回T退订',
        id: 'SMS_CARE',
      },
      {
        customer: 'C1',
        text: '【示例旗舰店】亲，双11即将开抢，好物先加购 https://s.example.cn/d11 回T退订',
        id: 'SMS_OWN',
      },
    ]);
    const touches = await touchesOf(local, 'care-send');
    expect(touches.find((t) => t.customerId === 'C0')?.variant, 'the touch records the care variant').toBe('care');
    expect(touches.find((t) => t.customerId === 'C1')?.variant).toBeUndefined();
  });

  it('masks the phone number SNS echoes in its refusal, in the touch reason and in the log', async () => {
    // Prepare: SNS refuses every number, naming it, as it does for an invalid one.
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'refused', 5);
    const planned = await planCampaign(midnightCampaign('refused'));
    const client = new SNSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const sns = mockClient(client);
    sns.on(PublishCommand).callsFake((input: { PhoneNumber: string }) => {
      throw new InvalidParameterException({
        message: `Invalid parameter: PhoneNumber Reason: ${input.PhoneNumber} is not valid`,
        $metadata: { httpStatusCode: 400 },
      });
    });
    const { logger } = observability(SERVICE.sendWorker);
    const deps = {
      ...sendDependencies(local.config, {
        log: { info: (text: string, data: Record<string, unknown> = {}) => logger.info(text, data) },
        owner: 'refused',
      }),
      sms: new SnsSmsSender(client),
    };
    const message: ShardMessage = {
      campaignId: 'refused',
      version: planned.status === 'planned' ? planned.version : 0,
      sendId: 'midnight.sms.g1',
      shard: 0,
      releaseAt: MIDNIGHT,
    };
    // The dispatcher's part, which this test skips: the send's copy of the opt-out list.
    await storeOptOuts(dispatchDependencies(local.config), message);
    const logs = captureLogLines();

    // Act
    await clock.run(() => sendShard(deps, message)).finally(() => logs.restore());

    // Assess
    const failed = (await touchesOf(local, 'refused')).filter((t) => t.status === 'failed');
    expect(failed.map((t) => t.reason).sort()).toEqual(
      [0, 1, 2, 3, 4].map(
        (i) =>
          `rejected: InvalidParameterException: Invalid parameter: PhoneNumber Reason: +86138****000${i} is not valid`,
      ),
    );
    const shardLine = logs.lines.find((line) => line.message === 'shard sent');
    expect(shardLine, 'the shard logs its outcome counts').toBeDefined();
    expect(JSON.stringify(shardLine)).toContain('+86138****0000');
    expect(logs.raw.join('\n'), 'no log line holds a number').not.toMatch(/\+86138001300\d\d/);
    sns.restore();
  });

  it('lets an opt-out win over everything, the midnight push included', async () => {
    // Prepare: two customers replied 回T退订 at the provider after the plan was made.
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'optout', 50);
    await planCampaign(midnightCampaign('optout'));
    local.runtime.optOuts.optOut('+8613800130003');
    local.runtime.optOuts.optOut('+8613800130007');

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    const phones = local.runtime.sms.messages().map((m) => m.phone);
    expect(phones).toHaveLength(48);
    expect(phones).not.toContain('+8613800130003');
    const suppressed = (await touchesOf(local, 'optout')).filter((t) => t.reason === 'opt-out');
    expect(suppressed.map((t) => t.customerId).sort()).toEqual(['C3', 'C7']);
  });

  it('reads the opt-out list once for a send of three shards, and every shard skips the opted-out numbers', async () => {
    // Prepare: 2,500 customers are three shards; one opted-out number in each.
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'once', 2500);
    await planCampaign(midnightCampaign('once', { smsRatePerSecond: 1000 }));
    for (const phone of ['+8613800130005', '+8613800131500', '+8613800132400']) local.runtime.optOuts.optOut(phone);
    const reads = vi.spyOn(local.runtime.optOuts, 'list');

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    const send = await dispatchDependencies(local.config).campaigns.getSend('once', 'midnight.sms.g1');
    expect(send?.shards, 'the test needs a send of several shards').toBe(3);
    expect(reads, 'the provider list is read by the dispatcher once, not by each shard').toHaveBeenCalledTimes(1);
    const suppressed = (await touchesOf(local, 'once')).filter((t) => t.reason === 'opt-out');
    expect(suppressed.map((t) => t.customerId).sort()).toEqual(['C1500', 'C2400', 'C5']);
    expect(local.runtime.sms.messages()).toHaveLength(2497);
  });

  it('sends nothing from a shard whose opt-out list the dispatcher never stored, and lets its lease go', async () => {
    // Prepare: a shard message that did not come from the dispatcher.
    const { stack: local } = await startStack();
    await importCustomers(local, 'nolist', 20);
    const planned = await planCampaign(midnightCampaign('nolist'));
    const message: ShardMessage = {
      campaignId: 'nolist',
      version: planned.status === 'planned' ? planned.version : 0,
      sendId: 'midnight.sms.g1',
      shard: 0,
      releaseAt: MIDNIGHT,
    };

    // Act
    const first = sendShard(sendDependencies(local.config, { log: silent, owner: 'first' }), message);
    await expect(first).rejects.toBeInstanceOf(MissingOptOutsError);
    const retry = sendShard(sendDependencies(local.config, { log: silent, owner: 'second' }), message);

    // Assess: the retry is not refused as busy (the lease was let go); it finds the same gap.
    await expect(retry).rejects.toThrow(/opt-out list of this send is missing at private\/opt-outs\/nolist\//);
    expect(local.runtime.sms.messages()).toEqual([]);
  });

  it('leaves rate-limit rows that carry the TTL attribute the campaigns table expires by, a day past their second', async () => {
    // Prepare
    const { stack: local, clock } = await startStack();
    await importCustomers(local, 'ttl', 30);
    await planCampaign(midnightCampaign('ttl'));

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    const { Items = [] } = await clientsFor(local.config).documents.send(
      new QueryCommand({
        TableName: local.config.tables.campaigns,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'RATE#sms' },
      }),
    );
    expect(Items.length, 'the send took tokens, so it left rate-limit rows').toBeGreaterThan(0);
    for (const row of Items) {
      expect(row[CAMPAIGNS_TTL_ATTRIBUTE], `row ${row.sk}`).toBe(Number(row.sk) + 86_400);
    }
  });
});
