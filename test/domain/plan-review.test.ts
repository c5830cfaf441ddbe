import { describe, expect, it } from 'vitest';
import { diffPlans, estimateCost } from '../../functions/domain/plan-review.ts';
import type { PlannedSend, Timeline, WaveSummary } from '../../functions/domain/timeline.ts';

const PRICES = { smsPart: 0.045, email: 0.001 };

function send(id: string, at: string, customers: number, smsParts?: number): PlannedSend {
  const [waveId, channel] = id.split('.') as [string, 'sms' | 'email'];
  return {
    id,
    waveId,
    channel,
    group: 1,
    at,
    customers,
    estimatedSeconds: customers / 20,
    slice: 1,
    ...(smsParts === undefined ? {} : { smsParts }),
  };
}

function wave(id: string, planned: { sms: number; email: number }, emailAt?: string): WaveSummary {
  return {
    id,
    smsAt: '2026-11-05T12:00:00+08:00',
    ...(emailAt ? { emailAt } : {}),
    midnight: id === 'midnight',
    stopOnPurchase: false,
    audience: ['*'],
    audience_size: planned.sms,
    control: 0,
    planned,
    dropped: {},
  };
}

type Reviewed = Pick<Timeline, 'sends' | 'waves'>;

/** v1: a warm-up SMS and its email, then the midnight push. */
const before: Reviewed = {
  sends: [
    send('warmup.email.g1', '2026-11-03T10:00:00+08:00', 80),
    send('warmup.sms.g1', '2026-11-05T12:00:00+08:00', 100, 200),
    send('midnight.sms.g1', '2026-11-11T00:00:00+08:00', 300, 300),
  ],
  waves: [
    wave('warmup', { sms: 100, email: 80 }, '2026-11-03T10:00:00+08:00'),
    wave('midnight', { sms: 300, email: 0 }),
  ],
};

/** v2: the warm-up moved to 15:00 without its email, an unpaid reminder added, the push a little larger. */
const after: Reviewed = {
  sends: [
    send('warmup.sms.g1', '2026-11-05T15:00:00+08:00', 120, 240),
    send('unpaid.sms.g1', '2026-11-09T20:00:00+08:00', 50, 100),
    send('midnight.sms.g1', '2026-11-11T00:00:00+08:00', 310, 310),
  ],
  waves: [
    wave('warmup', { sms: 120, email: 0 }),
    wave('unpaid', { sms: 50, email: 0 }),
    wave('midnight', { sms: 310, email: 0 }),
  ],
};

describe('estimateCost', () => {
  it('bills SMS per part and email per message, per wave and channel and in total', () => {
    // Act
    const cost = estimateCost(before, PRICES);

    // Assess: 500 parts x 0.045 = 22.50; 80 emails x 0.001 = 0.08.
    expect(cost).toEqual({
      sms: { messages: 400, parts: 500, cny: 22.5 },
      email: { messages: 80, cny: 0.08 },
      totalCny: 22.58,
      lines: [
        { waveId: 'warmup', channel: 'sms', messages: 100, parts: 200, cny: 9 },
        { waveId: 'warmup', channel: 'email', messages: 80, cny: 0.08 },
        { waveId: 'midnight', channel: 'sms', messages: 300, parts: 300, cny: 13.5 },
      ],
    });
  });

  it('rounds to the fen as on paper, not as binary floating point does', () => {
    // Prepare: 3 x 0.045 is 0.13499999999999998 in binary.
    const timeline = { sends: [send('midnight.sms.g1', '2026-11-11T00:00:00+08:00', 3, 3)] };

    // Act
    const cost = estimateCost(timeline, PRICES);

    // Assess
    expect(cost.totalCny).toBe(0.14);
  });

  it('costs nothing for a plan without sends', () => {
    // Act
    const cost = estimateCost({ sends: [] }, PRICES);

    // Assess
    expect(cost).toEqual({
      sms: { messages: 0, parts: 0, cny: 0 },
      email: { messages: 0, cny: 0 },
      totalCny: 0,
      lines: [],
    });
  });
});

describe('diffPlans', () => {
  it('names the sends added, removed and moved, the customers per wave and channel, and both costs', () => {
    // Prepare
    const v1 = { version: 1, timeline: before, cost: estimateCost(before, PRICES) };
    const v2 = { timeline: after, cost: estimateCost(after, PRICES) };

    // Act
    const diff = diffPlans(v1, v2);

    // Assess: v2 costs (240 + 100 + 310) x 0.045 = 29.25.
    expect(diff).toEqual({
      againstVersion: 1,
      sendsAdded: ['unpaid.sms.g1'],
      sendsRemoved: ['warmup.email.g1'],
      sendsMoved: [{ id: 'warmup.sms.g1', from: '2026-11-05T12:00:00+08:00', to: '2026-11-05T15:00:00+08:00' }],
      customers: {
        'warmup/sms': { before: 100, after: 120 },
        'warmup/email': { before: 80, after: 0 },
        'unpaid/sms': { before: 0, after: 50 },
        'midnight/sms': { before: 300, after: 310 },
      },
      cost: { beforeCny: 22.58, afterCny: 29.25 },
    });
  });

  it('finds nothing moved when only the offset a time is written in differs', () => {
    // Prepare: the same instant, once in UTC.
    const utc: Reviewed = {
      ...before,
      sends: before.sends.map((s) => (s.id === 'midnight.sms.g1' ? { ...s, at: '2026-11-10T16:00:00Z' } : s)),
    };
    const cost = estimateCost(before, PRICES);

    // Act
    const diff = diffPlans({ version: 1, timeline: before, cost }, { timeline: utc, cost });

    // Assess
    expect(diff.sendsMoved).toEqual([]);
    expect(diff.sendsAdded).toEqual([]);
    expect(diff.sendsRemoved).toEqual([]);
  });
});
