/** Triggers and presale balances in the campaign file, and the checks an order event schedules. */
import { describe, expect, it } from 'vitest';
import { CampaignFileError, parseCampaign } from '../../functions/domain/campaign.ts';
import { withChineseMessages } from '../../functions/domain/field-texts.ts';
import type { OrderEvent } from '../../functions/domain/orders.ts';
import { checkScheduleName, checksFor } from '../../functions/domain/triggers.ts';

const base = {
  id: 'd11-2026',
  midnight: '2026-11-11T00:00',
  waves: [{ id: 'midnight', sms: 'midnight' }],
};
const payReminder = {
  id: 'pay-reminder',
  on: 'order.created',
  after: 'PT30M',
  window: { from: '2026-11-10T20:00', to: '2026-11-12T00:00' },
};

function problems(input: unknown): Array<{ path: string; message: string }> {
  try {
    parseCampaign(input);
  } catch (error) {
    if (error instanceof CampaignFileError) return error.problems;
    throw error;
  }
  return [];
}

const event = (createdAt: string, extra: Partial<OrderEvent['order']> = {}, type = 'order.created'): OrderEvent =>
  ({
    eventId: 'e1',
    type,
    order: { orderId: 'o/1', customerId: 'c1', amount: '99.00', currency: 'CNY', createdAt, ...extra },
  }) as OrderEvent;

describe('triggers in the campaign file', () => {
  it('names every bad trigger field by its JSON path, with a Chinese text', () => {
    // Act: field errors first (the cross-field checks need a well-formed file), then those
    const fields = problems({ ...base, triggers: [{ ...payReminder, after: '30 minutes', quietHours: 'later' }] });
    const across = problems({
      ...base,
      triggers: [
        payReminder,
        { ...payReminder, window: { from: '2026-11-12T00:00', to: '2026-11-10T20:00' }, sms: { text: '快付款' } },
      ],
    });
    // Assess
    expect(fields.map((problem) => problem.path)).toEqual(['triggers[0].after', 'triggers[0].quietHours']);
    expect(across.map((problem) => problem.path)).toEqual([
      'triggers[1].id',
      'triggers[1].window.to',
      'triggers[1].sms.text',
      'triggers[1].sms.text',
    ]);
    for (const problem of withChineseMessages([...fields, ...across])) {
      expect(problem.messageZh, `no Chinese text for ${problem.path}: ${problem.message}`).not.toBe(problem.message);
    }
  });

  it('refuses a presale setting that sends nothing', () => {
    expect(problems({ ...base, presaleBalance: { atOpen: false } })).toEqual([
      { path: 'presaleBalance', message: 'sends nothing: set atOpen to true or give beforeClose' },
    ]);
  });
});

describe('the checks an order event schedules', () => {
  const campaign = parseCampaign({ ...base, triggers: [payReminder], presaleBalance: { beforeClose: 'PT2H' } });
  const now = Date.parse('2026-11-10T21:00:00+08:00');

  it('schedules one check after the delay for an order inside the window, none outside it', () => {
    // Act
    const inside = checksFor(campaign, 1, event('2026-11-10T21:00:00+08:00'), now);
    const before = checksFor(campaign, 1, event('2026-11-10T19:59:00+08:00'), now);
    const paid = checksFor(
      campaign,
      1,
      event('2026-11-10T21:00:00+08:00', { paidAt: '2026-11-10T21:00:00+08:00' }),
      now,
    );
    // Assess
    expect(inside).toEqual([
      expect.objectContaining({ rule: 'trigger:pay-reminder', fireAt: now + 30 * 60_000, orderId: 'o/1' }),
    ]);
    expect(before).toEqual([]);
    expect(paid).toEqual([]);
  });

  it('schedules the balance reminders at the opening and before the close', () => {
    // Act
    const checks = checksFor(
      campaign,
      1,
      event(
        '2026-10-24T20:00:00+08:00',
        {
          type: 'presale',
          depositPaidAt: '2026-10-24T20:05:00+08:00',
          balanceDueFrom: '2026-11-10T22:00:00+08:00',
          balanceDueTo: '2026-11-11T02:00:00+08:00',
        },
        'order.deposit_paid',
      ),
      now,
    );
    // Assess
    expect(checks.map((check) => [check.rule, new Date(check.fireAt).toISOString()])).toEqual([
      ['presale:open', '2026-11-10T14:00:00.000Z'],
      ['presale:close', '2026-11-10T16:00:00.000Z'],
    ]);
  });

  it('names a check by its rule and order alone, within the 64 characters a schedule name may have', () => {
    const name = checkScheduleName({ rule: 'trigger:pay-reminder', orderId: 'o/1' });
    expect(name).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
    expect(checkScheduleName({ rule: 'trigger:pay-reminder', orderId: 'o/1' })).toBe(name);
    expect(checkScheduleName({ rule: 'presale:open', orderId: 'o/1' })).not.toBe(name);
  });
});
