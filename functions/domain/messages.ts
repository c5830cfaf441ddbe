/**
 * What a customer reads: templates, the link by device, China's marketing-SMS rules
 * (store signature 【name】 and an opt-out instruction) and SMS part counting.
 */
import type { Device } from './customer.ts';

export const TEMPLATE_PLACEHOLDERS = ['name', 'link', 'signature', 'optOut'];

/** Opt-out instructions carriers accept in China (回T退订, 退订回T, 回TD退订, 回复N退订...) or STOP. */
export const OPT_OUT_PATTERN = /回复?\s*(T|TD|N|0)\s*退订|退订\s*回复?\s*(T|TD|N)|\bSTOP\b/i;

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

export type WaveKind = 'midnight' | 'reminder' | 'regular';

const DEFAULT_TEMPLATES: Record<WaveKind, WaveTemplates> = {
  regular: {
    sms: '{signature}{name}，双11老客专享福利已到账，好物提前加购不错过 {link} {optOut}',
    emailSubject: '{name}，您的双11老客专享福利已到账',
    emailBody:
      '{name}，您好：\n\n双11即将到来，老客专享价与专属优惠券已为您准备好，提前加购，开抢不慌。\n\n立即查看：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  reminder: {
    sms: '{signature}{name}，您有一笔订单尚未支付，双11优惠即将结束，立即支付 {link} {optOut}',
    emailSubject: '{name}，您有一笔订单尚未支付',
    emailBody:
      '{name}，您好：\n\n您的订单还在等待支付，双11优惠价保留时间有限。\n\n立即支付：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
  midnight: {
    sms: '{signature}{name}，双11零点已开抢！老客专享价仅限前1小时，手慢无 {link} {optOut}',
    emailSubject: '{name}，双11零点开抢，老客专享价仅限前1小时',
    emailBody:
      '{name}，您好：\n\n双11将于11月11日00:00准时开抢，老客专享价仅限开抢后1小时。设好闹钟，零点见！\n\n提前加购：{link}\n\n{signature}\n如不想再收到此类邮件，可随时退订。',
  },
};

/** The wave's templates: its own where given, else the defaults for its kind. */
export function templatesFor(kind: WaveKind, own: Partial<WaveTemplates>): WaveTemplates {
  const defaults = DEFAULT_TEMPLATES[kind];
  return {
    sms: own.sms ?? defaults.sms,
    emailSubject: own.emailSubject ?? defaults.emailSubject,
    emailBody: own.emailBody ?? defaults.emailBody,
  };
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
  optOut: string;
}

export function render(template: string, values: MessageValues): string {
  return template.replace(/\{(name|link|signature|optOut)\}/g, (_, key: keyof MessageValues) =>
    key === 'name' ? values.name || NAME_FALLBACK : (values[key] ?? ''),
  );
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
