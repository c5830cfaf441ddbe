/**
 * The record of test sends: every test message, apart from the plan. It never touches the
 * ledger (a test counts against no cap) and the report never reads it (no total includes it).
 */
import type { Channel } from '../domain/timeline.ts';

export interface TestTouch {
  campaignId: string;
  /** The version whose texts were sent (the latest: the draft under review). */
  version: number;
  waveId: string;
  channel: Channel;
  /** Which rendering: `mobile/name`, `pc/fallback-name`, ... (see testSend). */
  variant: string;
  /** Whose SMS text it was: a playbook group, or `care` (the wave's care text). */
  group?: string;
  /** The phone (E.164) or email address, as listed in the campaign's testRecipients. */
  address: string;
  status: 'sent' | 'failed';
  providerMessageId?: string;
  /** Why it failed (masked). */
  reason?: string;
  /** One test-send request: all its messages share it. */
  requestId: string;
  actor: string;
  /** ISO 8601 instant the provider took (or refused) it. */
  at: string;
}

export interface TestTouchStore {
  record(touch: TestTouch): Promise<void>;
  /** Every test message of a campaign, oldest first. */
  list(campaignId: string): Promise<TestTouch[]>;
}
