/**
 * The midnight push's fan-out at reduced scale, in virtual time: the whole local stack (the
 * import, plan and approval handlers, then the schedule firing the send dispatcher, the send
 * queue handing shard messages to at most `workers` send workers, the shared rate limiter
 * pacing them to `rate` per second), on the discrete VirtualClock. The SMS sink takes all it
 * is given and records when: whether the rate held is the limiter's doing, not the sink's refusals. Time moves only
 * when every worker waits on the clock, so the figures (per-shard work, the queue's depth
 * each second, the rate sustained) are those of the design, the same on any machine, however
 * long the run takes in real time.
 */

import { DynamoCampaignStore, DynamoTouchStore } from '../adapters/dynamo/campaign-store.ts';
import { VirtualClock } from '../adapters/local/virtual-clock.ts';
import { approveDependencies, clientsFor } from '../composition.ts';
import { handler as plan } from '../handlers/plan-campaign.ts';
import { approveCampaign } from '../usecases/approve-campaign.ts';
import { playSchedules } from './play.ts';
import { startEphemeralStack } from './stack.ts';
import { uploadSegmentAndWait } from './uploads.ts';

const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');

export interface DispatchSimulationOptions {
  /** Customers, one midnight SMS each. */
  sms: number;
  /** The campaign's SMS rate, per virtual second. */
  rate: number;
  /** Send workers at once (the worker Lambda's reserved concurrency). */
  workers: number;
  onProgress?: (text: string) => void;
}

export interface ShardWork {
  shard: number;
  sent: number;
  /** Virtual seconds after midnight of its first and last message. */
  firstSecond: number;
  lastSecond: number;
}

export interface QueueSample {
  /** Whole virtual seconds after midnight. */
  second: number;
  /** Shard messages waiting for a worker, and being sent, at the end of that second. */
  waiting: number;
  running: number;
  /** SMS accepted by the sink so far. */
  sent: number;
}

export interface DispatchSimulation {
  sms: number;
  rate: number;
  workers: number;
  shards: number;
  messages: number;
  /** Messages beyond the first to one customer (0 when none was sent twice). */
  duplicates: number;
  /** Touches whose provider message id the sink never accepted, or accepted twice. */
  unmatchedTouches: number;
  firstAfterMidnightMs: number;
  lastAfterMidnightMs: number;
  /** Mean accepted per second over the whole seconds between the first and the last. */
  sustainedPerSecond: number;
  /** The most accepted in one virtual second. */
  worstSecond: number;
  throttled: number;
  perShard: ShardWork[];
  queue: QueueSample[];
  /** Seconds in which a shard waited while fewer than `workers` ran: a worker idle with work queued. */
  idleWithWork: number;
  realSeconds: number;
}

function customersCsv(count: number): string {
  const rows: string[] = ['customer_id,phone,name'];
  // Distinct mainland mobile numbers: 139 and eight digits.
  for (let index = 0; index < count; index += 1)
    rows.push(`S${String(index).padStart(8, '0')},139${String(index).padStart(8, '0')},王芳`);
  return `${rows.join('\n')}\n`;
}

export async function simulateDispatch(options: DispatchSimulationOptions): Promise<DispatchSimulation> {
  const started = performance.now();
  const say = options.onProgress ?? (() => {});
  const clock = new VirtualClock(MIDNIGHT - 3 * 60_000);
  const stack = await startEphemeralStack({
    dataBucket: 'dispatch-sim',
    clock,
    sendWorkers: options.workers,
  });
  try {
    say(`importing ${options.sms} customers`);
    await uploadSegmentAndWait(stack.config, 'segments/dispatch-sim/customers.csv', customersCsv(options.sms));
    say('planning and approving');
    const planned = await plan({
      campaign: {
        id: 'dispatch-sim',
        midnight: '2026-11-11T00:00',
        // A fan-out simulation: its text is not a registered China template.
        smsRules: 'none',
        smsRatePerSecond: options.rate,
        waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
      },
    });
    if (planned.status !== 'planned') throw new Error(`simulation campaign not planned: ${JSON.stringify(planned)}`);
    await approveCampaign(approveDependencies(stack.config), {
      campaignId: planned.campaignId,
      version: planned.version,
      actor: 'simulation',
      now: clock.now(),
    });
    const queue: QueueSample[] = [];
    const sample = () => {
      const second = Math.floor((clock.now() - MIDNIGHT) / 1000);
      const depth = stack.runtime.sendQueue.depth();
      const entry = { second, ...depth, sent: stack.runtime.sms.summary().count };
      if (queue.at(-1)?.second === second) queue[queue.length - 1] = entry;
      else queue.push(entry);
    };
    say('playing the push in virtual time');
    let lastSaid = 0;
    await playSchedules(stack.runtime, clock, {
      onTick: () => {
        sample();
        if (performance.now() - lastSaid > 5000) {
          lastSaid = performance.now();
          say(`virtual ${Math.floor((clock.now() - MIDNIGHT) / 1000)} s, ${stack.runtime.sms.summary().count} SMS`);
        }
      },
    });
    sample();

    const messages = stack.runtime.sms.messages();
    const summary = stack.runtime.sms.summary();
    const atById = new Map<string, number>();
    for (const message of messages) atById.set(message.messageId, message.at);
    const clients = clientsFor(stack.config);
    const campaigns = new DynamoCampaignStore(clients.documents, stack.config.tables.campaigns);
    const touches = new DynamoTouchStore(clients.dynamodb, clients.documents, stack.config.tables.touches);
    const perShard: ShardWork[] = [];
    let shards = 0;
    let unmatchedTouches = 0;
    const seenIds = new Set<string>();
    for (const send of await campaigns.getSends(planned.campaignId)) {
      if (send.version !== planned.version) continue;
      for (let shard = 0; shard < send.shards; shard += 1) {
        const times: number[] = [];
        for (const touch of await touches.readShard({ ...send, sendId: send.id, shard })) {
          if (touch.status !== 'sent') continue;
          const at = touch.providerMessageId === undefined ? undefined : atById.get(touch.providerMessageId);
          if (at === undefined || seenIds.has(touch.providerMessageId as string)) unmatchedTouches += 1;
          else times.push(at);
          if (touch.providerMessageId) seenIds.add(touch.providerMessageId);
        }
        perShard.push({
          shard: shards + shard,
          sent: times.length,
          firstSecond: times.length > 0 ? Math.floor((Math.min(...times) - MIDNIGHT) / 1000) : -1,
          lastSecond: times.length > 0 ? Math.floor((Math.max(...times) - MIDNIGHT) / 1000) : -1,
        });
      }
      shards += send.shards;
    }
    // A loop, not Math.min(...): a spread of 200,000 arguments overflows the stack.
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const message of messages) {
      first = Math.min(first, message.at);
      last = Math.max(last, message.at);
    }
    // The first and last seconds are partial (the push starts and ends inside them).
    const inner = summary.perSecond.slice(1, -1);
    const sustained =
      inner.length > 0
        ? inner.reduce((sum, second) => sum + second.count, 0) / inner.length
        : messages.length / Math.max(1, (last - first) / 1000);
    return {
      sms: options.sms,
      rate: options.rate,
      workers: options.workers,
      shards,
      messages: messages.length,
      duplicates: messages.length - new Set(messages.map((message) => message.tags.customerId)).size,
      unmatchedTouches,
      firstAfterMidnightMs: first - MIDNIGHT,
      lastAfterMidnightMs: last - MIDNIGHT,
      sustainedPerSecond: sustained,
      worstSecond: summary.maxPerSecond,
      throttled: summary.throttled,
      perShard,
      queue,
      idleWithWork: queue.filter((entry) => entry.waiting > 0 && entry.running < options.workers).length,
      realSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stack.stop();
  }
}

// Run as its own process by `npm run bench -- --only dispatch`: prints one JSON line.
if (process.argv[1]?.endsWith('dispatch-simulation.ts')) {
  const [sms, rate, workers] = process.argv.slice(2).map(Number);
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const result = await simulateDispatch({
    sms: sms ?? 200_000,
    rate: rate ?? 1000,
    workers: workers ?? 8,
    onProgress: (text) => process.stderr.write(`dispatch: ${text}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
