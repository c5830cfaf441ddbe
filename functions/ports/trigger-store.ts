/**
 * Order-triggered reminders in the `campaigns` table: which approved campaigns have order rules
 * (the webhook's one read to find them), and each check's record (scheduled, waiting, and its
 * one outcome), which the report counts.
 */
import type { Campaign } from '../domain/campaign.ts';
import type { CheckRule } from '../domain/triggers.ts';

/** A campaign with order rules, as its approved version has them. */
export interface RegisteredCampaign {
  campaignId: string;
  version: number;
  campaign: Campaign;
}

export type CheckStatus = 'scheduled' | 'waiting' | 'sent' | 'suppressed' | 'failed' | 'unknown';
/** The statuses after which a check does nothing more. */
export const FINAL_CHECK_STATUSES: ReadonlySet<CheckStatus> = new Set(['sent', 'suppressed', 'failed', 'unknown']);

export interface CheckRecord {
  campaignId: string;
  rule: CheckRule;
  orderId: string;
  customerId: string;
  status: CheckStatus;
  reason?: string;
  /** ISO 8601: when it is due (again, when it waits). */
  fireAt: string;
  /** ISO 8601: when the reminder was handed to the provider. */
  sentAt?: string;
  parts?: number;
  updatedAt: string;
}

export interface TriggerStore {
  /** Keeps the approved version's campaign for the webhook (a newer version replaces an older, never the reverse). */
  register(entry: RegisteredCampaign): Promise<void>;
  /** The approved version no longer has order rules. */
  unregister(campaignId: string): Promise<void>;
  registered(): Promise<RegisteredCampaign[]>;
  registeredOne(campaignId: string): Promise<RegisteredCampaign | undefined>;
  /** Records a scheduled check unless it is recorded already (a repeated webhook changes nothing). */
  recordScheduled(record: CheckRecord): Promise<void>;
  /** Moves a check that has no outcome yet to `waiting` or to its one outcome; false when it had one already. */
  recordOutcome(record: CheckRecord): Promise<boolean>;
  getCheck(campaignId: string, rule: CheckRule, orderId: string): Promise<CheckRecord | undefined>;
  checksOf(campaignId: string): Promise<CheckRecord[]>;
}

/** Who a reminder goes to: the customer as their segment rows have them. */
export interface Contact {
  phone?: string;
  name?: string;
  device?: 'mobile' | 'pc' | 'both';
  /** The segment file said they opted out of SMS. */
  optOutSms?: boolean;
}

export interface ContactBook {
  /** The customer's contact, from this campaign's segment rows first; undefined for a customer no file has. */
  contactOf(campaignId: string, customerId: string): Promise<Contact | undefined>;
}
