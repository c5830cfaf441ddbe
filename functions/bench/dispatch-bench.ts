/**
 * `npm run bench -- --only dispatch`: the midnight push's fan-out (dispatcher, send queue,
 * workers, rate limiter) simulated in virtual time (functions/local/dispatch-simulation.ts),
 * as bench rows: whether the workers keep up with the configured rate, never exceed it, and
 * leave the queue bounded; per-shard work and the queue's depth over time as progress lines.
 */
import { formatCount } from '../cli/progress.ts';
import type { DispatchSimulation } from '../local/dispatch-simulation.ts';
import type { BenchRow } from './scale-bench.ts';

/** SMS in the simulated push: a fiftieth of ten million, 200 shards of a thousand. */
export const DISPATCH_SMS = 200_000;
/** Virtual seconds between two queue-depth samples said on the progress lines. */
const SAMPLE_EVERY_S = 20;

export function dispatchRows(run: DispatchSimulation, say: (text: string) => void): BenchRow[] {
  const sent = run.perShard.map((shard) => shard.sent);
  const spans = run.perShard.map((shard) => shard.lastSecond - shard.firstSecond + 1);
  say(
    `dispatch: ${formatCount(run.messages)} SMS in ${run.shards} shards, ${run.workers} workers, ${run.rate}/s: ` +
      `virtual ${(run.lastAfterMidnightMs / 1000).toFixed(0)} s, real ${run.realSeconds.toFixed(0)} s; per shard ` +
      `${Math.min(...sent)}–${Math.max(...sent)} SMS over ${Math.min(...spans)}–${Math.max(...spans)} virtual s`,
  );
  const samples = run.queue.filter((entry) => entry.second >= 0 && entry.second % SAMPLE_EVERY_S === 0);
  say(
    `dispatch: queue depth (shards waiting/being sent, SMS sent) by virtual second: ${samples
      .map((entry) => `${entry.second}s ${entry.waiting}/${entry.running} ${formatCount(entry.sent)}`)
      .join('; ')}`,
  );
  const maxWaiting = Math.max(0, ...run.queue.map((entry) => entry.waiting));
  const ratio = run.sustainedPerSecond / run.rate;
  const drained = run.queue.at(-1)?.waiting === 0 && run.queue.at(-1)?.running === 0;
  return [
    {
      figure: `dispatch: ${formatCount(run.sms)} SMS, ${run.shards} shards, ${run.workers} workers (virtual time): sustained vs rate`,
      measured: `${run.sustainedPerSecond.toFixed(1)}/s`,
      ceiling: `${run.rate}/s`,
      ratio: ratio.toFixed(2),
      target: '>= 0.95',
      verdict: ratio >= 0.95 ? 'ok' : 'MISSED',
    },
    {
      figure: '  busiest virtual second vs rate; customers sent twice',
      measured: `${run.worstSecond}/s; ${run.duplicates} dup`,
      ceiling: `${run.rate}/s`,
      ratio: (run.worstSecond / run.rate).toFixed(2),
      target: '<= 1.0; 0 dup',
      verdict: run.worstSecond <= run.rate && run.duplicates === 0 && run.messages === run.sms ? 'ok' : 'MISSED',
    },
    {
      figure: '  shards waiting at most; seconds a worker idled with a shard waiting',
      measured: `${maxWaiting}; ${run.idleWithWork} s`,
      ceiling: `${run.shards} shards`,
      ratio: (maxWaiting / Math.max(1, run.shards)).toFixed(2),
      target: '< 1.0; 0 s; drained',
      verdict: maxWaiting < run.shards && run.idleWithWork === 0 && drained ? 'ok' : 'MISSED',
    },
  ];
}
