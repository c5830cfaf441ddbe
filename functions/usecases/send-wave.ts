/**
 * The send path: a schedule fires -> `dispatchSend` reads the provider's SMS opt-out list
 * once for the send, keeps a copy beside it, and fans the send out, one message per shard
 * -> `sendShard` stages its shard (touches, that copy of the SMS opt-outs, the customers' own
 * email opt-outs, purchases, texts, links),
 * waits for the send's second, then claims each message in the ledger, paces it through
 * the shared rate limiter and hands it to the provider, recording every outcome.
 *
 * Every step is safe to repeat: a repeated firing finds the send dispatched; a repeated
 * shard message finds the shard leased or done; a message is claimed once in the ledger
 * and a claim found without an outcome (a crash in flight) becomes `unknown`, never a
 * second message.
 *
 * Only the approved version is sent, and the marketer's controls win over every step: the
 * dispatcher and each message ask the campaign's control item (`sendPermission`). A
 * schedule that fires while paused holds its send (a resume schedules it again); a worker
 * that finds its send paused stops within the second, makes its outcomes durable and
 * parks its shard for the resume; a cancelled send sends nothing more and drops what is
 * left as `cancelled`. A message that would land outside its send's window (quiet hours,
 * the next wave, its month, the planned end plus the resume grace) is dropped as
 * `expired`. When the last shard of the live sends finishes, the campaign is completed.
 */
import { z } from 'zod';
import { optOutsKey } from '../contract.ts';
import type { Campaign, Wave } from '../domain/campaign.ts';
import {
  decide,
  firedWhilePausedReason,
  type LifecycleControl,
  type SendPermission,
  sendPermission,
} from '../domain/campaign-lifecycle.ts';
import { ShardTallyKeeper } from '../domain/live-progress.ts';
import { monthKey } from '../domain/local-time.ts';
import { maskPersonalData } from '../domain/masking.ts';
import {
  deliveredSms,
  linkFor,
  type MessageValues,
  render,
  renderSms,
  smsParts,
  smsVariesByGroup,
  templatesFor,
  type WaveTemplates,
  waveKind,
} from '../domain/messages.ts';
import { type SendWindow, sendWindow } from '../domain/send-windows.ts';
import { registeredTemplateId } from '../domain/sms-rules.ts';
import { escapeHtml } from '../domain/text.ts';
import { messageLinks } from '../domain/tracked-link.ts';
import type { CampaignStore, ShardRef, StoredSend, Touch, TouchStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { EmailSender } from '../ports/email.ts';
import type { Ledger, LedgerClaim, PurchaseCheck, RateLimiter } from '../ports/ledger.ts';
import type { LifecycleStore, StoredVersion } from '../ports/lifecycle-store.ts';
import type { ObjectStorage } from '../ports/object-storage.ts';
import type { OptOutStore } from '../ports/opt-out-store.ts';
import type { SmsOptOuts } from '../ports/opt-outs.ts';
import { RejectedMessageError, type SmsSender, ThrottledError } from '../ports/sms.ts';
import { CONTROL_PREFETCH_MS, ControlWatch } from './control-watch.ts';
import { registerTrackedLinks, type TrackedLinkDeps } from './tracked-links.ts';

export interface ShardMessage extends ShardRef {
  /** The send's second, epoch ms: nothing leaves before it. */
  releaseAt: number;
  /** The send is cancelled: drop what the shard has left as `cancelled`, send nothing. */
  sweep?: boolean;
}

/** Who changes the lifecycle when no person does (the dispatcher, the workers). */
export const SYSTEM_ACTOR = 'system';
const MAX_LIFECYCLE_ATTEMPTS = 20;

/**
 * What may be done with a send now. A send that has started (held or dispatched) belongs to
 * the live plan even when a newer version was approved since: approval keeps a started send
 * exactly as it was (or refuses), so it is sent under the approved version's permission.
 * A send not started is sent only when its own version is the approved one.
 */
export function livePermission(
  lifecycle: Omit<LifecycleControl, 'revision'> | undefined,
  send: Pick<StoredSend, 'version' | 'waveId' | 'state'>,
): SendPermission {
  const approved = lifecycle?.approvedVersion;
  const started = send.state !== 'scheduled';
  const version = started && approved !== undefined && send.version <= approved ? approved : send.version;
  return sendPermission(lifecycle, version, send.waveId);
}

/** The sweep messages of a cancelled send: one per shard not yet finished (a finished one answers `done`). */
export function sweepMessages(send: StoredSend): ShardMessage[] {
  if ((send.finishedShards ?? 0) >= send.shards) return [];
  return Array.from({ length: send.shards }, (_, shard) => ({
    campaignId: send.campaignId,
    version: send.version,
    sendId: send.id,
    shard,
    releaseAt: Date.parse(send.at),
    sweep: true,
  }));
}

/** Makes the one-click unsubscribe link of one customer's email of one campaign. */
export interface UnsubscribeLinks {
  urlFor(campaignId: string, customerId: string): string;
}

export interface SendQueue {
  enqueue(messages: ShardMessage[]): Promise<void>;
}

export interface DispatchDeps {
  campaigns: CampaignStore;
  /** The campaign's lifecycle: only the approved version is ever sent. */
  lifecycle: LifecycleStore;
  queue: SendQueue;
  clock: Clock;
  /** The provider's SMS opt-out list: read here, once per SMS send, never per shard. */
  optOuts: SmsOptOuts;
  /** Where the send's copy of that list is kept for its shards (`optOutsKey`). */
  storage: ObjectStorage;
}

export interface Dispatched {
  kind: 'dispatched';
  shards: number;
  /** Opted-out numbers the shards of an SMS send skip. */
  optOuts?: number;
}

export type DispatchOutcome =
  | Dispatched
  /** Fired while the campaign or its wave was paused: nothing sent; a resume schedules it again. */
  | { kind: 'held' }
  | { kind: 'ignored'; reason: string };

/**
 * A schedule fired: fan the send out to its shards, once, if the campaign lets it go.
 * Paused: the send is held and the firing recorded in the audit trail. Cancelled: nothing
 * is sent, and a send that never went out has its touches swept to `cancelled`. Not the
 * approved version: ignored, with the reason.
 */
export async function dispatchSend(
  deps: DispatchDeps,
  request: { campaignId: string; sendId: string; version: number },
): Promise<DispatchOutcome> {
  const send = await deps.campaigns.getSend(request.campaignId, request.sendId);
  if (!send) return { kind: 'ignored', reason: 'no such send (re-planned away)' };
  if (send.version !== request.version) return { kind: 'ignored', reason: `stale schedule (plan v${send.version})` };
  const lifecycle = await deps.lifecycle.getLifecycle(request.campaignId);
  const permission = livePermission(lifecycle, send);
  if (permission === 'stale') {
    const approved = lifecycle?.approvedVersion;
    return {
      kind: 'ignored',
      reason: `v${request.version} is not the approved version (${approved === undefined ? 'none is' : `v${approved} is`}${lifecycle && lifecycle.state !== 'approved' && lifecycle.state !== 'running' ? `; the campaign is ${lifecycle.state}` : ''})`,
    };
  }
  if (permission === 'cancelled') {
    // Its touches would stay planned for ever: dropped as cancelled, shard by shard.
    if (send.state !== 'dispatched') await deps.queue.enqueue(sweepMessages(send));
    return { kind: 'ignored', reason: 'cancelled: nothing is sent, its touches are dropped as cancelled' };
  }
  if (send.state === 'dispatched') return { kind: 'ignored', reason: 'already dispatched' };
  if (permission === 'paused') {
    if (send.state === 'scheduled') await deps.campaigns.markHeld(send.campaignId, send.id, send.version);
    await recordFiredWhilePaused(deps, send);
    // A resume between the read above and the mark found nothing held to schedule again: look once more.
    const now = await deps.lifecycle.getLifecycle(request.campaignId);
    if (livePermission(now, { ...send, state: 'held' }) !== 'go') return { kind: 'held' };
    return fanOut(deps, { ...send, state: 'held' });
  }
  return fanOut(deps, send);
}

/** The send's shards onto the queue; the campaign is running from its first one. */
async function fanOut(deps: DispatchDeps, send: StoredSend): Promise<DispatchOutcome> {
  await startCampaign(deps, send.campaignId);
  // Before any shard exists: a shard never starts without the list, and a throttled read
  // delays this one dispatch (its client retries, then Lambda does), never a shard.
  const optOuts =
    send.channel === 'sms'
      ? await storeOptOuts(deps, { campaignId: send.campaignId, sendId: send.id, version: send.version })
      : undefined;
  const messages = Array.from({ length: send.shards }, (_, shard) => ({
    campaignId: send.campaignId,
    version: send.version,
    sendId: send.id,
    shard,
    releaseAt: Date.parse(send.at),
  }));
  // Enqueue first, then mark: a crash in between re-enqueues, and shards are idempotent.
  await deps.queue.enqueue(messages);
  await deps.campaigns.markDispatched(
    send.campaignId,
    send.id,
    send.version,
    new Date(deps.clock.now()).toISOString(),
    send.state,
  );
  return { kind: 'dispatched', shards: send.shards, ...(optOuts === undefined ? {} : { optOuts }) };
}

type LifecycleDeps = { lifecycle: Pick<LifecycleStore, 'getLifecycle' | 'saveLifecycle'>; clock: Pick<Clock, 'now'> };

/** `approved` -> `running` on the first dispatch (a no-op once running). */
async function startCampaign(deps: LifecycleDeps, campaignId: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_LIFECYCLE_ATTEMPTS; attempt += 1) {
    const current = await deps.lifecycle.getLifecycle(campaignId);
    if (current?.approvedVersion === undefined) return;
    const decision = decide(
      current,
      { kind: 'start', version: current.approvedVersion },
      { campaignId, now: deps.clock.now(), actor: SYSTEM_ACTOR, waveIds: [] },
    );
    if (!decision.ok || !decision.changed) return;
    if (await deps.lifecycle.saveLifecycle(decision.next, current.revision)) return;
  }
}

/** One `fired-while-paused` entry per held send: a repeated firing finds it there and adds none. */
async function recordFiredWhilePaused(deps: LifecycleDeps, send: StoredSend): Promise<void> {
  const reason = firedWhilePausedReason(send.id);
  for (let attempt = 0; attempt < MAX_LIFECYCLE_ATTEMPTS; attempt += 1) {
    const current = await deps.lifecycle.getLifecycle(send.campaignId);
    if (!current) return;
    // Once per pause: a duplicate firing finds its entry after the pause that held it and adds none;
    // a firing held again by a later pause is recorded again.
    const pausedAt = current.audit.findLastIndex(
      (entry) => entry.action === 'pause' && (entry.waveId === undefined || entry.waveId === send.waveId),
    );
    const since = current.audit.slice(pausedAt + 1);
    if (since.some((entry) => entry.action === 'fired-while-paused' && entry.reason === reason)) return;
    const decision = decide(
      current,
      { kind: 'fired-while-paused', sendId: send.id, waveId: send.waveId },
      { campaignId: send.campaignId, now: deps.clock.now(), actor: SYSTEM_ACTOR, waveIds: [] },
    );
    if (!decision.ok) return;
    if (await deps.lifecycle.saveLifecycle(decision.next, current.revision)) return;
  }
}

/**
 * Completes the campaign when every live send has finished all its shards: exactly once,
 * however many shards finish at the same moment (the lifecycle's conditional write lets one
 * `complete` through; the others find the campaign completed and change nothing). Only a
 * running campaign completes; a paused one completes on its resume.
 */
export async function completeIfDone(
  deps: LifecycleDeps & { campaigns: Pick<CampaignStore, 'getSends'> },
  campaignId: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_LIFECYCLE_ATTEMPTS; attempt += 1) {
    const current = await deps.lifecycle.getLifecycle(campaignId);
    if (current?.state !== 'running' || current.approvedVersion === undefined) return false;
    const sends = await deps.campaigns.getSends(campaignId);
    if (!sends.every((send) => (send.finishedShards ?? 0) >= send.shards)) return false;
    const decision = decide(
      current,
      { kind: 'complete', version: current.approvedVersion },
      { campaignId, now: deps.clock.now(), actor: SYSTEM_ACTOR, waveIds: [] },
    );
    if (!decision.ok || !decision.changed) return false;
    if (await deps.lifecycle.saveLifecycle(decision.next, current.revision)) return true;
  }
  return false;
}

/** One send's copy of the opt-out list, as stored under `optOutsKey`. */
const optOutCopy = z.object({ readAt: z.string(), numbers: z.array(z.string()) });

/**
 * Reads the provider's opt-out list and stores it as the send's copy; returns how many
 * numbers it holds. A repeated dispatch writes a fresh copy over it (S3 puts are atomic:
 * a shard reads one whole list or the other).
 */
export async function storeOptOuts(
  deps: Pick<DispatchDeps, 'optOuts' | 'storage' | 'clock'>,
  send: Omit<ShardRef, 'shard'>,
): Promise<number> {
  const numbers = [...(await deps.optOuts.list())];
  const copy: z.infer<typeof optOutCopy> = { readAt: new Date(deps.clock.now()).toISOString(), numbers };
  await deps.storage.put(optOutsKey(send), JSON.stringify(copy), 'application/json');
  return numbers.length;
}

export class MissingOptOutsError extends Error {
  constructor(readonly key: string) {
    super(
      `the opt-out list of this send is missing at ${key}: the dispatcher stores it before it enqueues the shards; nothing was sent`,
    );
    this.name = 'MissingOptOutsError';
  }
}

/** The send's copy of the opt-out list; MissingOptOutsError when the dispatcher stored none. */
async function readOptOuts(storage: ObjectStorage, send: Omit<ShardRef, 'shard'>): Promise<Set<string>> {
  const key = optOutsKey(send);
  if (!(await storage.head(key))) throw new MissingOptOutsError(key);
  const chunks: Uint8Array[] = [];
  for await (const chunk of storage.read(key)) chunks.push(chunk);
  return new Set(optOutCopy.parse(JSON.parse(Buffer.concat(chunks).toString('utf8'))).numbers);
}

export interface SendShardDeps {
  campaigns: CampaignStore;
  /** The plan of the send's version (immutable once planned). */
  lifecycle: LifecycleStore;
  touches: TouchStore;
  ledger: Ledger;
  purchases: PurchaseCheck;
  /** The customers' own opt-outs (the unsubscribe link), read for an email shard before its second. */
  emailOptOuts: Pick<OptOutStore, 'optedOut'>;
  /** Where the dispatcher left the send's copy of the SMS opt-out list (read once per shard). */
  storage: ObjectStorage;
  sms: SmsSender;
  email: EmailSender;
  /** The shared pacing of a channel at a rate (messages per second). */
  limiter(channel: 'sms' | 'email', rate: number): RateLimiter;
  queue: SendQueue;
  clock: Clock;
  owner: string;
  /** The unsubscribe links of an email shard (the link keys are read once, when it is staged). */
  unsubscribeLinks(): Promise<UnsubscribeLinks>;
  /**
   * Where the tracked links of a shard are registered before its messages leave, and their
   * keys; needed by any campaign with a tracking base (`links.trackingBase`).
   */
  trackedLinks?: TrackedLinkDeps;
  log: { info(message: string, data?: Record<string, unknown>): void };
  /** Messages in flight at once within one worker. */
  concurrency?: number;
  /**
   * Messages pass the rate limiter and the provider one at a time in queue order (their
   * ledger claims still run ahead, `concurrency` at once): on a discrete virtual clock this
   * puts every message on the same second on every run. Default false: each as it comes.
   */
  inOrder?: boolean;
  /** Draws the back-off jitter, in [0, 1); default Math.random (a simulation passes a seeded one). */
  random?: () => number;
  leaseMs?: number;
  /** Hand the rest over to a new message when less time than this is left. */
  handOverMarginMs?: number;
}

export type ShardOutcome =
  | { kind: 'sent'; counts: Record<string, number> }
  | { kind: 'done' }
  | { kind: 'continued'; counts: Record<string, number> }
  /** Stopped for a pause: outcomes so far durable, the shard parked (not done) for the resume. */
  | { kind: 'paused'; counts: Record<string, number> }
  /** Stopped for a cancel, or a sweep: what was left is dropped as `cancelled`. */
  | { kind: 'cancelled'; counts: Record<string, number> }
  | { kind: 'ignored'; reason: string };

/** Why a shard's loop stopped before its queue was empty. */
type Stop = Exclude<SendPermission, 'go'> | 'expired';

export class ShardBusyError extends Error {
  constructor(shard: ShardRef) {
    super(`shard ${shard.shard} of ${shard.sendId} is being sent by another worker`);
    this.name = 'ShardBusyError';
  }
}

const MAX_THROTTLE_RETRIES = 20;

export async function sendShard(
  deps: SendShardDeps,
  message: ShardMessage,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<ShardOutcome> {
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const claim = await deps.campaigns.claimShard(message, deps.owner, deps.clock.now(), leaseMs);
  if (claim.kind === 'done') {
    // Counted again (a set: no double count), in case the run that finished it died before counting.
    await countFinished(deps, message);
    return { kind: 'done' };
  }
  if (claim.kind === 'busy') throw new ShardBusyError(message);
  const plan = await deps.lifecycle.getVersion(message.campaignId, message.version);
  const send = await deps.campaigns.getSend(message.campaignId, message.sendId);
  if (!plan || !send || send.version !== message.version) {
    await deps.campaigns.finishShard(message, deps.owner);
    return { kind: 'ignored', reason: 'the send was re-planned away' };
  }
  // On a virtual clock every answer is read at its own instant (see ControlWatch).
  const watch = new ControlWatch(
    deps.lifecycle,
    message.campaignId,
    deps.clock,
    deps.inOrder ? {} : { prefetchMs: CONTROL_PREFETCH_MS },
  );
  const permissionNow = async () => livePermission(await watch.current(), send);
  const first = await permissionNow();
  if (message.sweep || first === 'cancelled') {
    if (first !== 'cancelled') {
      await deps.campaigns.renewShard(message, deps.owner, 0);
      return { kind: 'ignored', reason: `a sweep of a send that is ${first}, not cancelled: nothing dropped` };
    }
    const touches = await deps.touches.readShard(message);
    const left = touches.filter((touch) => touch.status === 'planned');
    const tally = new ShardTallyKeeper(touches);
    return dropAndFinish(deps, message, left, { status: 'cancelled', reason: CANCELLED }, {}, tally);
  }
  if (first === 'paused') {
    // A run that died after reporting may have counted outcomes it never made durable: the
    // shard's tally is set from its touches again while it waits for the resume.
    await report(deps, message, new ShardTallyKeeper(await deps.touches.readShard(message)));
    return park(deps, message, send, watch, {});
  }
  if (first === 'stale') {
    await deps.campaigns.renewShard(message, deps.owner, 0);
    return { kind: 'ignored', reason: `v${message.version} is not the approved version` };
  }
  let staged: Staged;
  try {
    staged = await stage(deps, plan, send, message);
  } catch (error) {
    // Nothing was sent: let the lease go, so the retry may take the shard at once.
    // Best effort: a lease that cannot be let go expires by itself; the staging error is the news.
    await deps.campaigns.renewShard(message, deps.owner, 0).catch(() => undefined);
    throw error;
  }
  await deps.clock.sleepUntil(message.releaseAt);

  const counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const limiter = deps.limiter(send.channel, staged.rate);
  const queue = [...staged.pending];
  let renewAt = deps.clock.now() + leaseMs / 3;
  let handOver = false;
  const margin = deps.handOverMarginMs ?? 60_000;
  // What a message writes while another one may be waiting for its second.
  const hold = <T>(work: Promise<T>): Promise<T> => deps.clock.hold?.(work) ?? work;
  const order = deps.inOrder ? new QueueOrder() : undefined;
  const control: Control = { stopped: undefined, permissionNow, window: sendWindow(staged.campaign, send) };

  const worker = async () => {
    for (let touch = queue.shift(); touch; touch = queue.shift()) {
      if (control.stopped) {
        queue.unshift(touch);
        return;
      }
      if (remainingMs() < margin) {
        handOver = true;
        queue.unshift(touch);
        return;
      }
      // The place is taken as the message leaves the queue, so places follow queue order.
      const outcome = await deliver(deps, staged, send, touch, limiter, hold, control, order?.place());
      if (!outcome) {
        // Stopped before its claim: the touch is as it was, left for whoever goes on.
        queue.unshift(touch);
        return;
      }
      count(outcome.reason ? `${outcome.status}:${outcome.reason}` : outcome.status);
      const at = deps.clock.now();
      await hold(deps.touches.recordOutcome(message, { ...touch, ...outcome, updatedAt: new Date(at).toISOString() }));
      staged.tally.record(outcome.status, at);
      if (staged.tally.due(at)) await hold(report(deps, message, staged.tally));
      if (deps.clock.now() > renewAt) {
        renewAt = deps.clock.now() + leaseMs / 3;
        await hold(deps.campaigns.renewShard(message, deps.owner, deps.clock.now() + leaseMs));
      }
    }
  };
  await Promise.all(Array.from({ length: deps.concurrency ?? 8 }, worker));
  await limiter.release?.();
  await deps.touches.flush();
  const stopped = control.stopped as Stop | undefined;
  if (stopped === 'expired') {
    // The reason names what closed the window (quiet hours, the night, the next wave, the month, the grace).
    const reason = `window:${control.window.closedBy}`;
    return dropAndFinish(deps, message, queue, { status: 'expired', reason }, counts, staged.tally);
  }
  if (stopped === 'cancelled')
    return dropAndFinish(deps, message, queue, { status: 'cancelled', reason: CANCELLED }, counts, staged.tally);
  if (stopped === 'paused') {
    await report(deps, message, staged.tally);
    return park(deps, message, send, watch, counts);
  }
  if (stopped === 'stale') {
    await deps.campaigns.renewShard(message, deps.owner, 0);
    deps.log.info('shard stopped: its version is no longer approved', { sendId: send.id, shard: message.shard });
    return { kind: 'ignored', reason: `v${message.version} is not the approved version` };
  }
  if (handOver) {
    // The rest goes to a fresh invocation: outcomes so far are durable, the lease is let go.
    await report(deps, message, staged.tally);
    await deps.campaigns.renewShard(message, deps.owner, 0);
    await deps.queue.enqueue([message]);
    return { kind: 'continued', counts };
  }
  await deps.campaigns.finishShard(message, deps.owner, staged.tally.snapshot(deps.clock.now()));
  await countFinished(deps, message);
  deps.log.info('shard sent', { sendId: send.id, shard: message.shard, ...counts });
  return { kind: 'sent', counts };
}

/**
 * The shard's tally for the live view. Only a live view waits on it: a lost lease (another
 * worker took over and reports its own) is no error of this send.
 */
async function report(deps: SendShardDeps, shard: ShardRef, tally: ShardTallyKeeper): Promise<void> {
  await deps.campaigns.reportShard(shard, deps.owner, tally.snapshot(deps.clock.now()));
}

/** What the messages of one shard share about stopping. */
interface Control {
  /** Set by the first message that finds the send may not go on; the others stop before their claims. */
  stopped: Stop | undefined;
  permissionNow(): Promise<SendPermission>;
  window: SendWindow;
}

/**
 * Stopped for a pause: the outcomes are durable (flushed), the lease goes without `done` and
 * the shard is parked, so the resume sends it on from where it stopped.
 */
async function park(
  deps: SendShardDeps,
  message: ShardMessage,
  send: StoredSend,
  watch: ControlWatch,
  counts: Record<string, number>,
): Promise<ShardOutcome> {
  await deps.campaigns.parkShard(message, deps.owner);
  // A resume that looked for parked shards before this one was parked missed it; such a resume
  // was saved before this read, so the read sees it and the shard goes on.
  if (livePermission(await watch.fresh(), send) === 'go') await deps.queue.enqueue([message]);
  deps.log.info('shard paused', { sendId: send.id, shard: message.shard, ...counts });
  return { kind: 'paused', counts };
}

/**
 * Drops the touches a shard has left (`expired` or `cancelled`), then finishes it. A touch
 * the ledger has claimed without an outcome may have reached the provider before a crash:
 * it becomes `unknown`, as on any rerun, never `expired` or `cancelled`.
 */
async function dropAndFinish(
  deps: SendShardDeps,
  message: ShardMessage,
  touches: readonly Touch[],
  drop: { status: 'expired' | 'cancelled'; reason: string },
  counts: Record<string, number>,
  tally: ShardTallyKeeper,
): Promise<ShardOutcome> {
  const { status } = drop;
  const claimed = await deps.ledger.claimedAmong(
    touches.map((touch) => ({ customerId: touch.customerId, touchId: touchIdOf(message.campaignId, touch) })),
  );
  const updatedAt = new Date(deps.clock.now()).toISOString();
  for (const touch of touches) {
    const outcome = claimed.has(touch.customerId)
      ? { status: 'unknown' as const, reason: CLAIMED_WITHOUT_OUTCOME }
      : drop;
    counts[`${outcome.status}:${outcome.reason}`] = (counts[`${outcome.status}:${outcome.reason}`] ?? 0) + 1;
    await deps.touches.recordOutcome(message, { ...touch, ...outcome, updatedAt });
    tally.record(outcome.status, Date.parse(updatedAt));
  }
  await deps.touches.flush();
  await deps.campaigns.finishShard(message, deps.owner, tally.snapshot(deps.clock.now()));
  await countFinished(deps, message);
  deps.log.info(`shard ${status}`, { sendId: message.sendId, shard: message.shard, ...counts });
  return status === 'cancelled' ? { kind: 'cancelled', counts } : { kind: 'sent', counts };
}

/** A finished shard counted on its send; the send's last one completes the campaign if it was the last of all. */
async function countFinished(deps: SendShardDeps, shard: ShardRef): Promise<void> {
  const counted = await deps.campaigns.countFinishedShard(shard);
  if (counted && counted.finished >= counted.shards) await completeIfDone(deps, shard.campaignId);
}

const CLAIMED_WITHOUT_OUTCOME = 'claimed before, no outcome recorded';
/** The reason of a touch dropped because its campaign or wave was cancelled. */
export const CANCELLED = 'cancelled';

/** The ledger's id of one touch: one campaign, wave and channel. */
function touchIdOf(campaignId: string, touch: Pick<Touch, 'waveId' | 'channel'>): string {
  return `${campaignId}#${touch.waveId}#${touch.channel}`;
}

interface Staged {
  campaign: Campaign;
  wave: Wave;
  /** The wave's texts (its own or the defaults for its kind and the customer's group), resolved once per group. */
  templatesOf: (group: string | undefined) => WaveTemplates;
  /** The SMS a touch reads (its group's, or the care text) and its registered template id, once per text. */
  smsOf: (touch: Pick<Touch, 'group' | 'variant'>) => WaveSms;
  rate: number;
  pending: Touch[];
  /** The shard's outcomes so far (an earlier run's included), kept for the live view. */
  tally: ShardTallyKeeper;
  /** SMS: the numbers opted out at the provider (回T退订). */
  optedOut: Set<string>;
  /** Email: the customers who unsubscribed through a link. */
  emailOptedOut: Set<string>;
  paid: Set<string>;
  month: string;
  /** Email only. */
  links: UnsubscribeLinks | undefined;
  /** Customer id -> the tracked link of their message, registered before the send's second. */
  tracked: ReadonlyMap<string, string> | undefined;
}

/** Everything a send needs before its second: read once, so the release is pure sending. */
async function stage(
  deps: SendShardDeps,
  plan: Pick<StoredVersion, 'campaign' | 'plannedAt'>,
  send: StoredSend,
  shard: ShardRef,
): Promise<Staged> {
  const { campaign } = plan;
  const wave = campaign.waves.find((candidate) => candidate.id === send.waveId) as Wave;
  const touches = await deps.touches.readShard(shard);
  // A touch already finished is skipped; one left `planned` by an earlier run is tried (the ledger decides).
  const pending = touches.filter((touch) => touch.status === 'planned');
  const optedOut = send.channel === 'sms' ? await readOptOuts(deps.storage, shard) : new Set<string>();
  // Opt-outs are absolute: one given after the plan still stops this send.
  const emailOptedOut =
    send.channel === 'email'
      ? await deps.emailOptOuts.optedOut(
          pending.map((touch) => touch.customerId),
          'email',
        )
      : new Set<string>();
  const paid = wave.stopOnPurchase
    ? await deps.purchases.paidSince(
        pending.map((touch) => touch.customerId),
        Date.parse(plan.plannedAt),
      )
    : new Set<string>();
  return {
    campaign,
    wave,
    templatesOf: memoByGroup((group) => waveTemplates(campaign, wave, group)),
    smsOf: memoBySms(campaign, wave),
    rate: send.channel === 'sms' ? campaign.smsRatePerSecond : campaign.emailRatePerSecond,
    pending,
    tally: new ShardTallyKeeper(touches),
    optedOut,
    emailOptedOut,
    paid,
    month: monthKey(Date.parse(send.at), campaign.timezone),
    links: send.channel === 'email' ? await deps.unsubscribeLinks() : undefined,
    tracked: await registerLinks(deps.trackedLinks, campaign, wave, send, pending),
  };
}

/**
 * Each pending touch's tracked link, registered before any message of the shard leaves.
 * Nothing when the campaign does not track its links.
 */
async function registerLinks(
  deps: TrackedLinkDeps | undefined,
  campaign: Campaign,
  wave: Wave,
  send: StoredSend,
  pending: readonly Touch[],
): Promise<Map<string, string> | undefined> {
  const base = campaign.links.trackingBase;
  if (base === undefined) return undefined;
  const urls = await registerTrackedLinks(
    deps,
    campaign.id,
    base,
    pending.map((touch) => ({
      campaignId: campaign.id,
      waveId: touch.waveId,
      channel: touch.channel,
      customerId: touch.customerId,
      sendId: send.id,
      group: touch.group,
      to: linkFor(touch.device, wave.links ?? campaign.links),
    })),
  );
  return new Map(pending.map((touch, index) => [touch.customerId, urls[index] as string]));
}

type Outcome = Pick<Touch, 'status' | 'reason' | 'providerMessageId' | 'parts'>;

/** A message's place in queue order: it waits for `turn`, then `pass`es it on to the next. */
interface InOrder {
  turn: Promise<void>;
  pass: () => void;
}

/** Hands out places in the order they are asked for: each one's turn comes when the one before is passed. */
class QueueOrder {
  private last: Promise<void> = Promise.resolve();

  place(): InOrder {
    const turn = this.last;
    let pass: () => void = () => {};
    this.last = new Promise((resolve) => {
      pass = resolve;
    });
    return { turn, pass };
  }
}

/** Read through a call: another message may have stopped the shard while this one awaited. */
function stoppedBy(control: Control): Stop | undefined {
  return control.stopped;
}

/** A message's outcome, or undefined when the shard stopped before its claim (the touch stays planned). */
async function deliver(
  deps: SendShardDeps,
  staged: Staged,
  send: StoredSend,
  touch: Touch,
  limiter: RateLimiter,
  hold: <T>(work: Promise<T>) => Promise<T>,
  control: Control,
  order: InOrder | undefined,
): Promise<Outcome | undefined> {
  try {
    return await claimAndSend(deps, staged, send, touch, limiter, hold, control, order);
  } finally {
    // Passed on in order, also by a message that never reached the limiter (suppressed, refused, stopped).
    if (order) void order.turn.then(order.pass);
  }
}

async function claimAndSend(
  deps: SendShardDeps,
  staged: Staged,
  send: StoredSend,
  touch: Touch,
  limiter: RateLimiter,
  hold: <T>(work: Promise<T>) => Promise<T>,
  control: Control,
  order: InOrder | undefined,
): Promise<Outcome | undefined> {
  const { campaign } = staged;
  if (send.channel === 'sms' && staged.optedOut.has(touch.address)) return { status: 'suppressed', reason: 'opt-out' };
  if (send.channel === 'email' && staged.emailOptedOut.has(touch.customerId)) {
    return { status: 'suppressed', reason: 'opt-out' };
  }
  if (staged.paid.has(touch.customerId)) return { status: 'suppressed', reason: 'suppressed:purchase' };
  const stop = (why: Stop): undefined => {
    control.stopped ??= why;
    return undefined;
  };
  const closed = () => deps.clock.now() >= control.window.closesAt;
  if (closed()) return stop('expired');
  await order?.turn;
  if (stoppedBy(control)) return undefined;
  await limiter.take();
  // After the token (the wait for it may be long) and before the claim: a message claimed and
  // then not sent would be `unknown` for ever, and never sent after a resume.
  const permission = await control.permissionNow();
  if (permission !== 'go') return stop(permission);
  if (stoppedBy(control)) return undefined;
  if (closed()) return stop('expired');
  const claimRequest: LedgerClaim = {
    customerId: touch.customerId,
    touchId: touchIdOf(campaign.id, touch),
    campaignId: campaign.id,
    touchCap: campaign.caps.touches,
    ...(send.channel === 'sms' ? { smsMonth: { month: staged.month, cap: campaign.caps.smsPerMonth } } : {}),
  };
  const claim = await hold(deps.ledger.claim(claimRequest));
  // Claimed before without an outcome: an earlier run died with it in flight. Never sent twice.
  if (claim.kind === 'already') return { status: 'unknown', reason: CLAIMED_WITHOUT_OUTCOME };
  if (claim.kind === 'refused') return { status: 'suppressed', reason: claim.reason };

  const templates = staged.templatesOf(touch.group);
  const link = staged.tracked?.get(touch.customerId);
  const values = messageValues(campaign, staged.wave, link === undefined ? touch : { ...touch, link });
  const tags = { campaignId: campaign.id, waveId: touch.waveId, sendId: send.id, customerId: touch.customerId };
  const sms = send.channel === 'sms' ? staged.smsOf(touch) : undefined;
  const text = renderSms(sms?.template ?? templates.sms, values);
  for (let throttled = 0; ; ) {
    if (throttled > 0) {
      await limiter.take();
      // The provider refused it, so it never left: after a long back-off it asks again, and gives
      // its claim back when it may not go (it stays planned, for the resume or the drop).
      const again = await control.permissionNow();
      const why: Stop | undefined = again !== 'go' ? again : closed() ? 'expired' : stoppedBy(control);
      if (why) {
        await hold(deps.ledger.release(claimRequest));
        return stop(why);
      }
    }
    try {
      if (send.channel === 'sms') {
        const { messageId } = await deps.sms.send({
          phone: touch.address,
          text,
          tags,
          ...(sms?.templateId === undefined ? {} : { templateId: sms.templateId }),
        });
        // The provider's appended opt-out is billed with the text.
        return {
          status: 'sent',
          providerMessageId: messageId,
          parts: smsParts(deliveredSms(text, campaign.providerSuffix)),
        };
      }
      const unsubscribeUrl = (staged.links as UnsubscribeLinks).urlFor(campaign.id, touch.customerId);
      const { messageId } = await deps.email.send({
        to: touch.address,
        ...composeEmail(templates, values, unsubscribeUrl),
        unsubscribeUrl,
        tags,
      });
      return { status: 'sent', providerMessageId: messageId };
    } catch (error) {
      // Providers echo the number or address they refuse; the reason is stored and counted.
      if (error instanceof RejectedMessageError) {
        return { status: 'failed', reason: `rejected: ${maskPersonalData(error.reason)}` };
      }
      if (error instanceof ThrottledError) {
        throttled += 1;
        limiter.throttled();
        if (throttled > MAX_THROTTLE_RETRIES) return { status: 'failed', reason: 'throttled' };
        // Back off with jitter, then take a fresh token: throttling is absorbed, not amplified.
        const jitter = (deps.random ?? Math.random)();
        await deps.clock.sleepUntil(deps.clock.now() + jitter * Math.min(2000, 50 * 2 ** throttled));
        continue;
      }
      // Anything else may or may not have reached the provider: unknown, never resent blindly.
      return { status: 'unknown', reason: `provider error: ${(error as Error).name}` };
    }
  }
}

/**
 * The wave's texts: its own where given, else the defaults for its kind (presale, warm-up,
 * sprint, tonight, midnight push, unpaid reminder, regular) and the customer's playbook group.
 */
export function waveTemplates(campaign: Campaign, wave: Wave, group?: string): WaveTemplates {
  return templatesFor(waveKind(wave), wave.templates, {
    group,
    coupon: (wave.coupon ?? campaign.coupon) !== undefined,
  });
}

/** One SMS text a wave sends, with the id the provider registered it under (when it is registered). */
export interface WaveSms {
  template: string;
  templateId?: string;
}

/**
 * The SMS a customer of the wave reads: the wave's care text for a recent buyer (variant
 * `care`), else the wave's own text or its group's default; and the template id the provider
 * registered that text under: the wave's `templateId` (or the care text's) when set, else
 * the id in `registeredTemplates` whose fingerprint is the text's.
 */
export function waveSms(campaign: Campaign, wave: Wave, group?: string, variant?: Touch['variant']): WaveSms {
  if (variant === 'care' && wave.care !== undefined) {
    const templateId = wave.care.templateId ?? registeredTemplateId(campaign, wave, wave.care.sms);
    return templateId === undefined ? { template: wave.care.sms } : { template: wave.care.sms, templateId };
  }
  const template = waveTemplates(campaign, wave, group).sms;
  const pinned = smsVariesByGroup(wave.templates) ? undefined : wave.templates.templateId;
  const templateId = pinned ?? registeredTemplateId(campaign, wave, template);
  return templateId === undefined ? { template } : { template, templateId };
}

function memoBySms(campaign: Campaign, wave: Wave): (touch: Pick<Touch, 'group' | 'variant'>) => WaveSms {
  const made = new Map<string, WaveSms>();
  return (touch) => {
    const key = touch.variant === 'care' ? '\u0000care' : (touch.group ?? '');
    let sms = made.get(key);
    if (sms === undefined) {
      sms = waveSms(campaign, wave, touch.group, touch.variant);
      made.set(key, sms);
    }
    return sms;
  };
}

function memoByGroup<T>(make: (group: string | undefined) => T): (group: string | undefined) => T {
  const made = new Map<string | undefined, T>();
  return (group) => {
    if (!made.has(group)) made.set(group, make(group));
    return made.get(group) as T;
  };
}

/**
 * What fills a wave's placeholders for one customer: the name (or the fallback), the link (the
 * customer's tracked link, or for the device), the coupon; no opt-out of our own when the provider appends its own.
 */
export function messageValues(
  campaign: Campaign,
  wave: Wave,
  customer: Pick<Touch, 'name' | 'device'> & { link?: string },
): MessageValues {
  const coupon = wave.coupon ?? campaign.coupon;
  return {
    name: customer.name,
    // The customer's own tracked link when the caller has it, else one of its length (a preview).
    link: customer.link ?? linkFor(customer.device, messageLinks(campaign, wave)),
    signature: campaign.signature,
    optOut: campaign.providerSuffix ? '' : campaign.optOutText,
    ...(coupon === undefined ? {} : { coupon }),
  };
}

/** An email as it is sent: the subject, and the body with the unsubscribe link under it, as text and HTML. */
export function composeEmail(
  templates: WaveTemplates,
  values: MessageValues,
  unsubscribeUrl: string,
): { subject: string; text: string; html: string } {
  const body = render(templates.emailBody, values);
  return {
    subject: render(templates.emailSubject, values),
    text: `${body}\n\n退订 / Unsubscribe: ${unsubscribeUrl}`,
    html: emailHtml(body, unsubscribeUrl),
  };
}

function emailHtml(body: string, unsubscribeUrl: string): string {
  const paragraphs = body
    .split(/\n{2,}/)
    .map((part) => `<p>${escapeHtml(part).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return `<!doctype html><html><body style="font-family:sans-serif">${paragraphs}<p style="color:#888;font-size:12px"><a href="${escapeHtml(unsubscribeUrl)}">退订 / Unsubscribe</a></p></body></html>`;
}
