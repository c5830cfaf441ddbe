import { describe, expect, it } from 'vitest';
import { formatCount as formatInt } from '../../functions/domain/text.ts';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { formatDuration, renderTimelinePage } from '../../functions/views/timeline-page.ts';
import { fixtureTimeline } from './fixture-timeline.ts';

const clone = (t: Timeline): Timeline => structuredClone(t);
const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe('renderTimelinePage', () => {
  it('is deterministic: the same input gives byte-identical output', () => {
    // Prepare
    const a = clone(fixtureTimeline);
    const b = clone(fixtureTimeline);

    // Act
    const first = renderTimelinePage(a);
    const second = renderTimelinePage(b);

    // Assess
    expect(first).toBe(second);
    expect(first.startsWith('<!doctype html>')).toBe(true);
  });

  it('does not depend on the machine time zone', () => {
    // Prepare
    const before = process.env.TZ;

    // Act
    process.env.TZ = 'America/Los_Angeles';
    const west = renderTimelinePage(fixtureTimeline);
    process.env.TZ = 'Asia/Tokyo';
    const east = renderTimelinePage(fixtureTimeline);
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;

    // Assess
    expect(west).toBe(east);
    expect(west).toContain('10月24日 周六 20:00');
  });

  it('draws an SVG chart that names every send', () => {
    // Prepare
    const timeline = fixtureTimeline;

    // Act
    const html = renderTimelinePage(timeline);

    // Assess
    expect(html).toContain('<svg');
    for (const send of timeline.sends) {
      expect(html, send.id).toContain(`data-send="${send.id}"`);
      expect(html, send.id).toMatch(new RegExp(`<title>${send.id}\\n`));
    }
  });

  it('escapes strings from the input, including wave ids and warnings', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);
    const evil = '<script>alert("x")</script>';
    const wave = timeline.waves[2]!;
    for (const send of timeline.sends) if (send.waveId === wave.id) send.waveId = evil;
    wave.id = evil;
    timeline.warnings.push(`wave ${evil}: <img src=x onerror=alert(1)>`);
    timeline.dropped['<b>odd</b>'] = 3;

    // Act
    const html = renderTimelinePage(timeline);

    // Assess
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>odd</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;odd&lt;/b&gt;');
  });

  it('shades quiet hours for every night in the range', () => {
    // Prepare
    const nights: string[] = [];
    for (let d = Date.UTC(2026, 9, 22); d <= Date.UTC(2026, 10, 10); d += 86_400_000) {
      nights.push(new Date(d).toISOString().slice(0, 10));
    }

    // Act
    const html = renderTimelinePage(fixtureTimeline);

    // Assess
    expect(count(html, 'class="quiet-band"')).toBeGreaterThanOrEqual(nights.length);
    for (const night of nights) expect(html, night).toContain(`class="quiet-band" data-night="${night}"`);
    // Every zoomed panel with a night in it shades it too: presale (10/24), unpaid (22:00), midnight (11/10).
    expect(count(html, 'class="quiet-band-zoom"')).toBeGreaterThanOrEqual(3);
  });

  it('draws no quiet bands when quiet hours are empty', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);
    timeline.quietHours = { start: '00:00', end: '00:00' };

    // Act
    const html = renderTimelinePage(timeline);

    // Assess
    expect(html).not.toContain('class="quiet-band"');
  });

  it('marks the midnight push', () => {
    // Prepare
    const timeline = fixtureTimeline;

    // Act
    const html = renderTimelinePage(timeline);
    const en = renderTimelinePage(timeline, { lang: 'en' });

    // Assess
    expect(html).toContain('class="midnight-line"');
    expect(html).toContain('00:00 零点开抢');
    expect(html).toContain('11月11日 周三 00:00');
    expect(en).toContain('00:00 midnight push');
    expect(en).toContain('Wed 11 Nov 00:00');
    expect(count(html, 'class="bar bar-midnight"')).toBeGreaterThanOrEqual(6);
  });

  it('shows the headline numbers, warnings, email lead and reasons in plain words', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);
    timeline.dropped['brand-new-code'] = 7;

    // Act
    const html = renderTimelinePage(timeline, { lang: 'en' });

    // Assess
    expect(html).toContain('412,386');
    expect(html).toContain('116,820');
    expect(html).toContain('class="warnings"');
    expect(html).toContain('the midnight push takes 2 h 30 min');
    expect(html).toContain('54 h');
    expect(html).toContain('50 h');
    expect(html).toContain('At most 2 SMS per customer in one calendar month');
    expect(html).toContain('<code>brand-new-code</code>');
  });

  it('shows the planner warnings in Chinese on the Chinese page, the times in the campaign zone', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);

    // Act
    const zh = renderTimelinePage(timeline);
    const en = renderTimelinePage(timeline, { lang: 'en' });

    // Assess
    expect(zh).toContain('⚠ 3 条提醒');
    expect(zh).toContain('零点推送需要 2 小时 30 分钟');
    expect(zh).toContain('发送在免打扰时段（22:00 到 09:00）暂停');
    expect(zh).toContain('零点推送一直持续到 11月11日 周三 02:30');
    expect(zh, 'an English warning on the Chinese page').not.toContain('the midnight push takes');
    for (const sentence of timeline.warnings) expect(en).toContain(sentence);
  });

  it('shows the English warnings of a plan stored before warnings were values', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);
    delete timeline.warningDetails;

    // Act
    const zh = renderTimelinePage(timeline);

    // Assess
    expect(zh).toContain('⚠ 3 条提醒');
    expect(zh).toContain('the midnight push takes 2 h 30 min');
  });

  it('loads nothing from the network', () => {
    // Prepare
    const timeline = fixtureTimeline;

    // Act
    const html = renderTimelinePage(timeline);

    // Assess
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
  });

  it('renders an empty plan without throwing', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);
    timeline.sends = [];
    timeline.waves = [];
    timeline.warnings = [];
    timeline.dropped = {};

    // Act
    const html = renderTimelinePage(timeline, { lang: 'en' });
    const zh = renderTimelinePage(timeline);

    // Assess
    expect(html).toContain('</html>');
    expect(html).not.toContain('class="warnings"');
    expect(html).toContain('No touch was dropped.');
    expect(zh).toContain('没有被放弃的触达。');
  });
});

describe('formatters', () => {
  it('formats integers with thousands separators and durations in words', () => {
    // Prepare
    const numbers = [0, 999, 1000, 30_000, 1_234_567, -4_500];

    // Act
    const formatted = numbers.map(formatInt);

    // Assess
    expect(formatted).toEqual(['0', '999', '1,000', '30,000', '1,234,567', '-4,500']);
    expect(formatDuration(45, 'en')).toBe('45 s');
    expect(formatDuration(540, 'en')).toBe('9 min');
    expect(formatDuration(9_000, 'en')).toBe('2 h 30 min');
    expect(formatDuration(7_200, 'en')).toBe('2 h');
    expect(formatDuration(9_000)).toBe('2 小时 30 分钟');
    expect(formatDuration(45)).toBe('45 秒');
  });
});

describe('the page in Chinese, with English as a switch', () => {
  it('says every reason, group and channel in Chinese by default, each code kept beside its words', () => {
    // Prepare
    const timeline = fixtureTimeline;

    // Act
    const html = renderTimelinePage(timeline);

    // Assess
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('d11-2026 · 活动时间线');
    expect(html, 'the multi-SMS reason in words').toContain(
      '<span class="why-short">该客户只发一条短信</span> <code class="code">cap:multi-sms</code>',
    );
    expect(html, 'a group name').toContain('双11忠诚客');
    expect(html, 'a channel name').toContain('短信');
    expect(html, "the cap explained with this plan's number").toContain('每位客户每个自然月最多 2 条短信。');
    for (const english of ['campaign timeline', 'Quiet hours', 'Why touches were dropped', 'Hover a bar', 'audience '])
      expect(html, `English left on the Chinese page: ${english}`).not.toContain(english);
  });

  it('links each language to the other when told where the other page is', () => {
    // Act
    const zh = renderTimelinePage(fixtureTimeline, { otherHref: 'timeline.en.html' });
    const en = renderTimelinePage(fixtureTimeline, { lang: 'en', otherHref: 'timeline.html' });

    // Assess
    expect(zh).toContain('<a href="timeline.en.html" hreflang="en" lang="en">English</a>');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<a href="timeline.html" hreflang="zh-CN" lang="zh-CN">中文</a>');
    expect(en).toContain('Double-11 loyal');
    expect(en).not.toContain('双11忠诚客');
  });

  it("shows the marketer's own group labels instead of the built-in names, in both languages", () => {
    // Prepare
    const timeline: Timeline = { ...fixtureTimeline, groupLabels: { 'd11-loyal': '双11老粉' } };

    // Act
    const zh = renderTimelinePage(timeline);
    const en = renderTimelinePage(timeline, { lang: 'en' });

    // Assess
    expect(zh, 'the label on the Chinese page').toContain('双11老粉');
    expect(zh, 'the built-in name is replaced').not.toContain('双11忠诚客');
    expect(en, "the label is the marketer's words, in either language").toContain('双11老粉');
    expect(en).not.toContain('Double-11 loyal');
  });

  it('lists every send as text too, so a touch screen reads what a mouse hovers', () => {
    // Act
    const html = renderTimelinePage(fixtureTimeline);

    // Assess
    for (const send of fixtureTimeline.sends) expect(html, send.id).toContain(`data-send-row="${send.id}"`);
    expect(html).toContain('<details class="send-details"><summary>发送明细');
  });

  it("draws the hour axis in the campaign's zone with its DST rules", () => {
    // Prepare: the same instants in a Berlin campaign. The presale SMS at 12:00 UTC on Saturday
    // 24 October is 14:00 CEST (UTC+2); the midnight push on 11 November is in CET (UTC+1).
    // One fixed offset (the midnight push's) would draw the presale an hour early, at 13:00.
    const timeline = clone(fixtureTimeline);
    timeline.timezone = 'Europe/Berlin';
    timeline.midnight = '2026-11-11T00:00:00+01:00';

    // Act
    const html = renderTimelinePage(timeline, { lang: 'en' });

    // Assess
    expect(html).toContain('Sat 24 Oct 14:00 → 14:45');
    expect(html).not.toContain('Sat 24 Oct 13:00 → 13:45');
    expect(html).toContain('(UTC+01:00)');
  });
});
