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
