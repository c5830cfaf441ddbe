/**
 * touches.jsonl from a sharded plan: the shards' customer ids (each as its JSON string, one a
 * line) and a range of the touch sequence become the same bytes as the single-process file
 * (`{"customerId":…,"waveId":…,"channel":…,"sendId":…,"at":…}`, sends in timeline order, each
 * one's members in send order).
 */
import type { JsonLines } from '../../customer-set.ts';
import type { PlannedSend } from '../../timeline.ts';
import { joined } from './joined.ts';

const encoder = new TextEncoder();
const HEAD = encoder.encode('{"customerId":');
/** An ids file's line starts, found by reading it (for a file whose starts were not kept). */
function startsOf(bytes: Uint8Array): Uint32Array {
  // A plain loop over the bytes: an indexOf call per line costs more than the line's bytes.
  let count = 0;
  for (let at = 0; at < bytes.length; at += 1) if (bytes[at] === 0x0a) count += 1;
  const starts = new Uint32Array(count + 1);
  let line = 0;
  for (let at = 0; at < bytes.length; at += 1) if (bytes[at] === 0x0a) starts[++line] = at + 1;
  return starts;
}

/**
 * Shards' ids files read back, joined in shard order: the JSON text of each id by its merged
 * index (a shard's first customer is the sum of the shards' sizes before it), without a copy
 * or an object per id. A second pass looks up every one of its touches here, millions of
 * times: one array of line starts, no search for the shard, no view made per lookup. Files
 * given with their starts (as the first pass keeps them) are not read line by line again.
 */
export class IdColumn {
  readonly bytes: Uint8Array;
  /** Where each id's line starts; one more entry, past the last line. */
  readonly starts: Uint32Array;

  constructor(...files: ReadonlyArray<Uint8Array | JsonLines>) {
    const parts = files.map((file) => (file instanceof Uint8Array ? { bytes: file, starts: startsOf(file) } : file));
    for (const part of parts) {
      if (part.starts[part.starts.length - 1] !== part.bytes.length)
        throw new RangeError(`line starts that end at ${part.starts.at(-1)} for ids of ${part.bytes.length} bytes`);
    }
    const only = parts.length === 1 ? parts[0] : undefined;
    this.bytes = only
      ? only.bytes
      : joined(
          parts.map((part) => part.bytes),
          (length) => new Uint8Array(length),
        );
    if (this.bytes.length >= 2 ** 32) throw new RangeError(`ids of ${this.bytes.length} bytes: at most 4 GiB`);
    if (only) {
      this.starts = only.starts;
      return;
    }
    const starts = new Uint32Array(parts.reduce((sum, part) => sum + part.starts.length - 1, 0) + 1);
    let line = 0;
    let offset = 0;
    for (const part of parts) {
      const count = part.starts.length - 1;
      for (let at = 0; at < count; at += 1) starts[line + at] = (part.starts[at] as number) + offset;
      line += count;
      offset += part.bytes.length;
    }
    starts[line] = offset;
    this.starts = starts;
  }

  get size(): number {
    return this.starts.length - 1;
  }

  json(index: number): Uint8Array {
    if (index < 0 || index >= this.size) throw new RangeError(`no customer ${index} in these ids`);
    return this.bytes.subarray(this.starts[index] as number, (this.starts[index + 1] as number) - 1);
  }
}

/** The part of each line after the customer id, per send: the same for all its touches. */
function tailOf(send: PlannedSend): Uint8Array {
  return encoder.encode(
    `,"waveId":${JSON.stringify(send.waveId)},"channel":"${send.channel}","sendId":${JSON.stringify(send.id)},"at":"${send.at}"}\n`,
  );
}

/** The sends a range of touches crosses: each one's tail, and where in the range it ends. */
interface RangeLayout {
  tails: Uint8Array[];
  ends: number[];
}

function layoutOf(sends: readonly PlannedSend[], from: number, to: number): RangeLayout {
  const tails: Uint8Array[] = [];
  const ends: number[] = [];
  let position = 0;
  for (const send of sends) {
    const end = position + send.customers;
    if (end > from && position < to) {
      tails.push(tailOf(send));
      ends.push(Math.min(end, to) - from);
    }
    position = end;
    if (position >= to) break;
  }
  return { tails, ends };
}

/** What a line's length needs of the ids: where each id's line starts (the reduce has only these). */
export type LineStarts = Pick<IdColumn, 'starts' | 'size'>;

function sizeOf({ tails, ends }: RangeLayout, members: Int32Array, ids: LineStarts): number {
  const { starts } = ids;
  const customers = ids.size;
  // Each line is the head, the id and its send's tail.
  let size = 0;
  let send = 0;
  for (let at = 0; at < members.length; at += 1) {
    while (at >= (ends[send] as number)) send += 1;
    const member = members[at] as number;
    if (!(member >= 0 && member < customers)) throw new RangeError(`no customer ${member} in these ids`);
    size +=
      HEAD.length +
      (starts[member + 1] as number) -
      1 -
      (starts[member] as number) +
      (tails[send] as Uint8Array).length;
  }
  return size;
}

/**
 * How many bytes `touchLines` writes for the same range, without writing them: where each
 * part goes in touches.jsonl is known before any part is written.
 */
export function touchLinesSize(
  sends: readonly PlannedSend[],
  from: number,
  members: Int32Array,
  ids: LineStarts,
): number {
  return sizeOf(layoutOf(sends, from, from + members.length), members, ids);
}

/**
 * The lines of touches [from, from + members.length) of the plan's touch sequence, where
 * `members` are those touches' customers (merged indices into `ids`).
 */
export function touchLines(
  sends: readonly PlannedSend[],
  from: number,
  members: Int32Array,
  ids: IdColumn,
): Uint8Array {
  const layout = layoutOf(sends, from, from + members.length);
  const { tails, ends } = layout;
  const { bytes, starts } = ids;
  // The exact size first, then one block, not zeroed as every byte of it is written: the
  // head and tail copied whole, the id (about ten bytes, where a copy call costs more than
  // its bytes) one byte at a time.
  const size = sizeOf(layout, members, ids);
  let send = 0;
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  let tail = tails[0] ?? new Uint8Array(0);
  for (let at = 0; at < members.length; at += 1) {
    if (at >= (ends[send] as number)) {
      while (at >= (ends[send] as number)) send += 1;
      tail = tails[send] as Uint8Array;
    }
    out.set(HEAD, offset);
    offset += HEAD.length;
    const member = members[at] as number;
    const end = (starts[member + 1] as number) - 1;
    for (let i = starts[member] as number; i < end; i += 1) out[offset++] = bytes[i] as number;
    out.set(tail, offset);
    offset += tail.length;
  }
  return out;
}

/** Touches a block at most: about 8 MB of lines, written before the next is made. */
const TOUCHES_A_BLOCK = 65_536;

/**
 * The same lines as `touchLines`, made a block of whole lines at a time as they are asked
 * for: a writer that writes each before taking the next (`campaign plan`, all of a campaign's
 * touches, a gigabyte at 4,000,000 customers) holds one block, never the whole file.
 */
export function* touchLineBlocks(
  sends: readonly PlannedSend[],
  from: number,
  members: Int32Array,
  ids: IdColumn,
): Generator<Uint8Array> {
  for (let start = 0; start < members.length; start += TOUCHES_A_BLOCK) {
    yield touchLines(sends, from + start, members.subarray(start, start + TOUCHES_A_BLOCK), ids);
  }
}
