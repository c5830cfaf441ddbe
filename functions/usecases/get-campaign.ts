/**
 * What `GET /campaigns/{id}` shows a marketer: the campaign's state, its versions (who
 * planned each, when, at what cost), the latest version's warnings, cost and diff against
 * the approved one, the sends being sent with their state, the paused and cancelled waves,
 * and the audit trail of every change.
 */
import type { AuditEntry, CampaignState, Lifecycle } from '../domain/campaign-lifecycle.ts';
import { withChineseMessages } from '../domain/field-texts.ts';
import type { CostEstimate, PlanDiff } from '../domain/plan-review.ts';
import type { CampaignStore, SendState } from '../ports/campaign-store.ts';
import type { LifecycleStore, PlanRunView } from '../ports/lifecycle-store.ts';
import { unknownCampaign } from './errors.ts';

export interface GetCampaignDeps {
  lifecycle: Pick<LifecycleStore, 'getLifecycle' | 'getVersion' | 'listVersions' | 'planRuns'>;
  campaigns: Pick<CampaignStore, 'getSends'>;
}

export interface VersionSummary {
  version: number;
  plannedAt: string;
  plannedBy: string;
  totalCny: number;
  /** `approved` for the version being sent, `draft` for one newer, `superseded` for older ones. */
  status: 'approved' | 'draft' | 'superseded';
}

export interface SendView {
  id: string;
  waveId: string;
  channel: 'sms' | 'email';
  group: number;
  slice: number;
  at: string;
  customers: number;
  state: SendState;
  dispatchedAt?: string;
  /** The version the send belongs to: older than the approved one when it had started and was kept. */
  version: number;
}

export interface CampaignView {
  campaignId: string;
  state: CampaignState;
  latestVersion: number;
  approvedVersion?: number;
  pausedWaves: string[];
  cancelledWaves: string[];
  versions: VersionSummary[];
  latest: { version: number; plannedAt: string; warnings: string[]; cost: CostEstimate; diff?: PlanDiff };
  /** The sends of the approved version (empty before the first approval), in time order. */
  sends: SendView[];
  /** Sharded plans of newer versions not stored yet: still planning, or refused (with why). */
  planning: PlanRunView[];
  audit: AuditEntry[];
}

export async function getCampaign(deps: GetCampaignDeps, campaignId: string): Promise<CampaignView> {
  const lifecycle = await deps.lifecycle.getLifecycle(campaignId);
  if (!lifecycle) throw unknownCampaign(campaignId);
  const [latest, versions, sends, runs] = await Promise.all([
    deps.lifecycle.getVersion(campaignId, lifecycle.latestVersion),
    deps.lifecycle.listVersions(campaignId),
    deps.campaigns.getSends(campaignId),
    deps.lifecycle.planRuns(campaignId),
  ]);
  const status = (version: number): VersionSummary['status'] =>
    version === lifecycle.approvedVersion
      ? 'approved'
      : version > (lifecycle.approvedVersion ?? 0)
        ? 'draft'
        : 'superseded';
  return {
    campaignId,
    state: lifecycle.state,
    latestVersion: lifecycle.latestVersion,
    ...(lifecycle.approvedVersion === undefined ? {} : { approvedVersion: lifecycle.approvedVersion }),
    pausedWaves: lifecycle.pausedWaves,
    cancelledWaves: lifecycle.cancelledWaves,
    versions: versions
      // A version planned but never recorded on the lifecycle (its plan was refused at the end) is not shown.
      .filter((version) => version.version <= lifecycle.latestVersion)
      .map((version) => ({
        version: version.version,
        plannedAt: version.plannedAt,
        plannedBy: version.plannedBy,
        totalCny: version.cost.totalCny,
        status: status(version.version),
      })),
    latest: {
      version: lifecycle.latestVersion,
      plannedAt: latest?.plannedAt ?? '',
      warnings: latest?.timeline.warnings ?? [],
      cost: latest?.cost ?? emptyCost(),
      ...(latest?.diff ? { diff: latest.diff } : {}),
    },
    sends: sends
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1))
      .map(({ id, waveId, channel, group, slice, at, customers, state, dispatchedAt, version }) => ({
        id,
        waveId,
        channel,
        group,
        slice,
        at,
        customers,
        state,
        ...(dispatchedAt ? { dispatchedAt } : {}),
        version,
      })),
    planning: runsAfterLatest(runs, lifecycle).map((run) =>
      run.refused ? { ...run, refused: withChineseMessages(run.refused) } : run,
    ),
    audit: lifecycle.audit,
  };
}

/**
 * The sharded plans of versions after the latest recorded one (all of them before the first):
 * a run of an older version is history, its number passed over by a later plan.
 */
export function runsAfterLatest(
  runs: readonly PlanRunView[],
  lifecycle: Pick<Lifecycle, 'latestVersion'> | undefined,
): PlanRunView[] {
  return runs.filter((run) => run.version > (lifecycle?.latestVersion ?? 0));
}

function emptyCost(): CostEstimate {
  return { sms: { messages: 0, parts: 0, cny: 0 }, email: { messages: 0, cny: 0 }, totalCny: 0, lines: [] };
}
