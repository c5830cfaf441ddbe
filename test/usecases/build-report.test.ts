/**
 * The report recovers a known effect. Sample customers and orders with a stated uplift come
 * from `campaign sample`; the customers go through S3 and the import handler, the campaign
 * (one wave, half its audience held out) through the plan handler and approval, the sends
 * through the scheduler and workers on a virtual clock, the orders through the order use
 * case at their times; then the report is built from the stores. Its interval for what the
 * wave added must contain the uplift put in, and contain zero when none was.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { orderDependencies, reportDependencies } from '../../functions/composition.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import type { KnownIncrement } from '../../functions/domain/incremental.ts';
import { bodyDigest, orderEventSchema } from '../../functions/domain/orders.ts';
import type { CampaignReport, GroupResult } from '../../functions/domain/report-types.ts';
import { playSchedules, type TimedEvents } from '../../functions/local/play.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import type { OrderLine } from '../../functions/sample/generate-orders.ts';
import { buildReport } from '../../functions/usecases/build-report.ts';
import { ingestOrder } from '../../functions/usecases/ingest-order.ts';
import { planAndApprove } from '../support/approve.ts';
import { runCli } from '../support/cli-run.ts';

const NOW = '2026-10-20T12:00:00+08:00';
/** Half of 4,000 customers held out: about 2,000 a side, enough to tell 3 points from 0. */
const CUSTOMERS = '4000';
/** The sample's mean order, ¥49 plus up to ¥1,200. */
const MEAN_ORDER_CNY = 49 + 600;
/** Whole campaigns on a shared 2-core machine: the limit only guards against a hang. */
const GENEROUS_MS = 10 * 60_000;

let work: string;
let stack: LocalStack | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-report-lift-'));
});

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function liftCampaign(id: string): CampaignInput {
  return {
    id,
    midnight: '2026-11-11T00:00',
    smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
    waves: [{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], controlShare: 0.5 }],
  };
}

/** `campaign sample` as a user runs it, its messages handed to vitest (shown only if the test fails). */
async function sample(args: string[]): Promise<void> {
  const run = await runCli(['sample', ...args]);
  expect(run.code, run.stderr).toBe(0);
}

/** Order events ingested at their times on the virtual clock: customers side by side, each one's events in order. */
function orderEvents(target: LocalStack, lines: OrderLine[]): TimedEvents {
  const deps = orderDependencies(target.config);
  let next = 0;
  return {
    nextAt: () => (next < lines.length ? Date.parse((lines[next] as OrderLine).at) : undefined),
    deliverDue: async (now) => {
      const byCustomer = new Map<string, OrderLine[]>();
      for (let line = lines[next]; line && Date.parse(line.at) <= now; line = lines[next]) {
        next += 1;
        const own = byCustomer.get(line.event.order.customerId) ?? [];
        own.push(line);
        byCustomer.set(line.event.order.customerId, own);
      }
      const queues = [...byCustomer.values()];
      const worker = async () => {
        for (let own = queues.shift(); own; own = queues.shift()) {
          for (const line of own) {
            const body = JSON.stringify(line.event);
            expect(await ingestOrder(deps, orderEventSchema.parse(line.event), bodyDigest(body))).toBe('accepted');
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    },
  };
}

/**
 * The orders around the wave: from a day before its SMS to a day after its window closes, so
 * orders just outside the window are there to be left out. The rest of the campaign's orders
 * cannot change this report and would only make the test slow.
 */
function aroundTheWave(lines: OrderLine[]): OrderLine[] {
  const smsAt = Date.parse('2026-11-05T12:00:00+08:00');
  const from = smsAt - 86_400_000;
  const to = smsAt + (72 + 24) * 3_600_000;
  return lines.filter((line) => Date.parse(line.at) >= from && Date.parse(line.at) <= to);
}

/**
 * Runs a whole one-wave campaign on sample customers whose orders respond with `uplift`;
 * returns its wave's result. Every run has the same customers, campaign id (so the same
 * control group) and seed (so the same orders placed anyway): only the responses differ.
 */
async function measuredLift(
  name: string,
  uplift: string,
  extra: string[] = [],
): Promise<{ wave: KnownIncrement; report: CampaignReport }> {
  // Prepare: the customers and their orders, as `campaign sample` writes them.
  const campaign = liftCampaign('lift');
  const campaignFile = join(work, `${name}.campaign.json`);
  await writeFile(campaignFile, JSON.stringify(campaign));
  const customersFile = join(work, `${name}.csv`);
  const ordersFile = join(work, `${name}.orders.jsonl`);
  await sample([
    ...['--customers', CUSTOMERS, '--bad-rows', '0', '--now', NOW, '--out', customersFile, '--orders', ordersFile],
    ...['--uplift', uplift, '--campaign', campaignFile, '--quiet', ...extra],
  ]);
  const lines = (await readFile(ordersFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OrderLine);
  const orders = aroundTheWave(lines);
  expect(orders.length, 'orders around the wave').toBeGreaterThan(100);
  const clock = new VirtualClock(Date.parse(NOW));
  stack = await startEphemeralStack({ dataBucket: 'campaign-data', clock, log: (line) => console.error(line) });
  const record = await uploadSegmentAndWait(
    stack.config,
    `segments/${campaign.id}/customers.csv`,
    await readFile(customersFile),
  );
  expect(record.imported).toBe(Number(CUSTOMERS));
  await planAndApprove(stack.config, campaign);

  // Act: the sends and the orders on the clock, then the report from the stores.
  await playSchedules(stack.runtime, clock, { events: orderEvents(stack, orders) });
  const { report } = await buildReport(reportDependencies(stack.config), campaign.id);

  // Assess: the wave had its control group and was measured.
  const wave = report.incremental?.waves.find((w) => w.waveId === 'warmup');
  expect(wave?.known, JSON.stringify(wave)).toBe(true);
  const known = wave as KnownIncrement;
  console.error(`${name}: uplift ${uplift} -> ${JSON.stringify(known)}`);
  expect(known.treated.customers, 'about half sent').toBeGreaterThan(1500);
  expect(known.control.customers, 'about half held out').toBeGreaterThan(1500);
  expect(report.incremental?.totals.waves).toEqual(['warmup']);
  return { wave: known, report };
}

const contains = (interval: { low: number; high: number } | null | undefined, value: number) =>
  interval !== null && interval !== undefined && interval.low <= value && value <= interval.high;

describe('the report recovers a known uplift', () => {
  it('puts the stated uplift of 3 orders per 100 reached inside its intervals, and zero outside', {
    timeout: GENEROUS_MS,
  }, async () => {
    const uplift = 0.03;
    const { wave } = await measuredLift('lift-3', String(uplift));
    const reached = wave.treated.customers;
    // Added orders: uplift x the customers sent.
    expect(contains(wave.orders.interval, uplift * reached), `orders ${JSON.stringify(wave.orders)}`).toBe(true);
    expect(wave.orders.interval?.low, 'the gain is told apart from none').toBeGreaterThan(0);
    // Conversion: 3 points, less the few who would have bought in the window anyway (about 3% of them).
    expect(
      contains(wave.conversionPoints.interval, uplift * 100),
      `points ${JSON.stringify(wave.conversionPoints)}`,
    ).toBe(true);
    expect(wave.conversionPoints.interval?.low).toBeGreaterThan(0);
    // Revenue: the added orders at the sample's mean order value.
    const revenue = uplift * reached * MEAN_ORDER_CNY;
    expect(contains(wave.revenue.interval, revenue), `revenue ${JSON.stringify(wave.revenue)} vs ${revenue}`).toBe(
      true,
    );
  });

  it('puts zero inside its intervals when the messages change nothing', { timeout: GENEROUS_MS }, async () => {
    const { wave } = await measuredLift('lift-0', '0');
    expect(contains(wave.orders.interval, 0), `orders ${JSON.stringify(wave.orders)}`).toBe(true);
    expect(contains(wave.conversionPoints.interval, 0), `points ${JSON.stringify(wave.conversionPoints)}`).toBe(true);
    expect(contains(wave.revenue.interval, 0), `revenue ${JSON.stringify(wave.revenue)}`).toBe(true);
  });

  it('recovers a lift put into one customer group in that group, and none in the others', {
    timeout: GENEROUS_MS,
  }, async () => {
    // Prepare: only the `recent` group (about 600 of the 4,000, half held out) responds, 30 in 100.
    const uplift = 0.3;

    // Act
    const { report } = await measuredLift('lift-recent', String(uplift), ['--uplift-group', 'recent']);

    // Assess: the wave is broken down by the groups the plan recorded on its touches.
    const groups = report.byGroup?.find((wave) => wave.waveId === 'warmup')?.groups ?? [];
    const byCode = new Map(groups.map((group) => [group.code, group]));
    expect([...byCode.keys()].sort(), 'every group the plan used').toEqual([
      'churned',
      'd11-loyal',
      'd11-only',
      'd11-veteran',
      'dormant-deep',
      'dormant-shallow',
      'recent',
      'recent-high',
      'unpaid',
    ]);
    const knownIn = (group: GroupResult | undefined): KnownIncrement => {
      expect(group?.increment?.known, `${group?.code}: ${JSON.stringify(group?.increment)}`).toBe(true);
      return group?.increment as KnownIncrement;
    };
    const recent = knownIn(byCode.get('recent'));
    const reached = recent.treated.customers;
    expect(reached, 'the recent customers sent').toBeGreaterThan(200);
    expect(recent.control.customers, 'the recent customers held out').toBeGreaterThan(200);
    expect(contains(recent.orders.interval, uplift * reached), `recent orders ${JSON.stringify(recent.orders)}`).toBe(
      true,
    );
    expect(recent.orders.interval?.low, 'the lift in the group is told apart from none').toBeGreaterThan(0);
    expect(recent.conversionPoints.interval?.low).toBeGreaterThan(0);
    // The groups that did not respond: their intervals contain zero.
    for (const code of ['dormant-shallow', 'churned']) {
      const other = knownIn(byCode.get(code));
      expect(contains(other.orders.interval, 0), `${code} orders ${JSON.stringify(other.orders)}`).toBe(true);
    }
    // The whole wave's sums are the groups' sums.
    const sum = (pick: (group: GroupResult) => number) => groups.reduce((total, group) => total + pick(group), 0);
    const rows = report.rows.filter((row) => row.waveId === 'warmup');
    expect(sum((g) => g.sent)).toBe(rows.reduce((total, row) => total + row.sent, 0));
    expect(sum((g) => g.orders)).toBe(rows.reduce((total, row) => total + (row.orders ?? 0), 0));
    // The labels: the sample's `segment` column (`vip`, `cart-abandon`), else the file's name; one each here.
    const labels = report.byGroup?.find((wave) => wave.waveId === 'warmup')?.labels ?? [];
    expect(labels.map((label) => label.code)).toEqual(['cart-abandon', 'customers', 'vip']);
    expect(
      labels.reduce((total, label) => total + label.sent, 0),
      'one label per customer',
    ).toBe(sum((g) => g.sent));
  });
});
