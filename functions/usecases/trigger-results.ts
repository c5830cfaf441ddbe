/**
 * The report's rows of order rules (催付 triggers and presale balance reminders), from the
 * check records: what each check ended as, and which reminded orders were paid after it (each
 * order credited once, to the last of its reminders that left before it was paid).
 */
import type { Campaign } from '../domain/campaign.ts';
import type { OrderState } from '../domain/orders.ts';
import type { TriggerRow } from '../domain/report-types.ts';
import { type CheckRule, PRESALE_RULES, triggerRule } from '../domain/triggers.ts';
import type { CheckRecord } from '../ports/trigger-store.ts';

const roundCny = (value: number) => Math.round(value * 100) / 100;

function emptyTriggerRow(rule: string): TriggerRow {
  return {
    rule,
    scheduled: 0,
    checked: 0,
    sent: 0,
    suppressed: {},
    failed: {},
    unknown: 0,
    waiting: 0,
    pending: 0,
    smsParts: 0,
    orders: 0,
    revenue: 0,
    cost: 0,
  };
}

/** The campaign's own rules, in file order: its triggers, then the balance reminders it sends. */
export function campaignRules(campaign: Pick<Campaign, 'triggers' | 'presaleBalance'>): CheckRule[] {
  const rules: CheckRule[] = campaign.triggers.map((trigger) => triggerRule(trigger.id));
  const presale = campaign.presaleBalance;
  if (presale?.atOpen) rules.push(PRESALE_RULES[0]);
  if (presale?.beforeClose !== undefined) rules.push(PRESALE_RULES[1]);
  return rules;
}

/**
 * A row per rule: the campaign's rules first (also those no order started yet), then any rule
 * only an earlier version had. Undefined when there is neither a rule nor a record.
 */
export function triggerRows(
  campaign: Pick<Campaign, 'triggers' | 'presaleBalance' | 'attributionHours' | 'prices'>,
  records: readonly CheckRecord[],
  orders: readonly OrderState[],
): TriggerRow[] | undefined {
  const rows = new Map<string, TriggerRow>(campaignRules(campaign).map((rule) => [rule, emptyTriggerRow(rule)]));
  if (rows.size === 0 && records.length === 0) return undefined;
  const orderOf = new Map(orders.map((order) => [`${order.customerId}\u0000${order.orderId}`, order]));
  const windowMs = campaign.attributionHours * 3_600_000;
  const lastReminder = new Map<string, { row: TriggerRow; sentAt: number; amount: number }>();
  const bump = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1;
  };
  for (const check of records) {
    let row = rows.get(check.rule);
    if (!row) {
      row = emptyTriggerRow(check.rule);
      rows.set(check.rule, row);
    }
    row.scheduled += 1;
    if (check.status === 'scheduled') row.pending += 1;
    else if (check.status === 'waiting') row.waiting += 1;
    else {
      row.checked += 1;
      if (check.status === 'sent') row.sent += 1;
      else if (check.status === 'suppressed') bump(row.suppressed, check.reason ?? 'suppressed');
      else if (check.status === 'failed') bump(row.failed, check.reason ?? 'failed');
      else row.unknown += 1;
    }
    if (check.status !== 'sent' || !check.sentAt) continue;
    row.smsParts += check.parts ?? 0;
    // One credit per order: the last reminder that left before it was paid, within the window.
    const key = `${check.customerId}\u0000${check.orderId}`;
    const order = orderOf.get(key);
    const sentAt = Date.parse(check.sentAt);
    const paidAt = order?.paidAt === undefined ? Number.NaN : Date.parse(order.paidAt);
    if (!order || order.refundedAt || !(paidAt >= sentAt && paidAt < sentAt + windowMs)) continue;
    const earlier = lastReminder.get(key);
    if (!earlier || sentAt > earlier.sentAt) lastReminder.set(key, { row, sentAt, amount: order.amount });
  }
  for (const { row, amount } of lastReminder.values()) {
    row.orders += 1;
    row.revenue += amount;
  }
  return [...rows.values()].map((row) => {
    const cost = roundCny(row.smsParts * campaign.prices.smsPart);
    const revenue = roundCny(row.revenue);
    return {
      ...row,
      revenue,
      cost,
      ...(cost > 0 ? { roi: Math.round(((revenue - cost) / cost) * 100) / 100 } : {}),
    };
  });
}
