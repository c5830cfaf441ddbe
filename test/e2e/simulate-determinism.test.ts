/**
 * `campaign simulate` repeats itself: run twice on the same inputs (with orders), once with
 * a CPU-burning process beside it, it writes byte-identical outbox.jsonl and report.json,
 * because time is virtual everywhere and moves only while all work waits on the clock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import type { CampaignReport } from '../../functions/domain/report-types.ts';
import type { OutboxEntry } from '../support/outbox-rules.ts';

const NOW = '2026-10-20T12:00:00+08:00';
const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');
const CAMPAIGN_FILE = 'functions/sample/d11-2026.campaign.json';
/** Two whole simulations on a shared 2-core machine, one of them beside a CPU burner. */
const GENEROUS_MS = 15 * 60_000;
let work: string;
let burner: ChildProcess | undefined;

/** Runs the `campaign` command as a user does, in a process of its own. */
function campaign(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['functions/cli/campaign.js', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function simulate(customers: string, orders: string, out: string): Promise<void> {
  const run = await campaign([
    'simulate',
    '--campaign',
    CAMPAIGN_FILE,
    '--customers',
    customers,
    '--orders',
    orders,
    '--now',
    NOW,
    '--out',
    out,
  ]);
  expect(run.code, `campaign simulate failed:\n${run.stderr}`).toBe(0);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-determinism-test-'));
});

afterAll(async () => {
  burner?.kill('SIGKILL');
  await rm(work, { recursive: true, force: true });
});

describe('campaign simulate', () => {
  it('writes byte-identical outbox.jsonl and report.json on every run, also on a busy machine', {
    timeout: GENEROUS_MS,
  }, async () => {
    // Prepare
    const customers = join(work, 'customers.csv');
    const orders = join(work, 'orders.jsonl');
    const sample = await campaign([
      'sample',
      '--customers',
      '600',
      '--now',
      NOW,
      '--out',
      customers,
      '--orders',
      orders,
    ]);
    expect(sample.code, sample.stderr).toBe(0);

    // Act: the first run alone, the second beside a process that burns a core.
    await simulate(customers, orders, join(work, 'first'));
    burner = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    try {
      await simulate(customers, orders, join(work, 'second'));
    } finally {
      burner.kill('SIGKILL');
      burner = undefined;
    }

    // Assess: the same bytes...
    for (const file of ['outbox.jsonl', 'report.json', 'timeline.json', 'touches.jsonl']) {
      const [first, second] = await Promise.all(
        ['first', 'second'].map((run) => readFile(join(work, run, file), 'utf8')),
      );
      expect(second === first, `${file} differs between the two runs`).toBe(true);
    }
    // ...of a run with something in it: both channels sent, orders attributed.
    const outbox = (await readFile(join(work, 'first', 'outbox.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as OutboxEntry);
    const report = JSON.parse(await readFile(join(work, 'first', 'report.json'), 'utf8')) as CampaignReport;
    expect(outbox.filter((entry) => entry.channel === 'sms').length).toBeGreaterThan(100);
    expect(outbox.filter((entry) => entry.channel === 'email').length).toBeGreaterThan(100);
    expect(report.totals.orders ?? 0).toBeGreaterThan(0);
    // The waves' sends and the order reminders, each once.
    const reminders = (report.triggers ?? []).reduce((sum, row) => sum + row.sent, 0);
    expect(report.totals.sent + reminders).toBe(outbox.length);
    // The midnight push starts at 00:00:00 exactly and lasts its messages over the rate, in virtual
    // seconds (the sender paces messages; with the tracked link each of these is billed as 2 parts).
    const rate = parseCampaign(await readFile(CAMPAIGN_FILE, 'utf8')).smsRatePerSecond;
    const parts = report.rows.find((row) => row.waveId === 'midnight' && row.channel === 'sms')?.smsParts ?? 0;
    const midnight = outbox
      .filter((entry) => entry.waveId === 'midnight' && entry.channel === 'sms')
      .map((entry) => Date.parse(entry.at));
    expect(parts).toBeGreaterThan(rate);
    expect(parts).toBeGreaterThanOrEqual(midnight.length);
    expect(Math.min(...midnight)).toBe(MIDNIGHT);
    expect(Math.max(...midnight)).toBe(MIDNIGHT + (Math.ceil(midnight.length / rate) - 1) * 1000);
  });
});
