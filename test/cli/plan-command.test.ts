/** `campaign plan` and `campaign sample` as a user runs them: files in, files out, exit codes. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.ts';

const NOW = '2026-10-20T12:00:00+08:00';
const CAMPAIGN = 'functions/sample/d11-2026.campaign.json';
const PLAN_FILES = ['timeline.json', 'touches.jsonl', 'rejects.jsonl', 'timeline.html', 'timeline.en.html'];
let work: string;
let customersCsv: string;

/** `campaign plan` on the sample customers with the pinned --now. */
function planArgs(out: string): string[] {
  return ['plan', '--campaign', CAMPAIGN, '--customers', customersCsv, '--now', NOW, '--out', out];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-cli-'));
  customersCsv = join(work, 'customers.csv');
  const sample = await runCli(['sample', '--customers', '3000', '--out', customersCsv, '--now', NOW, '--quiet']);
  expect(sample.code).toBe(0);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('campaign plan', () => {
  it('writes the same four files, byte for byte, for the same inputs and --now', async () => {
    // Prepare
    const args = planArgs;

    // Act
    const first = await runCli(args(join(work, 'first')));
    const second = await runCli(args(join(work, 'second')));

    // Assess
    expect([first.code, second.code]).toEqual([0, 0]);
    for (const file of PLAN_FILES) {
      const a = await readFile(join(work, 'first', file));
      const b = await readFile(join(work, 'second', file));
      expect(a.equals(b), file).toBe(true);
      expect(a.length, file).toBeGreaterThan(0);
    }
  });

  it('writes touches that match the timeline, and the rejects with their lines', async () => {
    // Prepare
    const out = join(work, 'check');

    // Act
    await runCli(['plan', '--campaign', CAMPAIGN, '--customers', customersCsv, '--now', NOW, '--out', out]);

    // Assess
    const timeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8'));
    const touches = (await readFile(join(out, 'touches.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const rejects = (await readFile(join(out, 'rejects.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const perSend = new Map<string, number>();
    for (const touch of touches) perSend.set(touch.sendId, (perSend.get(touch.sendId) ?? 0) + 1);
    for (const send of timeline.sends) expect(perSend.get(send.id)).toBe(send.customers);
    expect(touches[0]).toEqual({
      customerId: expect.stringMatching(/^C\d{8}$/),
      waveId: expect.any(String),
      channel: expect.stringMatching(/^(sms|email)$/),
      sendId: expect.any(String),
      at: expect.stringMatching(/\+08:00$/),
    });
    expect(rejects.length).toBeGreaterThan(0);
    expect(rejects[0]).toMatchObject({ file: 'customers.csv', line: expect.any(Number), problems: expect.any(Array) });
  });

  it('exits 2 on an invalid campaign file, naming each field, and writes nothing', async () => {
    // Prepare
    const campaign = join(work, 'bad-campaign.json');
    await writeFile(
      campaign,
      JSON.stringify({ id: 'x', midnight: '2026-11-11T00:00', waves: [{ id: 'w', sms: '2026-11-05T23:30' }] }),
    );
    const out = join(work, 'refused');

    // Act
    const result = await runCli([
      'plan',
      '--campaign',
      campaign,
      '--customers',
      customersCsv,
      '--now',
      NOW,
      '--out',
      out,
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/waves\[0\]\.sms: falls in quiet hours/);
    await expect(readFile(join(out, 'timeline.json'))).rejects.toThrow();
  });

  it.each([
    [['--customers', 'nope.csv'], /--customers: no such file nope.csv/],
    [['--now', '2026-10-20T12:00'], /--now: .* with an offset/],
    [['--bogus', 'x'], /Unknown option '--bogus'/],
  ])('exits 2 on a bad command line %#', async (extra, message) => {
    // Prepare
    const args = ['plan', '--campaign', CAMPAIGN, '--customers', customersCsv, '--out', join(work, 'x'), ...extra];

    // Act
    const result = await runCli(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('exits 2 on a segment file without a customer_id column', async () => {
    // Prepare
    const file = join(work, 'no-id.csv');
    await writeFile(file, 'phone,email\n13800138000,a@qq.com\n');

    // Act
    const result = await runCli([
      'plan',
      '--campaign',
      CAMPAIGN,
      '--customers',
      file,
      '--now',
      NOW,
      '--out',
      join(work, 'y'),
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no-id.csv: the header has no customer_id column/);
  });

  it('runs as `npx campaign` through the package bin', async () => {
    // Prepare
    const out = join(work, 'bin');

    // Act
    const { stdout } = await promisify(execFile)('node', ['functions/cli/campaign.js', ...planArgs(out)], {
      env: { ...process.env, NODE_OPTIONS: '', CAMPAIGN_LANG: 'en' },
    });

    // Assess
    expect(stdout).toMatch(/planned d11-2026: /);
    const timeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8'));
    expect(timeline.campaignId).toBe('d11-2026');
  });
});

describe('campaign plan on files with nothing usable', () => {
  it.each([
    ['an empty file', ''],
    ['a file of only bad rows', 'customer_id,phone,device\n,13800138000,mobile\nC2,12345,tablet\n'],
  ])('plans %s without failing: no sends, a warning, every bad row in rejects.jsonl', async (_, content) => {
    // Prepare
    const file = join(work, `nothing-${content.length}.csv`);
    await writeFile(file, content);
    const out = join(work, `nothing-${content.length}`);

    // Act
    const result = await runCli(['plan', '--campaign', CAMPAIGN, '--customers', file, '--now', NOW, '--out', out]);

    // Assess
    expect(result.code).toBe(0);
    const timeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8'));
    expect(timeline.sends).toEqual([]);
    expect(timeline.warnings[0]).toMatch(/no customers/);
    const rejects = (await readFile(join(out, 'rejects.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(rejects.map((line) => JSON.parse(line).line)).toEqual(content === '' ? [] : [2, 3]);
  });
});
