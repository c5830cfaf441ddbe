/** The campaign report: what report.json holds and report.html draws. */
import type { AuditEntry, CampaignState } from './campaign-lifecycle.ts';
import type { CampaignIncrement, WaveIncrement } from './incremental.ts';
import type { Channel } from './timeline.ts';

/** What a row's tracked links earned (tracked campaigns only). */
export interface ClickResults {
  /** Customers who followed the message's tracked link (once each, however often they tapped). */
  clicks?: number;
  /** clicks / sent, 0 to 1; absent when nothing was sent. */
  clickThrough?: number;
  /**
   * Clicked then ordered, a second attribution beside timing: orders paid within the
   * attribution window after the customer's click on this row's messages (the last click
   * before the payment wins, whether a wave's or a reminder's), and their CNY.
   */
  clickedOrders?: number;
  clickedRevenue?: number;
}

export interface ReportRow extends ClickResults {
  waveId: string;
  channel: Channel;
  /** Touches the plan scheduled. */
  planned: number;
  /** Accepted by the provider (with a message id). */
  sent: number;
  /** Refused by the provider or failed for good, by reason. */
  failed: Record<string, number>;
  /** Not sent on purpose at send time, by reason (`suppressed:purchase`, `opt-out`, `cap:touches`, ...). */
  suppressed: Record<string, number>;
  /** Claimed but with no provider answer recorded (a crash in flight): never re-sent blindly. */
  unknown: number;
  /** Not sent: it would have landed outside its window (after a pause, or late), so it was dropped. */
  expired: number;
  /** The expired touches by what closed their window (`window:night`, `window:grace`, ...). */
  expiredBy?: Record<string, number>;
  /**
   * Not sent: the campaign or the wave was cancelled (touches still waiting for the cancel's
   * sweep are counted here already).
   */
  cancelled: number;
  /** The cancelled touches by reason. */
  cancelledBy?: Record<string, number>;
  /** Not reached yet (the send time is still ahead). */
  pending: number;
  /** SMS parts billed (SMS rows only). */
  smsParts?: number;
  /** Orders credited to this wave and channel (paid within the attribution window, last touch wins). */
  orders?: number;
  /** CNY of those orders. */
  revenue?: number;
  /** CNY: SMS parts x the SMS part price, or emails sent x the email price. */
  cost?: number;
  /** (revenue - cost) / cost; absent when nothing cost anything. */
  roi?: number;
}

export interface UnknownTouch {
  customerId: string;
  waveId: string;
  channel: Channel;
  sendId: string;
}

export interface CampaignReport {
  campaignId: string;
  /** The campaign's state when the report was made. */
  state?: CampaignState;
  /** The version reported on: the approved one, or the draft before any approval. */
  version?: number;
  timezone: string;
  /** The time the report describes, ISO 8601 with offset. */
  asOf: string;
  rows: ReportRow[];
  totals: Omit<ReportRow, 'waveId' | 'channel'>;
  /** Every touch whose outcome is unknown, so an operator can check them with the provider. */
  unknownTouches: UnknownTouch[];
  /** Hours after a touch within which a paid order is credited to it. */
  attributionHours?: number;
  /**
   * What the campaign added (the cause), measured against each wave's control group; beside it,
   * the rows' orders and revenue are last-touch attribution (credit, not cause).
   */
  incremental?: ReportIncremental;
  /** Every change of the campaign's state, oldest first: who, when, what, which version or wave, why. */
  audit?: AuditEntry[];
  /** Results by member tier (会员等级), when the segment files gave tiers; tiers by name, "no tier" last. */
  byTier?: TierRow[];
  /**
   * Every wave broken down by customer group (人群): the group the plan put each customer in,
   * and the marketer's own labels. Absent when no touch recorded a group or a label (a plan
   * made before they were recorded).
   */
  byGroup?: WaveGroupResults[];
  /** The marketer's own names for groups, segments and tiers (the campaign's `groupLabels`). */
  groupLabels?: Record<string, string>;
  /**
   * Order-triggered reminders (催付) and presale balance reminders (尾款): a row per rule of the
   * campaign (and per rule of an earlier version that still has checks). Absent when the
   * campaign has no order rules and no check was ever recorded.
   */
  triggers?: TriggerRow[];
}

/**
 * One order rule's checks: each order event that started one is a check, which fires once
 * (or waits for quiet hours to end, then fires) and ends sent, suppressed, failed or unknown.
 */
export interface TriggerRow extends ClickResults {
  /** `trigger:<id>` for a campaign trigger, `presale:open` or `presale:close` for the balance reminders. */
  rule: string;
  /** Checks scheduled: orders that started one. */
  scheduled: number;
  /** Checks that fired and reached their outcome (sent + suppressed + failed + unknown). */
  checked: number;
  /** Accepted by the provider. */
  sent: number;
  /**
   * Not sent on purpose, by reason: `trigger:paid`, `trigger:cancelled`, `trigger:expired`
   * (the window closed first), `trigger:quiet-hours` (due in quiet hours, set to expire there),
   * `trigger:not-live`, `opt-out`, `no-phone`,
   * `cap:touches`, `cap:sms-month`.
   */
  suppressed: Record<string, number>;
  /** Refused by the provider, by reason. */
  failed: Record<string, number>;
  /** Claimed with no provider answer recorded (a crash in flight): never re-sent blindly. */
  unknown: number;
  /** Fired in quiet hours, waiting for their end. */
  waiting: number;
  /** Not fired yet. */
  pending: number;
  /** SMS parts billed. */
  smsParts: number;
  /**
   * The reminded orders paid after their reminder left, within the attribution window, and
   * not refunded (催付回款), and their CNY. The same order may also be credited to a wave by
   * last touch: these are not added to the wave totals.
   */
  orders: number;
  revenue: number;
  /** CNY: SMS parts x the SMS part price. */
  cost: number;
  /** (revenue - cost) / cost; absent when nothing cost anything. */
  roi?: number;
}

/** One wave's results per customer group. */
export interface WaveGroupResults {
  waveId: string;
  /** By the group the plan put each customer in (its code as recorded on the touches), in the playbook's order. */
  groups: GroupResult[];
  /** By the marketer's labels, by name: a customer with two labels counts under both, so labels need not add up to the wave. */
  labels: GroupResult[];
}

/** One customer group's part of one wave, over both channels. */
export interface GroupResult {
  /** The group's code (`d11-loyal`) or the label; '' for touches that recorded none. */
  code: string;
  /** Customers of the group with a touch of the wave (held-out customers are not counted). */
  customers: number;
  /** Touches planned, sent (accepted by the provider), failed, with no answer, and suppressed at send time. */
  planned: number;
  sent: number;
  failed: number;
  unknown: number;
  suppressed: number;
  /** Orders credited to the group's touches of the wave (last touch in the attribution window, as the wave rows) and their CNY. */
  orders: number;
  revenue: number;
  /** CNY spent on the group's touches of the wave. */
  cost: number;
  /** Customers of the group who followed the wave's tracked link, and clicks / sent (tracked campaigns only). */
  clicks?: number;
  clickThrough?: number;
  /**
   * What the wave added in this group, against the group's own held-out customers; absent
   * when the wave has no control group. Unknown (`too-few`) when too few of the group were held out.
   */
  increment?: WaveIncrement;
}

export interface TierRow {
  /** The member tier as the plan compared it (`VIP2`), or '' for customers without one. */
  tier: string;
  /** Customers with at least one planned touch (held-out control customers are not counted). */
  customers: number;
  /** Touches planned and sent (accepted by the provider). */
  planned: number;
  sent: number;
  /** Orders credited to the tier's touches (the same attribution as the wave rows) and their CNY. */
  orders: number;
  revenue: number;
  /** CNY spent on the tier's touches: SMS parts and emails sent at their prices. */
  cost: number;
  /** (revenue - cost) / cost; absent when nothing cost anything. */
  roi?: number;
}

export interface ReportIncremental {
  /** Orders compared: paid (not refunded) within this many hours after a wave's SMS time. */
  windowHours: number;
  /** Every wave, in plan order: its effect with 95% intervals, or why it is unknown (no control group). */
  waves: WaveIncrement[];
  /** Summed over the waves whose effect is known; the others are named in `unknownWaves`. */
  totals: CampaignIncrement;
}
