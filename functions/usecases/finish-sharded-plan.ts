/**
 * The sharded plan's last step: the reduce's plan (timeline, each send's members, groups,
 * care flags, control groups) becomes a draft version exactly as a plan made in one process
 * does, through the same storing code (plan-draft.ts `storeDraft`): the version with its
 * timeline, cost and diff, then `plan` on the lifecycle. The touches are in the touches
 * table already: each second pass wrote its own customers' (plan-shards.ts), in parallel,
 * so neither one function nor one 15-minute run bounds how many a plan may have. A plan of
 * an uploaded campaign file writes the file's answer beside it, as the plan function does
 * (`reports/<key>.plan.json`, the timeline pages).
 *
 * Safe to repeat and to race: the version number was claimed when the plan started, the
 * touches are keyed by version, send and customer (a rewrite puts the same items), the
 * version is saved only over its reservation (a conditional write), and a finish that finds
 * the version saved only makes sure the lifecycle records it.
 */
import { PREFIX } from '../contract.ts';
import { ensureRecorded, type PlanDraftResult, storeDraft } from './plan-draft.ts';
import {
  type PlanShardDeps,
  planShardKeys,
  readInput,
  readReducedPlan,
  readRefusal,
  type ShardCustomerSource,
} from './plan-shards.ts';
import { planReportKey, refusedUpload, writePlanReport } from './plan-uploaded-campaign.ts';

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
  /** The reduce's refusal, each problem as `<path>: <message>`: no version was stored. */
  refused?: string[];
}

export async function runFinish(deps: PlanShardDeps, request: FinishRequest): Promise<FinishResult> {
  const { storage, drafts } = deps;
  if (!drafts) throw new Error('this runtime stores no draft versions');
  const input = await readInput(storage, request.workPrefix);
  const { campaign, now } = input;
  if (campaign.id !== request.campaignId)
    throw new Error(`${planShardKeys(request.workPrefix).input} plans ${campaign.id}, not ${request.campaignId}`);
  const actor = input.actor ?? 'system';
  const uploaded = uploadedKey(input.source);
  const refusal = await readRefusal(storage, request.workPrefix);
  if (refusal) {
    // The version stays reserved and unused; the marketer finds why on the campaign's page
    // (and beside an uploaded file).
    const refused = refusedUpload(refusal);
    await drafts.lifecycle.refusePlanRun(campaign.id, request.version, refusal);
    if (uploaded) await storage.put(planReportKey(uploaded), JSON.stringify(refused, null, 2), 'application/json');
    return {
      version: request.version,
      counts: { sends: 0, touches: 0, shards: request.shardCount },
      replayed: false,
      refused: refused.problems,
    };
  }
  const { plan, reduced } = await readReducedPlan(storage, request.workPrefix);
  if (reduced.shardCount !== request.shardCount)
    throw new Error(`the reduce planned ${reduced.shardCount} shards, not ${request.shardCount}`);
  const result = (stored: Omit<PlanDraftResult, 'replayed'>, replayed: boolean): FinishResult => ({
    version: stored.version,
    counts: { sends: stored.timeline.sends.length, touches: reduced.touches, shards: reduced.shardCount },
    replayed,
  });

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
      // Each second pass wrote its own customers' touches: the draft is the version and its record.
      customerRuns: async function* () {},
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
