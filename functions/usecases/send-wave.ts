/**
 * The send path: a schedule fires -> `dispatchSend` fans the send out, one
 * message per shard -> `sendShard` stages its shard (touches, opt-outs, purchases, texts),
 * waits for the send's second, then claims each message in the ledger, paces it through
 * the shared rate limiter and hands it to the provider, recording every outcome.
 *
 * Every step is safe to repeat: a repeated firing finds the send dispatched; a repeated
 * shard message finds the shard leased or done; a message is claimed once in the ledger
 * and a claim found without an outcome (a crash in flight) becomes `unknown`, never a
 * second message.
 */
import type { Campaign, Wave } from '../domain/campaign.ts';
import { monthKey } from '../domain/local-time.ts';
import { linkFor, render, smsParts, templatesFor, type WaveKind, type WaveTemplates } from '../domain/messages.ts';
import { escapeHtml } from '../domain/text.ts';
import type { CampaignStore, ShardRef, StoredPlan, StoredSend, Touch, TouchStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { EmailSender } from '../ports/email.ts';
import type { Ledger, PurchaseCheck, RateLimiter } from '../ports/ledger.ts';
import type { SmsOptOuts } from '../ports/opt-outs.ts';
import { RejectedMessageError, type SmsSender, ThrottledError } from '../ports/sms.ts';

export interface ShardMessage extends ShardRef {
  /** The send's second, epoch ms: nothing leaves before it. */
  releaseAt: number;
}

export interface SendQueue {
  enqueue(messages: ShardMessage[]): Promise<void>;
}

export interface DispatchDeps {
  campaigns: CampaignStore;
  queue: SendQueue;
  clock: Clock;
}

export type DispatchOutcome = { kind: 'dispatched'; shards: number } | { kind: 'ignored'; reason: string };

/** A schedule fired: fan the send out to its shards, once. */
export async function dispatchSend(
  deps: DispatchDeps,
  request: { campaignId: string; sendId: string; version: number },
): Promise<DispatchOutcome> {
  const send = await deps.campaigns.getSend(request.campaignId, request.sendId);
  if (!send) return { kind: 'ignored', reason: 'no such send (re-planned away)' };
  if (send.version !== request.version) return { kind: 'ignored', reason: `stale schedule (plan v${send.version})` };
  if (send.state !== 'scheduled') return { kind: 'ignored', reason: 'already dispatched' };
  const messages = Array.from({ length: send.shards }, (_, shard) => ({
    campaignId: send.campaignId,
    version: send.version,
    sendId: send.id,
    shard,
    releaseAt: Date.parse(send.at),
  }));
  // Enqueue first, then mark: a crash in between re-enqueues, and shards are idempotent.
  await deps.queue.enqueue(messages);
  await deps.campaigns.markDispatched(send.campaignId, send.id, send.version, new Date(deps.clock.now()).toISOString());
  return { kind: 'dispatched', shards: send.shards };
}

export interface SendShardDeps {
  campaigns: CampaignStore;
  touches: TouchStore;
  ledger: Ledger;
  purchases: PurchaseCheck;
  optOuts: SmsOptOuts;
  sms: SmsSender;
  email: EmailSender;
  /** The shared pacing of a channel at a rate (messages per second). */
  limiter(channel: 'sms' | 'email', rate: number): RateLimiter;
  queue: SendQueue;
  clock: Clock;
  owner: string;
  /** Base of the one-click unsubscribe link in emails. */
  unsubscribeBase: string;
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
  | { kind: 'ignored'; reason: string };

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
  if (claim.kind === 'done') return { kind: 'done' };
  if (claim.kind === 'busy') throw new ShardBusyError(message);
  const plan = await deps.campaigns.getPlan(message.campaignId);
  const send = await deps.campaigns.getSend(message.campaignId, message.sendId);
  if (!plan || !send || send.version !== message.version) {
    await deps.campaigns.finishShard(message, deps.owner);
    return { kind: 'ignored', reason: 'the send was re-planned away' };
  }
  const staged = await stage(deps, plan, send, message);
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

  const worker = async () => {
    for (let touch = queue.shift(); touch; touch = queue.shift()) {
      if (remainingMs() < margin) {
        handOver = true;
        queue.unshift(touch);
        return;
      }
      // The place is taken as the message leaves the queue, so places follow queue order.
      const outcome = await deliver(deps, staged, send, touch, limiter, hold, order?.place());
      count(outcome.reason ? `${outcome.status}:${outcome.reason}` : outcome.status);
      await hold(
        deps.touches.recordOutcome(message, {
          ...touch,
          ...outcome,
          updatedAt: new Date(deps.clock.now()).toISOString(),
        }),
      );
      if (deps.clock.now() > renewAt) {
        renewAt = deps.clock.now() + leaseMs / 3;
        await hold(deps.campaigns.renewShard(message, deps.owner, deps.clock.now() + leaseMs));
      }
    }
  };
  await Promise.all(Array.from({ length: deps.concurrency ?? 8 }, worker));
  await limiter.release?.();
  await deps.touches.flush();
  if (handOver) {
    // The rest goes to a fresh invocation: outcomes so far are durable, the lease is let go.
    await deps.campaigns.renewShard(message, deps.owner, 0);
    await deps.queue.enqueue([message]);
    return { kind: 'continued', counts };
  }
  await deps.campaigns.finishShard(message, deps.owner);
  deps.log.info('shard sent', { sendId: send.id, shard: message.shard, ...counts });
  return { kind: 'sent', counts };
}

interface Staged {
  campaign: Campaign;
  wave: Wave;
  /** The wave's texts (its own or the defaults for its kind), resolved once per shard. */
  templates: WaveTemplates;
  rate: number;
  pending: Touch[];
  optedOut: Set<string>;
  paid: Set<string>;
  month: string;
}

/** Everything a send needs before its second: read once, so the release is pure sending. */
async function stage(deps: SendShardDeps, plan: StoredPlan, send: StoredSend, shard: ShardRef): Promise<Staged> {
  const { campaign } = plan;
  const wave = campaign.waves.find((candidate) => candidate.id === send.waveId) as Wave;
  const kind: WaveKind = wave.sms === 'midnight' ? 'midnight' : wave.stopOnPurchase ? 'reminder' : 'regular';
  const touches = await deps.touches.readShard(shard);
  // A touch already finished is skipped; one left `planned` by an earlier run is tried (the ledger decides).
  const pending = touches.filter((touch) => touch.status === 'planned');
  const optedOut = send.channel === 'sms' ? await deps.optOuts.list() : new Set<string>();
  const paid = wave.stopOnPurchase
    ? await deps.purchases.paidSince(
        pending.map((touch) => touch.customerId),
        Date.parse(plan.plannedAt),
      )
    : new Set<string>();
  return {
    campaign,
    wave,
    templates: templatesFor(kind, wave.templates),
    rate: send.channel === 'sms' ? campaign.smsRatePerSecond : campaign.emailRatePerSecond,
    pending,
    optedOut,
    paid,
    month: monthKey(Date.parse(send.at), campaign.timezone),
  };
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

async function deliver(
  deps: SendShardDeps,
  staged: Staged,
  send: StoredSend,
  touch: Touch,
  limiter: RateLimiter,
  hold: <T>(work: Promise<T>) => Promise<T>,
  order: InOrder | undefined,
): Promise<Outcome> {
  try {
    return await claimAndSend(deps, staged, send, touch, limiter, hold, order);
  } finally {
    // Passed on in order, also by a message that never reached the limiter (suppressed, refused).
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
  order: InOrder | undefined,
): Promise<Outcome> {
  const { campaign } = staged;
  if (send.channel === 'sms' && staged.optedOut.has(touch.address)) return { status: 'suppressed', reason: 'opt-out' };
  if (staged.paid.has(touch.customerId)) return { status: 'suppressed', reason: 'suppressed:purchase' };
  const claim = await hold(
    deps.ledger.claim({
      customerId: touch.customerId,
      touchId: `${campaign.id}#${touch.waveId}#${touch.channel}`,
      campaignId: campaign.id,
      touchCap: campaign.caps.touches,
      ...(send.channel === 'sms' ? { smsMonth: { month: staged.month, cap: campaign.caps.smsPerMonth } } : {}),
    }),
  );
  // Claimed before without an outcome: an earlier run died with it in flight. Never sent twice.
  if (claim.kind === 'already') return { status: 'unknown', reason: 'claimed before, no outcome recorded' };
  if (claim.kind === 'refused') return { status: 'suppressed', reason: claim.reason };

  const { templates } = staged;
  const values = {
    name: touch.name,
    link: linkFor(touch.device, staged.wave.links ?? campaign.links),
    signature: campaign.signature,
    optOut: campaign.optOutText,
  };
  const tags = { campaignId: campaign.id, waveId: touch.waveId, sendId: send.id, customerId: touch.customerId };
  const text = render(templates.sms, values);
  await order?.turn;
  for (let throttled = 0; ; ) {
    await limiter.take();
    try {
      if (send.channel === 'sms') {
        const { messageId } = await deps.sms.send({ phone: touch.address, text, tags });
        return { status: 'sent', providerMessageId: messageId, parts: smsParts(text) };
      }
      const unsubscribeUrl = `${deps.unsubscribeBase}?c=${encodeURIComponent(campaign.id)}&u=${encodeURIComponent(touch.customerId)}`;
      const body = render(templates.emailBody, values);
      const { messageId } = await deps.email.send({
        to: touch.address,
        subject: render(templates.emailSubject, values),
        text: `${body}\n\n退订 / Unsubscribe: ${unsubscribeUrl}`,
        html: emailHtml(body, unsubscribeUrl),
        unsubscribeUrl,
        tags,
      });
      return { status: 'sent', providerMessageId: messageId };
    } catch (error) {
      if (error instanceof RejectedMessageError) return { status: 'failed', reason: `rejected: ${error.reason}` };
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

function emailHtml(body: string, unsubscribeUrl: string): string {
  const paragraphs = body
    .split(/\n{2,}/)
    .map((part) => `<p>${escapeHtml(part).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return `<!doctype html><html><body style="font-family:sans-serif">${paragraphs}<p style="color:#888;font-size:12px"><a href="${escapeHtml(unsubscribeUrl)}">退订 / Unsubscribe</a></p></body></html>`;
}
