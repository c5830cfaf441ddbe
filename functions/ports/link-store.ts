/**
 * Tracked links and their clicks. The send path registers each message's link before the
 * message leaves (what the id stands for and where it leads); the redirect resolves an id
 * and records its first click; the report reads a campaign's clicks.
 */

/**
 * What one tracked link stands for: one customer's message of one wave and channel, or one
 * order rule's reminder of one order (`waveId` is then the rule).
 */
export interface LinkRecord {
  /** The link's id (domain/tracked-link.ts): the path `/l/<id>`. */
  id: string;
  campaignId: string;
  waveId: string;
  channel: 'sms' | 'email';
  customerId: string;
  sendId: string;
  /** An order rule's reminder: the order it is about (domain/tracked-link.ts). */
  orderId?: string;
  /** The plan's group of the customer (`d11-loyal`, ...): the report's breakdown by group. */
  group?: string;
  /** Where the redirect sends the customer: the wave's mobile or PC link, by their device. */
  to: string;
}

/** The first click on one link: one per customer and message, however often it is followed. */
export interface Click extends Omit<LinkRecord, 'to'> {
  /** ISO 8601: when the link was first followed. */
  at: string;
}

export interface LinkStore {
  /** Registers links (batched; the same link again writes the same record). */
  register(links: readonly LinkRecord[]): Promise<void>;
  /** The link an id names, or undefined (one small read). */
  resolve(id: string): Promise<LinkRecord | undefined>;
  /** Records a click once: `recorded` the first time, `already` for every replay or race after it. */
  recordClick(click: Click): Promise<'recorded' | 'already'>;
  /** Every click of a campaign. */
  clicks(campaignId: string): Promise<Click[]>;
}
