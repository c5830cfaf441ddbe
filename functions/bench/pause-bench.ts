/**
 * Pause latency: a midnight push of `count` SMS on the real clock through a sink that
 * enforces `rate` msg/s (and records the clock instant it accepted each message), paused
 * five times while it sends and resumed after each pause. For each pause, the latency is the
 * time from the pause's acceptance (the control write has completed: the pause route would
 * answer now) to the last message the sink accepted before the resume; the figure is the
 * worst of the five. The resumed push must still reach every customer exactly once.
 * Also counted: the workers' reads of the control item, the price of stopping within a second.
 */

import { DynamoLifecycleStore } from '../adapters/dynamo/lifecycle-store.ts';
import { RealTimeClock } from '../adapters/local/real-time-clock.ts';
import { approveDependencies, controlDependencies } from '../composition.ts';
import { handler as plan } from '../handlers/plan-campaign.ts';
import { playSchedules } from '../local/play.ts';
import { startEphemeralStack } from '../local/stack.ts';
import { uploadSegmentAndWait } from '../local/uploads.ts';
import { approveCampaign } from '../usecases/approve-campaign.ts';
import { controlCampaign } from '../usecases/control-campaign.ts';

const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');
const PAUSES = 5;
/** How long each pause lasts (real time): well past the second the workers have to stop in. */
const PAUSE_MS = 2_500;

export interface PauseRun {
  messages: number;
  customers: number;
  duplicates: number;
  /** Per pause: ms from the accepted pause to the last message accepted before the resume (0: none after it). */
  latenciesMs: number[];
  worstMs: number;
  /** Messages the sink accepted after a pause was accepted and before its resume, over all pauses. */
  afterPause: number;
  /** Reads of the control item by the workers, and the seconds the push was sending (pauses excluded). */
  controlReads: number;
  sendingSeconds: number;
}

function customersCsv(count: number): string {
  const rows = Array.from(
    { length: count },
    (_, index) => `P${String(index).padStart(6, '0')},1390013${String(index % 10_000).padStart(4, '0')},王芳`,
  );
  return `customer_id,phone,name\n${rows.join('\n')}\n`;
}

const realSleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function pausedPush(count: number, rate: number): Promise<PauseRun> {
  // Every control read of every worker in this process, counted where they all go through.
  let controlReads = 0;
  const getControl = DynamoLifecycleStore.prototype.getControl;
  DynamoLifecycleStore.prototype.getControl = function counted(this: DynamoLifecycleStore, campaignId: string) {
    controlReads += 1;
    return getControl.call(this, campaignId);
  };
  const clock = new RealTimeClock(MIDNIGHT - 3 * 60_000);
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const stack = await startEphemeralStack({ dataBucket: 'bench-data', clock, smsRatePerSecond: rate, sendWorkers: 8 });
  try {
    await uploadSegmentAndWait(stack.config, 'segments/bench/customers.csv', customersCsv(count));
    const planned = await plan({
      campaign: {
        id: 'bench',
        midnight: '2026-11-11T00:00',
        // A send-speed bench: its texts are not registered China templates.
        smsRules: 'none',
        smsRatePerSecond: rate,
        waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
      },
    });
    if (planned.status !== 'planned') throw new Error(`bench campaign not planned: ${JSON.stringify(planned)}`);
    await approveCampaign(approveDependencies(stack.config), {
      campaignId: planned.campaignId,
      version: planned.version,
      actor: 'bench',
      now: clock.now(),
    });
    const sink = stack.runtime.sms;
    const control = controlDependencies(stack.config);
    const play = playSchedules(stack.runtime, clock);
    const windows: Array<{ accepted: number; resumed: number }> = [];
    for (let pause = 1; pause <= PAUSES; pause += 1) {
      // Spread over the push: after 1/6, 2/6, ... of the messages.
      const target = Math.floor((count * pause) / (PAUSES + 1));
      while (sink.messages().length < target) await realSleep(2);
      await controlCampaign(control, { campaignId: 'bench', action: 'pause', actor: 'bench' });
      const accepted = clock.now();
      await realSleep(PAUSE_MS);
      const resumed = clock.now();
      windows.push({ accepted, resumed });
      await controlCampaign(control, { campaignId: 'bench', action: 'resume', actor: 'bench' });
    }
    await play;
    await stack.runtime.sendQueue.idle();
    const messages = sink.messages();
    const latenciesMs = windows.map(({ accepted, resumed }) => {
      const after = messages.filter((m) => m.at >= accepted && m.at < resumed).map((m) => m.at);
      return after.length === 0 ? 0 : Math.max(...after) - accepted;
    });
    const afterPause = windows.reduce(
      (sum, { accepted, resumed }) => sum + messages.filter((m) => m.at >= accepted && m.at < resumed).length,
      0,
    );
    const first = Math.min(...messages.map((m) => m.at));
    const last = Math.max(...messages.map((m) => m.at));
    const paused = windows.reduce((sum, { accepted, resumed }) => sum + (resumed - accepted), 0);
    const customers = new Set(messages.map((m) => m.tags.customerId)).size;
    return {
      messages: messages.length,
      customers,
      duplicates: messages.length - customers,
      latenciesMs,
      worstMs: Math.max(...latenciesMs),
      afterPause,
      controlReads,
      sendingSeconds: Math.max(0.001, (last - first - paused) / 1000),
    };
  } finally {
    DynamoLifecycleStore.prototype.getControl = getControl;
    await stack.stop();
  }
}

// Run as its own process by `npm run bench`: prints one JSON line.
if (process.argv[1]?.endsWith('pause-bench.ts')) {
  const [countText, rateText] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await pausedPush(Number(countText), Number(rateText)))}\n`);
}
