/**
 * A campaign's control plane in the `campaigns` table: its lifecycle (state, versions,
 * paused and cancelled waves, the audit trail: one item, changed by one conditional write)
 * and its planned versions (one immutable item each, kept for review and diff).
 */
import type { Campaign } from '../domain/campaign.ts';
import type { Lifecycle, LifecycleControl } from '../domain/campaign-lifecycle.ts';
import type { CostEstimate, PlanDiff } from '../domain/plan-review.ts';
import type { Timeline } from '../domain/timeline.ts';

export type { CostEstimate, PlanDiff };

export interface StoredVersion {
  campaignId: string;
  version: number;
  campaign: Campaign;
  timeline: Timeline;
  /** The planning time, ISO 8601. */
  plannedAt: string;
  /** Who planned it (the uploader, or the API caller). */
  plannedBy: string;
  cost: CostEstimate;
  diff?: PlanDiff;
  /**
   * Where the plan came from when it was an upload: the object key and the upload's event
   * sequencer, so a repeated delivery of one upload finds its version instead of making another.
   */
  source?: string;
}

export interface LifecycleStore {
  getLifecycle(campaignId: string): Promise<Lifecycle | undefined>;
  /**
   * The control part of the lifecycle (state, approved version, paused and cancelled waves),
   * read consistently and without the audit trail: what a send worker checks while it sends.
   */
  getControl(campaignId: string): Promise<LifecycleControl | undefined>;
  /**
   * Writes `next` if the stored revision is still `expectedRevision` (0: no lifecycle yet).
   * False when someone else changed it first: decide again on a fresh read.
   */
  saveLifecycle(next: Lifecycle, expectedRevision: number): Promise<boolean>;
  /** Claims a version number before its touches are written; false when it is taken. */
  reserveVersion(campaignId: string, version: number, at: string): Promise<boolean>;
  /**
   * Ties an upload (`<key>@<sequencer>`) to the sharded plan started for it: the first claim
   * stands and every later one (a redelivered event, one racing it) gets it back, so all of
   * them continue the same version, planned at the same instant.
   */
  claimSource(campaignId: string, source: string, claim: SourceClaim): Promise<SourceClaim>;
  /** Notes on a reserved version the sharded plan now planning it (kept until the version is planned). */
  markPlanRun(campaignId: string, version: number, run: PlanRun): Promise<void>;
  /** Notes on a reserved version that its sharded plan was refused, each problem by its field. */
  refusePlanRun(
    campaignId: string,
    version: number,
    problems: ReadonlyArray<{ path: string; message: string }>,
  ): Promise<void>;
  /** The sharded plans not stored as a version (still planning, or refused), oldest first. */
  planRuns(campaignId: string): Promise<PlanRunView[]>;
  /** Completes a reserved version with its plan. */
  saveVersion(version: StoredVersion): Promise<void>;
  /** A planned version; undefined while only reserved, or when there is none. */
  getVersion(campaignId: string, version: number): Promise<StoredVersion | undefined>;
  /** Every planned version, oldest first, without their timelines' sends. */
  listVersions(campaignId: string): Promise<Array<Omit<StoredVersion, 'campaign' | 'timeline'>>>;
}

/** The sharded plan an upload started: its version and planning instant (epoch ms). */
export interface SourceClaim {
  version: number;
  now: number;
}

/** A sharded plan started for a reserved version. */
export interface PlanRun {
  shards: number;
  customers: number;
  /** ISO 8601. */
  startedAt: string;
}

export interface PlanRunView extends PlanRun {
  version: number;
  /** Set when the reduce refused the plan: why, by field. */
  refused?: Array<{ path: string; message: string }>;
}
