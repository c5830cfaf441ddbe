/**
 * Triggered reminders on the local DynamoDB (real SDK clients) and the local scheduler, in
 * pinned virtual time: the webhook's use case schedules checks, the scheduler fires them into
 * the check's use case, which claims through the same ledger as the waves.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../functions/adapters/dynamo/ledger.ts';
import { DynamoLinkStore } from '../../functions/adapters/dynamo/link-store.ts';
import { DynamoOrderStore } from '../../functions/adapters/dynamo/order-store.ts';
import { DynamoContactBook, DynamoTriggerStore } from '../../functions/adapters/dynamo/trigger-store.ts';
import { LocalSmsOptOuts } from '../../functions/adapters/local/opt-outs.ts';
import { LocalScheduler } from '../../functions/adapters/local/scheduler.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import { bodyDigest, type OrderEvent } from '../../functions/domain/orders.ts';
import { tokenKeys } from '../../functions/domain/signed-token.ts';
import { LINK_PURPOSE } from '../../functions/domain/tracked-link.ts';
import { checkTouchId, type TriggerCheck } from '../../functions/domain/triggers.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { type SmsMessage, type SmsSender, ThrottledError } from '../../functions/ports/sms.ts';
import { followLink } from '../../functions/usecases/follow-link.ts';
import { ingestOrder } from '../../functions/usecases/ingest-order.ts';
import { MissingTrackedLinksError } from '../../functions/usecases/tracked-links.ts';
import {
  type FireCheckDeps,
  type FireOutcome,
  fireCheck,
  throttledRetryMs,
} from '../../functions/usecases/trigger-check.ts';
import { payReminderCampaign } from '../support/trigger-campaign.ts';

const START = Date.parse('2026-11-10T20:00:00+08:00');
const MIN = 60_000;

let stack: LocalStack;
let run = 0;

beforeAll(async () => {
  stack = await startEphemeralStack({ clock: new VirtualClock(START) });
});
afterAll(async () => {
  await stack.stop();
});

class RecordingSms implements SmsSender {
  readonly sent: SmsMessage[] = [];
  failNext = false;
  throttleNext = false;
  async send(message: SmsMessage): Promise<{ messageId: string }> {
    if (this.throttleNext) {
      this.throttleNext = false;
      throw new ThrottledError();
    }
    if (this.failNext) {
      this.failNext = false;
      throw new Error('worker crashed mid-send');
    }
    this.sent.push(message);
    return { messageId: `m${this.sent.length}` };
  }
}

const campaignInput = payReminderCampaign;

const LINK_KEYS = tokenKeys('trigger-check-test-link-secret', LINK_PURPOSE);

/** A fresh campaign, its stores and a scheduler whose firings go to the check's use case. */
async function setUp(extra: Partial<CampaignInput> = {}, options: { linkStore?: boolean } = {}) {
  run += 1;
  const campaignId = `trg-${run}`;
  const campaign = parseCampaign(campaignInput(campaignId, extra));
  const clients = clientsFor(stack.config);
  const { customers, campaigns } = stack.config.tables;
  const triggers = new DynamoTriggerStore(clients.documents, campaigns);
  // One campaign with order rules at a time: the registry is the whole table's.
  for (const earlier of await triggers.registered()) await triggers.unregister(earlier.campaignId);
  await triggers.register({ campaignId, version: 1, campaign });
  let now = START;
  const clock = { now: () => now };
  const sms = new RecordingSms();
  const outcomes: FireOutcome[] = [];
  const lifecycle = {
    getControl: async () => ({
      state: 'running' as const,
      approvedVersion: 1,
      pausedWaves: [],
      cancelledWaves: [],
      revision: 1,
    }),
  };
  const optOuts = new LocalSmsOptOuts();
  const ledger = new DynamoLedger(clients.documents, customers);
  const orders = new DynamoOrderStore(clients.dynamodb, clients.documents, customers);
  const links = new DynamoLinkStore(clients.dynamodb, clients.documents, stack.config.tables.links);
  let deps: FireCheckDeps;
  const scheduler = new LocalScheduler({
    invoke: async (payload) => {
      const { kind: _kind, ...check } = payload as Record<string, unknown>;
      outcomes.push(await fireCheck(deps, check as unknown as TriggerCheck));
    },
    oneAtATime: true,
    maxRetryAttempts: 0,
  });
  deps = {
    triggers,
    lifecycle,
    orders,
    contacts: new DynamoContactBook(clients.documents, customers),
    optOuts,
    ledger,
    sms,
    scheduler,
    clock,
    ...(options.linkStore === false ? {} : { trackedLinks: { store: links, keys: async () => LINK_KEYS } }),
  };
  const ingest = (event: OrderEvent) =>
    ingestOrder(
      { orders, timeZone: 'Asia/Shanghai', clock, triggers: { triggers, lifecycle, scheduler } },
      event,
      bodyDigest(JSON.stringify(event)),
    );
  const customer = async (customerId: string, phone = '+8613800138000') => {
    await clients.documents.send(
      new PutCommand({
        TableName: customers,
        Item: {
          pk: `CUSTOMER#${customerId}`,
          sk: `SEGMENT#${campaignId}#list`,
          customerId,
          campaignId,
          phone,
          name: '王',
        },
      }),
    );
  };
  const advanceTo = async (at: number) => {
    now = at;
    await scheduler.runDue(at);
  };
  return {
    campaignId,
    campaign,
    triggers,
    ingest,
    customer,
    advanceTo,
    sms,
    outcomes,
    ledger,
    scheduler,
    deps,
    optOuts,
    links,
    clock,
  };
}

const created = (orderId: string, customerId: string, at: number, extra: Partial<OrderEvent['order']> = {}) =>
  ({
    eventId: `created-${orderId}`,
    type: 'order.created',
    order: {
      orderId,
      customerId,
      amount: '199.00',
      currency: 'CNY',
      createdAt: new Date(at).toISOString().replace('Z', '+00:00'),
      ...extra,
    },
  }) as OrderEvent;

/** The pay reminder's check of one order, as its schedule fires it 30 minutes after START. */
const payReminderCheck = (campaignId: string, orderId: string, customerId: string): TriggerCheck => ({
  campaignId,
  version: 1,
  rule: 'trigger:pay-reminder',
  orderId,
  customerId,
  fireAt: START + 30 * MIN,
  expiresAt: Date.parse('2026-11-12T00:00:00+08:00'),
});

describe('order-triggered reminders', () => {
  it('sends nothing for an order paid within 30 minutes', async () => {
    // Prepare
    const t = await setUp();
    await t.customer('c1');
    await t.ingest(created(`o-${t.campaignId}`, 'c1', START));
    // Act
    await t.advanceTo(START + 10 * MIN);
    await t.ingest({
      ...created(`o-${t.campaignId}`, 'c1', START),
      eventId: `paid-${t.campaignId}`,
      type: 'order.paid',
      order: { ...created(`o-${t.campaignId}`, 'c1', START).order, paidAt: new Date(START + 10 * MIN).toISOString() },
    });
    await t.advanceTo(START + 31 * MIN);
    // Assess
    expect(t.sms.sent, 'a paid order got a reminder').toEqual([]);
    expect(t.outcomes).toEqual([{ kind: 'dropped', status: 'suppressed', reason: 'trigger:paid' }]);
  });

  it('sends exactly one reminder to an unpaid order, also when the webhook repeats and the check fires twice', async () => {
    // Prepare
    const t = await setUp();
    await t.customer('c2');
    const event = created(`o-${t.campaignId}`, 'c2', START);
    // Act: the webhook delivered twice; the schedule fires, then fires again (at-least-once)
    await t.ingest(event);
    await t.ingest(event);
    const names = await t.scheduler.list(`triggers-${t.campaignId}`);
    await t.advanceTo(START + 30 * MIN);
    const check = (await t.triggers.checksOf(t.campaignId))[0];
    const again = await fireCheck(t.deps, payReminderCheck(t.campaignId, event.order.orderId, 'c2'));
    // Assess
    expect(names, 'a repeated webhook scheduled a second check').toHaveLength(1);
    expect(t.sms.sent).toHaveLength(1);
    expect(t.sms.sent[0]?.text).toContain('您的订单还未支付');
    expect(check?.status).toBe('sent');
    expect(again).toEqual({ kind: 'done' });
  });

  it('a throttled reminder gives its claim back and fires again later on a schedule of its own, then sends once', async () => {
    // Prepare
    const t = await setUp();
    await t.customer('c9');
    const event = created(`o-${t.campaignId}`, 'c9', START);
    await t.ingest(event);
    t.sms.throttleNext = true;
    const retryAt = START + 30 * MIN + throttledRetryMs({ rule: 'trigger:pay-reminder', orderId: event.order.orderId });

    // Act
    await t.advanceTo(START + 30 * MIN);
    const afterThrottle = (await t.triggers.checksOf(t.campaignId))[0]?.status;
    await t.advanceTo(retryAt);

    // Assess
    expect(t.outcomes[0]).toEqual({ kind: 'waiting', until: retryAt });
    expect(afterThrottle).toBe('scheduled');
    expect(t.sms.sent, 'sent once, after the throttle').toHaveLength(1);
    expect((await t.triggers.checksOf(t.campaignId))[0]?.status).toBe('sent');
    expect(t.scheduler.deadLetters()).toEqual([]);
  });

  it('never resends after a crash mid-send: the claimed check becomes unknown', async () => {
    // Prepare
    const t = await setUp();
    await t.customer('c3');
    const event = created(`o-${t.campaignId}`, 'c3', START);
    await t.ingest(event);
    const check = payReminderCheck(t.campaignId, event.order.orderId, 'c3');
    // The first worker claimed the touch and died before recording anything.
    await t.ledger.claim({
      customerId: 'c3',
      touchId: checkTouchId(check),
      campaignId: t.campaignId,
      touchCap: 3,
      smsMonth: { month: '2026-11', cap: 2 },
    });
    // Act
    await t.advanceTo(START + 30 * MIN);
    // Assess
    expect(t.sms.sent, 'a claimed check was sent again').toEqual([]);
    expect(t.outcomes).toEqual([{ kind: 'dropped', status: 'unknown', reason: 'claimed before, no outcome recorded' }]);
  });

  it("drops a reminder that would be the customer's fourth touch as cap:touches", async () => {
    // Prepare: three wave touches already claimed in the same ledger
    const t = await setUp({ caps: { touches: 3, smsPerMonth: 10 } });
    await t.customer('c4');
    for (const wave of ['presale', 'warmup', 'midnight']) {
      await t.ledger.claim({
        customerId: 'c4',
        touchId: `${t.campaignId}#${wave}#sms`,
        campaignId: t.campaignId,
        touchCap: 3,
      });
    }
    await t.ingest(created(`o-${t.campaignId}`, 'c4', START));
    // Act
    await t.advanceTo(START + 30 * MIN);
    // Assess
    expect(t.sms.sent).toEqual([]);
    expect(t.outcomes).toEqual([{ kind: 'dropped', status: 'suppressed', reason: 'cap:touches' }]);
  });

  it('waits out quiet hours, or expires in them, as the trigger says', async () => {
    // Prepare: an order at 21:45, due 22:15, inside quiet hours (22:00-09:00)
    const late = Date.parse('2026-11-10T21:45:00+08:00');
    const quietTrigger = (quietHours: 'wait' | 'expire') => ({
      triggers: [
        {
          id: 'pay-reminder',
          on: 'order.created' as const,
          after: 'PT30M',
          window: { from: '2026-11-10T00:00', to: '2026-11-12T00:00' },
          quietHours,
        },
      ],
    });
    const played = [];
    for (const mode of ['wait', 'expire'] as const) {
      const t = await setUp(quietTrigger(mode));
      await t.customer('c5');
      await t.ingest(created(`o-${t.campaignId}`, 'c5', late));
      // Act
      await t.advanceTo(late + 30 * MIN);
      await t.advanceTo(Date.parse('2026-11-11T09:00:00+08:00'));
      played.push(t);
    }
    const [waits, expires] = played as [Awaited<ReturnType<typeof setUp>>, Awaited<ReturnType<typeof setUp>>];
    // Assess
    expect(waits.outcomes[0]).toEqual({ kind: 'waiting', until: Date.parse('2026-11-11T09:00:00+08:00') });
    expect(waits.sms.sent, 'the waiting reminder was not sent when quiet hours ended').toHaveLength(1);
    expect(expires.outcomes).toEqual([{ kind: 'dropped', status: 'suppressed', reason: 'trigger:quiet-hours' }]);
    expect(expires.sms.sent).toEqual([]);
  });

  it('reminds a presale balance when it opens and stops after the balance is paid', async () => {
    // Prepare
    const t = await setUp({ triggers: [], presaleBalance: { atOpen: true, beforeClose: 'PT2H' } });
    await t.customer('c6');
    const opens = Date.parse('2026-11-10T21:00:00+08:00');
    const closes = Date.parse('2026-11-11T01:00:00+08:00');
    const order = created(`p-${t.campaignId}`, 'c6', START - 60 * MIN, {
      type: 'presale',
      depositPaidAt: new Date(START - 50 * MIN).toISOString(),
      balanceDueFrom: new Date(opens).toISOString(),
      balanceDueTo: new Date(closes).toISOString(),
    }).order;
    await t.ingest({ eventId: `dep-${t.campaignId}`, type: 'order.deposit_paid', order });
    // Act: the balance opens (a reminder), then is paid before the close reminder
    await t.advanceTo(opens);
    await t.ingest({
      eventId: `paid-${t.campaignId}`,
      type: 'order.paid',
      order: { ...order, paidAt: new Date(opens + 10 * MIN).toISOString() },
    });
    await t.advanceTo(closes - 120 * MIN);
    // Assess
    expect(t.sms.sent.map((message) => message.tags.waveId)).toEqual(['presale:open']);
    expect(t.outcomes[1]).toEqual({ kind: 'dropped', status: 'suppressed', reason: 'trigger:paid' });
  });

  it("a tracked campaign's reminder carries its own tracked link per order, which counts one click", async () => {
    // Prepare
    const t = await setUp({
      links: { mobile: 'https://m.shop.cn/pay', pc: 'https://shop.cn/pay', trackingBase: 'https://s.shop.cn' },
    });
    await t.customer('c7');
    const first = created(`o1-${t.campaignId}`, 'c7', START);
    const second = created(`o2-${t.campaignId}`, 'c7', START + MIN);
    await t.ingest(first);
    await t.ingest(second);
    // Act: both reminders leave; the first one's link is tapped twice
    await t.advanceTo(START + 31 * MIN);
    const ids = t.sms.sent.map((message) => /https:\/\/s\.shop\.cn\/l\/([A-Za-z0-9_-]{16})/.exec(message.text)?.[1]);
    const followDeps = { links: t.links, keys: async () => LINK_KEYS, clock: t.clock };
    const taps = [await followLink(followDeps, ids[0]), await followLink(followDeps, ids[0])];
    // Assess
    expect(t.sms.sent, 'both orders were reminded').toHaveLength(2);
    expect(
      ids.every((id) => id !== undefined),
      `a reminder without its tracked link: ${t.sms.sent[0]?.text}`,
    ).toBe(true);
    expect(ids[0], 'two orders of one customer shared a link').not.toBe(ids[1]);
    expect(t.sms.sent[0]?.text).not.toContain('https://m.shop.cn/pay');
    expect(taps.map((tap) => (tap.kind === 'redirect' ? [tap.to, tap.click] : tap.kind))).toEqual([
      ['https://m.shop.cn/pay', 'recorded'],
      ['https://m.shop.cn/pay', 'already'],
    ]);
    const clicks = await t.links.clicks(t.campaignId);
    expect(clicks.map(({ waveId, orderId, customerId }) => ({ waveId, orderId, customerId }))).toEqual([
      { waveId: 'trigger:pay-reminder', orderId: first.order.orderId, customerId: 'c7' },
    ]);
  });

  it("a tracked campaign's reminder is neither claimed nor sent where its link cannot be registered", async () => {
    // Prepare
    const t = await setUp(
      { links: { mobile: 'https://m.shop.cn/pay', pc: 'https://shop.cn/pay', trackingBase: 'https://s.shop.cn' } },
      { linkStore: false },
    );
    await t.customer('c8');
    const event = created(`o-${t.campaignId}`, 'c8', START);
    await t.ingest(event);
    const check = payReminderCheck(t.campaignId, event.order.orderId, 'c8');
    // Act
    const refused = await fireCheck(t.deps, check).catch((error: unknown) => error);
    const withStore = await fireCheck(
      { ...t.deps, trackedLinks: { store: t.links, keys: async () => LINK_KEYS } },
      check,
    );
    // Assess
    expect(refused).toBeInstanceOf(MissingTrackedLinksError);
    expect(withStore.kind, 'the claim of the refused firing blocked the next one').toBe('sent');
    expect(t.sms.sent).toHaveLength(1);
  });
});
