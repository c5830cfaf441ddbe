import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor } from '../../functions/composition.ts';
import { scheduleGroup } from '../../functions/contract.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { handler as plan } from '../../functions/handlers/plan-campaign.ts';
import { handler as dispatch } from '../../functions/handlers/send-dispatch.ts';
import { playSchedules } from '../../functions/local/play.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { fireAtFor, STAGING_LEAD_MS } from '../../functions/usecases/plan-campaign.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function startWithCustomers(campaignId: string, csv: string) {
  const clock = new VirtualClock(NOW);
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock,
    log: (line) => console.error(line),
  });
  await uploadSegmentAndWait(stack.config, `segments/${campaignId}/customers.csv`, csv);
  return { stack, clock };
}

const CUSTOMERS =
  'customer_id,phone,email,unpaid_order\nC1,13800138001,a@qq.com,true\nC2,13800138002,b@qq.com,true\nC3,13800138003,,false\n';

function campaign(waves: CampaignInput['waves']): CampaignInput {
  return { id: 'replan', midnight: '2026-11-11T00:00', waves };
}

describe('planning and scheduling', () => {
  it('re-plans without duplicating schedules and deletes those of sends that disappeared', async () => {
    // Prepare
    const { stack: local } = await startWithCustomers('replan', CUSTOMERS);
    const waves: CampaignInput['waves'] = [
      { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
      { id: 'midnight', sms: 'midnight', audience: ['*'] },
    ];

    // Act
    const first = await plan({ campaign: campaign(waves) });
    const again = await plan({ campaign: campaign(waves) });
    const fewer = await plan({ campaign: campaign([waves[1] as CampaignInput['waves'][number]]) });

    // Assess
    expect([first.status, again.status, fewer.status]).toEqual(['planned', 'planned', 'planned']);
    const names = (await local.runtime.scheduler.list(scheduleGroup('replan'))).sort();
    expect(names).toEqual(['midnight.sms.g1']);
    expect(fewer).toMatchObject({ version: 3, sends: 1 });
  });

  it('refuses a plan that would change a send that has started, and changes nothing', async () => {
    // Prepare
    const { stack: local } = await startWithCustomers('replan', CUSTOMERS);
    const planned = await plan({ campaign: campaign([{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] }]) });
    await dispatch({
      campaignId: 'replan',
      sendId: 'warmup.sms.g1',
      version: planned.status === 'planned' ? planned.version : 0,
    });

    // Act
    const moved = await plan({ campaign: campaign([{ id: 'warmup', sms: '2026-11-05T15:00', audience: ['*'] }]) });

    // Assess
    expect(moved).toEqual({
      status: 'refused',
      problems: [expect.stringContaining('sends that have started: warmup.sms.g1')],
    });
    expect(await local.runtime.scheduler.list(scheduleGroup('replan'))).toEqual(['warmup.sms.g1']);
  });

  it('refuses an invalid campaign, naming each field', async () => {
    // Prepare
    await startWithCustomers('replan', CUSTOMERS);

    // Act
    const result = await plan({
      campaign: { id: 'replan', midnight: '2026-11-11T00:00', waves: [{ id: 'w', sms: '2026-11-05T23:00' }] },
    });

    // Assess
    expect(result).toEqual({
      status: 'refused',
      problems: [expect.stringMatching(/^waves\[0\]\.sms: falls in quiet hours/)],
    });
  });

  it('skips a customer who paid since planning in a stopOnPurchase wave, with suppressed:purchase', async () => {
    // Prepare: C1 pays after the plan (the order webhook keeps lastPaidAt on the ORDERS item).
    const { stack: local, clock } = await startWithCustomers('replan', CUSTOMERS);
    await plan({
      campaign: campaign([{ id: 'unpaid', sms: '2026-11-09T20:00', audience: ['unpaid'], stopOnPurchase: true }]),
    });
    await clientsFor(local.config).documents.send(
      new PutCommand({
        TableName: local.config.tables.customers,
        Item: { pk: 'CUSTOMER#C1', sk: 'ORDERS', customerId: 'C1', lastPaidAt: '2026-11-02T10:00:00.000Z' },
      }),
    );

    // Act
    await playSchedules(local.runtime, clock);

    // Assess
    const sent = local.runtime.sms.messages().map((m) => m.tags.customerId);
    expect(sent).toEqual(['C2']);
  });
});

describe('fireAtFor', () => {
  const at = (text: string) => Date.parse(`${text}+08:00`);

  it('fires in the whole minute at least the staging lead before a send planned well ahead', () => {
    // Prepare
    const now = at('2026-10-20T12:00:00');

    // Act
    const midnight = fireAtFor(at('2026-11-11T00:00:00'), now);
    const offMinute = fireAtFor(at('2026-11-05T12:00:30'), now);

    // Assess
    expect(new Date(midnight).toISOString()).toBe(new Date(at('2026-11-10T23:58:00')).toISOString());
    expect(new Date(offMinute).toISOString()).toBe(new Date(at('2026-11-05T11:58:00')).toISOString());
  });

  it.each([
    { now: '2026-11-05T12:00:30', send: '2026-11-05T12:01:00', fire: '2026-11-05T12:01:00' },
    { now: '2026-11-05T12:00:00', send: '2026-11-05T12:01:00', fire: '2026-11-05T12:01:00' },
    { now: '2026-11-05T12:00:59.999', send: '2026-11-05T12:02:00', fire: '2026-11-05T12:01:00' },
    { now: '2026-11-05T12:00:10', send: '2026-11-05T12:00:10', fire: '2026-11-05T12:01:00' },
  ])('fires a send at $send planned at $now in the next whole minute, $fire', ({ now, send, fire }) => {
    // Prepare
    const planned = at(now);

    // Act
    const fireAt = fireAtFor(at(send), planned);

    // Assess
    expect(new Date(fireAt).toISOString()).toBe(new Date(at(fire)).toISOString());
  });

  it('never fires at or before now, always on a whole minute, and never later than it must', () => {
    // Prepare
    const start = at('2026-10-20T12:00:00');
    const instants = fc.tuple(fc.integer({ min: 0, max: 30 * 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }));

    // Act + Assess
    fc.assert(
      fc.property(instants, ([fromStart, ahead]) => {
        const now = start + fromStart;
        const sendAt = now + ahead;
        const fireAt = fireAtFor(sendAt, now);
        const nextMinute = (Math.floor(now / 60_000) + 1) * 60_000;
        expect(fireAt).toBeGreaterThan(now);
        expect(fireAt % 60_000).toBe(0);
        // Whole minutes at least one minute ahead of the second, unless now leaves no such minute.
        if (sendAt - STAGING_LEAD_MS >= nextMinute) expect(fireAt).toBeLessThanOrEqual(sendAt - 60_000);
        else expect(fireAt).toBe(nextMinute);
      }),
    );
  });
});
