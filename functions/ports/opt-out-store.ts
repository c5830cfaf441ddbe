/**
 * Opt-outs the customers gave us themselves (the unsubscribe link in an email), kept
 * durably beside the customer. Opt-outs are absolute: once recorded, every later plan and
 * send of every campaign honours it, and nothing (no import, no second click) undoes it.
 */

/** The channels a customer can leave through our own links (SMS opt-outs live at the provider). */
export type OptOutChannel = 'email';

/** How the opt-out reached us: the mail client's one-click POST (RFC 8058) or the page's button. */
export type OptOutSource = 'one-click' | 'page';

export interface OptOut {
  customerId: string;
  channel: OptOutChannel;
  /** The campaign whose mail carried the link. */
  campaignId: string;
  /** ISO 8601. */
  at: string;
  source: OptOutSource;
}

export interface OptOutStore {
  /** Records the opt-out once: `recorded` the first time, `already` after (the first record stays as it was). */
  record(optOut: OptOut): Promise<'recorded' | 'already'>;
  /** Which of these customers opted out of `channel`; read once before a send, not per message. */
  optedOut(customerIds: readonly string[], channel: OptOutChannel): Promise<Set<string>>;
}
