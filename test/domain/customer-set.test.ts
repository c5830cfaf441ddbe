import { describe, expect, it } from 'vitest';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';

const row = (fields: Partial<Customer>): Customer => ({
  customerId: 'c1',
  device: 'mobile',
  d11Years: [],
  segment: 'vip',
  ...fields,
});

describe('CustomerSet', () => {
  it('lets the last row win but keeps an opt-out from any earlier row or file: opt-outs are absolute', () => {
    // Prepare
    const set = new CustomerSet();

    // Act
    set.upsert(row({ optOutSms: true, phone: '+8613800138000' }), 0);
    set.upsert(row({ optOutEmail: true }), 0);
    set.upsert(row({ segment: 'winback', phone: '+8613900139000', optOutSms: false }), 1);

    // Assess
    const customer = set.customers[set.indexOf('c1') as number];
    expect(customer, 'the later file lost an opt-out of an earlier one').toMatchObject({
      phone: '+8613900139000',
      optOutSms: true,
      optOutEmail: true,
    });
    expect(set.labels[0]).toEqual(['vip', 'winback']);
    expect(set.stats).toEqual({ repeatsInFile: 1, seenInEarlierFile: 1 });
  });
});
