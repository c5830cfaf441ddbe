/**
 * `campaign plan --shards N`: the plan shard handler over N shards in child processes (the local runner),
 * then the plan's files assembled from the shards' results: the same four files, byte for
 * byte, as the single-process plan writes.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { ENV, LOCAL_BASE_URL } from '../contract.ts';
import { parseCampaign } from '../domain/campaign.ts';
import type { ColumnMapping } from '../domain/column-mapping.ts';
import type { Timeline } from '../domain/timeline.ts';
import { withTrackingBase } from '../domain/tracked-link.ts';
import {
  RepeatedAcrossShardsError,
  runShardedPlan,
  type ShardedPlanRun,
  type ShardStage,
} from '../local/plan-shards-runner.ts';
import { planShardKeys } from '../usecases/plan-shards.ts';
import { UsageError } from './errors.ts';
import { writeTimelinePages } from './plan-files.ts';

/** Child processes at most: each is a Node process of its own on this machine. */
export const MAX_LOCAL_SHARDS = 64;

export function parseShards(text: string): number {
  const shards = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(shards) || shards < 1 || shards > MAX_LOCAL_SHARDS)
    throw new UsageError(`--shards: "${text}" is not a whole number from 1 to ${MAX_LOCAL_SHARDS}`, {
      zh: `--shards："${text}" 不是 1 到 ${MAX_LOCAL_SHARDS} 之间的整数`,
    });
  return shards;
}

export interface ShardedPlanFiles {
  timeline: Timeline;
  rejected: number;
  run: ShardedPlanRun;
}

/** Plans one CSV in `shards` processes and writes timeline.json, touches.jsonl, rejects.jsonl and timeline.html. */
export async function planInShards(input: {
  campaignText: string;
  customerFiles: string[];
  now: number;
  columns?: ColumnMapping;
  shards: number;
  outDir: string;
  onStage?: (stage: ShardStage) => void;
}): Promise<ShardedPlanFiles> {
  const [csv, ...more] = input.customerFiles;
  if (csv === undefined || more.length > 0 || extname(csv).toLowerCase() !== '.csv')
    throw new UsageError(
      '--shards: give exactly one --customers file, a .csv (each shard reads a byte range of it; plan other files without --shards)',
      {
        zh: '--shards：只能给一个 --customers 文件，且须为 .csv（每个分片读取它的一段字节；其他文件请不带 --shards 规划）',
      },
    );
  // An invalid campaign is refused here, before any process starts, as without --shards.
  // Tracked links on the base `campaign plan` gives them without --shards: the same SMS parts and cost.
  const campaign = withTrackingBase(
    parseCampaign(input.campaignText),
    process.env[ENV.publicBaseUrl] ?? LOCAL_BASE_URL,
  );
  const workDir = await mkdtemp(join(tmpdir(), 'campaign-plan-shards-'));
  try {
    await mkdir(input.outDir, { recursive: true });
    let run: ShardedPlanRun;
    try {
      run = await runShardedPlan({
        csvPath: csv,
        campaign,
        now: input.now,
        ...(input.columns ? { columns: Object.fromEntries(input.columns) } : {}),
        shards: input.shards,
        workDir,
        // The second passes write their parts straight into the command's file: no copy after.
        touchesPath: join(input.outDir, 'touches.jsonl'),
        ...(input.onStage ? { onStage: input.onStage } : {}),
      });
    } catch (error) {
      if (error instanceof RepeatedAcrossShardsError)
        throw new UsageError(
          `--shards: ${error.repeated} customer ids appear in more than one shard of ${csv}; a sharded plan needs each customer once (plan without --shards, where the last row wins)`,
          {
            zh: `--shards：${csv} 中有 ${error.repeated} 个客户 ID 出现在多个分片里；分片规划要求每位客户只出现一次（请不带 --shards 规划，以最后一行为准）`,
          },
        );
      throw error;
    }
    const keys = planShardKeys(run.workPrefix);
    await copyFile(run.storage.pathOf(keys.timeline), join(input.outDir, 'timeline.json'));
    const rejected = await writeRejects(run, join(input.outDir, 'rejects.jsonl'));
    const timeline = JSON.parse(await readFile(join(input.outDir, 'timeline.json'), 'utf8')) as Timeline;
    await writeTimelinePages(input.outDir, timeline);
    return { timeline, rejected, run };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Each shard's rejected rows in shard order, their lines counted from the top of the whole file. */
async function writeRejects(run: ShardedPlanRun, target: string): Promise<number> {
  const lines: string[] = [];
  for (const [shard, first] of run.first.entries()) {
    const text = await readFile(run.storage.pathOf(first.keys.rejects), 'utf8');
    const before = run.reduced.linesBefore[shard] ?? 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const row = JSON.parse(line) as { line: number };
      row.line += before;
      lines.push(JSON.stringify(row));
    }
  }
  await writeFileLines(target, lines);
  return lines.length;
}

async function writeFileLines(target: string, lines: string[]): Promise<void> {
  const out = createWriteStream(target);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await finished(out);
}
