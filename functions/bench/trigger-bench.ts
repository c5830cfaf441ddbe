/**
 * The triggered-check figure: a stream of signed `order.created` webhooks at an offered rate
 * (1,000 orders a minute) from a separate process over loopback, every other order paid
 * before its reminder is due; each order's check fires `after` later through the local
 * scheduler (real clock) into the trigger-check handler, which sends or drops it. Measured:
 * the checks decided per second against the offered rate, and how late they fired (the
 * check record's decision time against its due time). The ceiling, in the same run: the
 * same check done directly (the use case on the same stores: order, contact, ledger claim,
 * SMS, record), as fast as it goes at the same concurrency, no scheduler and no HTTP.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoLifecycleStore } from '../adapters/dynamo/lifecycle-store.ts';
import { DynamoTriggerStore } from '../adapters/dynamo/trigger-store.ts';
import { startHttpServer } from '../adapters/local/http-server.ts';
import { clientsFor, orderDependencies, triggerCheckDependencies } from '../composition.ts';
import { parseCampaign } from '../domain/campaign.ts';
import { formatInstant, wallClockAt } from '../domain/local-time.ts';
import { bodyDigest, type OrderEvent } from '../domain/orders.ts';
import { triggerRule } from '../domain/triggers.ts';
import { localRoutes } from '../local/routes.ts';
import { startEphemeralStack } from '../local/stack.ts';
import { systemClock } from '../ports/clock.ts';
import { FINAL_CHECK_STATUSES } from '../ports/trigger-store.ts';
import { ingestOrder } from '../usecases/ingest-order.ts';
import { fireCheck } from '../usecases/trigger-check.ts';
import { webhookLoad } from './webhook-bench.ts';
import type { LoadRun } from './webhook-load.ts';

export interface TriggerRun {
  /** Orders offered a second (created events; the paid ones come on top). */
  offeredPerSecond: number;
  /** Checks decided a second while they were due. */
  checksPerSecond: number;
  /** Checks scheduled, and decided by the end. */
  scheduled: number;
  decided: number;
  /** By outcome (`sent`, `suppressed:trigger:paid`, ...). */
  outcomes: Record<string, number>;
  /** How late a check was decided after it was due, ms. */
  lagP50: number;
  lagP99: number;
  /** The same check done directly, a second. */
  ceilingPerSecond: number;
  /** The webhook under that stream: latency p99 and how late against the timetable the events left. */
  webhookP99: number;
  offeredLateP99: number;
  statuses: Record<string, number>;
}

const TZ = 'Asia/Shanghai';
const CAMPAIGN_ID = 'bench-triggers';
const AFTER_SECONDS = 10;
/** The store's webhook sender's connections (as the webhook row); the direct ceiling runs as many at once. */
const CONNECTIONS = 20;

/** A campaign with one trigger, live now: its window around now, quiet hours half a day away. */
function benchCampaign(now: number) {
  const local = (at: number) => formatInstant(at, TZ).slice(0, 16);
  const hour = wallClockAt(now, TZ).hour;
  const clock = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return parseCampaign({
    id: CAMPAIGN_ID,
    timezone: TZ,
    midnight: '2026-11-11T00:00',
    smsRules: 'none',
    quietHours: { start: clock(hour + 12), end: clock(hour + 13) },
    waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
    triggers: [
      {
        id: 'pay-reminder',
        on: 'order.created',
        after: `PT${AFTER_SECONDS}S`,
        window: { from: local(now - 3_600_000), to: local(now + 86_400_000) },
      },
    ],
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

export async function triggerBench(orders: number, perMinute: number, ceilingChecks: number): Promise<TriggerRun> {
  process.env.WEBHOOK_SECRET = randomBytes(24).toString('hex');
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const stack = await startEphemeralStack({ dataBucket: 'bench-data', clock: systemClock });
  try {
    const { config } = stack;
    const { documents } = clientsFor(config);
    const campaign = benchCampaign(Date.now());
    const triggers = new DynamoTriggerStore(documents, config.tables.campaigns);
    await triggers.register({ campaignId: CAMPAIGN_ID, version: 1, campaign });
    await new DynamoLifecycleStore(documents, config.tables.campaigns).saveLifecycle(
      {
        campaignId: CAMPAIGN_ID,
        state: 'running',
        latestVersion: 1,
        approvedVersion: 1,
        pausedWaves: [],
        cancelledWaves: [],
        revision: 1,
        audit: [],
      },
      0,
    );
    // Every customer a segment row with a phone: the contact a reminder goes to.
    const contacts = [
      ...Array.from({ length: orders }, (_, i) => `c_trig_${i}`),
      ...Array.from({ length: ceilingChecks }, (_, i) => `c_ceil_${i}`),
    ];
    let nextContact = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = nextContact++; i < contacts.length; i = nextContact++) {
          await documents.send(
            new PutCommand({
              TableName: config.tables.customers,
              Item: {
                pk: `CUSTOMER#${contacts[i]}`,
                sk: `SEGMENT#${CAMPAIGN_ID}#bench`,
                customerId: contacts[i],
                campaignId: CAMPAIGN_ID,
                phone: `+86139${String(i).padStart(8, '0')}`,
              },
            }),
          );
        }
      }),
    );

    // The ceiling: the orders stored first (no checks scheduled), then the checks fired straight.
    const now = Date.now();
    const ceilingOrders = Array.from({ length: ceilingChecks }, (_, i): OrderEvent => {
      return {
        eventId: `evt_ceil_${i}`,
        type: 'order.created',
        order: {
          orderId: `o_ceil_${i}`,
          customerId: `c_ceil_${i}`,
          amount: '199.00',
          currency: 'CNY',
          createdAt: new Date(now).toISOString(),
        },
      };
    });
    const { triggers: _schedulesChecks, ...storeOnly } = orderDependencies(config);
    for (const event of ceilingOrders) await ingestOrder(storeOnly, event, bodyDigest(JSON.stringify(event)));
    const checkDeps = triggerCheckDependencies(config);
    let nextCheck = 0;
    const ceilingStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (let i = nextCheck++; i < ceilingChecks; i = nextCheck++) {
          const outcome = await fireCheck(checkDeps, {
            campaignId: CAMPAIGN_ID,
            version: 1,
            rule: triggerRule('pay-reminder'),
            orderId: `o_ceil_${i}`,
            customerId: `c_ceil_${i}`,
            fireAt: now,
            expiresAt: now + 86_400_000,
          });
          if (outcome.kind !== 'dropped' || outcome.reason !== 'trigger:not-live') continue;
          throw new Error('the ceiling checks must run as live checks');
        }
      }),
    );
    const ceilingPerSecond = ceilingChecks / ((performance.now() - ceilingStarted) / 1000);

    // The stream: the webhook schedules each check, the scheduler polls the real clock.
    const streamChecks = async () =>
      (await triggers.checksOf(CAMPAIGN_ID)).filter((record) => record.orderId.startsWith('o_trig_'));
    stack.runtime.scheduler.start(systemClock, 50);
    const http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
    let load: LoadRun;
    try {
      load = await webhookLoad(http.url, [orders, CONNECTIONS, perMinute / 60, 2000]);
      // Every check is due AFTER_SECONDS after its order: wait for the last (a minute at most beyond).
      const deadline = Date.now() + (AFTER_SECONDS + 60) * 1000;
      for (;;) {
        const records = await streamChecks();
        const open = records.filter((record) => !FINAL_CHECK_STATUSES.has(record.status)).length;
        if ((records.length >= orders && open === 0) || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await http.stop();
      await stack.runtime.scheduler.stop();
    }
    const records = await streamChecks();
    const decided = records.filter((record) => FINAL_CHECK_STATUSES.has(record.status));
    const outcomes: Record<string, number> = {};
    for (const record of decided) {
      const key = record.status === 'sent' ? 'sent' : `${record.status}:${record.reason ?? ''}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    const lags = decided.map((record) => Date.parse(record.updatedAt) - Date.parse(record.fireAt));
    const decidedAt = decided.map((record) => Date.parse(record.updatedAt));
    const dueAt = decided.map((record) => Date.parse(record.fireAt));
    // Over the span the checks were due: from the first due to the last decision.
    const spanSeconds = (Math.max(...decidedAt) - Math.min(...dueAt)) / 1000;
    return {
      offeredPerSecond: perMinute / 60,
      checksPerSecond: decided.length / Math.max(spanSeconds, 1e-3),
      scheduled: records.length,
      decided: decided.length,
      outcomes,
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      ceilingPerSecond,
      webhookP99: load.p99,
      offeredLateP99: load.lateP99 ?? 0,
      statuses: load.statuses,
    };
  } finally {
    await stack.stop();
  }
}

if (process.argv[1]?.endsWith('trigger-bench.ts')) {
  const [ordersText, perMinuteText, ceilingText] = process.argv.slice(2);
  process.stdout.write(
    `${JSON.stringify(await triggerBench(Number(ordersText), Number(perMinuteText), Number(ceilingText)))}\n`,
  );
}
