/** The playbook's finer groups in a plan: targeted sub-groups, their counts, and the sprint and midnight warnings. */
import { describe, expect, it } from 'vitest';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { warningText } from '../../functions/domain/i18n.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;

/** A store: `count` customers of each given shape, ids in order. */
function store(shapes: Array<[number, Partial<Customer>]>): CustomerSet {
  const set = new CustomerSet();
  let id = 0;
  for (const [count, shape] of shapes) {
    for (let n = 0; n < count; n += 1) {
      set.upsert(
        {
          customerId: `C${String(id++).padStart(5, '0')}`,
          phone: '+8613800138000',
          device: 'mobile',
          d11Years: [],
          segment: 'customers',
          ...shape,
        },
        0,
      );
    }
  }
  return set;
}

function planOf(waves: CampaignInput['waves'], customers: CustomerSet) {
  const campaign = parseCampaign({
    // Not about China's SMS rules (registered templates): those have their own tests.
    smsRules: 'none',
    id: 'groups',
    midnight: '2026-11-11T00:00',
    waves,
  });
  const plan = planCampaign({ campaign, customers, now: NOW });
  expect(brokenPlaybookRules(campaign, customers, plan, NOW), 'a playbook rule is broken').toEqual([]);
  return plan;
}

const RECENT = { lastOrderAt: NOW - 10 * DAY, orderCount: 1, totalSpend: 100 };
const DEEP_RETURNING_HIGH = { lastOrderAt: NOW - 200 * DAY, orderCount: 3, totalSpend: 1500 };
const DEEP_NEW_LOW = { lastOrderAt: NOW - 200 * DAY, orderCount: 1, totalSpend: 80 };
const CHURNED_NEVER = { orderCount: 0 };

describe('sub-groups in a plan', () => {
  it('sends a wave for dormant-deep:returning-high to those customers only, and counts every sub-group', () => {
    // Prepare
    const customers = store([
      [3, DEEP_RETURNING_HIGH],
      [5, DEEP_NEW_LOW],
      [2, CHURNED_NEVER],
    ]);

    // Act
    const plan = planOf(
      [{ id: 'winback', sms: '2026-10-25T12:00', audience: ['dormant-deep:returning-high'] }],
      customers,
    );

    // Assess
    const winback = plan.timeline.waves.find((wave) => wave.id === 'winback');
    expect(winback?.planned.sms, 'only the three returning, higher-value deeply dormant customers').toBe(3);
    expect([...(plan.members[0] ?? [])]).toEqual([0, 1, 2]);
    expect(plan.timeline.summary.groups).toMatchObject({ 'dormant-deep': 8, churned: 2 });
    expect(plan.timeline.summary.subGroups).toMatchObject({
      'dormant-deep:returning-high': 3,
      'dormant-deep:new-low': 5,
      'churned:new-low': 2,
      'dormant-shallow:new-high': 0,
    });
    expect(Object.keys(plan.timeline.summary.subGroups ?? {})).toHaveLength(12);
    expect(plan.timeline.warningDetails ?? [], 'a sub-group is a known audience').toEqual([]);
  });

  it('takes half of a split as an audience: churned:high or dormant-deep:new', () => {
    // Prepare
    const customers = store([
      [3, DEEP_RETURNING_HIGH],
      [5, DEEP_NEW_LOW],
      [2, { ...CHURNED_NEVER, orderCount: 1, totalSpend: 900, lastOrderAt: NOW - 500 * DAY }],
    ]);

    // Act
    const plan = planOf(
      [{ id: 'w', sms: '2026-10-25T12:00', audience: ['dormant-deep:new', 'churned:high'] }],
      customers,
    );

    // Assess
    expect([...(plan.members[0] ?? [])].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('the first sprint, 11.1 to 11.8, aims at about 70%', () => {
  const customers = store([
    [70, RECENT],
    [20, DEEP_NEW_LOW],
    [10, CHURNED_NEVER],
  ]);

  it('is quiet when a sprint wave reaches 70% of the customers it can reach', () => {
    // Act
    const plan = planOf([{ id: 'sprint', sms: '2026-11-03T12:00', audience: ['recent'] }], customers);

    // Assess
    expect(plan.timeline.warningDetails ?? []).toEqual([]);
  });

  it('warns when a sprint wave reaches everyone, in both languages', () => {
    // Act
    const plan = planOf([{ id: 'sprint', sms: '2026-11-03T12:00', audience: ['*'] }], customers);

    // Assess
    expect(plan.timeline.warningDetails).toEqual([
      {
        code: 'sprint-reach',
        wave: 'sprint',
        smsAt: '2026-11-03T12:00:00+08:00',
        reached: 100,
        eligible: 100,
        low: 0.55,
        high: 0.85,
      },
    ]);
    expect(plan.timeline.warnings[0]).toContain('reaches 100 of the 100 customers its channels can reach (100%)');
    expect(warningText(plan.timeline.warningDetails?.[0] as never, 'zh', 'Asia/Shanghai')).toContain('70% 左右');
  });

  it('leaves waves before 11.1 and unpaid reminders alone', () => {
    // Act
    const plan = planOf(
      [
        { id: 'presale', sms: '2026-10-31T12:00', audience: ['*'] },
        { id: 'unpaid', sms: '2026-11-05T12:00', audience: ['recent'], stopOnPurchase: true },
      ],
      customers,
    );

    // Assess
    expect(plan.timeline.warningDetails ?? []).toEqual([]);
  });
});

describe('the midnight push and the weakest groups', () => {
  it('warns when the push reaches dormant-deep and churned customers, with their counts', () => {
    // Prepare
    const customers = store([
      [4, RECENT],
      [2, DEEP_NEW_LOW],
      [1, CHURNED_NEVER],
      [1, { ...CHURNED_NEVER, optOutSms: true }],
    ]);

    // Act
    const plan = planOf([{ id: 'midnight', sms: 'midnight', audience: ['*'] }], customers);

    // Assess: the opted-out churned customer gets no push, so is not counted.
    expect(plan.timeline.warningDetails).toEqual([
      { code: 'midnight-risky-groups', wave: 'midnight', dormantDeep: 2, churned: 1 },
    ]);
  });

  it('is quiet when the push spares them', () => {
    // Prepare
    const customers = store([
      [4, RECENT],
      [2, DEEP_NEW_LOW],
    ]);

    // Act
    const plan = planOf([{ id: 'midnight', sms: 'midnight', audience: ['recent', 'dormant-shallow'] }], customers);

    // Assess
    expect(plan.timeline.warningDetails ?? []).toEqual([]);
  });
});
