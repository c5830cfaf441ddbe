/**
 * A workbook's shared strings table, held so that memory does not grow with the file.
 *
 * Excel writes every distinct text of a workbook once, in the shared strings table, and
 * cells refer to it by index; a customer export's ids, names and emails are all distinct,
 * so the table grows with the rows (a JS array of them held ~1 KB a row, measured). Here
 * the first texts stay in memory (up to MEMORY_CHARS: the repeated ones, tiers, devices,
 * yes/no, come first, since the table lists texts in the order the sheet first uses them),
 * and the rest go to a temporary file in blocks, of which only an index of block offsets
 * and a few decoded blocks are held. A sheet refers to its texts nearly in table order,
 * so reading it back is a sequential read of that file.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Texts kept in memory before the rest go to disk (UTF-16 code units). */
const MEMORY_CHARS = 4 * 1024 * 1024;
/** Texts per block on disk: a block is read and decoded whole. */
const BLOCK_ENTRIES = 64;
const BLOCK_SHIFT = 6;
/** Decoded blocks kept (a text repeated far from where it first came stays at hand). */
const CACHED_BLOCKS = 256;
const WRITE_BUFFER_BYTES = 1024 * 1024;

type SharedText = string | { richText: Array<{ text?: string }> };

/** What exceljs' sheet reader needs of a shared strings table: `push` while it is read, `[index]` after. */
export class SharedStrings {
  private readonly memory: SharedText[] = [];
  private memoryChars = 0;
  /** Index of the first text on disk (all texts from it on are there). */
  private spilledFrom = -1;
  private spilledCount = 0;
  private file: { dir: string; fd: number } | undefined;
  /** File offset of each block, and where the file ends. */
  private blockOffsets = new Float64Array(1024);
  private fileBytes = 0;
  private writeBuffer = Buffer.alloc(WRITE_BUFFER_BYTES);
  private writeLength = 0;
  /** Decoded blocks, least recently used first. */
  private readonly blocks = new Map<number, string[]>();

  /** `budgetChars`: how much text stays in memory before the rest goes to disk. */
  constructor(private readonly budgetChars = MEMORY_CHARS) {}

  get length(): number {
    return this.spilledFrom < 0 ? this.memory.length : this.spilledFrom + this.spilledCount;
  }

  /** Appends the next text of the table. */
  push(text: SharedText): void {
    if (this.spilledFrom < 0) {
      const chars = typeof text === 'string' ? text.length : 64;
      if (this.memoryChars + chars <= this.budgetChars) {
        this.memory.push(text);
        this.memoryChars += chars;
        return;
      }
      this.startSpilling();
    }
    this.spill(typeof text === 'string' ? text : text.richText.map((run) => run.text ?? '').join(''));
  }

  /** The text at `index`, or undefined past the end. */
  at(index: number): SharedText | undefined {
    if (this.spilledFrom < 0 || index < this.spilledFrom) return this.memory[index];
    const entry = index - this.spilledFrom;
    if (entry >= this.spilledCount) return undefined;
    return this.block(entry >> BLOCK_SHIFT)[entry & (BLOCK_ENTRIES - 1)];
  }

  /** Whether texts went to disk (for tests and the bench). */
  get spilled(): boolean {
    return this.spilledFrom >= 0;
  }

  /** Removes the temporary file; the table is empty afterwards. */
  close(): void {
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
    this.file = undefined;
    this.blocks.clear();
  }

  /** An array-like view for exceljs, which reads `sharedStrings[index]`. */
  view(): SharedText[] {
    return new Proxy(this.memory, {
      get: (target, property, receiver) => {
        if (typeof property === 'string') {
          const first = property.charCodeAt(0);
          if (first >= 48 && first <= 57) return this.at(Number(property));
          if (property === 'push') return (text: SharedText) => this.push(text);
          if (property === 'length') return this.length;
        }
        return Reflect.get(target, property, receiver);
      },
    });
  }

  private startSpilling(): void {
    const dir = mkdtempSync(join(tmpdir(), 'xlsx-strings-'));
    this.file = { dir, fd: openSync(join(dir, 'strings'), 'w+') };
    this.spilledFrom = this.memory.length;
  }

  private spill(text: string): void {
    const entry = this.spilledCount;
    if ((entry & (BLOCK_ENTRIES - 1)) === 0) {
      const block = entry >> BLOCK_SHIFT;
      if (block >= this.blockOffsets.length) {
        const grown = new Float64Array(this.blockOffsets.length * 2);
        grown.set(this.blockOffsets);
        this.blockOffsets = grown;
      }
      this.blockOffsets[block] = this.fileBytes + this.writeLength;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.writeLength + 4 + bytes > this.writeBuffer.length) {
      this.flush();
      if (4 + bytes > this.writeBuffer.length) this.writeBuffer = Buffer.alloc(4 + bytes);
    }
    this.writeBuffer.writeUInt32LE(bytes, this.writeLength);
    this.writeBuffer.write(text, this.writeLength + 4, 'utf8');
    this.writeLength += 4 + bytes;
    this.spilledCount += 1;
  }

  private flush(): void {
    if (!this.file || this.writeLength === 0) return;
    writeSync(this.file.fd, this.writeBuffer, 0, this.writeLength, this.fileBytes);
    this.fileBytes += this.writeLength;
    this.writeLength = 0;
  }

  private block(block: number): string[] {
    const cached = this.blocks.get(block);
    if (cached) {
      // Most recently used last: the first key is the one to drop.
      this.blocks.delete(block);
      this.blocks.set(block, cached);
      return cached;
    }
    this.flush();
    const start = this.blockOffsets[block] as number;
    const lastBlock = (this.spilledCount - 1) >> BLOCK_SHIFT;
    const end = block < lastBlock ? (this.blockOffsets[block + 1] as number) : this.fileBytes;
    const bytes = Buffer.allocUnsafe(end - start);
    if (this.file) readSync(this.file.fd, bytes, 0, bytes.length, start);
    const texts: string[] = [];
    for (let at = 0; at < bytes.length; ) {
      const length = bytes.readUInt32LE(at);
      texts.push(bytes.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    if (this.blocks.size >= CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    this.blocks.set(block, texts);
    return texts;
  }
}

/**
 * Makes exceljs' workbook reader keep its shared strings in `strings`: the reader assigns
 * a fresh array to `sharedStrings` and pushes into it; the property keeps our table instead.
 */
export function useSharedStrings(reader: object, strings: SharedStrings): void {
  const view = strings.view();
  Object.defineProperty(reader, 'sharedStrings', {
    configurable: true,
    enumerable: true,
    get: () => view,
    set: () => {},
  });
}
