/**
 * The playbook rules checked on what was really delivered (the outbox read back
 * from the sinks), independent of the plan: a delivered campaign that breaks a rule fails
 * here even if the planner and the ledger believe otherwise.
 */
import { type Campaign, isQuiet, midnightInstant, smsInstant } from '../../functions/domain/campaign.ts';
import { HOUR_MS, minuteOfDay, monthKey, parseClock } from '../../functions/domain/local-time.ts';
import { OPT_OUT_PATTERN } from '../../functions/domain/messages.ts';
import { campaignRules } from '../../functions/usecases/trigger-results.ts';

export interface OutboxEntry {
  customerId: string;
  channel: 'sms' | 'email';
  waveId: string;
  sendId: string;
  at: string;
  body: string;
}

export function brokenOutboxRules(
  campaign: Campaign,
  outbox: OutboxEntry[],
  optedOut: { sms: Set<string>; email: Set<string> } = { sms: new Set(), email: new Set() },
): string[] {
  const broken: string[] = [];
  const tz = campaign.timezone;
  const quietStart = parseClock(campaign.quietHours.start);
  const quietEnd = parseClock(campaign.quietHours.end);
  const midnight = midnightInstant(campaign);
  const waves = new Map(campaign.waves.map((wave) => [wave.id, wave]));
  const rules = new Set<string>(campaignRules(campaign));
  const seen = new Set<string>();
  const perCustomer = new Map<string, OutboxEntry[]>();
  for (const entry of outbox) {
    const key = `${entry.customerId}/${entry.waveId}/${entry.channel}`;
    if (seen.has(key)) broken.push(`duplicate: ${key}`);
    seen.add(key);
    const list = perCustomer.get(entry.customerId) ?? [];
    list.push(entry);
    perCustomer.set(entry.customerId, list);
    const at = Date.parse(entry.at);
    const wave = waves.get(entry.waveId);
    if (!wave && rules.has(entry.waveId)) {
      // An order reminder: never in quiet hours, an SMS like any other.
      if (entry.channel !== 'sms') broken.push(`${key}: an order reminder by ${entry.channel}`);
      if (isQuiet(minuteOfDay(at, tz), quietStart, quietEnd)) broken.push(`${key}: sent in quiet hours at ${entry.at}`);
      if (!entry.body.includes(campaign.signature)) broken.push(`${key}: SMS without the signature`);
      if (!OPT_OUT_PATTERN.test(entry.body)) broken.push(`${key}: SMS without an opt-out instruction`);
      if (optedOut.sms.has(entry.customerId)) broken.push(`${key}: SMS to an opted-out customer`);
      continue;
    }
    if (!wave) {
      broken.push(`${key}: unknown wave`);
      continue;
    }
    const isMidnightPush = wave.sms === 'midnight' && entry.channel === 'sms';
    if (isMidnightPush && at < midnight) broken.push(`${key}: midnight push before 00:00:00 (${entry.at})`);
    if (!isMidnightPush && isQuiet(minuteOfDay(at, tz), quietStart, quietEnd)) {
      broken.push(`${key}: sent in quiet hours at ${entry.at}`);
    }
    if (entry.channel === 'email') {
      const lead = smsInstant(campaign, wave) - at;
      if (lead < campaign.emailLeadDays.min * 24 * HOUR_MS || lead > campaign.emailLeadDays.max * 24 * HOUR_MS) {
        broken.push(`${key}: email ${Math.round(lead / HOUR_MS)} h before its SMS`);
      }
      if (optedOut.email.has(entry.customerId)) broken.push(`${key}: email to an opted-out customer`);
    } else {
      if (!entry.body.includes(campaign.signature)) broken.push(`${key}: SMS without the signature`);
      if (!OPT_OUT_PATTERN.test(entry.body)) broken.push(`${key}: SMS without an opt-out instruction`);
      if (optedOut.sms.has(entry.customerId)) broken.push(`${key}: SMS to an opted-out customer`);
    }
  }
  let multiSms = 0;
  for (const [customerId, entries] of perCustomer) {
    if (entries.length > campaign.caps.touches) broken.push(`${customerId}: ${entries.length} touches`);
    const sms = entries.filter((entry) => entry.channel === 'sms');
    // The multi-SMS share is a rule of the plan's waves; order reminders answer the customer's
    // own order and are held to the per-customer caps (touches, SMS a month) by the ledger.
    if (sms.filter((entry) => waves.has(entry.waveId)).length > 1) multiSms += 1;
    const months = new Map<string, number>();
    for (const entry of sms) {
      const month = monthKey(Date.parse(entry.at), tz);
      months.set(month, (months.get(month) ?? 0) + 1);
    }
    for (const [month, count] of months) {
      if (count > campaign.caps.smsPerMonth) broken.push(`${customerId}: ${count} SMS in ${month}`);
    }
  }
  const limit = Math.floor(campaign.caps.multiSmsShare * perCustomer.size);
  if (multiSms > limit) broken.push(`multi-SMS customers ${multiSms} > ${limit}`);
  return broken;
}
