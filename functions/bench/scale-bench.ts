/**
 * `npm run bench -- --only scale`: the sharded plan at reduced scale on this machine. One
 * generated CSV is planned both ways in the same run, three times each, alternately: by `campaign
 * plan` in one process (as a user runs it), and in N shards through the local runner (the
 * plan shard handler in child processes, one per core, the files assembled as `campaign plan
 * --shards N` does). Reported:
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
import { withHugePages } from '../local/huge-pages.ts';

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
  /** Runs `campaign ...args` in a fresh process (with `env`) and returns its wall time, peak RSS and CPU time. */
  runCli: (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliUsage>;
  say: (text: string) => void;
}

/** Every shard's own peak memory stays under this (the issue's target for a Lambda-sized shard). */
const SHARD_RSS_TARGET_MB = 600;
/** The sharded run may do at most this much more work (CPU time) than the single process. */
const CPU_RATIO_TARGET = 1.3;

/**
 * Each way runs this often, alternately (sharded, one process, sharded, ...), and the row
 * takes each way's run of least CPU time: noise on a shared machine only ever adds time. Two
 * runs of the same code one after the other differed by up to 15% (30.5 and 34.7 s sharded,
 * 22.3 and 25.6 s in one process), and on 4 December `campaign plan` took 35.6 s and then
 * 25.5 s of CPU on the same file: with 2 rounds the least of each still swung the ratio from
 * 1.08 to 1.33 between two runs of the same code. Memory takes each way's largest run.
 */
const ROUNDS = 3;

interface ShardedRun {
  seconds: number;
  cpuSeconds: number;
  usage: Awaited<ReturnType<typeof planInShards>>['run']['usage'];
  stages: Awaited<ReturnType<typeof planInShards>>['run']['stages'];
  sha: string;
  timeline: string;
}

export async function scaleRows(input: ScaleBenchInput): Promise<BenchRow[]> {
  const { shards, say } = input;
  const shardedOut = join(input.benchDir, 'scale-sharded');
  const singleOut = join(input.benchDir, 'scale-single');
  const shardedRuns: ShardedRun[] = [];
  const singleRuns: Array<CliUsage & { sha: string; timeline: string }> = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const of = `round ${round} of ${ROUNDS}`;
    await rm(shardedOut, { recursive: true, force: true });
    say(`scale: ${formatCount(input.customers)} customers in ${shards} shards through the local runner (${of})...`);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const sharded = await planInShards({
      campaignText: input.campaignText,
      customerFiles: [input.file],
      now: Date.parse(input.nowIso),
      shards,
      outDir: shardedOut,
      onStage: (stage) => say(`scale: ${stage.pass} ${stage.done} of ${stage.of} (${of})...`),
    });
    const seconds = (performance.now() - started) / 1000;
    // The bench's own process ran the runner: repeat check, file assembly. Its CPU counts too.
    const orchestrator = process.cpuUsage(cpuBefore);
    const orchestratorMs = (orchestrator.user + orchestrator.system) / 1000;
    const { usage, stages } = sharded.run;
    const childrenMs = usage.reduce((sum, child) => sum + child.cpuMs, 0);
    say(
      `scale: sharded ${seconds.toFixed(1)} s wall (first pass ${(stages.firstPass / 1000).toFixed(1)} s, reduce ${(stages.reduce / 1000).toFixed(1)} s, second pass ${(stages.secondPass / 1000).toFixed(1)} s); peak RSS ${usage.map((child) => `${child.name} ${Math.round(child.maxRssKb / 1024)}`).join(', ')} MB; CPU ${((childrenMs + orchestratorMs) / 1000).toFixed(1)} s (${usage.map((child) => `${child.name} ${(child.cpuMs / 1000).toFixed(1)}`).join(', ')}, runner ${(orchestratorMs / 1000).toFixed(1)}) (${of})`,
    );
    shardedRuns.push({
      seconds,
      cpuSeconds: (childrenMs + orchestratorMs) / 1000,
      usage,
      stages,
      sha: await sha256(join(shardedOut, 'touches.jsonl')),
      timeline: await sha256(join(shardedOut, 'timeline.json')),
    });

    await rm(singleOut, { recursive: true, force: true });
    say(`scale: the same file by campaign plan in one process (${of})...`);
    // With the shard processes' huge pages, so the ratio is the sharding's own work, not the
    // pages: a plan in one process spends less on fresh memory with them too (about a tenth).
    const single = await input.runCli(
      [
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
      ],
      withHugePages(process.env),
    );
    say(
      `scale: single process ${single.seconds.toFixed(1)} s wall, peak RSS ${single.peakRssMb.toFixed(0)} MB, CPU ${single.cpuSeconds.toFixed(1)} s (${of})`,
    );
    singleRuns.push({
      ...single,
      sha: await sha256(join(singleOut, 'touches.jsonl')),
      timeline: await sha256(join(singleOut, 'timeline.json')),
    });
  }
  const leastCpu = <T extends { cpuSeconds: number }>(runs: T[]): T =>
    runs.reduce((best, run) => (run.cpuSeconds < best.cpuSeconds ? run : best));
  const best = leastCpu(shardedRuns);
  const single = leastCpu(singleRuns);
  const shardedSeconds = best.seconds;
  const { stages } = best;
  const shardUsage = shardedRuns.flatMap((run) => run.usage.filter((child) => child.name !== 'reduce'));
  const reduceUsage = shardedRuns
    .flatMap((run) => run.usage.filter((child) => child.name === 'reduce'))
    .reduce((largest, child) => (child.maxRssKb > largest.maxRssKb ? child : largest));
  const peakShardMb = Math.max(...shardUsage.map((child) => child.maxRssKb)) / 1024;
  const singlePeakMb = Math.max(...singleRuns.map((run) => run.peakRssMb));
  const shardedSha = best.sha;
  const singleSha = single.sha;
  const cpuSeconds = best.cpuSeconds;
  const cpuRatio = cpuSeconds / single.cpuSeconds;
  // Every run of either way wrote the same two files, not only the runs the row shows.
  const same = [...shardedRuns, ...singleRuns].every(
    (run) => run.sha === singleSha && run.timeline === single.timeline,
  );
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
      figure: `  peak RSS of a shard process (${shardUsage.length / ROUNDS} ran the ${shards} shards, one at a time; largest of ${ROUNDS} runs)`,
      measured: `${peakShardMb.toFixed(0)} MB`,
      ceiling: `${SHARD_RSS_TARGET_MB} MB`,
      ratio: (peakShardMb / SHARD_RSS_TARGET_MB).toFixed(2),
      target: '< 1.0',
      verdict: peakShardMb < SHARD_RSS_TARGET_MB ? 'ok' : 'MISSED',
    },
    {
      figure: '  the reduce step: wall time; its peak RSS vs the single process (largest of each)',
      measured: `${(stages.reduce / 1000).toFixed(1)} s; ${(reduceUsage.maxRssKb / 1024).toFixed(0)} MB`,
      ceiling: `${singlePeakMb.toFixed(0)} MB`,
      ratio: (reduceUsage.maxRssKb / 1024 / singlePeakMb).toFixed(2),
      target: '(shown)',
      verdict: '',
    },
    {
      figure: `  CPU time of every sharded process (shards, reduce, runner) vs one process (least of ${ROUNDS} each)`,
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
