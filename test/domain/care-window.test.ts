/** Care before promotion: recent buyers are kept out of the promotional waves before the festival. */
import { describe, expect, it } from 'vitest';
import { type CampaignFileError, type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { reasonText } from '../../functions/domain/i18n.ts';
import { registrableForm, templateFingerprint } from '../../functions/domain/messages.ts';
import { isCareTouch, planCampaign } from '../../functions/domain/planner.ts';
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

type CareInput = { sms: string; templateId?: string };

const CARE_SMS = '{signature}{name}，感谢您近期的购买，商品用得还满意吗？有问题随时找我们 {link} {optOut}';

function careCampaign(settings: Partial<CampaignInput> = {}, care: CareInput = { sms: CARE_SMS }) {
  return parseCampaign({
    smsRules: 'none',
    id: 'care',
    midnight: '2026-11-11T00:00',
    caps: { touches: 4, smsPerMonth: 3, multiSmsShare: 1, multiSmsGroups: ['recent', 'recent-high', 'churned'] },
    ...settings,
    waves: [{ ...WAVES[0], care }, ...WAVES.slice(1)],
  });
}

describe('the care text of a wave', () => {
  it('gives a recent buyer the wave’s care SMS instead of keeping them out; the email stays care-window', () => {
    // Prepare: one bought 10 days before the warm-up, one never.
    const customers = setOf([WARMUP - 10 * DAY, undefined]);
    const campaign = careCampaign();

    // Act
    const plan = planCampaign({ campaign, customers, now: NOW });

    // Assess
    expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
    expect(touchesOf(plan, 0), 'the recent buyer: the care SMS, no warm-up email').toEqual([
      'warmup.sms',
      'unpaid.sms',
      'midnight.sms',
    ]);
    expect(isCareTouch(plan, 'warmup', 0), 'the recent buyer reads the care text').toBe(true);
    expect(isCareTouch(plan, 'warmup', 1), 'the other reads the promotion').toBe(false);
    expect(isCareTouch(plan, 'midnight', 0), 'the midnight push has no care text').toBe(false);
    const warmup = plan.timeline.waves.find((wave) => wave.id === 'warmup');
    expect(warmup?.dropped, 'only the email is kept from the recent buyer').toEqual({ 'care-window': 1 });
    expect(warmup?.care?.sms, 'care touches counted on the timeline').toBe(1);
    expect(warmup?.care?.example.text).toContain('感谢您近期的购买');
    expect(warmup?.care?.example.text.startsWith('【示例旗舰店】王小明')).toBe(true);
  });

  it('counts the care SMS under every cap like any touch: one SMS a month leaves it to the midnight push', () => {
    // Prepare: the warm-up and the midnight push are both in November; one SMS a month.
    const customers = setOf([WARMUP - 3 * DAY]);
    const campaign = careCampaign({
      caps: { touches: 4, smsPerMonth: 1, multiSmsShare: 1, multiSmsGroups: ['recent', 'recent-high', 'churned'] },
    });

    // Act
    const plan = planCampaign({ campaign, customers, now: NOW });

    // Assess
    expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
    expect(touchesOf(plan, 0)).toEqual(['midnight.sms']);
    const warmup = plan.timeline.waves.find((wave) => wave.id === 'warmup');
    expect(warmup?.dropped).toMatchObject({ 'cap:sms-month': 1 });
    expect(warmup?.care?.sms).toBe(0);
  });

  it('counts the care text’s own parts in the send, not the promotion’s', () => {
    // Prepare: a care text of three UCS-2 parts; the promotion is one part.
    const long = `{signature}{name}，${'感谢您近期的购买，收到的商品用得还满意吗？'.repeat(7)} {link} {optOut}`;
    const customers = setOf([WARMUP - 3 * DAY, undefined]);
    const campaign = careCampaign({}, { sms: long });

    // Act
    const plan = planCampaign({ campaign, customers, now: NOW });

    // Assess: the checker renders each customer's text as the send path does.
    expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
    const warmupSms = plan.timeline.sends.filter((send) => send.waveId === 'warmup' && send.channel === 'sms');
    const parts = warmupSms.reduce((sum, send) => sum + (send.smsParts ?? 0), 0);
    expect(parts, 'one promotion of 1 part and one care text of more').toBe(
      1 + (plan.timeline.waves[0]?.care?.example.parts ?? 0),
    );
    expect(plan.timeline.waves[0]?.care?.example.parts).toBeGreaterThan(2);
  });

  it('refuses a care text on the midnight push or a reminder, and one without signature or opt-out, by field', () => {
    const refused = (waves: CampaignInput['waves']) => {
      try {
        parseCampaign({ smsRules: 'none', id: 'care', midnight: '2026-11-11T00:00', waves });
      } catch (error) {
        return (error as CampaignFileError).problems.map((problem) => `${problem.path}: ${problem.message}`);
      }
      return [];
    };
    expect(refused([{ id: 'm', sms: 'midnight', care: { sms: CARE_SMS } }]).join('\n')).toMatch(
      /^waves\[0\]\.care: does not apply/,
    );
    expect(refused([{ id: 'r', sms: '2026-11-09T20:00', stopOnPurchase: true, care: { sms: CARE_SMS } }])).toHaveLength(
      1,
    );
    const bare = refused([{ id: 'w', sms: '2026-11-05T12:00', care: { sms: '感谢您近期的购买 {link}' } }]);
    expect(bare).toEqual([
      'waves[0].care.sms: must carry the store signature: {signature} or 【示例旗舰店】',
      'waves[0].care.sms: must carry an opt-out instruction: {optOut} or text like 回T退订',
    ]);
  });

  it('under cn-marketing, refuses an unregistered care text at its own path and plans once it is registered', () => {
    // Prepare: the warm-up's own text registered, the care text not yet.
    const own = '{signature}{name}，双11即将开抢，好物先加购 {link} {optOut}';
    const fixed = { signature: '【示例旗舰店】', optOut: '回T退订' };
    const ownPrint = templateFingerprint(registrableForm(own, fixed));
    const carePrint = templateFingerprint(registrableForm(CARE_SMS, fixed));
    const input = (registered: Record<string, string>, care: CareInput): CampaignInput => ({
      id: 'care',
      midnight: '2026-11-11T00:00',
      smsRules: 'cn-marketing',
      registeredTemplates: registered,
      waves: [{ id: 'warmup', sms: '2026-11-05T12:00', templates: { sms: own, templateId: 'SMS_1' }, care }],
    });
    const customers = setOf([WARMUP - 3 * DAY, undefined]);

    // Act
    const plan = (registered: Record<string, string>, care: CareInput) => {
      try {
        planCampaign({ campaign: parseCampaign(input(registered, care)), customers, now: NOW });
        return [];
      } catch (error) {
        return (error as CampaignFileError).problems.map((problem) => problem.path);
      }
    };

    // Assess
    expect(plan({ SMS_1: ownPrint }, { sms: CARE_SMS })).toEqual(['waves[0].care.sms']);
    expect(plan({ SMS_1: ownPrint }, { sms: CARE_SMS, templateId: 'SMS_2' })).toEqual(['waves[0].care.templateId']);
    expect(plan({ SMS_1: ownPrint, SMS_2: carePrint }, { sms: CARE_SMS, templateId: 'SMS_2' })).toEqual([]);
    expect(plan({ SMS_1: ownPrint, SMS_2: carePrint }, { sms: `${CARE_SMS}！`, templateId: 'SMS_2' })).toEqual([
      'waves[0].care.sms',
    ]);
  });
});

describe('the budget with care texts', () => {
  it('costs each customer’s own text: a long care text’s parts count, not the promotion’s', () => {
    // Prepare: a recent buyer (a care text of several parts) and another (a one-part promotion), no
    // midnight push; a budget for three parts: the promotion's length alone would fit both.
    const long = `{signature}{name}，${'感谢您近期的购买，收到的商品用得还满意吗？'.repeat(7)} {link} {optOut}`;
    const customers = setOf([WARMUP - 3 * DAY, undefined], { email: undefined });
    const campaign = parseCampaign({
      smsRules: 'none',
      id: 'care-budget',
      midnight: '2026-11-11T00:00',
      prices: { smsPart: 0.1, email: 0.001 },
      budget: 0.3,
      waves: [{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], care: { sms: long } }],
    });

    // Act
    const plan = planCampaign({ campaign, customers, now: NOW });

    // Assess
    const careParts = plan.timeline.waves[0]?.care?.example.parts ?? 0;
    expect(careParts, 'the care text is long').toBeGreaterThan(2);
    expect(plan.timeline.summary.budget?.cut, 'one SMS cut to keep within the budget').toBe(1);
    expect(plan.timeline.summary.cost?.totalCny ?? 0).toBeLessThanOrEqual(0.3);
    expect(plan.timeline.dropped.budget).toBe(1);
  });
});
