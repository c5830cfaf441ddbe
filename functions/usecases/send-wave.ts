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
 */
import { z } from 'zod';
import { optOutsKey } from '../contract.ts';
import type { Campaign, Wave } from '../domain/campaign.ts';
import { monthKey } from '../domain/local-time.ts';
import { maskPersonalData } from '../domain/masking.ts';
import {
  linkFor,
  type MessageValues,
  render,
  smsParts,
  templatesFor,
  type WaveKind,
  type WaveTemplates,
} from '../domain/messages.ts';
import { escapeHtml } from '../domain/text.ts';
import type { CampaignStore, ShardRef, StoredSend, Touch, TouchStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { EmailSender } from '../ports/email.ts';
import type { Ledger, PurchaseCheck, RateLimiter } from '../ports/ledger.ts';
import type { LifecycleStore, StoredVersion } from '../ports/lifecycle-store.ts';
import type { ObjectStorage } from '../ports/object-storage.ts';
import type { OptOutStore } from '../ports/opt-out-store.ts';
import type { SmsOptOuts } from '../ports/opt-outs.ts';
import { RejectedMessageError, type SmsSender, ThrottledError } from '../ports/sms.ts';

export interface ShardMessage extends ShardRef {
  /** The send's second, epoch ms: nothing leaves before it. */
  releaseAt: number;
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

export type DispatchOutcome = Dispatched | { kind: 'ignored'; reason: string };

/** A schedule fired: fan the send out to its shards, once. */
export async function dispatchSend(
  deps: DispatchDeps,
  request: { campaignId: string; sendId: string; version: number },
): Promise<DispatchOutcome> {
  const send = await deps.campaigns.getSend(request.campaignId, request.sendId);
  if (!send) return { kind: 'ignored', reason: 'no such send (re-planned away)' };
  if (send.version !== request.version) return { kind: 'ignored', reason: `stale schedule (plan v${send.version})` };
  const lifecycle = await deps.lifecycle.getLifecycle(request.campaignId);
  if (lifecycle?.approvedVersion !== request.version) {
    return { kind: 'ignored', reason: `v${request.version} is not the approved version` };
  }
  if (send.state !== 'scheduled') return { kind: 'ignored', reason: 'already dispatched' };
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
  await deps.campaigns.markDispatched(send.campaignId, send.id, send.version, new Date(deps.clock.now()).toISOString());
  return { kind: 'dispatched', shards: send.shards, ...(optOuts === undefined ? {} : { optOuts }) };
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
  const plan = await deps.lifecycle.getVersion(message.campaignId, message.version);
  const send = await deps.campaigns.getSend(message.campaignId, message.sendId);
  if (!plan || !send || send.version !== message.version) {
    await deps.campaigns.finishShard(message, deps.owner);
    return { kind: 'ignored', reason: 'the send was re-planned away' };
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
  /** SMS: the numbers opted out at the provider (回T退订). */
  optedOut: Set<string>;
  /** Email: the customers who unsubscribed through a link. */
  emailOptedOut: Set<string>;
  paid: Set<string>;
  month: string;
  /** Email only. */
  links: UnsubscribeLinks | undefined;
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
    templates: waveTemplates(wave),
    rate: send.channel === 'sms' ? campaign.smsRatePerSecond : campaign.emailRatePerSecond,
    pending,
    optedOut,
    emailOptedOut,
    paid,
    month: monthKey(Date.parse(send.at), campaign.timezone),
    links: send.channel === 'email' ? await deps.unsubscribeLinks() : undefined,
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
  if (send.channel === 'email' && staged.emailOptedOut.has(touch.customerId)) {
    return { status: 'suppressed', reason: 'opt-out' };
  }
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
  const values = messageValues(campaign, staged.wave, touch);
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

/** The wave's texts: its own where given, else the defaults for its kind (midnight push, unpaid reminder, regular). */
export function waveTemplates(wave: Wave): WaveTemplates {
  const kind: WaveKind = wave.sms === 'midnight' ? 'midnight' : wave.stopOnPurchase ? 'reminder' : 'regular';
  return templatesFor(kind, wave.templates);
}

/** What fills a wave's placeholders for one customer: the name (or the fallback), the link for the device. */
export function messageValues(campaign: Campaign, wave: Wave, customer: Pick<Touch, 'name' | 'device'>): MessageValues {
  return {
    name: customer.name,
    link: linkFor(customer.device, wave.links ?? campaign.links),
    signature: campaign.signature,
    optOut: campaign.optOutText,
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
