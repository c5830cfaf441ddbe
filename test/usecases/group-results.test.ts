import { describe, expect, it } from 'vitest';
import type { SentTouch } from '../../functions/domain/attribution.ts';
import type { KnownIncrement } from '../../functions/domain/incremental.ts';
import type { OrderState } from '../../functions/domain/orders.ts';
import type { Touch } from '../../functions/ports/campaign-store.ts';
import { groupResults } from '../../functions/usecases/group-results.ts';

const SMS_AT = '2026-11-05T12:00:00+08:00';
const SENT_AT = '2026-11-05T12:10:00+08:00';
const PAID_AT = '2026-11-06T09:00:00+08:00';
const CAMPAIGN = { attributionHours: 72, prices: { smsPart: 0.05, email: 0.001 } };

function touch(customerId: string, extra: Partial<Touch>): Touch {
  return {
    customerId,
    waveId: 'warmup',
    channel: 'sms',
    sendId: 'warmup.sms.g1',
    address: '+8613800000000',
    device: 'mobile',
    status: 'sent',
    parts: 1,
    updatedAt: SENT_AT,
    ...extra,
  };
}

const sentOf = (touches: Touch[]): SentTouch[] =>
  touches
    .filter((t) => t.status === 'sent')
    .map((t) => ({
      customerId: t.customerId,
      waveId: t.waveId,
      channel: t.channel,
      at: Date.parse(t.updatedAt as string),
      group: t.group,
      labels: t.labels,
    }));

const order = (customerId: string, amount: number): OrderState => ({
  orderId: `o-${customerId}`,
  customerId,
  amount,
  createdAt: PAID_AT,
  paidAt: PAID_AT,
});

describe('groupResults', () => {
  it('breaks a wave down by the group each touch recorded and by label, each group against its own held-out customers', () => {
    // Prepare: 200 loyal customers sent, 200 held out; 40% of those sent bought, 10% of those held out.
    // 20 dormant customers sent, 10 held out (too few to measure). Every loyal customer is labelled
    // `vip`; the first 50 also `autumn`.
    const touches: Touch[] = [];
    const held: Touch[] = [];
    const orders: OrderState[] = [];
    for (let i = 0; i < 200; i += 1) {
      const labels = i < 50 ? ['autumn', 'vip'] : ['vip'];
      touches.push(touch(`L${i}`, { group: 'd11-loyal', labels }));
      held.push(touch(`HL${i}`, { group: 'd11-loyal', labels, status: 'control', sendId: 'control' }));
      if (i % 5 < 2) orders.push(order(`L${i}`, 100 + i));
      if (i % 10 === 0) orders.push(order(`HL${i}`, 100 + i));
    }
    for (let i = 0; i < 20; i += 1) {
      touches.push(touch(`D${i}`, { group: 'dormant-deep', status: i < 2 ? 'failed' : 'sent', reason: 'rejected' }));
      if (i < 10) held.push(touch(`HD${i}`, { group: 'dormant-deep', status: 'control', sendId: 'control' }));
    }

    // Act
    const [wave] =
      groupResults([{ id: 'warmup', smsAt: SMS_AT, held }], touches, sentOf(touches), orders, CAMPAIGN) ?? [];

    // Assess
    expect(wave?.waveId).toBe('warmup');
    expect(
      wave?.groups.map((g) => g.code),
      'playbook order',
    ).toEqual(['d11-loyal', 'dormant-deep']);
    const [loyal, dormant] = wave?.groups ?? [];
    expect(loyal).toMatchObject({ customers: 200, planned: 200, sent: 200, failed: 0, orders: 80, cost: 10 });
    const increment = loyal?.increment as KnownIncrement;
    expect(increment.known).toBe(true);
    expect(increment.treated.customers).toBe(200);
    expect(increment.control.customers).toBe(200);
    expect(increment.conversionPoints.value).toBeCloseTo(30, 6);
    expect(increment.conversionPoints.interval?.low, 'a 30-point lift is told apart from none').toBeGreaterThan(0);
    expect(dormant).toMatchObject({ customers: 20, planned: 20, sent: 18, failed: 2, orders: 0 });
    expect(dormant?.increment).toEqual({ waveId: 'warmup', known: false, why: 'too-few' });
    // Labels: a customer with two labels counts under both; the dormant customers have none.
    expect(wave?.labels.map((g) => [g.code, g.customers, g.orders])).toEqual([
      ['autumn', 50, 20],
      ['vip', 200, 80],
    ]);
    expect(wave?.labels[0]?.increment?.known, '50 autumn customers held out are enough').toBe(true);
  });

  it('leaves out the lift of a wave without a control group, and the breakdown when touches recorded no group', () => {
    // Prepare
    const touches = [touch('A', { group: 'recent' }), touch('B', { group: 'recent', status: 'suppressed' })];
    const old = [touch('A', {}), touch('B', {})];

    // Act
    const [wave] =
      groupResults(
        [{ id: 'warmup', smsAt: SMS_AT, held: undefined }],
        touches,
        sentOf(touches),
        [order('A', 50)],
        CAMPAIGN,
      ) ?? [];
    const none = groupResults([{ id: 'warmup', smsAt: SMS_AT, held: undefined }], old, sentOf(old), [], CAMPAIGN);

    // Assess
    expect(wave?.groups).toEqual([
      {
        code: 'recent',
        customers: 2,
        planned: 2,
        sent: 1,
        failed: 0,
        unknown: 0,
        suppressed: 1,
        orders: 1,
        revenue: 50,
        cost: 0.05,
      },
    ]);
    expect(wave?.labels).toEqual([]);
    expect(none, 'no group recorded: no breakdown').toBeUndefined();
  });
});
