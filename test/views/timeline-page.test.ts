import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { formatDuration, formatInt, renderTimelinePage } from '../../functions/views/timeline-page.ts';
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
    expect(west).toContain('10/24 周六 20:00');
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

    // Assess
    expect(html).toContain('class="midnight-line"');
    expect(html).toContain('00:00 午夜开抢 / midnight push');
    expect(count(html, 'class="bar bar-midnight"')).toBeGreaterThanOrEqual(6);
  });

  it('shows the headline numbers, warnings, email lead and reasons in plain words', () => {
    // Prepare
    const timeline = clone(fixtureTimeline);
    timeline.dropped['brand-new-code'] = 7;

    // Act
    const html = renderTimelinePage(timeline);

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
    const html = renderTimelinePage(timeline);

    // Assess
    expect(html).toContain('</html>');
    expect(html).not.toContain('class="warnings"');
    expect(html).toContain('No touch was dropped.');
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
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(540)).toBe('9 min');
    expect(formatDuration(9_000)).toBe('2 h 30 min');
    expect(formatDuration(7_200)).toBe('2 h');
  });
});
