/**
 * The sharded plan's last step: the reduce's plan (timeline, each send's members, groups,
 * care flags, control groups) becomes a draft version exactly as a plan made in one process
 * does, through the same storing code (plan-draft.ts `storeDraft`): the touches in the
 * touches table, then the version with its timeline, cost and diff, then `plan` on the
 * lifecycle. The customers' addresses and names are read again shard by shard (the same
 * rows the first pass planned, checked against its ids), so no step holds every customer.
 * A plan of an uploaded campaign file writes the file's answer beside it, as the plan
 * function does (`reports/<key>.plan.json`, the timeline pages).
 *
 * Safe to repeat and to race: the version number was claimed when the plan started, the
 * touches are keyed by version, send and customer (a rewrite puts the same items), the
 * version is saved only over its reservation (a conditional write), and a finish that finds
 * the version saved only makes sure the lifecycle records it.
 */
import { Buffer } from 'node:buffer';
import { PREFIX } from '../contract.ts';
import type { CustomerSet } from '../domain/customer-set.ts';
import { encodeIds } from '../domain/planner/shards/touch-lines.ts';
import { ensureRecorded, type PlanDraftResult, storeDraft } from './plan-draft.ts';
import {
  type PlanShardDeps,
  planShardKeys,
  readAll,
  readInput,
  readReducedPlan,
  readShardCustomers,
  type ShardCustomerSource,
} from './plan-shards.ts';
import { writePlanReport } from './plan-uploaded-campaign.ts';

export interface FinishRequest {
  campaignId: string;
  /** The version claimed when the plan started: its work prefix is named by it. */
  version: number;
  workPrefix: string;
  shardCount: number;
  source: ShardCustomerSource;
}

export interface FinishResult {
  version: number;
  counts: { sends: number; touches: number; shards: number };
  /** True when an earlier attempt had stored the version already. */
  replayed: boolean;
}

export async function runFinish(deps: PlanShardDeps, request: FinishRequest): Promise<FinishResult> {
  const { storage, drafts } = deps;
  if (!drafts) throw new Error('this runtime stores no draft versions');
  const input = await readInput(storage, request.workPrefix);
  const { campaign, now } = input;
  if (campaign.id !== request.campaignId)
    throw new Error(`${planShardKeys(request.workPrefix).input} plans ${campaign.id}, not ${request.campaignId}`);
  const actor = input.actor ?? 'system';
  const { plan, reduced } = await readReducedPlan(storage, request.workPrefix);
  if (reduced.shardCount !== request.shardCount)
    throw new Error(`the reduce planned ${reduced.shardCount} shards, not ${request.shardCount}`);
  const result = (stored: Omit<PlanDraftResult, 'replayed'>, replayed: boolean): FinishResult => ({
    version: stored.version,
    counts: { sends: stored.timeline.sends.length, touches: reduced.touches, shards: reduced.shardCount },
    replayed,
  });

  const uploaded = uploadedKey(input.source);
  const finished = async (stored: Omit<PlanDraftResult, 'replayed'>, replayed: boolean) => {
    // An uploaded file's answer beside it, as the plan function writes it for a plan in one process.
    if (uploaded) await writePlanReport(storage, uploaded, stored);
    return result(stored, replayed);
  };

  const saved = await drafts.lifecycle.getVersion(campaign.id, request.version);
  if (saved) return finished(await ensureRecorded(drafts.lifecycle, saved, actor, now), true);

  const current = await drafts.lifecycle.getLifecycle(campaign.id);
  try {
    const stored = await storeDraft(drafts, {
      campaign,
      plan,
      actor,
      now,
      current,
      fromStore: request.source.kind === 'table',
      version: request.version,
      customerRuns: () => shardRuns(deps, request, input, reduced.offsets, reduced.customers),
      ...(input.source ? { source: input.source } : {}),
    });
    return await finished(stored, false);
  } catch (error) {
    // A finish racing this one saved the version first (the conditional write refused ours).
    const raced = await drafts.lifecycle.getVersion(campaign.id, request.version);
    if (!raced) throw error;
    return finished(await ensureRecorded(drafts.lifecycle, raced, actor, now), true);
  }
}

/** The campaign file an upload's source (`<key>@<sequencer>`) names, if it is one. */
function uploadedKey(source: string | undefined): string | undefined {
  const at = source?.lastIndexOf('@') ?? -1;
  const key = at > 0 ? source?.slice(0, at) : undefined;
  return key?.startsWith(PREFIX.campaigns) ? key : undefined;
}

/** Each shard's customers at its offset in the plan, read one shard at a time. */
async function* shardRuns(
  deps: PlanShardDeps,
  request: FinishRequest,
  input: Pick<Awaited<ReturnType<typeof readInput>>, 'campaign' | 'columns'>,
  offsets: readonly number[],
  total: number,
): AsyncIterable<{ offset: number; customers: CustomerSet }> {
  const keys = planShardKeys(request.workPrefix);
  for (let index = 0; index < request.shardCount; index += 1) {
    const offset = offsets[index] as number;
    const shard = { index, count: request.shardCount };
    const { customers } = await readShardCustomers(deps, { ...request, shard }, input.campaign, input.columns);
    // The rows the first pass planned, in its order, or the customers changed meanwhile:
    // addresses read now must belong to the customers the plan chose.
    const expected = (offsets[index + 1] ?? total) - offset;
    const ids = await readAll(deps.storage, keys.ids(index));
    if (customers.size !== expected || !Buffer.from(encodeIds(customers)).equals(ids))
      throw new Error(
        `shard ${index}'s customers changed since its first pass (${customers.size} read, ${expected} planned): plan again`,
      );
    yield { offset, customers };
  }
}
