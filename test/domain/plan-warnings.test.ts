import { describe, expect, it } from 'vitest';
import { WARNING_TEXTS, warningText, warningTexts } from '../../functions/domain/i18n.ts';
import type { PlanWarning, WarningCode } from '../../functions/domain/timeline.ts';

const TZ = 'Asia/Shanghai';
const CHINESE = /[\u4e00-\u9fff]/;

/** One example of every code, with the English sentence the planner wrote before warnings were values. */
const EXAMPLES: Record<WarningCode, Array<{ warning: PlanWarning; en: string; zhHas?: string[] }>> = {
  'no-customers': [{ warning: { code: 'no-customers' }, en: 'no customers: the segment files hold no valid rows' }],
  'unknown-tier': [
    {
      warning: {
        code: 'unknown-tier',
        wave: 'vip',
        audience: 'tier:gold',
        knownTiers: ['plat', 'silver'],
        moreTiers: false,
      },
      en: 'wave vip: audience "tier:gold" is a member tier no customer in the files has; it matches nobody (tiers in the files: plat, silver)',
      zhHas: ['plat、silver'],
    },
    {
      warning: { code: 'unknown-tier', wave: 'vip', audience: 'tier:gold', knownTiers: ['a', 'b'], moreTiers: true },
      en: 'wave vip: audience "tier:gold" is a member tier no customer in the files has; it matches nobody (tiers in the files: a, b, ...)',
    },
    {
      warning: { code: 'unknown-tier', wave: 'vip', audience: 'tier:gold', knownTiers: [], moreTiers: false },
      en: 'wave vip: audience "tier:gold" is a member tier no customer in the files has; it matches nobody (the files have no member_tier column)',
      zhHas: ['member_tier'],
    },
  ],
  'unknown-audience': [
    {
      warning: { code: 'unknown-audience', wave: 'presale', audience: 'nobody' },
      en: 'wave presale: audience "nobody" is neither a playbook group nor a segment label in the files; it matches nobody',
      zhHas: ['nobody'],
    },
  ],
  'past-wave': [
    {
      warning: { code: 'past-wave', wave: 'gone', smsAt: '2026-10-20T20:00:00+08:00' },
      en: 'wave gone: its SMS time 2026-10-20T20:00:00+08:00 is before the planning time; its touches are dropped (past)',
      zhHas: ['10月20日 周二 20:00'],
    },
  ],
  'empty-audience': [
    { warning: { code: 'empty-audience', wave: 'w1' }, en: 'wave w1: no customer is in its audience' },
  ],
  'no-window': [
    {
      warning: {
        code: 'no-window',
        wave: 'first',
        channel: 'sms',
        count: 12_345,
        limit: { kind: 'next-wave', waveId: 'second', at: '2026-11-01T20:00:00+08:00' },
        rate: 5,
      },
      en: 'wave first: 12,345 SMS cannot be sent before the next wave (second, 2026-11-01T20:00:00+08:00) at 5 parts/s; they are dropped (no-window). Raise the rate or move the wave.',
      zhHas: ['12,345', '11月1日 周日 20:00', 'second'],
    },
    {
      warning: {
        code: 'no-window',
        wave: 'last',
        channel: 'sms',
        count: 7,
        limit: { kind: 'month-end', at: '2026-12-01T00:00:00+08:00' },
        rate: 5,
      },
      en: 'wave last: 7 SMS cannot be sent before the end of the month (2026-12-01T00:00:00+08:00) at 5 parts/s; they are dropped (no-window). Raise the rate or move the wave.',
      zhHas: ['12月1日 周二 00:00'],
    },
    {
      warning: {
        code: 'no-window',
        wave: 'mail',
        channel: 'email',
        count: 1_000,
        limit: { kind: 'email-window', minHours: 24, maxHours: 72 },
        rate: 10,
      },
      en: 'wave mail: 1,000 emails cannot be sent before its email window (24 to 72 h before the SMS, outside quiet hours) at 10 emails/s; they are dropped (no-window). Raise the rate or move the wave.',
      zhHas: ['24 到 72 小时', '封邮件'],
    },
  ],
  'quiet-split': [
    {
      warning: {
        code: 'quiet-split',
        wave: 'late',
        channel: 'sms',
        quietStart: '22:00',
        quietEnd: '08:00',
        groups: [2, 3],
      },
      en: 'wave late: the SMS send pauses for quiet hours (22:00 to 08:00) and resumes after them (groups 2, 3)',
      zhHas: ['22:00 到 08:00', '第 2、3 组'],
    },
    {
      warning: {
        code: 'quiet-split',
        wave: 'late',
        channel: 'email',
        quietStart: '22:00',
        quietEnd: '08:00',
        groups: [1],
      },
      en: 'wave late: the emails send pauses for quiet hours (22:00 to 08:00) and resumes after them (group 1)',
      zhHas: ['邮件'],
    },
  ],
  'midnight-slow': [
    {
      warning: {
        code: 'midnight-slow',
        wave: 'midnight',
        seconds: 4_980,
        rate: 20,
        sms: 80_000,
        parts: 99_600,
        groups: 3,
      },
      en: 'wave midnight: the midnight push takes 1 h 23 min (1.4 hours) at 20 SMS parts/s (80,000 SMS, 99,600 parts, 3 groups); customers in the last groups receive it after 01:00, past the first-hour peak. Reaching everyone within the hour needs 28 parts/s: ask the SMS provider for a higher rate, or narrow the midnight audience (an hour at this rate sends 72,000 parts).',
      zhHas: ['1 小时 23 分钟', '80,000', '99,600', '每秒 28 条'],
    },
    {
      // Ten million at 1,000 SMS/s: the push the largest stores send.
      warning: {
        code: 'midnight-slow',
        wave: 'midnight',
        seconds: 10_000,
        rate: 1000,
        sms: 10_000_000,
        parts: 10_000_000,
        groups: 1000,
      },
      en: 'wave midnight: the midnight push takes 2 h 46 min (2.8 hours) at 1000 SMS parts/s (10,000,000 SMS, 10,000,000 parts, 1000 groups); customers in the last groups receive it after 01:00, past the first-hour peak. Reaching everyone within the hour needs 2,778 parts/s: ask the SMS provider for a higher rate, or narrow the midnight audience (an hour at this rate sends 3,600,000 parts).',
      zhHas: ['2 小时 46 分钟', '约 2.8 小时', '每秒 2,778 条', '3,600,000'],
    },
  ],
  'midnight-past-night': [
    {
      warning: { code: 'midnight-past-night', wave: 'midnight', until: '2026-11-11T09:12:00+08:00' },
      en: 'wave midnight: the midnight push runs until 2026-11-11T09:12:00+08:00, past the end of the night',
      zhHas: ['11月11日 周三 09:12'],
    },
  ],
  'columns-not-used': [
    {
      warning: { code: 'columns-not-used', columnsKey: 'uploads/d11/columns.json' },
      en:
        'the campaign file\'s "columns" map the headers of the files `campaign plan` reads; uploaded segment files ' +
        'were read with uploads/d11/columns.json: put the same mapping there (`campaign import --columns FILE` does) ' +
        'and upload the files again if their headers were not read',
      zhHas: ['uploads/d11/columns.json'],
    },
  ],
  'sprint-reach': [
    {
      warning: {
        code: 'sprint-reach',
        wave: 'sprint',
        smsAt: '2026-11-03T12:00:00+08:00',
        reached: 9_500,
        eligible: 10_000,
        low: 0.55,
        high: 0.85,
      },
      en: 'wave sprint (2026-11-03T12:00:00+08:00, the first sprint of 11.1 to 11.8) reaches 9,500 of the 10,000 customers its channels can reach (95%); the playbook aims the first sprint at the middle-and-above customers, about 70% (55% to 85%). Take the weakest groups (such as dormant-deep and churned) out of its audience.',
      zhHas: ['11月3日 周二 12:00', '95%', '55% 到 85%', '移出受众'],
    },
    {
      warning: {
        code: 'sprint-reach',
        wave: 'sprint',
        smsAt: '2026-11-03T12:00:00+08:00',
        reached: 3_333,
        eligible: 10_000,
        low: 0.55,
        high: 0.85,
      },
      en: 'wave sprint (2026-11-03T12:00:00+08:00, the first sprint of 11.1 to 11.8) reaches 3,333 of the 10,000 customers its channels can reach (33.3%); the playbook aims the first sprint at the middle-and-above customers, about 70% (55% to 85%). Add the middle groups (such as recent and dormant-shallow) to its audience, or check how many of its touches the caps drop.',
      zhHas: ['33.3%', '加入受众', '频次上限'],
    },
  ],
  'midnight-risky-groups': [
    {
      warning: { code: 'midnight-risky-groups', wave: 'midnight', dormantDeep: 1_400, churned: 1_600 },
      en: "wave midnight: the midnight push goes to 1,400 deeply dormant and 1,600 churned customers. Long without an order, they are the likeliest to complain about a marketing SMS at midnight, and complaints get the SMS channel throttled or closed; consider taking dormant-deep and churned out of the push's audience.",
      zhHas: ['1,400 位深睡客', '1,600 位流失客', '投诉'],
    },
  ],
  'sms-night-promotion': [
    {
      warning: { code: 'sms-night-promotion', waves: ['midnight'], start: '08:00', end: '22:00' },
      en: 'wave midnight: SMS sent outside the usual hours for marketing SMS (08:00 to 22:00). The midnight push is your choice, but carriers and SMS platforms may hold or delay night promotions: tell your SMS provider in advance (signature, templates, send time and expected volume).',
      zhHas: ['08:00 到 22:00', '报备'],
    },
  ],
  'sms-banned-words': [
    {
      warning: { code: 'sms-banned-words', wave: 'warmup', words: ['加微信', '抽奖'] },
      en: 'wave warmup: the SMS holds words SMS platforms refuse or hold: 加微信, 抽奖. Change the text.',
      zhHas: ['加微信、抽奖'],
    },
  ],
  'tracked-link-parts': [
    {
      warning: { code: 'tracked-link-parts', wave: 'midnight', plainParts: 1, trackedParts: 2 },
      en: "wave midnight: the tracked link is longer than the wave's own link and makes each SMS 2 parts instead of 1, which raises the SMS cost and the midnight push's duration. Shorten the text, or use a shorter short-link domain (the tracking base).",
      zhHas: ['从 1 条计费变成 2 条计费', '短链域名'],
    },
  ],
};

describe('planner warnings in the marketer language', () => {
  const cases = Object.values(EXAMPLES).flat();

  it('has an example for every code of the dictionary', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(WARNING_TEXTS).sort());
  });

  it.each(cases.map((c) => [c.warning.code, c] as const))(
    '%s: English as before, Chinese in the campaign zone',
    (_, c) => {
      // Act
      const en = warningText(c.warning, 'en', TZ);
      const zh = warningText(c.warning, 'zh', TZ);

      // Assess
      expect(en, 'the English sentence changed').toBe(c.en);
      expect(zh, `not Chinese: ${zh}`).toMatch(CHINESE);
      expect(zh).not.toBe(en);
      for (const part of c.zhHas ?? []) expect(zh, `the Chinese lacks ${part}`).toContain(part);
      expect(zh, 'an ISO instant leaked into the Chinese').not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    },
  );

  it('shows the times of the Chinese text in the campaign zone, not the machine or UTC', () => {
    // Prepare: the same instant, 16:00 UTC on 10 Nov, is midnight in Shanghai and 11:00 in New York.
    const warning: PlanWarning = { code: 'midnight-past-night', wave: 'm', until: '2026-11-10T16:00:00Z' };

    // Act / Assess
    expect(warningText(warning, 'zh', 'Asia/Shanghai')).toContain('11月11日 周三 00:00');
    expect(warningText(warning, 'zh', 'America/New_York')).toContain('11月10日 周二 11:00');
    expect(warningText(warning, 'en', 'Asia/Shanghai')).toContain('2026-11-11T00:00:00+08:00');
  });

  it('reads the typed values when a plan has them, else the English of an older plan', () => {
    // Prepare
    const details: PlanWarning[] = [{ code: 'empty-audience', wave: 'w1' }, { code: 'no-customers' }];
    const warnings = details.map((w) => warningText(w, 'en', TZ));

    // Act / Assess
    expect(warningTexts({ warnings, warningDetails: details, timezone: TZ }, 'zh')).toEqual([
      '波次 w1：受众里没有任何客户',
      '没有客户：客群文件里没有有效的行',
    ]);
    expect(warningTexts({ warnings, warningDetails: details, timezone: TZ }, 'en')).toEqual(warnings);
    expect(warningTexts({ warnings, timezone: TZ }, 'zh'), 'an old plan shows its English').toEqual(warnings);
    expect(warningTexts({ warnings, warningDetails: details.slice(1), timezone: TZ }, 'zh')).toEqual(warnings);
    const unknown = [{ code: 'from-the-future' }, details[1]] as unknown as PlanWarning[];
    expect(warningTexts({ warnings, warningDetails: unknown, timezone: TZ }, 'zh')).toEqual(warnings);
    expect(warningTexts({ warnings, warningDetails: details, timezone: 'Nowhere/Else' }, 'zh')).toEqual(warnings);
  });
});
