/**
 * touches.jsonl from a sharded plan: the shards' customer ids (each as its JSON string, one a
 * line) and a range of the touch sequence become the same bytes as the single-process file
 * (`{"customerId":…,"waveId":…,"channel":…,"sendId":…,"at":…}`, sends in timeline order, each
 * one's members in send order).
 */
import type { CustomerSet } from '../../customer-set.ts';
import type { PlannedSend } from '../../timeline.ts';

const encoder = new TextEncoder();
const HEAD = encoder.encode('{"customerId":');
/** An id that is its own JSON string body: printable ASCII without quote or backslash. */
const PLAIN_ID = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A shard's customer ids as JSON strings, one a line, in the shard's order. */
export function encodeIds(customers: Pick<CustomerSet, 'size' | 'idOf'>): Uint8Array {
  const lines: string[] = [];
  for (let index = 0; index < customers.size; index += 1) {
    const id = customers.idOf(index);
    lines.push(PLAIN_ID.test(id) ? `"${id}"` : JSON.stringify(id));
  }
  return encoder.encode(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

/** A shard's ids file, read back: the JSON text of each id by its index, without copying. */
export class IdColumn {
  private readonly starts: Uint32Array;

  constructor(private readonly bytes: Uint8Array) {
    let count = 0;
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) count += 1;
    this.starts = new Uint32Array(count + 1);
    let line = 0;
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) {
      line += 1;
      this.starts[line] = at + 1;
    }
  }

  get size(): number {
    return this.starts.length - 1;
  }

  json(index: number): Uint8Array {
    if (index < 0 || index >= this.size) throw new RangeError(`no customer ${index} in this shard`);
    return this.bytes.subarray(this.starts[index] as number, (this.starts[index + 1] as number) - 1);
  }
}

/** The part of each line after the customer id, per send: the same for all its touches. */
function tailOf(send: PlannedSend): Uint8Array {
  return encoder.encode(
    `,"waveId":${JSON.stringify(send.waveId)},"channel":"${send.channel}","sendId":${JSON.stringify(send.id)},"at":"${send.at}"}\n`,
  );
}

/**
 * The lines of touches [from, from + members.length) of the plan's touch sequence, where
 * `members` are those touches' customers (merged indices) and `idOf` gives a customer's id as JSON.
 */
export function touchLines(
  sends: readonly PlannedSend[],
  from: number,
  members: Int32Array,
  idOf: (merged: number) => Uint8Array,
): Uint8Array {
  const to = from + members.length;
  // Which send each touch of the range belongs to, and that send's tail.
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
  // One pass into a block that grows: each id is looked up once, and the few bytes of each
  // piece are copied in a loop (TypedArray.set costs more than that for so few).
  let out = new Uint8Array(Math.max(1024, members.length * 100));
  let offset = 0;
  let send = 0;
  const copy = (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length; at += 1) out[offset + at] = bytes[at] as number;
    offset += bytes.length;
  };
  for (let at = 0; at < members.length; at += 1) {
    while (at >= (ends[send] as number)) send += 1;
    const id = idOf(members[at] as number);
    const tail = tails[send] as Uint8Array;
    const needed = offset + HEAD.length + id.length + tail.length;
    if (needed > out.length) {
      const larger = new Uint8Array(Math.max(needed, out.length * 2));
      larger.set(out.subarray(0, offset));
      out = larger;
    }
    copy(HEAD);
    copy(id);
    copy(tail);
  }
  return out.subarray(0, offset);
}
