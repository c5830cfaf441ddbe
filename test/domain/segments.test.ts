/** The playbook groups at their boundaries, with days counted back from `now`. */
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import { type CustomerFacts, primaryGroup, type SegmentationContext } from '../../functions/domain/segments.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;
const settings = parseCampaign({
  id: 'x',
  midnight: '2026-11-11T00:00',
  waves: [{ id: 'm', sms: 'midnight' }],
}).segments;
const context: SegmentationContext = { settings, now: NOW, campaignYear: 2026, timeZone: 'Asia/Shanghai' };

function groupOf(facts: Partial<CustomerFacts>, at: SegmentationContext = context): string {
  return primaryGroup({ d11Years: [], ...facts }, at);
}

describe('primary group, first match wins', () => {
  it.each([
    ['unpaid first, whatever else is true', { unpaidOrder: true, d11Years: [2024, 2025] }, 'unpaid'],
    ['d11-loyal: both of the last two Double-11s', { d11Years: [2024, 2025], orderCount: 5 }, 'd11-loyal'],
    ['not loyal when a year is missing', { d11Years: [2023, 2025], orderCount: 5 }, 'd11-veteran'],
    [
      'd11-only: every order on a Double-11',
      { d11Years: [2023], orderCount: 1, lastOrderAt: Date.parse('2023-11-11T10:00:00+08:00') },
      'd11-only',
    ],
    [
      'not d11-only with more orders than Double-11s',
      { d11Years: [2023], orderCount: 2, lastOrderAt: Date.parse('2023-11-11T10:00:00+08:00') },
      'd11-veteran',
    ],
    ['recent-high by orders', { lastOrderAt: NOW - 90 * DAY, orderCount: 3 }, 'recent-high'],
    ['recent-high by spend', { lastOrderAt: NOW - 10 * DAY, totalSpend: 1000 }, 'recent-high'],
    ['recent at exactly 90 days', { lastOrderAt: NOW - 90 * DAY, orderCount: 1 }, 'recent'],
    ['dormant-shallow just past 90 days', { lastOrderAt: NOW - 90 * DAY - 1000 }, 'dormant-shallow'],
    ['dormant-shallow at 180 days', { lastOrderAt: NOW - 180 * DAY }, 'dormant-shallow'],
    ['dormant-deep past 180 days', { lastOrderAt: NOW - 181 * DAY }, 'dormant-deep'],
    ['dormant-deep at 365 days', { lastOrderAt: NOW - 365 * DAY }, 'dormant-deep'],
    ['churned past 365 days', { lastOrderAt: NOW - 366 * DAY }, 'churned'],
    ['churned when they never ordered', {}, 'churned'],
  ])('%s', (_, facts, expected) => {
    // Prepare / Act
    const group = groupOf(facts);

    // Assess
    expect(group).toBe(expected);
  });

  it('counts loyalty back from the campaign year, with N a campaign setting', () => {
    // Prepare
    const threeYears: SegmentationContext = { ...context, settings: { ...settings, loyalYears: 3 } };

    // Act
    const two = groupOf({ d11Years: [2024, 2025], orderCount: 6 }, threeYears);
    const three = groupOf({ d11Years: [2023, 2024, 2025], orderCount: 6 }, threeYears);

    // Assess
    expect([two, three]).toEqual(['d11-veteran', 'd11-loyal']);
  });

  it("reads d11-only from past Double-11s only, as the other Double-11 groups do (not this campaign's own)", () => {
    // Prepare: replanned on the festival's day, for a customer whose one order is from this morning.
    const onTheDay: SegmentationContext = { ...context, now: Date.parse('2026-11-11T12:00:00+08:00') };
    const thisYear = { d11Years: [2026], orderCount: 1, lastOrderAt: Date.parse('2026-11-11T00:05:00+08:00') };
    const pastToo = { d11Years: [2025, 2026], orderCount: 2, lastOrderAt: Date.parse('2026-11-11T00:05:00+08:00') };

    // Act
    const groups = [groupOf(thisYear, onTheDay), groupOf(pastToo, onTheDay)];

    // Assess: a first order on this Double-11 is no Double-11 history yet; two orders against one past year is not "only".
    expect(groups).toEqual(['recent', 'd11-veteran']);
  });

  it('follows a custom group order', () => {
    // Prepare
    const recentFirst: SegmentationContext = {
      ...context,
      settings: { ...settings, order: ['recent', ...settings.order.filter((g) => g !== 'recent')] },
    };

    // Act
    const group = groupOf({ unpaidOrder: true, lastOrderAt: NOW - DAY }, recentFirst);

    // Assess
    expect(group).toBe('recent');
  });
});
