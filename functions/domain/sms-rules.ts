/**
 * China's marketing-SMS rules, checked before anything is scheduled: what a carrier or the
 * SMS platform would refuse is refused here, by the JSON path of the campaign file, and what
 * it might hold is a plan warning. Pure: the campaign and what the plan knows of its audience in,
 * problems and warnings out.
 */
import type { Campaign, SmsRuleSet, Wave } from './campaign.ts';
import { minuteOfDay, parseClock } from './local-time.ts';
import {
  OPT_OUT_PATTERN,
  registrableForm,
  smsVariesByGroup,
  type TextAudience,
  templateFingerprint,
  templatesFor,
  waveKind,
} from './messages.ts';
import type { PlanWarning } from './timeline.ts';

/** The signature's store name, inside 【】: AWS End User Messaging and China's carriers take 2 to 12 characters. */
export const SIGNATURE_NAME_LENGTH = { min: 2, max: 12 } as const;

/** Promotional SMS on Chinese platforms: from 08:00 to before 22:00, local time. */
export const PROMOTION_HOURS = { start: '08:00', end: '22:00' } as const;

/** Mainland China numbers: what makes `cn-marketing` the default. */
const MAINLAND = '+86';

/** The rule set the plan applies: the campaign's own, else `cn-marketing` when the SMS audience has +86 numbers. */
export function effectiveSmsRules(campaign: Pick<Campaign, 'smsRules'>, anyMainlandPhone: boolean): SmsRuleSet {
  return campaign.smsRules ?? (anyMainlandPhone ? 'cn-marketing' : 'none');
}

export function isMainlandPhone(phone: string | undefined): boolean {
  return phone?.startsWith(MAINLAND) === true;
}

export interface SmsRuleProblem {
  path: PropertyKey[];
  message: string;
}

/** One SMS text a wave will send: for a wave without its own text, one per group it reaches. */
export interface WaveSmsText {
  /** The wave's position in the campaign file. */
  position: number;
  wave: Wave;
  /** The customers' group, when the text is the group's default. */
  group?: string;
  /** The wave's care text (`care.sms`), which recent buyers get instead of its promotion. */
  care?: true;
  template: string;
}

/** The texts each wave will send: its own, or the default of each group in its audience. */
export function waveSmsTexts(campaign: Campaign, groupsByWave: ReadonlyMap<Wave, readonly string[]>): WaveSmsText[] {
  const texts: WaveSmsText[] = [];
  campaign.waves.forEach((wave, position) => {
    const kind = waveKind(wave);
    const hasCoupon = (wave.coupon ?? campaign.coupon) !== undefined;
    if (wave.care !== undefined) texts.push({ position, wave, care: true, template: wave.care.sms });
    if (!smsVariesByGroup(wave.templates)) {
      texts.push({ position, wave, template: templatesFor(kind, wave.templates).sms });
      return;
    }
    const seen = new Set<string>();
    for (const group of groupsByWave.get(wave) ?? []) {
      const audience: TextAudience = { group, coupon: hasCoupon };
      const template = templatesFor(kind, wave.templates, audience).sms;
      if (seen.has(template)) continue;
      seen.add(template);
      texts.push({ position, wave, group, template });
    }
  });
  return texts;
}

/** The fixed values of a wave's texts: what the provider registers as written, not as a variable. */
export function fixedValues(campaign: Campaign, wave: Wave): { signature: string; optOut: string; coupon?: string } {
  const waveCoupon = wave.coupon ?? campaign.coupon;
  return {
    signature: campaign.signature,
    optOut: campaign.providerSuffix ? '' : campaign.optOutText,
    ...(waveCoupon === undefined ? {} : { coupon: waveCoupon }),
  };
}

/**
 * Every `cn-marketing` refusal of these texts, each by its JSON path; none under `none`.
 * The rules: the signature first, an opt-out (or the provider's appended one), a registered
 * template for every text, unchanged since its registration.
 */
export function smsRuleProblems(
  campaign: Campaign,
  rules: SmsRuleSet,
  texts: readonly WaveSmsText[],
): SmsRuleProblem[] {
  if (rules !== 'cn-marketing') return [];
  const problems: SmsRuleProblem[] = [];
  const name = campaign.signature.slice(1, -1);
  const nameLength = [...name].length;
  if (nameLength < SIGNATURE_NAME_LENGTH.min || nameLength > SIGNATURE_NAME_LENGTH.max) {
    problems.push({
      path: ['signature'],
      message: `has ${nameLength} characters inside 【】; China's carriers take a registered signature of ${SIGNATURE_NAME_LENGTH.min} to ${SIGNATURE_NAME_LENGTH.max}`,
    });
  }
  const registeredIds = new Map<string, string>();
  for (const [id, fingerprint] of Object.entries(campaign.registeredTemplates)) registeredIds.set(fingerprint, id);
  for (const text of texts) {
    const path = text.care ? ['waves', text.position, 'care', 'sms'] : ['waves', text.position, 'templates', 'sms'];
    const whose = text.care
      ? 'the care text'
      : text.group === undefined
        ? 'the text'
        : `the default text for group ${text.group}`;
    const form = registrableForm(text.template, fixedValues(campaign, text.wave));
    if (!form.startsWith(campaign.signature)) {
      problems.push({
        path,
        message: `${whose} must start with the store signature ${campaign.signature}: China's carriers require it at the very start (put {signature} first)`,
      });
    }
    if (!campaign.providerSuffix && !OPT_OUT_PATTERN.test(form)) {
      problems.push({
        path,
        message: `${whose} must carry an opt-out instruction (回T退订, 拒收请回复R...), or set "providerSuffix" to the text your provider appends`,
      });
    }
    const fingerprint = templateFingerprint(form);
    const pinned = text.care
      ? text.wave.care?.templateId
      : text.group === undefined
        ? text.wave.templates.templateId
        : undefined;
    if (pinned !== undefined) {
      const registered = campaign.registeredTemplates[pinned];
      if (registered === undefined) {
        problems.push({
          path: ['waves', text.position, text.care ? 'care' : 'templates', 'templateId'],
          message: `names template ${pinned}, which is not in "registeredTemplates": add "${pinned}": "${fingerprint}" once the provider has approved this text: ${form}`,
        });
      } else if (registered !== fingerprint) {
        problems.push({
          path,
          message: `changed since it was registered as template ${pinned} (fingerprint ${registered}, now ${fingerprint}): the provider refuses an unregistered text; register the new text and update "registeredTemplates", or restore the registered one`,
        });
      }
      continue;
    }
    if (!registeredIds.has(fingerprint)) {
      problems.push({
        path,
        message: `${whose} is not a registered SMS template (marketing SMS in China must be): register it with your SMS provider, then add "registeredTemplates": {"<its template id>": "${fingerprint}"}. The text to register: ${form}`,
      });
    }
  }
  return problems;
}

/** The registered template id of a text, when it has one: what the send path names to the provider. */
export function registeredTemplateId(campaign: Campaign, wave: Wave, template: string): string | undefined {
  const fingerprint = templateFingerprint(registrableForm(template, fixedValues(campaign, wave)));
  for (const [id, registered] of Object.entries(campaign.registeredTemplates))
    if (registered === fingerprint) return id;
  return undefined;
}

/** The words of the campaign's banned list in each wave's texts: warned, since platforms refuse or hold them. */
export function bannedWordWarnings(
  campaign: Campaign,
  rules: SmsRuleSet,
  texts: readonly WaveSmsText[],
): PlanWarning[] {
  if (rules !== 'cn-marketing' || campaign.bannedWords.length === 0) return [];
  const byWave = new Map<string, Set<string>>();
  for (const text of texts) {
    const form = registrableForm(text.template, fixedValues(campaign, text.wave)).toLowerCase();
    for (const word of campaign.bannedWords) {
      if (!form.includes(word.toLowerCase())) continue;
      const words = byWave.get(text.wave.id) ?? new Set<string>();
      words.add(word);
      byWave.set(text.wave.id, words);
    }
  }
  return [...byWave].map(([wave, words]) => ({ code: 'sms-banned-words', wave, words: [...words] }));
}

/**
 * The one warning that SMS leaves outside the promotional hours (the midnight push, by the
 * marketer's choice): carriers may hold night promotions. Null when every SMS send starts
 * between 08:00 and 22:00.
 */
export function nightPromotionWarning(
  rules: SmsRuleSet,
  sends: ReadonlyArray<{ waveId: string; channel: string; at: string; estimatedSeconds: number }>,
  timeZone: string,
): PlanWarning | null {
  if (rules !== 'cn-marketing') return null;
  const start = parseClock(PROMOTION_HOURS.start);
  const end = parseClock(PROMOTION_HOURS.end);
  const waves: string[] = [];
  for (const send of sends) {
    if (send.channel !== 'sms' || waves.includes(send.waveId)) continue;
    const from = Date.parse(send.at);
    const to = from + Math.max(0, send.estimatedSeconds * 1000 - 1);
    if (outside(from, timeZone, start, end) || outside(to, timeZone, start, end)) waves.push(send.waveId);
  }
  return waves.length === 0
    ? null
    : { code: 'sms-night-promotion', waves, start: PROMOTION_HOURS.start, end: PROMOTION_HOURS.end };
}

function outside(instant: number, timeZone: string, start: number, end: number): boolean {
  const minute = minuteOfDay(instant, timeZone);
  return minute < start || minute >= end;
}
