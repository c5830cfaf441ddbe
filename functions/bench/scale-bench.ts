/**
 * `npm run bench -- --only scale`: the sharded plan at reduced scale on this machine. One
 * generated CSV is planned twice in the same run: by `campaign plan` in one process (as a user
 * runs it), and in N shards through the local runner (the plan shard handler in child
 * processes, one per core, the files assembled as `campaign plan --shards N` does). Reported:
 * wall times, the peak RSS of each process that ran shard passes (process.resourceUsage().maxRSS:
 * the largest of the shards it ran one after another, as a warm Lambda container), the reduce's
 * time and memory, the CPU time of all the sharded run's processes against the single
 * plan's, and whether the two touches.jsonl files have the same sha256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { planInShards } from '../cli/plan-sharded.ts';
import { formatCount } from '../cli/progress.ts';

/** A row of the bench table (run.ts prints them). */
export interface BenchRow {
  figure: string;
  measured: string;
  ceiling: string;
  ratio: string;
  target: string;
  verdict: string;
}

export interface CliUsage {
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
}

export interface ScaleBenchInput {
  file: string;
  customers: number;
  campaignFile: string;
  campaignText: string;
  /** The planning instant, ISO with an offset, and as epoch ms. */
  nowIso: string;
  benchDir: string;
  shards: number;
  /** Runs `campaign ...args` in a fresh process and returns its wall time, peak RSS and CPU time. */
  runCli: (args: string[]) => Promise<CliUsage>;
  say: (text: string) => void;
}

/** Every shard's own peak memory stays under this (the issue's target for a Lambda-sized shard). */
const SHARD_RSS_TARGET_MB = 600;
/** The sharded run may do at most this much more work (CPU time) than the single process. */
const CPU_RATIO_TARGET = 1.3;

export async function scaleRows(input: ScaleBenchInput): Promise<BenchRow[]> {
  const { shards, say } = input;
  const shardedOut = join(input.benchDir, 'scale-sharded');
  const singleOut = join(input.benchDir, 'scale-single');
  await rm(shardedOut, { recursive: true, force: true });
  await rm(singleOut, { recursive: true, force: true });

  say(`scale: ${formatCount(input.customers)} customers in ${shards} shards through the local runner...`);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const sharded = await planInShards({
    campaignText: input.campaignText,
    customerFiles: [input.file],
    now: Date.parse(input.nowIso),
    shards,
    outDir: shardedOut,
    onStage: (stage) => say(`scale: ${stage.pass} ${stage.done} of ${stage.of}...`),
  });
  const shardedSeconds = (performance.now() - started) / 1000;
  // The bench's own process ran the runner: repeat check, file assembly. Its CPU counts too.
  const orchestrator = process.cpuUsage(cpuBefore);
  const orchestratorMs = (orchestrator.user + orchestrator.system) / 1000;
  const { usage, stages } = sharded.run;
  const shardUsage = usage.filter((child) => child.name !== 'reduce');
  const reduceUsage = usage.find((child) => child.name === 'reduce');
  const childrenMs = usage.reduce((sum, child) => sum + child.cpuMs, 0);
  const peakShardMb = Math.max(...shardUsage.map((child) => child.maxRssKb)) / 1024;
  say(
    `scale: sharded ${shardedSeconds.toFixed(1)} s wall (first pass ${(stages.firstPass / 1000).toFixed(1)} s, reduce ${(stages.reduce / 1000).toFixed(1)} s, second pass ${(stages.secondPass / 1000).toFixed(1)} s); peak RSS per shard process ${shardUsage.map((child) => `${Math.round(child.maxRssKb / 1024)} (shards ${child.shards.join(' ')})`).join(', ')} MB; reduce ${Math.round((reduceUsage?.maxRssKb ?? 0) / 1024)} MB; CPU ${((childrenMs + orchestratorMs) / 1000).toFixed(1)} s (${usage.map((child) => `${child.name} ${(child.cpuMs / 1000).toFixed(1)}`).join(', ')}, runner ${(orchestratorMs / 1000).toFixed(1)})`,
  );

  say(`scale: the same file by campaign plan in one process...`);
  const single = await input.runCli([
    'plan',
    '--campaign',
    input.campaignFile,
    '--customers',
    input.file,
    '--now',
    input.nowIso,
    '--out',
    singleOut,
    '--quiet',
  ]);
  say(
    `scale: single process ${single.seconds.toFixed(1)} s wall, peak RSS ${single.peakRssMb.toFixed(0)} MB, CPU ${single.cpuSeconds.toFixed(1)} s`,
  );
  const [shardedSha, singleSha] = await Promise.all([
    sha256(join(shardedOut, 'touches.jsonl')),
    sha256(join(singleOut, 'touches.jsonl')),
  ]);
  const [shardedTimeline, singleTimeline] = await Promise.all([
    sha256(join(shardedOut, 'timeline.json')),
    sha256(join(singleOut, 'timeline.json')),
  ]);
  const cpuSeconds = (childrenMs + orchestratorMs) / 1000;
  const cpuRatio = cpuSeconds / single.cpuSeconds;
  const same = shardedSha === singleSha && shardedTimeline === singleTimeline;
  const rows: BenchRow[] = [
    {
      figure: `scale: ${formatCount(input.customers)} customers in ${shards} shards, wall time vs one process`,
      measured: `${shardedSeconds.toFixed(1)} s`,
      ceiling: `${single.seconds.toFixed(1)} s`,
      ratio: (shardedSeconds / single.seconds).toFixed(2),
      target: '(shown)',
      verdict: '',
    },
    {
      figure: `  peak RSS of a shard process (${shardUsage.length} ran the ${shards} shards, one at a time)`,
      measured: `${peakShardMb.toFixed(0)} MB`,
      ceiling: `${SHARD_RSS_TARGET_MB} MB`,
      ratio: (peakShardMb / SHARD_RSS_TARGET_MB).toFixed(2),
      target: '< 1.0',
      verdict: peakShardMb < SHARD_RSS_TARGET_MB ? 'ok' : 'MISSED',
    },
    {
      figure: '  the reduce step: wall time; its peak RSS vs the single process',
      measured: `${(stages.reduce / 1000).toFixed(1)} s; ${((reduceUsage?.maxRssKb ?? 0) / 1024).toFixed(0)} MB`,
      ceiling: `${single.peakRssMb.toFixed(0)} MB`,
      ratio: ((reduceUsage?.maxRssKb ?? 0) / 1024 / single.peakRssMb).toFixed(2),
      target: '(shown)',
      verdict: '',
    },
    {
      figure: '  CPU time of every sharded process (shards, reduce, runner) vs one process',
      measured: `${cpuSeconds.toFixed(1)} s`,
      ceiling: `${single.cpuSeconds.toFixed(1)} s`,
      ratio: cpuRatio.toFixed(2),
      target: `<= ${CPU_RATIO_TARGET}`,
      verdict: cpuRatio <= CPU_RATIO_TARGET ? 'ok' : 'MISSED',
    },
    {
      figure: '  agreement: sha256 of touches.jsonl (and timeline.json), sharded vs one process',
      measured: shardedSha.slice(0, 12),
      ceiling: singleSha.slice(0, 12),
      ratio: same ? '1.00' : '0.00',
      target: 'identical',
      verdict: same ? 'ok' : 'MISSED',
    },
  ];
  return rows;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk);
  return hash.digest('hex');
}
