/** The dormant and churned groups' sub-groups: one order or more, higher or lower value. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CampaignFileError, parseCampaign } from '../../functions/domain/campaign.ts';
import { groupName, SUB_GROUP_NAMES } from '../../functions/domain/i18n.ts';
import { type CustomerFacts, PLAYBOOK_GROUPS, primaryGroup } from '../../functions/domain/segments.ts';
import {
  SPLIT_GROUPS,
  SUB_GROUPS,
  subGroupIndexOf,
  subGroupMaskOf,
  subGroupOf,
  subGroupsNamedBy,
} from '../../functions/domain/sub-groups.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;
const settings = parseCampaign({
  id: 'x',
  midnight: '2026-11-11T00:00',
  waves: [{ id: 'm', sms: 'midnight' }],
}).segments;
const context = { settings, now: NOW, campaignYear: 2026, timeZone: 'Asia/Shanghai' };

function facts(extra: Partial<CustomerFacts>): CustomerFacts {
  return { d11Years: [], ...extra };
}

describe('sub-groups of the dormant and churned groups', () => {
  it('defaults the value thresholds to 300 CNY a basket or 1,000 CNY spent', () => {
    // Assess
    expect([settings.subGroupOrderValue, settings.subGroupSpend]).toEqual([300, 1000]);
  });

  it.each([
    ['one order of 350 CNY: new, higher value (the basket)', { orderCount: 1, totalSpend: 350 }, 'new-high'],
    ['one order of 299 CNY: new, lower value', { orderCount: 1, totalSpend: 299 }, 'new-low'],
    ['a last order and spend but no count: one order we know of', { totalSpend: 400 }, 'new-high'],
    ['never ordered: new, lower value', { orderCount: 0 }, 'new-low'],
    ['four orders of 100 CNY: returning, lower value', { orderCount: 4, totalSpend: 400 }, 'returning-low'],
    [
      'three orders of 310 CNY: returning, higher value (the basket)',
      { orderCount: 3, totalSpend: 930 },
      'returning-high',
    ],
    [
      'twenty small orders reaching 1,000 CNY: higher value (the spend)',
      { orderCount: 20, totalSpend: 1000 },
      'returning-high',
    ],
    ['two orders without a spend: returning, lower value', { orderCount: 2 }, 'returning-low'],
  ])('%s', (_, extra: Partial<CustomerFacts>, expected) => {
    // Prepare
    const customer = facts({ lastOrderAt: extra.orderCount === 0 ? undefined : NOW - 200 * DAY, ...extra });

    // Act
    const group = primaryGroup(customer, context);
    const sub = subGroupOf(group, customer, settings);

    // Assess
    expect(group).toBe(extra.orderCount === 0 ? 'churned' : 'dormant-deep');
    expect(sub).toBe(`${group}:${expected}`);
  });

  it('follows the thresholds set in the campaign', () => {
    // Prepare
    const strict = { ...settings, subGroupOrderValue: 1000, subGroupSpend: 5000 };
    const customer = facts({ lastOrderAt: NOW - 120 * DAY, orderCount: 2, totalSpend: 1500 });

    // Act / Assess
    expect(subGroupOf('dormant-shallow', customer, settings)).toBe('dormant-shallow:returning-high');
    expect(subGroupOf('dormant-shallow', customer, strict)).toBe('dormant-shallow:returning-low');
  });

  it('leaves the other groups unsplit', () => {
    // Prepare
    const customer = facts({ lastOrderAt: NOW - DAY, orderCount: 5, totalSpend: 5000 });

    // Act / Assess
    for (const group of PLAYBOOK_GROUPS.filter((g) => !(SPLIT_GROUPS as readonly string[]).includes(g))) {
      expect(subGroupOf(group, customer, settings), group).toBeUndefined();
    }
  });

  it('names every sub-group in both languages, and the halves an audience may name', () => {
    // Assess
    expect(Object.keys(SUB_GROUP_NAMES).sort()).toEqual([...SUB_GROUPS].sort());
    expect(groupName('dormant-deep:returning-high', 'zh')).toBe('深睡客·多次购买·高价值');
    expect(groupName('dormant-deep:returning-high', 'en')).toBe('deeply dormant, repeat buyers, higher value');
    expect(groupName('churned:high', 'zh')).toBe('流失客·高价值');
    expect(groupName('dormant-shallow:returning', 'en')).toBe('lightly dormant, repeat buyers');
    expect(groupName('dormant-shallow:new', 'zh', { 'dormant-shallow': '沉睡A' })).toBe('沉睡A·单次购买');
    expect(groupName('dormant-deep:gold', 'zh'), 'not a sub-group: shown as written').toBe('dormant-deep:gold');
  });

  it('reads an audience entry as a whole sub-group or half of the split', () => {
    // Act / Assess
    expect(subGroupsNamedBy('dormant-deep:returning-high')).toEqual(['dormant-deep:returning-high']);
    expect(subGroupsNamedBy('churned:high')).toEqual(['churned:new-high', 'churned:returning-high']);
    expect(subGroupsNamedBy('dormant-shallow:new')).toEqual(['dormant-shallow:new-high', 'dormant-shallow:new-low']);
    expect(subGroupsNamedBy('dormant-deep'), 'the group itself').toBeNull();
    expect(subGroupsNamedBy('tier:VIP2')).toBeNull();
    expect(subGroupsNamedBy('d11-loyal:high'), 'a group without sub-groups').toBeNull();
    expect(subGroupsNamedBy('dormant-deep:gold')).toBeUndefined();
    expect(subGroupMaskOf(['churned:high', 'dormant-deep:returning-high', 'vip'])).toBe(
      (1 << SUB_GROUPS.indexOf('churned:new-high')) |
        (1 << SUB_GROUPS.indexOf('churned:returning-high')) |
        (1 << SUB_GROUPS.indexOf('dormant-deep:returning-high')),
    );
  });
});

describe('sub-groups over generated stores', () => {
  const customerArbitrary = fc.record(
    {
      lastOrderDaysAgo: fc.integer({ min: -5, max: 900 }),
      orderCount: fc.integer({ min: 0, max: 12 }),
      totalSpend: fc.oneof(fc.integer({ min: 0, max: 6000 }), fc.double({ min: 0, max: 6000, noNaN: true })),
      d11Years: fc.uniqueArray(fc.integer({ min: 2019, max: 2026 }), { maxLength: 4 }),
      unpaidOrder: fc.boolean(),
    },
    { requiredKeys: ['d11Years'] },
  );
  const thresholds = fc.record({
    subGroupOrderValue: fc.integer({ min: 0, max: 2000 }),
    subGroupSpend: fc.integer({ min: 0, max: 5000 }),
  });

  it('puts every customer of a split group in exactly one of its sub-groups, and others in none', () => {
    fc.assert(
      fc.property(fc.array(customerArbitrary, { maxLength: 60 }), thresholds, (raws, split) => {
        // Prepare
        const own = { ...settings, ...split };
        for (const raw of raws) {
          const customer: CustomerFacts = {
            d11Years: raw.d11Years,
            ...(raw.orderCount !== undefined ? { orderCount: raw.orderCount } : {}),
            ...(raw.totalSpend !== undefined ? { totalSpend: raw.totalSpend } : {}),
            ...(raw.unpaidOrder !== undefined ? { unpaidOrder: raw.unpaidOrder } : {}),
            ...(raw.lastOrderDaysAgo !== undefined ? { lastOrderAt: NOW - raw.lastOrderDaysAgo * DAY } : {}),
          };

          // Act
          const group = primaryGroup(customer, { ...context, settings: own });
          const sub = subGroupOf(group, customer, own);

          // Assess
          if (!(SPLIT_GROUPS as readonly string[]).includes(group)) {
            expect(sub, `${group} is not split`).toBeUndefined();
            expect(subGroupIndexOf(group, customer, own)).toBe(-1);
            continue;
          }
          expect(SUB_GROUPS, `${JSON.stringify(customer)} in ${group}`).toContain(sub);
          expect(sub?.startsWith(`${group}:`), `${sub} is not a sub-group of ${group}`).toBe(true);
          const orders = customer.orderCount ?? (customer.lastOrderAt !== undefined ? 1 : 0);
          const spend = customer.totalSpend ?? 0;
          const high =
            spend > 0 && (spend >= own.subGroupSpend || spend / Math.max(1, orders) >= own.subGroupOrderValue);
          expect(sub).toBe(`${group}:${orders > 1 ? 'returning' : 'new'}-${high ? 'high' : 'low'}`);
          expect(SUB_GROUPS[subGroupIndexOf(group, customer, own)], 'the index the planner keeps').toBe(sub);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('sub-groups in the campaign file', () => {
  function problemsOf(audience: string[]): string[] {
    try {
      parseCampaign({ id: 'x', midnight: '2026-11-11T00:00', waves: [{ id: 'm', sms: 'midnight', audience }] });
    } catch (error) {
      if (error instanceof CampaignFileError) return error.problems.map((p) => `${p.path}: ${p.message}`);
      throw error;
    }
    return [];
  }

  it('accepts a whole sub-group and either half of the split', () => {
    // Act / Assess
    expect(problemsOf(['dormant-deep:returning-high', 'churned:high', 'dormant-shallow:new', 'vip'])).toEqual([]);
  });

  it.each([
    [
      'a misspelt sub-group',
      'dormant-deep:returning-hi',
      'waves[0].audience[0]: must be one of dormant-deep:new, dormant-deep:returning, dormant-deep:high, dormant-deep:low, dormant-deep:new-high, dormant-deep:new-low, dormant-deep:returning-high, dormant-deep:returning-low',
    ],
    [
      'a full-width colon',
      'churned：high',
      'waves[0].audience[0]: must be one of churned:new, churned:returning, churned:high, churned:low, churned:new-high, churned:new-low, churned:returning-high, churned:returning-low',
    ],
    [
      'a group that has no sub-groups',
      'd11-loyal:high',
      'waves[0].audience[0]: names a sub-group of d11-loyal, which has none; only dormant-shallow, dormant-deep, churned are split',
    ],
  ])('refuses %s by its JSON path', (_, entry, expected) => {
    // Act / Assess
    expect(problemsOf([entry])).toEqual([expected]);
  });

  it('takes the value thresholds under segments', () => {
    // Act
    const campaign = parseCampaign({
      id: 'x',
      midnight: '2026-11-11T00:00',
      segments: { subGroupOrderValue: 150, subGroupSpend: 800 },
      waves: [{ id: 'm', sms: 'midnight' }],
    });

    // Assess
    expect(campaign.segments).toMatchObject({ subGroupOrderValue: 150, subGroupSpend: 800, highSpend: 1000 });
  });
});
