/**
 * `campaign plan --shards N` as a user runs it: the plan shard handler over N shards in child
 * processes writes the same files, byte for byte, as the single-process `campaign plan`; inputs a
 * sharded plan cannot plan exactly are refused with the option named.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.ts';

const NOW = '2026-10-20T12:00:00+08:00';
const CAMPAIGN = 'functions/sample/d11-2026.campaign.json';
const PLAN_FILES = ['timeline.json', 'touches.jsonl', 'rejects.jsonl', 'timeline.html', 'timeline.en.html'];
let work: string;
let customersCsv: string;

const planArgs = (customers: string, out: string, ...more: string[]) => [
  'plan',
  '--campaign',
  CAMPAIGN,
  '--customers',
  customers,
  '--now',
  NOW,
  '--out',
  out,
  ...more,
];

async function expectSameFiles(single: string, sharded: string): Promise<void> {
  for (const file of PLAN_FILES) {
    const a = await readFile(join(single, file));
    const b = await readFile(join(sharded, file));
    expect(a.equals(b), `${file}: --shards wrote ${b.length} bytes, the single plan ${a.length}`).toBe(true);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-shards-'));
  customersCsv = join(work, 'customers.csv');
  const sample = await runCli(['sample', '--customers', '4000', '--out', customersCsv, '--now', NOW, '--quiet']);
  expect(sample.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('campaign plan --shards', () => {
  it('in 3 shards writes the four files of campaign plan, byte for byte, rejected rows with their lines', async () => {
    // Prepare
    const single = join(work, 'single');
    const sharded = join(work, 'sharded');

    // Act
    const one = await runCli(planArgs(customersCsv, single));
    const three = await runCli(planArgs(customersCsv, sharded, '--shards', '3'));

    // Assess
    expect([one.code, three.code], three.stderr).toEqual([0, 0]);
    await expectSameFiles(single, sharded);
    const rejects = (await readFile(join(sharded, 'rejects.jsonl'), 'utf8')).trim().split('\n');
    expect(rejects.length, 'the sample has bad rows in every part of the file').toBeGreaterThan(3);
    expect(three.stdout).toContain('planned in 3 shards');
  }, 180_000);

  it('applies --columns in every shard as the single plan does', async () => {
    // Prepare: the id and phone under headers only the columns file knows.
    const text = await readFile(customersCsv, 'utf8');
    const renamed = join(work, 'renamed.csv');
    await writeFile(renamed, text.replace(/^customer_id,phone,/, 'member no,mobile no,'));
    const columns = join(work, 'columns.json');
    await writeFile(columns, JSON.stringify({ 'member no': 'customer_id', 'mobile no': 'phone' }));

    // Act
    const one = await runCli(planArgs(renamed, join(work, 'cols-single'), '--columns', columns));
    const two = await runCli(planArgs(renamed, join(work, 'cols-sharded'), '--columns', columns, '--shards', '2'));

    // Assess
    expect([one.code, two.code], two.stderr).toEqual([0, 0]);
    await expectSameFiles(join(work, 'cols-single'), join(work, 'cols-sharded'));
    const touches = await readFile(join(work, 'cols-sharded', 'touches.jsonl'), 'utf8');
    expect(touches.length, 'customers were planned under the mapped headers').toBeGreaterThan(0);
  }, 180_000);

  it('refuses a customer repeated in two shards, which only the single plan merges', async () => {
    // Prepare: the first customer again as the file's last line, so shards 0 and 2 both have it.
    const text = await readFile(customersCsv, 'utf8');
    const lines = text.trimEnd().split('\n');
    const repeated = join(work, 'repeated.csv');
    await writeFile(repeated, `${[...lines, lines[1]].join('\n')}\n`);

    // Act
    const run = await runCli(planArgs(repeated, join(work, 'repeated-out'), '--shards', '3'));

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/--shards: 1 customer ids appear in more than one shard/);
  }, 180_000);

  it('refuses anything but one .csv file, and a shard count that is not a whole number from 1 to 64', async () => {
    // Prepare
    const jsonl = join(work, 'customers.jsonl');
    await writeFile(jsonl, '{"customer_id":"C1","phone":"13800000000"}\n');
    const out = join(work, 'refused');

    // Act
    const runs = [
      await runCli(planArgs(jsonl, out, '--shards', '2')),
      await runCli([...planArgs(customersCsv, out, '--shards', '2'), '--customers', customersCsv]),
      await runCli(planArgs(customersCsv, out, '--shards', '0')),
      await runCli(planArgs(customersCsv, out, '--shards', '2.5')),
      await runCli(planArgs(customersCsv, out, '--shards', '65')),
    ];

    // Assess
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]?.stderr).toMatch(/--shards: give exactly one --customers file, a \.csv/);
    expect(runs[1]?.stderr).toMatch(/--shards: give exactly one --customers file, a \.csv/);
    for (const run of runs.slice(2)) expect(run.stderr).toMatch(/--shards: ".*" is not a whole number from 1 to 64/);
  });

  it('says in Chinese, by default, what the refusal is', async () => {
    // Act
    const run = await runCli(planArgs(customersCsv, join(work, 'zh'), '--shards', 'x'), { lang: 'zh' });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--shards："x" 不是 1 到 64 之间的整数');
  });
});
