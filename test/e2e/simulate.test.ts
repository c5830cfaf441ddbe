/**
 * `campaign simulate` end to end: the real handlers on the embedded servers and a virtual
 * clock; the outbox read back from the sinks must obey every playbook rule.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import type { CampaignReport } from '../../functions/domain/report-types.ts';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { jsonLines, runCli } from '../support/cli-run.ts';
import { brokenOutboxRules, type OutboxEntry } from '../support/outbox-rules.ts';

const quietCode = async (args: string[]) => (await runCli(args)).code;
const NOW = '2026-10-20T12:00:00+08:00';
const CAMPAIGN_FILE = 'functions/sample/d11-2026.campaign.json';
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-simulate-test-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('campaign simulate', () => {
  // A whole campaign on a shared 2-core machine: the limit only guards against a hang.
  it('delivers a whole sample campaign through the handlers, obeying every playbook rule', {
    timeout: 15 * 60_000,
  }, async () => {
    // Prepare
    const customers = join(work, 'customers.csv');
    const orders = join(work, 'orders.jsonl');
    const clicksFile = join(work, 'clicks.jsonl');
    expect(
      await quietCode([
        'sample',
        '--customers',
        '1500',
        '--now',
        NOW,
        '--out',
        customers,
        '--orders',
        orders,
        '--clicks',
        clicksFile,
      ]),
    ).toBe(0);
    const out = join(work, 'out');

    // Act
    const code = await quietCode([
      'simulate',
      '--campaign',
      CAMPAIGN_FILE,
      '--customers',
      customers,
      '--now',
      NOW,
      '--out',
      out,
      '--orders',
      orders,
      '--clicks',
      clicksFile,
      '--quiet',
    ]);

    // Assess
    expect(code).toBe(0);
    const campaign = parseCampaign(await readFile(CAMPAIGN_FILE, 'utf8'));
    const timeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8')) as Timeline;
    const outbox = await jsonLines<OutboxEntry>(join(out, 'outbox.jsonl'));
    const touches = await jsonLines<{ customerId: string; sendId: string }>(join(out, 'touches.jsonl'));
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as CampaignReport;
    expect(brokenOutboxRules(campaign, outbox)).toEqual([]);
    // Everything planned was delivered once, except reminders to customers who paid first;
    // beside the waves, the order reminders the report counts as sent, each once.
    const paidFirst = report.totals.suppressed['suppressed:purchase'] ?? 0;
    expect(paidFirst).toBeGreaterThan(0);
    const waveIds = new Set(campaign.waves.map((wave) => wave.id));
    const reminders = outbox.filter((entry) => !waveIds.has(entry.waveId));
    expect(outbox.length - reminders.length).toBe(touches.length - paidFirst);
    // Order-triggered reminders and presale balances: a row per rule, every check decided.
    const triggers = report.triggers ?? [];
    expect(triggers.map((row) => row.rule)).toEqual(['trigger:pay-reminder', 'presale:open', 'presale:close']);
    for (const row of triggers) {
      expect(row, `${row.rule}: every check fired and was decided`).toMatchObject({ pending: 0, waiting: 0 });
      expect(row.scheduled, `${row.rule} had checks`).toBeGreaterThan(0);
    }
    const payReminder = triggers[0];
    expect(payReminder?.sent, 'some unpaid orders were reminded').toBeGreaterThan(0);
    expect(payReminder?.suppressed['trigger:paid'], 'orders paid within 30 minutes got none').toBeGreaterThan(0);
    expect(reminders.length).toBe(triggers.reduce((sum, row) => sum + row.sent, 0));
    expect(new Set(reminders.map((entry) => entry.sendId)).size, 'one reminder per check').toBe(reminders.length);
    // The taps on tracked links, each counted once: a wave's and a reminder's links alike.
    const taps = await jsonLines<{ click: { customerId: string; waveId: string } }>(clicksFile);
    const tapped = (rule: string) =>
      new Set(taps.filter((tap) => tap.click.waveId === rule).map((tap) => tap.click.customerId)).size;
    expect(report.totals.clicks, 'no clicks in the report').toBeGreaterThan(0);
    expect(report.totals.clicks).toBeLessThanOrEqual(new Set(taps.map((t) => JSON.stringify(t.click))).size);
    expect(payReminder?.clicks, 'no reminder link was followed').toBeGreaterThan(0);
    expect(payReminder?.clicks).toBeLessThanOrEqual(Math.min(payReminder?.sent ?? 0, tapped('trigger:pay-reminder')));
    expect(payReminder?.clickedOrders, 'a tapped reminder was not followed by its order').toBeGreaterThan(0);
    for (const row of [...report.rows, ...triggers]) {
      expect(row.clicks ?? 0, `${'rule' in row ? row.rule : row.waveId}: more clicks than sends`).toBeLessThanOrEqual(
        row.sent,
      );
    }
    expect(touches.length).toBe(timeline.summary.touches.sms + timeline.summary.touches.email);
    expect(report.totals).toMatchObject({
      planned: touches.length,
      sent: touches.length - paidFirst,
      unknown: 0,
      pending: 0,
    });
    // Orders came in through the signed webhook and were attributed to waves, with cost and ROI.
    expect(report.totals.orders).toBeGreaterThan(0);
    expect(report.rows.find((row) => row.waveId === 'midnight' && row.channel === 'sms')).toMatchObject({
      orders: expect.any(Number),
      revenue: expect.any(Number),
      cost: expect.any(Number),
      roi: expect.any(Number),
    });
    expect(report.incremental?.waves.filter((wave) => wave.known).map((wave) => wave.waveId)).toEqual(['warmup']);
    // The midnight push starts at 00:00:00 on the virtual clock: not before, and not a second later.
    const midnight = outbox.filter((entry) => entry.waveId === 'midnight' && entry.channel === 'sms');
    const first = Math.min(...midnight.map((entry) => Date.parse(entry.at)));
    expect(first).toBe(Date.parse('2026-11-11T00:00:00+08:00'));
    for (const file of ['rejects.jsonl', 'timeline.html', 'timeline.en.html', 'report.html', 'report.en.html']) {
      expect((await readFile(join(out, file))).length, file).toBeGreaterThan(0);
    }
  });
});
