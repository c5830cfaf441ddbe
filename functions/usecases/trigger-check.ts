/**
 * Triggered reminders end to end, apart from the handlers: `scheduleChecks` (the order
 * webhook, after the event is applied) and `fireCheck` (the check's schedule fires).
 *
 * A check is claimed in the same ledger as the waves (touch `<campaign>#<rule>#<orderId>#sms`,
 * the campaign's touch cap, the SMS cap of the month), so waves and reminders together never
 * pass a cap, and a check fired twice sends once. A claim found without an outcome (a crash
 * after the claim) is `unknown`, as in the send worker: never sent again blindly.
 */
import { triggerScheduleGroup } from '../contract.ts';
import type { Campaign } from '../domain/campaign.ts';
import type { Device } from '../domain/customer.ts';
import { monthKey } from '../domain/local-time.ts';
import { deliveredSms, linkFor, renderSms, smsParts } from '../domain/messages.ts';
import type { OrderEvent } from '../domain/orders.ts';
import {
  type CheckRule,
  checkScheduleName,
  checkSettings,
  checksFor,
  checkTouchId,
  decideCheck,
  reminderText,
  type TriggerCheck,
} from '../domain/triggers.ts';
import type { Ledger, LedgerClaim } from '../ports/ledger.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import type { SmsOptOutCheck } from '../ports/opt-outs.ts';
import type { OrderStore } from '../ports/order-store.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import { RejectedMessageError, type SmsSender, ThrottledError } from '../ports/sms.ts';
import { type CheckRecord, type ContactBook, FINAL_CHECK_STATUSES, type TriggerStore } from '../ports/trigger-store.ts';
import { registerTrackedLinks, type TrackedLinkDeps } from './tracked-links.ts';

/**
 * The states in which order rules run. A completed campaign has sent its last wave, but its
 * triggers' windows may reach past it (reminders on the festival day after the midnight
 * push): each check still ends at its own window's close. Paused and cancelled stop them.
 */
const LIVE = new Set(['approved', 'running', 'completed']);

export interface ScheduleChecksDeps {
  triggers: Pick<TriggerStore, 'registered' | 'recordScheduled'>;
  lifecycle: Pick<LifecycleStore, 'getControl'>;
  scheduler: Pick<Scheduler, 'ensureGroup' | 'upsert'>;
  clock: { now(): number };
}

/** The check's schedule payload: everything the check needs but the order's and customer's current state. */
export function checkPayload(check: TriggerCheck): Record<string, unknown> {
  return { kind: 'trigger-check', ...check };
}

/** Schedules every check the event starts in the live campaigns with order rules; idempotent (names are fixed). */
export async function scheduleChecks(deps: ScheduleChecksDeps, event: OrderEvent): Promise<TriggerCheck[]> {
  const now = deps.clock.now();
  const scheduled: TriggerCheck[] = [];
  for (const entry of await deps.triggers.registered()) {
    const control = await deps.lifecycle.getControl(entry.campaignId);
    if (!control || !LIVE.has(control.state)) continue;
    for (const check of checksFor(entry.campaign, entry.version, event, now)) {
      await scheduleOne(deps, entry.campaign, check, check.fireAt, now);
      await deps.triggers.recordScheduled(recordOf(check, 'scheduled', now));
      scheduled.push(check);
    }
  }
  return scheduled;
}

async function scheduleOne(
  deps: Pick<ScheduleChecksDeps, 'scheduler'>,
  campaign: Campaign,
  check: TriggerCheck,
  fireAt: number,
  now: number,
  suffix = '',
): Promise<void> {
  const group = triggerScheduleGroup(check.campaignId);
  await deps.scheduler.ensureGroup(group);
  await deps.scheduler.upsert({
    name: `${checkScheduleName(check)}${suffix}`,
    group,
    fireAt: Math.max(fireAt, now),
    timeZone: campaign.timezone,
    payload: checkPayload({ ...check, fireAt }),
  });
}

function recordOf(check: TriggerCheck, status: CheckRecord['status'], now: number, extra: Partial<CheckRecord> = {}) {
  return {
    campaignId: check.campaignId,
    rule: check.rule,
    orderId: check.orderId,
    customerId: check.customerId,
    status,
    fireAt: new Date(check.fireAt).toISOString(),
    updatedAt: new Date(now).toISOString(),
    ...extra,
  } satisfies CheckRecord;
}

/**
 * How long a throttled reminder waits before it fires again: 5 to 65 seconds, spread by the
 * check's name so that a burst does not come back all at once.
 */
export function throttledRetryMs(check: Pick<TriggerCheck, 'rule' | 'orderId'>): number {
  return 5_000 + (Number.parseInt(checkScheduleName(check).slice(4, 12), 16) % 60_000);
}

export interface FireCheckDeps {
  triggers: Pick<TriggerStore, 'registeredOne' | 'getCheck' | 'recordOutcome'>;
  lifecycle: Pick<LifecycleStore, 'getControl'>;
  orders: Pick<OrderStore, 'getOrder'>;
  contacts: ContactBook;
  optOuts: SmsOptOutCheck;
  ledger: Ledger;
  sms: SmsSender;
  scheduler: Pick<Scheduler, 'ensureGroup' | 'upsert'>;
  clock: { now(): number };
  /** Where a reminder's tracked link is registered; needed by a campaign with a tracking base. */
  trackedLinks?: TrackedLinkDeps;
}

export type FireOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'waiting'; until: number }
  | { kind: 'dropped'; status: CheckRecord['status']; reason: string }
  /** The check had its outcome already (a repeated firing): nothing done. */
  | { kind: 'done' };

/** A check fires: send the reminder once, wait for quiet hours to end, or drop it with its reason. */
export async function fireCheck(deps: FireCheckDeps, check: TriggerCheck): Promise<FireOutcome> {
  const now = deps.clock.now();
  const existing = await deps.triggers.getCheck(check.campaignId, check.rule as CheckRule, check.orderId);
  if (existing && FINAL_CHECK_STATUSES.has(existing.status)) return { kind: 'done' };
  const drop = async (status: CheckRecord['status'], reason: string): Promise<FireOutcome> => {
    const first = await deps.triggers.recordOutcome(recordOf(check, status, now, { reason }));
    return first ? { kind: 'dropped', status, reason } : { kind: 'done' };
  };
  const [entry, control] = await Promise.all([
    deps.triggers.registeredOne(check.campaignId),
    deps.lifecycle.getControl(check.campaignId),
  ]);
  if (!entry || !control || !LIVE.has(control.state)) return drop('suppressed', 'trigger:not-live');
  const { campaign } = entry;
  const order = await deps.orders.getOrder(check.customerId, check.orderId);
  if (!order) throw new Error(`trigger check ${checkScheduleName(check)}: its order is not stored`);
  const contact = await deps.contacts.contactOf(check.campaignId, check.customerId);
  const phone = contact?.phone;
  const optedOut = contact?.optOutSms === true || (phone !== undefined && (await deps.optOuts.isOptedOut(phone)));
  const decision = decideCheck({ campaign, check, order, phone, optedOut, now });
  if (decision.kind === 'drop') return drop('suppressed', decision.reason);
  if (decision.kind === 'wait') {
    // A schedule of its own (the one firing now deletes itself once done), named by the time it waits for.
    await scheduleOne(
      deps,
      campaign,
      check,
      decision.until,
      now,
      `-w${Math.floor(decision.until / 60_000).toString(36)}`,
    );
    await deps.triggers.recordOutcome(
      recordOf(check, 'waiting', now, { fireAt: new Date(decision.until).toISOString() }),
    );
    return { kind: 'waiting', until: decision.until };
  }
  const device = contact?.device ?? 'mobile';
  // Registered before the claim: a registry that fails leaves nothing claimed, and a check
  // fired again registers the same record.
  const link = await reminderLink(deps.trackedLinks, campaign, check, device);
  const claim: LedgerClaim = {
    customerId: check.customerId,
    touchId: checkTouchId(check),
    campaignId: check.campaignId,
    touchCap: campaign.caps.touches,
    smsMonth: { month: monthKey(now, campaign.timezone), cap: campaign.caps.smsPerMonth },
  };
  const claimed = await deps.ledger.claim(claim);
  if (claimed.kind === 'already') return drop('unknown', 'claimed before, no outcome recorded');
  if (claimed.kind === 'refused') return drop('suppressed', claimed.reason);
  const settings = checkSettings(campaign, check.rule) as NonNullable<ReturnType<typeof checkSettings>>;
  const text = renderSms(reminderText(check.rule, settings.sms), {
    name: contact?.name,
    link,
    signature: campaign.signature,
    optOut: campaign.providerSuffix ? '' : campaign.optOutText,
    ...(campaign.coupon === undefined ? {} : { coupon: campaign.coupon }),
  });
  try {
    const { messageId } = await deps.sms.send({
      phone: phone as string,
      text,
      tags: {
        campaignId: check.campaignId,
        waveId: check.rule,
        sendId: checkScheduleName(check),
        customerId: check.customerId,
      },
    });
    await deps.triggers.recordOutcome(
      recordOf(check, 'sent', now, {
        sentAt: new Date(now).toISOString(),
        parts: smsParts(deliveredSms(text, campaign.providerSuffix)),
      }),
    );
    return { kind: 'sent', messageId };
  } catch (error) {
    if (error instanceof ThrottledError) {
      // It never left: the claim goes back and the check fires again a little later, on a
      // schedule of its own. Not the scheduler's retry: a burst of checks due at one instant
      // (a balance opening, quiet hours ending) would use up its retries within seconds.
      await deps.ledger.release(claim);
      const until = now + throttledRetryMs(check);
      await scheduleOne(deps, campaign, check, until, now, `-t${Math.floor(until / 1000).toString(36)}`);
      return { kind: 'waiting', until };
    }
    if (error instanceof RejectedMessageError) return drop('failed', 'rejected');
    // It may have reached the provider: unknown, never resent blindly.
    return drop('unknown', `provider error: ${(error as Error).name}`);
  }
}

/**
 * The link a reminder carries: its own tracked link (one per order: a customer reminded of two
 * orders taps two links, each counted once) when the campaign tracks its links, else the
 * campaign's link for the customer's device.
 */
async function reminderLink(
  deps: TrackedLinkDeps | undefined,
  campaign: Campaign,
  check: TriggerCheck,
  device: Device,
): Promise<string> {
  const to = linkFor(device, campaign.links);
  const base = campaign.links.trackingBase;
  if (base === undefined) return to;
  const [url] = await registerTrackedLinks(deps, campaign.id, base, [
    {
      campaignId: check.campaignId,
      waveId: check.rule,
      channel: 'sms',
      customerId: check.customerId,
      orderId: check.orderId,
      sendId: checkScheduleName(check),
      to,
    },
  ]);
  return url as string;
}
