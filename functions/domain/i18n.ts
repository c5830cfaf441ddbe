/**
 * The words a marketer reads, in Simplified Chinese (the default) and English: reason codes,
 * playbook group names, channels, wave kinds, outcomes, campaign states and the planner's warnings. Every dictionary is
 * keyed by the union type of its codes, so a code added to the planner, the sender or the report
 * without its text does not compile. Pages and CLI messages take their words from here.
 */
import type { CampaignState, LifecycleAction } from './campaign-lifecycle.ts';
import { MIN_GROUP_CONTROL, type UnknownReason } from './incremental.ts';
import { DAY_MS, formatInstant, isValidTimeZone, wallClockAt } from './local-time.ts';
import type { WaveKind } from './messages.ts';
import type { DropReason } from './planner.ts';
import type { PlaybookGroup } from './segments.ts';
import type { WindowEnd } from './send-windows.ts';
import { isSplitGroup, type SubGroup, subGroupsNamedBy, type Tenure, type ValueBand } from './sub-groups.ts';
import { formatCount } from './text.ts';
import type { Channel, PlanWarning, WarningCode, WarningLimit } from './timeline.ts';
import type { TriggerReason } from './triggers.ts';

export const LANGS = ['zh', 'en'] as const;
/** `zh` is Simplified Chinese (zh-CN), the default; `en` the English switch. */
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh';

/** The `lang` attribute of a page in that language. */
export const HTML_LANG: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };

/** `en`, `EN`, `en-US` -> 'en'; `zh`, `zh-CN`, `cn` -> 'zh'; anything else undefined. */
export function parseLang(value: string | undefined | null): Lang | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-') || v.startsWith('en_')) return 'en';
  if (v === 'zh' || v === 'cn' || v.startsWith('zh-') || v.startsWith('zh_')) return 'zh';
  return undefined;
}

/** One text in both languages. */
export type Words = Record<Lang, string>;

// ---------------------------------------------------------------------------
// Reason codes: why a touch was dropped at planning, or not sent, failed or expired at send time

/** Why the sender did not send a touch it had (suppressed at send time, failed, cancelled). */
export type DeliveryReason =
  | 'suppressed:purchase'
  | 'opt-out'
  | 'cap:touches'
  | 'cap:sms-month'
  | 'throttled'
  | 'rejected'
  | 'cancelled';
/** What closed an expired touch's window. */
export type ExpiryReason = `window:${WindowEnd}`;
/** Every reason code the planner, the sender and the report emit. */
export type ReasonCode = DropReason | DeliveryReason | ExpiryReason | TriggerReason;

export interface ReasonText {
  /** A few words for table cells. */
  short: string;
  /** Fewer words still, for the headline cards; `short` when absent. */
  tag?: string;
  /** The full explanation. */
  long: string;
}

export const REASONS: Record<ReasonCode, Record<Lang, ReasonText>> = {
  past: {
    zh: { short: '发送时间已过', long: '计划发送时间早于规划时间，已无法发送。' },
    en: { short: 'send time already past', long: 'The send time was already past, so it could no longer be sent.' },
  },
  'opt-out': {
    zh: {
      short: '已退订该渠道',
      long: '客户在发送前已退订该渠道（例如回复“回T退订”）。退订是绝对的：该渠道不再发送任何消息。',
    },
    en: {
      short: 'opted out of this channel',
      long: 'The customer opted out of this channel (for example by replying 回T退订) before the send. Opt-outs are absolute: nothing more goes to that channel.',
    },
  },
  'no-phone': {
    zh: { short: '无手机号', long: '没有可用的手机号，无法发送短信。' },
    en: { short: 'no mobile number', long: 'No usable mobile number, so no SMS could be sent.' },
  },
  'no-email': {
    zh: { short: '无邮箱', long: '没有有效的邮箱地址，无法发送邮件。' },
    en: { short: 'no email address', long: 'No valid email address, so no email could be sent.' },
  },
  'email-condition': {
    zh: { short: '不符合邮件条件', long: '不符合该波次的邮件条件（邮件条件限定谁收到邮件）。' },
    en: {
      short: 'outside the email condition',
      long: "Outside the wave's email condition (it narrows who gets the email).",
    },
  },
  'cap:touches': {
    zh: {
      short: '已达触达上限',
      long: '触达上限：客户已收到本活动允许的最多触达次数（邮件和短信都计入），本次跳过。',
    },
    en: {
      short: 'touch cap reached',
      long: 'Touch cap: the customer had already received the most touches the campaign allows (email and SMS both count), so this one was skipped.',
    },
  },
  'cap:sms-month': {
    zh: { short: '已达本月短信上限', long: '每月短信上限：客户本自然月已收到允许的最多营销短信。' },
    en: {
      short: 'monthly SMS cap reached',
      long: 'Monthly SMS cap: the customer had already received the most marketing SMS allowed in this calendar month.',
    },
  },
  'cap:multi-sms': {
    zh: {
      short: '该客户只发一条短信',
      long: '第二条短信只留给活动允许的客户组中最值得再次触达的客户（双11老客、沉睡客户中质量较高的、未付款订单），且不超过多短信比例；近期购买的客户一般不需要多次营销。该客户只收到一条短信。',
    },
    en: {
      short: 'one SMS only for this customer',
      long: 'A second SMS is kept for the customers who gain most from it (Double-11 history, the better dormant customers, unpaid orders) in the groups the campaign allows, within the multi-SMS share; recent buyers generally need no repeated marketing. This customer gets one SMS only.',
    },
  },
  'no-window': {
    zh: {
      short: '发送窗口内时间不足',
      long: '按设定的发送速率，无法在发送窗口内发完（免打扰时段或下一波次先到）。',
    },
    en: {
      short: 'no time left in its window',
      long: 'Could not be sent within its window at the configured rate (quiet hours or the next wave came first).',
    },
  },
  control: {
    zh: { short: '对照组（不发送）', long: '被留作该波次的对照组，不发送，用于衡量波次带来的增量。' },
    en: {
      short: 'held out as the control group',
      long: "Held out as the wave's control group (never sent), to measure what the wave added.",
    },
  },
  budget: {
    zh: {
      short: '超出预算：未安排',
      tag: '超出预算',
      long: '按活动单价估算的费用超过预算，按顺序削减：先削第二条短信（最不需要再次触达的客户先削），再削价值最低客户的邮件，最后削价值最低客户的短信；零点推送从不削减。',
    },
    en: {
      short: 'over budget: not planned',
      tag: 'over budget',
      long: "The plan's estimated cost at the campaign's prices was over its budget, so touches were cut in this order: second SMS (those who gain least from one first), then the least valuable customers' emails, then their SMS; the midnight push is never cut.",
    },
  },
  'care-window': {
    zh: {
      short: '近期已购买：不发促销',
      tag: '近期已购',
      long: '客户在该促销波次前的关怀期内（默认15天）购买过，不再发送促销信息：近期购买的客户适合关怀，而不是再次促销。零点推送和未付款催付不受此限。',
    },
    en: {
      short: 'bought recently: no promotion',
      tag: 'bought recently',
      long: 'The customer bought within the care window (15 days by default) before this promotional wave, so it sends them no promotion: a recent buyer is cared for, not promoted to again. The midnight push and unpaid reminders are exempt.',
    },
  },
  'suppressed:purchase': {
    zh: {
      short: '发送前已付款：退出催付波次',
      tag: '催付前已付款',
      long: '发送前已付款：退出催付波次。客户在活动期间已付款，因此“购买即停”的波次（未付款催付）跳过了他们。这是好结果，不是损失。',
    },
    en: {
      short: 'paid before the send: left the reminder wave',
      tag: 'paid before the reminder',
      long: 'Paid before the send: left the reminder wave. The customer paid during the campaign, so the waves that stop on purchase (unpaid-order reminders) skipped them. A good outcome, not a loss.',
    },
  },
  throttled: {
    zh: {
      short: '限流：重试后放弃',
      long: '限流：服务商持续回复“请求过多”；发送方退避重试后放弃了这条消息。未发送。',
    },
    en: {
      short: 'throttled: gave up after retries',
      long: 'Throttled: the provider kept answering "too many requests"; the sender backed off and retried, then gave up on this message. It was not sent.',
    },
  },
  rejected: {
    zh: {
      short: '被服务商拒绝',
      long: '被拒绝：服务商拒收了这条消息（例如号码或地址无效、被拦截，或内容不被接受）。未发送。',
    },
    en: {
      short: 'refused by the provider',
      long: 'Rejected: the provider refused the message (for example an invalid or blocked number or address, or content it would not accept). It was not sent.',
    },
  },
  cancelled: {
    zh: { short: '活动或波次已取消', long: '已取消：活动或该波次在发送前被取消，不会再发送。' },
    en: {
      short: 'the campaign or its wave was cancelled',
      long: 'Cancelled: the campaign or this wave was cancelled before the touch was sent; it never will be.',
    },
  },
  'trigger:paid': {
    zh: {
      short: '提醒前已付款：不再提醒',
      tag: '提醒前已付款',
      long: '订单在提醒发出前已付款，因此不再发送催付提醒。这是好结果，不是损失。',
    },
    en: {
      short: 'paid before the reminder: none sent',
      tag: 'paid before the reminder',
      long: 'The order was paid before its reminder was due, so no reminder was sent. A good outcome, not a loss.',
    },
  },
  'trigger:cancelled': {
    zh: { short: '订单已取消：不再提醒', long: '订单在提醒发出前已取消，因此不发送催付提醒。' },
    en: {
      short: 'order cancelled: no reminder',
      long: 'The order was cancelled before its reminder was due, so no reminder was sent.',
    },
  },
  'trigger:expired': {
    zh: {
      short: '过期：已超出提醒窗口',
      long: '过期：提醒到期时已超出触发规则的时间窗口（或尾款已截止），因此不再发送。',
    },
    en: {
      short: 'expired: outside the reminder window',
      long: "Expired: when the reminder was due it was outside the trigger's window (or the balance had closed), so it was not sent.",
    },
  },
  'trigger:quiet-hours': {
    zh: {
      short: '过期：到期时在免打扰时段',
      tag: '免打扰时段作废',
      long: '过期：提醒到期时在免打扰时段，且规则设置为作废（或免打扰结束时窗口已关闭），因此不在夜间发送，也不再补发。',
    },
    en: {
      short: 'expired: due in quiet hours',
      tag: 'dropped in quiet hours',
      long: 'Expired: the reminder was due in quiet hours and its rule says expire there (or its window closed before they ended), so it was not sent at night, nor later.',
    },
  },
  'trigger:not-live': {
    zh: {
      short: '活动未在进行：不提醒',
      long: '提醒到期时活动已暂停、取消或结束（或已批准新版本而该规则不在其中），因此不发送。',
    },
    en: {
      short: 'campaign not live: no reminder',
      long: 'When the reminder was due the campaign was paused, cancelled or over (or a newer approved version no longer has the rule), so it was not sent.',
    },
  },
  'window:quiet-hours': {
    zh: {
      short: '过期：已进入免打扰时段',
      long: '过期：发送延误（暂停后恢复），已进入免打扰时段，因此放弃而不在夜间发送。',
    },
    en: {
      short: 'expired: quiet hours began',
      long: 'Expired: the send was late (paused, then resumed) and quiet hours had begun, so it was dropped rather than sent at night.',
    },
  },
  'window:night': {
    zh: {
      short: '过期：零点推送的夜晚已结束',
      long: '过期：零点推送在当晚结束后（次日早上免打扰结束）才恢复，剩余部分被放弃，不再发送过时消息。',
    },
    en: {
      short: 'expired: the midnight push’s night was over',
      long: 'Expired: the midnight push was resumed after its night (quiet hours had ended that morning), so the rest was dropped rather than delivered stale.',
    },
  },
  'window:next-wave': {
    zh: { short: '过期：下一波次已开始', long: '过期：等到可以发送时下一波次已开始，因此放弃，不与其叠加发送。' },
    en: {
      short: 'expired: the next wave had started',
      long: 'Expired: by the time it could leave, the next wave had started, so it was dropped rather than sent on top of it.',
    },
  },
  'window:month-end': {
    zh: { short: '过期：所在自然月已结束', long: '过期：所在自然月（短信上限的计算单位）已结束，因此放弃。' },
    en: {
      short: 'expired: its calendar month was over',
      long: 'Expired: its calendar month (the unit of the SMS cap) was over, so it was dropped.',
    },
  },
  'window:grace': {
    zh: {
      short: '过期：超过恢复宽限时间',
      long: '过期：只能在计划时间之后、超过活动的恢复宽限时间才能发出，因此放弃，不再发送过时消息。',
    },
    en: {
      short: 'expired: later than the resume grace',
      long: "Expired: it could only have left later than the campaign's resume grace after its planned time, so it was dropped rather than delivered stale.",
    },
  },
};

const isReasonCode = (code: string): code is ReasonCode => Object.hasOwn(REASONS, code);

/**
 * The words for a reason as reported. The sender stores a provider's refusal with its (masked)
 * words after the code (`rejected: blocked number`), so the code before `: ` is looked up too.
 * Undefined for a code with no text (a provider's own code): shown as reported.
 */
export function reasonText(code: string, lang: Lang): ReasonText | undefined {
  if (isReasonCode(code)) return REASONS[code][lang];
  const head = code.split(': ')[0] ?? '';
  return head !== code && isReasonCode(head) ? REASONS[head][lang] : undefined;
}

/** Why a wave's lift is unknown. */
export const UNKNOWN_LIFT: Record<UnknownReason, Words> = {
  'no-control': {
    zh: '未设对照组：效果未知（不计为零）',
    en: 'no control group: its effect is unknown (not counted as zero)',
  },
  'empty-control': {
    zh: '设置了对照组，但没有客户被抽入：效果未知',
    en: 'a control group was asked for but nobody was drawn into it: its effect is unknown',
  },
  'nobody-sent': { zh: '尚未发送：效果未知', en: 'nobody was sent the wave yet: its effect is unknown' },
  'too-few': {
    zh: `未知：对照太少（该人群的对照组不足 ${MIN_GROUP_CONTROL} 人）`,
    en: `unknown: too few (fewer than ${MIN_GROUP_CONTROL} of this group held out)`,
  },
};

// ---------------------------------------------------------------------------
// Names

export const GROUP_NAMES: Record<PlaybookGroup, Words> = {
  unpaid: { zh: '未付款订单客', en: 'unpaid orders' },
  'd11-loyal': { zh: '双11忠诚客', en: 'Double-11 loyal' },
  'd11-only': { zh: '只在双11购买', en: 'Double-11 only' },
  'd11-veteran': { zh: '双11老客', en: 'Double-11 veterans' },
  'recent-high': { zh: '近期高价值客', en: 'recent, high value' },
  recent: { zh: '近期活跃客', en: 'recent buyers' },
  'dormant-shallow': { zh: '浅睡客', en: 'lightly dormant' },
  'dormant-deep': { zh: '深睡客', en: 'deeply dormant' },
  churned: { zh: '流失客', en: 'churned' },
};

/** The sub-groups of the dormant and churned groups: one order or more, higher or lower value. */
export const SUB_GROUP_NAMES: Record<SubGroup, Words> = {
  'dormant-shallow:new-high': { zh: '浅睡客·单次购买·高价值', en: 'lightly dormant, one order, higher value' },
  'dormant-shallow:new-low': { zh: '浅睡客·单次购买·低价值', en: 'lightly dormant, one order, lower value' },
  'dormant-shallow:returning-high': {
    zh: '浅睡客·多次购买·高价值',
    en: 'lightly dormant, repeat buyers, higher value',
  },
  'dormant-shallow:returning-low': { zh: '浅睡客·多次购买·低价值', en: 'lightly dormant, repeat buyers, lower value' },
  'dormant-deep:new-high': { zh: '深睡客·单次购买·高价值', en: 'deeply dormant, one order, higher value' },
  'dormant-deep:new-low': { zh: '深睡客·单次购买·低价值', en: 'deeply dormant, one order, lower value' },
  'dormant-deep:returning-high': { zh: '深睡客·多次购买·高价值', en: 'deeply dormant, repeat buyers, higher value' },
  'dormant-deep:returning-low': { zh: '深睡客·多次购买·低价值', en: 'deeply dormant, repeat buyers, lower value' },
  'churned:new-high': { zh: '流失客·单次购买·高价值', en: 'churned, one order, higher value' },
  'churned:new-low': { zh: '流失客·单次或未购买·低价值', en: 'churned, one order or none, lower value' },
  'churned:returning-high': { zh: '流失客·多次购买·高价值', en: 'churned, repeat buyers, higher value' },
  'churned:returning-low': { zh: '流失客·多次购买·低价值', en: 'churned, repeat buyers, lower value' },
};

/** Half of a sub-group split, as an audience may name it (`dormant-deep:returning`, `churned:high`). */
const TENURE_NAMES: Record<Tenure, Words> = {
  new: { zh: '单次购买', en: 'one order' },
  returning: { zh: '多次购买', en: 'repeat buyers' },
};
const VALUE_BAND_NAMES: Record<ValueBand, Words> = {
  high: { zh: '高价值', en: 'higher value' },
  low: { zh: '低价值', en: 'lower value' },
};

/** A sub-group's name under its group's: `多次购买·高价值` / `repeat buyers, higher value`. */
export function subGroupShortName(code: SubGroup, lang: Lang): string {
  const [tenure, band] = code.slice(code.indexOf(':') + 1).split('-') as [Tenure, ValueBand];
  return lang === 'zh'
    ? `${TENURE_NAMES[tenure].zh}·${VALUE_BAND_NAMES[band].zh}`
    : `${TENURE_NAMES[tenure].en}, ${VALUE_BAND_NAMES[band].en}`;
}

/**
 * A playbook group's or sub-group's name: the marketer's own label when the campaign gives
 * one, else the dictionary's; an unknown code (a tier audience such as `tier:VIP2`) as written.
 */
export function groupName(code: string, lang: Lang, labels?: Readonly<Record<string, string>>): string {
  const own = labels && Object.hasOwn(labels, code) ? labels[code] : undefined;
  if (own !== undefined && own.trim() !== '') return own;
  if (code === '*') return lang === 'zh' ? '全部客户' : 'everyone';
  if (Object.hasOwn(GROUP_NAMES, code)) return GROUP_NAMES[code as PlaybookGroup][lang];
  if (Object.hasOwn(SUB_GROUP_NAMES, code)) return SUB_GROUP_NAMES[code as SubGroup][lang];
  const group = code.slice(0, code.indexOf(':'));
  const half = code.slice(code.indexOf(':') + 1);
  if (isSplitGroup(group) && subGroupsNamedBy(code)) {
    const words = Object.hasOwn(TENURE_NAMES, half)
      ? TENURE_NAMES[half as Tenure]
      : VALUE_BAND_NAMES[half as ValueBand];
    // The group's own label when the marketer gave one, so `dormant-deep:high` reads as theirs.
    const groupWords = groupName(group, lang, labels);
    return lang === 'zh' ? `${groupWords}·${words.zh}` : `${groupWords}, ${words.en}`;
  }
  return code;
}

export const CHANNEL_NAMES: Record<Channel, Words> = {
  sms: { zh: '短信', en: 'SMS' },
  email: { zh: '邮件', en: 'email' },
};

export function channelName(code: string, lang: Lang): string {
  return Object.hasOwn(CHANNEL_NAMES, code) ? CHANNEL_NAMES[code as Channel][lang] : code;
}

export const WAVE_KINDS: Record<WaveKind, Words> = {
  midnight: { zh: '零点推送', en: 'midnight push' },
  reminder: { zh: '催付提醒（购买即停）', en: 'unpaid reminder (stops on purchase)' },
  regular: { zh: '常规波次', en: 'regular wave' },
  presale: { zh: '预售', en: 'presale' },
  warmup: { zh: '预热（加购收藏）', en: 'warm-up (add to cart, favourite)' },
  sprint: { zh: '第一波开抢（11.1 至 11.8）', en: 'first sale days (1 to 8 November)' },
  tonight: { zh: '今晚零点开抢（11月10日晚）', en: 'tonight at midnight (the evening of 10 November)' },
};

/** What became of a planned touch, as the report counts it. */
export type TouchOutcome = 'sent' | 'failed' | 'suppressed' | 'unknown' | 'expired' | 'cancelled' | 'pending';

export const OUTCOME_NAMES: Record<TouchOutcome, Words> = {
  sent: { zh: '已发送', en: 'sent' },
  failed: { zh: '失败', en: 'failed' },
  suppressed: { zh: '已拦截', en: 'suppressed' },
  unknown: { zh: '结果未知', en: 'unknown' },
  expired: { zh: '已过期', en: 'expired' },
  cancelled: { zh: '已取消', en: 'cancelled' },
  pending: { zh: '待发送', en: 'pending' },
};

export const STATE_NAMES: Record<CampaignState, Words> = {
  draft: { zh: '草稿', en: 'draft' },
  approved: { zh: '已批准', en: 'approved' },
  running: { zh: '发送中', en: 'running' },
  paused: { zh: '已暂停', en: 'paused' },
  completed: { zh: '已完成', en: 'completed' },
  cancelled: { zh: '已取消', en: 'cancelled' },
};

export const ACTION_NAMES: Record<LifecycleAction, Words> = {
  plan: { zh: '规划', en: 'planned' },
  approve: { zh: '批准', en: 'approved' },
  start: { zh: '开始发送', en: 'started' },
  pause: { zh: '暂停', en: 'paused' },
  resume: { zh: '恢复', en: 'resumed' },
  cancel: { zh: '取消', en: 'cancelled' },
  complete: { zh: '完成', en: 'completed' },
  'test-send': { zh: '测试发送', en: 'test send' },
  'fired-while-paused': { zh: '暂停中到点', en: 'fired while paused' },
};

/** A name from one of the dictionaries above, or the code as written when it has none. */
export function nameOf<K extends string>(dictionary: Record<K, Words>, code: string, lang: Lang): string {
  return Object.hasOwn(dictionary, code) ? dictionary[code as K][lang] : code;
}

// ---------------------------------------------------------------------------
// Dates, in the campaign's zone

const WEEKDAY_NAMES: Record<Lang, readonly string[]> = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
const MONTH_NAMES_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The weekday of a wall-clock date (1-based month), 0 = Sunday. */
function weekday(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS + 4) % 7;
}

/** The day in `timeZone`: `11月11日 周三` / `Wed 11 Nov`. */
export function formatDay(instantMs: number, timeZone: string, lang: Lang): string {
  const w = wallClockAt(instantMs, timeZone);
  const wd = WEEKDAY_NAMES[lang][weekday(w.year, w.month, w.day)];
  return lang === 'zh' ? `${w.month}月${w.day}日 ${wd}` : `${wd} ${w.day} ${MONTH_NAMES_EN[w.month - 1]}`;
}

/** The wall clock in `timeZone`: `11月11日 周三 00:00` / `Wed 11 Nov 00:00`. */
export function formatDateTime(instantMs: number, timeZone: string, lang: Lang): string {
  const w = wallClockAt(instantMs, timeZone);
  return `${formatDay(instantMs, timeZone, lang)} ${pad2(w.hour)}:${pad2(w.minute)}`;
}

// ---------------------------------------------------------------------------
// The planner's warnings

/** The warning of one code, in one language, in the campaign's zone. */
type WarningText<C extends WarningCode> = (w: Extract<PlanWarning, { code: C }>, timeZone: string) => string;

/** Seconds -> "2 h 5 min", "3 min 20 s", "45 s": the planner's English durations. */
export function formatDurationEn(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

/** Hours to one decimal: 10,000 s is "2.8". */
function hoursOf(seconds: number): string {
  return (seconds / 3600).toFixed(1);
}

/** The SMS parts per second that send `parts` within one hour. */
function hourRate(parts: number): number {
  return Math.ceil(parts / 3600);
}

/** The same in Chinese: "2 小时 5 分钟", "3 分钟 20 秒", "45 秒". */
function formatDurationZh(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours} 小时 ${minutes} 分钟`;
  if (minutes > 0) return `${minutes} 分钟 ${rest} 秒`;
  return `${rest} 秒`;
}

/** An instant of a warning (ISO 8601 with offset) as the marketer reads it in the campaign's zone. */
function whenZh(iso: string, timeZone: string): string {
  return formatDateTime(Date.parse(iso), timeZone, 'zh');
}

/** The English sentences keep the ISO form they have always had in timeline.json. */
function whenEn(iso: string, timeZone: string): string {
  return formatInstant(Date.parse(iso), timeZone);
}

function limitZh(limit: WarningLimit, timeZone: string): string {
  switch (limit.kind) {
    case 'email-window':
      return `邮件发送窗口（短信前 ${limit.minHours} 到 ${limit.maxHours} 小时，且不在免打扰时段）结束`;
    case 'next-wave':
      return `下一波次（${limit.waveId}，${whenZh(limit.at, timeZone)}）开始`;
    case 'month-end':
      return `月底（${whenZh(limit.at, timeZone)}）`;
  }
}

function limitEn(limit: WarningLimit, timeZone: string): string {
  switch (limit.kind) {
    case 'email-window':
      return `its email window (${limit.minHours} to ${limit.maxHours} h before the SMS, outside quiet hours)`;
    case 'next-wave':
      return `the next wave (${limit.waveId}, ${whenEn(limit.at, timeZone)})`;
    case 'month-end':
      return `the end of the month (${whenEn(limit.at, timeZone)})`;
  }
}

const unitZh = (channel: Channel): string => (channel === 'sms' ? '条短信' : '封邮件');
const unitEn = (channel: Channel): string => (channel === 'sms' ? 'SMS' : 'emails');

/** The SMS rules' warnings (China's marketing-SMS platforms); merged into WARNING_TEXTS. */
const SMS_RULE_WARNING_TEXTS: { [C in 'sms-night-promotion' | 'sms-banned-words']: Record<Lang, WarningText<C>> } = {
  'sms-night-promotion': {
    zh: (w) =>
      `波次 ${w.waves.join('、')}：短信在营销短信常规时段（${w.start} 到 ${w.end}）之外发送。零点推送是您的选择，但运营商和短信平台可能拦截或延后夜间营销短信：请提前向短信服务商报备零点发送（签名、模板、发送时间和预计数量）。`,
    en: (w) =>
      `wave${w.waves.length > 1 ? 's' : ''} ${w.waves.join(', ')}: SMS sent outside the usual hours for marketing SMS (${w.start} to ${w.end}). The midnight push is your choice, but carriers and SMS platforms may hold or delay night promotions: tell your SMS provider in advance (signature, templates, send time and expected volume).`,
  },
  'sms-banned-words': {
    zh: (w) => `波次 ${w.wave}：短信含有短信平台会拒发或拦截的内容：${w.words.join('、')}。请修改文案。`,
    en: (w) =>
      `wave ${w.wave}: the SMS holds words SMS platforms refuse or hold: ${w.words.join(', ')}. Change the text.`,
  },
};

/** Every warning code in both languages; the English is byte for byte what `timeline.warnings` holds. */
export const WARNING_TEXTS: { [C in WarningCode]: Record<Lang, WarningText<C>> } = {
  'no-customers': {
    zh: () => '没有客户：客群文件里没有有效的行',
    en: () => 'no customers: the segment files hold no valid rows',
  },
  'unknown-tier': {
    zh: (w) =>
      `波次 ${w.wave}：受众“${w.audience}”是文件里没有任何客户拥有的会员等级，不会匹配到任何人` +
      (w.knownTiers.length > 0
        ? `（文件里的等级：${w.knownTiers.join('、')}${w.moreTiers ? '……' : ''}）`
        : '（文件里没有 member_tier 列）'),
    en: (w) =>
      `wave ${w.wave}: audience "${w.audience}" is a member tier no customer in the files has; it matches nobody` +
      (w.knownTiers.length > 0
        ? ` (tiers in the files: ${w.knownTiers.join(', ')}${w.moreTiers ? ', ...' : ''})`
        : ' (the files have no member_tier column)'),
  },
  'unknown-audience': {
    zh: (w) => `波次 ${w.wave}：受众“${w.audience}”既不是玩法分组，也不是文件里的客群标签，不会匹配到任何人`,
    en: (w) =>
      `wave ${w.wave}: audience "${w.audience}" is neither a playbook group nor a segment label in the files; it matches nobody`,
  },
  'past-wave': {
    zh: (w, tz) => `波次 ${w.wave}：短信时间 ${whenZh(w.smsAt, tz)} 早于规划时间，它的触达全部放弃（已过时）`,
    en: (w, tz) =>
      `wave ${w.wave}: its SMS time ${whenEn(w.smsAt, tz)} is before the planning time; its touches are dropped (past)`,
  },
  'empty-audience': {
    zh: (w) => `波次 ${w.wave}：受众里没有任何客户`,
    en: (w) => `wave ${w.wave}: no customer is in its audience`,
  },
  'no-window': {
    zh: (w, tz) =>
      `波次 ${w.wave}：按每秒 ${w.rate} ${w.channel === 'sms' ? '条短信（计费条数）' : '封邮件'}的速率，有 ${formatCount(w.count)} ${unitZh(w.channel)}无法在${limitZh(w.limit, tz)}之前发出，将被放弃（没有发送窗口）。请提高发送速率或调整波次时间。`,
    en: (w, tz) =>
      `wave ${w.wave}: ${formatCount(w.count)} ${unitEn(w.channel)} cannot be sent before ${limitEn(w.limit, tz)} at ${w.rate} ${w.channel === 'sms' ? 'parts' : 'emails'}/s; they are dropped (no-window). Raise the rate or move the wave.`,
  },
  'quiet-split': {
    zh: (w) =>
      `波次 ${w.wave}：${w.channel === 'sms' ? '短信' : '邮件'}发送在免打扰时段（${w.quietStart} 到 ${w.quietEnd}）暂停，结束后继续（第 ${w.groups.join('、')} 组）`,
    en: (w) =>
      `wave ${w.wave}: the ${unitEn(w.channel)} send pauses for quiet hours (${w.quietStart} to ${w.quietEnd}) and resumes after them (group${w.groups.length > 1 ? 's' : ''} ${w.groups.join(', ')})`,
  },
  'midnight-slow': {
    zh: (w) =>
      `波次 ${w.wave}：按每秒 ${w.rate} 条计费短信，零点推送需要 ${formatDurationZh(w.seconds)}（约 ${hoursOf(w.seconds)} 小时；${formatCount(w.sms)} 条短信，${formatCount(w.parts)} 条计费，${w.groups} 组）；最后几组客户在 01:00 之后才收到，错过第一小时的高峰。要在一小时内发完需要每秒 ${formatCount(hourRate(w.parts))} 条计费短信：请向短信服务商申请提高速率，或缩小零点推送的受众（按当前速率一小时可发 ${formatCount(w.rate * 3600)} 条计费短信）。`,
    en: (w) =>
      `wave ${w.wave}: the midnight push takes ${formatDurationEn(w.seconds)} (${hoursOf(w.seconds)} hours) at ${w.rate} SMS parts/s (${formatCount(w.sms)} SMS, ${formatCount(w.parts)} parts, ${w.groups} groups); customers in the last groups receive it after 01:00, past the first-hour peak. Reaching everyone within the hour needs ${formatCount(hourRate(w.parts))} parts/s: ask the SMS provider for a higher rate, or narrow the midnight audience (an hour at this rate sends ${formatCount(w.rate * 3600)} parts).`,
  },
  'midnight-past-night': {
    zh: (w, tz) => `波次 ${w.wave}：零点推送一直持续到 ${whenZh(w.until, tz)}，超出了夜间时段`,
    en: (w, tz) => `wave ${w.wave}: the midnight push runs until ${whenEn(w.until, tz)}, past the end of the night`,
  },
  'columns-not-used': {
    zh: (w) =>
      `活动文件的 "columns" 只映射 \`campaign plan\` 读取的文件表头；已上传的客群文件按 ${w.columnsKey} 读取：请在那里放入同样的映射（\`campaign import --columns FILE\` 会这样做），如果文件表头没有被读出，请重新上传文件`,
    en: (w) =>
      `the campaign file's "columns" map the headers of the files \`campaign plan\` reads; uploaded segment files ` +
      `were read with ${w.columnsKey}: put the same mapping there (\`campaign import --columns FILE\` does) ` +
      'and upload the files again if their headers were not read',
  },
  'sprint-reach': {
    zh: (w, tz) =>
      `波次 ${w.wave}（${whenZh(w.smsAt, tz)}，11.1 到 11.8 的第一波冲刺）触达 ${formatCount(w.reached)} 位客户，占可触达客户 ${formatCount(w.eligible)} 位的 ${percent(w.reached, w.eligible)}；玩法建议第一波冲刺针对中等以上的客户群，占比 70% 左右（${percent(w.low, 1)} 到 ${percent(w.high, 1)}）。` +
      (w.reached / Math.max(1, w.eligible) > w.high
        ? '请把最弱的客群（如深睡客、流失客）移出受众。'
        : '请把中等客群（如近期活跃客、浅睡客）加入受众，或查看频次上限从中放弃了多少触达。'),
    en: (w, tz) =>
      `wave ${w.wave} (${whenEn(w.smsAt, tz)}, the first sprint of 11.1 to 11.8) reaches ${formatCount(w.reached)} of the ${formatCount(w.eligible)} customers its channels can reach (${percent(w.reached, w.eligible)}); the playbook aims the first sprint at the middle-and-above customers, about 70% (${percent(w.low, 1)} to ${percent(w.high, 1)}). ` +
      (w.reached / Math.max(1, w.eligible) > w.high
        ? 'Take the weakest groups (such as dormant-deep and churned) out of its audience.'
        : 'Add the middle groups (such as recent and dormant-shallow) to its audience, or check how many of its touches the caps drop.'),
  },
  'midnight-risky-groups': {
    zh: (w) =>
      `波次 ${w.wave}：零点推送发给了 ${formatCount(w.dormantDeep)} 位深睡客和 ${formatCount(w.churned)} 位流失客。他们很久没有购买，深夜收到营销短信最容易投诉，投诉会让短信通道被限流或关停；请考虑把 dormant-deep 和 churned 移出零点推送的受众。`,
    en: (w) =>
      `wave ${w.wave}: the midnight push goes to ${formatCount(w.dormantDeep)} deeply dormant and ${formatCount(w.churned)} churned customers. Long without an order, they are the likeliest to complain about a marketing SMS at midnight, and complaints get the SMS channel throttled or closed; consider taking dormant-deep and churned out of the push's audience.`,
  },
  'tracked-link-parts': {
    zh: (w) =>
      `波次 ${w.wave}：短信里的追踪链接比原链接长，每条短信从 ${w.plainParts} 条计费变成 ${w.trackedParts} 条计费，短信费用和零点推送的时长随之增加。可以缩短短信文字，或用更短的短链域名（追踪链接的域名设置）。`,
    en: (w) =>
      `wave ${w.wave}: the tracked link is longer than the wave's own link and makes each SMS ${w.trackedParts} parts instead of ${w.plainParts}, which raises the SMS cost and the midnight push's duration. Shorten the text, or use a shorter short-link domain (the tracking base).`,
  },
  ...SMS_RULE_WARNING_TEXTS,
};

/** A share as the warnings write it: `68%`, `55.5%`. */
function percent(part: number, whole: number): string {
  return `${Math.round((part / Math.max(1, whole)) * 1000) / 10}%`;
}

/** A warning in one language; the times in the campaign's zone. */
export function warningText(warning: PlanWarning, lang: Lang, timeZone: string): string {
  const text = WARNING_TEXTS[warning.code][lang] as WarningText<WarningCode>;
  return text(warning as never, timeZone);
}

/**
 * The warnings of a timeline as the marketer reads them: from the typed values when the plan has them,
 * else the English sentences (a plan stored before the values existed, or one whose values or zone
 * this code cannot read).
 */
export function warningTexts(
  timeline: { warnings?: readonly string[]; warningDetails?: readonly PlanWarning[]; timezone?: unknown },
  lang: Lang,
): string[] {
  const english = [...(timeline.warnings ?? [])];
  const details = timeline.warningDetails;
  const zone = timeline.timezone;
  if (!Array.isArray(details) || details.length !== english.length) return english;
  if (typeof zone !== 'string' || !isValidTimeZone(zone)) return english;
  if (!details.every((warning) => Object.hasOwn(WARNING_TEXTS, warning?.code))) return english;
  try {
    return details.map((warning) => warningText(warning, lang, zone));
  } catch {
    return english;
  }
}
