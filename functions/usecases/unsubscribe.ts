/**
 * The email unsubscribe link (RFC 8058 one-click). Looking at the link changes nothing
 * (mail scanners and link previews fetch it); posting it records the customer's email
 * opt-out once, durably; a second post, or two at once, changes nothing more. A token we
 * did not seal (altered, truncated, another purpose) records nothing.
 */

import type { TokenKeys } from '../domain/signed-token.ts';
import { readUnsubscribeToken, type UnsubscribeRequest } from '../domain/unsubscribe-link.ts';
import type { Clock } from '../ports/clock.ts';
import type { OptOutSource, OptOutStore } from '../ports/opt-out-store.ts';

export interface UnsubscribeDeps {
  /** The unsubscribe keys (the link secret is read once per container). */
  keys(): Promise<TokenKeys>;
  optOuts: OptOutStore;
  clock: Clock;
}

/** The link is not one we made: nothing was recorded. */
export class InvalidLinkError extends Error {
  constructor() {
    super('the unsubscribe link is not valid');
    this.name = 'InvalidLinkError';
  }
}

async function read(deps: UnsubscribeDeps, token: string): Promise<UnsubscribeRequest> {
  const request = readUnsubscribeToken(await deps.keys(), token);
  if (!request) throw new InvalidLinkError();
  return request;
}

/** GET: checks the link, records nothing. */
export async function checkUnsubscribeLink(deps: UnsubscribeDeps, token: string): Promise<UnsubscribeRequest> {
  return read(deps, token);
}

export interface UnsubscribeOutcome {
  request: UnsubscribeRequest;
  /** `already`: an earlier post recorded it; this one changed nothing. */
  outcome: 'recorded' | 'already';
}

/** POST: records the email opt-out, once. */
export async function unsubscribe(
  deps: UnsubscribeDeps,
  token: string,
  source: OptOutSource,
): Promise<UnsubscribeOutcome> {
  const request = await read(deps, token);
  const outcome = await deps.optOuts.record({
    customerId: request.customerId,
    channel: request.channel,
    campaignId: request.campaignId,
    at: new Date(deps.clock.now()).toISOString(),
    source,
  });
  return { request, outcome };
}
