/**
 * One reader measurement in its own process (so neither the heap nor the JIT state of one
 * way of reading helps another). Prints one JSON line: seconds, rows, peak RSS.
 *   decode     read the file's bytes and decode them to text (the floor any reader pays)
 *   csv-parse  csv-parse with `columns: true`, every record an object (the common way)
 *   validated  the product's read: split, decode, map, validate every row into the customer set
 * and for a workbook (.xlsx):
 *   exceljs         exceljs' streaming workbook reader as its docs show it, every row of the first sheet (the library's floor)
 *   xlsx-rows       the product's sheet reader, every row as cell texts, unvalidated (readXlsxRows)
 *   validated-xlsx  the product's read of a workbook: the same rows mapped and validated into the customer set
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { localSegmentFile, readXlsxRows } from '../adapters/local/file-bytes.ts';
import { loadCustomers, type SegmentSource } from '../usecases/plan-offline.ts';

type Mode = 'decode' | 'csv-parse' | 'validated' | 'exceljs' | 'xlsx-rows' | 'validated-xlsx';

const [mode, file, timeZone = 'Asia/Shanghai'] = process.argv.slice(2) as [Mode, string, string?];
const open = () => createReadStream(file, { highWaterMark: 256 * 1024 });

async function decode(): Promise<number> {
  const decoder = new TextDecoder('utf-8');
  let lines = 0;
  for await (const chunk of open()) {
    const text = decoder.decode(chunk as Buffer, { stream: true });
    // Touch the text so the decode cannot be skipped; counting line ends is nearly free.
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines += 1;
  }
  decoder.decode();
  return Math.max(0, lines - 1);
}

async function csvParse(): Promise<number> {
  let rows = 0;
  const parser = open().pipe(parse({ columns: true, bom: true, relax_column_count: true, skip_empty_lines: true }));
  for await (const record of parser) if (record) rows += 1;
  return rows;
}

async function validated(
  source: SegmentSource = { name: basename(file), open, size: statSync(file).size },
): Promise<number> {
  let rejected = 0;
  const { customers } = await loadCustomers({
    sources: [source],
    timeZone,
    onRejected: () => {
      rejected += 1;
    },
  });
  return customers.size + rejected;
}

async function exceljs(): Promise<number> {
  let rows = 0;
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    worksheets: 'emit',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of workbook) {
    // biome-ignore lint/suspicious/noExplicitAny: exceljs' types omit that a streamed worksheet is async-iterable.
    for await (const row of sheet as any as AsyncIterable<{ values: unknown[] }>) if (row.values) rows += 1;
    break;
  }
  return rows;
}

async function xlsxRows(): Promise<number> {
  let rows = 0;
  for await (const cells of readXlsxRows(file)) if (cells) rows += 1;
  return rows;
}

const MODES: Record<Mode, () => Promise<number>> = {
  decode,
  'csv-parse': csvParse,
  validated: () => validated(),
  exceljs,
  'xlsx-rows': xlsxRows,
  'validated-xlsx': async () => validated(await localSegmentFile(file)),
};
const run = MODES[mode];
if (!run) throw new Error(`reader-bench: unknown mode ${mode}; known: ${Object.keys(MODES).join(', ')}`);
const started = performance.now();
const rows = await run();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ mode, rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
