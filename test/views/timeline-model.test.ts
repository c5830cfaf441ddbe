import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { timelinePageModel } from '../../functions/views/timeline/model.ts';
import { renderTimelinePage } from '../../functions/views/timeline-page.ts';
import { fixtureTimeline } from './fixture-timeline.ts';

/**
 * The timeline page's view model: plain data, every text already in the page's language,
 * every number formatted, every time in the campaign's zone. The render step only escapes
 * and places it, so these tests read the page's content without parsing HTML.
 */

const clone = (t: Timeline): Timeline => structuredClone(t);
/** Every string anywhere in the model, to check that no markup was written by the model. */
const strings = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
};

describe('timelinePageModel', () => {
  it('is plain data: JSON round-trips it unchanged, and no text in it is markup', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);

    // Act
    const model = timelinePageModel(timeline, { lang: 'zh', otherHref: 'timeline.en.html' });

    // Assess
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    const markup = strings(model).filter((s) => /<[a-z/]/i.test(s));
    expect(markup, `model strings that look like markup: ${markup.join(' | ')}`).toEqual([]);
  });

  it('chooses every text in Chinese by default, and in English when asked', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);

    // Act
    const zh = timelinePageModel(timeline);
    const en = timelinePageModel(timeline, { lang: 'en', otherHref: 'timeline.html' });

    // Assess
    expect(zh.chrome).toEqual({ htmlLang: 'zh-CN', title: 'd11-2026 · 活动时间线' });
    expect(en.chrome.other).toEqual({ href: 'timeline.html', label: '中文', htmlLang: 'zh-CN' });
    expect(zh.header.push).toEqual({
      title: '零点开抢',
      when: '11月11日 周三 00:00',
      lines: ['180,000 位客户，分 6 组', expect.stringContaining('02:30')],
    });
    expect(zh.reasons.head).toEqual({ reason: '原因', touches: expect.any(String), meaning: expect.any(String) });
    expect(en.overview.legend.email).toMatch(/email/i);
    const zhGroups = zh.panels.waves.find((w) => w.id === 'presale')?.audience?.groups;
    expect(zhGroups?.find((g) => g.code === 'd11-loyal')?.name).toBe('双11忠诚客');
    const enGroups = en.panels.waves.find((w) => w.id === 'presale')?.audience?.groups;
    expect(enGroups?.find((g) => g.code === 'd11-loyal')?.name).toBe('Double-11 loyal');
  });

  it('formats every number and reads the times in the campaign zone', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);

    // Act
    const model = timelinePageModel(timeline, { lang: 'en' });

    // Assess
    const presale = model.waveTable.rows.find((r) => r.id === 'presale');
    expect(presale).toMatchObject({ audience: '134,770', plannedSms: '108,000', plannedEmail: '100,800' });
    expect(presale?.sms).toBe('Sat 24 Oct 20:00 → Sun 25 Oct 10:00');
    const unpaid = model.waveTable.rows.find((r) => r.id === 'unpaid');
    expect(unpaid?.plannedEmail, 'a wave without email has no planned email count').toBeUndefined();
    const touches = model.reasons.rows.find((r) => r.reason.code === 'cap:touches');
    expect(touches).toMatchObject({ count: '176,010', meter: '100%' });
    expect(touches?.meaning).toContain('3');
    expect(model.reasons.total.count).toBe('552,940');
  });

  it("says how many of a wave's planned SMS are its care text, in both languages", () => {
    // Prepare: recent buyers of the warm-up get its care text instead of the promotion.
    const timeline = clone(fixtureTimeline);
    const warmup = timeline.waves?.find((w) => w.id === 'warmup');
    if (!warmup) throw new Error('the fixture has a warmup wave');
    warmup.care = {
      sms: 12_345,
      example: { text: '【示例旗舰店】感谢您近期的购买 回T退订', parts: 1, characters: 21 },
    };

    // Act
    const zh = timelinePageModel(timeline);
    const en = timelinePageModel(timeline, { lang: 'en' });

    // Assess
    expect(zh.waveTable.rows.find((r) => r.id === 'warmup')?.careSms).toBe('其中关怀短信 12,345');
    expect(en.waveTable.rows.find((r) => r.id === 'warmup')?.careSms).toBe('12,345 of them care texts');
    const without = zh.waveTable.rows.filter((r) => r.id !== 'warmup' && r.careSms !== undefined);
    expect(
      without.map((r) => r.id),
      'waves without a care text say nothing of it',
    ).toEqual([]);
    expect(renderTimelinePage(timeline)).toContain('<span class="care-note">其中关怀短信 12,345</span>');
  });

  it('moves the axis with the DST rules of a Berlin campaign', () => {
    // Prepare: the presale SMS at 12:00 UTC on 24 October is 14:00 CEST; summer time ends that
    // night, so its last send, ending 02:00 UTC on the 25th, ends at 03:00 CET; the push is in CET.
    const timeline = clone(fixtureTimeline);
    timeline.timezone = 'Europe/Berlin';
    timeline.midnight = '2026-11-11T00:00:00+01:00';

    // Act
    const model = timelinePageModel(timeline, { lang: 'en' });

    // Assess
    const presale = model.panels.waves.find((w) => w.id === 'presale');
    expect(presale?.facts.map((f) => f.text)).toContain('SMS Sat 24 Oct 14:00 → Sun 25 Oct 03:00');
    expect(model.header.meta[0]).toEqual({ name: 'Time zone', value: 'Europe/Berlin', after: '(UTC+01:00)' });
  });

  it('says in words what it cannot draw: no sends, unreadable times', () => {
    // Prepare
    const empty = clone(fixtureTimeline);
    empty.sends = [];
    empty.waves = [];
    empty.dropped = {};
    const unreadable = clone(fixtureTimeline);
    const broken = unreadable.sends[0];
    if (broken) broken.at = 'soon';

    // Act
    const none = timelinePageModel(empty);
    const some = timelinePageModel(unreadable, { lang: 'en' });

    // Assess
    expect(none.overview.chart, 'the midnight push is still drawn').toHaveProperty('midnight');
    expect(none.panels.waves).toEqual([]);
    expect(none.reasons.rows).toEqual([]);
    expect(none.reasons.none).toBeTruthy();
    expect(some.header.warnings.at(-1)).toContain(broken?.id);
  });
});

describe('the rendered page escapes everything from the input', () => {
  it('shows a hostile wave id, message text, label, reason and campaign id as text, never as markup', () => {
    // Prepare
    const evil = '<img src=x onerror=alert(1)>';
    const timeline = clone(fixtureTimeline);
    timeline.campaignId = `d11"${evil}`;
    const wave = timeline.waves[0];
    if (!wave) throw new Error('fixture has no wave');
    for (const send of timeline.sends) {
      if (send.waveId !== wave.id) continue;
      send.waveId = evil;
      send.id = `${evil}-${send.id}`;
    }
    wave.id = evil;
    wave.audience = [...wave.audience, evil];
    if (wave.smsExample) wave.smsExample.text = evil;
    timeline.groupLabels = { 'd11-loyal': evil };
    timeline.warnings = [evil];
    delete timeline.warningDetails;
    timeline.dropped[evil] = 3;
    timeline.quietHours = { start: `22:00${evil}`, end: '09:00' };

    // Act
    const pages = [renderTimelinePage(timeline), renderTimelinePage(timeline, { lang: 'en', otherHref: `"${evil}` })];

    // Assess
    for (const page of pages) {
      expect(page, 'an <img> tag from the input made it into the page').not.toContain('<img');
      // With every quoted attribute value blanked, an attribute injected into a tag would remain.
      const tags = page.replace(/"[^"]*"/g, '""');
      expect(tags, 'a tag carries an onerror attribute').not.toMatch(/<[^>]*\sonerror=/);
      expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(page, 'the campaign id closes no attribute').toContain('d11&quot;&lt;img');
    }
  });
});
