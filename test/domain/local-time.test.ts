import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatInstant,
  HOUR_MS,
  instantOf,
  monthKey,
  startOfNextMonth,
  type WallClock,
  wallClockAt,
} from '../../functions/domain/local-time.ts';

const SHANGHAI = 'Asia/Shanghai';
const NEW_YORK = 'America/New_York';

/** Epoch milliseconds of an ISO 8601 date-time with an explicit offset. */
const at = (iso: string): number => Date.parse(iso);

function wall(year: number, month: number, day: number, hour: number, minute: number, second = 0): WallClock {
  return { year, month, day, hour, minute, second };
}

/** New York's 2026 clock changes: 02:00 EST -> 03:00 EDT, then 02:00 EDT -> 01:00 EST. */
const NEW_YORK_SPRING_FORWARD = at('2026-03-08T07:00:00Z');
const NEW_YORK_FALL_BACK = at('2026-11-01T06:00:00Z');

/** Whole seconds in 2020-2030, half of them within three hours of a New York clock change. */
const INSTANT = fc
  .oneof(
    fc.integer({ min: at('2020-01-01T00:00:00Z') / 1000, max: at('2030-01-01T00:00:00Z') / 1000 }),
    fc
      .tuple(fc.constantFrom(NEW_YORK_SPRING_FORWARD, NEW_YORK_FALL_BACK), fc.integer({ min: -10_800, max: 10_800 }))
      .map(([change, offsetSeconds]) => change / 1000 + offsetSeconds),
  )
  .map((seconds) => seconds * 1000);

describe('formatInstant', () => {
  it.each([
    ['2026-11-10T16:00:00Z', SHANGHAI, '2026-11-11T00:00:00+08:00'],
    ['2026-03-08T06:59:59Z', SHANGHAI, '2026-03-08T14:59:59+08:00'],
    ['2026-03-08T07:00:00Z', SHANGHAI, '2026-03-08T15:00:00+08:00'],
    ['2026-11-01T06:00:00Z', SHANGHAI, '2026-11-01T14:00:00+08:00'],
    ['2026-03-08T06:59:59Z', NEW_YORK, '2026-03-08T01:59:59-05:00'],
    ['2026-03-08T07:00:00Z', NEW_YORK, '2026-03-08T03:00:00-04:00'],
    ['2026-11-01T05:59:59Z', NEW_YORK, '2026-11-01T01:59:59-04:00'],
    ['2026-11-01T06:00:00Z', NEW_YORK, '2026-11-01T01:00:00-05:00'],
    ['2026-11-11T05:00:00Z', NEW_YORK, '2026-11-11T00:00:00-05:00'],
  ])('writes %s in %s as %s', (iso, timeZone, expected) => {
    // Prepare
    const instant = at(iso);

    // Act
    const text = formatInstant(instant, timeZone);

    // Assess
    expect(text).toBe(expected);
    expect(at(text)).toBe(instant);
  });

  it('is right around a half-hour DST change (Adelaide, 2026-10-04 02:00 ACST -> 03:00 ACDT, at 16:30 UTC)', () => {
    // Prepare
    const instants = ['2026-10-03T16:15:00Z', '2026-10-03T16:45:00Z', '2026-10-03T17:15:00Z'].map(at);

    // Act
    const texts = instants.map((instant) => formatInstant(instant, 'Australia/Adelaide'));

    // Assess
    expect(texts).toEqual(['2026-10-04T01:45:00+09:30', '2026-10-04T03:15:00+10:30', '2026-10-04T03:45:00+10:30']);
  });
});

describe('instantOf', () => {
  it.each([
    [wall(2026, 11, 11, 0, 0), SHANGHAI, '2026-11-11T00:00:00+08:00'],
    [wall(2026, 3, 8, 1, 59, 59), NEW_YORK, '2026-03-08T01:59:59-05:00'],
    [wall(2026, 3, 8, 3, 0), NEW_YORK, '2026-03-08T03:00:00-04:00'],
    [wall(2026, 11, 1, 2, 0), NEW_YORK, '2026-11-01T02:00:00-05:00'],
  ])('finds %j in %s at %s', (clock, timeZone, iso) => {
    // Prepare
    const expected = at(iso);

    // Act
    const instant = instantOf(clock, timeZone);

    // Assess
    expect(instant).toBe(expected);
    expect(wallClockAt(instant, timeZone)).toEqual(clock);
  });

  it('reads a wall clock in the spring-forward gap as if the gap were not there (02:30 -> 03:30 EDT)', () => {
    // Prepare
    const clock = wall(2026, 3, 8, 2, 30);

    // Act
    const instant = instantOf(clock, NEW_YORK);

    // Assess
    expect(formatInstant(instant, NEW_YORK)).toBe('2026-03-08T03:30:00-04:00');
  });

  it.each([
    [NEW_YORK, wall(2026, 11, 1, 1, 30), '2026-11-01T01:30:00-04:00'],
    ['Europe/Berlin', wall(2026, 10, 25, 2, 30), '2026-10-25T02:30:00+02:00'],
  ])('picks the earlier instant of a wall clock that happens twice (%s)', (timeZone, clock, iso) => {
    // Prepare
    const earlier = at(iso);

    // Act
    const instant = instantOf(clock, timeZone);

    // Assess
    expect(instant).toBe(earlier);
  });

  it.each([SHANGHAI, NEW_YORK])('round-trips every instant through its wall clock in %s', (timeZone) => {
    fc.assert(
      fc.property(INSTANT, (instant) => {
        // Prepare
        const clock = wallClockAt(instant, timeZone);

        // Act
        const back = instantOf(clock, timeZone);

        // Assess: the same instant, or the earlier one when the clock fell back over it.
        expect(wallClockAt(back, timeZone)).toEqual(clock);
        expect([instant, instant - HOUR_MS]).toContain(back);
        if (timeZone === SHANGHAI) expect(back).toBe(instant);
      }),
      { numRuns: 500 },
    );
  });
});

describe('monthKey', () => {
  it.each([
    ['2026-10-31T23:59:59+08:00', SHANGHAI, '2026-10'],
    ['2026-11-01T00:00:00+08:00', SHANGHAI, '2026-11'],
    ['2026-11-01T00:00:00+08:00', 'UTC', '2026-10'],
    ['2026-11-30T23:59:59+08:00', SHANGHAI, '2026-11'],
    ['2026-12-01T00:00:00+08:00', SHANGHAI, '2026-12'],
  ])('puts %s in %s month %s', (iso, timeZone, expected) => {
    // Prepare
    const instant = at(iso);

    // Act
    const key = monthKey(instant, timeZone);

    // Assess
    expect(key).toBe(expected);
  });
});

describe('startOfNextMonth', () => {
  it.each([
    ['2026-11-11T00:00:00+08:00', SHANGHAI, '2026-12-01T00:00:00+08:00'],
    ['2026-11-01T00:00:00+08:00', SHANGHAI, '2026-12-01T00:00:00+08:00'],
    ['2026-10-31T23:59:59+08:00', SHANGHAI, '2026-11-01T00:00:00+08:00'],
    ['2026-12-31T12:00:00+08:00', SHANGHAI, '2027-01-01T00:00:00+08:00'],
    ['2026-10-15T12:00:00-04:00', NEW_YORK, '2026-11-01T00:00:00-04:00'],
    ['2026-11-15T12:00:00-05:00', NEW_YORK, '2026-12-01T00:00:00-05:00'],
  ])('after %s in %s is %s', (iso, timeZone, expected) => {
    // Prepare
    const instant = at(iso);

    // Act
    const next = startOfNextMonth(instant, timeZone);

    // Assess
    expect(next).toBe(at(expected));
  });
});
