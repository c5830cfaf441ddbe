/** The per-customer ledger: every message is claimed here once, under the caps, before it is sent. */

export interface LedgerClaim {
  customerId: string;
  /** One touch of a campaign: `<campaign>#<wave>#<channel>`; the same id is never claimed twice. */
  touchId: string;
  campaignId: string;
  touchCap: number;
  /** SMS only: the calendar month (`YYYY-MM`, campaign zone) and its cap, across campaigns. */
  smsMonth?: { month: string; cap: number };
}

export type ClaimOutcome =
  | { kind: 'claimed' }
  /** Claimed before (a redelivery, or a crash after claiming): never sent again. */
  | { kind: 'already' }
  | { kind: 'refused'; reason: 'cap:touches' | 'cap:sms-month' };

export interface Ledger {
  claim(request: LedgerClaim): Promise<ClaimOutcome>;
  /**
   * Gives a claim back (the touch id, the campaign's touch and the month's SMS count): only for a
   * message known not to have reached the provider (it throttled it, then the send was paused).
   */
  release(request: LedgerClaim): Promise<void>;
  /** The customers among these whose touch is claimed: a touch claimed with no outcome may have been sent. */
  claimedAmong(touches: ReadonlyArray<Pick<LedgerClaim, 'customerId' | 'touchId'>>): Promise<Set<string>>;
}

/** Shared pacing for the workers of a channel: at most `rate` messages in any clock second. */
export interface RateLimiter {
  /** Resolves when one message may go now. */
  take(): Promise<void>;
  /** The provider throttled a message: this worker slows down (and speeds up again as messages pass). */
  throttled(): void;
  /** This worker is done: what it was granted in the current second and did not use goes back to the others. */
  release?(): Promise<void>;
}

/** Who paid since a time (order webhooks keep it), for `stopOnPurchase` waves. */
export interface PurchaseCheck {
  paidSince(customerIds: readonly string[], since: number): Promise<Set<string>>;
}
