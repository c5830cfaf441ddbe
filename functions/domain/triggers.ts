/**
 * Order-triggered reminders (催付) and presale balance reminders (尾款), decided without I/O.
 *
 * An order event may start checks: a trigger's (`on` the event, `after` a delay, for orders
 * created inside its window) and the presale balance's (when the balance opens, and
 * `beforeClose` its end). A check is one (campaign, rule, order): its schedule name and its
 * ledger touch id follow from those alone, so a repeated webhook or two racing ones schedule
 * the same check, and a check fired twice claims the same touch (it sends once).
 *
 * When a check fires it sends, waits (quiet hours, when the rule says wait) or drops with a
 * reason: the order was paid or cancelled, the customer opted out, the window closed. The
 * caps are the ledger's, shared with the waves.
 */
import { createHash } from 'node:crypto';
import { type Campaign, durationMs, type ReminderSms } from './campaign.ts';
import { parseDateTime } from './local-time.ts';
import type { OrderEvent, OrderState } from './orders.ts';
import { inQuietHours, leaveQuietHours, quietHoursOf } from './send-windows.ts';

/** Why a check sent nothing, besides the reasons the waves share (opt-out, no-phone, the caps). */
export type TriggerReason =
  | 'trigger:paid'
  | 'trigger:cancelled'
  | 'trigger:expired'
  | 'trigger:quiet-hours'
  | 'trigger:not-live';

/** A presale balance's two reminders. */
export const PRESALE_RULES = ['presale:open', 'presale:close'] as const;
export type PresaleRule = (typeof PRESALE_RULES)[number];
/** `trigger:<id>` for a campaign's trigger, or a presale balance reminder. */
export type CheckRule = `trigger:${string}` | PresaleRule;

/** One scheduled check: what the schedule's payload carries. */
export interface TriggerCheck {
  campaignId: string;
  /** The approved version whose rule scheduled it. */
  version: number;
  rule: CheckRule;
  orderId: string;
  customerId: string;
  /** When it fires, epoch ms. */
  fireAt: number;
  /** No reminder of this check leaves at or after this instant (the window's end, the balance's close). */
  expiresAt: number;
}

/** An open presale balance with no end given is reminded within this long of its opening. */
export const OPEN_BALANCE_WITHOUT_END_MS = 24 * 60 * 60 * 1000;

export const triggerRule = (triggerId: string): CheckRule => `trigger:${triggerId}`;

/** Whether a campaign has anything an order event can start. */
export function hasOrderRules(campaign: Pick<Campaign, 'triggers' | 'presaleBalance'>): boolean {
  return campaign.triggers.length > 0 || campaign.presaleBalance !== undefined;
}

/**
 * The checks an order event schedules for one campaign at `now`. A check whose reminder could
 * only leave after it expires is not scheduled; one whose time has passed fires now.
 */
export function checksFor(campaign: Campaign, version: number, event: OrderEvent, now: number): TriggerCheck[] {
  const { order } = event;
  const base = { campaignId: campaign.id, version, orderId: order.orderId, customerId: order.customerId };
  const checks: TriggerCheck[] = [];
  const push = (rule: CheckRule, due: number, expiresAt: number) => {
    const fireAt = Math.max(due, now);
    if (Number.isFinite(fireAt) && fireAt < expiresAt) checks.push({ ...base, rule, fireAt, expiresAt });
  };
  for (const trigger of campaign.triggers) {
    if (trigger.on !== event.type) continue;
    // An order paid in the same event as it was made needs no reminder.
    if (order.paidAt && trigger.unless.includes('order.paid')) continue;
    const created = Date.parse(order.createdAt);
    const from = parseDateTime(trigger.window.from, campaign.timezone);
    const to = parseDateTime(trigger.window.to, campaign.timezone);
    if (!(created >= from && created < to)) continue;
    push(triggerRule(trigger.id), created + durationMs(trigger.after), to);
  }
  const presale = campaign.presaleBalance;
  if (presale && event.type === 'order.deposit_paid' && order.type === 'presale' && order.balanceDueFrom) {
    if (!order.paidAt) {
      const opens = Date.parse(order.balanceDueFrom);
      const closes = order.balanceDueTo ? Date.parse(order.balanceDueTo) : opens + OPEN_BALANCE_WITHOUT_END_MS;
      if (presale.atOpen) push('presale:open', opens, closes);
      if (presale.beforeClose !== undefined && order.balanceDueTo) {
        push('presale:close', Math.max(opens, closes - durationMs(presale.beforeClose)), closes);
      }
    }
  }
  return checks;
}

/**
 * The check's schedule name: the same for the same rule and order whatever delivers the event
 * (1-64 of [0-9a-zA-Z-_.]; the order id is hashed, as it may hold any character).
 */
export function checkScheduleName(check: Pick<TriggerCheck, 'rule' | 'orderId'>): string {
  return `chk-${createHash('sha256').update(`${check.rule}\u0000${check.orderId}`).digest('hex').slice(0, 40)}`;
}

/** The ledger's id of a check's SMS: one per campaign, rule and order, never claimed twice. */
export function checkTouchId(check: Pick<TriggerCheck, 'campaignId' | 'rule' | 'orderId'>): string {
  return `${check.campaignId}#${check.rule}#${check.orderId}#sms`;
}

/** What the rule of a check says: its stops, its quiet-hours mode, its text. Undefined when the campaign no longer has it. */
export interface CheckSettings {
  unless: ReadonlyArray<'order.paid' | 'order.cancelled'>;
  quietHours: 'wait' | 'expire';
  sms: ReminderSms;
}

export function checkSettings(campaign: Campaign, rule: CheckRule): CheckSettings | undefined {
  if (rule === 'presale:open' || rule === 'presale:close') {
    const presale = campaign.presaleBalance;
    if (!presale) return undefined;
    if (rule === 'presale:open' ? !presale.atOpen : presale.beforeClose === undefined) return undefined;
    return { unless: ['order.paid', 'order.cancelled'], quietHours: presale.quietHours, sms: presale.sms };
  }
  const trigger = campaign.triggers.find((candidate) => triggerRule(candidate.id) === rule);
  return trigger && { unless: trigger.unless, quietHours: trigger.quietHours, sms: trigger.sms };
}

/** The default texts: true for every recipient whenever they leave (nothing claims a sale is ending). */
export const REMINDER_TEXTS: Readonly<Record<'trigger' | PresaleRule, string>> = {
  trigger: '{signature}{name}，您的订单还未支付，付款后我们尽快为您发货，去支付 {link} {optOut}',
  'presale:open': '{signature}{name}，您预订商品的尾款已开放支付，付清尾款即可安排发货，去付尾款 {link} {optOut}',
  'presale:close': '{signature}{name}，您预订商品的尾款即将截止支付，逾期定金可能无法退还，去付尾款 {link} {optOut}',
};

export function reminderText(rule: CheckRule, sms: ReminderSms): string {
  if (sms.text !== undefined) return sms.text;
  return rule === 'presale:open' || rule === 'presale:close' ? REMINDER_TEXTS[rule] : REMINDER_TEXTS.trigger;
}

export type CheckDecision =
  | { kind: 'send' }
  /** In quiet hours, the rule says wait: fire again at their end. */
  | { kind: 'wait'; until: number }
  | { kind: 'drop'; reason: TriggerReason | 'opt-out' | 'no-phone' };

export interface CheckInput {
  campaign: Campaign;
  check: TriggerCheck;
  /** The order as it stands now. */
  order: OrderState;
  /** The customer's SMS number, if any. */
  phone: string | undefined;
  /** Opted out of SMS (at the provider, or in their segment file). */
  optedOut: boolean;
  now: number;
}

/** Whether a fired check sends now, waits, or drops (the caps are the ledger claim's, after this). */
export function decideCheck(input: CheckInput): CheckDecision {
  const { campaign, check, order, now } = input;
  const settings = checkSettings(campaign, check.rule);
  if (!settings) return { kind: 'drop', reason: 'trigger:not-live' };
  if (settings.unless.includes('order.paid') && order.paidAt) return { kind: 'drop', reason: 'trigger:paid' };
  if (settings.unless.includes('order.cancelled') && (order.cancelledAt || order.refundedAt)) {
    return { kind: 'drop', reason: 'trigger:cancelled' };
  }
  if (!input.phone) return { kind: 'drop', reason: 'no-phone' };
  if (input.optedOut) return { kind: 'drop', reason: 'opt-out' };
  if (now >= check.expiresAt) return { kind: 'drop', reason: 'trigger:expired' };
  const quiet = quietHoursOf(campaign);
  if (inQuietHours(now, quiet)) {
    const until = leaveQuietHours(now, quiet);
    // Apart from the window's close: the marketer sees how many reminders the night took.
    if (settings.quietHours === 'expire' || until >= check.expiresAt)
      return { kind: 'drop', reason: 'trigger:quiet-hours' };
    return { kind: 'wait', until };
  }
  return { kind: 'send' };
}
