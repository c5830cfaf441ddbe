import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fireAtFor, STAGING_LEAD_MS } from '../../functions/usecases/plan-campaign.ts';

describe('fireAtFor', () => {
  const at = (text: string) => Date.parse(`${text}+08:00`);

  it('fires in the whole minute at least the staging lead before a send planned well ahead', () => {
    // Prepare
    const now = at('2026-10-20T12:00:00');

    // Act
    const midnight = fireAtFor(at('2026-11-11T00:00:00'), now);
    const offMinute = fireAtFor(at('2026-11-05T12:00:30'), now);

    // Assess
    expect(new Date(midnight).toISOString()).toBe(new Date(at('2026-11-10T23:58:00')).toISOString());
    expect(new Date(offMinute).toISOString()).toBe(new Date(at('2026-11-05T11:58:00')).toISOString());
  });

  it.each([
    { now: '2026-11-05T12:00:30', send: '2026-11-05T12:01:00', fire: '2026-11-05T12:01:00' },
    { now: '2026-11-05T12:00:00', send: '2026-11-05T12:01:00', fire: '2026-11-05T12:01:00' },
    { now: '2026-11-05T12:00:59.999', send: '2026-11-05T12:02:00', fire: '2026-11-05T12:01:00' },
    { now: '2026-11-05T12:00:10', send: '2026-11-05T12:00:10', fire: '2026-11-05T12:01:00' },
  ])('fires a send at $send planned at $now in the next whole minute, $fire', ({ now, send, fire }) => {
    // Prepare
    const planned = at(now);

    // Act
    const fireAt = fireAtFor(at(send), planned);

    // Assess
    expect(new Date(fireAt).toISOString()).toBe(new Date(at(fire)).toISOString());
  });

  it('never fires at or before now, always on a whole minute, and never later than it must', () => {
    // Prepare
    const start = at('2026-10-20T12:00:00');
    const instants = fc.tuple(fc.integer({ min: 0, max: 30 * 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }));

    // Act + Assess
    fc.assert(
      fc.property(instants, ([fromStart, ahead]) => {
        const now = start + fromStart;
        const sendAt = now + ahead;
        const fireAt = fireAtFor(sendAt, now);
        const nextMinute = (Math.floor(now / 60_000) + 1) * 60_000;
        expect(fireAt).toBeGreaterThan(now);
        expect(fireAt % 60_000).toBe(0);
        // Whole minutes at least one minute ahead of the second, unless now leaves no such minute.
        if (sendAt - STAGING_LEAD_MS >= nextMinute) expect(fireAt).toBeLessThanOrEqual(sendAt - 60_000);
        else expect(fireAt).toBe(nextMinute);
      }),
    );
  });
});
