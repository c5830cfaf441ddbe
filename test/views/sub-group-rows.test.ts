/** The dormant and churned groups' sub-groups on the timeline page, in both languages. */
import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../functions/domain/timeline.ts';
import { subGroupRows } from '../../functions/views/sub-group-rows.ts';
import { renderTimelinePage } from '../../functions/views/timeline-page.ts';
import { fixtureTimeline } from './fixture-timeline.ts';

const SUB_GROUPS = {
  'dormant-shallow:new-high': 0,
  'dormant-shallow:new-low': 0,
  'dormant-shallow:returning-high': 0,
  'dormant-shallow:returning-low': 0,
  'dormant-deep:new-high': 1_000,
  'dormant-deep:new-low': 2_000,
  'dormant-deep:returning-high': 3_000,
  'dormant-deep:returning-low': 4_000,
  'churned:new-high': 10,
  'churned:new-low': 60,
  'churned:returning-high': 20,
  'churned:returning-low': 10,
};

function withSubGroups(): Timeline {
  const timeline = structuredClone(fixtureTimeline);
  timeline.summary.subGroups = { ...SUB_GROUPS };
  return timeline;
}

describe('sub-group rows', () => {
  it('lists each split group with customers, its sub-groups with counts and shares of the group', () => {
    // Act
    const rows = subGroupRows(withSubGroups().summary, 'zh');

    // Assess
    expect(rows.map((row) => [row.group, row.name, row.count])).toEqual([
      ['dormant-deep', '深睡客', '10,000'],
      ['churned', '流失客', '100'],
    ]);
    expect(rows[0]?.parts.map((p) => `${p.name} ${p.count} ${p.share}`)).toEqual([
      '单次购买·高价值 1,000 10%',
      '单次购买·低价值 2,000 20%',
      '多次购买·高价值 3,000 30%',
      '多次购买·低价值 4,000 40%',
    ]);
  });

  it('gives no rows for a plan made before sub-groups existed', () => {
    // Act / Assess
    expect(subGroupRows(fixtureTimeline.summary, 'en')).toEqual([]);
    expect(renderTimelinePage(fixtureTimeline)).not.toContain('class="sub-groups"');
  });

  it('shows them on the timeline page in Chinese, English on the switch, names escaped', () => {
    // Prepare
    const timeline = withSubGroups();
    timeline.groupLabels = { churned: '<img src=x onerror=alert(1)>' };

    // Act
    const zh = renderTimelinePage(timeline);
    const en = renderTimelinePage(timeline, { lang: 'en' });

    // Assess
    expect(zh).toContain('睡眠与流失客户细分');
    expect(zh).toContain('多次购买·高价值 3,000');
    expect(en).toContain('Dormant and churned customers by sub-group');
    expect(en).toContain('repeat buyers, higher value 3,000');
    expect(zh).not.toContain('<img src=x');
    expect(zh).toContain('&lt;img src=x onerror=alert(1)&gt; 100');
  });
});
