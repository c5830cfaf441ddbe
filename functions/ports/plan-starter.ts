/**
 * Starts the sharded plan of one campaign version (the plan state machine on AWS, the same
 * shard handler in this process locally). The version is reserved and the run's input.json
 * written before it starts; the run stores the draft version when it finishes.
 */

/** Where a shard's customers come from (handlers/plan-shards.ts validates it). */
export type ShardCustomerSource = { kind: 'csv'; key: string; etag: string } | { kind: 'table'; totalSegments: number };

/** The execution input, exactly what the plan state machine and its shard handlers read. */
export interface ShardedPlanInput {
  campaignId: string;
  version: number;
  /** `private/plan-shards/<campaign-id>/v<version>/` (contract.ts planWorkPrefix). */
  workPrefix: string;
  shardCount: number;
  source: ShardCustomerSource;
}

export interface ShardedPlanRun {
  /** One per campaign and version (contract.ts planExecutionName): a repeated start is the same run. */
  name: string;
  input: ShardedPlanInput;
}

export interface ShardedPlanStarter {
  start(run: ShardedPlanRun): Promise<{ executionArn: string }>;
}
