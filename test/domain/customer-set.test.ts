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

describe('CustomerSet ids', () => {
  it('finds each of 50,000 ids (repeats, near-identical, non-ASCII) where it went in, and no id it never saw', () => {
    // Prepare: ids that differ in one character, in their length, or only in case, and repeats.
    const ids: string[] = [];
    for (let n = 0; n < 20_000; n += 1) ids.push(`C${String(n).padStart(8, '0')}`, `c${n}`, `客户${n}`);
    const set = new CustomerSet();
    const expected = new Map<string, number>();

    // Act
    ids.forEach((id, at) => {
      set.upsert(row({ customerId: id, phone: `+86138${String(at % 100_000_000).padStart(8, '0')}` }), 0);
      if (!expected.has(id)) expected.set(id, expected.size);
    });
    for (const id of ids.slice(0, 5_000)) set.upsert(row({ customerId: id }), 1);

    // Assess
    expect(set.size).toBe(expected.size);
    for (const [id, index] of expected) {
      if (set.indexOf(id) !== index) expect.fail(`${id} found at ${set.indexOf(id)}, went in at ${index}`);
      if (set.idOf(index) !== id) expect.fail(`index ${index} holds ${set.idOf(index)}, not ${id}`);
    }
    for (const absent of ['C00020000', 'c20000', '客户20000', '', 'C0000000', 'C000000001']) {
      expect(set.indexOf(absent), `${absent} was never added`).toBeUndefined();
    }
    expect(set.stats).toEqual({ repeatsInFile: 0, seenInEarlierFile: 5_000 });
    expect(set.get(set.indexOf('c7') as number).phone, 'the later row without a phone won').toBeUndefined();
    expect(set.get(set.indexOf('客户19999') as number).phone).toBe('+8613800059999');
  });

  it('keeps a phone that is not plain E.164 digits as it came', () => {
    // Prepare
    const set = new CustomerSet();

    // Act
    set.upsert(row({ customerId: 'a', phone: '+0123' }), 0);
    set.upsert(row({ customerId: 'b', phone: '+86138001380001234' }), 0);
    set.upsert(row({ customerId: 'c', phone: '+85291234567' }), 0);

    // Assess
    expect(['a', 'b', 'c'].map((id) => set.phoneOf(set.indexOf(id) as number))).toEqual([
      '+0123',
      '+86138001380001234',
      '+85291234567',
    ]);
  });
});

describe('CustomerSet columns', () => {
  it('gives every customer back equal to the row that went in, whatever fields it has', () => {
    // Prepare
    const rows: Customer[] = [
      row({ customerId: 'a' }),
      row({
        customerId: 'b',
        phone: '+8613800138000',
        email: 'wang@qq.com',
        name: '王芳',
        device: 'pc',
        lastOrderAt: Date.UTC(2026, 9, 1, 2, 3, 4),
        orderCount: 0,
        totalSpend: 1299.5,
        d11Years: [2024, 2025],
        unpaidOrder: false,
        optOutSms: false,
        optOutEmail: true,
        segment: 'winback',
        tier: 'VIP2',
      }),
      row({ customerId: 'c', phone: '+85291234567', device: 'both', unpaidOrder: true, name: '王芳' }),
      row({ customerId: 'd', phone: '+1 555', d11Years: [2025] }),
    ];
    const set = new CustomerSet();

    // Act
    for (const customer of rows) set.upsert(customer, 0);

    // Assess
    expect(set.size).toBe(rows.length);
    rows.forEach((customer, index) => {
      expect(set.get(index), `customer ${customer.customerId} came back changed`).toEqual(customer);
      expect(set.idOf(index)).toBe(customer.customerId);
      expect(set.labelsOf(index)).toEqual([customer.segment]);
    });
    expect(set.customers).toEqual(rows);
    expect([...set.allLabels()].sort()).toEqual(['vip', 'winback']);
  });

  it('keeps a later row whole, opt-outs aside, and gathers the labels of every file', () => {
    // Prepare
    const set = new CustomerSet();
    set.upsert(row({ phone: '+8613800138000', tier: 'VIP1', d11Years: [2024], optOutEmail: true }), 0);

    // Act
    set.upsert(row({ email: 'a@b.cn', segment: 'winback' }), 1);

    // Assess
    expect(set.get(0), 'the later row should replace every field but the opt-out').toEqual(
      row({ email: 'a@b.cn', segment: 'winback', optOutEmail: true }),
    );
    expect(set.labelsOf(0)).toEqual(['vip', 'winback']);
  });
});

describe('CustomerSet texts', () => {
  it('gives back every id, email and name as it went in, past the size it expected and after a later row replaced them', () => {
    // Prepare: ASCII, Chinese, an emoji (a surrogate pair), and a lone surrogate a JSON line can hold.
    const set = new CustomerSet({ expectedSize: 10 });
    const texts = ['C1', '客户二', 'w😀x', 'lone\ud800', ''];
    const rows: Customer[] = [];
    for (let n = 0; n < 3_000; n += 1) {
      const text = texts[n % texts.length] as string;
      rows.push(
        row({
          customerId: `${text}#${n}`,
          email: n % 7 === 0 ? undefined : `${text}${n}@qq.com`,
          name: n % 5 === 4 ? undefined : `${text}名${n}`,
        }),
      );
    }

    // Act
    for (const customer of rows) set.upsert(customer, 0);
    set.upsert(row({ customerId: 'C1#0', email: 'later@qq.com', name: undefined }), 1);
    set.upsert(row({ customerId: 'lone\ud800#3', name: '王芳' }), 1);

    // Assess
    expect(set.size).toBe(rows.length);
    for (const [at, customer] of rows.entries()) {
      const index = set.indexOf(customer.customerId);
      if (index !== at) expect.fail(`${JSON.stringify(customer.customerId)} found at ${index}, went in at ${at}`);
      if (at === 0 || at === 3) continue;
      const back = set.get(at);
      if (set.idOf(at) !== customer.customerId || back.email !== customer.email || back.name !== customer.name) {
        expect.fail(`row ${at} came back as ${JSON.stringify(back)}, went in as ${JSON.stringify(customer)}`);
      }
    }
    expect(set.get(0), 'the later row won').toMatchObject({ customerId: 'C1#0', email: 'later@qq.com' });
    expect(set.nameOf(0)).toBeUndefined();
    expect(set.idOf(3)).toBe('lone\ud800#3');
    expect(set.nameOf(3)).toBe('王芳');
    expect(set.indexOf('lone\ufffd#3'), 'a lone surrogate is not its replacement character').toBeUndefined();
  });
});

describe('CustomerSet.factsOf', () => {
  it('reads every fact the planner uses as get() gives it, empty and odd phones and emails included', () => {
    // Prepare: customers with and without each fact, an empty phone and email, a phone that is not digits.
    const set = new CustomerSet();
    const rows: Customer[] = [
      row({ customerId: 'a', phone: '+8613800138000', email: 'a@163.com', tier: 'VIP2', d11Years: [2024, 2025] }),
      row({ customerId: 'b', phone: '', email: '', optOutSms: true, optOutEmail: false, unpaidOrder: true }),
      row({ customerId: 'c', phone: '0086-138', lastOrderAt: 1_700_000_000_000, orderCount: 3, totalSpend: 99.5 }),
      row({ customerId: 'd', unpaidOrder: false, optOutEmail: true, email: '客户@例子.中国' }),
    ];
    for (const customer of rows) set.upsert(customer, 0);

    // Act / Assess
    for (let index = 0; index < set.size; index += 1) {
      const customer = set.get(index);
      const facts = set.factsOf(index);
      expect(facts, `customer ${customer.customerId}`).toEqual({
        d11Years: customer.d11Years,
        lastOrderAt: customer.lastOrderAt,
        orderCount: customer.orderCount,
        totalSpend: customer.totalSpend,
        unpaidOrder: customer.unpaidOrder,
        optOutSms: customer.optOutSms === true,
        optOutEmail: customer.optOutEmail === true,
        tier: customer.tier,
        hasPhone: Boolean(customer.phone),
        hasEmail: Boolean(customer.email),
      });
    }
  });
});

describe('CustomerSet ids as JSON lines', () => {
  it('writes each id as JSON.stringify does, copied bytes or escaped, in index order', () => {
    // Prepare: plain ASCII, the characters JSON escapes, non-ASCII, DEL, and a lone surrogate
    // (kept as it came, not as UTF-8).
    const ids = [
      'C00000001',
      'say "hi"',
      'back\\slash',
      'tab\there',
      'line\nbreak',
      '客户7',
      '😀',
      'del\x7f',
      'lone\ud800',
      '',
    ];
    const set = new CustomerSet();
    for (const id of ids) set.upsert(row({ customerId: id }), 0);

    // Act
    const { bytes, starts } = set.idsJsonLines();
    const lines = Buffer.from(bytes).toString('utf8');

    // Assess
    const expected = ids.map((id) => `${JSON.stringify(id)}\n`).join('');
    expect(lines, 'an id was not written as its JSON string').toBe(expected);
    const lineStarts = [0];
    for (const id of ids) lineStarts.push((lineStarts.at(-1) as number) + Buffer.byteLength(`${JSON.stringify(id)}\n`));
    expect([...starts], 'the line starts are not where the lines start').toEqual(lineStarts);
  });
});
