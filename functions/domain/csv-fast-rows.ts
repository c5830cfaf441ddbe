/**
 * The common CSV row read straight from its bytes: a million-row file is nearly all rows
 * of plain ASCII numbers, dates and flags, an id, an email and a name. Splitting such a
 * row into field strings, trimming them and running a regexp per cell costs more than
 * everything else a read does, so here the fields are found in the bytes, numbers, dates,
 * flags and devices are read from their digits and letters, and only the texts a customer
 * keeps (id, email, name, segment, tier) become strings, each a fresh copy of its bytes
 * (a slice of a chunk's text would hold the whole chunk in memory for as long as the
 * customer lives).
 *
 * Whatever is not a common form (a quote, a cell with spaces around it, full-width digits,
 * 12次, ¥1,299.00, a Chinese date) is handed to the column's own reader as its trimmed
 * text, so every form reads as it does on the full path; a row with a problem, a row of
 * another field count, a row that may not be plain UTF-8 returns NOT_COMMON and is read
 * again on the full path, which finds its reasons.
 */
import {
  blankCustomer,
  type ColumnAt,
  type Customer,
  type CustomerColumn,
  type RowContext,
  readColumn,
} from './customer.ts';
import { daysInMonth, instantOf, offsetMinutesAt } from './local-time.ts';

/** What read() returns for a row it leaves to the full path. */
export const NOT_COMMON = -1;

/**
 * The cells of the row just read that are kept as they are in the file's bytes, for a
 * taker that copies bytes (the customer set): `bytes[idFrom, idTo)` is the id (plain ASCII),
 * `emailFrom`/`nameFrom` are -1 when the row's email or name is not given in bytes (then
 * it is on the customer, or there is none), `phoneDigits` is the phone's digits after the
 * `+` (`8613800138000`), NaN when not given so. What is given here is left off the customer.
 */
export interface CellBytes {
  bytes: Buffer;
  idFrom: number;
  idTo: number;
  emailFrom: number;
  emailTo: number;
  nameFrom: number;
  nameTo: number;
  phoneDigits: number;
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const ZERO = 0x30;
const NINE = 0x39;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const SPACE = 0x20;
const UPPER_T = 0x54;
const LOWER_T = 0x74;
/** Lead bytes of UTF-8 characters from U+0800 on (Chinese text among them). */
const WIDE_LEAD = 0xe0;
/** Lead byte of U+F000 to U+FFFF: full-width forms, the BOM, U+FFFD (what bad bytes decode to). */
const EF_LEAD = 0xef;
const MAX_ID_BYTES = 128;
const FIRST_YEAR = 2009;
const LAST_YEAR = 2100;
const SEMICOLON = 0x3b;
const PLUS = 0x2b;
const UPPER_Z = 0x5a;
const LOWER_Z = 0x7a;
const MAX_FAST_YEARS = 7;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Days cached for date -> instant: 1990-01-01 to 2100-12-31 (other dates take instantOf). */
const FIRST_CACHED_DAY = Date.UTC(1990, 0, 1) / DAY_MS;
const CACHED_DAYS = Date.UTC(2101, 0, 1) / DAY_MS - FIRST_CACHED_DAY;
const UNKNOWN_OFFSET = Number.POSITIVE_INFINITY;
const NEAR_CHANGE = Number.NaN;

/** Node's own Buffer decoders, without toString's argument checks (they exist on every Buffer). */
interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** How a column's bytes are read: kinds with a byte reader of their own, the rest as text. */
type Kind = 'id' | 'phone' | 'email' | 'name' | 'device' | 'date' | 'count' | 'amount' | 'years' | 'flag' | 'text';

const KINDS: Record<CustomerColumn, Kind> = {
  customer_id: 'id',
  phone: 'phone',
  email: 'email',
  name: 'name',
  device: 'device',
  last_order_at: 'date',
  order_count: 'count',
  total_spend: 'amount',
  d11_years: 'years',
  unpaid_order: 'flag',
  opt_out_sms: 'flag',
  opt_out_email: 'flag',
  segment: 'text',
  member_tier: 'text',
};

type Flag = 'unpaidOrder' | 'optOutSms' | 'optOutEmail';
const FLAG_FIELDS: Partial<Record<CustomerColumn, Flag>> = {
  unpaid_order: 'unpaidOrder',
  opt_out_sms: 'optOutSms',
  opt_out_email: 'optOutEmail',
};

/** Frozen, as the year lists are: the customer set knows a frozen list by itself. */
const NO_YEARS = Object.freeze([]) as unknown as number[];

/**
 * Reads the rows of one header. `read` fills one customer object, reused from row to row:
 * whoever takes it must copy what it keeps before the next row.
 */
export class FastRowReader {
  /** Field boundaries of the current row: field i is bytes[cuts[i], cuts[i + 1] - 1). */
  private readonly cuts: Int32Array;
  private readonly kinds: Kind[];
  private readonly indexes: number[];
  private readonly names: CustomerColumn[];
  private readonly flags: Array<Flag | undefined>;
  /** Year lists of one year, shared by the rows (a reused customer is copied by its taker). */
  private readonly singleYears = new Map<number, number[]>();
  /** Year lists of several years, by their years packed in a number. */
  private readonly yearLists = new Map<number, number[]>();
  private readonly yearScratch = new Uint16Array(MAX_FAST_YEARS + 1);
  /** By day from FIRST_CACHED_DAY: the zone's offset (minutes) that holds from the day before to the day after, NEAR_CHANGE, or UNKNOWN_OFFSET. */
  private readonly dayOffsets = new Float64Array(CACHED_DAYS).fill(UNKNOWN_OFFSET);
  readonly customer: Customer;
  /** With `inBytes`, the row's id, phone, email and name as bytes (not on the customer). */
  readonly cells: CellBytes = {
    bytes: Buffer.alloc(0),
    idFrom: -1,
    idTo: -1,
    emailFrom: -1,
    emailTo: -1,
    nameFrom: -1,
    nameTo: -1,
    phoneDigits: Number.NaN,
  };

  /** `inBytes`: give the id, phone, email and name in `cells` where the bytes hold them as they are. */
  constructor(
    private readonly fieldCount: number,
    columns: readonly ColumnAt[],
    private readonly context: RowContext,
    private readonly inBytes = false,
  ) {
    this.cuts = new Int32Array(fieldCount + 1);
    this.indexes = columns.map(({ index }) => index);
    this.names = columns.map(({ column }) => column);
    this.kinds = this.names.map((column) => KINDS[column]);
    this.flags = this.names.map((column) => FLAG_FIELDS[column]);
    this.customer = blankCustomer(context.defaultSegment);
    this.customer.d11Years = NO_YEARS;
  }

  /**
   * Reads the unquoted row `bytes[start, end)` of a file whose rows around it are valid
   * UTF-8 into `customer`: the MASKED_* bits of its masked cells, or NOT_COMMON.
   */
  read(bytes: Buffer, start: number, end: number): number {
    const cuts = this.cuts;
    const last = this.fieldCount;
    let field = 0;
    let nonAscii = false;
    let wide = false;
    cuts[0] = start;
    for (let at = start; at < end; at += 1) {
      const byte = bytes[at] as number;
      if (byte === COMMA) {
        field += 1;
        if (field >= last) return NOT_COMMON;
        cuts[field] = at + 1;
      } else if (byte >= 0x80) {
        nonAscii = true;
        if (byte >= WIDE_LEAD) {
          // U+FFFD, full-width forms and the BOM take the full path.
          if (byte === EF_LEAD) return NOT_COMMON;
          wide = true;
        }
      } else if (byte === QUOTE) return NOT_COMMON;
    }
    // A row of another field count, or non-ASCII text without a character from U+0800 on
    // (it may be GBK that happens to be valid UTF-8: the full path looks closer).
    if (field !== last - 1 || (nonAscii && !wide)) return NOT_COMMON;
    cuts[last] = end + 1;

    const customer = this.customer;
    customer.customerId = '';
    customer.phone = undefined;
    customer.email = undefined;
    customer.name = undefined;
    customer.device = 'mobile';
    customer.lastOrderAt = undefined;
    customer.orderCount = undefined;
    customer.totalSpend = undefined;
    customer.d11Years = NO_YEARS;
    customer.unpaidOrder = undefined;
    customer.optOutSms = undefined;
    customer.optOutEmail = undefined;
    customer.segment = this.context.defaultSegment;
    customer.tier = undefined;
    const cells = this.cells;
    cells.bytes = bytes;
    cells.idFrom = -1;
    cells.emailFrom = -1;
    cells.nameFrom = -1;
    cells.phoneDigits = Number.NaN;
    const inBytes = this.inBytes;

    let masked = 0;
    const kinds = this.kinds;
    for (let position = 0; position < kinds.length; position += 1) {
      const index = this.indexes[position] as number;
      const from = cuts[index] as number;
      const to = (cuts[index + 1] as number) - 1;
      const kind = kinds[position] as Kind;
      if (from === to) {
        if (kind === 'id') return NOT_COMMON;
        continue;
      }
      let done = false;
      switch (kind) {
        case 'id':
          done = this.id(bytes, from, to);
          break;
        case 'phone':
          done = phone(bytes, from, to, customer, inBytes ? cells : undefined);
          break;
        case 'email':
          done = email(bytes, from, to, customer, inBytes ? cells : undefined);
          break;
        case 'name':
          done = inBytes && name(bytes, from, to, cells);
          break;
        case 'device':
          done = device(bytes, from, to, customer);
          break;
        case 'date':
          done = this.date(bytes, from, to);
          break;
        case 'count': {
          const count = digits(bytes, from, to, 9);
          if (count >= 0) {
            customer.orderCount = count;
            done = true;
          }
          break;
        }
        case 'amount':
          done = amount(bytes, from, to, customer);
          break;
        case 'years':
          done = this.years(bytes, from, to);
          break;
        case 'flag':
          done = flag(bytes, from, to, customer, this.flags[position] as Flag);
          break;
        default:
          break;
      }
      if (done) continue;
      // Any other form: the column's own reader, on the cell's trimmed text.
      const slices = bytes as unknown as Slices;
      const text = (nonAscii ? slices.utf8Slice(from, to) : slices.latin1Slice(from, to)).trim();
      const column = this.names[position] as CustomerColumn;
      if (text === '') {
        if (kind === 'id') return NOT_COMMON;
        continue;
      }
      const outcome = readColumn(column, text, customer, this.context);
      if (outcome < 0) return NOT_COMMON;
      masked |= outcome;
    }
    return masked;
  }

  /** An id of letters, digits, `-` and `_` (no spaces, no control characters, no Excel rounding). */
  private id(bytes: Buffer, from: number, to: number): boolean {
    if (to - from > MAX_ID_BYTES) return false;
    let letterOrDigit = false;
    for (let at = from; at < to; at += 1) {
      const byte = bytes[at] as number;
      const lower = byte | 0x20;
      if ((byte >= ZERO && byte <= NINE) || (lower >= 0x61 && lower <= 0x7a)) letterOrDigit = true;
      else if (byte !== DASH && byte !== 0x5f) return false;
    }
    // `-`, `--`: a "no value" mark, and `null`, `NULL`: the column's reader says why.
    if (!letterOrDigit || (to - from === 4 && ((bytes[from] as number) | 0x20) === 0x6e)) return false;
    if (this.inBytes) {
      this.cells.idFrom = from;
      this.cells.idTo = to;
    } else this.customer.customerId = (bytes as unknown as Slices).latin1Slice(from, to);
    return true;
  }

  /**
   * `2026-10-06`, `2026-10-06T11:12:47` (or with a space), and the latter with an offset,
   * `Z`, `+08:00`, `-0500`: the forms nearly every export writes.
   */
  private date(bytes: Buffer, from: number, to: number): boolean {
    const length = to - from;
    if (length !== 10 && (length < 19 || length > 25)) return false;
    if (bytes[from + 4] !== DASH || bytes[from + 7] !== DASH) return false;
    const year = digits(bytes, from, from + 4, 4);
    const month = digits(bytes, from + 5, from + 7, 2);
    const day = digits(bytes, from + 8, from + 10, 2);
    // Not a real date (2025-02-30): the column's reader says so.
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
    if (length === 10) {
      this.customer.lastOrderAt = this.instant(year, month, day, 0);
      return true;
    }
    const separator = bytes[from + 10];
    if (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) return false;
    if (bytes[from + 13] !== COLON || bytes[from + 16] !== COLON) return false;
    const hour = digits(bytes, from + 11, from + 13, 2);
    const minute = digits(bytes, from + 14, from + 16, 2);
    const second = digits(bytes, from + 17, from + 19, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
    const seconds = hour * 3600 + minute * 60 + second;
    if (length === 19) {
      this.customer.lastOrderAt = this.instant(year, month, day, seconds);
      return true;
    }
    const offset = offsetOf(bytes, from + 19, to);
    if (Number.isNaN(offset)) return false;
    this.customer.lastOrderAt = Date.UTC(year, month - 1, day) + seconds * 1000 - offset * MINUTE_MS;
    return true;
  }

  /**
   * The instant of a local wall clock, by the zone's offset on that day when the offset
   * holds from the day before to the day after (then it is what instantOf finds, without
   * its two offset look-ups); days near an offset change go to instantOf.
   */
  private instant(year: number, month: number, day: number, seconds: number): number {
    const dayStart = Date.UTC(year, month - 1, day);
    const asUtc = dayStart + seconds * 1000;
    const slot = dayStart / DAY_MS - FIRST_CACHED_DAY;
    if (slot >= 0 && slot < CACHED_DAYS) {
      let offset = this.dayOffsets[slot] as number;
      if (offset === UNKNOWN_OFFSET) {
        offset = steadyOffset(dayStart, this.context.timeZone);
        this.dayOffsets[slot] = offset;
      }
      if (!Number.isNaN(offset)) return asUtc - offset * MINUTE_MS;
    }
    const hour = Math.floor(seconds / 3600);
    const minute = Math.floor(seconds / 60) % 60;
    return instantOf({ year, month, day, hour, minute, second: seconds % 60 }, this.context.timeZone);
  }

  /** One year, `2025`, or years split by `;`, `2023;2025` (ascending, no repeats, as the column's reader gives them). */
  private years(bytes: Buffer, from: number, to: number): boolean {
    if (to - from === 4) {
      const year = digits(bytes, from, to, 4);
      if (year < FIRST_YEAR || year > LAST_YEAR) return false;
      let list = this.singleYears.get(year);
      if (list === undefined) {
        list = Object.freeze([year]) as number[];
        this.singleYears.set(year, list);
      }
      this.customer.d11Years = list;
      return true;
    }
    // Up to 7 years (more take the column's reader), kept ascending without repeats.
    const years = this.yearScratch;
    let count = 0;
    for (let at = from; ; at += 5) {
      if (at + 4 > to) return false;
      const year = digits(bytes, at, at + 4, 4);
      if (year < FIRST_YEAR || year > LAST_YEAR) return false;
      let place = count;
      while (place > 0 && (years[place - 1] as number) > year) place -= 1;
      if (place === 0 || years[place - 1] !== year) {
        if (count === MAX_FAST_YEARS) return false;
        years.copyWithin(place + 1, place, count);
        years[place] = year;
        count += 1;
      }
      if (at + 4 === to) break;
      // Only `;` between years here: `、`, `/`, spaces, `年` and the rest take the column's reader.
      if (bytes[at + 4] !== SEMICOLON) return false;
    }
    // 7 bits a year (1 + its distance from the first): 7 years fit a float64's integers.
    let key = 0;
    for (let at = 0; at < count; at += 1) key = key * 128 + ((years[at] as number) - FIRST_YEAR + 1);
    let list = this.yearLists.get(key);
    if (list === undefined) {
      list = Object.freeze(Array.from(years.subarray(0, count))) as number[];
      this.yearLists.set(key, list);
    }
    this.customer.d11Years = list;
    return true;
  }
}

/** The digits of bytes[from, to) as a number (at most `most` of them), or -1. */
function digits(bytes: Buffer, from: number, to: number, most: number): number {
  if (to - from > most || to <= from) return -1;
  let value = 0;
  for (let at = from; at < to; at += 1) {
    const digit = (bytes[at] as number) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `Z`, `+08:00`, `-0500` after a time: the offset in minutes, as the column's reader takes it
 * (hours up to 14, minutes up to 59), or NaN.
 */
function offsetOf(bytes: Buffer, from: number, to: number): number {
  const length = to - from;
  if (length === 1) return bytes[from] === UPPER_Z || bytes[from] === LOWER_Z ? 0 : Number.NaN;
  if (length !== 5 && length !== 6) return Number.NaN;
  const sign = bytes[from];
  if (sign !== PLUS && sign !== DASH) return Number.NaN;
  const minutesAt = length === 6 ? from + 4 : from + 3;
  if (length === 6 && bytes[from + 3] !== COLON) return Number.NaN;
  const hours = digits(bytes, from + 1, from + 3, 2);
  const minutes = digits(bytes, minutesAt, minutesAt + 2, 2);
  if (hours < 0 || hours > 14 || minutes < 0 || minutes > 59) return Number.NaN;
  return (sign === DASH ? -1 : 1) * (hours * 60 + minutes);
}

/** An 11-digit mainland mobile, `13800138000`, or the same after `+86`. */
function phone(bytes: Buffer, start: number, to: number, customer: Customer, cells: CellBytes | undefined): boolean {
  const from =
    to - start === 14 && bytes[start] === PLUS && bytes[start + 1] === 0x38 && bytes[start + 2] === 0x36
      ? start + 3
      : start;
  if (to - from !== 11 || bytes[from] !== 0x31) return false;
  const second = bytes[from + 1] as number;
  if (second < 0x33 || second > NINE) return false;
  // +86 and the 11 digits: 13 digits, exact in a float64.
  let value = 86;
  for (let at = from; at < to; at += 1) {
    const byte = bytes[at] as number;
    if (byte < ZERO || byte > NINE) return false;
    value = value * 10 + (byte - ZERO);
  }
  if (cells) cells.phoneDigits = value;
  else customer.phone = `+86${(bytes as unknown as Slices).latin1Slice(from, to)}`;
  return true;
}

/**
 * A plain ASCII address, `lj6702@163.com`, as the column's reader takes it (one `@`, a dot
 * and two or more letters at the end, none of the characters addresses may not hold), and
 * not masked: lower-cased. Anything else (a `*`, a space, non-ASCII text): the column's reader.
 */
function email(bytes: Buffer, from: number, to: number, customer: Customer, cells: CellBytes | undefined): boolean {
  let at = -1;
  let dot = -1;
  let upper = false;
  for (let index = from; index < to; index += 1) {
    const byte = bytes[index] as number;
    if (byte <= SPACE || byte >= 0x7f || NOT_IN_EMAIL[byte] === 1) return false;
    if (byte === AT) {
      if (at >= 0) return false;
      at = index;
    } else if (byte === DOT) dot = index;
    else if (byte >= 0x41 && byte <= UPPER_Z) upper = true;
  }
  // Something before the `@`, something between it and the last dot, 2+ letters after that.
  if (at <= from || dot <= at + 1 || to - dot - 1 < 2) return false;
  for (let index = dot + 1; index < to; index += 1) {
    const lower = (bytes[index] as number) | 0x20;
    if (lower < 0x61 || lower > LOWER_Z) return false;
  }
  if (cells && !upper) {
    cells.emailFrom = from;
    cells.emailTo = to;
    return true;
  }
  const text = (bytes as unknown as Slices).latin1Slice(from, to);
  customer.email = upper ? text.toLowerCase() : text;
  return true;
}

/** Lead bytes of the CJK ideographs U+4E00 to U+9FFF, the letters of nearly every Chinese name. */
const FIRST_CJK_LEAD = 0xe4;
const LAST_CJK_LEAD = 0xe9;
const MAX_NAME_BYTES = 64;
/** `暂无` ("none yet"), a "no value" mark: the column's reader skips it. */
const NONE_YET = [0xe6, 0x9a, 0x82, 0xe6, 0x97, 0xa0];

/**
 * A name the column's reader would keep as it is: no space or other blank at either end
 * (ASCII or CJK characters there), no `*` (masked), not a "no value" mark, not too long.
 */
function name(bytes: Buffer, from: number, to: number, cells: CellBytes): boolean {
  // At most 64 bytes: surely at most 64 characters.
  if (to - from > MAX_NAME_BYTES) return false;
  const first = bytes[from] as number;
  let lastLead = to - 1;
  while (lastLead > from && ((bytes[lastLead] as number) & 0xc0) === 0x80) lastLead -= 1;
  if (!plainEnd(first) || !plainEnd(bytes[lastLead] as number)) return false;
  // `-`, `/`, `null`, `N/A`, `#N/A` and the like: the column's reader knows them.
  if (to - from <= 4 && (first === DASH || first === SLASH || first === HASH || (first | 0x20) === 0x6e)) return false;
  if (to - from === NONE_YET.length && isWord(bytes, from, NONE_YET)) return false;
  for (let at = from; at < to; at += 1) {
    const byte = bytes[at] as number;
    if (byte === STAR || byte < SPACE) return false;
  }
  cells.nameFrom = from;
  cells.nameTo = to;
  return true;
}

const SLASH = 0x2f;
const HASH = 0x23;
const STAR = 0x2a;

/** A first or last character of a cell that trimming keeps: visible ASCII, or a CJK ideograph. */
function plainEnd(lead: number): boolean {
  return (lead > SPACE && lead < 0x7f) || (lead >= FIRST_CJK_LEAD && lead <= LAST_CJK_LEAD);
}

const AT = 0x40;
/** Bytes an address may not hold (beside spaces and controls), as the column's reader says, and `*` (masking). */
const NOT_IN_EMAIL = new Uint8Array(128);
for (const character of '"<>(),;:*') NOT_IN_EMAIL[character.charCodeAt(0)] = 1;

/** `mobile`, `pc`, `both` as the product writes them. */
function device(bytes: Buffer, from: number, to: number, customer: Customer): boolean {
  const length = to - from;
  if (length === 6 && isWord(bytes, from, MOBILE)) customer.device = 'mobile';
  else if (length === 2 && isWord(bytes, from, PC)) customer.device = 'pc';
  else if (length === 4 && isWord(bytes, from, BOTH)) customer.device = 'both';
  else return false;
  return true;
}

const MOBILE = [0x6d, 0x6f, 0x62, 0x69, 0x6c, 0x65];
const PC = [0x70, 0x63];
const BOTH = [0x62, 0x6f, 0x74, 0x68];
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const YES = [0x79, 0x65, 0x73];
const NO = [0x6e, 0x6f];

/** Whether the bytes from `from` are `word` exactly. */
function isWord(bytes: Buffer, from: number, word: readonly number[]): boolean {
  for (let at = 0; at < word.length; at += 1) if (bytes[from + at] !== word[at]) return false;
  return true;
}

/** Whether the bytes from `from` are the lower-case letters of `word` in any case. */
function isWordInAnyCase(bytes: Buffer, from: number, word: readonly number[]): boolean {
  for (let at = 0; at < word.length; at += 1) if (((bytes[from + at] as number) | 0x20) !== word[at]) return false;
  return true;
}

/** `1299`, `45.73`, `0.5`: at most 9 digits before the point and 2 after (the rest: the column's reader). */
function amount(bytes: Buffer, from: number, to: number, customer: Customer): boolean {
  let whole = 0;
  let at = from;
  for (; at < to; at += 1) {
    const digit = (bytes[at] as number) - ZERO;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
  }
  const wholeDigits = at - from;
  if (wholeDigits === 0 || wholeDigits > 9) return false;
  let cents = whole * 100;
  if (at < to) {
    const decimals = to - at - 1;
    if (bytes[at] !== DOT || decimals < 1 || decimals > 2) return false;
    const fraction = digits(bytes, at + 1, to, 2);
    if (fraction < 0) return false;
    cents += decimals === 1 ? fraction * 10 : fraction;
  }
  // What Math.round(Number(text) * 100) / 100 gives for such a text: its cents, exactly.
  customer.totalSpend = cents / 100;
  return true;
}

/** `true`/`false`, `1`/`0`, `yes`/`no`, `y`/`n`, in any case. */
function flag(bytes: Buffer, from: number, to: number, customer: Customer, field: Flag): boolean {
  const length = to - from;
  let value: boolean;
  if (length === 1) {
    const only = bytes[from];
    if (only === 0x31 || only === 0x79 || only === 0x59) value = true;
    else if (only === 0x30 || only === 0x6e || only === 0x4e) value = false;
    else return false;
  } else if (length === 4 && isWordInAnyCase(bytes, from, TRUE)) value = true;
  else if (length === 5 && isWordInAnyCase(bytes, from, FALSE)) value = false;
  else if (length === 3 && isWordInAnyCase(bytes, from, YES)) value = true;
  else if (length === 2 && isWordInAnyCase(bytes, from, NO)) value = false;
  else return false;
  customer[field] = value;
  return true;
}

/**
 * The zone's offset on the UTC day starting at `dayStart` when it holds throughout the day
 * before and the day after (so any wall clock of the day has that one instant), else NEAR_CHANGE.
 */
function steadyOffset(dayStart: number, timeZone: string): number {
  const offset = offsetMinutesAt(dayStart - DAY_MS, timeZone);
  for (const at of [dayStart - 1, dayStart + DAY_MS, dayStart + 2 * DAY_MS - 1]) {
    if (offsetMinutesAt(at, timeZone) !== offset) return NEAR_CHANGE;
  }
  return offset;
}
