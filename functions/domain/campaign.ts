/**
 * The campaign file: schema, defaults, and every check that can be made
 * without customers. An invalid file is refused whole, each problem named by its JSON
 * path, so nothing is ever scheduled from half a campaign.
 */
import { z } from 'zod';
import { MAX_TIER_LENGTH, normaliseTier } from './cell-values.ts';
import { columnMappingSchema } from './column-mapping.ts';
import { normaliseEmail, normalisePhone } from './customer.ts';
import { DAY_MS, HOUR_MS, isValidTimeZone, minuteOfDay, parseClock, parseDateTime } from './local-time.ts';
import { CHOSEN_WAVE_KINDS, OPT_OUT_PATTERN, placeholdersIn, TEMPLATE_PLACEHOLDERS } from './messages.ts';
import { DEFAULT_MULTI_SMS_GROUPS } from './second-touch.ts';
import { PLAYBOOK_GROUPS } from './segments.ts';
import { isSplitGroup, SPLIT_GROUPS, subGroupSpellings, subGroupsNamedBy } from './sub-groups.ts';

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
const SIGNATURE = /^【[^【】]{1,20}】$/;

/** At most this many waves: the planner keeps each customer's touches in one 32-bit mask. */
export const MAX_WAVES = 16;

const localDateTime = z.string().regex(LOCAL_DATE_TIME, 'must be local wall-clock time like 2026-11-05T12:00');
const id = z.string().regex(ID, 'must be 1-48 letters, digits, - or _, starting with a letter or digit');
const clock = z.string().regex(CLOCK, 'must be HH:MM (24-hour)');
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const links = z.strictObject({ mobile: url, pc: url });
/**
 * The campaign's links, and the base its tracked links are built on: the store's own short
 * domain when it fronts the redirect (`https://s.shop.cn`, any path, no query), else, filled in
 * at planning, the product's HTTP API. The plan counts SMS parts with it, so the send uses the
 * same one.
 */
const campaignLinks = links.extend({
  trackingBase: url
    .refine((text) => !/[?#]/.test(text), 'must be a base URL without ? or #: the link adds /l/<id> to it')
    .optional(),
});

/** A test recipient: a phone normalised as segment phones are (E.164), or an email address (lower case). */
export type TestAddress = { kind: 'sms'; address: string } | { kind: 'email'; address: string };

/** Reads one test address as the campaign file and a test-send request give it; null when it is neither. */
export function parseTestAddress(text: string): TestAddress | null {
  const trimmed = text.trim();
  if (trimmed.includes('@')) {
    const email = normaliseEmail(trimmed);
    return email ? { kind: 'email', address: email } : null;
  }
  const phone = normalisePhone(trimmed);
  return phone ? { kind: 'sms', address: phone } : null;
}

/** The most test recipients a campaign file may list. */
export const MAX_TEST_RECIPIENTS = 50;

const testRecipient = z
  .string()
  .max(254)
  .transform((text, ctx) => {
    const parsed = parseTestAddress(text);
    if (parsed) return parsed.address;
    ctx.addIssue({
      code: 'custom',
      message: 'must be a phone (+8613800138000 or an 11-digit mainland mobile) or an email address',
    });
    return z.NEVER;
  });

const emailWave = z.strictObject({
  /** Explicit start of the email wave, local wall clock; default: chosen by the planner. */
  at: localDateTime.optional(),
  /** The email-type condition: only these email domains (e.g. qq.com, 163.com). */
  domains: z
    .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be an email domain like qq.com'))
    .min(1)
    .optional(),
});

/** A template id as the SMS provider gives it (SMS_123456789, 1234567, tpl-d11-a). */
const templateId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be the template id your SMS provider gave');
/** What a coupon is called in a text (满300减50券, 20元无门槛券). */
const coupon = z.string().trim().min(1).max(20, 'must be at most 20 characters');

/** The China marketing-SMS rules, or none (a store that sends outside mainland China). */
export const SMS_RULE_SETS = ['cn-marketing', 'none'] as const;
export type SmsRuleSet = (typeof SMS_RULE_SETS)[number];

/** Words Chinese SMS platforms refuse or hold in marketing texts: 引流 to WeChat, lotteries, loans, cash-back. */
export const DEFAULT_BANNED_WORDS = [
  '加微信',
  '加V',
  '微信号',
  '加群',
  '抽奖',
  '中奖',
  '彩票',
  '返现',
  '刷单',
  '贷款',
  '套现',
  '免费领',
];

const templates = z.strictObject({
  /**
   * The provider's template id for this wave's own SMS text: the text must be the one
   * registered under that id (`registeredTemplates`), so a text changed after registration is caught.
   */
  templateId: templateId.optional(),
  sms: z.string().min(1).max(500).optional(),
  emailSubject: z.string().min(1).max(200).optional(),
  emailBody: z.string().min(1).max(20_000).optional(),
});

/**
 * The care text of a promotional wave (关怀短信): what a customer who bought within `careDays`
 * gets from the wave instead of its promotion. Without it such customers are kept out of the wave.
 */
const care = z.strictObject({
  sms: z.string().min(1).max(500),
  /** The provider's template id for the care text, as for the wave's own text. */
  templateId: templateId.optional(),
});

const wave = z.strictObject({
  id,
  sms: z.union([z.literal('midnight'), localDateTime], {
    error: 'must be "midnight" or local time like 2026-11-05T12:00',
  }),
  audience: z.array(z.string().min(1).max(64)).min(1).default(['*']),
  email: z.union([z.boolean(), emailWave]).default(false),
  stopOnPurchase: z.boolean().default(false),
  /** What the wave is for, which picks its default texts; the midnight push and reminders have their own. */
  kind: z.enum(CHOSEN_WAVE_KINDS).optional(),
  /** The coupon this wave's texts name as {coupon}; default: the campaign's. */
  coupon: coupon.optional(),
  /** Share of the wave's audience held out (never sent) to measure the wave's lift against. */
  controlShare: z.number().min(0).max(0.5).default(0),
  templates: templates.default({}),
  care: care.optional(),
  links: links.optional(),
});

/** An ISO-8601 duration of days, hours, minutes and seconds (PT30M, PT2H, P1DT6H): how long after an event. */
const DURATION = /^P(?:(\d{1,3})D)?(?:T(?:(\d{1,4})H)?(?:(\d{1,5})M)?(?:(\d{1,6})S)?)?$/;

/** A duration's length in ms, or NaN when it is not one (`P`, `PT`, `PT1.5H`). */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return Number.NaN;
  const [, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return (((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60_000 + (seconds ?? 0) * 1000;
}

const duration = z
  .string()
  .refine((text) => durationMs(text) > 0, 'must be an ISO-8601 duration above zero like PT30M, PT2H or P1DT6H');

/** A reminder's SMS: its own text (or the unpaid reminder's default) and the provider's template id. */
const reminderSms = z.strictObject({
  text: z.string().min(1).max(500).optional(),
  templateId: templateId.optional(),
});

/** What a triggered reminder does in quiet hours: wait for their end, or expire. */
export const QUIET_HOURS_MODES = ['wait', 'expire'] as const;

/** The order events a trigger may start from, and those that stop its reminder. */
export const TRIGGER_EVENTS = ['order.created'] as const;
export const TRIGGER_STOPS = ['order.paid', 'order.cancelled'] as const;

/**
 * An order-triggered reminder (催付): an order event inside the window schedules one check
 * `after` it; the check sends the SMS only if none of `unless` has happened by then.
 */
const trigger = z.strictObject({
  id,
  on: z.enum(TRIGGER_EVENTS),
  after: duration,
  unless: z.array(z.enum(TRIGGER_STOPS)).default([...TRIGGER_STOPS]),
  sms: reminderSms.default({}),
  /** Campaign-zone local times: orders created in [from, to) are reminded, and no reminder leaves after `to`. */
  window: z.strictObject({ from: localDateTime, to: localDateTime }),
  quietHours: z.enum(QUIET_HOURS_MODES, { error: 'must be "wait" or "expire"' }).default('wait'),
});

/**
 * Presale balances (定金/尾款): an order of type presale with its deposit paid gets a reminder when
 * its balance opens (`atOpen`) and another `beforeClose` its end; none once the balance is paid.
 */
const presaleBalance = z.strictObject({
  sms: reminderSms.default({}),
  atOpen: z.boolean().default(true),
  beforeClose: duration.optional(),
  quietHours: z.enum(QUIET_HOURS_MODES, { error: 'must be "wait" or "expire"' }).default('wait'),
});

/** At most this many triggers in a campaign. */
export const MAX_TRIGGERS = 10;

/** A member tier as a campaign file names it: compared as the segment files' tiers are (case and width aside). */
const tierName = z
  .string()
  .min(1)
  .max(MAX_TIER_LENGTH, `must be at most ${MAX_TIER_LENGTH} characters`)
  .transform((tier) => normaliseTier(tier));

/** `tier:VIP2` in a wave's audience: the customers of that member tier. */
export const TIER_AUDIENCE_PREFIX = 'tier:';
/** What was meant as a tier audience, however written (`Tier:VIP2`, `tier： VIP2`): checked for the one form. */
const TIER_LIKE = /^tier\s*[:：]/i;
const COLON = /[:：]/;

const segmentSettings = z
  .strictObject({
    loyalYears: z.int().min(1).max(10).default(2),
    recentDays: z.int().min(1).max(3650).default(90),
    shallowDays: z.int().min(1).max(3650).default(180),
    deepDays: z.int().min(1).max(3650).default(365),
    highOrders: z.int().min(1).default(3),
    highSpend: z.number().min(0).default(1000),
    /** Member tiers that count as high value for `recent-high`, beside the order and spend thresholds. */
    highTiers: z.array(tierName).max(50).default([]),
    /** The dormant and churned sub-groups' value split, CNY: higher value from this average order value... */
    subGroupOrderValue: z.number().min(0).default(300),
    /** ...or from this total spend. */
    subGroupSpend: z.number().min(0).default(1000),
    order: z
      .array(z.enum(PLAYBOOK_GROUPS))
      .refine((order) => new Set(order).size === PLAYBOOK_GROUPS.length, {
        message: `must list each playbook group once: ${PLAYBOOK_GROUPS.join(', ')}`,
      })
      .default([...PLAYBOOK_GROUPS]),
  })
  .refine((s) => s.recentDays < s.shallowDays && s.shallowDays < s.deepDays, {
    message: 'must satisfy recentDays < shallowDays < deepDays',
  });

const campaignObject = z.strictObject({
  id,
  timezone: z.string().refine(isValidTimeZone, 'is not an IANA time zone').default('Asia/Shanghai'),
  midnight: localDateTime.refine((text) => /T00:00(:00)?$/.test(text), 'must be at 00:00, e.g. 2026-11-11T00:00'),
  caps: z
    .strictObject({
      touches: z.int().min(1).max(50).default(3),
      smsPerMonth: z.int().min(1).max(50).default(2),
      multiSmsShare: z.number().min(0).max(1).default(0.3),
      /** The groups whose customers may get more than one SMS (within the share): see second-touch.ts. */
      multiSmsGroups: z.array(z.enum(PLAYBOOK_GROUPS)).default([...DEFAULT_MULTI_SMS_GROUPS]),
    })
    .default({ touches: 3, smsPerMonth: 2, multiSmsShare: 0.3, multiSmsGroups: [...DEFAULT_MULTI_SMS_GROUPS] }),
  /**
   * Care before promotion: a customer whose last order is this many days or fewer before a
   * promotional wave (any wave but the midnight push and stop-on-purchase reminders) is kept
   * out of it (`care-window`); 0 turns the rule off.
   */
  careDays: z.int().min(0).max(365).default(15),
  groupSize: z.int().min(1).max(10_000_000).default(30_000),
  quietHours: z.strictObject({ start: clock, end: clock }).default({ start: '22:00', end: '09:00' }),
  emailLeadDays: z
    .strictObject({ min: z.number().min(0).max(30), max: z.number().min(0).max(30) })
    .refine((lead) => lead.min <= lead.max, { message: 'min must not exceed max' })
    .default({ min: 2, max: 3 }),
  smsRatePerSecond: z.number().positive().max(100_000).default(20),
  emailRatePerSecond: z.number().positive().max(100_000).default(50),
  links: campaignLinks.default({ mobile: 'https://s.example.cn/d11', pc: 'https://shop.example.com' }),
  signature: z
    .string()
    .regex(SIGNATURE, 'must be the store name in 【】, e.g. 【示例旗舰店】')
    .default('【示例旗舰店】'),
  optOutText: z.string().regex(OPT_OUT_PATTERN, 'must tell how to opt out, e.g. 回T退订').default('回T退订'),
  /**
   * Which SMS rules the plan checks before anything is scheduled: `cn-marketing` (mainland
   * China's marketing SMS: signature first, opt-out, registered templates) or `none`. Default:
   * `cn-marketing` when the SMS audience has +86 numbers.
   */
  smsRules: z.enum(SMS_RULE_SETS, { error: 'must be "cn-marketing" or "none"' }).optional(),
  /**
   * The opt-out text the SMS provider appends to every message itself (拒收请回复R): it then
   * replaces {optOut}, and its characters count in every SMS's parts and cost.
   */
  providerSuffix: z
    .string()
    .min(1)
    .max(40)
    .regex(OPT_OUT_PATTERN, 'must be the opt-out text your provider appends, e.g. 拒收请回复R')
    .optional(),
  /**
   * The SMS templates registered with the provider: template id -> the fingerprint of the
   * registered text (the plan prints it for each text that is not registered yet).
   */
  registeredTemplates: z
    .record(templateId, z.string().regex(/^[0-9a-f]{16}$/, 'must be the 16-character fingerprint the plan printed'))
    .default({}),
  /** Words the plan warns about in an SMS text: content Chinese SMS platforms refuse. */
  bannedWords: z.array(z.string().trim().min(1).max(20)).max(200).default(DEFAULT_BANNED_WORDS),
  /** The coupon texts name as {coupon} (满300减50券): a text with {coupon} needs one, on the campaign or its wave. */
  coupon: coupon.optional(),
  segments: segmentSettings.default(segmentSettings.parse({})),
  /**
   * The marketer's header mapping for segment files read with this campaign (`campaign
   * plan`): `{ "<their header>": "<column>" }`, null to ignore a header.
   */
  columns: columnMappingSchema.default({}),
  /** An order paid this long after a touch is credited to it (the last touch before it wins). */
  attributionHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(72),
  /** What a message costs, CNY: for the report's cost and ROI. */
  prices: z
    .strictObject({ smsPart: z.number().min(0).default(0.045), email: z.number().min(0).default(0.001) })
    .default({ smsPart: 0.045, email: 0.001 }),
  /**
   * The most the plan may cost at `prices`, CNY: over it, touches are cut (second SMS, then the
   * least valuable customers' emails, then their SMS; never the midnight push). None: no limit.
   */
  budget: z.number().positive().max(1_000_000_000).optional(),
  /**
   * How late a send may still leave after its planned time (a resume, an approval, a late
   * firing); later than this it is dropped as expired rather than delivered stale.
   */
  resumeGraceMinutes: z
    .int()
    .min(0)
    .max(24 * 60)
    .default(30),
  /**
   * Who may receive a test send of a wave (its real texts, marked as tests): the marketer's
   * own phones and addresses. Nobody else can be sent a test, so the test send is no open relay.
   */
  /**
   * The marketer's own names for groups, segments and tiers, shown instead of the built-in
   * ones on every page (`{"d11-loyal": "双11老粉", "tier:VIP2": "金卡会员"}`); codes stay in files.
   */
  groupLabels: z
    .record(
      z.string().trim().min(1).max(64),
      z.string().trim().min(1, 'is empty').max(24, 'is longer than 24 characters'),
    )
    .refine((labels) => Object.keys(labels).length <= 200, 'has more than 200 labels')
    .default({}),
  testRecipients: z
    .array(testRecipient)
    .max(MAX_TEST_RECIPIENTS, `lists at most ${MAX_TEST_RECIPIENTS} test recipients`)
    .transform((addresses) => [...new Set(addresses)])
    .default([]),
  /** Order-triggered reminders (催付): see `trigger`. */
  triggers: z.array(trigger).max(MAX_TRIGGERS, `has more than ${MAX_TRIGGERS} triggers`).default([]),
  /** Presale balance reminders (尾款): see `presaleBalance`. */
  presaleBalance: presaleBalance.optional(),
  waves: z
    .array(wave)
    .min(1, 'needs at least one wave')
    .max(MAX_WAVES, `has more than ${MAX_WAVES} waves: a customer's touches are tracked across at most ${MAX_WAVES}`),
});

export const campaignSchema = campaignObject.superRefine(checkWaves);

export type CampaignInput = z.input<typeof campaignSchema>;
export type Campaign = z.output<typeof campaignSchema>;
export type Wave = Campaign['waves'][number];
export type SegmentSettings = Campaign['segments'];
export type Trigger = Campaign['triggers'][number];
export type PresaleBalance = NonNullable<Campaign['presaleBalance']>;
export type ReminderSms = Trigger['sms'];

type Issue = { path: PropertyKey[]; message: string };

/** Checks across fields: times, quiet hours, the midnight push, templates. */
function checkWaves(campaign: z.output<typeof campaignObject>, ctx: z.core.$RefinementCtx): void {
  const add = (issue: Issue) => ctx.addIssue({ code: 'custom', ...issue });
  const tz = campaign.timezone;
  // Field errors are already reported; cross-field checks need a real zone to mean anything.
  if (!isValidTimeZone(tz)) return;
  const midnightAt = parseDateTime(campaign.midnight, tz);
  const quietStart = parseClock(campaign.quietHours.start);
  const quietEnd = parseClock(campaign.quietHours.end);
  const seen = new Map<string, number>();
  let midnightWaves = 0;
  campaign.waves.forEach((wave, index) => {
    const at = (field: PropertyKey, ...rest: PropertyKey[]) => ['waves', index, field, ...rest];
    const earlier = seen.get(wave.id);
    if (earlier !== undefined) add({ path: at('id'), message: `repeats the id of waves[${earlier}]` });
    seen.set(wave.id, index);

    const smsAt = wave.sms === 'midnight' ? midnightAt : parseDateTime(wave.sms, tz);
    if (wave.sms === 'midnight') midnightWaves += 1;
    else if (Number.isNaN(smsAt)) add({ path: at('sms'), message: 'is not a real date and time' });
    else if (smsAt >= midnightAt) {
      add({ path: at('sms'), message: `is not before the midnight push (${campaign.midnight}): it is the final wave` });
    } else if (isQuiet(minuteOfDay(smsAt, tz), quietStart, quietEnd)) {
      add({
        path: at('sms'),
        message: `falls in quiet hours (${campaign.quietHours.start} to ${campaign.quietHours.end}); only the midnight push may`,
      });
    }

    if (typeof wave.email === 'object' && wave.email.at !== undefined && !Number.isNaN(smsAt)) {
      const emailAt = parseDateTime(wave.email.at, tz);
      const leadHours = (smsAt - emailAt) / HOUR_MS;
      const { min, max } = campaign.emailLeadDays;
      if (Number.isNaN(emailAt)) add({ path: at('email', 'at'), message: 'is not a real date and time' });
      else if (leadHours < min * 24 || leadHours > max * 24) {
        add({
          path: at('email', 'at'),
          message: `is ${round1(leadHours)} h before the SMS; it must be ${min * 24} to ${max * 24} h before`,
        });
      } else if (isQuiet(minuteOfDay(emailAt, tz), quietStart, quietEnd)) {
        add({ path: at('email', 'at'), message: 'falls in quiet hours' });
      }
    }

    for (const [field, text] of Object.entries(wave.templates)) {
      if (text === undefined) continue;
      for (const placeholder of placeholdersIn(text)) {
        if (!TEMPLATE_PLACEHOLDERS.includes(placeholder)) {
          add({
            path: at('templates', field),
            message: `has unknown placeholder {${placeholder}}; known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
          });
        }
      }
    }
    const waveCoupon = wave.coupon ?? campaign.coupon;
    for (const field of ['sms', 'emailSubject', 'emailBody'] as const) {
      const text = wave.templates[field];
      if (text?.includes('{coupon}') && waveCoupon === undefined) {
        add({
          path: at('templates', field),
          message: 'uses {coupon} but no coupon is set: set "coupon" on the wave or the campaign (e.g. 满300减50券)',
        });
      }
    }
    if (wave.kind !== undefined && (wave.sms === 'midnight' || wave.stopOnPurchase)) {
      add({
        path: at('kind'),
        message:
          wave.sms === 'midnight'
            ? 'does not apply to the midnight push, whose kind is midnight'
            : 'does not apply to a wave that stops on purchase, whose kind is reminder',
      });
    } else if (
      wave.kind === 'tonight' &&
      !Number.isNaN(smsAt) &&
      !(smsAt >= midnightAt - DAY_MS && smsAt < midnightAt)
    ) {
      add({ path: at('kind'), message: 'tonight (今晚零点开抢) must send on the day before the midnight push' });
    }
    if (wave.care !== undefined) {
      if (wave.sms === 'midnight' || wave.stopOnPurchase) {
        add({
          path: at('care'),
          message:
            'does not apply: recent buyers are kept out of promotional waves before the festival only, not the midnight push or a reminder',
        });
      }
      const careSms = wave.care.sms;
      for (const placeholder of placeholdersIn(careSms)) {
        if (!TEMPLATE_PLACEHOLDERS.includes(placeholder)) {
          add({
            path: at('care', 'sms'),
            message: `has unknown placeholder {${placeholder}}; known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
          });
        }
      }
      if (careSms.includes('{coupon}') && waveCoupon === undefined) {
        add({
          path: at('care', 'sms'),
          message: 'uses {coupon} but no coupon is set: set "coupon" on the wave or the campaign (e.g. 满300减50券)',
        });
      }
      if (!careSms.includes('{signature}') && !careSms.includes(campaign.signature)) {
        add({
          path: at('care', 'sms'),
          message: `must carry the store signature: {signature} or ${campaign.signature}`,
        });
      }
      if (!careSms.includes('{optOut}') && !OPT_OUT_PATTERN.test(careSms)) {
        add({ path: at('care', 'sms'), message: 'must carry an opt-out instruction: {optOut} or text like 回T退订' });
      }
    }
    const sms = wave.templates.sms;
    if (sms !== undefined) {
      if (!sms.includes('{signature}') && !sms.includes(campaign.signature)) {
        add({
          path: at('templates', 'sms'),
          message: `must carry the store signature: {signature} or ${campaign.signature}`,
        });
      }
      if (!sms.includes('{optOut}') && !OPT_OUT_PATTERN.test(sms)) {
        add({
          path: at('templates', 'sms'),
          message: 'must carry an opt-out instruction: {optOut} or text like 回T退订',
        });
      }
    }
    for (const [index2, label] of wave.audience.entries()) {
      if (label.trim() !== label) add({ path: at('audience', index2), message: 'has spaces around it' });
      else if (TIER_LIKE.test(label)) {
        const tier = label.slice(label.search(COLON) + 1);
        if (!label.startsWith(TIER_AUDIENCE_PREFIX) || tier.trim() !== tier || tier === '') {
          add({
            path: at('audience', index2),
            message: 'must be tier:<name> (a member tier as the segment files write it, e.g. tier:VIP2)',
          });
        } else if (tier.length > MAX_TIER_LENGTH) {
          add({ path: at('audience', index2), message: `names a tier longer than ${MAX_TIER_LENGTH} characters` });
        }
      } else {
        const problem = subGroupProblem(label);
        if (problem) add({ path: at('audience', index2), message: problem });
      }
    }
  });
  if (midnightWaves > 1) add({ path: ['waves'], message: 'has more than one midnight push' });
  checkTriggers(campaign, add);
}

/** Trigger ids, windows and texts; presale texts. */
function checkTriggers(campaign: z.output<typeof campaignObject>, add: (issue: Issue) => void): void {
  const tz = campaign.timezone;
  const seen = new Map<string, number>();
  campaign.triggers.forEach((trigger, index) => {
    const at = (...rest: PropertyKey[]) => ['triggers', index, ...rest];
    const earlier = seen.get(trigger.id);
    if (earlier !== undefined) add({ path: at('id'), message: `repeats the id of triggers[${earlier}]` });
    seen.set(trigger.id, index);
    const from = parseDateTime(trigger.window.from, tz);
    const to = parseDateTime(trigger.window.to, tz);
    if (Number.isNaN(from)) add({ path: at('window', 'from'), message: 'is not a real date and time' });
    if (Number.isNaN(to)) add({ path: at('window', 'to'), message: 'is not a real date and time' });
    else if (!Number.isNaN(from) && to <= from) add({ path: at('window', 'to'), message: 'must be after window.from' });
    checkReminderText(campaign, trigger.sms, at('sms', 'text'), add);
  });
  if (campaign.presaleBalance) {
    const { atOpen, beforeClose, sms } = campaign.presaleBalance;
    if (!atOpen && beforeClose === undefined) {
      add({ path: ['presaleBalance'], message: 'sends nothing: set atOpen to true or give beforeClose' });
    }
    checkReminderText(campaign, sms, ['presaleBalance', 'sms', 'text'], add);
  }
}

/** A reminder's own text follows the waves' rules: known placeholders, the signature, an opt-out. */
function checkReminderText(
  campaign: z.output<typeof campaignObject>,
  sms: { text?: string | undefined },
  path: PropertyKey[],
  add: (issue: Issue) => void,
): void {
  const text = sms.text;
  if (text === undefined) return;
  for (const placeholder of placeholdersIn(text)) {
    if (!TEMPLATE_PLACEHOLDERS.includes(placeholder)) {
      add({
        path,
        message: `has unknown placeholder {${placeholder}}; known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
      });
    }
  }
  if (text.includes('{coupon}') && campaign.coupon === undefined) {
    add({
      path,
      message: 'uses {coupon} but no coupon is set: set "coupon" on the wave or the campaign (e.g. 满300减50券)',
    });
  }
  if (!text.includes('{signature}') && !text.includes(campaign.signature)) {
    add({ path, message: `must carry the store signature: {signature} or ${campaign.signature}` });
  }
  if (!text.includes('{optOut}') && !OPT_OUT_PATTERN.test(text)) {
    add({ path, message: 'must carry an opt-out instruction: {optOut} or text like 回T退订' });
  }
}

/**
 * What is wrong with an audience entry written as a playbook group's sub-group
 * (`dormant-deep:returning-high`), or null when it is right or not written as one.
 */
function subGroupProblem(entry: string): string | null {
  const colon = entry.search(COLON);
  if (colon < 0) return null;
  const group = entry.slice(0, colon).trim();
  if (!(PLAYBOOK_GROUPS as readonly string[]).includes(group)) return null;
  if (!isSplitGroup(group)) {
    return `names a sub-group of ${group}, which has none; only ${SPLIT_GROUPS.join(', ')} are split`;
  }
  if (!subGroupsNamedBy(entry)) {
    return `must be one of ${subGroupSpellings(group).join(', ')}`;
  }
  return null;
}

/** Whether a local minute of the day is inside quiet hours [start, end), which may wrap midnight. */
export function isQuiet(minute: number, quietStart: number, quietEnd: number): boolean {
  if (quietStart === quietEnd) return false;
  return quietStart < quietEnd ? minute >= quietStart && minute < quietEnd : minute >= quietStart || minute < quietEnd;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** `waves[2].sms`: the JSON path a marketer can find in the file. */
/** A key a path writes after a dot; any other (a header with spaces: `columns["Phone No."]`) in brackets. */
const PLAIN_KEY = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (typeof part === 'string' && !PLAIN_KEY.test(part)) text += `[${JSON.stringify(part)}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(file)' : text;
}

export class CampaignFileError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(`invalid campaign file:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'CampaignFileError';
  }
}

/** Parses campaign file text; throws CampaignFileError listing every problem by JSON path. */
export function parseCampaign(input: unknown): Campaign {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new CampaignFileError([{ path: '(file)', message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  }
  const result = campaignSchema.safeParse(value);
  if (!result.success) {
    throw new CampaignFileError(
      result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  return result.data;
}

/** The instant of the midnight push. */
export function midnightInstant(campaign: Campaign): number {
  return parseDateTime(campaign.midnight, campaign.timezone);
}

/** The instant a wave's SMS starts. */
export function smsInstant(campaign: Campaign, wave: Wave): number {
  return wave.sms === 'midnight' ? midnightInstant(campaign) : parseDateTime(wave.sms, campaign.timezone);
}

/** The year of the Double-11 this campaign is for. */
export function campaignYear(campaign: Campaign): number {
  return Number(campaign.midnight.slice(0, 4));
}
