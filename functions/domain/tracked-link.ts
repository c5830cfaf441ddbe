/**
 * Tracked links: every message (one customer, one wave, one channel) carries its own
 * `<base>/l/<id>`, and the redirect behind it counts the click and sends the customer on to
 * the wave's mobile or PC link.
 *
 * The id is 16 characters, not a sealed token of the customer: an SMS is billed in 70-character
 * parts, and a sealed `{campaign, wave, channel, customer}` is about 50 characters where this is
 * 16. It is an HMAC of the touch under the link secret (purpose `link`), so it is
 *   - opaque: the customer id (or anything else) cannot be read out of it;
 *   - unforgeable: nobody without the secret can make the id of another customer's message;
 *   - deterministic: the same touch always gets the same link, however often it is staged;
 *   - self-checking: its last 2 bytes are an HMAC of the first 10, so an altered or made-up
 *     id is refused (404) before the database is asked.
 * What the id stands for (campaign, wave, channel, customer, where to send them) is the link
 * record the send path writes before the message leaves (ports/link-store.ts).
 *
 * Pure: keys and data in, strings out.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TRACKED_LINK_PATH } from '../contract.ts';
import type { TokenKeys } from './signed-token.ts';

/** The key purpose of tracked links: an unsubscribe token never stands in for one, nor the other way. */
export const LINK_PURPOSE = 'link';
/** 80 bits name the touch: across a billion links a collision stays below one in ten thousand. */
const ID_BYTES = 10;
/** 16 bits of check: all but 1 in 65,536 altered or made-up ids never reach the database. */
const CHECK_BYTES = 2;
/** Characters of an id: 12 bytes in base64url. */
export const LINK_ID_LENGTH = 16;
const LINK_ID = /^[A-Za-z0-9_-]{16}$/;

/** The touch a tracked link stands for. */
export interface LinkedTouch {
  campaignId: string;
  /** A wave's id, or an order rule's (`trigger:<id>`, `presale:open`, `presale:close`). */
  waveId: string;
  channel: 'sms' | 'email';
  customerId: string;
  /**
   * The order an order rule's reminder is about: a customer reminded of two orders gets two
   * links, each counted once. Never set for a wave, whose ids stay as they were.
   */
  orderId?: string;
}

function checkOf(keys: TokenKeys, id: Buffer): Buffer {
  return createHmac('sha256', keys.mac).update('check').update(id).digest().subarray(0, CHECK_BYTES);
}

/** The id of one touch's link: the same touch and keys always give the same id. */
export function trackedLinkId(keys: TokenKeys, touch: LinkedTouch): string {
  if (keys.purpose !== LINK_PURPOSE) throw new Error(`tracked links need ${LINK_PURPOSE} keys`);
  // NUL cannot occur in an id, so no two touches write the same input.
  const parts = [touch.campaignId, touch.waveId, touch.channel, touch.customerId];
  if (touch.orderId !== undefined) parts.push(touch.orderId);
  const input = parts.join('\u0000');
  const id = createHmac('sha256', keys.mac).update('touch').update(input, 'utf8').digest().subarray(0, ID_BYTES);
  return Buffer.concat([id, checkOf(keys, id)]).toString('base64url');
}

/** Whether `token` is an id these keys made (or one in 65,536 random ones): nothing else is looked up. */
export function isTrackedLinkId(keys: TokenKeys, token: unknown): token is string {
  if (typeof token !== 'string' || !LINK_ID.test(token)) return false;
  const raw = Buffer.from(token, 'base64url');
  // The last character's spare bits: only the one canonical spelling of an id is accepted.
  if (raw.length !== ID_BYTES + CHECK_BYTES || raw.toString('base64url') !== token) return false;
  return timingSafeEqual(checkOf(keys, raw.subarray(0, ID_BYTES)), raw.subarray(ID_BYTES));
}

/** `https://s.shop.cn` (with or without a path or a trailing slash) + id -> `https://s.shop.cn/l/<id>`. */
export function trackedLinkUrl(base: string, id: string): string {
  return `${base.replace(/\/+$/, '')}${TRACKED_LINK_PATH}${id}`;
}

/**
 * A link of the length every tracked link of `base` has, for counting SMS parts and cost where
 * no customer is known yet (the plan, the draft's texts): each customer's differs only in its id.
 */
export function trackedLinkShape(base: string): string {
  return trackedLinkUrl(base, 'Xy12'.repeat(LINK_ID_LENGTH / 4));
}

/** The campaign's tracked-link base: set in its file, or filled in when it is planned. */
export function withTrackingBase<C extends { links: { trackingBase?: string | undefined } }>(
  campaign: C,
  base: string | undefined,
): C {
  if (campaign.links.trackingBase !== undefined || base === undefined) return campaign;
  return { ...campaign, links: { ...campaign.links, trackingBase: base } };
}

/**
 * What `{link}` stands for in a wave's messages, per device: the tracked link (one shape for
 * both: the redirect picks the device's link) when the campaign has a tracking base, else the
 * wave's own mobile and PC links.
 */
export function messageLinks(
  campaign: { links: { mobile: string; pc: string; trackingBase?: string | undefined } },
  wave: { links?: { mobile: string; pc: string } | undefined },
): { mobile: string; pc: string } {
  const base = campaign.links.trackingBase;
  if (base === undefined) return wave.links ?? campaign.links;
  const shape = trackedLinkShape(base);
  return { mobile: shape, pc: shape };
}
