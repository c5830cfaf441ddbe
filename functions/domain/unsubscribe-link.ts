/**
 * The email unsubscribe link: `<base>/unsubscribe?t=<token>`, the token a sealed
 * `{campaign, customer, channel}` (see signed-token.ts), so the link names nobody in clear
 * and works for that one customer only. It never expires: a link in a mail sent months ago
 * must still unsubscribe.
 */
import { z } from 'zod';
import { UNSUBSCRIBE_PATH } from '../contract.ts';
import { openJson, sealJson, type TokenKeys } from './signed-token.ts';

/** The key purpose of unsubscribe tokens; tracked links use another, so neither opens as the other. */
export const UNSUBSCRIBE_PURPOSE = 'unsubscribe';

export interface UnsubscribeRequest {
  campaignId: string;
  customerId: string;
  channel: 'email';
}

/** Short keys: the token's length grows with the payload's. */
const payloadSchema = z.object({
  v: z.literal(1),
  ch: z.literal('email'),
  c: z.string().min(1).max(256),
  u: z.string().min(1).max(256),
});

export function unsubscribeToken(keys: TokenKeys, request: Omit<UnsubscribeRequest, 'channel'>): string {
  if (keys.purpose !== UNSUBSCRIBE_PURPOSE) throw new Error(`unsubscribe tokens need ${UNSUBSCRIBE_PURPOSE} keys`);
  return sealJson(keys, { v: 1, ch: 'email', c: request.campaignId, u: request.customerId });
}

/** The request a token stands for, or undefined when it is not one of ours (altered, truncated, other purpose). */
export function readUnsubscribeToken(keys: TokenKeys, token: unknown): UnsubscribeRequest | undefined {
  const payload = openJson(keys, token, payloadSchema);
  return payload && { campaignId: payload.c, customerId: payload.u, channel: payload.ch };
}

/** `https://shop.example.com` (or with a path, or a trailing slash) + token -> the link. */
export function unsubscribeUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}${UNSUBSCRIBE_PATH}?t=${token}`;
}
