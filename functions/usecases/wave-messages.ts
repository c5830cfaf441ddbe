/**
 * What each customer of a wave would read, for the marketer reviewing a draft: every variant
 * (the mobile and the PC link, with a name and with the fallback 亲), rendered by the send
 * path's own templates and values, with each SMS's part count. The same variants a test send
 * sends; variants whose texts are the same are shown once.
 */
import type { Campaign, Wave } from '../domain/campaign.ts';
import { render, smsParts } from '../domain/messages.ts';
import { messageValues, waveTemplates } from './send-wave.ts';
import { VARIANTS } from './test-send.ts';

export interface SmsVariant {
  /** The variants that read this text: `mobile/name`, `pc/fallback-name`, ... */
  variants: string[];
  text: string;
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

export function waveMessages(campaign: Campaign, wave: Wave): WaveMessages {
  const templates = waveTemplates(wave);
  const sms = new Map<string, SmsVariant>();
  const email = new Map<string, EmailVariant>();
  for (const variant of VARIANTS) {
    const values = messageValues(campaign, wave, variant);
    const text = render(templates.sms, values);
    const seen = sms.get(text);
    if (seen) seen.variants.push(variant.label);
    else sms.set(text, { variants: [variant.label], text, characters: [...text].length, parts: smsParts(text) });
    if (wave.email === false) continue;
    const subject = render(templates.emailSubject, values);
    const body = render(templates.emailBody, values);
    const key = JSON.stringify([subject, body]);
    const mail = email.get(key);
    if (mail) mail.variants.push(variant.label);
    else email.set(key, { variants: [variant.label], subject, body });
  }
  return { waveId: wave.id, sms: [...sms.values()], email: [...email.values()] };
}
