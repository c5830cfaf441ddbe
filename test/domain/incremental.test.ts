/**
 * The incremental results: intervals checked against published examples (Newcombe 1998) and
 * against values computed by hand (and cross-checked with scipy's Welch test).
 */
import { describe, expect, it } from 'vitest';
import {
  type ArmOutcomes,
  campaignIncrement,
  type Estimate,
  emptyArm,
  type KnownIncrement,
  newcombe,
  outcomesInWindow,
  t975,
  type WaveIncrement,
  waveIncrement,
  welch,
  wilson,
} from '../../functions/domain/incremental.ts';
import type { OrderState } from '../../functions/domain/orders.ts';

/** `buyers` customers with one order of `amount` CNY each; the rest bought nothing. */
function arm(customers: number, buyers: number, amount: number): ArmOutcomes {
  return {
    customers,
    buyers,
    orders: buyers,
    ordersSquares: buyers,
    revenue: buyers * amount,
    revenueSquares: buyers * amount * amount,
  };
}

function expectInterval(estimate: Estimate, value: number, low: number, high: number, digits = 4): void {
  expect(estimate.value, 'estimate').toBeCloseTo(value, digits);
  expect(estimate.interval, 'an interval').not.toBeNull();
  expect(estimate.interval?.low, 'low limit').toBeCloseTo(low, digits);
  expect(estimate.interval?.high, 'high limit').toBeCloseTo(high, digits);
}

describe('the intervals', () => {
  it('gives Wilson score limits, also for zero buyers', () => {
    // (0 + 1.96²/2) / (10 + 1.96²) ± the same: [0, 0.2775]
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(0, 10).high).toBeCloseTo(0.27753, 5);
    expect(wilson(3, 10).low).toBeCloseTo(0.10779, 5);
    expect(wilson(3, 10).high).toBeCloseTo(0.60322, 5);
  });

  it("reproduces Newcombe's published examples of his method 10", () => {
    expectInterval(newcombe(56, 70, 48, 80), 0.2, 0.0524, 0.3339);
    expectInterval(newcombe(9, 10, 3, 10), 0.6, 0.1705, 0.809);
    // A zero count on one side: the interval still has width on both sides of the estimate.
    expectInterval(newcombe(5, 56, 0, 29), 0.0893, -0.0381, 0.1926);
  });

  it("gives Student's t quantiles, never narrower than the exact ones for few degrees of freedom", () => {
    const exact: [number, number][] = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [5, 2.5706],
      [10, 2.2281],
      [30, 2.0423],
    ];
    for (const [df, t] of exact) {
      expect(Math.abs(t975(df) - t), `df ${df}`).toBeLessThan(0.004);
      if (df < 3) expect(t975(df - 0.5), `df ${df - 0.5} below the next whole`).toBeGreaterThanOrEqual(t);
    }
    expect(t975(Number.POSITIVE_INFINITY)).toBeCloseTo(1.96, 2);
  });

  it("gives Welch's interval for a difference of means", () => {
    // [0,0,1,2,3] vs [0,1,0,0]: 1.2 - 0.25 = 0.95, variances 1.7/5 and 0.25/4, df 5.36
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const squares = (values: number[]) => values.reduce((a, b) => a + b * b, 0);
    const a = [0, 0, 1, 2, 3];
    const b = [0, 1, 0, 0];
    expectInterval(welch(sum(a), squares(a), 5, sum(b), squares(b), 4), 0.95, -0.6481, 2.5481, 3);
    expect(welch(1, 1, 1, 0, 0, 4).interval, 'one customer: no variance to estimate').toBeNull();
    expect(welch(0, 0, 10, 0, 0, 10).interval, 'no spread at all: no interval').toBeNull();
  });
});

describe("a wave's effect", () => {
  it('adds up what the wave added, with intervals, from treated vs control', () => {
    // Prepare: 6% of 1,000 sent bought vs 3% of 500 held out, one order of ¥100 each.
    const treated = arm(1000, 60, 100);
    const control = arm(500, 15, 100);

    // Act
    const result = waveIncrement('warmup', treated, control) as KnownIncrement;

    // Assess: +3 points; 0.03 orders per customer x 1,000 = 30 orders, ¥3,000.
    expect(result.known).toBe(true);
    expect(result.treatedRate).toBeCloseTo(0.06, 10);
    expect(result.controlRate).toBeCloseTo(0.03, 10);
    expectInterval(result.conversionPoints, 3, 0.6999, 5.0225, 3);
    expectInterval(result.buyers, 30, 6.999, 50.225, 2);
    // Welch: se = sqrt(0.0564/1000 + 0.0291/500) = 0.010683; df 1316.5; t = 1.9618; 30 ± 21.017
    expectInterval(result.orders, 30, 8.983, 51.017, 2);
    expectInterval(result.revenue, 3000, 898.3, 5101.7, 0);
  });

  it('gives conversion an interval but not orders or revenue when a side has fewer than 5 buyers', () => {
    const result = waveIncrement('unpaid', arm(200, 9, 80), arm(40, 1, 80)) as KnownIncrement;
    expect(result.conversionPoints.interval, 'Newcombe works with small counts').not.toBeNull();
    expect(result.orders).toEqual({ value: expect.closeTo(200 * (9 / 200 - 1 / 40), 9), interval: null });
    expect(result.revenue.interval).toBeNull();
  });

  it('says a wave without a control group has an unknown effect, never zero', () => {
    expect(waveIncrement('presale', arm(1000, 60, 100), undefined)).toEqual({
      waveId: 'presale',
      known: false,
      why: 'no-control',
    });
    expect(waveIncrement('warmup', arm(1000, 60, 100), emptyArm(0))).toMatchObject({
      known: false,
      why: 'empty-control',
    });
    expect(waveIncrement('warmup', emptyArm(0), arm(100, 3, 100))).toMatchObject({
      known: false,
      why: 'nobody-sent',
    });
  });
});

describe("the campaign's totals", () => {
  it('sums the waves with a control group, combining the intervals as independent parts', () => {
    // Prepare: two waves with symmetric intervals 30 ± 12 and 10 ± 5; one wave without a control.
    const part = (waveId: string, value: number, half: number): WaveIncrement => {
      const estimate = { value, interval: { low: value - half, high: value + half } };
      return {
        ...(waveIncrement(waveId, arm(100, 10, 1), arm(100, 5, 1)) as KnownIncrement),
        buyers: estimate,
        orders: estimate,
        revenue: { value: value * 100, interval: { low: (value - half) * 100, high: (value + half) * 100 } },
      };
    };
    const waves = [part('warmup', 30, 12), waveIncrement('presale', arm(10, 1, 1), undefined), part('midnight', 10, 5)];

    // Act
    const totals = campaignIncrement(waves);

    // Assess: 40 ± sqrt(12² + 5²) = 40 ± 13
    expect(totals.waves).toEqual(['warmup', 'midnight']);
    expect(totals.unknownWaves).toEqual(['presale']);
    expectInterval(totals.orders as Estimate, 40, 27, 53, 9);
    expectInterval(totals.revenue as Estimate, 4000, 2700, 5300, 6);
  });

  it('has no total (not a zero) when no wave has a control group, and no interval if a part has none', () => {
    const unknown = campaignIncrement([waveIncrement('midnight', arm(10, 1, 1), undefined)]);
    expect(unknown).toEqual({ waves: [], unknownWaves: ['midnight'], buyers: null, orders: null, revenue: null });
    const small = campaignIncrement([waveIncrement('unpaid', arm(200, 9, 80), arm(40, 1, 80))]);
    expect(small.orders?.interval).toBeNull();
    expect(small.buyers?.interval).not.toBeNull();
  });
});

describe('what customers did in the window', () => {
  it('counts paid, unrefunded orders paid within [from, to], per customer', () => {
    // Prepare
    const from = Date.parse('2026-11-05T12:00:00+08:00');
    const to = from + 72 * 3_600_000;
    const order = (orderId: string, customerId: string, amount: number, paidAt?: string, refunded = false) =>
      ({
        orderId,
        customerId,
        amount,
        createdAt: '2026-11-05T12:00:00+08:00',
        ...(paidAt ? { paidAt } : {}),
        ...(refunded ? { refundedAt: '2026-11-07T12:00:00+08:00' } : {}),
      }) satisfies OrderState;
    const orders = [
      order('O1', 'C1', 100, '2026-11-05T12:00:00+08:00'), // at the start: in
      order('O2', 'C1', 50, '2026-11-08T12:00:00+08:00'), // at the end: in
      order('O3', 'C2', 70, '2026-11-08T12:00:01+08:00'), // a second late
      order('O4', 'C2', 80, '2026-11-05T11:59:59+08:00'), // a second early
      order('O5', 'C3', 90), // never paid
      order('O6', 'C3', 90, '2026-11-06T12:00:00+08:00', true), // refunded
      order('O7', 'C9', 999, '2026-11-06T12:00:00+08:00'), // not one of these customers
      order('O8', 'C4', 30, '2026-11-06T12:00:00+08:00'),
    ];

    // Act
    const outcomes = outcomesInWindow(new Set(['C1', 'C2', 'C3', 'C4', 'C5']), orders, from, to);

    // Assess: C1 two orders ¥150, C4 one ¥30; five customers in all.
    expect(outcomes).toEqual({
      customers: 5,
      buyers: 2,
      orders: 3,
      ordersSquares: 4 + 1,
      revenue: 180,
      revenueSquares: 150 * 150 + 30 * 30,
    });
  });
});
