/**
 * Sample taps on tracked links for the order rules: a buyer who pays an order after its
 * reminder was due taps that reminder's link in between; an order paid before its reminder,
 * or a campaign without order rules, gets no reminder tap.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import { sampleClickLines } from '../../functions/sample/generate-clicks.ts';
import type { OrderLine } from '../../functions/sample/generate-orders.ts';

const MIN = 60_000;
const CREATED = Date.parse('2026-11-11T10:00:00+08:00');

const orderLine = (orderId: string, type: OrderLine['event']['type'], at: number, paid?: number): OrderLine => ({
  at: new Date(at).toISOString(),
  event: {
    eventId: `${orderId}-${type}`,
    type,
    order: {
      orderId,
      customerId: `c-${orderId}`,
      amount: '99.00',
      currency: 'CNY',
      createdAt: new Date(CREATED).toISOString(),
      ...(paid === undefined ? {} : { paidAt: new Date(paid).toISOString() }),
    },
  },
});

describe('sample taps on reminders', () => {
  it('taps the pay reminder of an order paid after it, between the reminder and the payment', async () => {
    // Prepare: the sample campaign reminds an unpaid order 30 minutes after it is created
    const campaign = parseCampaign(await readFile('functions/sample/d11-2026.campaign.json', 'utf8'));
    const orders = [
      orderLine('late', 'order.created', CREATED),
      orderLine('late', 'order.paid', CREATED + 90 * MIN, CREATED + 90 * MIN),
      orderLine('early', 'order.created', CREATED),
      orderLine('early', 'order.paid', CREATED + 10 * MIN, CREATED + 10 * MIN),
    ];

    // Act
    const taps = sampleClickLines([], orders, { campaign, seed: 7 });
    const without = sampleClickLines([], orders, { seed: 7 });

    // Assess
    const late = taps.filter((tap) => tap.click.customerId === 'c-late');
    expect(late.length, 'the reminded buyer tapped nothing').toBeGreaterThan(0);
    for (const tap of late) {
      expect(tap.click.waveId).toBe('trigger:pay-reminder');
      const at = Date.parse(tap.at);
      expect(at, `tapped at ${tap.at}, before the reminder was due`).toBeGreaterThan(CREATED + 30 * MIN);
      expect(at, `tapped at ${tap.at}, after paying`).toBeLessThan(CREATED + 90 * MIN);
    }
    expect(
      taps.filter((tap) => tap.click.customerId === 'c-early'),
      'paid before any reminder',
    ).toEqual([]);
    expect(without, 'no order rules, yet a reminder tap').toEqual([]);
  });
});
