/**
 * A sharded plan's first pass, per shard: phase 1 (the candidates) of the shard's customers as
 * compact columns (29 bytes a customer: touch mask, care mask, value, second-touch score, group,
 * sub-group, name length, device) and a summary of the counts. Phase 1 is per customer, so the shards'
 * parts concatenated in file order are exactly the single-process phase 1: what the reduce
 * runs the global phases on (the multi-SMS share, even groups in value order, the budget).
 */
import { DEVICES, type Device } from '../../customer.ts';
import type { CustomerSet } from '../../customer-set.ts';
import type { Candidates } from '../candidates.ts';
import { type DropReason, DropTally } from '../drops.ts';
import type { PlanningCustomers } from '../planning-customers.ts';
import { joined } from './joined.ts';

export interface ShardPart {
  /** Phase 1 of the shard's customers; `control` holds indices within the shard. */
  candidates: Candidates;
  /** Per customer, the name's SMS length (layout's nameLengths). */
  nameUnits: Uint16Array;
  /** Per customer, the device as its index in DEVICES. */
  devices: Uint8Array;
  /** Every segment label of the shard's customers, in the order first seen. */
  labels: string[];
}

/** What a shard's summary file holds: every count of phase 1, JSON. */
export interface ShardSummary {
  size: number;
  audienceSizes: number[];
  groupSizes: Array<[string, number]>;
  subGroupSizes: Array<[string, number]>;
  reachable: { sms: number; any: number };
  tiersSeen: string[];
  smsGroups: number[];
  mainlandSms: boolean;
  /** Per slot, the drops by reason in the order first seen. */
  drops: Array<Array<[DropReason, number]>>;
  controlSizes: number[];
  labels: string[];
}

/** A shard's device column, as its DEVICES indices. */
export function deviceColumn(customers: CustomerSet): Uint8Array {
  const devices = new Uint8Array(customers.size);
  for (let index = 0; index < customers.size; index += 1) {
    devices[index] = Math.max(0, DEVICES.indexOf(customers.deviceOf(index)));
  }
  return devices;
}

export function summaryOf(part: ShardPart): ShardSummary {
  const { candidates } = part;
  return {
    size: candidates.masks.length,
    audienceSizes: [...candidates.audienceSizes],
    groupSizes: [...candidates.groupSizes],
    subGroupSizes: [...candidates.subGroupSizes],
    reachable: { ...candidates.reachable },
    tiersSeen: [...candidates.tiersSeen],
    smsGroups: [...candidates.smsGroups],
    mainlandSms: candidates.mainlandSms,
    drops: candidates.drops.bySlot.map((map) => [...map]),
    controlSizes: candidates.control.map((members) => members.length),
    labels: [...part.labels],
  };
}

const HEADER_WORDS = 4;
const MAGIC = 0x53485031; // "SHP1"

/**
 * The columns as one binary file: a header (magic, customers, waves, control members), then
 * the 8-byte columns, the 4-byte ones (masks, control members), the 2-byte and the 1-byte
 * ones, so every column is aligned in the file as it is in memory.
 */
export function encodeColumns(part: ShardPart): Uint8Array {
  const { candidates } = part;
  const size = candidates.masks.length;
  const controlTotal = candidates.control.reduce((sum, members) => sum + members.length, 0);
  const bytes =
    HEADER_WORDS * 4 + size * 16 + size * 8 + candidates.control.length * 4 + controlTotal * 4 + size * 2 + size * 3;
  const buffer = new ArrayBuffer(bytes + ((8 - (bytes % 8)) % 8));
  const header = new Uint32Array(buffer, 0, HEADER_WORDS);
  header.set([MAGIC, size, candidates.control.length, controlTotal]);
  let offset = 16;
  const put = <T extends Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array | Int8Array>(
    make: new (buffer: ArrayBuffer, offset: number, length: number) => T,
    values: ArrayLike<number>,
    width: number,
  ) => {
    new make(buffer, offset, values.length).set(values as never);
    offset += values.length * width;
  };
  put(Float64Array, candidates.values, 8);
  put(Float64Array, candidates.secondTouch, 8);
  put(Uint32Array, candidates.masks, 4);
  put(Uint32Array, candidates.care, 4);
  put(
    Uint32Array,
    candidates.control.map((members) => members.length),
    4,
  );
  for (const members of candidates.control) put(Int32Array, members, 4);
  put(Uint16Array, part.nameUnits, 2);
  put(Uint8Array, candidates.groups, 1);
  put(Int8Array, candidates.subGroups, 1);
  put(Uint8Array, part.devices, 1);
  return new Uint8Array(buffer);
}

/**
 * Reads a shard's columns and summary back into a part: views over the bytes read where they
 * are 8-byte aligned (as a file read into one buffer is), else over one aligned copy. At
 * 4,000,000 customers the copy was 112 MB of new memory in the reduce, for nothing.
 */
export function decodeShardPart(columns: Uint8Array, summary: ShardSummary): ShardPart {
  // A fresh buffer starts aligned: the copy is exactly the bytes, so a cut column stays cut.
  const aligned = columns.byteOffset % 8 === 0 ? columns : columns.slice();
  const buffer = aligned.buffer as ArrayBuffer;
  if (aligned.byteLength < HEADER_WORDS * 4) throw new Error('not a plan shard columns file');
  const [magic, size, waves, controlTotal] = new Uint32Array(
    buffer,
    aligned.byteOffset,
    HEADER_WORDS,
  ) as unknown as number[];
  if (magic !== MAGIC) throw new Error('not a plan shard columns file');
  if (size !== summary.size) throw new Error(`the shard's columns hold ${size} customers, its summary ${summary.size}`);
  let offset = aligned.byteOffset + 16;
  const end = aligned.byteOffset + aligned.byteLength;
  const take = <T>(
    make: new (buffer: ArrayBuffer, offset: number, length: number) => T,
    length: number,
    width: number,
  ) => {
    // The bytes may be a view of a larger buffer: a column past their end is a file cut short.
    if (offset + length * width > end) throw new Error('the shard columns file is cut short');
    const view = new make(buffer, offset, length);
    offset += length * width;
    return view;
  };
  const values = take(Float64Array, size as number, 8);
  const secondTouch = take(Float64Array, size as number, 8);
  const masks = take(Uint32Array, size as number, 4);
  const care = take(Uint32Array, size as number, 4);
  const controlSizes = take(Uint32Array, waves as number, 4);
  const control: Int32Array[] = [];
  for (const length of controlSizes) control.push(take(Int32Array, length, 4));
  if (control.reduce((sum, members) => sum + members.length, 0) !== controlTotal) {
    throw new Error('the shard columns file is cut short');
  }
  const nameUnits = take(Uint16Array, size as number, 2);
  const groups = take(Uint8Array, size as number, 1);
  const subGroups = take(Int8Array, size as number, 1);
  const devices = take(Uint8Array, size as number, 1);
  const drops = new DropTally(summary.drops.length);
  summary.drops.forEach((entries, slot) => {
    for (const [reason, count] of entries) drops.add(slot, reason, count);
  });
  return {
    candidates: {
      masks,
      care,
      values,
      secondTouch,
      groups,
      control,
      audienceSizes: summary.audienceSizes,
      groupSizes: new Map(summary.groupSizes),
      subGroups,
      subGroupSizes: new Map(summary.subGroupSizes),
      reachable: summary.reachable,
      tiersSeen: new Set(summary.tiersSeen),
      smsGroups: Uint32Array.from(summary.smsGroups),
      mainlandSms: summary.mainlandSms,
      drops,
    },
    nameUnits,
    devices,
    labels: summary.labels,
  };
}

export interface MergedShards {
  candidates: Candidates;
  nameUnits: Uint16Array;
  customers: PlanningCustomers;
  /** Where each shard's customers start in the merged order. */
  offsets: number[];
}

/**
 * The shards' parts as one phase 1, in shard order: columns concatenated, control indices
 * shifted, counts summed, sets and maps united in the order first seen (as one pass over the
 * whole file would have met them), so the global phases see the single-process input.
 */
export function mergeShardParts(parts: readonly ShardPart[]): MergedShards {
  const size = parts.reduce((sum, part) => sum + part.candidates.masks.length, 0);
  const first = parts[0]?.candidates;
  if (!first) throw new Error('a sharded plan needs at least one shard');
  const waves = first.audienceSizes.length;
  const masks = new Uint32Array(size);
  const care = new Uint32Array(size);
  const values = new Float64Array(size);
  const secondTouch = new Float64Array(size);
  const groups = new Uint8Array(size);
  const subGroups = new Int8Array(size);
  const nameUnits = new Uint16Array(size);
  const devices = new Uint8Array(size);
  const offsets: number[] = [];
  const audienceSizes = new Array<number>(waves).fill(0);
  const groupSizes = new Map<string, number>();
  const subGroupSizes = new Map<string, number>();
  const reachable = { sms: 0, any: 0 };
  const tiersSeen = new Set<string>();
  const smsGroups = new Uint32Array(waves);
  let mainlandSms = false;
  const controlParts: Int32Array[][] = Array.from({ length: waves }, () => []);
  const labels = new Set<string>();
  let offset = 0;
  for (const part of parts) {
    const shard = part.candidates;
    if (shard.audienceSizes.length !== waves) throw new Error('the shards were planned with different waves');
    offsets.push(offset);
    masks.set(shard.masks, offset);
    care.set(shard.care, offset);
    values.set(shard.values, offset);
    secondTouch.set(shard.secondTouch, offset);
    groups.set(shard.groups, offset);
    subGroups.set(shard.subGroups, offset);
    nameUnits.set(part.nameUnits, offset);
    devices.set(part.devices, offset);
    shard.audienceSizes.forEach((count, wave) => {
      audienceSizes[wave] = (audienceSizes[wave] as number) + count;
    });
    for (const [group, count] of shard.groupSizes) groupSizes.set(group, (groupSizes.get(group) ?? 0) + count);
    for (const [code, count] of shard.subGroupSizes) subGroupSizes.set(code, (subGroupSizes.get(code) ?? 0) + count);
    reachable.sms += shard.reachable.sms;
    reachable.any += shard.reachable.any;
    for (const tier of shard.tiersSeen) tiersSeen.add(tier);
    shard.smsGroups.forEach((bits, wave) => {
      smsGroups[wave] = ((smsGroups[wave] as number) | bits) >>> 0;
    });
    mainlandSms ||= shard.mainlandSms;
    shard.control.forEach((members, wave) => {
      const shifted = new Int32Array(members.length);
      for (let position = 0; position < members.length; position += 1) {
        shifted[position] = (members[position] as number) + offset;
      }
      controlParts[wave]?.push(shifted);
    });
    for (const label of part.labels) labels.add(label);
    offset += shard.masks.length;
  }
  const control = controlParts.map((chunks) => joined(chunks, (length) => new Int32Array(length)));
  const slots = waves * 2;
  return {
    candidates: {
      masks,
      care,
      values,
      secondTouch,
      groups,
      control,
      audienceSizes,
      groupSizes,
      subGroups,
      subGroupSizes,
      reachable,
      tiersSeen,
      smsGroups,
      mainlandSms,
      drops: DropTally.merged(
        slots,
        parts.map((part) => part.candidates.drops),
      ),
    },
    nameUnits,
    customers: columnCustomers(devices, labels),
    offsets,
  };
}

/** The customers as the global phases read them, from the merged columns. */
function columnCustomers(devices: Uint8Array, labels: ReadonlySet<string>): PlanningCustomers {
  return {
    size: devices.length,
    deviceOf: (index: number): Device => DEVICES[devices[index] as number] as Device,
    allLabels: () => new Set(labels),
  };
}
