/**
 * A campaign's control plane in the `campaigns` table: its lifecycle (state, versions,
 * paused and cancelled waves, the audit trail: one item, changed by one conditional write)
 * and its planned versions (one immutable item each, kept for review and diff).
 */
import type { Campaign } from '../domain/campaign.ts';
import type { Lifecycle } from '../domain/campaign-lifecycle.ts';
import type { Timeline } from '../domain/timeline.ts';

/** What a version costs at the campaign's prices (CNY), as planned. */
export interface CostEstimate {
  sms: { messages: number; parts: number; cny: number };
  email: { messages: number; cny: number };
  totalCny: number;
}

/** How a draft differs from the approved version (absent when there is none). */
export interface PlanDiff {
  againstVersion: number;
  sendsAdded: string[];
  sendsRemoved: string[];
  /** Same send id, another time: `{ id, from, to }` with ISO instants. */
  sendsMoved: Array<{ id: string; from: string; to: string }>;
  /** Planned customers per `<waveId>/<channel>`: before and after. */
  customers: Record<string, { before: number; after: number }>;
  cost: { beforeCny: number; afterCny: number };
}

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
}

export interface LifecycleStore {
  getLifecycle(campaignId: string): Promise<Lifecycle | undefined>;
  /**
   * Writes `next` if the stored revision is still `expectedRevision` (0: no lifecycle yet).
   * False when someone else changed it first: decide again on a fresh read.
   */
  saveLifecycle(next: Lifecycle, expectedRevision: number): Promise<boolean>;
  /** Claims a version number before its touches are written; false when it is taken. */
  reserveVersion(campaignId: string, version: number, at: string): Promise<boolean>;
  /** Completes a reserved version with its plan. */
  saveVersion(version: StoredVersion): Promise<void>;
  /** A planned version; undefined while only reserved, or when there is none. */
  getVersion(campaignId: string, version: number): Promise<StoredVersion | undefined>;
  /** Every planned version, oldest first, without their timelines' sends. */
  listVersions(campaignId: string): Promise<Array<Omit<StoredVersion, 'campaign' | 'timeline'>>>;
}
