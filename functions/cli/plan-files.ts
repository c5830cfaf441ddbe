/**
 * Writes a plan to a folder as the command-line contract names the files: timeline.json, touches.jsonl,
 * rejects.jsonl and timeline.html. Large files stream with backpressure; every file is
 * a pure function of the plan, so the same inputs give byte-identical files.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { CustomerSet } from '../domain/customer-set.ts';
import type { Plan } from '../domain/planner.ts';
import type { RejectedRow } from '../domain/segment-reader.ts';
import type { Timeline } from '../domain/timeline.ts';
import { bilingualPages } from '../views/page-files.ts';
import { renderTimelinePage } from '../views/timeline-page.ts';

const CHUNK_CHARS = 256 * 1024;

/** A line-oriented file writer that batches lines and waits for the disk when asked to. */
export class JsonLinesFile {
  private readonly stream: WriteStream;
  private buffer = '';

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }

  async writeLine(line: string): Promise<void> {
    this.buffer += `${line}\n`;
    if (this.buffer.length >= CHUNK_CHARS) await this.flush();
  }

  /** For callers that cannot await: lines are buffered and flushed on close. */
  writeLineSync(line: string): void {
    this.buffer += `${line}\n`;
    if (this.buffer.length >= CHUNK_CHARS) {
      this.stream.write(this.buffer);
      this.buffer = '';
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  private async flush(): Promise<void> {
    if (this.buffer === '') return;
    const ok = this.stream.write(this.buffer);
    this.buffer = '';
    if (!ok) await once(this.stream, 'drain');
  }
}

export function rejectLine(row: RejectedRow): string {
  return JSON.stringify(row);
}

/** Bytes to a file in large blocks, waiting for the disk when it falls behind. */
class ByteFile {
  private readonly stream: WriteStream;
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path);
  }

  /** Room for `bytes` more, flushing first when the block is full. */
  async reserve(bytes: number): Promise<void> {
    if (this.used + bytes <= this.block.length) return;
    await this.flush();
    if (bytes > this.block.length) this.block = Buffer.allocUnsafe(bytes);
  }

  /** ASCII text (the caller knows it is). */
  ascii(text: string): void {
    this.used += this.block.write(text, this.used, 'latin1');
  }

  utf8(text: string): void {
    this.used += this.block.write(text, this.used, 'utf8');
  }

  bytes(bytes: Buffer): void {
    this.used += bytes.copy(this.block, this.used);
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    // The block goes to the stream as it is; the next one is new, so nothing written is overwritten.
    const ok = this.stream.write(this.block.subarray(0, this.used));
    this.block = Buffer.allocUnsafe(BLOCK_BYTES);
    this.used = 0;
    if (!ok) await once(this.stream, 'drain');
  }
}

const BLOCK_BYTES = 1024 * 1024;
/** An id that is its own JSON string body: printable ASCII without quote or backslash. */
const PLAIN_ID = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const TOUCH_HEAD = '{"customerId":"';

/** Writes timeline.json, touches.jsonl and timeline.html (rejects.jsonl is written while reading). */
export async function writePlanFiles(outDir: string, plan: Plan, customers: CustomerSet): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'timeline.json'), `${JSON.stringify(plan.timeline, null, 2)}\n`);
  // Millions of lines: written as bytes straight into large blocks, no string per line.
  const touches = new ByteFile(join(outDir, 'touches.jsonl'));
  for (const [position, send] of plan.timeline.sends.entries()) {
    // The part after customerId is the same for every touch of a send: encoded once.
    const tail = Buffer.from(
      `,"waveId":${JSON.stringify(send.waveId)},"channel":"${send.channel}","sendId":${JSON.stringify(send.id)},"at":"${send.at}"}\n`,
    );
    for (const index of plan.members[position] ?? []) {
      const customerId = customers.idOf(index) ?? '';
      if (PLAIN_ID.test(customerId)) {
        await touches.reserve(TOUCH_HEAD.length + customerId.length + 1 + tail.length);
        touches.ascii(TOUCH_HEAD);
        touches.ascii(customerId);
        touches.ascii('"');
      } else {
        const line = `{"customerId":${JSON.stringify(customerId)}`;
        await touches.reserve(Buffer.byteLength(line) + tail.length);
        touches.utf8(line);
      }
      touches.bytes(tail);
    }
  }
  await touches.close();
  await writeTimelinePages(outDir, plan.timeline);
}

/** timeline.html and its English twin, drawn from the timeline alone. */
export async function writeTimelinePages(outDir: string, timeline: Timeline): Promise<void> {
  for (const page of bilingualPages(join(outDir, 'timeline'), (lang, otherHref) =>
    renderTimelinePage(timeline, { lang, otherHref }),
  ))
    await writeFile(page.path, page.html);
}
