/** Care before promotion: recent buyers are kept out of the promotional waves before the festival. */
import { describe, expect, it } from 'vitest';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { reasonText } from '../../functions/domain/i18n.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;
const WARMUP = Date.parse('2026-11-05T12:00:00+08:00');

function setOf(lastOrders: Array<number | undefined>, extra: Partial<Customer> = {}): CustomerSet {
  const set = new CustomerSet();
  lastOrders.forEach((lastOrderAt, index) => {
    const customer: Customer = {
      customerId: `C${index}`,
      phone: '+8613800138000',
      email: `c${index}@qq.com`,
      device: 'mobile',
      d11Years: [],
      segment: 'customers',
      ...extra,
    };
    if (lastOrderAt !== undefined) customer.lastOrderAt = lastOrderAt;
    set.upsert(customer, 0);
  });
  return set;
}

const WAVES: CampaignInput['waves'] = [
  { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
  { id: 'unpaid', sms: '2026-11-09T20:00', audience: ['*'], stopOnPurchase: true },
  { id: 'midnight', sms: 'midnight', audience: ['*'] },
];

function campaignOf(settings: Partial<CampaignInput> = {}) {
  return parseCampaign({
    // Not about China's SMS rules (registered templates): those have their own tests.
    smsRules: 'none',
    id: 'care',
    midnight: '2026-11-11T00:00',
    caps: { touches: 4, smsPerMonth: 3, multiSmsShare: 1, multiSmsGroups: ['recent', 'recent-high', 'churned'] },
    ...settings,
    waves: WAVES,
  });
}

function touchesOf(plan: ReturnType<typeof planCampaign>, index: number): string[] {
  return plan.timeline.sends
    .filter((_, position) => plan.members[position]?.includes(index))
    .map((send) => `${send.waveId}.${send.channel}`);
}

describe('the care window', () => {
  it('keeps a customer who bought 10 days before the warm-up out of it, SMS and email', () => {
    // Prepare: one bought 10 days before the warm-up, one 16 days before, one never.
    const customers = setOf([WARMUP - 10 * DAY, WARMUP - 16 * DAY, undefined]);
    const campaign = campaignOf();

    // Act
    const plan = planCampaign({ campaign, customers, now: NOW });

    // Assess
    expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
    expect(touchesOf(plan, 0), 'the recent buyer').toEqual(['unpaid.sms', 'midnight.sms']);
    expect(touchesOf(plan, 1), 'bought 16 days before').toContain('warmup.sms');
    expect(touchesOf(plan, 2), 'never bought').toContain('warmup.sms');
    const warmup = plan.timeline.waves.find((wave) => wave.id === 'warmup');
    expect(warmup?.dropped).toMatchObject({ 'care-window': 2 });
    expect(plan.timeline.dropped['care-window']).toBe(2);
  });

  it('counts the window from the wave, not from the planning time, and keeps the edge day in it', () => {
    // Prepare: exactly 15 days before the warm-up, and 15 days and one minute before.
    const customers = setOf([WARMUP - 15 * DAY, WARMUP - 15 * DAY - 60_000]);

    // Act
    const plan = planCampaign({ campaign: campaignOf(), customers, now: NOW });

    // Assess
    expect(touchesOf(plan, 0)).not.toContain('warmup.sms');
    expect(touchesOf(plan, 1)).toContain('warmup.sms');
  });

  it('follows careDays, and 0 turns the rule off', () => {
    // Prepare
    const customers = setOf([WARMUP - 10 * DAY]);

    // Act
    const shorter = planCampaign({ campaign: campaignOf({ careDays: 7 }), customers, now: NOW });
    const off = planCampaign({ campaign: campaignOf({ careDays: 0 }), customers, now: NOW });

    // Assess
    expect(touchesOf(shorter, 0)).toContain('warmup.sms');
    expect(touchesOf(off, 0)).toContain('warmup.sms');
    expect(off.timeline.dropped['care-window']).toBeUndefined();
  });

  it('keeps the reason a touch could not happen anyway: no phone stays no-phone', () => {
    const customers = setOf([WARMUP - 1 * DAY], { phone: undefined });
    const plan = planCampaign({ campaign: campaignOf(), customers, now: NOW });
    expect(plan.timeline.waves[0]?.dropped).toEqual({ 'care-window': 1, 'no-phone': 1 });
  });

  it('refuses a careDays that is not a whole number of days from 0 to 365, naming the field', () => {
    expect(() => campaignOf({ careDays: -1 })).toThrow(/careDays/);
    expect(() => campaignOf({ careDays: 1.5 })).toThrow(/careDays/);
  });

  it('explains the reason in Chinese and English', () => {
    expect(reasonText('care-window', 'zh')?.short).toBe('近期已购买：不发促销');
    expect(reasonText('care-window', 'en')?.short).toBe('bought recently: no promotion');
  });
});
