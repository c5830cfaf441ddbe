/**
 * A customer taps a tracked link: the id is checked (an altered or made-up one is refused
 * before anything is read), its link looked up (one small read), and its first click
 * recorded with one conditional write, so a replay, a retry or two taps racing count once.
 * The customer is sent on whether the click was new or not: counting never stands between
 * a customer and the store.
 */
import type { TokenKeys } from '../domain/signed-token.ts';
import { isTrackedLinkId } from '../domain/tracked-link.ts';
import type { Clock } from '../ports/clock.ts';
import type { LinkStore } from '../ports/link-store.ts';

export interface FollowLinkDeps {
  links: Pick<LinkStore, 'resolve' | 'recordClick'>;
  /** The link keys (purpose `link`). */
  keys(): Promise<TokenKeys>;
  clock: Pick<Clock, 'now'>;
}

export type FollowLinkOutcome =
  | { kind: 'redirect'; to: string; click: 'recorded' | 'already'; campaignId: string; waveId: string }
  /** Not one of ours, altered, or of a message never sent: nothing recorded. */
  | { kind: 'not-found' };

export async function followLink(deps: FollowLinkDeps, token: unknown): Promise<FollowLinkOutcome> {
  if (!isTrackedLinkId(await deps.keys(), token)) return { kind: 'not-found' };
  const link = await deps.links.resolve(token);
  if (!link) return { kind: 'not-found' };
  const { to, ...touch } = link;
  const click = await deps.links.recordClick({ ...touch, at: new Date(deps.clock.now()).toISOString() });
  return { kind: 'redirect', to, click, campaignId: link.campaignId, waveId: link.waveId };
}
