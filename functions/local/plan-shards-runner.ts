/**
 * The sharded plan on this machine, as the plan state machine runs it on AWS: the plan shard
 * handler (handlers/plan-shards.ts) in child processes, a folder as the object store
 * (DirectoryStorage). The first pass of every shard (shard i reads the i-th byte range of the
 * CSV, cut at line starts), then the reduce in a process of its own, then the second pass of
 * every shard (shard i writes the i-th part of touches.jsonl).
 *
 * A pass goes to the next free process of a pool, one per core by default, as an invocation
 * goes to a warm Lambda container and a Distributed Map runs at most MaxConcurrency children:
 * eight shards at once on two cores took a third more CPU time (the cores switching between
 * processes, each touching memory of its own) and four times the memory, for the same wall time.
 *
 * Child processes rather than worker threads: each process's peak memory and CPU time are then
 * its own (process.resourceUsage), which is what the scale bench reports against its targets.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, symlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DirectoryStorage } from '../adapters/local/directory-storage.ts';
import type { PartPlacement } from '../adapters/local/placed-parts-storage.ts';
import { CampaignFileError } from '../domain/campaign.ts';
import type { ColumnMappingJson } from '../domain/column-mapping.ts';
import type { IdColumn } from '../domain/planner/shards/touch-lines.ts';
import type { FirstPassEvent, FirstPassResult, ReduceResult, SecondPassResult } from '../handlers/plan-shards.ts';
import {
  type PlanShardsInput,
  planShardKeys,
  type ReducedPlan,
  readJson,
  readShardIds,
  type ShardRef,
  shardsMayShareIds,
  touchPartSizes,
} from '../usecases/plan-shards.ts';
import { withHugePages } from './huge-pages.ts';
import type { ChildPass, ChildReply, ChildRequest, ChildUsage } from './plan-shard-child.ts';

const CHILD = new URL('./plan-shard-child.ts', import.meta.url);
/**
 * Where each run bundles its child: inside the project, so the bundle's imports of packages
 * resolve to its node_modules; one folder per run, so two runs never replace each other's.
 */
const BUNDLES = new URL('../../node_modules/.cache/campaign-plan-shards/', import.meta.url);
const WORK_PREFIX = 'work/';
const SEGMENT_KEY = (file: string) => `segments/${basename(file)}`;

export interface ShardedPlanRequest {
  /** The segment CSV (a header line, one customer a line). */
  csvPath: string;
  /** The campaign file as parsed JSON (the passes validate it). */
  campaign: unknown;
  now: number;
  /** `--columns FILE`'s mapping: it wins over the campaign's `columns`. */
  columns?: ColumnMappingJson;
  shards: number;
  /** How many shard processes run at once (default: one per core, at most one per shard). */
  processes?: number;
  /**
   * Where to write touches.jsonl: the second passes then write their parts straight into it,
   * each at its offset (known from the reduce's files before any part is written), and no
   * part is an object of its own. It appears there whole once every part is in (a
   * `.partial` file until then). Unset: the parts stay objects under the work prefix.
   */
  touchesPath?: string;
  /** An empty folder the shards share (the object store); the caller removes it. */
  workDir: string;
  /** Each pass as it starts (done 0) and as each of its processes finishes, for a progress line. */
  onStage?: (stage: ShardStage) => void;
}

export interface ShardStage {
  pass: ChildPass;
  done: number;
  of: number;
}

/** One process of the run: what it did and its own peak memory and CPU time. */
export interface ProcessUsage {
  /** `process 0`..`process P-1` (the shard passes, one at a time), or `reduce`. */
  name: string;
  /** The shards whose passes it ran, in the order it ran them (none for the reduce). */
  shards: number[];
  maxRssKb: number;
  cpuMs: number;
  /** Wall time of each pass it ran. */
  passMs: number[];
}

export interface ShardedPlanRun {
  storage: DirectoryStorage;
  workPrefix: string;
  first: FirstPassResult[];
  reduce: ReduceResult;
  second: SecondPassResult[];
  reduced: ReducedPlan;
  usage: ProcessUsage[];
  /** touches.jsonl as the second passes wrote it, when `touchesPath` was given. */
  touchesPath?: string;
  /** Wall time of each stage, ms. */
  stages: { firstPass: number; reduce: number; secondPass: number };
}

/** The shards' inputs repeat a customer: the passes, which dedupe within a shard only, would not give the single plan. */
export class RepeatedAcrossShardsError extends Error {
  constructor(readonly repeated: number) {
    super(`${repeated} customer ids are in more than one shard`);
    this.name = 'RepeatedAcrossShardsError';
  }
}

/** A pass failed in a shard's process (its error, or the process died). */
export class ShardProcessError extends Error {
  constructor(
    readonly process: string,
    readonly pass: ChildPass,
    detail: string,
  ) {
    super(`${process}, ${pass}: ${detail}`);
    this.name = 'ShardProcessError';
  }
}

/** A child process running the shard handler, one pass at a time. */
class ShardProcess {
  private readonly child: ChildProcess;
  private last: ChildUsage = { maxRssKb: 0, userMs: 0, systemMs: 0 };
  private readonly passMs: number[] = [];
  private readonly ran: number[] = [];
  private exited: string | undefined;

  constructor(
    readonly name: string,
    private readonly root: string,
    entry: string,
  ) {
    this.child = fork(entry, [], {
      execArgv: [],
      // The handler's logs are JSON lines for CloudWatch: kept off the command's output.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: withHugePages({ ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' }),
    });
    this.child.on('exit', (code, signal) => {
      this.exited = signal ? `the process was ended by ${signal}` : `the process exited with code ${code}`;
    });
  }

  run<T>(pass: ChildPass, event: unknown, shard?: number, placement?: PartPlacement): Promise<T> {
    if (shard !== undefined && !this.ran.includes(shard)) this.ran.push(shard);
    return new Promise<T>((resolvePass, reject) => {
      if (this.exited) return reject(new ShardProcessError(this.name, pass, this.exited));
      const onExit = () => reject(new ShardProcessError(this.name, pass, this.exited ?? 'the process exited'));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: ChildReply) => {
        this.child.off('exit', onExit);
        this.last = reply.usage;
        if (!reply.ok) return reject(new ShardProcessError(this.name, pass, `${reply.name}: ${reply.error}`));
        this.passMs.push(reply.ms);
        resolvePass(reply.result as T);
      });
      const request: ChildRequest = { root: this.root, pass, event, ...(placement ? { placement } : {}) };
      this.child.send(request);
    });
  }

  usage(): ProcessUsage {
    return {
      name: this.name,
      shards: [...this.ran],
      maxRssKb: this.last.maxRssKb,
      cpuMs: this.last.userMs + this.last.systemMs,
      passMs: [...this.passMs],
    };
  }

  /** Lets the child end on its own (its IPC channel closed), or ends it when it is stuck. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

export async function runShardedPlan(request: ShardedPlanRequest): Promise<ShardedPlanRun> {
  const root = resolve(request.workDir);
  const storage = new DirectoryStorage(root);
  const keys = planShardKeys(WORK_PREFIX);
  const key = SEGMENT_KEY(request.csvPath);
  // The file stays where it is: the store's key points at it.
  await mkdir(join(root, 'segments'), { recursive: true });
  await symlink(resolve(request.csvPath), storage.pathOf(key));
  const input: PlanShardsInput = {
    campaign: request.campaign,
    now: request.now,
    ...(request.columns ? { columns: request.columns } : {}),
  };
  await storage.put(keys.input, JSON.stringify(input), 'application/json');
  const head = await storage.head(key);
  if (!head) throw new Error(`${request.csvPath} is missing`);
  const base = { campaignId: campaignIdOf(request.campaign), version: 1, workPrefix: WORK_PREFIX };
  const count = request.shards;
  const shardRef = (index: number): ShardRef => ({ index, count });
  const say = request.onStage ?? (() => {});

  const bundle = await bundleChild();
  const pool = Math.max(1, Math.min(count, request.processes ?? availableParallelism()));
  const workers = Array.from({ length: pool }, (_, index) => new ShardProcess(`process ${index}`, root, bundle.entry));
  const processes = [...workers];
  /** Every shard's pass, each on the next free process, in shard order. */
  const eachShard = async <T>(
    pass: ChildPass,
    eventOf: (shard: ShardRef) => unknown,
    placementOf?: (index: number) => PartPlacement,
  ): Promise<T[]> => {
    const results: T[] = new Array(count);
    let next = 0;
    let done = 0;
    say({ pass, done, of: count });
    await Promise.all(
      workers.map(async (worker) => {
        for (let index = next++; index < count; index = next++) {
          results[index] = await worker.run<T>(pass, eventOf(shardRef(index)), index, placementOf?.(index));
          done += 1;
          say({ pass, done, of: count });
        }
      }),
    );
    return results;
  };
  try {
    let started = performance.now();
    const first = await eachShard<FirstPassResult>(
      'firstPass',
      (shard): FirstPassEvent => ({ ...base, shard, source: { kind: 'csv', key, etag: head.etag } }),
    );
    const firstMs = performance.now() - started;
    // The ids themselves only when their hashes leave a repeat possible (about once in 560 plans of 4,000,000).
    if ((await shardsMayShareIds(storage, WORK_PREFIX, count)) !== false) {
      const repeated = repeatedAcrossShards(await readShardIds(storage, WORK_PREFIX, count));
      if (repeated > 0) throw new RepeatedAcrossShardsError(repeated);
    }

    started = performance.now();
    say({ pass: 'reduce', done: 0, of: 1 });
    const reducer = new ShardProcess('reduce', root, bundle.entry);
    processes.push(reducer);
    const reduce = await reducer.run<ReduceResult>('reduce', { ...base, shardCount: count });
    await reducer.close();
    // What only the customers show refuses the plan, as `campaign plan` refuses it in one process.
    if (reduce.refused) throw new CampaignFileError(reduce.refused);
    const reduceMs = performance.now() - started;

    started = performance.now();
    const placementOf = request.touchesPath
      ? await placeTouchParts(storage, count, `${request.touchesPath}.partial`)
      : undefined;
    const second = await eachShard<SecondPassResult>('secondPass', (shard) => ({ ...base, shard }), placementOf);
    if (request.touchesPath) await rename(`${request.touchesPath}.partial`, request.touchesPath);
    const secondMs = performance.now() - started;
    await Promise.all(workers.map((worker) => worker.close()));
    const reduced = await readJson<ReducedPlan>(storage, keys.plan);
    return {
      storage,
      workPrefix: WORK_PREFIX,
      first,
      reduce,
      second,
      reduced,
      usage: processes.map((child) => child.usage()),
      ...(request.touchesPath ? { touchesPath: request.touchesPath } : {}),
      stages: { firstPass: firstMs, reduce: reduceMs, secondPass: secondMs },
    };
  } finally {
    await Promise.all(processes.map((child) => child.close()));
    await rm(bundle.dir, { recursive: true, force: true });
    if (request.touchesPath) await rm(`${request.touchesPath}.partial`, { force: true });
  }
}

/**
 * The child as ES modules, our sources bundled and packages left to node_modules, as each
 * Lambda runs its handler bundled: a child then starts without a TypeScript loader compiling
 * the planner's sources again. Code only the AWS composition loads (the SDK clients) is a
 * chunk of its own, loaded only if a pass asks for it, which a child never does.
 */
async function bundleChild(): Promise<{ dir: string; entry: string }> {
  const dir = join(fileURLToPath(BUNDLES), `${process.pid}-${randomUUID()}`);
  await build({
    entryPoints: { child: fileURLToPath(CHILD) },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  return { dir, entry: join(dir, 'child.mjs') };
}

function campaignIdOf(campaign: unknown): string {
  const id = (campaign as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 200) : 'campaign';
}

/**
 * Where each second pass's part goes in touches.jsonl: the file made at its whole length,
 * each part at the sum of the lengths before it.
 */
async function placeTouchParts(
  storage: DirectoryStorage,
  count: number,
  path: string,
): Promise<(index: number) => PartPlacement> {
  const sizes = await touchPartSizes(storage, WORK_PREFIX, count);
  const file = await open(path, 'w');
  try {
    await file.truncate(sizes.reduce((sum, size) => sum + size, 0));
  } finally {
    await file.close();
  }
  const keys = planShardKeys(WORK_PREFIX);
  const offsets: number[] = [];
  let offset = 0;
  for (const size of sizes) {
    offsets.push(offset);
    offset += size;
  }
  return (index) => ({
    path,
    parts: { [keys.touchPart(index)]: { offset: offsets[index] as number, length: sizes[index] as number } },
  });
}

/** Customer ids at most this many over all shards: a 24-bit index beside a 28-bit hash fits a double exactly. */
const MAX_CHECKED = 2 ** 24;

/**
 * How many customer ids are in more than one shard. Each shard dedupes its own customers (a
 * repeated row updates the first), so any two equal ids are in two shards: the single-process
 * plan would have merged them. Hash and index in one double, sorted natively; equal hashes
 * are compared byte for byte.
 */
export function repeatedAcrossShards(ids: IdColumn): number {
  const total = ids.size;
  if (total > MAX_CHECKED) throw new Error(`the local runner checks at most ${MAX_CHECKED} customers, not ${total}`);
  const { bytes, starts } = ids;
  const keyed = new Float64Array(total);
  for (let at = 0; at < total; at += 1)
    keyed[at] = (fnv1a(bytes, starts[at] as number, (starts[at + 1] as number) - 1) >>> 4) * MAX_CHECKED + at;
  keyed.sort();
  let repeated = 0;
  for (let at = 1; at < total; at += 1) {
    const hash = Math.floor((keyed[at] as number) / MAX_CHECKED);
    if (hash !== Math.floor((keyed[at - 1] as number) / MAX_CHECKED)) continue;
    const id = ids.json((keyed[at] as number) % MAX_CHECKED);
    // Against every earlier one of the same hash: a collision between two other ids does not hide a repeat.
    for (let back = at - 1; back >= 0 && Math.floor((keyed[back] as number) / MAX_CHECKED) === hash; back -= 1) {
      if (Buffer.compare(id, ids.json((keyed[back] as number) % MAX_CHECKED)) === 0) {
        repeated += 1;
        break;
      }
    }
  }
  return repeated;
}

function fnv1a(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let at = from; at < to; at += 1) hash = Math.imul(hash ^ (bytes[at] as number), 0x01000193);
  return hash >>> 0;
}
