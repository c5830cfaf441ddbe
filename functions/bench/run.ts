/**
 * `npm run bench`: the figures of SPEC 6, each against a ceiling measured in the same run,
 * printed as a table. Inputs are generated once under .bench/ (git-ignored) and reused.
 *   npm run bench [-- --only plan] [-- --customers 1000000]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { bar, formatCount, progressOn } from '../cli/progress.ts';
import { writeSampleCsv } from '../sample/generate-customers.ts';

const BENCH_DIR = '.bench';
const NOW = '2026-10-20T12:00:00+08:00';
const CAMPAIGN = 'functions/sample/d11-2026.campaign.json';

interface Row {
  figure: string;
  measured: string;
  ceiling: string;
  ratio: string;
  target: string;
  verdict: string;
}

const { values } = parseArgs({
  options: { only: { type: 'string', multiple: true }, customers: { type: 'string' } },
  strict: true,
});
const progress = progressOn();
const rows: Row[] = [];

async function sampleFile(customers: number): Promise<string> {
  const path = join(BENCH_DIR, `customers-${customers}.csv`);
  if (existsSync(path)) return path;
  await mkdir(BENCH_DIR, { recursive: true });
  await writeSampleCsv(path, { customers, now: new Date(NOW) }, (written, total) =>
    progress.update(`generating ${path} ${bar(written / total)} ${formatCount(written)} rows`),
  );
  progress.done(`generated ${path}`);
  return path;
}

/** Runs a bench script in a fresh Node process and returns its JSON line. */
async function inChild<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}

const BENCHES: Record<string, () => Promise<void>> = {
  async plan() {
    const customers = Number(values.customers ?? 1_000_000);
    const file = await sampleFile(customers);
    progress.update(`plan: parsing and planning ${formatCount(customers)} customers, 4 waves...`);
    const result = await inChild<{
      customers: number;
      touches: number;
      parseSeconds: number;
      planSeconds: number;
      writeSeconds: number;
      peakRssMb: number;
    }>('functions/bench/plan-bench.ts', [file, CAMPAIGN, join(BENCH_DIR, 'plan-out'), NOW]);
    progress.done(
      `plan: ${formatCount(result.customers)} customers, ${formatCount(result.touches)} touches; parse ${result.parseSeconds.toFixed(2)} s, plan ${result.planSeconds.toFixed(2)} s, write ${result.writeSeconds.toFixed(2)} s`,
    );
    const ratio = result.planSeconds / result.parseSeconds;
    rows.push({
      figure: `plan ${formatCount(customers)} customers, 4 waves (plan/parse)`,
      measured: `plan ${result.planSeconds.toFixed(2)} s`,
      ceiling: `parse ${result.parseSeconds.toFixed(2)} s`,
      ratio: ratio.toFixed(2),
      target: '<= 1.0',
      verdict: ratio <= 1 ? 'ok' : 'MISSED',
    });
    const withWrite = (result.planSeconds + result.writeSeconds) / result.parseSeconds;
    rows.push({
      figure: '  same, plan + writing the 4 plan files',
      measured: `${(result.planSeconds + result.writeSeconds).toFixed(2)} s`,
      ceiling: `parse ${result.parseSeconds.toFixed(2)} s`,
      ratio: withWrite.toFixed(2),
      target: '(shown)',
      verdict: '',
    });
    rows.push({
      figure: '  peak memory (parse + plan + write)',
      measured: `${result.peakRssMb.toFixed(0)} MB`,
      ceiling: '1536 MB',
      ratio: (result.peakRssMb / 1536).toFixed(2),
      target: '< 1.0',
      verdict: result.peakRssMb < 1536 ? 'ok' : 'MISSED',
    });
  },
};

function printTable(table: Row[]): void {
  const headers: Row = {
    figure: 'figure',
    measured: 'measured',
    ceiling: 'ceiling',
    ratio: 'ratio',
    target: 'target',
    verdict: '',
  };
  const keys = Object.keys(headers) as Array<keyof Row>;
  const widths = keys.map((key) => Math.max(...[headers, ...table].map((row) => row[key].length)));
  const line = (row: Row) => `| ${keys.map((key, i) => row[key].padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(`${line(headers)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const row of table) process.stdout.write(`${line(row)}\n`);
}

const selected = values.only ?? Object.keys(BENCHES);
for (const name of selected) {
  const bench = BENCHES[name];
  if (!bench) throw new Error(`--only: unknown bench ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
  await bench();
}
printTable(rows);
