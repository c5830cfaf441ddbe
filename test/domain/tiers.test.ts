/** Member tiers (会员等级 / member_tier): wave audiences, a segmentation rule, the report's breakdown. */
import { describe, expect, it } from 'vitest';
import { CampaignFileError, type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import type { OrderState } from '../../functions/domain/orders.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import type { Touch } from '../../functions/ports/campaign-store.ts';
import { tierRows } from '../../functions/usecases/build-report.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;

function customer(id: string, overrides: Partial<Customer> = {}): Customer {
  return {
    customerId: id,
    phone: '+8613800138000',
    device: 'mobile',
    d11Years: [],
    segment: 'customers',
    ...overrides,
  };
}

function setOf(...list: Customer[]): CustomerSet {
  const set = new CustomerSet();
  for (const item of list) set.upsert(item, 0);
  return set;
}

// These examples are about caps, times and audiences: China's SMS rules (registered templates) have their own tests.
function campaignWith(waves: CampaignInput['waves'], settings: Partial<CampaignInput> = {}) {
  return parseCampaign({ id: 'tiers', midnight: '2026-11-11T00:00', smsRules: 'none', ...settings, waves });
}

/** The customers each wave's SMS goes to, by wave id. */
function smsMembers(campaign: ReturnType<typeof campaignWith>, set: CustomerSet): Record<string, string[]> {
  const plan = planCampaign({ campaign, customers: set, now: NOW });
  expect(brokenPlaybookRules(campaign, set, plan, NOW)).toEqual([]);
  const members: Record<string, string[]> = {};
  for (const [position, send] of plan.timeline.sends.entries()) {
    if (send.channel !== 'sms') continue;
    const ids = [...(plan.members[position] ?? [])].map((index) => set.customers[index]?.customerId ?? '');
    members[send.waveId] = [...(members[send.waveId] ?? []), ...ids].sort();
  }
  return members;
}

describe('tier audiences (tier:VIP2)', () => {
  it('sends a tier wave to the customers of that tier only, however the file or the campaign spells it', () => {
    // Prepare
    const campaign = campaignWith([{ id: 'vip', sms: '2026-11-05T12:00', audience: ['tier:vip2', 'tier:钻石会员'] }]);
    const set = setOf(
      customer('A', { tier: 'VIP2' }),
      customer('B', { tier: 'VIP1' }),
      customer('C', { tier: '钻石会员' }),
      customer('D'),
    );

    // Act
    const members = smsMembers(campaign, set);

    // Assess
    expect(members).toEqual({ vip: ['A', 'C'] });
  });

  it('warns when a tier audience matches nobody, naming the tiers the files have', () => {
    // Prepare
    const campaign = campaignWith([{ id: 'vip', sms: '2026-11-05T12:00', audience: ['tier:VIP9', '*'] }]);
    const set = setOf(customer('A', { tier: 'VIP2' }), customer('B', { tier: 'VIP1' }));

    // Act
    const { timeline } = planCampaign({ campaign, customers: set, now: NOW });

    // Assess
    expect(timeline.warnings).toContain(
      'wave vip: audience "tier:VIP9" is a member tier no customer in the files has; it matches nobody (tiers in the files: VIP1, VIP2)',
    );
    expect(timeline.warningDetails).toContainEqual({
      code: 'unknown-tier',
      wave: 'vip',
      audience: 'tier:VIP9',
      knownTiers: ['VIP1', 'VIP2'],
      moreTiers: false,
    });
  });

  it.each([
    ['Tier:VIP2', 'must be tier:<name> (a member tier as the segment files write it, e.g. tier:VIP2)'],
    ['tier：VIP2', 'must be tier:<name> (a member tier as the segment files write it, e.g. tier:VIP2)'],
    ['tier:', 'must be tier:<name> (a member tier as the segment files write it, e.g. tier:VIP2)'],
    ['tier: VIP2', 'must be tier:<name> (a member tier as the segment files write it, e.g. tier:VIP2)'],
    [`tier:${'V'.repeat(33)}`, 'names a tier longer than 32 characters'],
  ])('refuses the audience %j, naming it by its JSON path', (entry, message) => {
    // Prepare
    const input = {
      id: 'tiers',
      midnight: '2026-11-11T00:00',
      waves: [{ id: 'w', sms: '2026-11-05T12:00', audience: [entry] }],
    };

    // Act
    const act = () => parseCampaign(input);

    // Assess
    expect(act).toThrow(CampaignFileError);
    try {
      act();
    } catch (error) {
      expect((error as CampaignFileError).problems).toEqual([{ path: 'waves[0].audience[0]', message }]);
    }
  });
});

describe('tiers as a segmentation rule (segments.highTiers)', () => {
  it('counts a recent buyer of a high tier as recent-high, below the order and spend thresholds', () => {
    // Prepare
    const campaign = campaignWith([{ id: 'high', sms: '2026-11-05T12:00', audience: ['recent-high'] }], {
      segments: { highTiers: ['vip3', '钻石会员'] },
    });
    const recent = NOW - 10 * DAY;
    const set = setOf(
      customer('A', { tier: 'VIP3', lastOrderAt: recent, orderCount: 1, totalSpend: 50 }),
      customer('B', { tier: '钻石会员', lastOrderAt: recent, orderCount: 1, totalSpend: 50 }),
      customer('C', { tier: 'VIP1', lastOrderAt: recent, orderCount: 1, totalSpend: 50 }),
      // A high tier without a recent order is not recent-high.
      customer('D', { tier: 'VIP3', lastOrderAt: NOW - 200 * DAY, orderCount: 1, totalSpend: 50 }),
    );

    // Act
    const members = smsMembers(campaign, set);

    // Assess
    expect(members).toEqual({ high: ['A', 'B'] });
  });

  it('refuses a high tier longer than a tier may be, by its JSON path', () => {
    // Prepare
    const input = {
      id: 'tiers',
      midnight: '2026-11-11T00:00',
      segments: { highTiers: ['V'.repeat(33)] },
      waves: [{ id: 'w', sms: '2026-11-05T12:00' }],
    };

    // Act
    const act = () => parseCampaign(input);

    // Assess
    expect(act).toThrow(/segments\.highTiers\[0\]: must be at most 32 characters/);
  });
});

describe('the report by tier', () => {
  const campaign = { attributionHours: 72, prices: { smsPart: 0.05, email: 0.01 } } as const;
  const at = '2026-11-05T12:00:00+08:00';

  function touch(customerId: string, tier: string | undefined, overrides: Partial<Touch> = {}): Touch {
    return {
      customerId,
      waveId: 'warmup',
      channel: 'sms',
      sendId: 'warmup-sms-1',
      address: '+8613800138000',
      device: 'mobile',
      status: 'sent',
      parts: 1,
      updatedAt: at,
      ...(tier === undefined ? {} : { tier }),
      ...overrides,
    };
  }

  const sentOf = (touches: Touch[]) =>
    touches
      .filter((t) => t.status === 'sent')
      .map((t) => ({
        customerId: t.customerId,
        waveId: t.waveId,
        channel: t.channel,
        at: Date.parse(at),
        tier: t.tier,
      }));

  function order(customerId: string, amount: number, paidHoursAfter: number): OrderState {
    return {
      orderId: `O-${customerId}`,
      customerId,
      amount,
      paidAt: new Date(Date.parse(at) + paidHoursAfter * 3_600_000).toISOString(),
    } as OrderState;
  }

  it('gives each tier its touches, cost and credited orders, no tier last', () => {
    // Prepare
    const touches = [
      touch('A', 'VIP2'),
      touch('A', 'VIP2', { channel: 'email', sendId: 'warmup-email-1', parts: undefined }),
      touch('B', 'VIP2', { status: 'suppressed', reason: 'opt-out', updatedAt: undefined }),
      touch('C', 'VIP1', { parts: 2 }),
      touch('D', undefined),
    ];
    const orders = [order('A', 300, 5), order('C', 99.5, 10), order('D', 10, 100)];

    // Act
    const rows = tierRows(touches, sentOf(touches), orders, campaign);

    // Assess
    expect(rows).toEqual([
      { tier: 'VIP1', customers: 1, planned: 1, sent: 1, orders: 1, revenue: 99.5, cost: 0.1, roi: 994 },
      { tier: 'VIP2', customers: 2, planned: 3, sent: 2, orders: 1, revenue: 300, cost: 0.06, roi: 4999 },
      { tier: '', customers: 1, planned: 1, sent: 1, orders: 0, revenue: 0, cost: 0.05, roi: -1 },
    ]);
  });

  it('has no breakdown when no touch has a tier', () => {
    // Prepare
    const touches = [touch('A', undefined), touch('B', undefined)];

    // Act
    const rows = tierRows(touches, sentOf(touches), [], campaign);

    // Assess
    expect(rows).toBeUndefined();
  });
});
