/**
 * `campaign simulate --pause-at --resume-at` end to end: the marketer pauses the sample's
 * midnight push 20 s in, through the control use case the pause route calls, on the
 * virtual clock. A small sample at a low SMS rate keeps the push running past the pause.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import type { CampaignReport } from '../../functions/domain/report-types.ts';
import { jsonLines, runCli } from '../support/cli-run.ts';
import { brokenOutboxRules, type OutboxEntry } from '../support/outbox-rules.ts';

const quietCode = async (args: string[]) => (await runCli(args)).code;
const NOW = '2026-10-20T12:00:00+08:00';
const CAMPAIGN_FILE = 'functions/sample/d11-2026.campaign.json';
const PAUSE_AT = '2026-11-11T00:00:20+08:00';
let work: string;
let customers: string;

async function simulatePaused(resumeAt: string, out: string) {
  const code = await quietCode([
    'simulate',
    '--campaign',
    CAMPAIGN_FILE,
    '--customers',
    customers,
    '--now',
    NOW,
    // 5 SMS a second: the sample's ~190 midnight SMS take ~40 virtual seconds, so the pause lands mid-push.
    '--sms-rate',
    '5',
    '--pause-at',
    PAUSE_AT,
    '--resume-at',
    resumeAt,
    '--out',
    out,
    '--quiet',
  ]);
  return {
    code,
    outbox: await jsonLines<OutboxEntry>(join(out, 'outbox.jsonl')),
    touches: await jsonLines<{ customerId: string; sendId: string }>(join(out, 'touches.jsonl')),
    report: JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as CampaignReport,
  };
}

/** Every planned touch in exactly one outcome: nothing unaccounted for. */
function accountedFor(totals: CampaignReport['totals']): number {
  const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
  return (
    totals.sent +
    sum(totals.failed) +
    sum(totals.suppressed) +
    totals.unknown +
    totals.expired +
    totals.cancelled +
    totals.pending
  );
}

const midnightSms = (entry: OutboxEntry) => entry.waveId === 'midnight' && entry.channel === 'sms';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-simulate-pause-'));
  customers = join(work, 'customers.csv');
  expect(await quietCode(['sample', '--customers', '200', '--now', NOW, '--out', customers, '--quiet'])).toBe(0);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('campaign simulate --pause-at --resume-at', () => {
  it('sends nothing from a second after the pause until the resume, then the rest once', {
    timeout: 10 * 60_000,
  }, async () => {
    // Prepare
    const resumeAt = '2026-11-11T00:05:00+08:00';

    // Act
    const { code, outbox, touches, report } = await simulatePaused(resumeAt, join(work, 'resumed'));

    // Assess
    expect(code).toBe(0);
    const from = Date.parse('2026-11-11T00:00:21+08:00');
    const to = Date.parse(resumeAt);
    expect(
      outbox.filter((entry) => Date.parse(entry.at) >= from && Date.parse(entry.at) < to),
      'messages between 00:00:21 and 00:05:00',
    ).toEqual([]);
    const midnight = outbox.filter(midnightSms).map((entry) => Date.parse(entry.at));
    expect(
      midnight.some((at) => at < from),
      'the push had started before the pause',
    ).toBe(true);
    expect(
      midnight.some((at) => at >= to),
      'and went on after the resume',
    ).toBe(true);
    expect(brokenOutboxRules(parseCampaign(await readFile(CAMPAIGN_FILE, 'utf8')), outbox)).toEqual([]);
    const sentTo = outbox.map((entry) => `${entry.customerId}/${entry.waveId}/${entry.channel}`);
    expect(new Set(sentTo).size, 'nobody twice').toBe(sentTo.length);
    expect(report.totals.planned).toBe(touches.length);
    expect(accountedFor(report.totals), 'every touch in one outcome').toBe(touches.length);
    expect(report.totals).toMatchObject({ sent: outbox.length, pending: 0, unknown: 0, expired: 0 });
    expect(report.state).toBe('completed');
    expect(report.audit?.filter((e) => e.actor === 'simulate').map((e) => `${e.action} ${e.from}->${e.to}`)).toEqual([
      'approve draft->approved',
      'pause running->paused',
      'resume paused->running',
    ]);
  });

  it('drops the rest of the midnight push as expired when the resume comes after the night', {
    timeout: 10 * 60_000,
  }, async () => {
    // Prepare
    const resumeAt = '2026-11-11T09:30:00+08:00';

    // Act
    const { code, outbox, touches, report } = await simulatePaused(resumeAt, join(work, 'late'));

    // Assess
    expect(code).toBe(0);
    const from = Date.parse('2026-11-11T00:00:21+08:00');
    expect(
      outbox.filter((entry) => Date.parse(entry.at) >= from),
      'messages after the pause',
    ).toEqual([]);
    const row = report.rows.find((r) => r.waveId === 'midnight' && r.channel === 'sms');
    const sentBefore = outbox.filter(midnightSms).length;
    expect(sentBefore).toBeGreaterThan(0);
    expect(row).toMatchObject({ sent: sentBefore, expired: (row?.planned ?? 0) - sentBefore, pending: 0 });
    expect(row?.expired, 'some of the push expired').toBeGreaterThan(0);
    expect(report.totals.expired, 'only the midnight push expired').toBe(row?.expired);
    expect(accountedFor(report.totals), 'every touch in one outcome').toBe(touches.length);
    expect(report.state).toBe('completed');
  });
});
