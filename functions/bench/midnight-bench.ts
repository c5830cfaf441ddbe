import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RealTimeClock } from '../adapters/local/real-time-clock.ts';
import { approveDependencies, clientsFor } from '../composition.ts';
import { handler as plan } from '../handlers/plan-campaign.ts';
import { playSchedules } from '../local/play.ts';
import { startEphemeralStack } from '../local/stack.ts';
import { uploadSegmentAndWait } from '../local/uploads.ts';
import { approveCampaign } from '../usecases/approve-campaign.ts';

const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');

export interface PushRun {
  messages: number;
  firstAfterMidnightMs: number;
  beforeMidnight: number;
  duplicates: number;
  sustainedPerSecond: number;
  worstSecond: number;
  throttled: number;
}

function customersCsv(count: number): string {
  const rows = Array.from(
    { length: count },
    (_, index) => `M${String(index).padStart(6, '0')},1390013${String(index % 10_000).padStart(4, '0')},王芳`,
  );
  return `customer_id,phone,name\n${rows.join('\n')}\n`;
}

/**
 * One midnight push of `count` SMS on the real clock (concurrent workers at the machine's
 * pace); `rate` undefined = no pacing and an unlimited sink.
 */
export async function midnightPush(count: number, rate: number | undefined): Promise<PushRun> {
  const clock = new RealTimeClock(MIDNIGHT - 3 * 60_000);
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const stack = await startEphemeralStack({
    dataBucket: 'bench-data',
    clock,
    ...(rate ? { smsRatePerSecond: rate } : {}),
    sendWorkers: 8,
  });
  try {
    await uploadSegmentAndWait(stack.config, 'segments/bench/customers.csv', customersCsv(count));
    const result = await plan({
      campaign: {
        id: 'bench',
        midnight: '2026-11-11T00:00',
        // A send-speed bench: its texts are not registered China templates.
        smsRules: 'none',
        smsRatePerSecond: rate ?? 100_000,
        waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
      },
    });
    if (result.status !== 'planned') throw new Error(`bench campaign not planned: ${JSON.stringify(result)}`);
    await approveCampaign(approveDependencies(stack.config), {
      campaignId: result.campaignId,
      version: result.version,
      actor: 'bench',
      now: clock.now(),
    });
    await playSchedules(stack.runtime, clock);
    const messages = stack.runtime.sms.messages();
    const summary = stack.runtime.sms.summary();
    const first = Math.min(...messages.map((m) => m.at));
    const last = Math.max(...messages.map((m) => m.at));
    const customers = new Set(messages.map((m) => m.tags.customerId));
    // Sustained: the whole seconds between the first and the last (the ramp seconds excluded).
    const inner = summary.perSecond.slice(1, -1);
    const sustained =
      inner.length > 0
        ? inner.reduce((sum, s) => sum + s.count, 0) / inner.length
        : messages.length / Math.max(0.001, (last - first) / 1000);
    return {
      messages: messages.length,
      firstAfterMidnightMs: first - MIDNIGHT,
      beforeMidnight: messages.filter((m) => m.at < MIDNIGHT).length,
      duplicates: messages.length - customers.size,
      sustainedPerSecond: sustained,
      worstSecond: summary.maxPerSecond,
      throttled: summary.throttled,
    };
  } finally {
    await stack.stop();
  }
}

/** Conditional UpdateItems per second, concurrency 16, on ledger-like items: the database's ceiling. */
export async function conditionalWriteCeiling(operations: number): Promise<number> {
  const clock = new RealTimeClock(Date.now());
  const stack = await startEphemeralStack({
    dataBucket: 'bench-data',
    clock,
  });
  try {
    const { documents } = clientsFor(stack.config);
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (let index = next++; index < operations; index = next++) {
        try {
          await documents.send(
            new UpdateCommand({
              TableName: stack.config.tables.customers,
              Key: { pk: `CUSTOMER#R${index}`, sk: 'LEDGER' },
              UpdateExpression: 'ADD claims :claim, #touches :one',
              ConditionExpression: 'attribute_not_exists(claims) OR NOT contains(claims, :id)',
              ExpressionAttributeNames: { '#touches': 'touches:bench' },
              ExpressionAttributeValues: { ':claim': new Set(['bench#m#sms']), ':id': 'bench#m#sms', ':one': 1 },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return operations / ((performance.now() - started) / 1000);
  } finally {
    await stack.stop();
  }
}

// Run as its own process by `npm run bench`: prints one JSON line.
if (process.argv[1]?.endsWith('midnight-bench.ts')) {
  const [mode, countText, rateText] = process.argv.slice(2);
  const result =
    mode === 'ceiling'
      ? { perSecond: await conditionalWriteCeiling(Number(countText)) }
      : await midnightPush(Number(countText), rateText ? Number(rateText) : undefined);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
