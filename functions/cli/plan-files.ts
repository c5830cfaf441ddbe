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

/** Writes timeline.json, touches.jsonl and timeline.html (rejects.jsonl is written while reading). */
export async function writePlanFiles(outDir: string, plan: Plan, customers: CustomerSet): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'timeline.json'), `${JSON.stringify(plan.timeline, null, 2)}\n`);
  const touches = new JsonLinesFile(join(outDir, 'touches.jsonl'));
  for (const [position, send] of plan.timeline.sends.entries()) {
    // The part after customerId is the same for every touch of a send: build it once.
    const tail = `,"waveId":${JSON.stringify(send.waveId)},"channel":"${send.channel}","sendId":${JSON.stringify(send.id)},"at":"${send.at}"}`;
    for (const index of plan.members[position] ?? []) {
      const customerId = customers.customers[index]?.customerId ?? '';
      await touches.writeLine(`{"customerId":${JSON.stringify(customerId)}${tail}`);
    }
  }
  await touches.close();
  await writeFile(join(outDir, 'timeline.html'), renderTimelinePage(plan.timeline));
}
