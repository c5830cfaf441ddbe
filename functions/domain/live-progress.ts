/**
 * The night's live view of a campaign's sends, as pure figures: what has an outcome (sent,
 * failed, unknown, suppressed, expired, cancelled), what is still to go, how fast messages
 * leave now, and when the sends under way will be done at that pace. Pure: the sends, the
 * touches read from the ones already dispatched, and `now` in; figures out.
 */
import type { StoredSend, Touch } from '../ports/campaign-store.ts';

/** The pace is the sent messages of this many last seconds, divided by it: steady enough to read, recent enough to follow a pause. */
export const PACE_WINDOW_SECONDS = 10;

export interface LiveSend {
  id: string;
  waveId: string;
  channel: 'sms' | 'email';
  at: string;
  state: StoredSend['state'];
  customers: number;
  /** Touches with an outcome (anything but planned). */
  done: number;
}

export interface LiveProgress {
  /** The instant the figures are for, ISO 8601. */
  at: string;
  /** Touches of every send of the approved version. */
  planned: number;
  sent: number;
  failed: number;
  /** Claimed with no outcome: may have been sent (never sent again). */
  unknown: number;
  suppressed: number;
  expired: number;
  cancelled: number;
  /** Every touch with an outcome: the seven above less `planned`. */
  done: number;
  /** Touches of dispatched sends still to go. */
  pending: number;
  /** Customers of sends not dispatched yet (scheduled, or held by a pause). */
  waiting: number;
  /** Messages sent per second over the last PACE_WINDOW_SECONDS. */
  perSecond: number;
  /** Seconds until the dispatched sends are done at that pace; null when nothing moves or nothing is left. */
  secondsToFinish: number | null;
  sends: LiveSend[];
}

export interface LiveInput {
  now: number;
  sends: readonly StoredSend[];
  /** Every touch of the dispatched sends, keyed by send id. */
  touchesBySend: ReadonlyMap<string, readonly Touch[]>;
  /** Waves (or the whole campaign, `'*'`) cancelled: their planned touches count as cancelled already. */
  cancelled: ReadonlySet<string>;
}

export function liveProgress(input: LiveInput): LiveProgress {
  const windowStart = input.now - PACE_WINDOW_SECONDS * 1000;
  const totals = { planned: 0, sent: 0, failed: 0, unknown: 0, suppressed: 0, expired: 0, cancelled: 0 };
  let pending = 0;
  let waiting = 0;
  let recent = 0;
  const sends: LiveSend[] = [];
  const ordered = [...input.sends].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1));
  for (const send of ordered) {
    const cancelled = input.cancelled.has('*') || input.cancelled.has(send.waveId);
    const touches = input.touchesBySend.get(send.id);
    if (send.state !== 'dispatched' || !touches) {
      totals.planned += send.customers;
      if (cancelled) totals.cancelled += send.customers;
      else waiting += send.customers;
      sends.push(liveSend(send, cancelled ? send.customers : 0));
      continue;
    }
    let done = 0;
    for (const touch of touches) {
      totals.planned += 1;
      const status = touch.status === 'planned' && cancelled ? 'cancelled' : touch.status;
      if (status === 'planned' || status === 'control') {
        if (status === 'planned') pending += 1;
        else totals.planned -= 1;
        continue;
      }
      done += 1;
      totals[status] += 1;
      if (status === 'sent' && touch.updatedAt !== undefined) {
        const at = Date.parse(touch.updatedAt);
        if (at > windowStart && at <= input.now) recent += 1;
      }
    }
    sends.push(liveSend(send, done));
  }
  const done = totals.sent + totals.failed + totals.unknown + totals.suppressed + totals.expired + totals.cancelled;
  const perSecond = recent / PACE_WINDOW_SECONDS;
  return {
    at: new Date(input.now).toISOString(),
    ...totals,
    done,
    pending,
    waiting,
    perSecond,
    secondsToFinish: pending > 0 && perSecond > 0 ? Math.ceil(pending / perSecond) : null,
    sends,
  };
}

function liveSend(send: StoredSend, done: number): LiveSend {
  return {
    id: send.id,
    waveId: send.waveId,
    channel: send.channel,
    at: send.at,
    state: send.state,
    customers: send.customers,
    done,
  };
}
