/**
 * The playbook rules, checked on a finished plan from the outside: given the
 * campaign, the customers and the plan, every rule is re-derived independently of the
 * planner's own bookkeeping. Returns the broken rules (empty when the plan is lawful).
 */
import { type Campaign, isQuiet, midnightInstant, smsInstant } from '../../functions/domain/campaign.ts';
import type { CustomerSet } from '../../functions/domain/customer-set.ts';
import { HOUR_MS, minuteOfDay, monthKey, parseClock } from '../../functions/domain/local-time.ts';
import { deliveredSms, renderSms, smsParts } from '../../functions/domain/messages.ts';
import { isCareTouch, type Plan } from '../../functions/domain/planner.ts';
import { SPRINT_MIN_ELIGIBLE, SPRINT_REACH_BAND } from '../../functions/domain/playbook-warnings.ts';
import { EVERYONE, type PLAYBOOK_GROUPS, primaryGroup } from '../../functions/domain/segments.ts';
import { SUB_GROUPS, subGroupOf, subGroupsNamedBy } from '../../functions/domain/sub-groups.ts';
import { messageValues, waveSms } from '../../functions/usecases/send-wave.ts';

export function brokenPlaybookRules(campaign: Campaign, customers: CustomerSet, plan: Plan, now: number): string[] {
  const broken: string[] = [];
  const tz = campaign.timezone;
  const { sends } = plan.timeline;
  const quietStart = parseClock(campaign.quietHours.start);
  const quietEnd = parseClock(campaign.quietHours.end);
  const wavesById = new Map(campaign.waves.map((wave) => [wave.id, wave]));
  const midnight = midnightInstant(campaign);

  const touchesOf = new Map<number, Array<{ waveId: string; channel: string; at: number }>>();
  const seenTouch = new Set<string>();
  const groupSizes = new Map<string, Map<number, number>>();
  sends.forEach((send, position) => {
    const at = Date.parse(send.at);
    const end = at + send.estimatedSeconds * 1000;
    const wave = wavesById.get(send.waveId);
    if (!wave) {
      broken.push(`send ${send.id}: unknown wave`);
      return;
    }
    const members = plan.members[position] ?? new Int32Array();
    if (members.length !== send.customers)
      broken.push(`send ${send.id}: customers ${send.customers} != members ${members.length}`);
    if (send.customers > campaign.groupSize) broken.push(`send ${send.id}: ${send.customers} customers > group size`);
    const key = `${send.waveId}/${send.channel}`;
    const sizes = groupSizes.get(key) ?? new Map<number, number>();
    sizes.set(send.group, (sizes.get(send.group) ?? 0) + send.customers);
    groupSizes.set(key, sizes);
    if (at < now) broken.push(`send ${send.id}: at ${send.at} is before now`);

    const smsAt = smsInstant(campaign, wave);
    const isMidnightPush = send.channel === 'sms' && wave.sms === 'midnight';
    if (isMidnightPush) {
      if (send.group === 1 && send.slice === 1 && at !== midnight)
        broken.push(`send ${send.id}: midnight push not at 00:00:00`);
      if (at < midnight) broken.push(`send ${send.id}: midnight push before 00:00:00`);
    } else {
      // Quiet hours: neither the start nor any second of the estimated send may be quiet.
      for (let t = at; t < Math.max(end, at + 1); t += 60_000) {
        if (isQuiet(minuteOfDay(t, tz), quietStart, quietEnd)) {
          broken.push(`send ${send.id}: runs in quiet hours at ${new Date(t).toISOString()}`);
          break;
        }
      }
      if (end > at && isQuiet(minuteOfDay(end - 1000, tz), quietStart, quietEnd)) {
        broken.push(`send ${send.id}: ends in quiet hours`);
      }
    }
    if (send.channel === 'email') {
      const leadMin = campaign.emailLeadDays.min * 24 * HOUR_MS;
      const leadMax = campaign.emailLeadDays.max * 24 * HOUR_MS;
      if (at < smsAt - leadMax || end > smsAt - leadMin) {
        broken.push(
          `send ${send.id}: email outside ${campaign.emailLeadDays.min}-${campaign.emailLeadDays.max} days before its SMS`,
        );
      }
    }
    for (const index of members) {
      const touchKey = `${index}/${send.waveId}/${send.channel}`;
      if (seenTouch.has(touchKey)) broken.push(`customer ${index}: ${send.waveId} ${send.channel} twice`);
      seenTouch.add(touchKey);
      const list = touchesOf.get(index) ?? [];
      list.push({ waveId: send.waveId, channel: send.channel, at });
      touchesOf.set(index, list);
    }
  });

  // Groups split evenly: within a wave and channel, group sizes differ by at most one.
  for (const [key, sizes] of groupSizes) {
    const values = [...sizes.values()];
    if (Math.max(...values) - Math.min(...values) > 1) broken.push(`${key}: uneven groups ${values.join(',')}`);
  }

  const segmentation = {
    settings: campaign.segments,
    now,
    campaignYear: Number(campaign.midnight.slice(0, 4)),
    timeZone: tz,
  };
  let multiSms = 0;
  for (const [index, touches] of touchesOf) {
    const customer = customers.customers[index];
    if (!customer) {
      broken.push(`touch for unknown customer ${index}`);
      continue;
    }
    const labels = customers.labels[index] ?? [];
    const group = primaryGroup(customer, segmentation);
    const subGroup = subGroupOf(group, customer, campaign.segments);
    if (touches.length > campaign.caps.touches) broken.push(`${customer.customerId}: ${touches.length} touches`);
    const smsByMonth = new Map<string, number>();
    let sms = 0;
    for (const touch of touches) {
      const wave = wavesById.get(touch.waveId);
      const audience = wave?.audience ?? [];
      if (!inAudience(audience, group, subGroup, labels, customer.tier)) {
        broken.push(`${customer.customerId}: ${touch.waveId} outside its audience`);
      }
      // Care before promotion: no promotional wave (not the midnight push, not a reminder) to a recent buyer.
      // With a care text, the recent buyer gets that SMS (and only that: no email, no promotion).
      const promotional = wave !== undefined && wave.sms !== 'midnight' && !wave.stopOnPurchase;
      const recent =
        promotional &&
        campaign.careDays > 0 &&
        customer.lastOrderAt !== undefined &&
        customer.lastOrderAt >= smsInstant(campaign, wave) - campaign.careDays * 24 * HOUR_MS;
      const care = isCareTouch(plan, touch.waveId, index);
      if (recent && !(wave?.care !== undefined && touch.channel === 'sms' && care)) {
        broken.push(
          `${customer.customerId}: ${touch.waveId} ${touch.channel} within ${campaign.careDays} days of an order`,
        );
      }
      if (care && !(recent && touch.channel === 'sms')) {
        broken.push(
          `${customer.customerId}: ${touch.waveId} ${touch.channel} is the care text, but no recent buyer's SMS`,
        );
      }
      if (touch.channel === 'sms') {
        sms += 1;
        if (customer.optOutSms) broken.push(`${customer.customerId}: SMS despite opt-out`);
        if (!customer.phone) broken.push(`${customer.customerId}: SMS without phone`);
        const month = monthKey(touch.at, tz);
        smsByMonth.set(month, (smsByMonth.get(month) ?? 0) + 1);
      } else {
        if (customer.optOutEmail) broken.push(`${customer.customerId}: email despite opt-out`);
        if (!customer.email) broken.push(`${customer.customerId}: email without address`);
      }
    }
    for (const [month, count] of smsByMonth) {
      if (count > campaign.caps.smsPerMonth) broken.push(`${customer.customerId}: ${count} SMS in ${month}`);
    }
    if (sms > 1) multiSms += 1;
    if (sms > 1 && !(campaign.caps.multiSmsGroups as readonly string[]).includes(group)) {
      broken.push(`${customer.customerId}: ${sms} SMS, but ${group} may not get more than one`);
    }
  }
  const limit = Math.floor(campaign.caps.multiSmsShare * touchesOf.size);
  if (multiSms > limit) broken.push(`multi-SMS customers ${multiSms} > ${limit} (share of ${touchesOf.size})`);

  // Top priority: every eligible customer in the midnight push's audience gets it.
  const midnightWave = campaign.waves.find((wave) => wave.sms === 'midnight');
  if (midnightWave && midnight >= now) {
    customers.customers.forEach((customer, index) => {
      if (!customer.phone || customer.optOutSms) return;
      const group = primaryGroup(customer, segmentation);
      const labels = customers.labels[index] ?? [];
      const audience = midnightWave.audience;
      if (!inAudience(audience, group, subGroupOf(group, customer, campaign.segments), labels, customer.tier)) return;
      const got = touchesOf.get(index)?.some((t) => t.waveId === midnightWave.id && t.channel === 'sms');
      if (!got) broken.push(`${customer.customerId}: eligible but no midnight push`);
    });
  }

  // Conservation: every touch a wave asked for is either planned or dropped with a reason.
  for (const summary of plan.timeline.waves) {
    const wave = wavesById.get(summary.id);
    const channels = wave && wave.email !== false ? 2 : 1;
    const dropped = Object.values(summary.dropped).reduce((a, b) => a + b, 0);
    const planned = summary.planned.sms + summary.planned.email;
    if (planned + dropped !== summary.audience_size * channels) {
      broken.push(
        `wave ${summary.id}: planned ${planned} + dropped ${dropped} != audience ${summary.audience_size} x ${channels}`,
      );
    }
  }
  // Each SMS send's parts are its customers' texts as the send path renders them: the care text
  // (a recent buyer), their group's default (or the wave's own text), their link and name, and
  // what the provider appends.
  sends.forEach((send, position) => {
    const wave = wavesById.get(send.waveId);
    if (send.channel !== 'sms' || !wave) return;
    let parts = 0;
    for (const index of plan.members[position] ?? []) {
      const customer = customers.get(index);
      const variant = isCareTouch(plan, send.waveId, index) ? 'care' : undefined;
      const { template } = waveSms(campaign, wave, primaryGroup(customer, segmentation), variant);
      const text = renderSms(template, messageValues(campaign, wave, customer));
      parts += smsParts(deliveredSms(text, campaign.providerSuffix));
    }
    if (parts !== send.smsParts) broken.push(`send ${send.id}: ${send.smsParts} SMS parts, its texts have ${parts}`);
  });
  broken.push(...brokenGroupRules(campaign, customers, plan, now));
  return broken;
}

/**
 * The sub-group counts of the plan's summary, and the playbook's warnings on the first sprint
 * and the midnight push, re-derived from the customers and the sends.
 */
function brokenGroupRules(campaign: Campaign, customers: CustomerSet, plan: Plan, now: number): string[] {
  const broken: string[] = [];
  const { timeline } = plan;
  const tz = campaign.timezone;
  const segmentation = {
    settings: campaign.segments,
    now,
    campaignYear: Number(campaign.midnight.slice(0, 4)),
    timeZone: tz,
  };
  const groupOf = customers.customers.map((customer) => primaryGroup(customer, segmentation));

  // Every customer of a split group in exactly one of its sub-groups, as the summary counts them.
  const expected = new Map<string, number>(SUB_GROUPS.map((code) => [code, 0]));
  customers.customers.forEach((customer, index) => {
    const sub = subGroupOf(groupOf[index] as (typeof PLAYBOOK_GROUPS)[number], customer, campaign.segments);
    if (sub !== undefined) expected.set(sub, (expected.get(sub) ?? 0) + 1);
  });
  const subGroups = timeline.summary.subGroups ?? {};
  for (const [code, count] of expected) {
    if ((subGroups[code] ?? 0) !== count) broken.push(`summary.subGroups[${code}]: ${subGroups[code]} != ${count}`);
  }
  for (const group of ['dormant-shallow', 'dormant-deep', 'churned']) {
    const total = SUB_GROUPS.filter((code) => code.startsWith(`${group}:`)).reduce(
      (n, c) => n + (subGroups[c] ?? 0),
      0,
    );
    if (total !== (timeline.summary.groups[group] ?? 0)) {
      broken.push(`${group}: sub-groups add up to ${total}, not the group's ${timeline.summary.groups[group]}`);
    }
  }

  // Who each wave reached, from the sends.
  const reachedBy = new Map<string, Set<number>>();
  const midnightSmsTo = new Set<number>();
  timeline.sends.forEach((send, position) => {
    const set = reachedBy.get(send.waveId) ?? new Set<number>();
    for (const index of plan.members[position] ?? []) {
      set.add(index);
      if (send.midnight) midnightSmsTo.add(index);
    }
    reachedBy.set(send.waveId, set);
  });
  const details = timeline.warningDetails ?? [];

  // The midnight push warns, with the right counts, exactly when it goes to dormant-deep or churned customers.
  const midnightWave = campaign.waves.find((wave) => wave.sms === 'midnight');
  let dormantDeep = 0;
  let churned = 0;
  for (const index of midnightSmsTo) {
    if (groupOf[index] === 'dormant-deep') dormantDeep += 1;
    if (groupOf[index] === 'churned') churned += 1;
  }
  const risky = details.filter((w) => w.code === 'midnight-risky-groups');
  const wantRisky =
    midnightWave && dormantDeep + churned > 0
      ? [{ code: 'midnight-risky-groups', wave: midnightWave.id, dormantDeep, churned }]
      : [];
  if (JSON.stringify(risky) !== JSON.stringify(wantRisky)) {
    broken.push(`midnight-risky-groups: ${JSON.stringify(risky)} != ${JSON.stringify(wantRisky)}`);
  }

  // A promotional wave between 11.1 and 11.8 warns exactly when its reach is outside the band.
  const midnightDay = campaign.midnight.slice(0, 10);
  const day = (offset: number) =>
    new Date(Date.parse(`${midnightDay}T00:00:00Z`) - offset * 86_400_000).toISOString().slice(0, 10);
  const sprintFrom = day(10);
  const sprintTo = day(2);
  const sprint = details.filter((w) => w.code === 'sprint-reach').map((w) => w.wave);
  const wantSprint: string[] = [];
  for (const wave of campaign.waves) {
    if (wave.sms === 'midnight' || wave.stopOnPurchase || smsInstant(campaign, wave) < now) continue;
    const date = wave.sms.slice(0, 10);
    if (date < sprintFrom || date >= sprintTo) continue;
    const hasEmail = wave.email !== false;
    const eligible = customers.customers.filter(
      (c) => (c.phone && !c.optOutSms) || (hasEmail && c.email && !c.optOutEmail),
    ).length;
    if (eligible < SPRINT_MIN_ELIGIBLE) continue;
    const reached = (reachedBy.get(wave.id)?.size ?? 0) + (plan.control.get(wave.id)?.length ?? 0);
    const share = reached / eligible;
    if (share < SPRINT_REACH_BAND.low || share > SPRINT_REACH_BAND.high) wantSprint.push(wave.id);
  }
  if (JSON.stringify([...sprint].sort()) !== JSON.stringify(wantSprint.sort())) {
    broken.push(
      `sprint-reach warnings for ${sprint.join(',') || 'no wave'}, expected ${wantSprint.join(',') || 'none'}`,
    );
  }
  return broken;
}

/** Whether a customer is in a wave's audience: everyone, its group, one of its labels, or its tier (`tier:VIP2`). */
function inAudience(
  audience: readonly string[],
  group: string,
  subGroup: string | undefined,
  labels: readonly string[],
  tier: string | undefined,
): boolean {
  if (audience.includes(EVERYONE) || audience.includes(group) || labels.some((l) => audience.includes(l))) return true;
  // A sub-group entry: the whole sub-group or half of the split (`churned:high`).
  if (subGroup !== undefined && audience.some((entry) => (subGroupsNamedBy(entry) ?? []).includes(subGroup as never))) {
    return true;
  }
  // Tiers compare without case or width: `tier:vip2` is the file's VIP2.
  return (
    tier !== undefined &&
    audience.some((entry) => entry.startsWith('tier:') && entry.slice(5).normalize('NFKC').toUpperCase() === tier)
  );
}
