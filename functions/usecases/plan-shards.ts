/**
 * The sharded plan's passes as use cases (handlers/plan-shards.ts on AWS, the local runner in
 * child processes): the same code whichever runs them, reading and writing one object store
 * (S3, or a folder locally) under the plan's work prefix.
 *
 * Every pass only writes its own keys, each whole (`put`), from inputs nobody changes: a
 * repeated or racing delivery writes the same bytes again.
 */
import { basename } from 'node:path';
import { type Campaign, CampaignFileError, parseCampaign } from '../domain/campaign.ts';
import { type ColumnMappingJson, mergeMappings, toColumnMapping } from '../domain/column-mapping.ts';
import type { CustomerSet, JsonLines } from '../domain/customer-set.ts';
import { nameLengths } from '../domain/planner/layout.ts';
import { anyHashShared, sortedIdHashes } from '../domain/planner/shards/id-hashes.ts';
import {
  decodeShardPart,
  deviceColumn,
  encodeColumns,
  mergeShardParts,
  type ShardPart,
  type ShardSummary,
  summaryOf,
} from '../domain/planner/shards/shard-part.ts';
import { IdColumn, touchLineBlocks, touchLinesSize } from '../domain/planner/shards/touch-lines.ts';
import { type Plan, planCandidates, planFromCandidates } from '../domain/planner.ts';
import type { SegmentFile } from '../domain/segment-file.ts';
import type { Timeline } from '../domain/timeline.ts';
import type { ObjectStorage, StoredObject } from '../ports/object-storage.ts';
import type { ShardCustomerSource } from '../ports/plan-starter.ts';
import type { FieldProblem } from './errors.ts';
import { type PlanDraftDeps, writeTouches } from './plan-draft.ts';
import { loadCustomers } from './plan-offline.ts';

/** The input every pass reads: the campaign as validated and the planning instant. */
export interface PlanShardsInput {
  campaign: unknown;
  /** The planning time, epoch ms. */
  now: number;
  /** A mapping of headers that wins over the campaign's `columns` (`campaign plan --columns FILE`). */
  columns?: ColumnMappingJson;
  /** Who asked for the plan: the version's `plannedBy` (default `system`). */
  actor?: string;
  /** The upload it came from (`<key>@<sequencer>`), recorded on the version as the single path does. */
  source?: string;
}

export interface ShardRef {
  index: number;
  count: number;
}

export type { ShardCustomerSource };

export interface PlanShardDeps {
  storage: ObjectStorage;
  /**
   * The customers of a campaign in table Scan segments [from, to) of `total`: each customer's
   * items share a partition key, so each customer is in exactly one segment.
   */
  readTableSegments?(campaignId: string, segments: { from: number; to: number; total: number }): Promise<CustomerSet>;
  /** Where the finish stores the draft version (the campaigns and touches tables); absent where no finish runs. */
  drafts?: Pick<PlanDraftDeps, 'lifecycle' | 'touches'>;
}

/** Every key of a sharded plan, under its work prefix. */
export const planShardKeys = (workPrefix: string) => {
  const shard = (index: number) => `${workPrefix}shards/${String(index).padStart(5, '0')}`;
  const part = (index: number) => `${workPrefix}touches/${String(index).padStart(5, '0')}.jsonl`;
  return {
    /** `{ campaign, now }`, written by whoever starts the plan. */
    input: `${workPrefix}input.json`,
    columns: (index: number) => `${shard(index)}.columns`,
    summary: (index: number) => `${shard(index)}.summary.json`,
    ids: (index: number) => `${shard(index)}.ids`,
    /** Where each line of the ids file starts, and one more past the last, as little-endian uint32. */
    idStarts: (index: number) => `${shard(index)}.ids.starts`,
    /** The ids' hashes, sorted, as little-endian float64: whether a customer is in two shards, without the ids. */
    idHashes: (index: number) => `${shard(index)}.ids.hashes`,
    rejects: (index: number) => `${shard(index)}.rejects.jsonl`,
    timeline: `${workPrefix}plan/timeline.json`,
    /** Each send's members (merged indices), as little-endian int32, the sends in timeline order. */
    members: `${workPrefix}plan/members.bin`,
    /** The control groups' members, int32, waves in `plan.json`'s order. */
    control: `${workPrefix}plan/control.bin`,
    /** Per customer, the number of its group in `plan.json`'s `groupCodes`, uint16. */
    groups: `${workPrefix}plan/groups.bin`,
    care: `${workPrefix}plan/care.bin`,
    plan: `${workPrefix}plan/plan.json`,
    /** The reduce's refusal, when the campaign's rules refuse what the customers would get (then no plan files). */
    refused: `${workPrefix}plan/refused.json`,
    touchPart: part,
  };
};

export interface FirstPassResult {
  shard: ShardRef;
  counts: { customers: number; rejected: number; lines: number };
  keys: { columns: string; summary: string; ids: string; rejects: string };
}

export interface ReduceResult {
  counts: { customers: number; sends: number; touches: number; shards: number };
  keys: { timeline: string; members: string; control: string; groups: string; plan: string };
  /**
   * What refuses the plan, by field, when only the customers show it (China's SMS rules against
   * the texts each group would get): the passes after write nothing, the finish says so.
   */
  refused?: FieldProblem[];
}

export interface SecondPassResult {
  shard: ShardRef;
  /** `stored`: the shard's customers whose touches it wrote to the touches table (with a source). */
  counts: { touches: number; from: number; to: number; stored?: number };
  keys: { touches: string };
}

/** What the reduce records beside the timeline: how to read its binary files back. */
export interface ReducedPlan {
  shardCount: number;
  /** Where each shard's customers start in the merged order. */
  offsets: number[];
  customers: number;
  touches: number;
  control: Array<[string, number]>;
  groupCodes: string[];
  /** The waves with a care text, in the order of their flag columns (a byte per customer each) in care.bin. */
  careWaves: string[];
  /** Data lines before each shard's first line (a rejected row's line is its shard's plus this). */
  linesBefore: number[];
  /**
   * The length in bytes of each of `shardCount` second passes' parts of touches.jsonl, from
   * the first passes' line starts (absent where a first pass kept none): where each part goes
   * in the file is known before any is written, and no pass measures its lines twice.
   */
  partSizes?: number[];
}

/** A shard's summary file: phase 1's counts and what the reader saw. */
interface StoredSummary extends ShardSummary {
  lines: number;
  rejected: number;
}

export async function readInput(
  storage: ObjectStorage,
  workPrefix: string,
): Promise<{ campaign: Campaign; now: number; columns?: ColumnMappingJson; actor?: string; source?: string }> {
  const input = await readJson<PlanShardsInput>(storage, planShardKeys(workPrefix).input);
  if (typeof input.now !== 'number') throw new Error(`${planShardKeys(workPrefix).input}: now must be epoch ms`);
  return {
    campaign: parseCampaign(input.campaign),
    now: input.now,
    ...(input.columns ? { columns: input.columns } : {}),
    ...(typeof input.actor === 'string' ? { actor: input.actor } : {}),
    ...(typeof input.source === 'string' ? { source: input.source } : {}),
  };
}

export interface FirstPassRequest {
  campaignId: string;
  version: number;
  workPrefix: string;
  shard: ShardRef;
  source: ShardCustomerSource;
}

/** Pass 1: the shard's customers become phase 1 columns and a summary; rejected rows a file of their own. */
export async function runFirstPass(deps: PlanShardDeps, request: FirstPassRequest): Promise<FirstPassResult> {
  const { storage } = deps;
  const keys = planShardKeys(request.workPrefix);
  const { campaign, now, columns: overrides } = await readInput(storage, request.workPrefix);
  const { customers, rejects, lines } = await readShardCustomers(deps, request, campaign, overrides);
  const part = shardPartOf(campaign, customers, now);
  const summary: StoredSummary = { ...summaryOf(part), lines, rejected: rejects.length };
  const index = request.shard.index;
  await storage.put(keys.columns(index), encodeColumns(part), 'application/octet-stream');
  const ids = customers.idsJsonLines();
  await storage.put(keys.ids(index), ids.bytes, 'application/octet-stream');
  await storage.put(keys.idStarts(index), littleEndian(ids.starts), 'application/octet-stream');
  await storage.put(keys.idHashes(index), littleEndian(sortedIdHashes(ids)), 'application/octet-stream');
  await storage.put(keys.rejects(index), rejects.map((line) => `${line}\n`).join(''), 'application/x-ndjson');
  // The summary last: a shard whose summary exists has written everything.
  await storage.put(keys.summary(index), JSON.stringify(summary), 'application/json');
  return {
    shard: request.shard,
    counts: { customers: customers.size, rejected: rejects.length, lines },
    keys: {
      columns: keys.columns(index),
      summary: keys.summary(index),
      ids: keys.ids(index),
      rejects: keys.rejects(index),
    },
  };
}

/**
 * One shard's customers, in the order its first pass planned them: the same range of the
 * segment CSV (and its rejected rows, as JSON lines) or the same Scan segments of the table.
 */
export async function readShardCustomers(
  deps: PlanShardDeps,
  request: Pick<FirstPassRequest, 'campaignId' | 'shard' | 'source'>,
  campaign: Campaign,
  overrides?: ColumnMappingJson,
): Promise<{ customers: CustomerSet; rejects: string[]; lines: number }> {
  const rejects: string[] = [];
  if (request.source.kind === 'csv') {
    const range = await csvShardRange(deps.storage, request.source, request.shard);
    const columns = mergeMappings(toColumnMapping(campaign.columns), toColumnMapping(overrides));
    const loaded = await loadCustomers({
      sources: [range.file],
      timeZone: campaign.timezone,
      columns,
      onRejected: (row) => rejects.push(JSON.stringify(row)),
    });
    return { customers: loaded.customers, rejects, lines: range.lines() };
  }
  if (!deps.readTableSegments) throw new Error('this runtime reads no customers table');
  const { index, count } = request.shard;
  const total = request.source.totalSegments;
  const customers = await deps.readTableSegments(request.campaignId, {
    from: Math.floor((total * index) / count),
    to: Math.floor((total * (index + 1)) / count),
    total,
  });
  return { customers, rejects, lines: 0 };
}

/** Phase 1 of one shard's customers, with the columns the global phases read. */
export function shardPartOf(campaign: Campaign, customers: CustomerSet, now: number): ShardPart {
  const candidates = planCandidates(campaign, customers, now);
  return {
    candidates,
    nameUnits: nameLengths(customers),
    devices: deviceColumn(customers),
    labels: [...customers.allLabels()],
  };
}

/** The global phases on the shards' parts concatenated in shard order: the single-process plan. */
export function planFromParts(
  campaign: Campaign,
  now: number,
  parts: readonly ShardPart[],
): { plan: Plan; offsets: number[] } {
  const merged = mergeShardParts(parts);
  const plan = planFromCandidates({
    campaign,
    customers: merged.customers,
    now,
    candidates: merged.candidates,
    nameUnits: merged.nameUnits,
  });
  return { plan, offsets: merged.offsets };
}

export interface ReduceRequest {
  campaignId: string;
  version: number;
  workPrefix: string;
  shardCount: number;
}

/** The reduce: every shard's columns make the global decisions; the plan goes to S3 as files. */
export async function runReduce(deps: PlanShardDeps, request: ReduceRequest): Promise<ReduceResult> {
  const { storage } = deps;
  const keys = planShardKeys(request.workPrefix);
  const { campaign, now } = await readInput(storage, request.workPrefix);
  const parts: ShardPart[] = [];
  const linesBefore: number[] = [];
  let lines = 0;
  for (let index = 0; index < request.shardCount; index += 1) {
    const summary = await readJson<StoredSummary>(storage, keys.summary(index));
    parts.push(decodeShardPart(await readAll(storage, keys.columns(index)), summary));
    linesBefore.push(lines);
    lines += summary.lines;
  }
  const planKeys = {
    timeline: keys.timeline,
    members: keys.members,
    control: keys.control,
    groups: keys.groups,
    plan: keys.plan,
  };
  let planned: ReturnType<typeof planFromParts>;
  try {
    planned = planFromParts(campaign, now, parts);
  } catch (error) {
    // The marketer's to fix, not the operator's: recorded for the finish, the run goes on.
    if (!(error instanceof CampaignFileError)) throw error;
    await storage.put(keys.refused, JSON.stringify({ problems: error.problems }), 'application/json');
    return {
      counts: { customers: 0, sends: 0, touches: 0, shards: request.shardCount },
      keys: planKeys,
      refused: error.problems,
    };
  }
  const { plan, offsets } = planned;
  parts.length = 0;
  const starts = await readShardStarts(storage, request.workPrefix, request.shardCount);
  const written = await writeReducedPlan(storage, request.workPrefix, plan, { offsets, linesBefore, starts });
  return {
    counts: {
      customers: written.customers,
      sends: plan.timeline.sends.length,
      touches: written.touches,
      shards: request.shardCount,
    },
    keys: planKeys,
  };
}

async function writeReducedPlan(
  storage: ObjectStorage,
  workPrefix: string,
  plan: Plan,
  layout: { offsets: number[]; linesBefore: number[]; starts: Uint32Array | undefined },
): Promise<ReducedPlan> {
  const keys = planShardKeys(workPrefix);
  const touches = plan.members.reduce((sum, members) => sum + members.length, 0);
  const members = new Int32Array(touches);
  let at = 0;
  for (const send of plan.members) {
    members.set(send, at);
    at += send.length;
  }
  const controlEntries = [...plan.control];
  const control = new Int32Array(controlEntries.reduce((sum, [, ids]) => sum + ids.length, 0));
  at = 0;
  for (const [, ids] of controlEntries) {
    control.set(ids, at);
    at += ids.length;
  }
  const reduced: ReducedPlan = {
    shardCount: layout.offsets.length,
    offsets: layout.offsets,
    customers: plan.groups.ofCustomer.length,
    touches,
    control: controlEntries.map(([wave, ids]) => [wave, ids.length]),
    groupCodes: plan.groups.codes,
    careWaves: [...plan.care.keys()],
    linesBefore: layout.linesBefore,
  };
  const { starts } = layout;
  if (starts) {
    if (starts.length - 1 !== plan.groups.ofCustomer.length)
      throw new Error(
        `the shards' ids hold ${starts.length - 1} customers, the reduce planned ${plan.groups.ofCustomer.length}`,
      );
    const lines = { starts, size: starts.length - 1 };
    reduced.partSizes = Array.from({ length: reduced.shardCount }, (_, index) => {
      const { from, to } = touchRange(touches, { index, count: reduced.shardCount });
      return touchLinesSize(plan.timeline.sends, from, members.subarray(from, to), lines);
    });
  }
  await storage.put(keys.members, littleEndian(members), 'application/octet-stream');
  await storage.put(keys.control, littleEndian(control), 'application/octet-stream');
  await storage.put(keys.groups, littleEndian(plan.groups.ofCustomer), 'application/octet-stream');
  const careFlags = new Uint8Array(plan.care.size * plan.groups.ofCustomer.length);
  [...plan.care.values()].forEach((flags, position) => {
    careFlags.set(flags, position * plan.groups.ofCustomer.length);
  });
  await storage.put(keys.care, careFlags, 'application/octet-stream');
  await storage.put(keys.timeline, `${JSON.stringify(plan.timeline, null, 2)}\n`, 'application/json');
  // The plan record last: a reduce whose plan.json exists has written everything.
  await storage.put(keys.plan, JSON.stringify(reduced), 'application/json');
  return reduced;
}

/** The reduce's refusal (each problem by its field), or undefined when it planned. */
export async function readRefusal(storage: ObjectStorage, workPrefix: string): Promise<FieldProblem[] | undefined> {
  const key = planShardKeys(workPrefix).refused;
  if (!(await storage.head(key))) return undefined;
  return (await readJson<{ problems: FieldProblem[] }>(storage, key)).problems;
}

/** Reads back what the reduce wrote: the whole plan, as the single-process planner returns it. */
export async function readReducedPlan(
  storage: ObjectStorage,
  workPrefix: string,
): Promise<{ plan: Plan; reduced: ReducedPlan }> {
  const keys = planShardKeys(workPrefix);
  const reduced = await readJson<ReducedPlan>(storage, keys.plan);
  const timeline = await readJson<Timeline>(storage, keys.timeline);
  const members = int32s(await readAll(storage, keys.members));
  const control = int32s(await readAll(storage, keys.control));
  const groupBytes = await readAll(storage, keys.groups);
  const ofCustomer = new Uint16Array(groupBytes.length / 2);
  new Uint8Array(ofCustomer.buffer).set(groupBytes);
  let at = 0;
  const sendMembers = timeline.sends.map((send) => {
    const slice = members.slice(at, at + send.customers);
    at += send.customers;
    return slice;
  });
  at = 0;
  const controlMap = new Map<string, Int32Array>();
  for (const [wave, length] of reduced.control) {
    controlMap.set(wave, control.slice(at, at + length));
    at += length;
  }
  const careBytes = await readAll(storage, keys.care);
  const care = new Map<string, Uint8Array>();
  reduced.careWaves.forEach((wave, position) => {
    care.set(wave, careBytes.slice(position * ofCustomer.length, (position + 1) * ofCustomer.length));
  });
  return {
    plan: {
      timeline,
      members: sendMembers,
      control: controlMap,
      groups: { codes: reduced.groupCodes, ofCustomer },
      care,
    },
    reduced,
  };
}

/**
 * Every shard's ids file, joined in shard order: the ids by merged index. Each file's line
 * starts come from the first pass, so every second pass does not find them again in all of
 * the ids (about a fifth of its work); a first pass from before they were kept has none.
 * Kept starts and the ids are read straight into one buffer each, at their shard's place:
 * read whole and joined after, they were copied twice, 130 MB of new memory at 4,000,000
 * customers in every second pass.
 */
export async function readShardIds(storage: ObjectStorage, workPrefix: string, shardCount: number): Promise<IdColumn> {
  const keys = planShardKeys(workPrefix);
  const { shards, ids, starts } = await shardIdHeads(storage, keys, shardCount);
  const identity = JSON.stringify([workPrefix, ...[...ids, ...starts].map((head) => [head?.etag, head?.size])]);
  if (lastIds?.identity === identity) return lastIds.ids;
  const read = await readIdFiles(storage, keys, shards, ids, starts);
  lastIds = { identity, ids: read };
  return read;
}

/**
 * Whether the shards' kept id hashes leave any customer possibly in two shards: false proves
 * none is (equal ids hash equal), true says compare the ids themselves; undefined where a
 * first pass kept no hashes. 8 bytes a customer read instead of its id and line start, and a
 * merge of sorted arrays instead of hashing and sorting every id again.
 */
export async function shardsMayShareIds(
  storage: ObjectStorage,
  workPrefix: string,
  shardCount: number,
): Promise<boolean | undefined> {
  const keys = planShardKeys(workPrefix);
  const shards = Array.from({ length: shardCount }, (_, shard) => shard);
  const heads = await Promise.all(shards.map((shard) => storage.head(keys.idHashes(shard))));
  if (heads.some((head) => !head)) return undefined;
  const hashes: Float64Array[] = [];
  for (const [shard, head] of heads.entries()) {
    const size = (head as StoredObject).size;
    if (size % 8 !== 0) throw new RangeError(`${keys.idHashes(shard)} is not whole float64s`);
    const values = new Float64Array(size / 8);
    await readInto(storage, keys.idHashes(shard), new Uint8Array(values.buffer), 0, size);
    hashes.push(values);
  }
  return anyHashShared(hashes);
}

/** Every shard's ids file and kept line starts as the store has them (undefined where absent). */
async function shardIdHeads(storage: ObjectStorage, keys: ReturnType<typeof planShardKeys>, shardCount: number) {
  const shards = Array.from({ length: shardCount }, (_, shard) => shard);
  const ids = await Promise.all(shards.map((shard) => storage.head(keys.ids(shard))));
  const starts = await Promise.all(shards.map((shard) => storage.head(keys.idStarts(shard))));
  return { shards, ids, starts };
}

/**
 * The ids this process read last, by the identity (ETag and size) of every file they came
 * from: one process runs several second passes of a plan (a pool process here, a warm
 * container on Lambda), each needing all of the ids. At 4,000,000 customers reading them was
 * a quarter of a second and 66 MB of new memory a pass. Only the last plan's are kept.
 */
let lastIds: { identity: string; ids: IdColumn } | undefined;

async function readIdFiles(
  storage: ObjectStorage,
  keys: ReturnType<typeof planShardKeys>,
  shards: number[],
  ids: Array<StoredObject | undefined>,
  starts: Array<StoredObject | undefined>,
): Promise<IdColumn> {
  if (starts.some((head) => !head)) {
    const files: Array<JsonLines | Uint8Array> = [];
    for (const shard of shards) {
      const bytes = await readAll(storage, keys.ids(shard));
      const kept = starts[shard] ? uint32s(await readAll(storage, keys.idStarts(shard))) : undefined;
      files.push(kept ? { bytes, starts: kept } : bytes);
    }
    return new IdColumn(...files);
  }
  const sizes = shards.map((shard) => {
    const head = ids[shard];
    if (!head) throw new Error(`${keys.ids(shard)} is missing: run the first pass of shard ${shard}`);
    return head.size;
  });
  const lines = startLines(keys, starts as StoredObject[]);
  const joinedBytes = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
  let offset = 0;
  for (const shard of shards) {
    await readInto(storage, keys.ids(shard), joinedBytes, offset, sizes[shard] as number);
    offset += sizes[shard] as number;
  }
  return new IdColumn({ bytes: joinedBytes, starts: await joinedStarts(storage, keys, sizes, lines) });
}

/**
 * The shards' kept line starts joined into one array, each shard's shifted by the ids bytes
 * before it: read straight into place, each checked to end where its ids file ends.
 */
async function joinedStarts(
  storage: ObjectStorage,
  keys: ReturnType<typeof planShardKeys>,
  sizes: number[],
  lines: number[],
): Promise<Uint32Array> {
  const joined = new Uint32Array(lines.reduce((sum, count) => sum + count, 0) + 1);
  const bytes = new Uint8Array(joined.buffer);
  let line = 0;
  let offset = 0;
  for (const [shard, count] of lines.entries()) {
    // The shard's starts and its end at its place; the next shard's first start (0) lands on that end.
    await readInto(storage, keys.idStarts(shard), bytes, line * 4, (count + 1) * 4);
    if (joined[line + count] !== sizes[shard])
      throw new RangeError(`line starts that end at ${joined[line + count]} for ids of ${sizes[shard]} bytes`);
    for (let at = line; at <= line + count; at += 1) joined[at] = (joined[at] as number) + offset;
    line += count;
    offset += sizes[shard] as number;
  }
  return joined;
}

/** Every shard's line starts joined (all the reduce needs of the ids), or undefined where a first pass kept none. */
async function readShardStarts(
  storage: ObjectStorage,
  workPrefix: string,
  shardCount: number,
): Promise<Uint32Array | undefined> {
  const keys = planShardKeys(workPrefix);
  const { ids, starts } = await shardIdHeads(storage, keys, shardCount);
  if (starts.some((head) => !head) || ids.some((head) => !head)) return undefined;
  return joinedStarts(
    storage,
    keys,
    ids.map((head) => (head as StoredObject).size),
    startLines(keys, starts as StoredObject[]),
  );
}

/** Lines in each shard's kept starts file (one entry more than lines), refusing a file not of whole uint32s. */
function startLines(keys: ReturnType<typeof planShardKeys>, starts: StoredObject[]): number[] {
  return starts.map((head, shard) => {
    if (head.size < 4 || head.size % 4 !== 0) throw new RangeError(`${keys.idStarts(shard)} is not whole uint32s`);
    return head.size / 4 - 1;
  });
}

/** An object's bytes into `target` from `at`, refusing an object of any other length than `length`. */
async function readInto(storage: ObjectStorage, key: string, target: Uint8Array, at: number, length: number) {
  let read = 0;
  for await (const chunk of storage.read(key)) {
    if (read + chunk.length > length) throw new RangeError(`${key} is longer than its ${length} bytes`);
    target.set(chunk, at + read);
    read += chunk.length;
  }
  if (read !== length) throw new RangeError(`${key} is ${read} bytes, not ${length}`);
}

/**
 * The length in bytes of each second pass's part of touches.jsonl, before any is written
 * (the same ranges and line layout the passes write), as the reduce measured them.
 */
export async function touchPartSizes(storage: ObjectStorage, workPrefix: string, count: number): Promise<number[]> {
  const keys = planShardKeys(workPrefix);
  const reduced = await readJson<ReducedPlan>(storage, keys.plan);
  const measured = measuredParts(reduced, count);
  if (measured) return measured;
  // Only a reduce from before it measured the parts leaves them to be measured here, from the ids.
  const ids = await readShardIds(storage, workPrefix, count);
  const timeline = await readJson<Timeline>(storage, keys.timeline);
  const members = int32s(await readAll(storage, keys.members));
  return Array.from({ length: count }, (_, index) => {
    const { from, to } = touchRange(reduced.touches, { index, count });
    return touchLinesSize(timeline.sends, from, members.subarray(from, to), ids);
  });
}

/** The reduce's sizes of the parts, when it measured them for `count` second passes. */
function measuredParts(reduced: ReducedPlan, count: number): number[] | undefined {
  return reduced.partSizes?.length === count ? reduced.partSizes : undefined;
}

/** The touches (of `total`, in touch-sequence order) whose lines shard `index` of `count` writes. */
export function touchRange(total: number, { index, count }: ShardRef): { from: number; to: number } {
  return { from: Math.floor((total * index) / count), to: Math.floor((total * (index + 1)) / count) };
}

export interface SecondPassRequest {
  campaignId: string;
  version: number;
  workPrefix: string;
  shard: ShardRef;
  /**
   * Where the shard's customers are (the first pass's source): given, and where drafts are
   * stored (the plan state machine), the pass also writes its customers' touches to the
   * touches table, so no one function writes every touch of a large campaign.
   */
  source?: ShardCustomerSource;
}

/**
 * Pass 2: the shard's range of the touch sequence (sends in timeline order, each one's
 * members in send order) as touches.jsonl lines: the parts in shard order are the file.
 */
export async function runSecondPass(deps: PlanShardDeps, request: SecondPassRequest): Promise<SecondPassResult> {
  const { storage } = deps;
  const keys = planShardKeys(request.workPrefix);
  if (await readRefusal(storage, request.workPrefix)) {
    await storage.put(keys.touchPart(request.shard.index), new Uint8Array(0), 'application/x-ndjson');
    return {
      shard: request.shard,
      counts: { touches: 0, from: 0, to: 0 },
      keys: { touches: keys.touchPart(request.shard.index) },
    };
  }
  const reduced = await readJson<ReducedPlan>(storage, keys.plan);
  const timeline = await readJson<Timeline>(storage, keys.timeline);
  const { index } = request.shard;
  const { from, to } = touchRange(reduced.touches, request.shard);
  const head = await storage.head(keys.members);
  if (!head) throw new Error(`${keys.members} is missing: run the reduce first`);
  const members =
    from === to
      ? new Int32Array(0)
      : int32s(await collect(storage.readRange(keys.members, head.etag, from * 4, to * 4)));
  const ids = await readShardIds(storage, request.workPrefix, reduced.shardCount);
  if (ids.size !== reduced.customers)
    throw new Error(`the shards' ids hold ${ids.size} customers, the reduce planned ${reduced.customers}`);
  // In blocks, as `campaign plan` writes the whole file: the pass holds one block, not its
  // part (140 MB at 4,000,000 customers, 350 MB at ten million), and the block's memory is
  // used again. Measured in one process, the parts at 4,000,000 took 0.36–0.78 s of CPU each
  // in blocks and 0.44–0.89 s as one buffer (new memory every time), huge pages or not.
  await storage.putBlocks(
    keys.touchPart(index),
    touchLineBlocks(timeline.sends, from, members, ids),
    measuredParts(reduced, request.shard.count)?.[index] ?? touchLinesSize(timeline.sends, from, members, ids),
    'application/x-ndjson',
  );
  const stored =
    request.source && deps.drafts
      ? await storeShardTouches(deps, deps.drafts, request, { source: request.source, ids })
      : undefined;
  return {
    shard: request.shard,
    counts: { touches: to - from, from, to, ...(stored === undefined ? {} : { stored }) },
    keys: { touches: keys.touchPart(index) },
  };
}

/**
 * The touches of the shard's customers into the touches table, as the single-process plan
 * writes them (keyed by version, send and customer: a rewrite puts the same items). The
 * customers' addresses and names are read again from the first pass's source and checked
 * against the ids it planned: customers changed in between fail the pass ("plan again").
 * Returns the customers written for.
 */
async function storeShardTouches(
  deps: PlanShardDeps,
  drafts: NonNullable<PlanShardDeps['drafts']>,
  request: SecondPassRequest,
  { source, ids }: { source: ShardCustomerSource; ids: IdColumn },
): Promise<number> {
  const { index } = request.shard;
  const input = await readInput(deps.storage, request.workPrefix);
  const { plan, reduced } = await readReducedPlan(deps.storage, request.workPrefix);
  const offset = reduced.offsets[index] as number;
  const expected = (reduced.offsets[index + 1] ?? reduced.customers) - offset;
  const { customers } = await readShardCustomers(
    deps,
    { campaignId: request.campaignId, shard: request.shard, source },
    input.campaign,
    input.columns,
  );
  // The shard's own lines of the joined ids: what its first pass planned, in its order.
  const planned = ids.bytes.subarray(ids.starts[offset] as number, ids.starts[offset + expected] as number);
  if (customers.size !== expected || !Buffer.from(customers.idsJsonLines().bytes).equals(planned))
    throw new Error(
      `shard ${index}'s customers changed since its first pass (${customers.size} read, ${expected} planned): plan again`,
    );
  await writeTouches(drafts.touches, input.campaign.id, request.version, plan, customers, offset);
  return customers.size;
}

/**
 * Shard `index` of `count` of a CSV file: the i-th of `count` equal byte ranges, each moved
 * to the start of the line it falls in, so every data line is in exactly one shard; each
 * shard reads the header line first. A quoted cell holding a line break would be cut: the
 * store exports this reads write none (a row cut so is rejected, never planned half).
 *
 * The range is streamed as `campaign plan` streams a whole file, never held whole: read as
 * one body, a shard's 500,000 rows became one array of records and one batch of customers,
 * which cost 1.7 s more a 2,000,000 customers than the same rows in chunks. Its data lines
 * are counted as they stream by: `lines()` is their number once the file has been read.
 */
export async function csvShardRange(
  storage: ObjectStorage,
  source: { key: string; etag: string },
  shard: ShardRef,
): Promise<{ file: SegmentFile; start: number; end: number; lines(): number }> {
  const head = await storage.head(source.key);
  if (!head) throw new Error(`${source.key} is missing`);
  if (head.etag !== source.etag)
    throw new Error(`${source.key} changed since the plan started (it is no longer ${source.etag})`);
  const { size, etag } = head;
  const lineAt = async (offset: number): Promise<number> => {
    // The first line start at or after `offset`: just past the first newline at offset - 1 or later.
    if (offset <= 0) return 0;
    let from = offset - 1;
    while (from < size) {
      const to = Math.min(size, from + 64 * 1024);
      const bytes = await collect(storage.readRange(source.key, etag, from, to));
      const newline = bytes.indexOf(0x0a);
      if (newline >= 0) return from + newline + 1;
      from = to;
    }
    return size;
  };
  const headerEnd = await lineAt(1);
  const boundary = async (index: number) =>
    index >= shard.count ? size : Math.max(headerEnd, await lineAt(Math.floor((size * index) / shard.count)));
  const start = await boundary(shard.index);
  const end = Math.max(start, await boundary(shard.index + 1));
  const header = await collect(storage.readRange(source.key, etag, 0, headerEnd));
  let lines = 0;
  const file: SegmentFile = {
    name: basename(source.key),
    open: async function* () {
      yield header;
      if (start >= end) return;
      let newlines = 0;
      let last = 0x0a;
      for await (const chunk of storage.readRange(source.key, etag, start, end)) {
        for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) newlines += 1;
        if (chunk.length > 0) last = chunk[chunk.length - 1] as number;
        yield chunk;
      }
      lines = newlines + (last === 0x0a ? 0 : 1);
    },
    size: header.length + (end - start),
  };
  return { file, start, end, lines: () => lines };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    length += chunk.length;
  }
  if (parts.length === 1) return parts[0] as Uint8Array;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

export async function readAll(storage: ObjectStorage, key: string): Promise<Uint8Array> {
  return collect(storage.read(key));
}

/** One of the plan's JSON files, parsed as what its writer wrote. */
export async function readJson<T>(storage: ObjectStorage, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await readAll(storage, key))) as T;
}

function littleEndian(values: Int32Array | Uint32Array | Uint16Array | Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function int32s(bytes: Uint8Array): Int32Array {
  const values = new Int32Array(bytes.length / 4);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

function uint32s(bytes: Uint8Array): Uint32Array {
  const values = new Uint32Array(bytes.length / 4);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}
