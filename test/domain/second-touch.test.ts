/** Who gains most from a second SMS, and what the planner makes of it on the sample store. */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { campaignYear, parseCampaign } from '../../functions/domain/campaign.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import { DEFAULT_MULTI_SMS_GROUPS, secondTouchBenefit } from '../../functions/domain/second-touch.ts';
import { primaryGroup } from '../../functions/domain/segments.ts';
import { sampleCsvLines } from '../../functions/sample/generate-customers.ts';
import { loadCustomers } from '../../functions/usecases/plan-offline.ts';

const NOW = Date.parse('2026-10-15T12:00:00+08:00');
const DAY = 86_400_000;

describe('the benefit of a second SMS', () => {
  it('ranks a Double-11 regular above a recent big spender who never bought on Double-11', () => {
    // Prepare
    const regular = { d11Years: [2023, 2024, 2025], totalSpend: 800, lastOrderAt: NOW - 200 * DAY };
    const recentBigSpender = { d11Years: [], totalSpend: 20_000, lastOrderAt: NOW - 2 * DAY };

    // Act
    const scores = [regular, recentBigSpender].map((facts) => secondTouchBenefit(facts, NOW, 2026));

    // Assess
    expect(scores[0], 'the Double-11 regular').toBeGreaterThan(scores[1] as number);
  });

  it('ranks the valuable dormant customer above the same customer who just bought', () => {
    const dormant = secondTouchBenefit({ d11Years: [], totalSpend: 5000, lastOrderAt: NOW - 150 * DAY }, NOW, 2026);
    const recent = secondTouchBenefit({ d11Years: [], totalSpend: 5000, lastOrderAt: NOW - 3 * DAY }, NOW, 2026);
    expect(dormant).toBeGreaterThan(recent);
  });

  it('ranks the better of two dormant customers first', () => {
    const better = secondTouchBenefit({ d11Years: [], totalSpend: 3000, lastOrderAt: NOW - 150 * DAY }, NOW, 2026);
    const weaker = secondTouchBenefit({ d11Years: [], totalSpend: 30, lastOrderAt: NOW - 150 * DAY }, NOW, 2026);
    expect(better).toBeGreaterThan(weaker);
  });

  it('puts an unpaid order first: the reminder finishes a purchase begun', () => {
    expect(secondTouchBenefit({ d11Years: [], unpaidOrder: true }, NOW, 2026)).toBe(1);
  });

  it('counts only Double-11s before the campaign year, and stays within 0 to 1', () => {
    const thisYear = secondTouchBenefit({ d11Years: [2026] }, NOW, 2026);
    const none = secondTouchBenefit({ d11Years: [] }, NOW, 2026);
    const best = secondTouchBenefit(
      { d11Years: [2021, 2022, 2023, 2024, 2025], totalSpend: 1e9, lastOrderAt: NOW - 2000 * DAY },
      NOW,
      2026,
    );
    expect(thisYear).toBe(none);
    expect(best).toBeCloseTo(1, 10);
  });

  it('by default allows a second SMS to the Double-11, dormant and unpaid groups, not to recent buyers', () => {
    expect([...DEFAULT_MULTI_SMS_GROUPS].sort()).toEqual(
      ['d11-loyal', 'd11-only', 'd11-veteran', 'dormant-deep', 'dormant-shallow', 'unpaid'].sort(),
    );
    expect(
      parseCampaign({ id: 'c', midnight: '2026-11-11T00:00', waves: [{ id: 'm', sms: 'midnight' }] }).caps,
    ).toMatchObject({ multiSmsGroups: [...DEFAULT_MULTI_SMS_GROUPS] });
  });

  it('refuses a group the planner does not know, naming the field', () => {
    expect(() =>
      parseCampaign({
        id: 'c',
        midnight: '2026-11-11T00:00',
        caps: { multiSmsGroups: ['d11-loyal', 'vip'] },
        waves: [{ id: 'm', sms: 'midnight' }],
      }),
    ).toThrow(/caps\.multiSmsGroups\[1\]/);
  });
});

describe('second SMS on the sample store', () => {
  it('gives recent-high customers far fewer second SMS than the Double-11 groups', async () => {
    // Prepare: the sample campaign and 20,000 sample customers.
    const campaign = parseCampaign(await readFile('functions/sample/d11-2026.campaign.json', 'utf8'));
    const text = [...sampleCsvLines({ customers: 20_000, now: new Date(NOW) })].join('\n');
    const { customers } = await loadCustomers({
      sources: [{ name: 'sample.csv', open: () => Readable.from([Buffer.from(text)]) }],
      timeZone: campaign.timezone,
      onRejected: () => {},
    });

    // Act
    const plan = planCampaign({ campaign, customers, now: NOW });

    // Assess: per group, the share of reached customers planned two SMS.
    const sms = new Map<number, number>();
    const reached = new Set<number>();
    plan.members.forEach((members, position) => {
      const isSms = plan.timeline.sends[position]?.channel === 'sms';
      for (const index of members) {
        reached.add(index);
        if (isSms) sms.set(index, (sms.get(index) ?? 0) + 1);
      }
    });
    const context = {
      settings: campaign.segments,
      now: NOW,
      campaignYear: campaignYear(campaign),
      timeZone: campaign.timezone,
    };
    const counts = new Map<string, { reached: number; twice: number }>();
    for (const index of reached) {
      const group = primaryGroup(customers.get(index), context);
      const count = counts.get(group) ?? { reached: 0, twice: 0 };
      count.reached += 1;
      if ((sms.get(index) ?? 0) > 1) count.twice += 1;
      counts.set(group, count);
    }
    const share = (group: string) => {
      const count = counts.get(group);
      return count && count.reached > 0 ? count.twice / count.reached : 0;
    };
    expect(counts.get('recent-high')?.reached, 'recent-high customers are reached').toBeGreaterThan(1000);
    expect(share('recent-high'), 'recent-high with two SMS').toBeLessThan(0.05);
    expect(share('d11-loyal'), 'd11-loyal with two SMS').toBeGreaterThan(0.5);
    expect(share('d11-veteran'), 'd11-veteran with two SMS').toBeGreaterThan(0.5);
    expect(plan.timeline.summary.multiSms).toBeLessThanOrEqual(plan.timeline.summary.multiSmsLimit);
  });
});
