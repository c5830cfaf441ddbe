import { describe, expect, it } from 'vitest';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import { sendWindow } from '../../functions/domain/send-windows.ts';

const at = (iso: string) => Date.parse(iso);

function campaign(extra: Partial<CampaignInput> = {}) {
  return parseCampaign({
    id: 'windows',
    midnight: '2026-11-11T00:00',
    waves: [
      { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] },
      { id: 'evening', sms: '2026-11-05T20:00', audience: ['*'] },
      { id: 'midnight', sms: 'midnight', audience: ['*'] },
    ],
    ...extra,
  });
}

describe('sendWindow: until when a late send may still leave', () => {
  it('closes the midnight push at the planned end plus the resume grace, when that comes before morning', () => {
    // Prepare: 100 s of sending, the default grace of 30 minutes.
    const send = { waveId: 'midnight', channel: 'sms' as const, at: '2026-11-10T16:00:00.000Z', estimatedSeconds: 100 };

    // Act
    const window = sendWindow(campaign(), send);

    // Assess
    expect(window).toEqual({ closesAt: at('2026-11-11T00:31:40+08:00'), closedBy: 'grace' });
  });

  it("closes the midnight push at the end of its night (quiet hours' end), not the next quiet hours", () => {
    // Prepare: a grace of a whole day, so the night is what closes it.
    const send = { waveId: 'midnight', channel: 'sms' as const, at: '2026-11-10T16:00:00.000Z', estimatedSeconds: 100 };

    // Act
    const window = sendWindow(campaign({ resumeGraceMinutes: 24 * 60 }), send);

    // Assess: quiet hours are 22:00-09:00, so the night ends at 09:00 on the 11th.
    expect(window).toEqual({ closesAt: at('2026-11-11T09:00:00+08:00'), closedBy: 'night' });
  });

  it('closes a daytime send when quiet hours begin', () => {
    // Prepare
    const send = { waveId: 'evening', channel: 'sms' as const, at: '2026-11-05T12:00:00.000Z', estimatedSeconds: 60 };

    // Act
    const window = sendWindow(campaign({ resumeGraceMinutes: 24 * 60 }), send);

    // Assess: 20:00 local, quiet hours from 22:00.
    expect(window).toEqual({ closesAt: at('2026-11-05T22:00:00+08:00'), closedBy: 'quiet-hours' });
  });

  it('closes a send when the next wave starts', () => {
    // Prepare
    const send = { waveId: 'warmup', channel: 'sms' as const, at: '2026-11-05T04:00:00.000Z', estimatedSeconds: 60 };

    // Act
    const window = sendWindow(campaign({ resumeGraceMinutes: 24 * 60 }), send);

    // Assess: warmup at 12:00 local, the evening wave at 20:00, before quiet hours at 22:00.
    expect(window).toEqual({ closesAt: at('2026-11-05T20:00:00+08:00'), closedBy: 'next-wave' });
  });

  it('closes a send at the end of its calendar month (the SMS cap counts per month)', () => {
    // Prepare: quiet hours from 00:30, so the month (midnight, local) ends first.
    const late = campaign({
      resumeGraceMinutes: 24 * 60,
      quietHours: { start: '00:30', end: '08:00' },
      waves: [
        { id: 'halloween', sms: '2026-10-31T23:00', audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ],
    });
    const send = { waveId: 'halloween', channel: 'sms' as const, at: '2026-10-31T15:00:00.000Z', estimatedSeconds: 60 };

    // Act
    const window = sendWindow(late, send);

    // Assess
    expect(window).toEqual({ closesAt: at('2026-11-01T00:00:00+08:00'), closedBy: 'month-end' });
  });

  it('gives a send that began in quiet hours no window at all (only the midnight push may)', () => {
    // Prepare: an email of the evening wave at 23:00 local.
    const send = { waveId: 'evening', channel: 'email' as const, at: '2026-11-03T15:00:00.000Z', estimatedSeconds: 60 };

    // Act
    const window = sendWindow(campaign(), send);

    // Assess
    expect(window).toEqual({ closesAt: at('2026-11-03T23:00:00+08:00'), closedBy: 'quiet-hours' });
  });
});
