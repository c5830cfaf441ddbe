/**
 * The planner's output: what `campaign plan` writes to timeline.json and what the
 * timeline page draws. Field order here is the field order in the file, which keeps
 * the output byte-identical for the same inputs.
 */

export type Channel = 'sms' | 'email';

/** What bounds an overflowing send: the email window, the next wave or the end of the month. */
export type WarningLimit =
  | { kind: 'email-window'; minHours: number; maxHours: number }
  | { kind: 'next-wave'; waveId: string; at: string }
  | { kind: 'month-end'; at: string };

/**
 * One planner warning as a value; instants are ISO 8601 with the campaign zone's offset. The text in
 * either language comes from one dictionary keyed by `code` (functions/domain/i18n.ts).
 */
export type PlanWarning =
  | { code: 'no-customers' }
  | { code: 'unknown-tier'; wave: string; audience: string; knownTiers: string[]; moreTiers: boolean }
  | { code: 'unknown-audience'; wave: string; audience: string }
  | { code: 'past-wave'; wave: string; smsAt: string }
  | { code: 'empty-audience'; wave: string }
  | { code: 'no-window'; wave: string; channel: Channel; count: number; limit: WarningLimit; rate: number }
  | { code: 'quiet-split'; wave: string; channel: Channel; quietStart: string; quietEnd: string; groups: number[] }
  | { code: 'midnight-slow'; wave: string; seconds: number; rate: number; sms: number; parts: number; groups: number }
  | { code: 'midnight-past-night'; wave: string; until: string }
  | { code: 'columns-not-used'; columnsKey: string }
  | {
      code: 'sprint-reach';
      wave: string;
      smsAt: string;
      reached: number;
      eligible: number;
      /** The band around the playbook's "about 70%", as shares 0 to 1. */
      low: number;
      high: number;
    }
  | { code: 'midnight-risky-groups'; wave: string; dormantDeep: number; churned: number }
  | { code: 'sms-night-promotion'; waves: string[]; start: string; end: string }
  | { code: 'sms-banned-words'; wave: string; words: string[] }
  | { code: 'tracked-link-parts'; wave: string; plainParts: number; trackedParts: number };

export type WarningCode = PlanWarning['code'];

/** One scheduled send: one wave, one channel, one customer group or a slice of it. */
export interface PlannedSend {
  id: string;
  waveId: string;
  channel: Channel;
  /** 1-based group number within the wave and channel. */
  group: number;
  /** ISO 8601 with the campaign time zone's offset. */
  at: string;
  customers: number;
  /** Time to hand every message of this send to the provider at the configured rate. */
  estimatedSeconds: number;
  /** 1-based slice number when quiet hours or a window cut a group; 1 when the group is whole. */
  slice: number;
  /** SMS only: message parts summed over the send (what SMS throughput and cost count). */
  smsParts?: number;
  /** The midnight push: exempt from quiet hours, top priority. */
  midnight?: boolean;
  /** Customers who pay before this send leave it. */
  stopOnPurchase?: boolean;
}

export interface WaveSummary {
  id: string;
  /** The SMS wave's start, ISO 8601 with offset. */
  smsAt: string;
  /** The email wave's start when the wave has one. */
  emailAt?: string;
  midnight: boolean;
  stopOnPurchase: boolean;
  audience: string[];
  /** Customers in the wave's audience (before channel checks and caps). */
  audience_size: number;
  /** Customers of the audience held out as the control group (never sent). */
  control: number;
  planned: { sms: number; email: number };
  /** Touches of this wave that will not happen, by reason code. */
  dropped: Record<string, number>;
  /** When the last send of the wave is expected to finish, per channel. */
  smsEndsAt?: string;
  emailEndsAt?: string;
  /** Rendered example of the SMS (for a customer named in the template), and its part count. */
  smsExample?: { text: string; parts: number; characters: number };
  emailExample?: { subject: string };
  /**
   * A wave with a care text: how many of its planned SMS are the care text (recent buyers,
   * who get it instead of the promotion), and an example of it.
   */
  care?: { sms: number; example: { text: string; parts: number; characters: number } };
}

export interface TimelineSummary {
  /** Distinct customers read from the segment files. */
  customers: number;
  /** Customers with at least one planned touch: the base of the multi-SMS share. */
  reached: number;
  /** Customers planned more than one SMS, and the most the share allows. */
  multiSms: number;
  multiSmsLimit: number;
  touches: { sms: number; email: number };
  smsParts: number;
  /** Primary playbook group sizes, in group order. */
  groups: Record<string, number>;
  /**
   * The dormant and churned groups' sub-groups (`dormant-deep:returning-high`), in sub-group
   * order; each group's sub-groups add up to its size. Absent in plans made before they existed.
   */
  subGroups?: Record<string, number>;
  /** The estimated cost at the campaign's prices, CNY: per channel, in total, and per wave and channel. */
  cost?: {
    sms: { messages: number; parts: number; cny: number };
    email: { messages: number; cny: number };
    totalCny: number;
    lines: Array<{ waveId: string; channel: Channel; messages: number; parts?: number; cny: number }>;
  };
  /** When the campaign sets a budget: the budget, CNY, and how many touches were cut to keep within it. */
  budget?: { cny: number; cut: number };
}

export interface Timeline {
  campaignId: string;
  timezone: string;
  /** The planning time the plan was made for (--now). */
  plannedAt: string;
  /** The midnight push instant, ISO 8601 with offset. */
  midnight: string;
  quietHours: { start: string; end: string };
  /** The marketer's own names for groups, segments and tiers (absent when the campaign gives none). */
  groupLabels?: Record<string, string>;
  /** `multiSmsGroups`: the groups that may get more than one SMS (absent in plans made before the setting). */
  caps: { touches: number; smsPerMonth: number; multiSmsShare: number; multiSmsGroups?: string[] };
  groupSize: number;
  smsRatePerSecond: number;
  emailRatePerSecond: number;
  sends: PlannedSend[];
  dropped: Record<string, number>;
  /** The warnings as English sentences (what tools and old readers read). */
  warnings: string[];
  /** The same warnings as typed values, in the same order, for pages in the marketer's language; absent when none. */
  warningDetails?: PlanWarning[];
  waves: WaveSummary[];
  summary: TimelineSummary;
}

/** One line of touches.jsonl. */
export interface PlannedTouch {
  customerId: string;
  waveId: string;
  channel: Channel;
  sendId: string;
  at: string;
}
