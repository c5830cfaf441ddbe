/**
 * The import state machine's steps run on this machine, in the order and with the limits
 * lib/segment-import-map.ts gives Step Functions: the ItemReader (the CSV's rows as
 * objects keyed by the first row's cells, numbered from 0), the ItemSelector (`{ index,
 * row }`), the ItemBatcher (at most so many rows and bytes a batch, with the BatchInput),
 * at most MaxConcurrency batches at once through the same batch handler, no failure
 * tolerated (the run fails, and stops starting batches, at the first), a result file, then
 * the same finish step. A failed run can be redriven: the batches that succeeded (their
 * parts exist) are not run again, as a Step Functions redrive reruns only what failed.
 */
import { DISTRIBUTED_IMPORT, importRunPartKey, PREFIX } from '../../contract.ts';
import { CsvRecordScanner, splitCsvFields } from '../../domain/csv-records.ts';
import type { MapBatch, MapItem } from '../../domain/map-import.ts';
import type { MapImportRun, MapImportStarter } from '../../ports/import-store.ts';
import type { ObjectStorage } from '../../ports/object-storage.ts';
import type { MapImportInput } from '../../usecases/import-segment.ts';

export interface LocalMapSteps {
  /** The batch writer (its handler). */
  batch: (batch: MapBatch) => Promise<unknown>;
  /** The finish step (its handler). */
  finish: (event: { batchInput: MapImportInput['batchInput'] }) => Promise<unknown>;
}

export interface LocalMapOptions {
  maxConcurrency?: number;
  maxItemsPerBatch?: number;
  maxInputBytesPerBatch?: number;
}

/** The map's ItemReader failed: a row it cannot read (Step Functions fails the run with States.ItemReaderFailed). */
export class ItemReaderError extends Error {
  constructor(key: string, line: number, detail: string) {
    super(`States.ItemReaderFailed: ${key} line ${line}: ${detail}`);
    this.name = 'ItemReaderError';
  }
}

const decoder = new TextDecoder('utf-8');

/** The CSV's rows as the ItemReader gives them (after the ItemSelector): `{ index, row }`. */
export async function* csvItems(storage: ObjectStorage, key: string): AsyncGenerator<MapItem> {
  const scanner = new CsvRecordScanner();
  let header: string[] | undefined;
  let index = 0;
  let first = true;
  const fromRecords = function* (records: ReturnType<CsvRecordScanner['push']>): Generator<MapItem> {
    for (const record of records) {
      if (!('source' in record)) {
        throw new ItemReaderError(key, record.line, 'error' in record ? record.error : 'a line too long');
      }
      const text = decoder.decode(record.source.subarray(record.start, record.end));
      if (text.trim() === '') continue;
      const fields = splitCsvFields(text, record.quoted);
      if (!header) {
        header = fields;
        continue;
      }
      const row: Record<string, string> = {};
      // A row with fewer cells than the header has no key for the missing ones; cells beyond it are dropped.
      for (let at = 0; at < Math.min(fields.length, header.length); at += 1)
        row[header[at] as string] = fields[at] as string;
      yield { index, row };
      index += 1;
    }
  };
  for await (let chunk of storage.read(key)) {
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
      chunk = chunk.subarray(3);
    first = false;
    yield* fromRecords(scanner.push(chunk));
  }
  yield* fromRecords(scanner.end());
}

/** The ItemBatcher: rows into batches of at most so many items and bytes of input, each with the BatchInput. */
export async function* batchesOf(
  items: AsyncIterable<MapItem>,
  batchInput: MapImportInput['batchInput'],
  limits: { maxItems: number; maxBytes: number },
): AsyncGenerator<MapBatch> {
  const fixedBytes = Buffer.byteLength(JSON.stringify({ BatchInput: batchInput, Items: [] }));
  let batch: MapItem[] = [];
  let bytes = fixedBytes;
  for await (const item of items) {
    const itemBytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (batch.length > 0 && (batch.length >= limits.maxItems || bytes + itemBytes > limits.maxBytes)) {
      yield { BatchInput: batchInput, Items: batch };
      batch = [];
      bytes = fixedBytes;
    }
    batch.push(item);
    bytes += itemBytes;
  }
  if (batch.length > 0) yield { BatchInput: batchInput, Items: batch };
}

/** One run (or a redrive of it): every batch at most `maxConcurrency` at once, then the finish step. */
export async function runMapImportLocally(
  storage: ObjectStorage,
  steps: LocalMapSteps,
  input: MapImportInput,
  options: LocalMapOptions & { redrive?: boolean } = {},
): Promise<unknown> {
  const maxConcurrency = options.maxConcurrency ?? DISTRIBUTED_IMPORT.maxConcurrency;
  const limits = {
    maxItems: options.maxItemsPerBatch ?? DISTRIBUTED_IMPORT.maxItemsPerBatch,
    maxBytes: options.maxInputBytesPerBatch ?? DISTRIBUTED_IMPORT.maxInputBytesPerBatch,
  };
  const running = new Set<Promise<void>>();
  const results: unknown[] = [];
  let failure: unknown;
  for await (const batch of batchesOf(csvItems(storage, input.key), input.batchInput, limits)) {
    if (failure !== undefined) break;
    const first = batch.Items[0]?.index ?? 0;
    if (options.redrive && (await storage.head(importRunPartKey(input.batchInput.run, first)))) continue;
    while (running.size >= maxConcurrency) await Promise.race(running);
    if (failure !== undefined) break;
    const task = steps
      .batch(batch)
      .then((result) => {
        results.push(result);
      })
      .catch((error: unknown) => {
        failure ??= error;
      });
    running.add(task);
    void task.finally(() => running.delete(task));
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
  // The ResultWriter's file: what each batch returned.
  await storage.put(
    `${PREFIX.importRuns}${input.batchInput.run}/results/local-run.json`,
    JSON.stringify(results),
    'application/json',
  );
  return steps.finish({ batchInput: input.batchInput });
}

/**
 * Locally a map run starts in this process, soon (as Step Functions would start it), and
 * is kept by name: the same name again is the same run, and `settled` waits for it.
 */
export class LocalMapImport implements MapImportStarter {
  private readonly runs = new Map<string, Promise<unknown>>();

  constructor(
    private readonly storage: ObjectStorage,
    private readonly steps: LocalMapSteps,
    private readonly options: LocalMapOptions = {},
  ) {}

  async start(run: MapImportRun): Promise<{ executionArn: string }> {
    if (!this.runs.has(run.name)) {
      const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        runMapImportLocally(this.storage, this.steps, run.input as MapImportInput, this.options),
      );
      // A failed run is kept failed (as an execution is) until it is redriven.
      started.catch(() => undefined);
      this.runs.set(run.name, started);
    }
    return { executionArn: `local:import-map:${run.name}` };
  }

  /** The run's end: its finish step's result, or its failure. */
  settled(name: string): Promise<unknown> {
    return this.runs.get(name) ?? Promise.reject(new Error(`no local map run ${name}`));
  }
}
