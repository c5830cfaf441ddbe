/**
 * The customers a plan is made from: last row wins per customer_id, labels gathered
 * from every file a customer appears in, repeats counted.
 *
 * Held as columns, not as one object per customer: a million Customer objects (with their
 * year arrays and phone strings) cost about 400 MB and make every garbage collection walk
 * them all. Numbers, flags and the phone live in typed arrays; labels, segments, tiers,
 * year lists and names are interned (a file's million rows share a handful of each); only
 * ids and emails are strings of their own. `get(index)` gives a customer back as a
 * Customer, equal to the one that went in.
 */
import { type Customer, DEVICES, type Device } from './customer.ts';

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

/** Distinct names interned; past this, names are kept as they come (a file of unique names gains nothing). */
const MAX_INTERNED_NAMES = 1 << 16;
const INITIAL_CAPACITY = 1024;
const DEVICE_INDEX = new Map<string, number>(DEVICES.map((device, index) => [device, index]));

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
 * Customer ids -> their index, by open addressing over typed arrays: a Map of a million
 * fresh strings costs about a microsecond a row (hashing, probing, growing a table of
 * objects the collector walks); here a row costs a string hash and one or two probes.
 */
class IdTable {
  /** 1 + the index of the id in each slot, 0 for an empty slot. */
  private slots = new Int32Array(1 << 12);
  /** The hash of each id, by index, to grow without hashing again and to compare cheaply. */
  private hashes = new Int32Array(1 << 11);
  private count = 0;

  constructor(private readonly ids: readonly string[]) {}

  /** The index of `id`, or -1 with `id` not present. */
  find(id: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.hashes[index] === hash && this.ids[index] === id) return index;
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

export class CustomerSet {
  readonly stats: CustomerSetStats = { repeatsInFile: 0, seenInEarlierFile: 0 };
  private count = 0;
  private capacity = 0;
  private readonly ids: string[] = [];
  private readonly indexById = new IdTable(this.ids);
  private readonly emails: Array<string | undefined> = [];
  private readonly names: Array<string | undefined> = [];
  private readonly internedNames = new Map<string, string>();
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

  get size(): number {
    return this.count;
  }

  /** Adds or replaces a customer (keeping any opt-out); `file` numbers the source file so repeats can be told apart. */
  upsert(customer: Customer, file: number): void {
    this.materialised = undefined;
    const hash = hashOf(customer.customerId);
    const known = this.indexById.find(customer.customerId, hash);
    if (known < 0) {
      const index = this.count;
      if (index >= this.capacity) this.grow();
      this.count += 1;
      this.ids.push(customer.customerId);
      this.emails.push(undefined);
      this.names.push(undefined);
      this.indexById.add(index, hash);
      this.write(index, customer, 0);
      this.labelListOf[index] = this.singleLabelList(customer.segment);
      this.lastFile[index] = file;
      return;
    }
    if (this.lastFile[known] === file) this.stats.repeatsInFile += 1;
    else this.stats.seenInEarlierFile += 1;
    this.lastFile[known] = file;
    // The last row wins, except that an opt-out is absolute: one given in any row stays.
    const previous = this.flags[known] as number;
    this.write(known, customer, previous & (OPT_OUT_SMS | OPT_OUT_EMAIL));
    const labels = this.labelsOf(known);
    if (!labels.includes(customer.segment))
      this.labelListOf[known] = this.labelListNumber([...labels, customer.segment]);
  }

  indexOf(customerId: string): number | undefined {
    const index = this.indexById.find(customerId, hashOf(customerId));
    return index < 0 ? undefined : index;
  }

  /** The customer at `index` (0 <= index < size), as a Customer object of its own. */
  get(index: number): Customer {
    const flags = this.flags[index] as number;
    const customer: Customer = {
      customerId: this.ids[index] as string,
      device: this.deviceOf(index),
      d11Years: [...(this.years.values[this.yearLists[index] as number] ?? [])],
      segment: this.segments.values[this.segmentOf[index] as number] as string,
    };
    const phone = this.phoneOf(index);
    if (phone !== undefined) customer.phone = phone;
    const email = this.emails[index];
    if (email !== undefined) customer.email = email;
    const name = this.names[index];
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

  idOf(index: number): string {
    return this.ids[index] as string;
  }

  phoneOf(index: number): string | undefined {
    const digits = this.phones[index] as number;
    if (!Number.isNaN(digits)) return `+${digits}`;
    return this.otherPhones.get(index);
  }

  emailOf(index: number): string | undefined {
    return this.emails[index];
  }

  nameOf(index: number): string | undefined {
    return this.names[index];
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
  private write(index: number, customer: Customer, keptFlags: number): void {
    // Empty in practice (the readers give plain digits): a look-up a row saved.
    if (this.otherPhones.size > 0) this.otherPhones.delete(index);
    const phone = customer.phone;
    if (phone === undefined) this.phones[index] = Number.NaN;
    else {
      const digits = phoneDigits(phone);
      this.phones[index] = digits;
      if (Number.isNaN(digits)) this.otherPhones.set(index, phone);
    }
    this.emails[index] = customer.email;
    this.names[index] = customer.name === undefined ? undefined : this.internName(customer.name);
    this.devices[index] = DEVICE_INDEX.get(customer.device) ?? 0;
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

  private internName(name: string): string {
    // Once the table is full, names are mostly distinct: looking them up would cost more than it saves.
    if (this.internedNames.size >= MAX_INTERNED_NAMES) return name;
    const known = this.internedNames.get(name);
    if (known !== undefined) return known;
    this.internedNames.set(name, name);
    return name;
  }

  private grow(): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.capacity * 2);
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
    this.capacity = capacity;
  }
}
