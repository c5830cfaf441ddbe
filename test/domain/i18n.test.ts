import { describe, expect, it } from 'vitest';
import { channelName, formatDateTime, groupName, parseLang, REASONS, reasonText } from '../../functions/domain/i18n.ts';
import { DROP_REASONS } from '../../functions/domain/planner.ts';

describe('formatDateTime', () => {
  it('writes the midnight push as 11月11日 周三 00:00 in Chinese and Wed 11 Nov 00:00 in English', () => {
    // Prepare
    const midnight = Date.parse('2026-11-11T00:00:00+08:00');

    // Act
    const zh = formatDateTime(midnight, 'Asia/Shanghai', 'zh');
    const en = formatDateTime(midnight, 'Asia/Shanghai', 'en');

    // Assess
    expect(zh).toBe('11月11日 周三 00:00');
    expect(en).toBe('Wed 11 Nov 00:00');
  });

  it("uses the campaign's zone and its DST rules, not the offset of another day", () => {
    // Prepare: Berlin leaves summer time on 25 October 2026 at 03:00 CEST.
    const beforeChange = Date.parse('2026-10-24T20:00:00Z');
    const afterChange = Date.parse('2026-10-25T20:00:00Z');
    const before = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';

    // Act
    const summer = formatDateTime(beforeChange, 'Europe/Berlin', 'en');
    const winter = formatDateTime(afterChange, 'Europe/Berlin', 'zh');
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;

    // Assess
    expect(summer, 'UTC+2 on the Saturday').toBe('Sat 24 Oct 22:00');
    expect(winter, 'UTC+1 on the Sunday').toBe('10月25日 周日 21:00');
  });
});

describe('dictionary', () => {
  it('has Chinese and English words for every reason the planner drops a touch for', () => {
    // Prepare
    const codes = Object.keys(DROP_REASONS);

    // Act
    const missing = codes.filter((code) => !reasonText(code, 'zh') || !reasonText(code, 'en'));

    // Assess
    expect(missing, 'planner reasons without text').toEqual([]);
    expect(reasonText('cap:multi-sms', 'zh')?.short).toBe('该客户只发一条短信');
  });

  it("reads a provider's refusal by its code and leaves an unknown code to be shown as reported", () => {
    // Act
    const rejected = reasonText('rejected: blocked number', 'zh');
    const carrier = reasonText('carrier:blocked', 'zh');

    // Assess
    expect(rejected).toEqual(REASONS.rejected.zh);
    expect(carrier).toBeUndefined();
  });

  it("names groups in Chinese by default, in English on the switch, and the marketer's label wins", () => {
    // Act
    const zh = groupName('d11-loyal', 'zh');
    const en = groupName('d11-loyal', 'en');
    const own = groupName('d11-loyal', 'zh', { 'd11-loyal': '年年双11' });
    const tier = groupName('tier:VIP2', 'zh');

    // Assess
    expect(zh).toBe('双11忠诚客');
    expect(en).toBe('Double-11 loyal');
    expect(own).toBe('年年双11');
    expect(tier).toBe('tier:VIP2');
    expect(channelName('sms', 'zh')).toBe('短信');
  });

  it('reads the language setting', () => {
    expect(parseLang('en')).toBe('en');
    expect(parseLang('en-US')).toBe('en');
    expect(parseLang('zh-CN')).toBe('zh');
    expect(parseLang('fr')).toBeUndefined();
    expect(parseLang(undefined)).toBeUndefined();
  });
});
