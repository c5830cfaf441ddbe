/** The campaign file: defaults, and every problem named by its JSON path. */
import { describe, expect, it } from 'vitest';
import { CampaignFileError, parseCampaign } from '../../functions/domain/campaign.ts';

function problemsOf(input: unknown): string[] {
  try {
    parseCampaign(input);
  } catch (error) {
    if (error instanceof CampaignFileError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('campaign file', () => {
  it('fills every default of the campaign file when only id, midnight and waves are given', () => {
    // Prepare
    const input = { id: 'd11-2026', midnight: '2026-11-11T00:00', waves: [{ id: 'midnight', sms: 'midnight' }] };

    // Act
    const campaign = parseCampaign(input);

    // Assess
    expect(campaign).toMatchObject({
      timezone: 'Asia/Shanghai',
      caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 0.3 },
      groupSize: 30_000,
      quietHours: { start: '22:00', end: '09:00' },
      emailLeadDays: { min: 2, max: 3 },
      smsRatePerSecond: 20,
      links: { mobile: 'https://s.example.cn/d11', pc: 'https://shop.example.com' },
      signature: '【示例旗舰店】',
      resumeGraceMinutes: 30,
      testRecipients: [],
    });
    expect(campaign.waves[0]).toMatchObject({ audience: ['*'], email: false, stopOnPurchase: false });
  });

  it('lists every problem at once, each by its JSON path', () => {
    // Prepare
    const input = {
      id: 'bad id!',
      timezone: 'Mars/Olympus',
      midnight: '2026-11-11T08:00',
      caps: { touches: 0 },
      waves: [
        { id: 'a', sms: '2026-13-01T12:00' },
        { id: 'a', sms: '2026-11-05T23:00', stopOnPurchse: true },
        { id: 'c', sms: '2026-11-05T12:00', templates: { sms: '双11来了 {link} {nmae}' } },
      ],
    };

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: /),
        'timezone: is not an IANA time zone',
        'midnight: must be at 00:00, e.g. 2026-11-11T00:00',
        expect.stringMatching(/^caps\.touches: /),
        expect.stringMatching(/^waves\[1\]: Unrecognized key: "stopOnPurchse"/),
      ]),
    );
  });

  it('checks wave times, templates and the midnight push once the fields are valid', () => {
    // Prepare
    const input = {
      id: 'd11',
      midnight: '2026-11-11T00:00',
      waves: [
        { id: 'a', sms: '2026-02-30T12:00' },
        { id: 'a', sms: '2026-11-05T23:00' },
        { id: 'c', sms: '2026-11-12T12:00' },
        { id: 'd', sms: '2026-11-05T12:00', templates: { sms: '双11来了 {link} {nmae}' } },
        { id: 'e', sms: '2026-11-06T12:00', email: { at: '2026-11-05T12:00' } },
        { id: 'm1', sms: 'midnight' },
        { id: 'm2', sms: 'midnight' },
      ],
    };

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([
      'waves[0].sms: is not a real date and time',
      'waves[1].id: repeats the id of waves[0]',
      'waves[1].sms: falls in quiet hours (22:00 to 09:00); only the midnight push may',
      'waves[2].sms: is not before the midnight push (2026-11-11T00:00): it is the final wave',
      'waves[3].templates.sms: has unknown placeholder {nmae}; known: {name} {link} {signature} {optOut} {coupon}',
      'waves[3].templates.sms: must carry the store signature: {signature} or 【示例旗舰店】',
      'waves[3].templates.sms: must carry an opt-out instruction: {optOut} or text like 回T退订',
      'waves[4].email.at: is 24 h before the SMS; it must be 48 to 72 h before',
      'waves: has more than one midnight push',
    ]);
  });

  it('accepts a template carrying the literal signature and opt-out text', () => {
    // Prepare
    const input = {
      id: 'd11',
      midnight: '2026-11-11T00:00',
      signature: '【好店】',
      waves: [{ id: 'a', sms: '2026-11-05T12:00', templates: { sms: '【好店】{name}，双11来了 {link} 退订回T' } }],
    };

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([]);
  });

  it('refuses text that is not JSON, naming the file', () => {
    // Prepare
    const text = '{ "id": "x", ';

    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^\(file\): is not valid JSON/)]);
  });

  it('normalises test recipients as segment files are read: phones to E.164, emails to lower case, once each', () => {
    // Prepare
    const input = {
      id: 'd11-2026',
      midnight: '2026-11-11T00:00',
      testRecipients: ['138 0013 8000', '+8613800138000', 'Me@Store.CN', ' +8613900139000 '],
      waves: [{ id: 'midnight', sms: 'midnight' }],
    };

    // Act
    const campaign = parseCampaign(input);

    // Assess
    expect(campaign.testRecipients).toEqual(['+8613800138000', 'me@store.cn', '+8613900139000']);
  });

  it("takes the marketer's own group labels, trimmed, and names a label that is empty or too long", () => {
    // Prepare
    const base = { id: 'd11-2026', midnight: '2026-11-11T00:00', waves: [{ id: 'midnight', sms: 'midnight' }] };

    // Act
    const campaign = parseCampaign({ ...base, groupLabels: { 'd11-loyal': ' 双11老粉 ', 'tier:VIP2': '金卡会员' } });
    const problems = problemsOf({ ...base, groupLabels: { 'd11-loyal': ' ', 'recent-high': '很'.repeat(25) } });

    // Assess
    expect(campaign.groupLabels).toEqual({ 'd11-loyal': '双11老粉', 'tier:VIP2': '金卡会员' });
    expect(parseCampaign(base).groupLabels, 'none by default').toEqual({});
    expect(problems).toEqual([
      'groupLabels["d11-loyal"]: is empty',
      'groupLabels["recent-high"]: is longer than 24 characters',
    ]);
  });

  it('refuses a test recipient that is neither a phone nor an email, naming its place in the list', () => {
    // Prepare
    const input = {
      id: 'd11-2026',
      midnight: '2026-11-11T00:00',
      testRecipients: ['+8613800138000', '1234', 'me@store'],
      waves: [{ id: 'midnight', sms: 'midnight' }],
    };

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([
      'testRecipients[1]: must be a phone (+8613800138000 or an 11-digit mainland mobile) or an email address',
      'testRecipients[2]: must be a phone (+8613800138000 or an 11-digit mainland mobile) or an email address',
    ]);
  });
});
