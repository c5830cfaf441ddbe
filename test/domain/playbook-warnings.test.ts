/** The playbook's advice as warnings: the first sprint's reach, and who the midnight push should spare. */
import { describe, expect, it } from 'vitest';
import { parseDateTime } from '../../functions/domain/local-time.ts';
import {
  firstSprintWindow,
  midnightRiskWarning,
  SPRINT_MIN_ELIGIBLE,
  SPRINT_REACH_BAND,
  type SprintWave,
  sprintReachWarnings,
} from '../../functions/domain/playbook-warnings.ts';

const TZ = 'Asia/Shanghai';
const MIDNIGHT = parseDateTime('2026-11-11T00:00', TZ);
const AT = { midnight: MIDNIGHT, timeZone: TZ, now: parseDateTime('2026-10-20T12:00', TZ) };

function wave(sms: string, reached: number, extra: Partial<SprintWave> = {}): SprintWave {
  return {
    id: `w-${sms.slice(5, 10)}`,
    smsAt: parseDateTime(sms, TZ),
    promotional: true,
    reached,
    eligible: 1000,
    ...extra,
  };
}

describe('the first sprint, 11.1 to 11.8', () => {
  it('runs from 00:00 on 1 November to the end of 8 November, in the campaign zone', () => {
    // Act
    const [from, to] = firstSprintWindow(MIDNIGHT, TZ);
    const [berlinFrom, berlinTo] = firstSprintWindow(
      parseDateTime('2026-11-11T00:00', 'Europe/Berlin'),
      'Europe/Berlin',
    );

    // Assess
    expect(new Date(from).toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(new Date(to).toISOString()).toBe('2026-11-08T16:00:00.000Z');
    // Berlin leaves summer time on 25 October: still local midnights, now at +01:00.
    expect(new Date(berlinFrom).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(new Date(berlinTo).toISOString()).toBe('2026-11-08T23:00:00.000Z');
  });

  it('states its band around the playbook\'s "about 70%"', () => {
    // Assess
    expect(SPRINT_REACH_BAND).toEqual({ aim: 0.7, low: 0.55, high: 0.85 });
    expect(SPRINT_MIN_ELIGIBLE).toBe(50);
  });

  it.each([
    ['70%: as the playbook says', '2026-11-03T12:00', 700, false],
    ["55%: the band's low edge", '2026-11-01T09:00', 550, false],
    ["85%: the band's high edge", '2026-11-08T21:59', 850, false],
    ['54.9%: too few', '2026-11-03T12:00', 549, true],
    ['95%: nearly everyone, the weak groups too', '2026-11-05T12:00', 950, true],
    ['95% on 31 October: before the sprint', '2026-10-31T21:00', 950, false],
    ['95% on 9 November: the last three days', '2026-11-09T10:00', 950, false],
  ])('%s', (_, sms, reached, warns) => {
    // Act
    const warnings = sprintReachWarnings([wave(sms, reached)], AT);

    // Assess
    expect(warnings.length, JSON.stringify(warnings)).toBe(warns ? 1 : 0);
  });

  it('says which wave, when, and the counts and band it compared', () => {
    // Act
    const warnings = sprintReachWarnings([wave('2026-11-05T12:00', 950)], AT);

    // Assess
    expect(warnings).toEqual([
      {
        code: 'sprint-reach',
        wave: 'w-11-05',
        smsAt: '2026-11-05T12:00:00+08:00',
        reached: 950,
        eligible: 1000,
        low: 0.55,
        high: 0.85,
      },
    ]);
  });

  it('leaves a wave already past to its own warning', () => {
    // Act
    const warnings = sprintReachWarnings([wave('2026-11-03T12:00', 0)], {
      ...AT,
      now: parseDateTime('2026-11-04T09:00', TZ),
    });

    // Assess
    expect(warnings).toEqual([]);
  });

  it('leaves reminders and small stores alone (two of two is no targeting choice)', () => {
    // Act
    const warnings = sprintReachWarnings(
      [
        wave('2026-11-05T12:00', 20, { promotional: false }),
        wave('2026-11-06T12:00', 49, { eligible: 49 }),
        wave('2026-11-07T12:00', 0, { eligible: 0 }),
      ],
      AT,
    );

    // Assess
    expect(warnings).toEqual([]);
  });
});

describe('the midnight push and the weakest groups', () => {
  it('warns with the counts of dormant-deep and churned customers it reaches', () => {
    // Act
    const warning = midnightRiskWarning('midnight', { 'd11-loyal': 500, 'dormant-deep': 12, churned: 0 });

    // Assess
    expect(warning).toEqual({ code: 'midnight-risky-groups', wave: 'midnight', dormantDeep: 12, churned: 0 });
  });

  it('is quiet when the push spares them', () => {
    // Act / Assess
    expect(midnightRiskWarning('midnight', { 'd11-loyal': 500, 'dormant-shallow': 80 })).toBeNull();
  });
});
