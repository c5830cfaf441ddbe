/**
 * A customer as the store exports it: the row schema and its normalising.
 * Cells arrive as text (CSV, or JSON values turned into text by the reader), and every
 * column is checked on its own so that a rejected row lists every problem it has.
 */
import { z } from 'zod';
import { parseDateTime } from './local-time.ts';

export const DEVICES = ['mobile', 'pc', 'both'] as const;
export type Device = (typeof DEVICES)[number];

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
  reason: string;
  code?: RejectCode;
}

export interface RowContext {
  /** Dates without an offset are wall-clock time here (the campaign's zone). */
  timeZone: string;
  /** Label for rows whose `segment` cell is empty. */
  defaultSegment: string;
}

const FIRST_DOUBLE_11 = 2009;
const LAST_PLAUSIBLE_YEAR = 2100;
const MAX_ID_LENGTH = 128;
const MAX_NAME_LENGTH = 64;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', '是']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', '否']);

// Deliberately plain: one @, a dot in the domain, no spaces. Deliverability is the
// provider's job; this catches the typos and junk a CRM export carries.
const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[A-Za-z]{2,}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const PHONE_SEPARATORS = /[\s\-().]/g;
const INTEGER = /^\d+$/;
const DECIMAL = /^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Longest value quoted whole in a message; longer ones are cut (a 5 MB cell must not make a 5 MB message). */
const MAX_QUOTED_CHARS = 40;

/** A value as a message quotes it: whole when short, else its start and its length. */
export function quoted(text: string): string {
  if (text.length <= MAX_QUOTED_CHARS) return `"${text}"`;
  return `"${text.slice(0, MAX_QUOTED_CHARS)}…" (${text.length} characters)`;
}

export function isEmail(text: string): boolean {
  return EMAIL.test(text);
}

export function parseBooleanCell(text: string): boolean | null {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** An email address as segment files are read: trimmed by the caller, lower-cased; null when it is not one. */
export function normaliseEmail(text: string): string | null {
  return EMAIL.test(text) ? text.toLowerCase() : null;
}

export function normalisePhone(text: string): string | null {
  const compact = text.replace(PHONE_SEPARATORS, '');
  if (MAINLAND_MOBILE.test(compact)) return flatCopy(`+86${compact}`);
  if (E164.test(compact)) return flatCopy(compact);
  return null;
}

/**
 * A standalone copy of a short string. V8 keeps a concatenation or regexp result as a
 * tree pointing into its sources; held for a million customers, those trees cost about
 * 200 bytes each (measured), so the phone is copied flat once.
 */
function flatCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

type Ctx = z.core.$RefinementCtx;

function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** An optional cell: empty means "not given"; otherwise `parse` normalises or fails. */
function optionalCell<T>(parse: (text: string, ctx: Ctx) => T) {
  return z
    .string()
    .optional()
    .transform((text, ctx): T | undefined => (text === undefined || text === '' ? undefined : parse(text, ctx)));
}

const booleanCell = optionalCell((text, ctx) => {
  const value = parseBooleanCell(text);
  return value ?? fail(ctx, `${quoted(text)} is not a boolean (true/false/1/0/yes/no)`);
});

function buildRowSchema(context: RowContext) {
  return z.object({
    customer_id: z
      .string({ error: 'is required' })
      .min(1, 'is required')
      .max(MAX_ID_LENGTH, `is longer than ${MAX_ID_LENGTH} characters`)
      .refine((id) => !CONTROL.test(id), 'contains control characters'),
    phone: optionalCell(
      (text, ctx) =>
        normalisePhone(text) ??
        fail(ctx, `${quoted(text)} is not E.164 (+8613800138000) or an 11-digit mainland mobile`),
    ),
    email: optionalCell((text, ctx) =>
      EMAIL.test(text) ? text.toLowerCase() : fail(ctx, `${quoted(text)} is not an email`),
    ),
    name: optionalCell((text, ctx) =>
      text.length > MAX_NAME_LENGTH ? fail(ctx, `is longer than ${MAX_NAME_LENGTH} characters`) : text,
    ),
    device: optionalCell((text, ctx) => {
      const device = text.toLowerCase();
      return (DEVICES as readonly string[]).includes(device)
        ? (device as Device)
        : fail(ctx, `${quoted(text)} is not one of mobile, pc, both`);
    }),
    last_order_at: optionalCell((text, ctx) => {
      const instant = parseDateTime(text, context.timeZone);
      return Number.isNaN(instant) ? fail(ctx, `${quoted(text)} is not an ISO 8601 date or date-time`) : instant;
    }),
    order_count: optionalCell((text, ctx) =>
      INTEGER.test(text) && text.length <= 9 ? Number(text) : fail(ctx, `${quoted(text)} is not a whole number >= 0`),
    ),
    total_spend: optionalCell((text, ctx) =>
      DECIMAL.test(text) && text.length <= 18
        ? Math.round(Number(text.replaceAll(',', '')) * 100) / 100
        : fail(ctx, `${quoted(text)} is not an amount in CNY (e.g. 1299.50)`),
    ),
    d11_years: optionalCell((text, ctx) => {
      const years = new Set<number>();
      for (const part of text.split(';')) {
        const year = part.trim();
        if (year === '') continue;
        const value = Number(year);
        if (!/^\d{4}$/.test(year) || value < FIRST_DOUBLE_11 || value > LAST_PLAUSIBLE_YEAR) {
          return fail(ctx, `${quoted(year)} is not a Double-11 year (${FIRST_DOUBLE_11} or later, ;-separated)`);
        }
        years.add(value);
      }
      return [...years].sort((a, b) => a - b);
    }),
    unpaid_order: booleanCell,
    opt_out_sms: booleanCell,
    opt_out_email: booleanCell,
    segment: optionalCell((text, ctx) =>
      text.length > MAX_NAME_LENGTH ? fail(ctx, `is longer than ${MAX_NAME_LENGTH} characters`) : text,
    ),
  });
}

export type RowResult = { ok: true; customer: Customer } | { ok: false; problems: RowProblem[] };

const schemaCache = new Map<string, ReturnType<typeof buildRowSchema>>();

/** Validates and normalises one row of cells (keys are column names, values trimmed text). */
export function parseCustomerRow(cells: Readonly<Record<string, string | undefined>>, context: RowContext): RowResult {
  const cacheKey = context.timeZone;
  let schema = schemaCache.get(cacheKey);
  if (!schema) {
    schema = buildRowSchema(context);
    schemaCache.set(cacheKey, schema);
  }
  const result = schema.safeParse(cells);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((issue) => ({
        column: String(issue.path[0] ?? '(row)'),
        reason: issue.message,
      })),
    };
  }
  const row = result.data;
  const customer: Customer = {
    customerId: row.customer_id,
    device: row.device ?? 'mobile',
    d11Years: row.d11_years ?? [],
    segment: row.segment ?? context.defaultSegment,
  };
  if (row.phone !== undefined) customer.phone = row.phone;
  if (row.email !== undefined) customer.email = row.email;
  if (row.name !== undefined) customer.name = row.name;
  if (row.last_order_at !== undefined) customer.lastOrderAt = row.last_order_at;
  if (row.order_count !== undefined) customer.orderCount = row.order_count;
  if (row.total_spend !== undefined) customer.totalSpend = row.total_spend;
  if (row.unpaid_order !== undefined) customer.unpaidOrder = row.unpaid_order;
  if (row.opt_out_sms !== undefined) customer.optOutSms = row.opt_out_sms;
  if (row.opt_out_email !== undefined) customer.optOutEmail = row.opt_out_email;
  return { ok: true, customer };
}

/** The label a file gives its rows: its name without folders and extension. */
export function segmentFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
