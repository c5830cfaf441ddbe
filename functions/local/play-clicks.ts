/**
 * Plays taps on tracked links at their virtual times (`campaign simulate --clicks`): each
 * line names a customer and a wave; the tap follows the link that customer's SMS of that
 * wave carried, as the local SMS sink received it, with a GET on the local HTTP API. A
 * customer the wave never reached by SMS has no link to tap: counted, not tapped.
 */
import { readFile } from 'node:fs/promises';
import type { SinkMessage } from '../adapters/local/sms-sink.ts';
import { TRACKED_LINK_PATH } from '../contract.ts';
import { LINK_ID_LENGTH } from '../domain/tracked-link.ts';
import type { TimedEvents } from './play.ts';

export interface TapLine {
  at: string;
  click: { customerId: string; waveId: string };
}

const TAPS_AT_ONCE = 8;
const LINK_IN_TEXT = new RegExp(`${TRACKED_LINK_PATH}([A-Za-z0-9_-]{${LINK_ID_LENGTH}})(?![A-Za-z0-9_-])`);

/** Reads a --clicks file; a line that is not a tap names its line number. */
export async function readTapLines(path: string): Promise<TapLine[]> {
  const text = await readFile(path, 'utf8');
  const lines: TapLine[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    let value: Partial<TapLine>;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`line ${index + 1} is not JSON`);
    }
    const click = value.click;
    if (
      typeof value.at !== 'string' ||
      Number.isNaN(Date.parse(value.at)) ||
      typeof click?.customerId !== 'string' ||
      typeof click.waveId !== 'string'
    ) {
      throw new Error(`line ${index + 1} needs "at" (ISO 8601) and "click": {"customerId", "waveId"}`);
    }
    lines.push({ at: value.at, click: { customerId: click.customerId, waveId: click.waveId } });
  }
  return lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export class TrackedLinkTaps implements TimedEvents {
  private next = 0;
  private indexed = 0;
  private readonly links = new Map<string, string>();
  /** HTTP status (or `no-link`) -> taps. */
  readonly answers: Record<string, number> = {};

  constructor(
    private readonly apiUrl: string,
    private readonly sms: { messages(): readonly SinkMessage[] },
    private readonly lines: readonly TapLine[],
  ) {}

  nextAt(): number | undefined {
    const line = this.lines[this.next];
    return line ? Date.parse(line.at) : undefined;
  }

  async deliverDue(now: number): Promise<void> {
    const due: TapLine[] = [];
    for (let line = this.lines[this.next]; line && Date.parse(line.at) <= now; line = this.lines[this.next]) {
      this.next += 1;
      due.push(line);
    }
    if (due.length === 0) return;
    this.indexNewMessages();
    const tapper = async () => {
      for (let line = due.shift(); line; line = due.shift()) await this.tap(line);
    };
    await Promise.all(Array.from({ length: Math.min(TAPS_AT_ONCE, due.length) }, tapper));
  }

  /** The sink only ever appends: each message is read once. */
  private indexNewMessages(): void {
    const messages = this.sms.messages();
    for (; this.indexed < messages.length; this.indexed += 1) {
      const message = messages[this.indexed] as SinkMessage;
      const id = LINK_IN_TEXT.exec(message.text)?.[1];
      if (id) this.links.set(`${message.tags.customerId}\u0000${message.tags.waveId}`, id);
    }
  }

  private async tap(line: TapLine): Promise<void> {
    const id = this.links.get(`${line.click.customerId}\u0000${line.click.waveId}`);
    if (!id) {
      this.answers['no-link'] = (this.answers['no-link'] ?? 0) + 1;
      return;
    }
    const response = await fetch(`${this.apiUrl}${TRACKED_LINK_PATH}${id}`, { redirect: 'manual' });
    await response.arrayBuffer();
    this.answers[response.status] = (this.answers[response.status] ?? 0) + 1;
  }
}
