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
import { IdColumn, touchLineBlocks } from '../domain/planner/shards/touch-lines.ts';
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

/** Writes timeline.json, touches.jsonl and timeline.html (rejects.jsonl is written while reading). */
export async function writePlanFiles(outDir: string, plan: Plan, customers: CustomerSet): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'timeline.json'), `${JSON.stringify(plan.timeline, null, 2)}\n`);
  // Millions of lines, written by the sharded plan's own writer (touch-lines.ts): each id's
  // JSON bytes made once, not a string per touch, then copied into blocks of whole lines.
  // One writer for both is also what keeps the two files byte-identical.
  const ids = new IdColumn(customers.idsJsonLines());
  const touches = createWriteStream(join(outDir, 'touches.jsonl'));
  const { sends } = plan.timeline;
  let from = 0;
  for (const members of plan.members) {
    for (const block of touchLineBlocks(sends, from, members, ids)) {
      if (!touches.write(block)) await once(touches, 'drain');
    }
    from += members.length;
  }
  touches.end();
  await finished(touches);
  await writeTimelinePages(outDir, plan.timeline);
}

/** timeline.html and its English twin, drawn from the timeline alone. */
export async function writeTimelinePages(outDir: string, timeline: Timeline): Promise<void> {
  for (const page of bilingualPages(join(outDir, 'timeline'), (lang, otherHref) =>
    renderTimelinePage(timeline, { lang, otherHref }),
  ))
    await writeFile(page.path, page.html);
}
