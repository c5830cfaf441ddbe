/**
 * The sharded plan's three passes and its finish, one Lambda each, run by the plan state machine (a
 * Distributed Map over the shards, a reduce, a second Distributed Map) on AWS and by the
 * local runner (functions/local/plan-shards-runner.ts) in child processes:
 *
 * - `firstPass`: one shard of the customers (a byte range of the segment CSV cut at line
 *   boundaries, or a range of the customers table's parallel-Scan segments) becomes each
 *   customer's candidate touches, value and second-touch score (compact columns) and the
 *   shard's summary (counts, drops, groups): both to S3 under the work prefix.
 * - `reduce`: every shard's columns in shard order make the whole campaign's global decisions
 *   (the multi-SMS share, even groups in value order, the budget's cut), the very phases the
 *   single-process planner runs: the timeline and each send's members to S3.
 * - `secondPass`: one range of the touch sequence becomes its part of touches.jsonl; the parts
 *   in shard order are byte for byte the single-process plan's file. Given the source (the
 *   state machine gives it), the shard's customers are read again and their touches written
 *   to the touches table, every shard in parallel.
 * - `finish`: the reduce's plan becomes the draft version (the version with its timeline,
 *   cost and diff, then its record), stored by the single-process path's own code.
 *
 * Step Functions passes at most 256 KB between states: events and results carry keys and
 * counts only; every list lives in S3 under `workPrefix` (planShardKeys names each file).
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { SERVICE } from '../contract.ts';
import { observability } from '../observability.ts';
import { type FinishResult, runFinish } from '../usecases/finish-sharded-plan.ts';
import {
  type FirstPassResult,
  type PlanShardDeps,
  type ReduceResult,
  runFirstPass,
  runReduce,
  runSecondPass,
  type SecondPassResult,
} from '../usecases/plan-shards.ts';

const observed = observability(SERVICE.planShards);
const { logger } = observed;

/** Shards per pass at most: a Distributed Map runs up to 10,000 child executions at once. */
export const MAX_SHARDS = 10_000;

const shard = z
  .object({ index: z.int().min(0), count: z.int().min(1).max(MAX_SHARDS) })
  .refine((value) => value.index < value.count, { message: 'index must be less than count', path: ['index'] });

const base = {
  campaignId: z.string().min(1).max(200),
  version: z.int().min(1),
  /** Where this plan's files live: `private/plan-shards/<campaign-id>/v<version>/`, ending in `/`. */
  workPrefix: z.string().min(1).max(900).endsWith('/'),
};

/** Where a shard's customers come from. */
export const shardSource = z.discriminatedUnion('kind', [
  z.object({
    /** One segment CSV (a header line, one customer a line): shard i reads the i-th of count byte ranges, cut at line starts. */
    kind: z.literal('csv'),
    key: z.string().min(1).max(1024),
    /** The content the plan was started on: a file replaced meanwhile fails the shard, never mixes versions. */
    etag: z.string().min(1),
  }),
  z.object({
    /** The customers table: shard i of count scans segments [i * totalSegments / count, (i + 1) * totalSegments / count). */
    kind: z.literal('table'),
    totalSegments: z.int().min(1).max(1_000_000),
  }),
]);
export type ShardSource = z.infer<typeof shardSource>;

export const firstPassEvent = z.object({ ...base, shard, source: shardSource });
export type FirstPassEvent = z.infer<typeof firstPassEvent>;

export const reduceEvent = z.object({ ...base, shardCount: z.int().min(1).max(MAX_SHARDS) });
export type ReduceEvent = z.infer<typeof reduceEvent>;

/** With `source` (the plan state machine's), the pass also writes its customers' touches to the touches table. */
export const secondPassEvent = z.object({ ...base, shard, source: shardSource.optional() });
export type SecondPassEvent = z.infer<typeof secondPassEvent>;

export const finishEvent = z.object({ ...base, shardCount: z.int().min(1).max(MAX_SHARDS), source: shardSource });
export type FinishEvent = z.infer<typeof finishEvent>;

export type { FinishResult, FirstPassResult, ReduceResult, SecondPassResult };

/** A malformed event cannot become valid by retrying: the state machine's Catch sees this name. */
export class ShardEventError extends Error {
  constructor(
    readonly pass: string,
    readonly issues: string[],
  ) {
    super(`not a ${pass} event: ${issues.join('; ')}`);
    this.name = 'ShardEventError';
  }
}

function parse<T>(pass: string, schema: z.ZodType<T>, event: unknown): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
  logger.error('not a plan shard event', { pass, issues });
  throw new ShardEventError(pass, issues);
}

/**
 * The three passes over the dependencies `depsOf` gives (S3 and the customers table on AWS; a
 * folder as the object store in the local runner's child processes): the same parsing, use
 * cases and logs whichever runtime calls them.
 */
export function planShardPasses(depsOf: () => PlanShardDeps | Promise<PlanShardDeps>) {
  return {
    async firstPass(event: unknown): Promise<FirstPassResult> {
      const input = parse('firstPass', firstPassEvent, event);
      const result = await runFirstPass(await depsOf(), input);
      logger.info('plan shard first pass', { campaignId: input.campaignId, version: input.version, ...result.counts });
      return result;
    },
    async reduce(event: unknown): Promise<ReduceResult> {
      const input = parse('reduce', reduceEvent, event);
      const result = await runReduce(await depsOf(), input);
      logger.info('plan shards reduced', { campaignId: input.campaignId, version: input.version, ...result.counts });
      return result;
    },
    async secondPass(event: unknown): Promise<SecondPassResult> {
      const input = parse('secondPass', secondPassEvent, event);
      const result = await runSecondPass(await depsOf(), input);
      logger.info('plan shard second pass', { campaignId: input.campaignId, version: input.version, ...result.counts });
      return result;
    },
    async finish(event: unknown): Promise<FinishResult> {
      const input = parse('finish', finishEvent, event);
      const result = await runFinish(await depsOf(), input);
      if (result.refused) {
        logger.warn('sharded plan refused', {
          campaignId: input.campaignId,
          version: input.version,
          problems: result.refused,
        });
        return result;
      }
      logger.info('sharded plan stored as a draft', {
        campaignId: input.campaignId,
        version: result.version,
        replayed: result.replayed,
        ...result.counts,
      });
      return result;
    },
  };
}
export type PlanShardPasses = ReturnType<typeof planShardPasses>;

// The AWS composition (every SDK client) is loaded on the first event only: the local
// runner's child processes, which bring their own store, never pay for it.
const passes = planShardPasses(async () => (await import('../composition.ts')).planShardDependencies(loadConfig()));

/** The four steps as the local plan runner calls them (adapters/local/sharded-plan-runner.ts). */
export const planShardSteps = passes;

/** The Lambda entry points (one function, three handlers: `plan-shards.firstPass` and so on). */
export const firstPassHandler = observed.handler(passes.firstPass);
export const reduceHandler = observed.handler(passes.reduce);
export const secondPassHandler = observed.handler(passes.secondPass);
export const finishHandler = observed.handler(passes.finish);
export {
  finishHandler as finish,
  firstPassHandler as firstPass,
  reduceHandler as reduce,
  secondPassHandler as secondPass,
};
