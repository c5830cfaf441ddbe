/**
 * The plan state machine's steps run in this process, in the order and with the limits
 * lib/sharded-plan.ts gives Step Functions: every shard's first pass (at most
 * `maxConcurrency` at once, no failure tolerated), the reduce, every shard's second pass,
 * the finish; each step is the shard handler itself (handlers/plan-shards.ts), given the
 * event the state machine would give it. A run started again under its name is the same run,
 * as an execution name is.
 */
import type { ShardedPlanInput, ShardedPlanRun, ShardedPlanStarter } from '../../ports/plan-starter.ts';

/** The shard handler's four entry points. */
export interface LocalPlanSteps {
  firstPass(event: unknown): Promise<unknown>;
  reduce(event: unknown): Promise<unknown>;
  secondPass(event: unknown): Promise<unknown>;
  finish(event: unknown): Promise<unknown>;
}

/** Every run this process started, by name: one process is one account's executions. */
const runs = new Map<string, Promise<unknown>>();

export class LocalShardedPlan implements ShardedPlanStarter {
  constructor(
    private readonly steps: LocalPlanSteps,
    private readonly options: { maxConcurrency?: number; onFailure?: (name: string, error: unknown) => void } = {},
  ) {}

  async start(run: ShardedPlanRun): Promise<{ executionArn: string }> {
    if (!runs.has(run.name)) {
      // After the caller has its answer, as an execution starts after StartExecution returns.
      const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        runShardedPlanSteps(this.steps, run.input, this.options.maxConcurrency ?? 2),
      );
      // A failed run stays failed (as an execution does); the caller learns of it by its log.
      started.catch((error: unknown) => this.options.onFailure?.(run.name, error));
      runs.set(run.name, started);
    }
    return { executionArn: `local:plan-shards:${run.name}` };
  }
}

/** The run's end: its finish step's result, or its failure. */
export function settledLocalPlan(name: string): Promise<unknown> {
  return runs.get(name) ?? Promise.reject(new Error(`no local sharded plan ${name}`));
}

/** The state machine's definition, step by step: NumberShards, FirstPasses, Reduce, SecondPasses, Finish. */
export async function runShardedPlanSteps(
  steps: LocalPlanSteps,
  input: ShardedPlanInput,
  maxConcurrency: number,
): Promise<unknown> {
  const common = { campaignId: input.campaignId, version: input.version, workPrefix: input.workPrefix };
  const shards = Array.from({ length: input.shardCount }, (_, index) => ({ index, count: input.shardCount }));
  await eachBounded(shards, maxConcurrency, (shard) => steps.firstPass({ ...common, shard, source: input.source }));
  await steps.reduce({ ...common, shardCount: input.shardCount });
  await eachBounded(shards, maxConcurrency, (shard) => steps.secondPass({ ...common, shard, source: input.source }));
  return steps.finish({ ...common, shardCount: input.shardCount, source: input.source });
}

/** Runs `work` on every item, at most `limit` at once; the first failure stops new items starting. */
async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
