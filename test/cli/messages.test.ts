import { afterEach, describe, expect, it } from 'vitest';
import { campaignMessage, setCliLang, takeLang } from '../../functions/cli/messages.ts';
import { parseCampaign } from '../../functions/domain/campaign.ts';

afterEach(() => setCliLang('en'));

describe('takeLang', () => {
  it('is Chinese by default; --lang wins over CAMPAIGN_LANG; the option leaves the arguments', () => {
    // Act
    const plain = takeLang(['plan', '--out', 'x'], {});
    const fromEnv = takeLang(['plan'], { CAMPAIGN_LANG: 'en' });
    const option = takeLang(['plan', '--lang', 'zh', '--out', 'x'], { CAMPAIGN_LANG: 'en' });
    const inline = takeLang(['plan', '--lang=en'], {});

    // Assess
    expect(plain).toEqual({ lang: 'zh', args: ['plan', '--out', 'x'] });
    expect(fromEnv.lang).toBe('en');
    expect(option).toEqual({ lang: 'zh', args: ['plan', '--out', 'x'] });
    expect(inline).toEqual({ lang: 'en', args: ['plan'] });
  });

  it('refuses a language it does not have, naming where it came from', () => {
    expect(() => takeLang(['plan', '--lang', 'fr'], {})).toThrow('--lang: "fr" is not a language of the messages');
    expect(() => takeLang(['plan'], { CAMPAIGN_LANG: 'de' })).toThrow('CAMPAIGN_LANG: "de"');
  });
});

describe('campaign file problems in Chinese', () => {
  it("says the campaign file's own checks and zod's built-in ones in Chinese, each by its path", () => {
    // Prepare
    setCliLang('zh');
    const problemsOf = (input: unknown): string[] => {
      try {
        parseCampaign(input);
      } catch (error) {
        const problems = (error as { problems: { path: string; message: string }[] }).problems;
        return problems.map((p) => `${p.path}: ${campaignMessage(p.message, 'zh')}`);
      }
      return [];
    };

    // Act
    const noWaves = problemsOf({ id: 'x', midnight: '2026-11-11T00:00', waves: [] });
    const wrongType = problemsOf({ id: 5, midnight: '2026-11-11T00:00', waves: [] });

    // Assess
    expect(noWaves).toContain('waves: 至少需要一个波次');
    expect(
      wrongType.some((line) => /^id: .*[\u4e00-\u9fff]/.test(line)),
      wrongType.join('\n'),
    ).toBe(true);
    expect(campaignMessage('has spaces around it', 'en')).toBe('has spaces around it');
    expect(campaignMessage('a message nobody wrote a text for', 'zh')).toBe('a message nobody wrote a text for');
  });
});
