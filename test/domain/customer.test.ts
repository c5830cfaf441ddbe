import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Customer,
  MASKED_EMAIL,
  MASKED_NAME,
  MASKED_PHONE,
  normalisePhone,
  parseBooleanCell,
  parseCustomerRow,
  type RowContext,
  type RowProblem,
  segmentFromFileName,
} from '../../functions/domain/customer.ts';

type Cells = Record<string, string | undefined>;

const SHANGHAI: RowContext = { timeZone: 'Asia/Shanghai', defaultSegment: 'vip' };
const HOUR_MS = 3_600_000;

/** The customer a row with `customer_id: C1` plus `cells` gives; fails the test with the problems otherwise. */
function accepted(cells: Cells, context: RowContext = SHANGHAI): Customer {
  const result = parseCustomerRow({ customer_id: 'C1', ...cells }, context);
  if (!result.ok) throw new Error(`row rejected: ${JSON.stringify(result.problems)}`);
  return result.customer;
}

/** The problems of a row (taken whole: no customer_id is added); fails the test if it is accepted. */
function problemsOf(cells: Cells, context: RowContext = SHANGHAI): RowProblem[] {
  const result = parseCustomerRow(cells, context);
  if (result.ok) throw new Error(`row accepted: ${JSON.stringify(result.customer)}`);
  return result.problems;
}

/** The columns a rejected row (customer_id `C1` plus `cells`) has problems in. */
function badColumns(cells: Cells): string[] {
  return problemsOf({ customer_id: 'C1', ...cells }).map((problem) => problem.column);
}

const BOOLEAN_COLUMNS = [
  ['unpaid_order', 'unpaidOrder'],
  ['opt_out_sms', 'optOutSms'],
  ['opt_out_email', 'optOutEmail'],
] as const;

const BOOLEAN_SPELLINGS: Array<[string, boolean]> = [
  ['TRUE', true],
  ['true', true],
  ['True', true],
  ['False', false],
  ['FALSE', false],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['YES', true],
  ['No', false],
  ['no', false],
  ['是', true],
  ['否', false],
  ['Y', true],
  ['N', false],
  ['y', true],
  ['n', false],
  ['有', true],
  ['无', false],
  ['对', true],
  ['错', false],
  ['ＹＥＳ', true],
];

// ---- Generators of valid cells, each with the value the customer must carry ----

/** A valid cell and the value it must become. */
type Valid<T> = fc.Arbitrary<{ cell: string; value: T }>;

const same = (cell: string) => ({ cell, value: cell });

const MAINLAND_MOBILE = fc.stringMatching(/^1[3-9]\d{9}$/);
const VALID_PHONE: Valid<string> = fc.oneof(
  MAINLAND_MOBILE.map((digits) => ({ cell: digits, value: `+86${digits}` })),
  MAINLAND_MOBILE.map((digits) => ({
    cell: `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`,
    value: `+86${digits}`,
  })),
  fc.stringMatching(/^\+[1-9]\d{6,14}$/).map(same),
);

/** A run of `*` in an address is how platforms mask one (`w***@qq.com`): such an address is read as none. */
const VALID_EMAIL: Valid<string> = fc
  .emailAddress()
  .filter((email) => !email.includes('**'))
  .map((email) => ({ cell: email, value: email.toLowerCase() }));

/** Trimmed text without control characters, as the reader hands it over (a lone dash means "no value"). */
const plainText = (maxLength: number) =>
  fc
    .string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', ' ', '张', '李', '·', '客'), minLength: 1, maxLength })
    .map((value) => value.trim())
    .filter((value) => value !== '' && !/^-+$/.test(value));

const VALID_DEVICE: Valid<Customer['device']> = fc
  .tuple(fc.constantFrom('mobile', 'pc', 'both'), fc.constantFrom('lower', 'upper'))
  .map(([device, letterCase]) => ({ cell: letterCase === 'upper' ? device.toUpperCase() : device, value: device }));

/** Whole seconds between 2015 and 2030, written as Shanghai wall clock (fixed +08:00), with or without an offset. */
const VALID_LAST_ORDER_AT: Valid<number> = fc
  .tuple(fc.integer({ min: 1_420_070_400, max: 1_893_456_000 }), fc.constantFrom('Z', '+08:00', 'local', 'date'))
  .map(([seconds, form]) => {
    const instant = seconds * 1000;
    const utc = new Date(instant).toISOString().slice(0, 19);
    const shanghai = new Date(instant + 8 * HOUR_MS).toISOString().slice(0, 19);
    if (form === 'Z') return { cell: `${utc}Z`, value: instant };
    if (form === '+08:00') return { cell: `${shanghai}+08:00`, value: instant };
    if (form === 'local') return { cell: shanghai, value: instant };
    const day = shanghai.slice(0, 10);
    return { cell: day, value: Date.parse(`${day}T00:00:00+08:00`) };
  });

const VALID_ORDER_COUNT: Valid<number> = fc
  .nat({ max: 999_999_999 })
  .map((count) => ({ cell: String(count), value: count }));

const VALID_TOTAL_SPEND: Valid<number> = fc
  .tuple(fc.nat({ max: 99_999_999_999 }), fc.boolean())
  .map(([cents, grouped]) => {
    const yuan = Math.floor(cents / 100);
    const whole = grouped ? yuan.toLocaleString('en-US') : String(yuan);
    return { cell: `${whole}.${String(cents % 100).padStart(2, '0')}`, value: cents / 100 };
  });

const VALID_D11_YEARS: Valid<number[]> = fc
  .tuple(fc.array(fc.integer({ min: 2009, max: 2100 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(';', ' ; '))
  .map(([years, separator]) => ({
    cell: years.join(separator),
    value: [...new Set(years)].sort((a, b) => a - b),
  }));

const VALID_BOOLEAN: Valid<boolean> = fc.constantFrom(...BOOLEAN_SPELLINGS).map(([cell, value]) => ({ cell, value }));

/** Each optional column: a valid cell, an empty cell, or no cell at all. */
const optional = <T>(valid: Valid<T>) =>
  fc.oneof(valid, fc.constant({ cell: '', value: undefined }), fc.constant(undefined));

const VALID_ROW = fc
  .record({
    customer_id: plainText(128).map(same),
    phone: optional(VALID_PHONE),
    email: optional(VALID_EMAIL),
    name: optional(plainText(64).map(same)),
    device: optional(VALID_DEVICE),
    last_order_at: optional(VALID_LAST_ORDER_AT),
    order_count: optional(VALID_ORDER_COUNT),
    total_spend: optional(VALID_TOTAL_SPEND),
    d11_years: optional(VALID_D11_YEARS),
    unpaid_order: optional(VALID_BOOLEAN),
    opt_out_sms: optional(VALID_BOOLEAN),
    opt_out_email: optional(VALID_BOOLEAN),
    segment: optional(plainText(64).map(same)),
  })
  .map((columns) => {
    const cells: Cells = {};
    for (const [column, given] of Object.entries(columns)) if (given) cells[column] = given.cell;
    const customer: Customer = {
      customerId: columns.customer_id.value,
      device: columns.device?.value ?? 'mobile',
      d11Years: columns.d11_years?.value ?? [],
      segment: columns.segment?.value ?? SHANGHAI.defaultSegment,
    };
    const optionalValues = {
      phone: columns.phone?.value,
      email: columns.email?.value,
      name: columns.name?.value,
      lastOrderAt: columns.last_order_at?.value,
      orderCount: columns.order_count?.value,
      totalSpend: columns.total_spend?.value,
      unpaidOrder: columns.unpaid_order?.value,
      optOutSms: columns.opt_out_sms?.value,
      optOutEmail: columns.opt_out_email?.value,
    };
    for (const [property, value] of Object.entries(optionalValues)) {
      if (value !== undefined) Object.assign(customer, { [property]: value });
    }
    return { cells, customer };
  });

describe('normalisePhone', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    ['+8613800138000', '+8613800138000'],
    ['138 0013 8000', '+8613800138000'],
    ['138-0013-8000', '+8613800138000'],
    ['+852 9123 4567', '+85291234567'],
    ['8613800138000', '+8613800138000'],
    ['008613800138000', '+8613800138000'],
    ['+86 138-0013-8000', '+8613800138000'],
    ['(+86) 138 0013 8000', '+8613800138000'],
    ['86-138-0013-8000', '+8613800138000'],
  ])('normalises %j to %j', (text, e164) => {
    // Prepare
    const cell = text;

    // Act
    const phone = normalisePhone(cell);

    // Assess
    expect(phone).toBe(e164);
  });

  it.each(['12345', '23800138000', '8623800138000', '+0123456789', 'phone', '138****8000'])('rejects %j', (text) => {
    // Prepare
    const cell = text;

    // Act
    const phone = normalisePhone(cell);

    // Assess
    expect(phone).toBeNull();
  });
});

describe('parseBooleanCell', () => {
  it.each(BOOLEAN_SPELLINGS)('reads %j as %s', (text, value) => {
    // Prepare
    const cell = text;

    // Act
    const parsed = parseBooleanCell(cell);

    // Assess
    expect(parsed).toBe(value);
  });

  it.each(['maybe', '2', 'ja'])('does not read %j as a boolean', (text) => {
    // Prepare
    const cell = text;

    // Act
    const parsed = parseBooleanCell(cell);

    // Assess
    expect(parsed).toBeNull();
  });
});

describe('parseCustomerRow', () => {
  describe('phone', () => {
    it('stores the E.164 form of a mainland number', () => {
      // Prepare
      const cells = { phone: '138 0013 8000' };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.phone).toBe('+8613800138000');
    });

    it.each([
      ['12345', '"12345"'],
      ['23800138000', '"238****8000"'],
      ['1380013800a', '"138***3800a"'],
    ])('rejects %j on the phone column, quoting it as %s (masked when it is phone-like)', (phone, shown) => {
      // Prepare
      const cells = { phone };

      // Act
      const problems = problemsOf({ customer_id: 'C1', ...cells });

      // Assess
      expect(problems).toEqual([{ column: 'phone', reason: expect.stringContaining(`${shown} is not a phone`) }]);
      if (phone.length > 6) expect(problems[0]?.reason).not.toContain(phone);
    });
  });

  describe.each(BOOLEAN_COLUMNS)('%s', (column, property) => {
    it.each(BOOLEAN_SPELLINGS)('reads %j as %s', (text, value) => {
      // Prepare
      const cells = { [column]: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer[property]).toBe(value);
    });

    it('treats an empty cell as not given', () => {
      // Prepare
      const cells = { [column]: '' };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer).not.toHaveProperty(property);
    });

    it('rejects "maybe"', () => {
      // Prepare
      const cells = { [column]: 'maybe' };

      // Act
      const problems = problemsOf({ customer_id: 'C1', ...cells });

      // Assess
      expect(problems).toEqual([{ column, reason: expect.stringContaining('maybe') }]);
    });
  });

  describe('last_order_at', () => {
    it.each([
      ['a date without offset as Shanghai midnight', '2026-11-11', '2026-11-10T16:00:00Z'],
      ['a date-time without offset as Shanghai wall clock', '2026-11-11T00:00:00', '2026-11-10T16:00:00Z'],
      ['a date-time with a space and no seconds', '2026-11-11 09:30', '2026-11-11T01:30:00Z'],
      ['a UTC date-time', '2026-11-11T00:00:00Z', '2026-11-11T00:00:00Z'],
      ['a date-time with +08:00', '2026-11-11T00:00:00+08:00', '2026-11-10T16:00:00Z'],
      ['a date-time with -05:00', '2026-11-11T00:00:00-05:00', '2026-11-11T05:00:00Z'],
      ["Excel's 2025/11/11 10:00 as Shanghai wall clock", '2025/11/11 10:00', '2025-11-11T02:00:00Z'],
    ])('reads %s', (_kind, text, iso) => {
      // Prepare
      const cells = { last_order_at: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.lastOrderAt).toBe(Date.parse(iso));
    });

    it('reads a date without offset in the context time zone', () => {
      // Prepare
      const newYork: RowContext = { timeZone: 'America/New_York', defaultSegment: 'vip' };
      const cells = { last_order_at: '2026-11-11' };

      // Act
      const inShanghai = accepted(cells, SHANGHAI);
      const inNewYork = accepted(cells, newYork);

      // Assess
      expect(inShanghai.lastOrderAt).toBe(Date.parse('2026-11-10T16:00:00Z'));
      expect(inNewYork.lastOrderAt).toBe(Date.parse('2026-11-11T05:00:00Z'));
    });

    it.each(['2025-13-45', '2025-02-30', '2026-11-11T24:00:00', 'yesterday', '11/11/2025'])('rejects %j', (text) => {
      // Prepare
      const cells = { last_order_at: text };

      // Act
      const columns = badColumns(cells);

      // Assess
      expect(columns).toEqual(['last_order_at']);
    });
  });

  describe('order_count', () => {
    it.each([
      ['0', 0],
      ['12', 12],
    ])('reads %j as %i', (text, count) => {
      // Prepare
      const cells = { order_count: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.orderCount).toBe(count);
    });

    it.each(['-2', '3.5', 'three'])('rejects %j', (text) => {
      // Prepare
      const cells = { order_count: text };

      // Act
      const columns = badColumns(cells);

      // Assess
      expect(columns).toEqual(['order_count']);
    });
  });

  describe('total_spend', () => {
    it.each([
      ['1299.50', 1299.5],
      ['1,299.50', 1299.5],
      ['0', 0],
      ['1,000,000', 1_000_000],
    ])('reads %j as %d CNY', (text, amount) => {
      // Prepare
      const cells = { total_spend: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.totalSpend).toBe(amount);
    });

    it.each(['abc', '-5', '12,34.5'])('rejects %j', (text) => {
      // Prepare
      const cells = { total_spend: text };

      // Act
      const columns = badColumns(cells);

      // Assess
      expect(columns).toEqual(['total_spend']);
    });
  });

  describe('d11_years', () => {
    it.each([
      ['2024;2025', [2024, 2025]],
      [' 2024 ; 2025 ', [2024, 2025]],
      ['2025;2024;2025;2024', [2024, 2025]],
      ['2009;', [2009]],
    ])('reads %j as %j', (text, years) => {
      // Prepare
      const cells = { d11_years: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.d11Years).toEqual(years);
    });

    it.each(['20x5', '2008', '2024;20x5', '2101'])('rejects %j', (text) => {
      // Prepare
      const cells = { d11_years: text };

      // Act
      const columns = badColumns(cells);

      // Assess
      expect(columns).toEqual(['d11_years']);
    });

    it('is an empty list when not given', () => {
      // Prepare
      const cells = { d11_years: '' };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.d11Years).toEqual([]);
    });
  });

  describe('device', () => {
    it.each([
      ['mobile', 'mobile'],
      ['PC', 'pc'],
      ['Both', 'both'],
      ['MOBILE', 'mobile'],
      ['', 'mobile'],
      [undefined, 'mobile'],
    ])('reads %j as %j', (text, device) => {
      // Prepare
      const cells = { device: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.device).toBe(device);
    });

    it('rejects "tablet"', () => {
      // Prepare
      const cells = { device: 'tablet' };

      // Act
      const columns = badColumns(cells);

      // Assess
      expect(columns).toEqual(['device']);
    });
  });

  describe('segment', () => {
    it('defaults to the context label when the cell is empty or missing', () => {
      // Prepare
      const other: RowContext = { timeZone: SHANGHAI.timeZone, defaultSegment: 'newcomers' };

      // Act
      const empty = accepted({ segment: '' });
      const missing = accepted({});
      const otherFile = accepted({}, other);

      // Assess
      expect(empty.segment).toBe('vip');
      expect(missing.segment).toBe('vip');
      expect(otherFile.segment).toBe('newcomers');
    });

    it("keeps the row's own label", () => {
      // Prepare
      const cells = { segment: '双11老客' };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.segment).toBe('双11老客');
    });
  });

  it('lists every problem of a row with its column', () => {
    // Prepare
    const cells = {
      customer_id: 'C1',
      phone: '12345',
      email: 'not-an-email',
      device: 'tablet',
      order_count: '-2',
      total_spend: 'abc',
      d11_years: '20x5',
      unpaid_order: 'maybe',
      last_order_at: '2025-02-30',
    };

    // Act
    const problems = problemsOf(cells);

    // Assess
    expect(problems.map((problem) => problem.column).sort()).toEqual(
      ['d11_years', 'device', 'email', 'last_order_at', 'order_count', 'phone', 'total_spend', 'unpaid_order'].sort(),
    );
    for (const problem of problems) expect(problem.reason).not.toBe('');
  });

  it.each([
    ['missing', {}],
    ['empty', { customer_id: '' }],
  ])('reports a %s customer_id on customer_id', (_kind, cells) => {
    // Prepare
    const row: Cells = { ...cells, name: '张三' };

    // Act
    const problems = problemsOf(row);

    // Assess
    expect(problems).toEqual([{ column: 'customer_id', reason: expect.any(String) }]);
  });

  it('reports a missing customer_id together with the other problems', () => {
    // Prepare
    const cells = { device: 'tablet' };

    // Act
    const problems = problemsOf(cells);

    // Assess
    expect(problems.map((problem) => problem.column).sort()).toEqual(['customer_id', 'device']);
  });

  it('quotes a long value cut short, with its length, so a huge cell never makes a huge message', () => {
    // Prepare
    const longPhone = '9'.repeat(100_000);
    const longEmail = `${'a'.repeat(500)}@qq`;

    // Act
    const problems = problemsOf({ customer_id: 'C1', phone: longPhone, email: longEmail, device: 'pc' });

    // Assess
    expect(problems).toEqual([
      {
        column: 'phone',
        reason: expect.stringMatching(/^"999\*{37}…" \(100000 characters\) is not a phone/),
      },
      { column: 'email', reason: expect.stringMatching(/^"a\*\*\*…" \(503 characters\) is not an email address/) },
    ]);
  });

  it('accepts any row of valid cells and gives back their normalised values', () => {
    fc.assert(
      fc.property(VALID_ROW, ({ cells, customer }) => {
        // Prepare
        const context = SHANGHAI;

        // Act
        const result = parseCustomerRow(cells, context);

        // Assess
        expect(result).toEqual({ ok: true, customer });
      }),
      { numRuns: 300 },
    );
  });
});

/** The whole result of a row `customer_id: C1` plus `cells`, accepted; fails the test otherwise. */
function acceptedResult(cells: Cells, context: RowContext = SHANGHAI) {
  const result = parseCustomerRow({ customer_id: 'C1', ...cells }, context);
  if (!result.ok) throw new Error(`row rejected: ${JSON.stringify(result.problems)}`);
  return result;
}

/** The one problem of a row `customer_id: C1` plus `cells`; fails the test if there is not exactly one. */
function onlyProblem(cells: Cells): RowProblem {
  const problems = problemsOf({ customer_id: 'C1', ...cells });
  expect(problems, JSON.stringify(problems)).toHaveLength(1);
  return problems[0] as RowProblem;
}

describe('values as store exports write them', () => {
  describe('phones', () => {
    it.each([
      ['13800138000'],
      ['+8613800138000'],
      ['+86 138 0013 8000'],
      ['86 13800138000'],
      ['8613800138000'],
      ['0086 138-0013-8000'],
      ['(+86)13800138000'],
      ['+86-138-0013-8000'],
      ['１３８００１３８０００'],
    ])('reads %j as +8613800138000', (phone) => {
      // Prepare
      const cells = { phone };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.phone).toBe('+8613800138000');
    });

    it.each([
      '138****8000',
      '138xxxx8000',
      '138XXXX8000',
      '+86 138****8000',
      '86-138****8000',
      '+86138****8000',
      '138＊＊＊＊8000',
      '***********',
    ])('reads the masked %j as no phone, keeping the row, its email and its label', (phone) => {
      // Prepare
      const cells = { phone, email: 'wang.fang@qq.com', segment: '双11老客' };

      // Act
      const result = acceptedResult(cells);

      // Assess
      expect(result.customer).not.toHaveProperty('phone');
      expect(result.customer).toMatchObject({ email: 'wang.fang@qq.com', segment: '双11老客' });
      expect(result.masked).toBe(MASKED_PHONE);
    });

    it('says nothing was masked for a row with a real phone', () => {
      // Prepare
      const cells = { phone: '13800138000' };

      // Act
      const result = acceptedResult(cells);

      // Assess
      expect(result.masked).toBeUndefined();
    });

    it('names the accepted forms and masks the value in the reason', () => {
      // Prepare
      const cells = { phone: '1380013800' };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({
        column: 'phone',
        reason:
          '"138***3800" is not a phone: 13800138000, +86 138 0013 8000 or E.164 (+85291234567); a masked 138****8000 is read as no phone',
      });
    });
  });

  describe('emails and names', () => {
    it('keeps an address in lower case', () => {
      // Prepare
      const cells = { email: 'Wang.Fang@QQ.com' };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.email).toBe('wang.fang@qq.com');
    });

    it.each(['w***@qq.com', 'wa**@163.com', '＊＊＊@qq.com'])('reads the masked %j as no email', (email) => {
      // Prepare
      const cells = { email, phone: '13800138000' };

      // Act
      const result = acceptedResult(cells);

      // Assess
      expect(result.customer).not.toHaveProperty('email');
      expect(result.customer.phone).toBe('+8613800138000');
      expect(result.masked).toBe(MASKED_EMAIL);
    });

    it.each([
      ['wang.fang@qq', '"w***@qq"'],
      ['wangfang.qq.com', '"w***"'],
    ])('rejects %j quoting it masked as %s', (email, shown) => {
      // Prepare
      const cells = { email };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({ column: 'email', reason: `${shown} is not an email address (like wang.fang@qq.com)` });
    });

    it.each(['张**', '王*明', '李＊'])('reads the masked name %j as no name (addressed as 亲)', (name) => {
      // Prepare
      const cells = { name, phone: '138****8000' };

      // Act
      const result = acceptedResult(cells);

      // Assess
      expect(result.customer).not.toHaveProperty('name');
      expect(result.masked).toBe(MASKED_NAME | MASKED_PHONE);
    });
  });

  describe('last_order_at', () => {
    it.each([
      ['2025/11/11 10:00', '2025-11-11T10:00:00+08:00'],
      ['2025/1/5 9:05', '2025-01-05T09:05:00+08:00'],
      ['2025-11-11', '2025-11-11T00:00:00+08:00'],
      ['2025年11月11日', '2025-11-11T00:00:00+08:00'],
      ['2025年11月11日 10:00', '2025-11-11T10:00:00+08:00'],
      ['2025年11月11日10:00:30', '2025-11-11T10:00:30+08:00'],
      ['2025年1月5日', '2025-01-05T00:00:00+08:00'],
      ['2025.11.11', '2025-11-11T00:00:00+08:00'],
      ['2025.11.11 10:00:00', '2025-11-11T10:00:00+08:00'],
      ['2025.11.11 10:00', '2025-11-11T10:00:00+08:00'],
      ['45972', '2025-11-11T00:00:00+08:00'],
      ['45972.08', '2025-11-11T01:55:12+08:00'],
      ['36526', '2000-01-01T00:00:00+08:00'],
      ['２０２５-１１-１１', '2025-11-11T00:00:00+08:00'],
    ])('reads %j as %s (campaign wall clock)', (text, iso) => {
      // Prepare
      const cells = { last_order_at: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.lastOrderAt).toBe(Date.parse(iso));
    });

    it('reads an Excel date number as wall clock in the campaign zone', () => {
      // Prepare
      const newYork: RowContext = { timeZone: 'America/New_York', defaultSegment: 'vip' };
      const cells = { last_order_at: '45972' };

      // Act
      const customer = accepted(cells, newYork);

      // Assess
      expect(customer.lastOrderAt).toBe(Date.parse('2025-11-11T00:00:00-05:00'));
    });

    it.each(['36525', '73052', '99999', '2025年13月1日', '2025年2月30日', '2025.02.30', '2025.11', '11/11/2025'])(
      'rejects %j, naming the accepted forms',
      (text) => {
        // Prepare
        const cells = { last_order_at: text };

        // Act
        const problem = onlyProblem(cells);

        // Assess
        expect(problem).toEqual({
          column: 'last_order_at',
          reason: `"${text}" is not a date: 2025-11-11, 2025-11-11 10:00, 2025/11/11 10:00, 2025年11月11日 10:00, 2025.11.11 10:00:00, an Excel date number (45972) or ISO 8601 with an offset`,
        });
      },
    );
  });

  describe('total_spend', () => {
    it.each([
      ['¥1,299.00', 1299],
      ['￥1,299.00', 1299],
      ['1,299.00元', 1299],
      ['1299元', 1299],
      ['¥ 1299.5', 1299.5],
      ['RMB 1299.5', 1299.5],
      ['rmb1299.5', 1299.5],
      ['1299.50 CNY', 1299.5],
      ['12,345,678.9', 12_345_678.9],
      ['0.005', 0.01],
      ['１２９９.５０', 1299.5],
      ['￥１，２９９．００', 1299],
    ])('reads %j as %d CNY', (text, amount) => {
      // Prepare
      const cells = { total_spend: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.totalSpend).toBe(amount);
    });

    it.each(['-5', '¥-5', '$1299', '1,29.00', '1.299,00', '元', '¥'])(
      'rejects %j, naming the accepted forms',
      (text) => {
        // Prepare
        const cells = { total_spend: text };

        // Act
        const problem = onlyProblem(cells);

        // Assess
        expect(problem).toEqual({
          column: 'total_spend',
          reason: `"${text}" is not an amount in CNY, 0 or more (1299.50, 1,299.00, ¥1,299.00, 1299元, RMB 1299)`,
        });
      },
    );
  });

  describe('order_count', () => {
    it.each([
      ['1,200', 1200],
      ['12次', 12],
      ['3 单', 3],
      ['5笔', 5],
      ['１２', 12],
    ])('reads %j as %i', (text, count) => {
      // Prepare
      const cells = { order_count: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.orderCount).toBe(count);
    });

    it.each(['1,20', '12个', '1e3'])('rejects %j, naming the accepted forms', (text) => {
      // Prepare
      const cells = { order_count: text };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({
        column: 'order_count',
        reason: `"${text}" is not a whole number of orders, 0 or more (12, 1,200, 12次)`,
      });
    });
  });

  describe('device', () => {
    it.each([
      ['无线端', 'mobile'],
      ['无线', 'mobile'],
      ['手机', 'mobile'],
      ['手机端', 'mobile'],
      ['移动端', 'mobile'],
      ['APP', 'mobile'],
      ['app', 'mobile'],
      ['wap', 'mobile'],
      ['WAP', 'mobile'],
      ['H5', 'mobile'],
      ['PC端', 'pc'],
      ['pc端', 'pc'],
      ['电脑', 'pc'],
      ['电脑端', 'pc'],
      ['PC', 'pc'],
      ['ＰＣ', 'pc'],
      ['全部', 'both'],
      ['both', 'both'],
      ['BOTH', 'both'],
    ])('reads %j as %j', (text, device) => {
      // Prepare
      const cells = { device: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.device).toBe(device);
    });

    it('rejects 平板 (a tablet), naming the accepted words', () => {
      // Prepare
      const cells = { device: '平板' };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({
        column: 'device',
        reason: '"平板" is not a device: mobile (无线端, 手机, 移动端, APP, wap), pc (PC端, 电脑) or both (全部)',
      });
    });
  });

  describe('booleans', () => {
    it('names the accepted words in the reason', () => {
      // Prepare
      const cells = { unpaid_order: '可能' };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({
        column: 'unpaid_order',
        reason: '"可能" is not yes or no (true/false, 1/0, yes/no, y/n, 是/否, 有/无, 对/错)',
      });
    });
  });

  describe('d11_years', () => {
    it.each([
      ['2024,2025', [2024, 2025]],
      ['2024，2025', [2024, 2025]],
      ['2024、2025', [2024, 2025]],
      ['2024/2025', [2024, 2025]],
      ['2024 2025', [2024, 2025]],
      ['2024; 2025', [2024, 2025]],
      ['2024；2025', [2024, 2025]],
      ['2024年', [2024]],
      ['2024年、2025年', [2024, 2025]],
      ['2025年,2024年,2025', [2024, 2025]],
      ['２０２４，２０２５', [2024, 2025]],
    ])('reads %j as %j', (text, years) => {
      // Prepare
      const cells = { d11_years: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.d11Years).toEqual(years);
    });

    it('rejects a range, quoting the part that is not a year and naming the separators', () => {
      // Prepare
      const cells = { d11_years: '2024;2023-2025' };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({
        column: 'd11_years',
        reason:
          '"2023-2025" is not a Double-11 year (2009 to 2100; separate several with ; , 、 / or spaces: 2024;2025, 2024年、2025年)',
      });
    });
  });

  describe('member_tier', () => {
    it.each([
      ['VIP2', 'VIP2'],
      ['vip2', 'VIP2'],
      ['ＶＩＰ２', 'VIP2'],
      ['钻石会员', '钻石会员'],
      ['Gold   Member', 'GOLD MEMBER'],
      ['V3', 'V3'],
    ])('reads %j as the tier %j', (text, tier) => {
      // Prepare
      const cells = { member_tier: text };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer.tier).toBe(tier);
    });

    it('has no tier when the cell is empty', () => {
      // Prepare
      const cells = { member_tier: '' };

      // Act
      const customer = accepted(cells);

      // Assess
      expect(customer).not.toHaveProperty('tier');
    });

    it('rejects a tier longer than 32 characters', () => {
      // Prepare
      const cells = { member_tier: 'V'.repeat(33) };

      // Act
      const problem = onlyProblem(cells);

      // Assess
      expect(problem).toEqual({ column: 'member_tier', reason: 'is longer than 32 characters' });
    });
  });

  describe('cells that say "no value"', () => {
    it.each(['-', '--', '—', 'null', 'NULL', 'N/A', '#N/A', '暂无'])(
      'reads %j as not given, in every optional column',
      (mark) => {
        // Prepare
        const cells = {
          phone: mark,
          email: mark,
          name: mark,
          last_order_at: mark,
          order_count: mark,
          total_spend: mark,
          d11_years: mark,
          unpaid_order: mark,
          member_tier: mark,
        };

        // Act
        const customer = accepted(cells);

        // Assess
        expect(customer).toEqual({ customerId: 'C1', device: 'mobile', d11Years: [], segment: 'vip' });
      },
    );

    it('does not take a dash for a customer_id', () => {
      // Prepare
      const cells = { customer_id: '-' };

      // Act
      const problems = problemsOf(cells);

      // Assess
      expect(problems).toEqual([{ column: 'customer_id', reason: 'is required' }]);
    });
  });

  it('rejects a customer_id Excel rounded into scientific notation, saying how to export it', () => {
    // Prepare
    const cells = { customer_id: '2.20845E+12' };

    // Act
    const problems = problemsOf(cells);

    // Assess
    expect(problems).toEqual([
      {
        column: 'customer_id',
        reason: expect.stringMatching(/^"2\.20845E\+12" is a long number Excel rounded.*as text/),
      },
    ]);
  });
});

describe('segmentFromFileName', () => {
  it.each([
    ['segments/d11-2026/vip 客户.csv', 'vip 客户'],
    ['segments\\d11-2026\\lapsed.v2.jsonl', 'lapsed.v2'],
    ['.hidden', '.hidden'],
    ['plain', 'plain'],
  ])('labels %j as %j', (fileName, label) => {
    // Prepare
    const name = fileName;

    // Act
    const segment = segmentFromFileName(name);

    // Assess
    expect(segment).toBe(label);
  });
});

describe('cells as the .xlsx reader gives them (typed cells turned into text)', () => {
  it.each([
    [
      'a date cell (wall clock, no offset)',
      { last_order_at: '2025-11-11T10:00:00' },
      { lastOrderAt: Date.parse('2025-11-11T10:00:00+08:00') },
    ],
    [
      'a date cell with milliseconds (kept to the second)',
      { last_order_at: '2025-11-11T10:00:00.500' },
      { lastOrderAt: Date.parse('2025-11-11T10:00:00+08:00') },
    ],
    [
      'a date number in a General cell',
      { last_order_at: '45972.4166666667' },
      { lastOrderAt: Date.parse('2025-11-11T10:00:00+08:00') },
    ],
    ['a phone number cell', { phone: '13800138000' }, { phone: '+8613800138000' }],
    ['a phone number cell with the country code', { phone: '8613800138000' }, { phone: '+8613800138000' }],
    ['an amount cell', { total_spend: '1299.5' }, { totalSpend: 1299.5 }],
    ['a count cell', { order_count: '12' }, { orderCount: 12 }],
    ['a boolean cell', { unpaid_order: 'true', opt_out_sms: 'false' }, { unpaidOrder: true, optOutSms: false }],
    ['a year number cell', { d11_years: '2025' }, { d11Years: [2025] }],
  ])('reads %s', (_what, cells, expected) => {
    // Prepare
    const row = { ...cells };

    // Act
    const customer = accepted(row);

    // Assess
    expect(customer).toMatchObject(expected);
  });
});
