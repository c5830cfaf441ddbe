import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_COLUMNS,
  type CustomerColumn,
  columnsInReadingOrder,
  parseCustomerFields,
  parseCustomerRow,
} from '../../functions/domain/customer.ts';

/** Values of every kind a column sees: good forms, export forms, masked, "no value" marks, junk. */
const CELLS: Record<CustomerColumn, string[]> = {
  customer_id: ['C00000001', '', '  c2 ', '1.23457E+11', '-', 'a\u0001b', 'x'.repeat(129)],
  phone: ['13800138000', '+86 138 0013 8000', '138****8000', '12345', '+85291234567', ''],
  email: ['Wang@QQ.com', 'w***@qq.com', 'not-an-email', ''],
  name: ['王芳', '张**', 'n'.repeat(65), ''],
  device: ['mobile', 'PC端', '无线端', 'tablet', ''],
  last_order_at: ['2026-10-06T11:12:47', '2025年11月11日', '2025.11.11', '2025-02-30', '45972', 'soon', ''],
  order_count: ['3', '1,200', '12次', '3.5', ''],
  total_spend: ['45.73', '¥1,299.00', '1299元', 'abc', ''],
  d11_years: ['2024;2025', '2024,2025', '2024、2025', '1999', ''],
  unpaid_order: ['TRUE', '否', 'maybe', ''],
  opt_out_sms: ['0', 'Y', '2', ''],
  opt_out_email: ['FALSE', '是', 'x', ''],
  segment: ['vip', 's'.repeat(65), ''],
  member_tier: ['VIP2', '钻石会员', 't\u0002', ''],
};

describe('parseCustomerFields', () => {
  it('reads a row by position exactly as parseCustomerRow reads its cells, problems and their order included', () => {
    const context = { timeZone: 'Asia/Shanghai', defaultSegment: 'file' };
    fc.assert(
      fc.property(
        // A header: customer_id and any other columns, in any order.
        fc.shuffledSubarray([...CUSTOMER_COLUMNS].filter((column) => column !== 'customer_id')),
        fc.nat(),
        fc.array(fc.nat(), { minLength: CUSTOMER_COLUMNS.length, maxLength: CUSTOMER_COLUMNS.length }),
        (others, idAt, picks) => {
          // Prepare
          const header: CustomerColumn[] = [...others];
          header.splice(idAt % (header.length + 1), 0, 'customer_id');
          const fields = header.map((column, index) => {
            const choices = CELLS[column];
            return choices[(picks[index] ?? 0) % choices.length] as string;
          });
          const cells = Object.fromEntries(header.map((column, index) => [column, (fields[index] ?? '').trim()]));
          const columns = columnsInReadingOrder(header.map((column, index) => ({ index, column })));

          // Act
          const byPosition = parseCustomerFields(fields, columns, context);
          const byName = parseCustomerRow(cells, context);

          // Assess
          expect(byPosition, `header ${header.join(',')}, fields ${JSON.stringify(fields)}`).toEqual(byName);
        },
      ),
      { numRuns: 500 },
    );
  });
});
