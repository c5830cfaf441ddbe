/**
 * What a marketer reviews before approving a version: what it costs at the campaign's
 * prices, and how it differs from the version being sent. Pure: timelines and prices in,
 * figures out.
 */
import type { Campaign } from './campaign.ts';
import type { Channel, PlannedSend, Timeline } from './timeline.ts';

/**
 * CNY to the fen, once per figure (lines are not summed from rounded lines). Through a fixed
 * 6-decimal step first, so 3 x 0.045 (0.13499999999999998 in binary) rounds to 0.14, as on paper.
 */
export const fen = (value: number): number => Math.round(Number((value * 100).toFixed(6))) / 100;

export interface CostLine {
  waveId: string;
  channel: Channel;
  messages: number;
  /** SMS lines only: the message parts billed. */
  parts?: number;
  cny: number;
}

/** What a version costs at the campaign's prices (CNY), as planned. */
export interface CostEstimate {
  sms: { messages: number; parts: number; cny: number };
  email: { messages: number; cny: number };
  totalCny: number;
  /** One line per wave and channel that has planned messages, in wave order, SMS first. */
  lines: CostLine[];
}

/** How a draft differs from the approved version (absent when there is none). */
export interface PlanDiff {
  againstVersion: number;
  sendsAdded: string[];
  sendsRemoved: string[];
  /** Same send id, another time: `{ id, from, to }` with ISO instants. */
  sendsMoved: Array<{ id: string; from: string; to: string }>;
  /** Planned customers per `<waveId>/<channel>`: before and after. */
  customers: Record<string, { before: number; after: number }>;
  cost: { beforeCny: number; afterCny: number };
}

/** SMS are billed per part (70 Chinese characters each), emails per message. */
export function estimateCost(timeline: Pick<Timeline, 'sends'>, prices: Campaign['prices']): CostEstimate {
  const lines = new Map<string, { waveId: string; channel: Channel; messages: number; parts: number }>();
  for (const send of timeline.sends) {
    const key = `${send.waveId}/${send.channel}`;
    const line = lines.get(key) ?? { waveId: send.waveId, channel: send.channel, messages: 0, parts: 0 };
    line.messages += send.customers;
    // A send planned without its parts (none today) is billed one part a message, never zero.
    if (send.channel === 'sms') line.parts += send.smsParts ?? send.customers;
    lines.set(key, line);
  }
  const ordered = [...lines.values()].sort(byWaveOrder(timeline.sends));
  const sms = { messages: 0, parts: 0 };
  const email = { messages: 0 };
  for (const line of ordered) {
    if (line.channel === 'sms') {
      sms.messages += line.messages;
      sms.parts += line.parts;
    } else email.messages += line.messages;
  }
  const smsCny = sms.parts * prices.smsPart;
  const emailCny = email.messages * prices.email;
  return {
    sms: { ...sms, cny: fen(smsCny) },
    email: { ...email, cny: fen(emailCny) },
    totalCny: fen(smsCny + emailCny),
    lines: ordered.map((line) =>
      line.channel === 'sms'
        ? { ...line, cny: fen(line.parts * prices.smsPart) }
        : {
            waveId: line.waveId,
            channel: line.channel,
            messages: line.messages,
            cny: fen(line.messages * prices.email),
          },
    ),
  };
}

/** Lines in the order their wave first sends, SMS before email within a wave. */
function byWaveOrder(sends: readonly PlannedSend[]) {
  const first = new Map<string, number>();
  for (const [position, send] of sends.entries()) if (!first.has(send.waveId)) first.set(send.waveId, position);
  return (a: { waveId: string; channel: Channel }, b: { waveId: string; channel: Channel }) =>
    (first.get(a.waveId) ?? 0) - (first.get(b.waveId) ?? 0) ||
    (a.channel === b.channel ? 0 : a.channel === 'sms' ? -1 : 1);
}

export interface ReviewedPlan {
  timeline: Pick<Timeline, 'sends' | 'waves'>;
  cost: Pick<CostEstimate, 'totalCny'>;
}

/** What changes when `after` replaces `before` (the approved version, numbered `againstVersion`). */
export function diffPlans(before: ReviewedPlan & { version: number }, after: ReviewedPlan): PlanDiff {
  const old = new Map(before.timeline.sends.map((send) => [send.id, send]));
  const now = new Map(after.timeline.sends.map((send) => [send.id, send]));
  const sendsMoved: PlanDiff['sendsMoved'] = [];
  for (const send of after.timeline.sends) {
    const previous = old.get(send.id);
    if (previous && Date.parse(previous.at) !== Date.parse(send.at)) {
      sendsMoved.push({ id: send.id, from: previous.at, to: send.at });
    }
  }
  return {
    againstVersion: before.version,
    sendsAdded: after.timeline.sends.filter((send) => !old.has(send.id)).map((send) => send.id),
    sendsRemoved: before.timeline.sends.filter((send) => !now.has(send.id)).map((send) => send.id),
    sendsMoved,
    customers: customersPerWave(before.timeline, after.timeline),
    cost: { beforeCny: before.cost.totalCny, afterCny: after.cost.totalCny },
  };
}

/** Per `<waveId>/<channel>` of either plan: SMS for every wave, email where either plan has one. */
function customersPerWave(before: ReviewedPlan['timeline'], after: ReviewedPlan['timeline']): PlanDiff['customers'] {
  const counts: PlanDiff['customers'] = {};
  const keysOf = (timeline: ReviewedPlan['timeline']) =>
    timeline.waves.flatMap((wave) => [
      `${wave.id}/sms`,
      ...(wave.emailAt !== undefined || wave.planned.email > 0 ? [`${wave.id}/email`] : []),
    ]);
  const planned = (timeline: ReviewedPlan['timeline'], key: string): number => {
    const [waveId, channel] = key.split('/') as [string, Channel];
    return timeline.waves.find((wave) => wave.id === waveId)?.planned[channel] ?? 0;
  };
  for (const key of [...keysOf(after), ...keysOf(before)]) {
    counts[key] ??= { before: planned(before, key), after: planned(after, key) };
  }
  return counts;
}
