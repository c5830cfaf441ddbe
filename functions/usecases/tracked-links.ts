/**
 * Registering tracked links before the messages that carry them leave, for the waves'
 * shards (send-wave.ts) and the order rules' reminders (trigger-check.ts): a customer who
 * taps at once finds their link.
 */
import type { TokenKeys } from '../domain/signed-token.ts';
import { type LinkedTouch, trackedLinkId, trackedLinkUrl } from '../domain/tracked-link.ts';
import type { LinkRecord, LinkStore } from '../ports/link-store.ts';

export interface TrackedLinkDeps {
  store: Pick<LinkStore, 'register'>;
  keys(): Promise<TokenKeys>;
}

export class MissingTrackedLinksError extends Error {
  constructor(campaignId: string) {
    super(`campaign ${campaignId} tracks its links, but this worker has no link store: nothing was sent`);
    this.name = 'MissingTrackedLinksError';
  }
}

/** One message to link: the touch, the send it belongs to, its group, and where it leads. */
export type LinkedMessage = LinkedTouch & Pick<LinkRecord, 'sendId' | 'group' | 'to'>;

/**
 * Each message's tracked link under `base`, registered (one batch write per 25) before it is
 * returned; the same messages again register the same records. Throws, nothing sent, when
 * the campaign tracks its links and there is no store to register them in.
 */
export async function registerTrackedLinks(
  deps: TrackedLinkDeps | undefined,
  campaignId: string,
  base: string,
  messages: readonly LinkedMessage[],
): Promise<string[]> {
  if (!deps) throw new MissingTrackedLinksError(campaignId);
  const keys = await deps.keys();
  const records = messages.map(
    ({ group, orderId, ...message }): LinkRecord => ({
      id: trackedLinkId(keys, { ...message, ...(orderId === undefined ? {} : { orderId }) }),
      ...message,
      ...(orderId === undefined ? {} : { orderId }),
      ...(group === undefined ? {} : { group }),
    }),
  );
  await deps.store.register(records);
  return records.map((record) => trackedLinkUrl(base, record.id));
}
