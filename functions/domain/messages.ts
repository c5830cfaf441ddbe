/**
 * What a customer reads: templates, the link by device, China's marketing-SMS rules
 * (store signature 【name】 and an opt-out instruction) and SMS part counting.
 */
import { createHash } from 'node:crypto';
import type { Device } from './customer.ts';
import type { PlaybookGroup } from './segments.ts';

export const TEMPLATE_PLACEHOLDERS = ['name', 'link', 'signature', 'optOut', 'coupon'];

/**
 * Opt-out instructions carriers accept in China (回T退订, 退订回T, 回TD退订, 回复N退订, 拒收请回复R,
 * 回R拒收...) or STOP.
 */
export const OPT_OUT_PATTERN = /回复?\s*(TD|T|N|0|R)\s*(退订|拒收)|(退订|拒收)\s*请?\s*回复?\s*(TD|T|N|R)|\bSTOP\b/i;

/** How a customer without a name is addressed (the usual Chinese e-commerce form). */
export const NAME_FALLBACK = '亲';

export interface Links {
  mobile: string;
  pc: string;
}

export interface WaveTemplates {
  sms: string;
  emailSubject: string;
  emailBody: string;
}

/**
 * What a wave is for, which picks its default texts: `presale` (定金 before November), `warmup`
 * (加购 and 收藏 before the festival), `sprint` (the first sale days, 11.1 to 11.8), `tonight` (the
 * evening of 10 November: 今晚零点开抢), `midnight` (the 00:00 push), `reminder` (an unpaid order,
 * stops on purchase) and `regular` (any other wave; what files without a kind get).
 */
export const WAVE_KINDS = ['presale', 'warmup', 'sprint', 'tonight', 'midnight', 'reminder', 'regular'] as const;
export type WaveKind = (typeof WAVE_KINDS)[number];

/** The kinds a campaign file may name; `midnight` and `reminder` follow from `sms` and `stopOnPurchase`. */
export const CHOSEN_WAVE_KINDS = ['presale', 'warmup', 'sprint', 'tonight', 'regular'] as const;

/** A wave's kind: the midnight push, an unpaid reminder (stops on purchase), else the kind it names. */
export function waveKind(wave: { sms: string; stopOnPurchase: boolean; kind?: WaveKind | undefined }): WaveKind {
  if (wave.sms === 'midnight') return 'midnight';
  if (wave.stopOnPurchase) return 'reminder';
  return wave.kind ?? 'regular';
}

/**
 * Each kind's SMS opening and emails. Every claim is one that is true for every recipient of
 * such a wave whenever its messages leave: the midnight text promises no "first hour" (at scale
 * the last groups send after 00:58), the emails, which leave two or three days before the SMS,
 * speak of the sale as coming, and nothing claims a coupon unless the campaign sets one.
 */
const KIND_TEXTS: Record<
  Exclude<WaveKind, 'reminder'>,
  { opening: string; emailSubject: string; emailBody: string }
> = {
  presale: {
    opening: '双11预售已开启，',
    emailSubject: '{name}，双11预售即将开启',
    emailBody:
      '{name}，您好：\n\n双11预售即将开启，付定金即可锁定心仪好物，尾款时再安心付清。\n\n先去看看：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  warmup: {
    opening: '双11即将开抢，',
    emailSubject: '{name}，双11即将开抢，先加购不错过',
    emailBody:
      '{name}，您好：\n\n双11即将开抢。把心仪好物加入购物车、收藏店铺，开抢时不用再找。\n\n去加购：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  sprint: {
    opening: '双11第一波好价进行中，',
    emailSubject: '{name}，双11第一波好价即将开始',
    emailBody:
      '{name}，您好：\n\n双11第一波好价即将开始，加购的好物到时可以直接下单。\n\n先去看看：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  tonight: {
    opening: '今晚零点双11开抢，',
    emailSubject: '{name}，双11零点开抢，记得设好闹钟',
    emailBody:
      '{name}，您好：\n\n双11将在零点准时开抢。提前把心仪好物加入购物车，零点直接付款。\n\n去加购：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  midnight: {
    opening: '双11已开抢，',
    emailSubject: '{name}，双11零点开抢',
    emailBody:
      '{name}，您好：\n\n双11将于零点准时开抢，设好闹钟，零点见！\n\n提前加购：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  regular: {
    opening: '双11好价提前看，',
    emailSubject: '{name}，双11好价提前看',
    emailBody:
      '{name}，您好：\n\n双11即将到来，心仪好物可以提前加购、收藏，开抢不慌。\n\n立即查看：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
};

const REMINDER: WaveTemplates = {
  // True whenever it leaves (days before the sale, or months after the order): nothing says a discount is ending.
  sms: '{signature}{name}，您有一笔订单尚未支付，付款后我们尽快为您发货，立即支付 {link} {optOut}',
  emailSubject: '{name}，您有一笔订单尚未支付',
  emailBody:
    '{name}，您好：\n\n您的订单还在等待支付，付款后我们会尽快为您安排发货。\n\n立即支付：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
};

/** What moves each group (the playbook): before the sale, and once it has started (sprint, midnight). */
interface GroupPush {
  before: string;
  onSale: string;
  /** With the campaign's coupon: the groups a coupon brings back. */
  coupon?: { before: string; onSale: string };
}

const GROUP_PUSH: Record<PlaybookGroup, GroupPush> = {
  unpaid: { before: '您还有订单未支付，别忘了付款', onSale: '您还有订单未支付，现在付款' },
  'd11-loyal': { before: '老朋友，好物先加购，零点直接付款', onSale: '老朋友，心仪好物现在下单' },
  'd11-only': {
    before: '一年一度囤货时，先把好物加入购物车',
    onSale: '一年一度囤货时，好物现在下单',
    coupon: { before: '{coupon}已为您备好，先把好物加入购物车', onSale: '{coupon}已为您备好，现在下单可用' },
  },
  'd11-veteran': { before: '往年双11买过的好物，先加购再回购', onSale: '往年双11买过的好物，现在回购' },
  'recent-high': { before: '心仪好物先收藏，开抢不用再找', onSale: '收藏的好物现在入手' },
  recent: {
    before: '好物先加购收藏，开抢不错过',
    onSale: '看中的好物现在下单',
    coupon: { before: '{coupon}已为您备好，好物先加购', onSale: '{coupon}已为您备好，现在下单可用' },
  },
  'dormant-shallow': {
    before: '好久不见，回来看看今年的双11好价',
    onSale: '好久不见，回来看看好价',
    coupon: { before: '好久不见，送您{coupon}，双11回来逛逛', onSale: '好久不见，送您{coupon}，现在下单可用' },
  },
  'dormant-deep': {
    before: '好久不见，双11好价等您回来看看',
    onSale: '好久不见，好价等您回来',
    coupon: { before: '好久不见，送您{coupon}，双11回来逛逛', onSale: '好久不见，送您{coupon}，现在下单可用' },
  },
  churned: {
    before: '许久未见，双11回来逛逛吧',
    onSale: '许久未见，好价等您回来',
    coupon: { before: '许久未见，送您{coupon}，双11回来逛逛', onSale: '许久未见，送您{coupon}，现在下单可用' },
  },
};

const ON_SALE: ReadonlySet<WaveKind> = new Set(['sprint', 'midnight']);

/** Who a default text is for: the customer's playbook group, and whether the wave has a coupon. */
export interface TextAudience {
  group?: string | undefined;
  coupon?: boolean | undefined;
}

/** The default SMS of a kind for one group (any other group, or none: the kind's own line). */
export function defaultSms(kind: WaveKind, audience: TextAudience = {}): string {
  if (kind === 'reminder') return REMINDER.sms;
  const push = audience.group !== undefined ? GROUP_PUSH[audience.group as PlaybookGroup] : undefined;
  const onSale = ON_SALE.has(kind);
  const line = push
    ? (audience.coupon && push.coupon ? push.coupon : push)[onSale ? 'onSale' : 'before']
    : onSale
      ? '好物现在下单'
      : '好物先加购收藏';
  return `{signature}{name}，${KIND_TEXTS[kind].opening}${line} {link} {optOut}`;
}

/** The wave's templates: its own where given, else the defaults for its kind and the customer's group. */
export function templatesFor(kind: WaveKind, own: Partial<WaveTemplates>, audience: TextAudience = {}): WaveTemplates {
  const emails = kind === 'reminder' ? REMINDER : KIND_TEXTS[kind];
  return {
    sms: own.sms ?? defaultSms(kind, audience),
    emailSubject: own.emailSubject ?? emails.emailSubject,
    emailBody: own.emailBody ?? emails.emailBody,
  };
}

/** Whether a wave's SMS text follows the customer's group (it has no text of its own). */
export function smsVariesByGroup(own: Partial<WaveTemplates>): boolean {
  return own.sms === undefined;
}

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '');
}

/** PC-only customers get the store's main link; short links do not suit PC users. */
export function linkFor(device: Device, links: Links): string {
  return device === 'pc' ? links.pc : links.mobile;
}

export interface MessageValues {
  name?: string | undefined;
  link: string;
  signature: string;
  /** Empty when the provider appends its own opt-out text (`providerSuffix`). */
  optOut: string;
  coupon?: string | undefined;
}

export function render(template: string, values: MessageValues): string {
  return template.replace(/\{(name|link|signature|optOut|coupon)\}/g, (_, key: keyof MessageValues) =>
    key === 'name' ? values.name || NAME_FALLBACK : (values[key] ?? ''),
  );
}

/** An SMS as it leaves: rendered, without the space an empty `{optOut}` leaves at the end. */
export function renderSms(template: string, values: MessageValues): string {
  return render(template, values).trimEnd();
}

/**
 * The text the customer's phone receives and the carrier bills: the SMS as sent plus what the
 * provider appends to every message (its own opt-out text), which counts in the parts too.
 */
export function deliveredSms(text: string, providerSuffix: string | undefined): string {
  return providerSuffix ? `${text}${providerSuffix}` : text;
}

/**
 * A template as the provider registers it: the campaign's fixed texts filled in (signature,
 * opt-out, coupon), the per-customer variables ({name}, {link}) left as they are.
 */
export function registrableForm(template: string, fixed: Omit<MessageValues, 'name' | 'link'>): string {
  return template
    .replace(/\{(signature|optOut|coupon)\}/g, (_, key: 'signature' | 'optOut' | 'coupon') => fixed[key] ?? '')
    .trimEnd();
}

/** The fingerprint of a registered text: a change of any character changes it. */
export function templateFingerprint(registrable: string): string {
  return createHash('sha256').update(registrable, 'utf8').digest('hex').slice(0, 16);
}

// GSM 03.38 basic set and extension table: text made only of these is sent in 7-bit parts.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const GSM_CHARACTERS = new Set([...GSM_BASIC, ...GSM_EXTENDED]);

export function isGsm7(text: string): boolean {
  for (const character of text) if (!GSM_CHARACTERS.has(character)) return false;
  return true;
}

/** Length as the network counts it: septets for GSM-7 (extension characters take two), UTF-16 units otherwise. */
export function smsLength(text: string): { length: number; ucs2: boolean } {
  if (!isGsm7(text)) return { length: text.length, ucs2: true };
  let length = 0;
  for (const character of text) length += GSM_EXTENDED.includes(character) ? 2 : 1;
  return { length, ucs2: false };
}

/** Parts a message is billed and throttled as: 70 (67 when split) for Chinese, 160 (153) for GSM-7. */
export function smsPartsFor(length: number, ucs2: boolean): number {
  const single = ucs2 ? 70 : 160;
  const perPart = ucs2 ? 67 : 153;
  if (length <= single) return 1;
  return Math.ceil(length / perPart);
}

export function smsParts(text: string): number {
  const { length, ucs2 } = smsLength(text);
  return smsPartsFor(length, ucs2);
}
