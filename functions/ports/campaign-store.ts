/**
 * The sends of a campaign's approved version, their shard leases, and the touches of every
 * version (DynamoDB `campaigns` and `touches` tables). The plans themselves are versions in
 * the lifecycle store.
 */
import type { Channel, PlannedSend } from '../domain/timeline.ts';

export type SendState = 'scheduled' | 'dispatched';

export interface StoredSend extends PlannedSend {
  campaignId: string;
  version: number;
  /** Touches are spread over this many shards (about 1,000 each), one worker message each. */
  shards: number;
  state: SendState;
  dispatchedAt?: string;
}

export type TouchStatus = 'planned' | 'sent' | 'failed' | 'suppressed' | 'unknown' | 'control';

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
  /** Marks a send dispatched; false when it already was (a repeated schedule firing). */
  markDispatched(campaignId: string, sendId: string, version: number, at: string): Promise<boolean>;
  /** A lease on one shard, so two deliveries of its message never send it side by side. */
  claimShard(shard: ShardRef, owner: string, now: number, leaseMs: number): Promise<ShardClaim>;
  renewShard(shard: ShardRef, owner: string, leaseUntil: number): Promise<void>;
  finishShard(shard: ShardRef, owner: string): Promise<void>;
  /** Shards finished, per send id. */
  finishedShards(campaignId: string, version: number): Promise<Map<string, number>>;
}

export interface TouchStore {
  /** Writes the touches of a send (BatchWriteItem), spread over its shards. */
  writeTouches(campaignId: string, version: number, shards: number, touches: Touch[]): Promise<void>;
  readShard(shard: ShardRef): Promise<Touch[]>;
  /** Records outcomes; batched, so `flush` makes them durable. */
  recordOutcome(shard: ShardRef, touch: Touch): Promise<void>;
  flush(): Promise<void>;
}
