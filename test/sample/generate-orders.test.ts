/**
 * Sample orders that respond to messages: the orders placed anyway do not depend on the
 * uplift; the orders placed because of a wave go only to customers it reaches (never to its
 * control group), within a day after their SMS, at the stated rate.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import { type Plan, planCampaign } from '../../functions/domain/planner.ts';
import { sampleCsvLines } from '../../functions/sample/generate-customers.ts';
import { type OrderLine, reachOf, sampleOrderLines } from '../../functions/sample/generate-orders.ts';
import { loadCustomers } from '../../functions/usecases/plan-offline.ts';

const NOW = new Date('2026-10-20T12:00:00+08:00');
const HOUR_MS = 3_600_000;

async function sampleCampaign() {
  const campaign = parseCampaign(await readFile('functions/sample/d11-2026.campaign.json', 'utf8'));
  const text = `${[...sampleCsvLines({ customers: 3000, now: NOW, badRows: 0 })].join('\n')}\n`;
  const { customers } = await loadCustomers({
    sources: [
      {
        name: 'customers.csv',
        open: async function* () {
          yield Buffer.from(text);
        },
      },
    ],
    timeZone: campaign.timezone,
    onRejected: () => {},
  });
  const plan: Plan = planCampaign({ campaign, customers, now: NOW.getTime() });
  return { campaign, customers, plan, reach: reachOf(plan, customers, campaign) };
}

const paid = (lines: OrderLine[]) => lines.filter((line) => line.event.type === 'order.paid');
const responses = (lines: OrderLine[]) => paid(lines).filter((line) => line.event.order.orderId.startsWith('R'));

describe('sample orders that respond to messages', () => {
  it('leaves the orders placed anyway as they are, whatever the uplift, and repeats itself', async () => {
    // Prepare
    const { customers, reach } = await sampleCampaign();

    // Act
    const none = sampleOrderLines(customers.customers, { uplift: 0, reach });
    const some = sampleOrderLines(customers.customers, { uplift: 0.05, reach });
    const again = sampleOrderLines(customers.customers, { uplift: 0.05, reach });

    // Assess
    expect(responses(none), 'no uplift: no responses').toEqual([]);
    expect(some.filter((line) => !line.event.order.orderId.startsWith('R'))).toEqual(none);
    expect(again).toEqual(some);
  });

  it('gives responses only to customers a wave reaches, within a day after their SMS, at the stated rate', async () => {
    // Prepare
    const { customers, plan, reach } = await sampleCampaign();
    const uplift = 0.05;

    // Act
    const lines = sampleOrderLines(customers.customers, { uplift, reach });

    // Assess
    const found = responses(lines);
    const reachedTouches = reach.reduce((sum, wave) => sum + wave.reached.size, 0);
    const expected = reachedTouches * uplift;
    // Binomial: mean n·p, sd sqrt(n·p·(1-p)); within 4 sd (the seed is fixed; this says the rate is right).
    expect(Math.abs(found.length - expected), `${found.length} responses vs ${expected}`).toBeLessThan(
      4 * Math.sqrt(expected * (1 - uplift)),
    );
    const held = new Set<string>();
    for (const [waveId, members] of plan.control) {
      for (const index of members) held.add(`${waveId}/${customers.customers[index]?.customerId}`);
    }
    expect(held.size, 'the sample campaign has a control group').toBeGreaterThan(0);
    // Each response answers some wave that reached its customer: an hour to a day after their SMS, within the window.
    for (const line of found) {
      const { customerId, orderId } = line.event.order;
      const at = Date.parse(line.event.order.paidAt as string);
      const answered = reach.filter((wave) => {
        const sentAt = wave.reached.get(customerId);
        return (
          sentAt !== undefined &&
          at >= sentAt + HOUR_MS &&
          at <= sentAt + 24 * HOUR_MS &&
          at < wave.smsAt + wave.windowHours * HOUR_MS
        );
      });
      expect(answered.length, `${orderId} answers a wave that reached ${customerId}`).toBeGreaterThan(0);
      for (const wave of answered)
        expect(held.has(`${wave.waveId}/${customerId}`), 'never the control group').toBe(false);
    }
  });

  it('refuses an uplift outside 0 to 1', () => {
    expect(() => sampleOrderLines([], { uplift: 1.5 })).toThrow(/uplift: 1.5 is not between 0 and 1/);
    expect(() => sampleOrderLines([], { uplift: Number.NaN })).toThrow(RangeError);
  });
});
