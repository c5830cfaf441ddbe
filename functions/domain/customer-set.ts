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

/** E.164 that fits a float64 exactly (at most 15 digits): stored as its digits. */
const NUMERIC_PHONE = /^\+[1-9]\d{1,14}$/;
/** Distinct names interned; past this, names are kept as they come (a file of unique names gains nothing). */
const MAX_INTERNED_NAMES = 1 << 16;
const INITIAL_CAPACITY = 1024;
const DEVICE_INDEX = new Map<string, number>(DEVICES.map((device, index) => [device, index]));

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
  private readonly indexById = new Map<string, number>();
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

  get size(): number {
    return this.count;
  }

  /** Adds or replaces a customer (keeping any opt-out); `file` numbers the source file so repeats can be told apart. */
  upsert(customer: Customer, file: number): void {
    this.materialised = undefined;
    const known = this.indexById.get(customer.customerId);
    if (known === undefined) {
      const index = this.count;
      if (index >= this.capacity) this.grow();
      this.count += 1;
      this.ids.push(customer.customerId);
      this.emails.push(undefined);
      this.names.push(undefined);
      this.indexById.set(customer.customerId, index);
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
    return this.indexById.get(customerId);
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
    this.otherPhones.delete(index);
    const phone = customer.phone;
    if (phone === undefined) this.phones[index] = Number.NaN;
    else if (NUMERIC_PHONE.test(phone)) this.phones[index] = Number(phone.slice(1));
    else {
      this.phones[index] = Number.NaN;
      this.otherPhones.set(index, phone);
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
    if (years.length > 1) return this.years.numberOf(years.join(','), () => Object.freeze([...years]));
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
