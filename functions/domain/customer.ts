/**
 * A customer as the store exports it: the row schema and its normalising. Cells arrive
 * as trimmed text (CSV, an xlsx sheet, or JSON values turned into text by the reader),
 * keyed by the product's column names (the header mapping has already turned 手机号 into
 * `phone`), and every column is read on its own, so that a rejected row lists every
 * problem it has. The value forms of the exports are read in cell-values.ts.
 */
import {
  type Device,
  isEmail,
  isMaskedEmail,
  isMaskedName,
  isNoValue,
  MASKED,
  MAX_TIER_LENGTH,
  normaliseTier,
  parseBooleanCell,
  readAmount,
  readCount,
  readDateTime,
  readDevice,
  readPhone,
  readYears,
} from './cell-values.ts';
import { maskEmailLike, maskPersonalData, maskPhoneLike } from './masking.ts';

export { DEVICES, type Device, isEmail, normaliseEmail, normalisePhone, parseBooleanCell } from './cell-values.ts';

export interface Customer {
  customerId: string;
  /** E.164, e.g. `+8613800138000`. */
  phone?: string;
  email?: string;
  name?: string;
  device: Device;
  /** Epoch milliseconds of the last order. */
  lastOrderAt?: number;
  orderCount?: number;
  /** CNY. */
  totalSpend?: number;
  /** Years the customer bought on Double-11, ascending, no repeats. */
  d11Years: number[];
  unpaidOrder?: boolean;
  optOutSms?: boolean;
  optOutEmail?: boolean;
  /** The marketer's label: the `segment` column, or the file name without extension. */
  segment: string;
  /** The store's member tier (会员等级), as normaliseTier spells it: `VIP2`, `钻石会员`. */
  tier?: string;
}

/**
 * A customer with every field present (unset ones undefined), always built here: objects
 * of one shape, so that code reading a million of them (the customer set) reads each
 * field at one known place. Customers built field by field have a shape per combination
 * of given fields; mixed in, they make every such read a generic look-up.
 */
export function blankCustomer(segment: string): Customer {
  return {
    customerId: '',
    phone: undefined,
    email: undefined,
    name: undefined,
    device: 'mobile',
    lastOrderAt: undefined,
    orderCount: undefined,
    totalSpend: undefined,
    d11Years: [],
    unpaidOrder: undefined,
    optOutSms: undefined,
    optOutEmail: undefined,
    segment,
    tier: undefined,
  };
}

export const CUSTOMER_COLUMNS = [
  'customer_id',
  'phone',
  'email',
  'name',
  'device',
  'last_order_at',
  'order_count',
  'total_spend',
  'd11_years',
  'unpaid_order',
  'opt_out_sms',
  'opt_out_email',
  'segment',
  'member_tier',
] as const;
export type CustomerColumn = (typeof CUSTOMER_COLUMNS)[number];

/**
 * Reject codes, for the problems found in a row's bytes before its values are read
 * (a problem with a value says what is wrong in its reason alone):
 * - `mixed-encoding`: the row is in the other text encoding than the rest of the file
 *   (a GBK row in a UTF-8 file, or a UTF-8 row in a GB18030 file);
 * - `line-too-long`: the line is longer than a row may be (1 MB).
 */
export type RejectCode = 'mixed-encoding' | 'line-too-long';

export interface RowProblem {
  /** A column of the file, `(row)` for the row as a whole. */
  column: string;
  /** The file's own header for the column, when it is not the column's name (`手机号` for phone). */
  header?: string;
  reason: string;
  code?: RejectCode;
}

export interface RowContext {
  /** Dates without an offset are wall-clock time here (the campaign's zone). */
  timeZone: string;
  /** Label for rows whose `segment` cell is empty. */
  defaultSegment: string;
  /** Excel date numbers count from 1904-01-01: the rows are of a workbook in the 1904 date system. */
  date1904?: boolean;
}

/** Bits of RowResult's `masked`: which cells held a value the platform masked (kept as "not given"). */
export const MASKED_PHONE = 1;
export const MASKED_EMAIL = 2;
export const MASKED_NAME = 4;

const MAX_ID_LENGTH = 128;
const MAX_NAME_LENGTH = 64;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** `1.23457E+11`: a long numeric id Excel turned into a rounded number; two customers may share it. */
const SCIENTIFIC = /^\d(?:\.\d+)?E\+\d+$/i;

/** Longest value quoted whole in a message; longer ones are cut (a 5 MB cell must not make a 5 MB message). */
const MAX_QUOTED_CHARS = 40;
/** Masking looks this far, so a phone or an address that starts within the quoted part is masked whole. */
const MASK_LOOKAHEAD_CHARS = MAX_QUOTED_CHARS + 24;

/** A value as a message quotes it: whole when short, else its start and its length; phones and addresses masked. */
export function quoted(text: string): string {
  return quotedAs(maskPersonalData(text.slice(0, MASK_LOOKAHEAD_CHARS)), text.length);
}

/** `display` (already masked, of a value `length` characters long) as a message quotes it. */
function quotedAs(display: string, length: number): string {
  if (length <= MAX_QUOTED_CHARS && display.length <= MAX_QUOTED_CHARS) return `"${display}"`;
  return `"${display.slice(0, MAX_QUOTED_CHARS)}…" (${length} characters)`;
}

const quotedPhone = (text: string) => quotedAs(maskPhoneLike(text.slice(0, MASK_LOOKAHEAD_CHARS)), text.length);
const quotedEmail = (text: string) => quotedAs(maskEmailLike(text.slice(0, MASK_LOOKAHEAD_CHARS)), text.length);

const REASONS = {
  phone: (text: string) =>
    `${quotedPhone(text)} is not a phone: 13800138000, +86 138 0013 8000 or E.164 (+85291234567); a masked 138****8000 is read as no phone`,
  email: (text: string) => `${quotedEmail(text)} is not an email address (like wang.fang@qq.com)`,
  device: (text: string) =>
    `${quoted(text)} is not a device: mobile (无线端, 手机, 移动端, APP, wap), pc (PC端, 电脑) or both (全部)`,
  date: (text: string) =>
    `${quoted(text)} is not a date: 2025-11-11, 2025-11-11 10:00, 2025/11/11 10:00, 2025年11月11日 10:00, 2025.11.11 10:00:00, an Excel date number (45972) or ISO 8601 with an offset`,
  count: (text: string) => `${quoted(text)} is not a whole number of orders, 0 or more (12, 1,200, 12次)`,
  amount: (text: string) =>
    `${quoted(text)} is not an amount in CNY, 0 or more (1299.50, 1,299.00, ¥1,299.00, 1299元, RMB 1299)`,
  year: (part: string) =>
    `${quoted(part)} is not a Double-11 year (2009 to 2100; separate several with ; , 、 / or spaces: 2024;2025, 2024年、2025年)`,
  boolean: (text: string) => `${quoted(text)} is not yes or no (true/false, 1/0, yes/no, y/n, 是/否, 有/无, 对/错)`,
} as const;

/** One column's reader: sets its field on the customer; a reason when the cell cannot be read, MASKED when it was masked. */
type CellReader = (text: string, customer: Customer, context: RowContext) => string | typeof MASKED | undefined;

function booleanReader(field: 'unpaidOrder' | 'optOutSms' | 'optOutEmail'): CellReader {
  return (text, customer) => {
    const value = parseBooleanCell(text);
    if (value === null) return REASONS.boolean(text);
    customer[field] = value;
    return undefined;
  };
}

function labelText(text: string): string | undefined {
  return text.length > MAX_NAME_LENGTH ? `is longer than ${MAX_NAME_LENGTH} characters` : undefined;
}

/** Every column's reader (customer_id aside, an empty cell or a "no value" mark never reaches one). */
const READERS: Record<CustomerColumn, CellReader> = {
  customer_id: (text, customer) => {
    if (text === '' || isNoValue(text)) return 'is required';
    if (text.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`;
    if (CONTROL.test(text)) return 'contains control characters';
    if (SCIENTIFIC.test(text)) {
      return `${quoted(text)} is a long number Excel rounded (scientific notation): two customers may share it. Format the column as text in Excel and export again`;
    }
    customer.customerId = text;
    return undefined;
  },
  phone: (text, customer) => {
    const phone = readPhone(text);
    if (phone === null) return REASONS.phone(text);
    if (phone === MASKED) return MASKED;
    customer.phone = phone;
    return undefined;
  },
  email: (text, customer) => {
    if (!isEmail(text)) return REASONS.email(text);
    if (isMaskedEmail(text)) return MASKED;
    customer.email = text.toLowerCase();
    return undefined;
  },
  name: (text, customer) => {
    const problem = labelText(text);
    if (problem) return problem;
    if (isMaskedName(text)) return MASKED;
    customer.name = text;
    return undefined;
  },
  device: (text, customer) => {
    const device = readDevice(text);
    if (device === null) return REASONS.device(text);
    customer.device = device;
    return undefined;
  },
  last_order_at: (text, customer, context) => {
    const instant = readDateTime(text, context.timeZone, context.date1904 === true);
    if (Number.isNaN(instant)) return REASONS.date(text);
    customer.lastOrderAt = instant;
    return undefined;
  },
  order_count: (text, customer) => {
    const count = readCount(text);
    if (count === null) return REASONS.count(text);
    customer.orderCount = count;
    return undefined;
  },
  total_spend: (text, customer) => {
    const amount = readAmount(text);
    if (amount === null) return REASONS.amount(text);
    customer.totalSpend = amount;
    return undefined;
  },
  d11_years: (text, customer) => {
    const years = readYears(text);
    if (!Array.isArray(years)) return REASONS.year(years.notAYear);
    customer.d11Years = years;
    return undefined;
  },
  unpaid_order: booleanReader('unpaidOrder'),
  opt_out_sms: booleanReader('optOutSms'),
  opt_out_email: booleanReader('optOutEmail'),
  segment: (text, customer) => {
    const problem = labelText(text);
    if (problem) return problem;
    customer.segment = text;
    return undefined;
  },
  member_tier: (text, customer) => {
    if (text.length > MAX_TIER_LENGTH) return `is longer than ${MAX_TIER_LENGTH} characters`;
    if (CONTROL.test(text)) return 'contains control characters';
    customer.tier = normaliseTier(text);
    return undefined;
  },
};

const MASK_BITS: Partial<Record<CustomerColumn, number>> = {
  phone: MASKED_PHONE,
  email: MASKED_EMAIL,
  name: MASKED_NAME,
};

export type RowResult =
  | {
      ok: true;
      customer: Customer;
      /** MASKED_PHONE | MASKED_EMAIL | MASKED_NAME: cells the platform masked, read as "not given". */
      masked?: number;
    }
  | { ok: false; problems: RowProblem[] };

/** Validates and normalises one row of cells (keys are column names, values trimmed text). */
export function parseCustomerRow(cells: Readonly<Record<string, string | undefined>>, context: RowContext): RowResult {
  const customer: Customer = {
    customerId: '',
    device: 'mobile',
    d11Years: [],
    segment: context.defaultSegment,
  };
  let problems: RowProblem[] | undefined;
  let masked = 0;
  for (const column of CUSTOMER_COLUMNS) {
    const text = cells[column];
    const required = column === 'customer_id';
    if (!required && (text === undefined || text === '' || isNoValue(text))) continue;
    const outcome = READERS[column](text ?? '', customer, context);
    if (outcome === undefined) continue;
    if (outcome === MASKED) {
      masked |= MASK_BITS[column] ?? 0;
      continue;
    }
    problems ??= [];
    problems.push({ column, reason: outcome });
  }
  if (problems) return { ok: false, problems };
  return masked === 0 ? { ok: true, customer } : { ok: true, customer, masked };
}

/**
 * Reads one column's trimmed, non-empty cell (customer_id: any cell) into `customer`, as
 * a row is read: -1 when the cell cannot be read (the row is then read again by
 * parseCustomerFields for its reasons), else the MASKED_* bit of a masked cell, or 0.
 * For readers that find the common forms of a row on their own and hand over the rest.
 */
export function readColumn(column: CustomerColumn, text: string, customer: Customer, context: RowContext): number {
  if (column !== 'customer_id' && isNoValue(text)) return 0;
  const outcome = READERS[column](text, customer, context);
  if (outcome === undefined) return 0;
  if (outcome === MASKED) return MASK_BITS[column] ?? 0;
  return -1;
}

/** Where a column's cells are in a file's rows (a CSV header's positions). */
export interface ColumnAt {
  index: number;
  column: CustomerColumn;
}

/**
 * The columns of a header in the order parseCustomerRow reads them, so that reading a
 * row's fields by position finds the same problems in the same order.
 */
export function columnsInReadingOrder(columns: readonly ColumnAt[]): ColumnAt[] {
  const order = new Map<string, number>(CUSTOMER_COLUMNS.map((column, position) => [column, position]));
  return [...columns].sort((a, b) => (order.get(a.column) ?? 0) - (order.get(b.column) ?? 0));
}

/**
 * parseCustomerRow for a row given as fields by position (`columns` from
 * columnsInReadingOrder, customer_id among them, as a header must have it): the same
 * result, without an object of cells per row. The million-row path of a CSV file.
 */
export function parseCustomerFields(
  fields: readonly string[],
  columns: readonly ColumnAt[],
  context: RowContext,
): RowResult {
  const customer: Customer = {
    customerId: '',
    device: 'mobile',
    d11Years: [],
    segment: context.defaultSegment,
  };
  let problems: RowProblem[] | undefined;
  let masked = 0;
  for (let position = 0; position < columns.length; position += 1) {
    const { index, column } = columns[position] as ColumnAt;
    const text = (fields[index] ?? '').trim();
    if (column !== 'customer_id' && (text === '' || isNoValue(text))) continue;
    const outcome = READERS[column](text, customer, context);
    if (outcome === undefined) continue;
    if (outcome === MASKED) {
      masked |= MASK_BITS[column] ?? 0;
      continue;
    }
    problems ??= [];
    problems.push({ column, reason: outcome });
  }
  if (problems) return { ok: false, problems };
  return masked === 0 ? { ok: true, customer } : { ok: true, customer, masked };
}

/** The label a file gives its rows: its name without folders and extension. */
export function segmentFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
