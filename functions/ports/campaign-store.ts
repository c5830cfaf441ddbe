/**
 * The sends of a campaign's approved version, their shard leases, and the touches of every
 * version (DynamoDB `campaigns` and `touches` tables). The plans themselves are versions in
 * the lifecycle store.
 */
import type { ShardTally } from '../domain/live-progress.ts';
import type { Channel, PlannedSend } from '../domain/timeline.ts';

/**
 * `scheduled` until its schedule fires; `held` when it fired while the campaign or its wave
 * was paused (a resume schedules it again); `dispatched` once its shards are on the queue.
 */
export type SendState = 'scheduled' | 'held' | 'dispatched';

export interface StoredSend extends PlannedSend {
  campaignId: string;
  version: number;
  /** Touches are spread over this many shards (about 1,000 each), one worker message each. */
  shards: number;
  state: SendState;
  dispatchedAt?: string;
  /** Shards that have finished (every touch has its outcome); the send is done when it reaches `shards`. */
  finishedShards?: number;
}

export type TouchStatus =
  | 'planned'
  | 'sent'
  | 'failed'
  | 'suppressed'
  | 'unknown'
  /** Not sent: it would have landed outside its window (after a pause, or a worker that was late). */
  | 'expired'
  /** Not sent: its campaign or wave was cancelled. */
  | 'cancelled'
  | 'control';

/** Which of a wave's texts a touch is: only the care text is named. */
export type TouchVariant = 'care';

/** One planned message and, once known, its outcome. */
export interface Touch {
  customerId: string;
  waveId: string;
  channel: Channel;
  sendId: string;
  /** Phone (E.164) or email address. */
  address: string;
  name?: string;
  /** Which link the customer gets (PC-only customers get the store's main link). */
  device: 'mobile' | 'pc' | 'both';
  /** The customer's member tier when the plan was made: the report's breakdown by tier. */
  tier?: string;
  /** The group the plan put the customer in (`d11-loyal`, ...): the report's breakdown by group. */
  group?: string;
  /** The marketer's own labels of the customer (segment files' `segment`, or their names): the report's breakdown by label. */
  labels?: string[];
  /**
   * `care`: the customer bought within `careDays` and gets the wave's care text (关怀短信)
   * instead of its promotion. Absent: the promotion (the wave's or the group's text).
   */
  variant?: TouchVariant;
  status: TouchStatus;
  providerMessageId?: string;
  /** Why it failed or was suppressed (`suppressed:purchase`, `opt-out`, `cap:touches`, `rejected: ...`). */
  reason?: string;
  /** SMS parts of the text as sent. */
  parts?: number;
  updatedAt?: string;
}

export interface ShardRef {
  campaignId: string;
  version: number;
  sendId: string;
  shard: number;
}

export type ShardClaim = { kind: 'claimed' } | { kind: 'done' } | { kind: 'busy' };

export interface CampaignStore {
  getSends(campaignId: string): Promise<StoredSend[]>;
  getSend(campaignId: string, sendId: string): Promise<StoredSend | undefined>;
  /**
   * Writes each send unless a send of that id has started (is no longer `scheduled`): a
   * started send is frozen. Returns the ids left as they were.
   */
  putSends(sends: StoredSend[]): Promise<string[]>;
  /** Deletes sends that have not started; returns the ids kept because they had. */
  deleteSends(campaignId: string, sendIds: string[]): Promise<string[]>;
  /**
   * Marks a send dispatched from `from` (default `scheduled`; `held` when a resume sends it);
   * false when it was not in that state (a repeated schedule firing).
   */
  markDispatched(campaignId: string, sendId: string, version: number, at: string, from?: SendState): Promise<boolean>;
  /** Marks a scheduled send held (its schedule fired while paused); false when it was not scheduled. */
  markHeld(campaignId: string, sendId: string, version: number): Promise<boolean>;
  /** A lease on one shard, so two deliveries of its message never send it side by side. */
  claimShard(shard: ShardRef, owner: string, now: number, leaseMs: number): Promise<ShardClaim>;
  renewShard(shard: ShardRef, owner: string, leaseUntil: number): Promise<void>;
  /** Lets the lease go without finishing: the shard stopped for a pause, and a resume sends it on. */
  parkShard(shard: ShardRef, owner: string): Promise<void>;
  /** Shards stopped by a pause and not taken up since. */
  parkedShards(campaignId: string): Promise<ShardRef[]>;
  /** Finished for good, with the shard's final tally (none when the shard was dropped unsent: re-planned away). */
  finishShard(shard: ShardRef, owner: string, tally?: ShardTally): Promise<void>;
  /**
   * The worker's tally of its shard so far, for the live view; false (and nothing written)
   * when the lease is no longer this owner's: the worker that took over writes its own.
   */
  reportShard(shard: ShardRef, owner: string, tally: ShardTally): Promise<boolean>;
  /** The tallies the workers of a send's shards wrote (one per shard started). */
  shardTallies(campaignId: string, version: number, sendId: string): Promise<ShardTally[]>;
  /**
   * Counts a finished shard on its send, once however often it is told (a set of shard numbers):
   * how many of the send's shards have finished, or undefined when the send is gone or re-planned.
   */
  countFinishedShard(shard: ShardRef): Promise<{ finished: number; shards: number } | undefined>;
}

export interface TouchStore {
  /** Writes the touches of a send (BatchWriteItem), spread over its shards. */
  writeTouches(campaignId: string, version: number, shards: number, touches: Touch[]): Promise<void>;
  readShard(shard: ShardRef): Promise<Touch[]>;
  /** Records outcomes; batched, so `flush` makes them durable. */
  recordOutcome(shard: ShardRef, touch: Touch): Promise<void>;
  flush(): Promise<void>;
}
