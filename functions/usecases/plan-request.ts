/**
 * A plan asked for (`PUT /campaigns/{id}`, or a campaign file uploaded): planned in this
 * process and answered with the draft, or, for a campaign of at least the threshold's
 * customers, handed to the sharded plan (the plan state machine on AWS) and answered at once
 * with the version it will store. One process holds about 1.56 GB per million customers; the shards never hold
 * them all.
 *
 * Starting a sharded plan: the version number is reserved (the same conditional write as a
 * plan in one process), the run's input.json is written under the version's own work prefix,
 * then the run is started under a name fixed by the campaign and version, so a start repeated
 * after a lost reply is the run already started; an upload's redelivered event finds the
 * version its first delivery claimed (lifecycle `claimSource`) and starts the same run. The
 * run's finish stores the draft and records the plan on the lifecycle, as a plan in one
 * process does. A start that fails leaves the version reserved and unused: the next plan
 * takes the next number.
 */
import { planExecutionName, planWorkPrefix, SHARDED_PLAN } from '../contract.ts';
import type { ObjectStorage } from '../ports/object-storage.ts';
import type { ShardedPlanInput, ShardedPlanStarter } from '../ports/plan-starter.ts';
import {
  type PlanDraftDeps,
  type PlanDraftRequest,
  type PlanDraftResult,
  planInProcess,
  preparePlan,
  reserveNext,
} from './plan-draft.ts';
import { type PlanShardsInput, planShardKeys } from './plan-shards.ts';

export interface ShardingDeps {
  starter: ShardedPlanStarter;
  /** Where the run's files live (the data bucket). */
  storage: Pick<ObjectStorage, 'put'>;
  /** Campaigns with at least this many customers plan in shards. */
  thresholdCustomers: number;
  /** The customers imported for a campaign (each current file's imported rows): read without reading them. */
  countCustomers(campaignId: string): Promise<number>;
}

export interface PlanRequestDeps extends PlanDraftDeps {
  /** Absent: every plan runs in this process. */
  sharding?: ShardingDeps;
}

export type PlanRequestOutcome =
  | { kind: 'planned'; draft: PlanDraftResult }
  | {
      kind: 'planning';
      campaignId: string;
      /** The version the run stores when it finishes (reserved now). */
      version: number;
      shards: number;
      /** The customers counted for the choice: each current file's imported rows. */
      customers: number;
      executionArn: string;
    };

/** Shards for this many customers: half a million each, at least 2, at most the state machine's 1,000. */
export function shardCountFor(customers: number): number {
  return Math.min(SHARDED_PLAN.maxShards, Math.max(2, Math.ceil(customers / SHARDED_PLAN.customersPerShard)));
}

export async function planRequested(deps: PlanRequestDeps, request: PlanDraftRequest): Promise<PlanRequestOutcome> {
  const prepared = await preparePlan(deps, request);
  if (prepared.replay) return { kind: 'planned', draft: prepared.replay };
  const { sharding } = deps;
  const { campaign, current } = prepared;
  const customers = sharding ? await sharding.countCustomers(campaign.id) : 0;
  if (!sharding || customers < sharding.thresholdCustomers)
    return { kind: 'planned', draft: await planInProcess(deps, request, prepared) };

  const plannedAt = new Date(request.now).toISOString();
  const reserved = await reserveNext(deps.lifecycle, campaign.id, current?.latestVersion ?? 0, plannedAt);
  // An upload delivered again (or twice at once) continues the run its first delivery
  // started: the same version and planning instant, so the same input.json and execution
  // name. The number reserved here then stays unused.
  const { version, now } = request.source
    ? await deps.lifecycle.claimSource(campaign.id, request.source, { version: reserved, now: request.now })
    : { version: reserved, now: request.now };
  const workPrefix = planWorkPrefix(campaign.id, version);
  const input: PlanShardsInput = {
    campaign,
    now,
    actor: request.actor,
    ...(request.source ? { source: request.source } : {}),
  };
  await sharding.storage.put(planShardKeys(workPrefix).input, JSON.stringify(input), 'application/json');
  const shards = shardCountFor(customers);
  const execution: ShardedPlanInput = {
    campaignId: campaign.id,
    version,
    workPrefix,
    shardCount: shards,
    source: { kind: 'table', totalSegments: shards * SHARDED_PLAN.segmentsPerShard },
  };
  const { executionArn } = await sharding.starter.start({
    name: planExecutionName(campaign.id, version),
    input: execution,
  });
  // What GET /campaigns/{id} and the console show until the version is stored.
  await deps.lifecycle.markPlanRun(campaign.id, version, {
    shards,
    customers,
    startedAt: new Date(now).toISOString(),
  });
  return { kind: 'planning', campaignId: campaign.id, version, shards, customers, executionArn };
}
