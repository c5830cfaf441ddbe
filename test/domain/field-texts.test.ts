import { describe, expect, it } from 'vitest';
import { CampaignFileError, parseCampaign } from '../../functions/domain/campaign.ts';
import { fieldMessageKind, fieldMessageZh, withChineseMessages } from '../../functions/domain/field-texts.ts';

/** The problems the real campaign file parser reports for an input. */
function problemsOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    parseCampaign(input);
  } catch (error) {
    if (error instanceof CampaignFileError) return error.problems;
    throw error;
  }
  throw new Error('the campaign file was accepted');
}

const wave = (extra: Record<string, unknown> = {}) => ({ id: 'warmup', sms: '2026-11-05T12:00', ...extra });

describe('a field problem in Chinese beside its English', () => {
  it('gives every problem the campaign file parser reports a Chinese text (none left in English)', () => {
    // Prepare: files with one or several mistakes each, over the parser's own checks and zod's.
    const files: unknown[] = [
      '{"id": "x",',
      [1, 2],
      { id: 'bad id!', midnight: '2026-11-11T01:00', waves: [] },
      { id: 'd11', midnight: '2026-11-11T00:00', timezone: 'Mars/Base', waves: [wave({ sms: 'soon' })] },
      { id: 'd11', midnight: '2026-11-11T00:00', signature: 'shop', optOutText: 'bye', waves: [wave()], extra: 1 },
      { id: 'd11', midnight: '2026-11-11T00:00', quietHours: { start: '25:00', end: '9' }, waves: [wave()] },
      {
        id: 'd11',
        midnight: '2026-11-11T00:00',
        waves: [
          wave({ sms: '2026-11-05T23:00' }),
          wave({ sms: '2026-11-12T12:00' }),
          { id: 'm1', sms: 'midnight', audience: [' d11-loyal', 'tier:'] },
          { id: 'm2', sms: 'midnight', templates: { sms: '{nope} hello' } },
        ],
      },
      {
        id: 'd11',
        midnight: '2026-11-11T00:00',
        waves: Array.from({ length: 17 }, (_, i) =>
          wave({ id: `w${i}`, sms: `2026-11-05T12:${String(i).padStart(2, '0')}` }),
        ),
      },
      {
        id: 'd11',
        midnight: '2026-11-11T00:00',
        waves: [wave({ email: { at: 'later' } })],
        testRecipients: ['nobody'],
      },
      { id: 'd11', midnight: '2026-11-11T00:00', waves: [wave({ email: { at: '2026-11-05T11:00' } })] },
      { id: 'd11', midnight: '2026-11-11T00:00', waves: [wave()], groupLabels: { 'd11-loyal': '', x: 'y'.repeat(30) } },
    ];

    // Act
    const problems = files.flatMap(problemsOf);

    // Assess
    expect(problems.length, 'the files make the parser report problems').toBeGreaterThan(15);
    const unknown = problems.filter((problem) => fieldMessageKind(problem.message) === undefined);
    expect(unknown, 'messages with no Chinese text').toEqual([]);
    for (const problem of problems) {
      expect(fieldMessageZh(problem.message), problem.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('repeats the values of the English in the Chinese, and keeps the English message as it is', () => {
    // Act
    const fields = withChineseMessages([
      { path: 'waves[0].sms', message: 'falls in quiet hours (22:00 to 09:00); only the midnight push may' },
      { path: 'version', message: 'Invalid input: expected number, received string' },
      { path: 'id', message: 'must be the campaign id of the address, "api"' },
      { path: 'x', message: 'a message nobody wrote a pattern for' },
    ]);

    // Assess
    expect(fields).toEqual([
      {
        path: 'waves[0].sms',
        message: 'falls in quiet hours (22:00 to 09:00); only the midnight push may',
        messageZh: '落在免打扰时段（22:00 至 09:00）内；只有零点开抢可以',
      },
      {
        path: 'version',
        message: 'Invalid input: expected number, received string',
        messageZh: '应为数字，实际是文本',
      },
      {
        path: 'id',
        message: 'must be the campaign id of the address, "api"',
        messageZh: '必须与地址中的活动编号 "api" 一致',
      },
      // Never a wrong translation: an unknown message keeps its English.
      { path: 'x', message: 'a message nobody wrote a pattern for', messageZh: 'a message nobody wrote a pattern for' },
    ]);
  });
});

describe('the Chinese texts of the plan-time refusals', () => {
  it('has a Chinese text for every refusal of China’s SMS rules, the budget and sub-group audiences', () => {
    // Prepare: the messages as the planner, the SMS rules and the campaign file write them.
    const messages = [
      "is 0.01 CNY, less than the midnight push alone costs (0.09 CNY for 2 SMS): raise the budget or narrow the midnight push's audience",
      "has 13 characters inside 【】; China's carriers take a registered signature of 2 to 12",
      "the default text for group churned must start with the store signature 【示例旗舰店】: China's carriers require it at the very start (put {signature} first)",
      'the text must carry an opt-out instruction (回T退订, 拒收请回复R...), or set "providerSuffix" to the text your provider appends',
      'names template SMS_1, which is not in "registeredTemplates": add "SMS_1": "0123456789abcdef" once the provider has approved this text: 【店】{name} 回T退订',
      'changed since it was registered as template SMS_1 (fingerprint 0123456789abcdef, now fedcba9876543210): the provider refuses an unregistered text; register the new text and update "registeredTemplates", or restore the registered one',
      'the default text for group recent is not a registered SMS template (marketing SMS in China must be): register it with your SMS provider, then add "registeredTemplates": {"<its template id>": "01e9ff2cae39054b"}. The text to register: 【示例旗舰店】{name} 回T退订',
      'uses {coupon} but no coupon is set: set "coupon" on the wave or the campaign (e.g. 满300减50券)',
      'the care text is not a registered SMS template (marketing SMS in China must be): register it with your SMS provider, then add "registeredTemplates": {"<its template id>": "08666f85fd84611a"}. The text to register: 【示例旗舰店】{name}，感谢您近期的购买 拒收请回复R',
      "the care text must start with the store signature 【示例旗舰店】: China's carriers require it at the very start (put {signature} first)",
      'tonight (今晚零点开抢) must send on the day before the midnight push',
      'names a sub-group of d11-loyal, which has none; only dormant-shallow, dormant-deep, churned are split',
      'must be one of dormant-deep:new, dormant-deep:returning-high',
    ];

    // Act
    const untranslated = messages.filter((message) => fieldMessageKind(message) === undefined);

    // Assess
    expect(untranslated, 'messages with no Chinese text').toEqual([]);
    expect(fieldMessageZh(messages[0] as string)).toBe(
      '预算 0.01 元，低于零点开抢本身的费用（2 条短信 0.09 元）：请提高预算，或缩小零点开抢的受众',
    );
    expect(fieldMessageZh(messages[6] as string)).toContain('客群 recent 的默认文字不是已报备的短信模板');
    expect(fieldMessageZh(messages[8] as string)).toContain('关怀短信文字不是已报备的短信模板');
    expect(fieldMessageZh(messages[9] as string)).toContain('关怀短信文字必须以店铺签名');
  });
});
