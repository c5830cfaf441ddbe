/** `campaign sample --customers N --out FILE [--seed N] [--now ISO]`: a synthetic store export. */
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Customer } from '../domain/customer.ts';
import { SegmentReader } from '../domain/segment-reader.ts';
import { writeSampleCsv } from '../sample/generate-customers.ts';
import { sampleOrderLines } from '../sample/generate-orders.ts';
import { UsageError } from './errors.ts';
import { bar, formatCount, progressOn } from './progress.ts';

export const SAMPLE_USAGE =
  'campaign sample --customers N --out FILE [--seed N] [--now ISO] [--bad-rows N] [--orders FILE]';

export async function runSample(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      customers: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      now: { type: 'string' },
      'bad-rows': { type: 'string' },
      orders: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const customers = wholeNumber('--customers', values.customers, true);
  if (!values.out) throw new UsageError('--out: required (the .csv file to write)');
  if (!values.out.toLowerCase().endsWith('.csv')) throw new UsageError('--out: must end in .csv');
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now: "${values.now}" is not an ISO 8601 time`);
  const progress = progressOn(process.stderr, values.quiet === true);
  await mkdir(dirname(values.out), { recursive: true });
  const options = {
    customers: customers as number,
    now,
    ...(values.seed !== undefined ? { seed: wholeNumber('--seed', values.seed, true) as number } : {}),
    ...(values['bad-rows'] !== undefined
      ? { badRows: wholeNumber('--bad-rows', values['bad-rows'], true) as number }
      : {}),
  };
  let result: { rows: number; badRows: number };
  try {
    result = await writeSampleCsv(values.out, options, (written, total) =>
      progress.update(`writing ${values.out} ${bar(written / Math.max(1, total))} ${formatCount(written)} rows`),
    );
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  progress.done(
    `wrote ${values.out}: ${formatCount(result.rows)} customers (${formatCount(result.badRows)} deliberately bad rows)`,
  );
  if (values.orders) {
    // Orders for the customers just written, read back through the same reader as an import.
    const customers: Customer[] = [];
    const reader = new SegmentReader({ fileName: values.out, timeZone: 'Asia/Shanghai' });
    for await (const batch of reader.read(createReadStream(values.out))) {
      for (const row of batch.accepted) customers.push(row.customer);
    }
    const lines = sampleOrderLines(customers, { year: now.getUTCFullYear() });
    await writeFile(values.orders, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    progress.done(`wrote ${values.orders}: ${formatCount(lines.length)} order webhook events`);
  }
  return 0;
}

function wholeNumber(flag: string, text: string | undefined, required: boolean): number | undefined {
  if (text === undefined) {
    if (required) throw new UsageError(`${flag}: required`);
    return undefined;
  }
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a whole number`);
  return Number(text);
}
