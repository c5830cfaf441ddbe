/** The plan's cost, and the budget: what is cut first, what is never cut, and when the plan is refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { reasonText } from '../../functions/domain/i18n.ts';
import { estimateCost } from '../../functions/domain/plan-review.ts';
import { BudgetTooSmallError, planCampaign } from '../../functions/domain/planner.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;

function setOf(count: number, extra: (index: number) => Partial<Customer> = () => ({})): CustomerSet {
  const set = new CustomerSet();
  for (let index = 0; index < count; index += 1) {
    set.upsert(
      {
        customerId: `C${index}`,
        phone: '+8613800138000',
        email: `c${index}@qq.com`,
        name: '王芳',
        device: 'mobile',
        d11Years: [],
        segment: 'customers',
        lastOrderAt: NOW - 100 * DAY,
        totalSpend: 100 * (index + 1),
        ...extra(index),
      },
      0,
    );
  }
  return set;
}

const WAVES: CampaignInput['waves'] = [
  { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
  { id: 'midnight', sms: 'midnight', audience: ['*'] },
];

function campaignOf(budget?: number) {
  return parseCampaign({
    // Not about China's SMS rules (registered templates): those have their own tests.
    smsRules: 'none',
    id: 'budget',
    midnight: '2026-11-11T00:00',
    caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
    prices: { smsPart: 0.05, email: 0.01 },
    ...(budget !== undefined ? { budget } : {}),
    waves: WAVES,
  });
}

const count = (plan: ReturnType<typeof planCampaign>, waveId: string, channel: string) =>
  plan.timeline.sends
    .filter((s) => s.waveId === waveId && s.channel === channel)
    .reduce((sum, s) => sum + s.customers, 0);

describe('the cost of a plan', () => {
  it('states the cost per wave and channel and in total, as the review computes it', () => {
    // Prepare: ten customers, each planned two one-part SMS and one email.
    const plan = planCampaign({ campaign: campaignOf(), customers: setOf(10), now: NOW });

    // Act
    const cost = plan.timeline.summary.cost;

    // Assess: 20 parts x 0.05 + 10 emails x 0.01.
    expect(cost).toEqual(estimateCost(plan.timeline, campaignOf().prices));
    expect(cost?.totalCny).toBe(1.1);
    expect(cost?.lines.map((line) => [line.waveId, line.channel, line.cny])).toEqual([
      ['warmup', 'sms', 0.5],
      ['warmup', 'email', 0.1],
      ['midnight', 'sms', 0.5],
    ]);
    expect(plan.timeline.summary.budget, 'no budget set').toBeUndefined();
  });
});

describe('the budget', () => {
  it('cuts second SMS first, the least benefit first, and keeps every midnight push', () => {
    // Prepare: 1.10 CNY planned; a budget of 1.00 needs 0.10: two second SMS.
    const customers = setOf(10);

    // Act
    const plan = planCampaign({ campaign: campaignOf(1), customers, now: NOW });

    // Assess
    expect(plan.timeline.summary.cost?.totalCny).toBe(1);
    expect(count(plan, 'midnight', 'sms'), 'every midnight push kept').toBe(10);
    expect(count(plan, 'warmup', 'email'), 'no email cut yet').toBe(10);
    expect(count(plan, 'warmup', 'sms')).toBe(8);
    expect(plan.timeline.waves[0]?.dropped).toEqual({ budget: 2 });
    expect(plan.timeline.summary.budget).toEqual({ cny: 1, cut: 2 });
    const warmupMembers = plan.timeline.sends
      .flatMap((send, position) =>
        send.waveId === 'warmup' && send.channel === 'sms' ? [...(plan.members[position] ?? [])] : [],
      )
      .sort((a, b) => a - b);
    expect(warmupMembers, 'the two who gain least (lowest spend) lose their second SMS').toEqual([
      2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(brokenPlaybookRules(campaignOf(1), customers, plan, NOW)).toEqual([]);
  });

  it("then cuts the least valuable customers' emails, then their SMS", () => {
    // Prepare: after all ten second SMS (0.50) the plan costs 0.60; 0.55 needs five emails cut.
    const emailsCut = planCampaign({ campaign: campaignOf(0.55), customers: setOf(10), now: NOW });

    // Act: 0.50 is the midnight push alone: every email and every warm-up SMS goes.
    const onlyMidnight = planCampaign({ campaign: campaignOf(0.5), customers: setOf(10), now: NOW });

    // Assess
    expect(count(emailsCut, 'warmup', 'sms')).toBe(0);
    expect(count(emailsCut, 'warmup', 'email')).toBe(5);
    expect(emailsCut.timeline.summary.cost?.totalCny).toBe(0.55);
    expect(count(onlyMidnight, 'warmup', 'email')).toBe(0);
    expect(count(onlyMidnight, 'midnight', 'sms')).toBe(10);
  });

  it('refuses the plan when the midnight push alone costs more than the budget, naming both', () => {
    // Prepare / Act / Assess: ten midnight SMS cost 0.50.
    expect(() => planCampaign({ campaign: campaignOf(0.49), customers: setOf(10), now: NOW })).toThrow(
      BudgetTooSmallError,
    );
    expect(() => planCampaign({ campaign: campaignOf(0.49), customers: setOf(10), now: NOW })).toThrow(
      /budget: is 0\.49 CNY, less than the midnight push alone costs \(0\.5 CNY for 10 SMS\)/,
    );
  });

  it('refuses a budget that is not a positive amount, naming the field', () => {
    expect(() => campaignOf(0)).toThrow(/budget/);
  });

  it('explains the reason in Chinese and English', () => {
    expect(reasonText('budget', 'zh')?.short).toBe('超出预算：未安排');
    expect(reasonText('budget', 'en')?.short).toBe('over budget: not planned');
  });

  it('never plans more than the budget and keeps the midnight push whenever it fits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 400 }).map((fen) => fen / 100),
        fc.boolean(),
        (size, budget, midnightEmail) => {
          // Prepare: customers of varied value, some without email or phone.
          const customers = setOf(size, (index) => ({
            totalSpend: (index * 7919) % 5000,
            lastOrderAt: NOW - ((index * 31) % 700) * DAY,
            d11Years: index % 3 === 0 ? [2024, 2025] : [],
            ...(index % 5 === 0 ? { email: undefined } : {}),
            ...(index % 7 === 0 ? { phone: undefined } : {}),
            name: index % 2 === 0 ? '欧阳娜娜娜娜' : 'Li',
          }));
          const campaign = parseCampaign({
            // Not about China's SMS rules (registered templates): those have their own tests.
            smsRules: 'none',
            ...campaignOf(),
            budget,
            waves: [
              { id: 'presale', sms: '2026-10-24T20:00', audience: ['*'], email: true },
              { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
              { id: 'midnight', sms: 'midnight', audience: ['*'], email: midnightEmail },
            ],
          });
          const unlimited = planCampaign({ campaign: { ...campaign, budget: undefined }, customers, now: NOW });
          const midnightCost = unlimited.timeline.summary.cost?.lines.find(
            (line) => line.waveId === 'midnight' && line.channel === 'sms',
          )?.cny;

          // Act
          let plan: ReturnType<typeof planCampaign> | undefined;
          try {
            plan = planCampaign({ campaign, customers, now: NOW });
          } catch (error) {
            // Assess: refused only when the push alone is over the budget.
            expect(error).toBeInstanceOf(BudgetTooSmallError);
            expect(midnightCost).toBeGreaterThan(budget);
            return;
          }

          // Assess
          expect(midnightCost ?? 0).toBeLessThanOrEqual(budget);
          expect(plan.timeline.summary.cost?.totalCny).toBeLessThanOrEqual(budget);
          expect(count(plan, 'midnight', 'sms'), 'the midnight push is kept').toBe(count(unlimited, 'midnight', 'sms'));
          expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
