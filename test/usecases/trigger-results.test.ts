import { describe, expect, it } from 'vitest';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { OrderState } from '../../functions/domain/orders.ts';
import type { CheckRecord } from '../../functions/ports/trigger-store.ts';
import { campaignRules, triggerRows } from '../../functions/usecases/trigger-results.ts';

const base: CampaignInput = {
  id: 'd11-2026',
  midnight: '2026-11-11T00:00',
  smsRules: 'none',
  attributionHours: 24,
  prices: { smsPart: 0.05, email: 0.01 },
  waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
  triggers: [
    {
      id: 'pay-reminder',
      on: 'order.created',
      after: 'PT30M',
      window: { from: '2026-11-10T20:00', to: '2026-11-12T00:00' },
    },
  ],
  presaleBalance: { atOpen: true, beforeClose: 'PT2H' },
};
const campaign = parseCampaign(base);
const SENT_AT = '2026-11-11T10:30:00+08:00';

const check = (orderId: string, extra: Partial<CheckRecord>): CheckRecord => ({
  campaignId: 'd11-2026',
  rule: 'trigger:pay-reminder',
  orderId,
  customerId: `c-${orderId}`,
  status: 'scheduled',
  fireAt: SENT_AT,
  updatedAt: SENT_AT,
  ...extra,
});
const order = (orderId: string, extra: Partial<OrderState> = {}): OrderState => ({
  orderId,
  customerId: `c-${orderId}`,
  amount: 100,
  createdAt: '2026-11-11T10:00:00+08:00',
  ...extra,
});

describe('trigger rows of the report', () => {
  it('are the campaign rules in file order, triggers first, then the balance reminders it sends', () => {
    // Act
    const rules = campaignRules(campaign);
    const openOnly = campaignRules(parseCampaign({ ...base, triggers: [], presaleBalance: { atOpen: true } }));

    // Assess
    expect(rules).toEqual(['trigger:pay-reminder', 'presale:open', 'presale:close']);
    expect(openOnly).toEqual(['presale:open']);
  });

  it('count every check by its outcome, suppressed by reason, and credit each reminded order paid after a reminder (in the window, not refunded) once, to its last reminder', () => {
    // Prepare
    const sent = (orderId: string) => check(orderId, { status: 'sent', sentAt: SENT_AT, parts: 1 });
    const records = [
      sent('paid-after'),
      sent('paid-before'),
      sent('paid-too-late'),
      sent('refunded'),
      sent('never-paid'),
      check('p', { status: 'suppressed', reason: 'trigger:paid' }),
      check('p2', { status: 'suppressed', reason: 'trigger:paid' }),
      check('x', { status: 'suppressed', reason: 'cap:touches' }),
      check('q', { status: 'suppressed', reason: 'trigger:quiet-hours' }),
      check('f', { status: 'failed', reason: 'rejected' }),
      check('u', { status: 'unknown', reason: 'claimed before, no outcome recorded' }),
      check('w', { status: 'waiting' }),
      check('s', {}),
      check('b', { rule: 'presale:open', status: 'sent', sentAt: SENT_AT, parts: 2 }),
      check('b2', { rule: 'presale:open', status: 'sent', sentAt: SENT_AT, parts: 2 }),
      check('b2', { rule: 'presale:close', status: 'sent', sentAt: '2026-11-11T20:59:00+08:00', parts: 2 }),
    ];
    const orders = [
      order('paid-after', { paidAt: '2026-11-11T11:00:00+08:00', amount: 599.5 }),
      order('paid-before', { paidAt: '2026-11-11T10:29:00+08:00' }),
      order('paid-too-late', { paidAt: '2026-11-12T10:30:00+08:00' }),
      order('refunded', { paidAt: '2026-11-11T11:00:00+08:00', refundedAt: '2026-11-11T12:00:00+08:00' }),
      order('b', { type: 'presale', paidAt: '2026-11-11T12:00:00+08:00', amount: 1000 }),
      // Reminded twice, paid after the second: credited once, to the closing reminder.
      order('b2', { type: 'presale', paidAt: '2026-11-11T21:30:00+08:00', amount: 800 }),
    ];

    // Act
    const rows = triggerRows(campaign, records, orders);

    // Assess
    expect(rows).toEqual([
      {
        rule: 'trigger:pay-reminder',
        scheduled: 13,
        checked: 11,
        sent: 5,
        suppressed: { 'trigger:paid': 2, 'cap:touches': 1, 'trigger:quiet-hours': 1 },
        failed: { rejected: 1 },
        unknown: 1,
        waiting: 1,
        pending: 1,
        smsParts: 5,
        orders: 1,
        revenue: 599.5,
        cost: 0.25,
        roi: 2397,
      },
      {
        rule: 'presale:open',
        scheduled: 2,
        checked: 2,
        sent: 2,
        suppressed: {},
        failed: {},
        unknown: 0,
        waiting: 0,
        pending: 0,
        smsParts: 4,
        orders: 1,
        revenue: 1000,
        cost: 0.2,
        roi: 4999,
      },
      {
        rule: 'presale:close',
        scheduled: 1,
        checked: 1,
        sent: 1,
        suppressed: {},
        failed: {},
        unknown: 0,
        waiting: 0,
        pending: 0,
        smsParts: 2,
        orders: 1,
        revenue: 800,
        cost: 0.1,
        roi: 7999,
      },
    ]);
  });

  it('keep a rule only an earlier version had, after the campaign rules, and are absent with no rule and no record', () => {
    // Prepare
    const withoutRules = parseCampaign({ ...base, triggers: [], presaleBalance: undefined });

    // Act
    const earlier = triggerRows(
      withoutRules,
      [check('o', { rule: 'trigger:old', status: 'suppressed', reason: 'opt-out' })],
      [],
    );
    const none = triggerRows(withoutRules, [], []);

    // Assess
    expect(earlier?.map((row) => [row.rule, row.suppressed])).toEqual([['trigger:old', { 'opt-out': 1 }]]);
    expect(none).toBeUndefined();
  });
});
