/**
 * What each customer of a wave would read, for the marketer reviewing a draft: every variant
 * (the mobile and the PC link, with a name and with the fallback 亲), rendered by the send
 * path's own templates and values, with each SMS's part count. The same variants a test send
 * sends; variants whose texts are the same are shown once. A wave without its own SMS text
 * sends each playbook group its group's default: one text per group (with a name, per link).
 * The characters and parts are those the customer's phone receives and the carrier bills:
 * with the provider's appended opt-out text.
 */
import type { Campaign, Wave } from '../domain/campaign.ts';
import { deliveredSms, render, renderSms, smsParts, smsVariesByGroup } from '../domain/messages.ts';
import { EVERYONE, PLAYBOOK_GROUPS } from '../domain/segments.ts';
import { messageValues, waveTemplates } from './send-wave.ts';
import { VARIANTS } from './test-send.ts';

export interface SmsVariant {
  /** The variants that read this text: `mobile/name`, `pc/fallback-name`, ... */
  variants: string[];
  /** The playbook group this text is for, when the wave's SMS follows the group. */
  group?: string;
  /** The wave's care text: what its recent buyers (within careDays) get instead of the promotion. */
  care?: true;
  /** What the phone receives: the text as sent, then the provider's appended text. */
  text: string;
  /** The provider's appended text at the end of `text`, when it appends one. */
  providerSuffix?: string;
  characters: number;
  parts: number;
}

export interface EmailVariant {
  variants: string[];
  subject: string;
  /** The body as written; the send path adds the customer's unsubscribe link under it. */
  body: string;
}

export interface WaveMessages {
  waveId: string;
  sms: SmsVariant[];
  /** Empty for a wave that sends no email. */
  email: EmailVariant[];
}

/** The groups whose texts a wave sends: the playbook groups of its audience, all of them for `*` or labels. */
export function textGroups(wave: Wave): string[] {
  const named = PLAYBOOK_GROUPS.filter((group) => wave.audience.includes(group));
  const onlyGroups = wave.audience.every((entry) => entry !== EVERYONE && named.includes(entry as never));
  return onlyGroups ? named : [...PLAYBOOK_GROUPS];
}

/** A test send's `group` naming the wave's care text. */
export const CARE_TEXT = 'care';

/**
 * The texts a test send of the wave can choose by `group`: each group's own SMS when the
 * groups' texts differ, then the care text when the wave has one; empty when all read one text.
 */
export function testSendGroups(wave: Wave): string[] {
  return [...(smsVariesByGroup(wave.templates) ? textGroups(wave) : []), ...(wave.care ? [CARE_TEXT] : [])];
}

export function waveMessages(campaign: Campaign, wave: Wave): WaveMessages {
  const templates = waveTemplates(campaign, wave);
  const sms = new Map<string, SmsVariant>();
  const email = new Map<string, EmailVariant>();
  const suffix = campaign.providerSuffix;
  const addSms = (label: string, text: string, group?: string, care?: true) => {
    const delivered = deliveredSms(text, suffix);
    const seen = sms.get(delivered);
    if (seen) {
      seen.variants.push(label);
      return;
    }
    sms.set(delivered, {
      variants: [label],
      ...(group === undefined ? {} : { group }),
      ...(care ? { care } : {}),
      text: delivered,
      ...(suffix ? { providerSuffix: suffix } : {}),
      characters: [...delivered].length,
      parts: smsParts(delivered),
    });
  };
  const byGroup = smsVariesByGroup(wave.templates);
  if (byGroup) {
    for (const group of textGroups(wave)) {
      const own = waveTemplates(campaign, wave, group);
      for (const variant of VARIANTS.filter((v) => v.name !== undefined)) {
        addSms(variant.label, renderSms(own.sms, messageValues(campaign, wave, variant)), group);
      }
    }
  }
  for (const variant of VARIANTS) {
    const values = messageValues(campaign, wave, variant);
    if (!byGroup) addSms(variant.label, renderSms(templates.sms, values));
    if (wave.email === false) continue;
    const subject = render(templates.emailSubject, values);
    const body = render(templates.emailBody, values);
    const key = JSON.stringify([subject, body]);
    const mail = email.get(key);
    if (mail) mail.variants.push(variant.label);
    else email.set(key, { variants: [variant.label], subject, body });
  }
  // Last, as the exception it is: the care text of recent buyers, per link and name.
  if (wave.care !== undefined) {
    for (const variant of VARIANTS) {
      addSms(
        `care:${variant.label}`,
        renderSms(wave.care.sms, messageValues(campaign, wave, variant)),
        undefined,
        true,
      );
    }
  }
  return { waveId: wave.id, sms: [...sms.values()], email: [...email.values()] };
}
