/**
 * `campaign plan --campaign FILE --customers FILE [--customers FILE ...] [--now ISO] --out DIR`
 * Plans offline: no AWS, no server.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SegmentSource } from '../usecases/plan-offline.ts';
import { planOffline } from '../usecases/plan-offline.ts';
import { UsageError } from './errors.ts';
import { JsonLinesFile, rejectLine, writePlanFiles } from './plan-files.ts';
import { bar, formatCount, progressOn } from './progress.ts';

export const PLAN_USAGE =
  'campaign plan --campaign FILE --customers FILE [--customers FILE ...] [--now ISO] --out DIR [--quiet]';

export interface PlanCommandOptions {
  campaignFile: string;
  customerFiles: string[];
  now: number;
  outDir: string;
  quiet: boolean;
}

export function parsePlanOptions(
  args: string[],
  extra: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {},
) {
  const { values } = parseArgs({
    args,
    options: {
      campaign: { type: 'string' },
      customers: { type: 'string', multiple: true },
      now: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      ...extra,
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.campaign) throw new UsageError('--campaign: required (the campaign JSON file)');
  const customers = values.customers as string[] | undefined;
  if (!customers || customers.length === 0)
    throw new UsageError('--customers: required (a segment .csv or .jsonl file)');
  if (!values.out) throw new UsageError('--out: required (the folder to write the plan to)');
  const now = values.now === undefined ? Date.now() : parseNow(values.now as string);
  const options: PlanCommandOptions = {
    campaignFile: values.campaign as string,
    customerFiles: customers,
    now,
    outDir: values.out as string,
    quiet: values.quiet === true,
  };
  return { options, values };
}

function parseNow(text: string): number {
  // An instant needs an offset: "now" without one would depend on the machine's zone.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`--now: "${text}" is not an ISO 8601 instant with an offset, e.g. 2026-10-20T12:00:00+08:00`);
  }
  return Date.parse(text);
}

export async function fileSources(paths: string[]): Promise<SegmentSource[]> {
  const sources: SegmentSource[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`--customers: no such file ${path}`);
    sources.push({ name: basename(path), open: () => createReadStream(path, { highWaterMark: 256 * 1024 }) });
  }
  return sources;
}

export async function readCampaignFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--campaign: cannot read ${path}`);
  }
}

export async function runPlan(args: string[]): Promise<number> {
  const { options } = parsePlanOptions(args);
  const progress = progressOn(process.stderr, options.quiet);
  const campaignText = await readCampaignFile(options.campaignFile);
  const sources = await fileSources(options.customerFiles);
  const sizes = await Promise.all(options.customerFiles.map(async (path) => (await stat(path)).size));
  await mkdir(options.outDir, { recursive: true });
  const rejects = new JsonLinesFile(join(options.outDir, 'rejects.jsonl'));
  let rejected = 0;
  const started = Date.now();
  const result = await planOffline({
    campaign: campaignText,
    sources,
    now: options.now,
    onRejected: (row) => {
      rejected += 1;
      rejects.writeLineSync(rejectLine(row));
    },
    onProgress: ({ file, rows }) => {
      const index = sources.findIndex((source) => source.name === file);
      const fraction = sizes[index] ? Math.min(1, rows / Math.max(1, estimateRows(sizes[index] ?? 0))) : 1;
      progress.update(`reading ${file} ${bar(fraction)} ${formatCount(rows)} rows`);
    },
  });
  await rejects.close();
  for (const file of result.files) {
    progress.done(
      `read ${file.file} (${file.format}, ${file.encoding}): ${formatCount(file.rows)} rows, ${formatCount(file.accepted)} accepted, ${formatCount(file.rejected)} rejected` +
        (file.ignoredColumns.length > 0 ? `; ignored columns: ${file.ignoredColumns.join(', ')}` : ''),
    );
  }
  const { stats } = result.customers;
  if (stats.repeatsInFile + stats.seenInEarlierFile > 0) {
    progress.done(
      `repeated customer_id: ${formatCount(stats.repeatsInFile)} within a file, ${formatCount(stats.seenInEarlierFile)} across files (the last row wins)`,
    );
  }
  progress.update('writing the plan...');
  await writePlanFiles(options.outDir, result.plan, result.customers);
  const { timeline } = result.plan;
  progress.done(
    `planned ${timeline.campaignId}: ${formatCount(timeline.summary.customers)} customers, ${formatCount(timeline.sends.length)} sends, ` +
      `${formatCount(timeline.summary.touches.sms)} SMS and ${formatCount(timeline.summary.touches.email)} emails to ${formatCount(timeline.summary.reached)} customers` +
      ` in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const warning of timeline.warnings) progress.done(`warning: ${warning}`);
  if (rejected > 0) progress.done(`${formatCount(rejected)} rejected rows: ${join(options.outDir, 'rejects.jsonl')}`);
  progress.done(`timeline: ${join(options.outDir, 'timeline.html')}`);
  return 0;
}

/** Rough rows from bytes, for the progress bar only (about 90 bytes a row). */
function estimateRows(bytes: number): number {
  return bytes / 90;
}
