/**
 * Every playbook rule as a property: for generated customers and generated
 * campaigns, the plan obeys each rule (checked independently by brokenPlaybookRules),
 * and planning is deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import { secondTouchBenefit } from '../../functions/domain/second-touch.ts';
import { PLAYBOOK_GROUPS, type PlaybookGroup, primaryGroup } from '../../functions/domain/segments.ts';
import { campaignArbitrary, customerSetOf, customersArbitrary, NOW } from '../support/planner-arbitraries.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

describe('planner properties', () => {
  it('every plan obeys every playbook rule', () => {
    fc.assert(
      fc.property(campaignArbitrary, customersArbitrary, (input, customerList) => {
        // Prepare
        const campaign = parseCampaign(input);
        const customers = customerSetOf(customerList);

        // Act
        const plan = planCampaign({ campaign, customers, now: NOW });

        // Assess
        expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the same inputs give the same plan', () => {
    fc.assert(
      fc.property(campaignArbitrary, customersArbitrary, (input, customerList) => {
        // Prepare
        const campaign = parseCampaign(input);

        // Act
        const first = planCampaign({ campaign, customers: customerSetOf(customerList), now: NOW });
        const second = planCampaign({ campaign, customers: customerSetOf(customerList), now: NOW });

        // Assess
        expect(JSON.stringify(second.timeline)).toBe(JSON.stringify(first.timeline));
        expect(second.members.map((m) => [...m])).toEqual(first.members.map((m) => [...m]));
      }),
      { numRuns: 100 },
    );
  });

  it('a second SMS goes to customers who gain more from it before those who gain less', () => {
    fc.assert(
      fc.property(customersArbitrary, (customerList) => {
        // Prepare: two SMS waves in November to everyone, a 30% share, the default groups.
        const campaign = parseCampaign({
          id: 'value',
          midnight: '2026-11-11T00:00',
          smsRules: 'none',
          waves: [
            { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] },
            { id: 'midnight', sms: 'midnight', audience: ['*'] },
          ],
        });
        const customers = customerSetOf(customerList);

        // Act
        const plan = planCampaign({ campaign, customers, now: NOW });

        // Assess: of the customers allowed a second SMS and able to take it, nobody left with
        // one gains clearly more from it than someone given two.
        const smsCount = new Map<number, number>();
        plan.members.forEach((members) => {
          for (const index of members) smsCount.set(index, (smsCount.get(index) ?? 0) + 1);
        });
        const context = { settings: campaign.segments, now: NOW, campaignYear: 2026, timeZone: campaign.timezone };
        const benefit = (index: number) => secondTouchBenefit(customers.customers[index] as Customer, NOW, 2026);
        const allowed = (index: number) =>
          (campaign.caps.multiSmsGroups as readonly string[]).includes(
            primaryGroup(customers.customers[index] as Customer, context),
          );
        const twice = [...smsCount].filter(([, n]) => n === 2).map(([i]) => i);
        const once = [...smsCount].filter(([i, n]) => n === 1 && allowed(i)).map(([i]) => i);
        const lowestGiven = Math.min(...twice.map(benefit));
        for (const high of once) {
          expect(benefit(high), `customer ${high} passed over for a second SMS`).toBeLessThanOrEqual(
            lowestGiven + 2 ** -19,
          );
        }
        for (const index of twice) expect(allowed(index), `customer ${index} outside the allowed groups`).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('no customer outside the groups the campaign allows gets two SMS, and every cap holds', () => {
    fc.assert(
      fc.property(
        campaignArbitrary,
        fc.subarray([...PLAYBOOK_GROUPS]),
        customersArbitrary,
        (input, multiSmsGroups, customerList) => {
          // Prepare
          const campaign = parseCampaign({
            ...input,
            caps: { ...input.caps, multiSmsShare: 1, multiSmsGroups: multiSmsGroups as PlaybookGroup[] },
          });
          const customers = customerSetOf(customerList);

          // Act
          const plan = planCampaign({ campaign, customers, now: NOW });

          // Assess: brokenPlaybookRules checks the allowed groups along with every cap.
          expect(brokenPlaybookRules(campaign, customers, plan, NOW)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
