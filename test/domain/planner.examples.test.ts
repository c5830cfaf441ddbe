/** The planner at the edges the playbook cares about: each example pinned in time. */
import { describe, expect, it } from 'vitest';
import { CampaignFileError, type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { warningText } from '../../functions/domain/i18n.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const HOUR = 3_600_000;

function customers(count: number, overrides: Partial<Customer> = {}): CustomerSet {
  const set = new CustomerSet();
  for (let index = 0; index < count; index += 1) {
    set.upsert(
      {
        customerId: `C${String(index).padStart(6, '0')}`,
        phone: '+8613800138000',
        email: `c${index}@qq.com`,
        name: '王芳',
        device: 'mobile',
        d11Years: [],
        segment: 'customers',
        ...overrides,
      },
      0,
    );
  }
  return set;
}

// These examples are about caps, times and audiences: China's SMS rules (registered templates) have their own tests.
function campaignWith(waves: CampaignInput['waves'], settings: Partial<CampaignInput> = {}) {
  return parseCampaign({ id: 'edge', midnight: '2026-11-11T00:00', smsRules: 'none', ...settings, waves });
}

function plan(input: ReturnType<typeof campaignWith>, set: CustomerSet, now = NOW) {
  const result = planCampaign({ campaign: input, customers: set, now });
  expect(brokenPlaybookRules(input, set, result, now)).toEqual([]);
  return result;
}

describe('wave times and quiet hours', () => {
  it('sends a wave at 09:00 sharp, the first minute after quiet hours', () => {
    // Prepare
    const campaign = campaignWith([{ id: 'morning', sms: '2026-11-05T09:00', audience: ['*'] }]);

    // Act
    const { timeline } = plan(campaign, customers(10));

    // Assess
    expect(timeline.sends.map((s) => s.at)).toEqual(['2026-11-05T09:00:00+08:00']);
  });

  it('refuses a wave at 08:59, naming the wave and the rule', () => {
    // Prepare
    const input = { id: 'edge', midnight: '2026-11-11T00:00', waves: [{ id: 'early', sms: '2026-11-05T08:59' }] };

    // Act
    const act = () => parseCampaign(input);

    // Assess
    expect(act).toThrow(CampaignFileError);
    expect(act).toThrow(/waves\[0\]\.sms: falls in quiet hours/);
  });

  it('starts a wave at 21:59 and finishes what does not fit after quiet hours, with a warning', () => {
    // Prepare: 2,000 SMS at 1/s take 33 minutes; only one minute is left before 22:00.
    const campaign = campaignWith([{ id: 'late', sms: '2026-11-05T21:59', audience: ['*'] }], {
      smsRatePerSecond: 1,
    });

    // Act
    const { timeline } = plan(campaign, customers(2000));

    // Assess
    const [first, second] = timeline.sends;
    expect(first).toMatchObject({ at: '2026-11-05T21:59:00+08:00', customers: 60, slice: 1, group: 1 });
    expect(second).toMatchObject({ at: '2026-11-06T09:00:00+08:00', customers: 1940, slice: 2, group: 1 });
    expect(timeline.warnings.join('\n')).toMatch(/wave late: the SMS send pauses for quiet hours/);
    expectWarningValues(timeline);
  });

  it('drops what cannot be sent before the next wave as no-window, least valuable last in line', () => {
    // Prepare: 100 SMS at 0.001/s, one day apart, cannot finish.
    const campaign = campaignWith(
      [
        { id: 'first', sms: '2026-11-05T12:00', audience: ['*'] },
        { id: 'second', sms: '2026-11-06T12:00', audience: ['*'] },
      ],
      { smsRatePerSecond: 0.001, caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1 } },
    );

    // Act
    const { timeline } = plan(campaign, customers(100));

    // Assess: 11 allowed hours x 3.6 SMS an hour before the next wave.
    const first = timeline.waves.find((w) => w.id === 'first');
    expect(first?.planned.sms).toBeLessThan(100);
    expect(first?.dropped['no-window']).toBe(100 - (first?.planned.sms ?? 0));
    expect(timeline.warnings.join('\n')).toMatch(/wave first: .* SMS cannot be sent before the next wave/);
    expectWarningValues(timeline);
  });

  it('places an email wave whose window crosses quiet hours in allowed time, 48 to 72 h ahead', () => {
    // Prepare: SMS at 10:00, so the window runs 11-02 10:00 to 11-03 10:00 across a quiet night.
    const campaign = campaignWith([{ id: 'w', sms: '2026-11-05T10:00', audience: ['*'], email: true }]);

    // Act
    const { timeline } = plan(campaign, customers(500));

    // Assess: the latest start that finishes before 10:00 on 11-03, on the quarter hour.
    const email = timeline.sends.find((s) => s.channel === 'email');
    expect(email?.at).toBe('2026-11-03T09:45:00+08:00');
    const lead = Date.parse('2026-11-05T10:00:00+08:00') - Date.parse(email?.at ?? '');
    expect(lead).toBeGreaterThanOrEqual(48 * HOUR);
    expect(lead).toBeLessThanOrEqual(72 * HOUR);
  });

  it('moves a long email wave to the evening before quiet hours', () => {
    // Prepare: 10,000 emails at 2/s take 83 minutes: too long for 09:00-10:00.
    const campaign = campaignWith([{ id: 'w', sms: '2026-11-05T10:00', audience: ['*'], email: true }], {
      emailRatePerSecond: 2,
    });

    // Act
    const { timeline } = plan(campaign, customers(10_000));

    // Assess
    expect(timeline.waves[0]?.emailAt).toBe('2026-11-02T20:30:00+08:00');
  });
});

describe('groups and the midnight push', () => {
  it('splits 30,001 customers into two even groups', () => {
    // Prepare
    const campaign = campaignWith([{ id: 'midnight', sms: 'midnight', audience: ['*'] }], {
      smsRatePerSecond: 1000,
    });

    // Act: recent buyers, whom the midnight push may reach without a warning.
    const { timeline } = plan(campaign, customers(30_001, { lastOrderAt: NOW - 240 * HOUR }));

    // Assess
    expect(timeline.warnings, 'this plan should have no warnings').toEqual([]);
    expect('warningDetails' in timeline, 'a plan without warnings writes no warningDetails').toBe(false);
    expect(timeline.sends.map((s) => [s.group, s.customers])).toEqual([
      [1, 15_001],
      [2, 15_000],
    ]);
  });

  it('lands the midnight push at 00:00:00 local, through quiet hours, and warns past the first hour', () => {
    // Prepare: 100,000 SMS at 20/s take 83 minutes.
    const campaign = campaignWith([{ id: 'midnight', sms: 'midnight', audience: ['*'] }]);

    // Act
    const { timeline } = plan(campaign, customers(100_000));

    // Assess
    expect(timeline.sends[0]).toMatchObject({ at: '2026-11-11T00:00:00+08:00', midnight: true, group: 1 });
    expect(timeline.sends.every((s) => s.slice === 1)).toBe(true);
    expect(timeline.sends.map((s) => s.estimatedSeconds)).toEqual([1250, 1250, 1250, 1250]);
    expect(timeline.sends[3]?.at).toBe('2026-11-11T01:02:30+08:00');
    expect(timeline.warnings.join('\n')).toMatch(/midnight push takes 1 h 23 min \(1\.4 hours\) at 20 SMS parts\/s/);
    expectWarningValues(timeline);
  });

  it('gives the midnight push to every eligible customer before any other wave', () => {
    // Prepare: one touch allowed; the earlier wave would take it if it went first.
    const campaign = campaignWith(
      [
        { id: 'early', sms: '2026-11-01T12:00', audience: ['*'], email: true },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ],
      { caps: { touches: 1, smsPerMonth: 2, multiSmsShare: 0.3 } },
    );

    // Act
    const { timeline } = plan(campaign, customers(50));

    // Assess
    expect(timeline.waves.find((w) => w.id === 'midnight')?.planned.sms).toBe(50);
    expect(timeline.waves.find((w) => w.id === 'early')?.dropped).toEqual({ 'cap:touches': 100 });
  });
});

describe('reasons a touch does not happen', () => {
  it('sends nothing to a customer who opted out of every channel', () => {
    // Prepare
    const campaign = campaignWith([
      { id: 'w', sms: '2026-11-05T12:00', audience: ['*'], email: true },
      { id: 'midnight', sms: 'midnight', audience: ['*'], email: true },
    ]);

    // Act
    const { timeline } = plan(campaign, customers(3, { optOutSms: true, optOutEmail: true }));

    // Assess
    expect(timeline.sends).toEqual([]);
    expect(timeline.dropped).toEqual({ 'opt-out': 12 });
    expect(timeline.summary.reached).toBe(0);
  });

  it('counts missing channels and past waves', () => {
    // Prepare
    const campaign = campaignWith([
      { id: 'gone', sms: '2026-10-18T12:00', audience: ['*'], email: true },
      { id: 'w', sms: '2026-11-05T12:00', audience: ['*'], email: true },
    ]);
    const set = customers(2, { phone: undefined, email: undefined });

    // Act
    const { timeline } = plan(campaign, set);

    // Assess
    expect(timeline.waves[0]?.dropped).toEqual({ past: 4 });
    expect(timeline.waves[1]?.dropped).toEqual({ 'no-email': 2, 'no-phone': 2 });
    expect(timeline.warnings.join('\n')).toMatch(/wave gone: .* before the planning time/);
    expectWarningValues(timeline);
  });

  it('keeps an email wave to the domains its condition names', () => {
    // Prepare
    const campaign = campaignWith([
      { id: 'w', sms: '2026-11-05T12:00', audience: ['*'], email: { domains: ['163.com'] } },
    ]);

    // Act
    const { timeline } = plan(campaign, customers(4));

    // Assess
    expect(timeline.waves[0]?.dropped).toEqual({ 'email-condition': 4 });
  });

  it('warns about an audience that matches nothing', () => {
    // Prepare
    const campaign = campaignWith([{ id: 'w', sms: '2026-11-05T12:00', audience: ['vvip'] }]);

    // Act
    const { timeline } = plan(campaign, customers(4));

    // Assess
    expect(timeline.warnings).toContain(
      'wave w: audience "vvip" is neither a playbook group nor a segment label in the files; it matches nobody',
    );
    expectWarningValues(timeline);
  });
});

describe('message parts and durations', () => {
  it('counts a long Chinese SMS in 67-character parts and times the send by parts', () => {
    // Prepare: a 100-character text is two parts.
    const text = `{signature}${'双'.repeat(80)}{link} {optOut}`;
    const campaign = campaignWith([{ id: 'w', sms: '2026-11-05T12:00', audience: ['*'], templates: { sms: text } }], {
      smsRatePerSecond: 10,
    });

    // Act
    const { timeline } = plan(campaign, customers(100));

    // Assess
    expect(timeline.sends[0]).toMatchObject({ smsParts: 200, estimatedSeconds: 20 });
    expect(timeline.waves[0]?.smsExample?.parts).toBe(2);
  });
});

describe("the marketer's own group labels", () => {
  it('are carried into the timeline for the pages, and only when the campaign gives some', () => {
    // Prepare
    const waves: CampaignInput['waves'] = [{ id: 'midnight', sms: 'midnight', audience: ['*'] }];
    const labelled = campaignWith(waves, { groupLabels: { 'd11-loyal': '双11老粉' } });

    // Act
    const withLabels = plan(labelled, customers(3)).timeline;
    const without = plan(campaignWith(waves), customers(3)).timeline;

    // Assess
    expect(withLabels.groupLabels).toEqual({ 'd11-loyal': '双11老粉' });
    expect('groupLabels' in without, 'a plan without labels keeps the timeline file as before').toBe(false);
  });
});

/** The typed warnings are the English sentences' source: same order, same length, Chinese in zh. */
function expectWarningValues(timeline: Timeline): void {
  const details = timeline.warningDetails ?? [];
  expect(details.length, 'one value per warning sentence').toBe(timeline.warnings.length);
  expect(details.map((w) => warningText(w, 'en', timeline.timezone))).toEqual(timeline.warnings);
  for (const warning of details) {
    expect(warningText(warning, 'zh', timeline.timezone), warning.code).toMatch(/[\u4e00-\u9fff]/);
  }
}
