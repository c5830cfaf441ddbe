/**
 * The customers a plan is made from: last row wins per customer_id, labels gathered
 * from every file a customer appears in, repeats counted.
 *
 * Held as columns, not as one object per customer: a million Customer objects (with their
 * year arrays and phone strings) cost about 400 MB and make every garbage collection walk
 * them all. Numbers, flags and the phone live in typed arrays; labels, segments, tiers and
 * year lists are interned (a file's million rows share a handful of each); ids, emails and
 * names are UTF-8 bytes in one buffer a column (a million strings kept alive are what the
 * collector walks and copies), decoded when asked for. `get(index)` gives a customer back
 * as a Customer, equal to the one that went in.
 */
import type { CellBytes } from './csv-fast-rows.ts';
import { blankCustomer, type Customer, DEVICES, type Device } from './customer.ts';

export interface CustomerSetStats {
  /** Rows that repeated a customer_id already seen in the same file (the last row won). */
  repeatsInFile: number;
  /** Rows whose customer_id was already seen in an earlier file (the later row won; labels kept). */
  seenInEarlierFile: number;
}

/** Flag bits: whether each yes/no cell was given, and its value. */
const UNPAID_GIVEN = 1;
const UNPAID = 2;
const SMS_GIVEN = 4;
const OPT_OUT_SMS = 8;
const EMAIL_GIVEN = 16;
const OPT_OUT_EMAIL = 32;

const INITIAL_CAPACITY = 1024;
/** Slots of the id table per customer, at least: below half full, a probe finds its slot in one or two steps. */
const SLOTS_PER_ID = 2;

/** The device's place in DEVICES (a compare a row, not a look-up). */
function deviceIndex(device: Device): number {
  if (device === DEVICES[0]) return 0;
  return device === DEVICES[1] ? 1 : device === DEVICES[2] ? 2 : 0;
}

/** The digits of an E.164 phone that fits a float64 exactly (`+` and 2 to 15 digits, no leading 0), or NaN. */
function phoneDigits(phone: string): number {
  const length = phone.length;
  if (length < 3 || length > 16 || phone.charCodeAt(0) !== 0x2b || phone.charCodeAt(1) === 0x30) return Number.NaN;
  let value = 0;
  for (let at = 1; at < length; at += 1) {
    const digit = phone.charCodeAt(at) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Texts by index as UTF-8 bytes in one growing buffer (a value replaced by a later row is
 * written anew; the old bytes stay unused): a column of a million texts is one object for
 * the collector, not a million. Texts that are not well-formed UTF-16 (a lone surrogate
 * from a JSON \uD800) would not survive UTF-8, so they are kept as they came.
 */
/** Texts as JSON strings, one a line, and where each line starts (one more entry, past the last). */
export interface JsonLines {
  bytes: Uint8Array;
  starts: Uint32Array;
}

class TextColumn {
  private bytes: Buffer;
  private used = 0;
  private starts: Float64Array;
  /** 1 + the byte length of each text, 0 for none (so that fresh room needs no filling). */
  private lengths: Int32Array;
  private readonly odd = new Map<number, string>();

  constructor(capacity: number, bytesPerText: number) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(4096, capacity * bytesPerText));
    this.starts = new Float64Array(capacity);
    this.lengths = new Int32Array(capacity);
  }

  /** Makes room for `capacity` texts (indexes below it), keeping those written. */
  reserve(capacity: number): void {
    if (capacity <= this.lengths.length) return;
    const starts = new Float64Array(capacity);
    starts.set(this.starts);
    this.starts = starts;
    const lengths = new Int32Array(capacity);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }

  set(index: number, text: string | undefined): void {
    if (this.odd.size > 0) this.odd.delete(index);
    if (text === undefined) {
      this.lengths[index] = 0;
      return;
    }
    const length = text.length;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + 3 * length > this.bytes.length) this.grow(3 * length);
    const bytes = this.bytes;
    const start = this.used;
    let at = 0;
    for (; at < length; at += 1) {
      const code = text.charCodeAt(at);
      if (code >= 0x80) break;
      bytes[start + at] = code;
    }
    let written = at;
    if (at < length) {
      if (!(text as unknown as WellFormed).isWellFormed()) {
        this.odd.set(index, text);
        this.lengths[index] = 0;
        return;
      }
      written += (bytes as unknown as Utf8Buffer).utf8Write(text.slice(at), start + at, bytes.length - start - at);
    }
    this.starts[index] = start;
    this.lengths[index] = written + 1;
    this.used += written;
  }

  get(index: number): string | undefined {
    const length = (this.lengths[index] as number) - 1;
    if (length < 0) return this.odd.size > 0 ? this.odd.get(index) : undefined;
    const start = this.starts[index] as number;
    return (this.bytes as unknown as Utf8Buffer).utf8Slice(start, start + length);
  }

  /** Whether there is a text at `index` and it is not empty, without decoding it. */
  isNonEmpty(index: number): boolean {
    if ((this.lengths[index] as number) > 1) return true;
    return this.odd.size > 0 && Boolean(this.odd.get(index));
  }

  /** Writes `bytes[from, to)` (UTF-8 text) as the text at `index`. */
  setBytes(index: number, bytes: Buffer, from: number, to: number): void {
    if (this.odd.size > 0) this.odd.delete(index);
    const length = to - from;
    if (this.used + length > this.bytes.length) this.grow(length);
    const start = this.used;
    const into = this.bytes;
    // A call to copy costs more than a loop over a short cell.
    if (length > 32) bytes.copy(into, start, from, to);
    else for (let at = 0; at < length; at += 1) into[start + at] = bytes[from + at] as number;
    this.starts[index] = start;
    this.lengths[index] = length + 1;
    this.used += length;
  }

  /** Whether the text at `index` is the UTF-8 text `bytes[from, to)`. */
  equalsBytes(index: number, bytes: Buffer, from: number, to: number): boolean {
    const length = (this.lengths[index] as number) - 1;
    if (length !== to - from) return false;
    const start = this.starts[index] as number;
    const own = this.bytes;
    for (let at = 0; at < length; at += 1) if (own[start + at] !== bytes[from + at]) return false;
    return true;
  }

  /** Whether the text at `index` is `text`, without decoding it (ASCII) or by decoding it (the rest). */
  equals(index: number, text: string): boolean {
    const length = (this.lengths[index] as number) - 1;
    if (length < 0) return this.odd.size > 0 && this.odd.get(index) === text;
    if (length < text.length) return false;
    const start = this.starts[index] as number;
    const bytes = this.bytes;
    for (let at = 0; at < text.length; at += 1) {
      const code = text.charCodeAt(at);
      if (code >= 0x80) return this.get(index) === text;
      if (bytes[start + at] !== code) return false;
    }
    return length === text.length;
  }

  /**
   * Texts [0, count) as JSON strings, one a line, the bytes `JSON.stringify` and UTF-8 give,
   * copied straight from the column where no byte needs escaping (a quote, a backslash, a
   * control character): no string is decoded per text. An absent text is written as "".
   * `starts` are where each line starts, and one more entry past the last line.
   */
  jsonLines(count: number): JsonLines {
    const quote = 0x22;
    let size = 0;
    const escaped = new Map<number, Buffer>();
    for (let index = 0; index < count; index += 1) {
      const length = (this.lengths[index] as number) - 1;
      if (length >= 0 && this.plain(index, length)) size += length + 3;
      else {
        const line = Buffer.from(`${JSON.stringify(this.get(index) ?? '')}\n`, 'utf8');
        escaped.set(index, line);
        size += line.length;
      }
    }
    if (size >= 2 ** 32) throw new RangeError(`ids of ${size} bytes: at most 4 GiB`);
    const out = Buffer.allocUnsafe(size);
    const starts = new Uint32Array(count + 1);
    const bytes = this.bytes;
    let offset = 0;
    for (let index = 0; index < count; index += 1) {
      starts[index] = offset;
      const line = escaped.size > 0 ? escaped.get(index) : undefined;
      if (line) {
        offset += line.copy(out, offset);
        continue;
      }
      const start = this.starts[index] as number;
      const end = start + (this.lengths[index] as number) - 1;
      out[offset++] = quote;
      for (let at = start; at < end; at += 1) out[offset++] = bytes[at] as number;
      out[offset++] = quote;
      out[offset++] = 0x0a;
    }
    starts[count] = offset;
    return { bytes: out, starts };
  }

  /** Whether the text's UTF-8 bytes are its JSON string's body: no byte below 0x20, no quote, no backslash. */
  private plain(index: number, length: number): boolean {
    const start = this.starts[index] as number;
    const bytes = this.bytes;
    for (let at = start; at < start + length; at += 1) {
      const byte = bytes[at] as number;
      if (byte < 0x20 || byte === 0x22 || byte === 0x5c) return false;
    }
    return true;
  }

  private grow(needed: number): void {
    const bytes = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.used + needed));
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }
}

/** ES2024's String#isWellFormed (Node 20 has it; the project's lib is ES2023). */
interface WellFormed {
  isWellFormed(): boolean;
}

/** Node's own Buffer coders, without toString's and write's argument checks (they exist on every Buffer). */
interface Utf8Buffer {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number, length: number): number;
}

/**
 * Customer ids -> their index, by open addressing over typed arrays: a Map of a million
 * fresh strings costs about a microsecond a row (hashing, probing, growing a table of
 * objects the collector walks); here a row costs a string hash and one or two probes.
 */
class IdTable {
  /** 1 + the index of the id in each slot, 0 for an empty slot. */
  private slots: Int32Array;
  /** The hash of each id, by index, to grow without hashing again and to compare cheaply. */
  private hashes: Int32Array;
  private count = 0;

  constructor(
    private readonly ids: TextColumn,
    capacity: number,
  ) {
    let slots = 1 << 12;
    while (slots < SLOTS_PER_ID * capacity) slots *= 2;
    this.slots = new Int32Array(slots);
    this.hashes = new Int32Array(Math.max(1 << 11, capacity));
  }

  /** The index of `id`, or -1 with `id` not present. */
  find(id: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.hashes[index] === hash && this.ids.equals(index, id)) return index;
    }
  }

  /** The index of the id `bytes[from, to)` (UTF-8), or -1 with it not present. */
  findBytes(bytes: Buffer, from: number, to: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.hashes[index] === hash && this.ids.equalsBytes(index, bytes, from, to)) return index;
    }
  }

  /** Records `index` (the next one, its id already in `ids`) under `hash`. */
  add(index: number, hash: number): void {
    if (index >= this.hashes.length) {
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[index] = hash;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    else this.place(index, hash);
  }

  private place(index: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = index + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let index = 0; index < this.count; index += 1) this.place(index, this.hashes[index] as number);
  }
}

/** FNV-1a over the id's UTF-16 code units, mixed so that ids differing in the last characters spread. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < id.length; at += 1) hash = Math.imul(hash ^ id.charCodeAt(at), 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return hash ^ (hash >>> 12);
}

/** hashOf of an ASCII id given as its bytes (the same code units, so the same hash). */
function hashOfAscii(bytes: Buffer, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let at = from; at < to; at += 1) hash = Math.imul(hash ^ (bytes[at] as number), 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return hash ^ (hash >>> 12);
}

/** Strings (or lists) kept once, numbered in first-seen order. */
class Interned<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();

  numberOf(key: string, value: () => T): number {
    let number = this.index.get(key);
    if (number === undefined) {
      number = this.values.length;
      this.values.push(value());
      this.index.set(key, number);
    }
    return number;
  }
}

/** A customer as the planner reads it (CustomerSet.factsOf): no strings decoded. */
export interface PlanningFacts {
  d11Years: readonly number[];
  lastOrderAt: number | undefined;
  orderCount: number | undefined;
  totalSpend: number | undefined;
  unpaidOrder: boolean | undefined;
  optOutSms: boolean;
  optOutEmail: boolean;
  tier: string | undefined;
  hasPhone: boolean;
  hasEmail: boolean;
}

const NO_YEARS: readonly number[] = Object.freeze([]);

export interface CustomerSetOptions {
  /**
   * About how many customers will go in (an estimate from the files' sizes): the columns
   * are made that large at once instead of grown and copied step by step. More go in
   * regardless; room never used costs address space, not memory.
   */
  expectedSize?: number;
}

export class CustomerSet {
  readonly stats: CustomerSetStats = { repeatsInFile: 0, seenInEarlierFile: 0 };
  private count = 0;
  private capacity = 0;
  private readonly ids: TextColumn;
  private readonly indexById: IdTable;
  private readonly emails: TextColumn;
  private readonly names: TextColumn;
  /** Phones that are not plain digits after the `+` (none from the readers today), by index. */
  private readonly otherPhones = new Map<number, string>();
  private phones = new Float64Array(0);
  private lastOrderAt = new Float64Array(0);
  private orderCounts = new Float64Array(0);
  private totalSpends = new Float64Array(0);
  private devices = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private yearLists = new Uint32Array(0);
  private segmentOf = new Uint32Array(0);
  /** 0 when the customer has no tier, else 1 + the tier's number. */
  private tierOf = new Uint32Array(0);
  private labelListOf = new Uint32Array(0);
  private lastFile = new Uint32Array(0);
  private readonly years = new Interned<readonly number[]>();
  private readonly segments = new Interned<string>();
  private readonly tiers = new Interned<string>();
  private readonly labelLists = new Interned<readonly string[]>();
  private materialised: { customers: Customer[]; labels: string[][] } | undefined;
  private lastSingle = { segment: '\u0000', list: 0 };
  private lastSegment = { segment: '\u0000', number: 0 };
  /** Year lists by their only year (most customers have none or one). */
  private readonly singleYears = new Map<number, number>();
  /** Year-list numbers by frozen list (weakly: a caller's lists may come and go). */
  private readonly frozenYears = new WeakMap<readonly number[], number>();
  /** A customer given without cells, copied into the shape the CSV reader's customer has (see blankCustomer). */
  private readonly shaped = blankCustomer('');

  constructor(options: CustomerSetOptions = {}) {
    const expected = Math.max(0, Math.floor(options.expectedSize ?? 0));
    const capacity = expected > INITIAL_CAPACITY ? expected : INITIAL_CAPACITY;
    // Bytes a text: ids like C00000001, emails like lj6702@163.com, names of three characters.
    this.ids = new TextColumn(capacity, 12);
    this.emails = new TextColumn(capacity, 20);
    this.names = new TextColumn(capacity, 10);
    this.indexById = new IdTable(this.ids, capacity);
    this.grow(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds or replaces a customer (keeping any opt-out); `file` numbers the source file so
   * repeats can be told apart. With `cells` (a CSV row read from its bytes), the id, phone,
   * email and name that `cells` holds are taken from there, not from the customer.
   */
  upsert(given: Customer, file: number, cells?: CellBytes): void {
    this.materialised = undefined;
    // The CSV reader's customer (given with cells) has blankCustomer's shape; any other is
    // copied into it, or a few thousand odd rows would slow the reads of the million others.
    const customer = cells === undefined ? this.shape(given) : given;
    const idInBytes = cells !== undefined && cells.idFrom >= 0;
    let hash: number;
    let known: number;
    if (idInBytes) {
      hash = hashOfAscii(cells.bytes, cells.idFrom, cells.idTo);
      known = this.indexById.findBytes(cells.bytes, cells.idFrom, cells.idTo, hash);
    } else {
      hash = hashOf(customer.customerId);
      known = this.indexById.find(customer.customerId, hash);
    }
    if (known < 0) {
      const index = this.count;
      if (index >= this.capacity) this.grow();
      this.count += 1;
      if (idInBytes) this.ids.setBytes(index, cells.bytes, cells.idFrom, cells.idTo);
      else this.ids.set(index, customer.customerId);
      this.indexById.add(index, hash);
      this.write(index, customer, 0, cells);
      this.labelListOf[index] = this.singleLabelList(customer.segment);
      this.lastFile[index] = file;
      return;
    }
    if (this.lastFile[known] === file) this.stats.repeatsInFile += 1;
    else this.stats.seenInEarlierFile += 1;
    this.lastFile[known] = file;
    // The last row wins, except that an opt-out is absolute: one given in any row stays.
    const previous = this.flags[known] as number;
    this.write(known, customer, previous & (OPT_OUT_SMS | OPT_OUT_EMAIL), cells);
    const labels = this.labelsOf(known);
    if (!labels.includes(customer.segment))
      this.labelListOf[known] = this.labelListNumber([...labels, customer.segment]);
  }

  private shape(customer: Customer): Customer {
    const shaped = this.shaped;
    shaped.customerId = customer.customerId;
    shaped.phone = customer.phone;
    shaped.email = customer.email;
    shaped.name = customer.name;
    shaped.device = customer.device;
    shaped.lastOrderAt = customer.lastOrderAt;
    shaped.orderCount = customer.orderCount;
    shaped.totalSpend = customer.totalSpend;
    shaped.d11Years = customer.d11Years;
    shaped.unpaidOrder = customer.unpaidOrder;
    shaped.optOutSms = customer.optOutSms;
    shaped.optOutEmail = customer.optOutEmail;
    shaped.segment = customer.segment;
    shaped.tier = customer.tier;
    return shaped;
  }

  indexOf(customerId: string): number | undefined {
    const index = this.indexById.find(customerId, hashOf(customerId));
    return index < 0 ? undefined : index;
  }

  /** The customer at `index` (0 <= index < size), as a Customer object of its own. */
  get(index: number): Customer {
    const flags = this.flags[index] as number;
    const customer: Customer = {
      customerId: this.ids.get(index) as string,
      device: this.deviceOf(index),
      d11Years: [...(this.years.values[this.yearLists[index] as number] ?? [])],
      segment: this.segments.values[this.segmentOf[index] as number] as string,
    };
    const phone = this.phoneOf(index);
    if (phone !== undefined) customer.phone = phone;
    const email = this.emails.get(index);
    if (email !== undefined) customer.email = email;
    const name = this.names.get(index);
    if (name !== undefined) customer.name = name;
    const lastOrderAt = this.lastOrderAt[index] as number;
    if (!Number.isNaN(lastOrderAt)) customer.lastOrderAt = lastOrderAt;
    const orderCount = this.orderCounts[index] as number;
    if (!Number.isNaN(orderCount)) customer.orderCount = orderCount;
    const totalSpend = this.totalSpends[index] as number;
    if (!Number.isNaN(totalSpend)) customer.totalSpend = totalSpend;
    if (flags & UNPAID_GIVEN) customer.unpaidOrder = (flags & UNPAID) !== 0;
    if (flags & SMS_GIVEN) customer.optOutSms = (flags & OPT_OUT_SMS) !== 0;
    if (flags & EMAIL_GIVEN) customer.optOutEmail = (flags & OPT_OUT_EMAIL) !== 0;
    const tier = this.tierOf[index] as number;
    if (tier !== 0) customer.tier = this.tiers.values[tier - 1] as string;
    return customer;
  }

  /**
   * What the planner reads of a customer, without decoding its id, email, name or phone
   * (decoding a million of each was most of a plan's time): the facts the groups and scores
   * read, the opt-outs, and whether a phone and an email are given. The year list is the
   * set's own (do not change it).
   */
  factsOf(index: number): PlanningFacts {
    const flags = this.flags[index] as number;
    const lastOrderAt = this.lastOrderAt[index] as number;
    const orderCount = this.orderCounts[index] as number;
    const totalSpend = this.totalSpends[index] as number;
    const tier = this.tierOf[index] as number;
    return {
      d11Years: this.years.values[this.yearLists[index] as number] ?? NO_YEARS,
      lastOrderAt: Number.isNaN(lastOrderAt) ? undefined : lastOrderAt,
      orderCount: Number.isNaN(orderCount) ? undefined : orderCount,
      totalSpend: Number.isNaN(totalSpend) ? undefined : totalSpend,
      unpaidOrder: flags & UNPAID_GIVEN ? (flags & UNPAID) !== 0 : undefined,
      optOutSms: (flags & OPT_OUT_SMS) !== 0,
      optOutEmail: (flags & OPT_OUT_EMAIL) !== 0,
      tier: tier === 0 ? undefined : (this.tiers.values[tier - 1] as string),
      hasPhone:
        !Number.isNaN(this.phones[index] as number) ||
        (this.otherPhones.size > 0 && Boolean(this.otherPhones.get(index))),
      hasEmail: this.emails.isNonEmpty(index),
    };
  }

  idOf(index: number): string {
    return this.ids.get(index) as string;
  }

  /** Every customer's id as a JSON string, one a line, in index order (touches.jsonl's ids), and where each line starts. */
  idsJsonLines(): JsonLines {
    return this.ids.jsonLines(this.size);
  }

  phoneOf(index: number): string | undefined {
    const digits = this.phones[index] as number;
    if (!Number.isNaN(digits)) return `+${digits}`;
    return this.otherPhones.get(index);
  }

  emailOf(index: number): string | undefined {
    return this.emails.get(index);
  }

  nameOf(index: number): string | undefined {
    return this.names.get(index);
  }

  deviceOf(index: number): Device {
    return DEVICES[this.devices[index] as number] as Device;
  }

  /** Every segment label the customer carries (shared: do not change it). */
  labelsOf(index: number): readonly string[] {
    return this.labelLists.values[this.labelListOf[index] as number] ?? [];
  }

  /** Every label in the set, so a wave's audience can be checked against what exists. */
  allLabels(): Set<string> {
    const all = new Set<string>();
    for (const labels of this.labelLists.values) for (const label of labels) all.add(label);
    return all;
  }

  /**
   * Every customer as an object, and the labels by index: a copy made on first use and kept
   * until the set changes. For tests and small sets; the planner reads `get` and the columns.
   */
  get customers(): readonly Customer[] {
    return this.materialise().customers;
  }

  get labels(): readonly string[][] {
    return this.materialise().labels;
  }

  private materialise(): { customers: Customer[]; labels: string[][] } {
    if (!this.materialised) {
      const customers: Customer[] = [];
      const labels: string[][] = [];
      for (let index = 0; index < this.count; index += 1) {
        customers.push(this.get(index));
        labels.push([...this.labelsOf(index)]);
      }
      this.materialised = { customers, labels };
    }
    return this.materialised;
  }

  /** Writes every column of the customer at `index`; `keptFlags` are opt-outs that stay set. */
  private write(index: number, customer: Customer, keptFlags: number, cells: CellBytes | undefined): void {
    // Empty in practice (the readers give plain digits): a look-up a row saved.
    if (this.otherPhones.size > 0) this.otherPhones.delete(index);
    const phone = customer.phone;
    if (cells !== undefined && !Number.isNaN(cells.phoneDigits)) this.phones[index] = cells.phoneDigits;
    else if (phone === undefined) this.phones[index] = Number.NaN;
    else {
      const digits = phoneDigits(phone);
      this.phones[index] = digits;
      if (Number.isNaN(digits)) this.otherPhones.set(index, phone);
    }
    if (cells !== undefined && cells.emailFrom >= 0) {
      this.emails.setBytes(index, cells.bytes, cells.emailFrom, cells.emailTo);
    } else this.emails.set(index, customer.email);
    if (cells !== undefined && cells.nameFrom >= 0) {
      this.names.setBytes(index, cells.bytes, cells.nameFrom, cells.nameTo);
    } else this.names.set(index, customer.name);
    this.devices[index] = deviceIndex(customer.device);
    this.lastOrderAt[index] = customer.lastOrderAt ?? Number.NaN;
    this.orderCounts[index] = customer.orderCount ?? Number.NaN;
    this.totalSpends[index] = customer.totalSpend ?? Number.NaN;
    let flags = keptFlags;
    if (customer.unpaidOrder !== undefined) flags |= UNPAID_GIVEN | (customer.unpaidOrder ? UNPAID : 0);
    if (customer.optOutSms !== undefined || flags & OPT_OUT_SMS) {
      flags |= SMS_GIVEN | (customer.optOutSms ? OPT_OUT_SMS : 0);
    }
    if (customer.optOutEmail !== undefined || flags & OPT_OUT_EMAIL) {
      flags |= EMAIL_GIVEN | (customer.optOutEmail ? OPT_OUT_EMAIL : 0);
    }
    this.flags[index] = flags;
    this.yearLists[index] = this.yearListNumber(customer.d11Years);
    const segment = customer.segment;
    if (segment !== this.lastSegment.segment) {
      this.lastSegment = { segment, number: this.segments.numberOf(segment, () => segment) };
    }
    this.segmentOf[index] = this.lastSegment.number;
    const tier = customer.tier;
    this.tierOf[index] = tier === undefined ? 0 : 1 + this.tiers.numberOf(tier, () => tier);
  }

  /** The list of one label: a file's rows share one segment, so the last one is remembered. */
  private singleLabelList(segment: string): number {
    if (segment !== this.lastSingle.segment) {
      this.lastSingle = { segment, list: this.labelListNumber([segment]) };
    }
    return this.lastSingle.list;
  }

  private labelListNumber(labels: string[]): number {
    return this.labelLists.numberOf(labels.join('\u0000'), () => Object.freeze(labels));
  }

  private yearListNumber(years: readonly number[]): number {
    if (years.length > 1) {
      // A frozen list cannot change, so its number can be found by the list itself (the CSV
      // reader shares one list among the rows of the same years) without joining its years.
      if (!Object.isFrozen(years)) return this.years.numberOf(years.join(','), () => Object.freeze([...years]));
      let number = this.frozenYears.get(years);
      if (number === undefined) {
        number = this.years.numberOf(years.join(','), () => Object.freeze([...years]));
        this.frozenYears.set(years, number);
      }
      return number;
    }
    const only = years.length === 0 ? -1 : (years[0] as number);
    let number = this.singleYears.get(only);
    if (number === undefined) {
      number = this.years.numberOf(years.join(','), () => Object.freeze([...years]));
      this.singleYears.set(only, number);
    }
    return number;
  }

  private grow(atLeast = 0): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.capacity * 2, atLeast);
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (length: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.phones = grown(this.phones, (length) => new Float64Array(length));
    this.lastOrderAt = grown(this.lastOrderAt, (length) => new Float64Array(length));
    this.orderCounts = grown(this.orderCounts, (length) => new Float64Array(length));
    this.totalSpends = grown(this.totalSpends, (length) => new Float64Array(length));
    this.devices = grown(this.devices, (length) => new Uint8Array(length));
    this.flags = grown(this.flags, (length) => new Uint8Array(length));
    this.yearLists = grown(this.yearLists, (length) => new Uint32Array(length));
    this.segmentOf = grown(this.segmentOf, (length) => new Uint32Array(length));
    this.tierOf = grown(this.tierOf, (length) => new Uint32Array(length));
    this.labelListOf = grown(this.labelListOf, (length) => new Uint32Array(length));
    this.lastFile = grown(this.lastFile, (length) => new Uint32Array(length));
    this.ids.reserve(capacity);
    this.emails.reserve(capacity);
    this.names.reserve(capacity);
    this.capacity = capacity;
  }
}
