/**
 * Generated customers and campaigns for the planner's property tests: every playbook group,
 * label, sub-group entry, channel condition and cap, at sizes a property run can plan often.
 */
import fc from 'fast-check';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';

export const NOW = Date.parse('2026-10-15T12:00:00+08:00');
const DAY = 86_400_000;
export const LABELS = ['vip', 'cart-abandon', 'customers'];

export const customerArbitrary = (index: number) =>
  fc
    .record({
      phone: fc.option(fc.constantFrom('+8613800138000', '+8613912345678', '+85291234567'), { nil: undefined }),
      email: fc.option(fc.constantFrom('a@qq.com', 'b@163.com', 'c@gmail.com'), { nil: undefined }),
      name: fc.option(fc.constantFrom('王芳', '欧阳娜', 'Li Lei', '张'), { nil: undefined }),
      device: fc.constantFrom('mobile', 'pc', 'both'),
      lastOrderDaysAgo: fc.option(fc.integer({ min: -5, max: 800 }), { nil: undefined }),
      orderCount: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
      totalSpend: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
      d11Years: fc.uniqueArray(fc.integer({ min: 2019, max: 2025 }), { maxLength: 4 }),
      unpaidOrder: fc.option(fc.boolean(), { nil: undefined }),
      optOutSms: fc.option(fc.boolean(), { nil: undefined }),
      optOutEmail: fc.option(fc.boolean(), { nil: undefined }),
      segment: fc.constantFrom(...LABELS),
    })
    .map((raw): Customer => {
      const customer: Customer = {
        customerId: `C${index}`,
        device: raw.device as Customer['device'],
        d11Years: [...raw.d11Years].sort(),
        segment: raw.segment,
      };
      if (raw.phone) customer.phone = raw.phone;
      if (raw.email) customer.email = raw.email;
      if (raw.name) customer.name = raw.name;
      if (raw.lastOrderDaysAgo !== undefined) customer.lastOrderAt = NOW - raw.lastOrderDaysAgo * DAY;
      if (raw.orderCount !== undefined) customer.orderCount = raw.orderCount;
      if (raw.totalSpend !== undefined) customer.totalSpend = raw.totalSpend;
      if (raw.unpaidOrder !== undefined) customer.unpaidOrder = raw.unpaidOrder;
      if (raw.optOutSms !== undefined) customer.optOutSms = raw.optOutSms;
      if (raw.optOutEmail !== undefined) customer.optOutEmail = raw.optOutEmail;
      return customer;
    });

export const customersArbitrary = fc
  .integer({ min: 0, max: 120 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => customerArbitrary(index))));

/** Sub-group entries as a marketer writes them: a whole sub-group, or half of the split. */
const SUB_GROUP_ENTRIES = ['dormant-deep:returning-high', 'churned:high', 'dormant-shallow:new', 'churned:new-low'];

const CARE_SHORT = '{signature}{name}，感谢您近期的购买，双11见 {link} {optOut}';
const CARE_LONG = `{signature}{name}，${'感谢您近期的购买，收到的商品用得还满意吗？'.repeat(4)} {link} {optOut}`;

const audienceArbitrary = fc.uniqueArray(fc.constantFrom('*', ...PLAYBOOK_GROUPS, ...LABELS, ...SUB_GROUP_ENTRIES), {
  minLength: 1,
  maxLength: 4,
});

/** A wave on a day between 10-16 and 11-10, at a time outside default quiet hours (09:00 to 21:59). */
const waveArbitrary = fc.record({
  day: fc.integer({ min: 16, max: 41 }),
  minute: fc.integer({ min: 9 * 60, max: 22 * 60 - 1 }),
  audience: audienceArbitrary,
  email: fc.oneof(fc.boolean(), fc.constant({ domains: ['qq.com'] as string[] })),
  stopOnPurchase: fc.boolean(),
  controlShare: fc.constantFrom(0, 0, 0.2, 0.5),
  /** A care text for recent buyers (a promotional wave only): they get it instead of being kept out. */
  care: fc.constantFrom(undefined, CARE_SHORT, CARE_LONG),
});

function localTime(day: number, minute: number): string {
  // day counts from 1 October; 32 is 1 November.
  const month = day > 31 ? 11 : 10;
  const date = day > 31 ? day - 31 : day;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `2026-${month}-${pad(date)}T${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

export const campaignArbitrary = fc
  .record({
    waves: fc.array(waveArbitrary, { minLength: 0, maxLength: 5 }),
    midnightAudience: fc.option(audienceArbitrary, { nil: undefined }),
    midnightEmail: fc.boolean(),
    touches: fc.integer({ min: 1, max: 4 }),
    smsPerMonth: fc.integer({ min: 1, max: 3 }),
    multiSmsShare: fc.constantFrom(0, 0.1, 0.3, 0.5, 1),
    groupSize: fc.integer({ min: 1, max: 40 }),
    smsRatePerSecond: fc.constantFrom(0.01, 0.05, 1, 20),
    emailRatePerSecond: fc.constantFrom(0.01, 1, 50),
    careDays: fc.constantFrom(0, 15, 30),
  })
  .filter((c) => c.waves.length > 0 || c.midnightAudience !== undefined)
  .map((c): CampaignInput => {
    const waves: CampaignInput['waves'] = c.waves.map((wave, index) => ({
      id: `w${index}`,
      sms: localTime(wave.day, wave.minute),
      audience: wave.audience,
      email: wave.email,
      stopOnPurchase: wave.stopOnPurchase,
      controlShare: wave.controlShare,
      ...(wave.care !== undefined && !wave.stopOnPurchase ? { care: { sms: wave.care } } : {}),
    }));
    if (c.midnightAudience)
      waves.push({ id: 'midnight', sms: 'midnight', audience: c.midnightAudience, email: c.midnightEmail });
    return {
      id: 'prop',
      midnight: '2026-11-11T00:00',
      // The caps are the property here; China's SMS rules (registered templates) have their own tests.
      smsRules: 'none',
      caps: { touches: c.touches, smsPerMonth: c.smsPerMonth, multiSmsShare: c.multiSmsShare },
      groupSize: c.groupSize,
      careDays: c.careDays,
      smsRatePerSecond: c.smsRatePerSecond,
      emailRatePerSecond: c.emailRatePerSecond,
      waves,
    };
  });

export function customerSetOf(customers: Customer[]): CustomerSet {
  const set = new CustomerSet();
  for (const customer of customers) set.upsert(customer, 0);
  return set;
}
