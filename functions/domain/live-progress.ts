/**
 * The night's live view of a campaign's sends, as pure figures: what has an outcome (sent,
 * failed, unknown, suppressed, expired, cancelled), what is still to go, how fast messages
 * leave now, and when the sends under way will be done at that pace. Pure: the sends, the
 * tallies their shards' workers keep, and `now` in; figures out.
 *
 * The view never reads touches: at a million customers that is a million items every few
 * seconds. Each worker keeps its shard's tally (outcomes so far, and what it sent in the
 * last seconds) on the shard's lease item, written every few seconds while it sends and for
 * good when the shard finishes, so a poll reads one small item per shard.
 */
import type { StoredSend, Touch, TouchStatus } from '../ports/campaign-store.ts';

/** The pace is the sent messages of this many last seconds, divided by it: steady enough to read, recent enough to follow a pause. */
export const PACE_WINDOW_SECONDS = 10;

/** A worker writes its shard's tally at most this often while it sends (and always when it stops). */
export const TALLY_EVERY_MS = 2_000;

/** The outcomes a tally counts: everything but `planned` (still to go) and `control` (never sent). */
const OUTCOMES = ['sent', 'failed', 'unknown', 'suppressed', 'expired', 'cancelled'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** One shard's outcomes so far, as its worker last wrote them. */
export interface ShardTally {
  counts: Partial<Record<Outcome, number>>;
  /** Messages sent per epoch second, for the PACE_WINDOW_SECONDS seconds before `at`. */
  sentBySecond: Record<string, number>;
  /** When the worker wrote it, epoch ms. */
  at: number;
}

const isOutcome = (status: TouchStatus): status is Outcome => (OUTCOMES as readonly string[]).includes(status);

/** Keeps a shard's tally as its worker goes: from the touches it read, plus each outcome it records. */
export class ShardTallyKeeper {
  private readonly counts: Partial<Record<Outcome, number>> = {};
  private readonly sentBySecond = new Map<number, number>();
  private writtenAt = Number.NEGATIVE_INFINITY;

  /** Starts from the shard's touches as read (an earlier run's outcomes count too). */
  constructor(touches: readonly Pick<Touch, 'status' | 'updatedAt'>[]) {
    for (const touch of touches) this.record(touch.status, touch.updatedAt ? Date.parse(touch.updatedAt) : Number.NaN);
  }

  record(status: TouchStatus, at: number): void {
    if (!isOutcome(status)) return;
    this.counts[status] = (this.counts[status] ?? 0) + 1;
    if (status === 'sent' && Number.isFinite(at)) {
      const second = Math.floor(at / 1000);
      this.sentBySecond.set(second, (this.sentBySecond.get(second) ?? 0) + 1);
    }
  }

  /** Whether a progress write is due (TALLY_EVERY_MS since the last one). */
  due(now: number): boolean {
    return now - this.writtenAt >= TALLY_EVERY_MS;
  }

  /** The tally to write now; what was sent before the pace window is let go. */
  snapshot(now: number): ShardTally {
    this.writtenAt = now;
    const from = Math.floor(now / 1000) - PACE_WINDOW_SECONDS;
    const sentBySecond: Record<string, number> = {};
    for (const [second, sent] of this.sentBySecond) {
      if (second < from) this.sentBySecond.delete(second);
      else sentBySecond[String(second)] = sent;
    }
    return { counts: { ...this.counts }, sentBySecond, at: now };
  }
}

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
  /** The tallies of the dispatched sends' shards, keyed by send id (a shard not started has none). */
  talliesBySend: ReadonlyMap<string, readonly ShardTally[]>;
  /** Waves (or the whole campaign, `'*'`) cancelled: their planned touches count as cancelled already. */
  cancelled: ReadonlySet<string>;
}

export function liveProgress(input: LiveInput): LiveProgress {
  // Whole seconds, as the tallies count them: the window is the PACE_WINDOW_SECONDS seconds up to now's.
  const nowSecond = Math.floor(input.now / 1000);
  const windowStartSecond = nowSecond - PACE_WINDOW_SECONDS;
  const totals = { planned: 0, sent: 0, failed: 0, unknown: 0, suppressed: 0, expired: 0, cancelled: 0 };
  let pending = 0;
  let waiting = 0;
  let recent = 0;
  const sends: LiveSend[] = [];
  const ordered = [...input.sends].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1));
  for (const send of ordered) {
    const cancelled = input.cancelled.has('*') || input.cancelled.has(send.waveId);
    totals.planned += send.customers;
    const tallies = input.talliesBySend.get(send.id);
    if (send.state !== 'dispatched' || !tallies) {
      if (cancelled) totals.cancelled += send.customers;
      else waiting += send.customers;
      sends.push(liveSend(send, cancelled ? send.customers : 0));
      continue;
    }
    let done = 0;
    for (const tally of tallies) {
      for (const outcome of OUTCOMES) {
        const count = tally.counts[outcome] ?? 0;
        totals[outcome] += count;
        done += count;
      }
      for (const [second, sent] of Object.entries(tally.sentBySecond)) {
        if (Number(second) > windowStartSecond && Number(second) <= nowSecond) recent += sent;
      }
    }
    // A send's touches are its customers: what has no outcome yet is still to go, or,
    // when its wave was cancelled, dropped as soon as the sweep reaches it.
    const left = Math.max(0, send.customers - done);
    if (cancelled) totals.cancelled += left;
    else pending += left;
    sends.push(liveSend(send, cancelled ? send.customers : done));
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
