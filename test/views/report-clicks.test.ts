/** The report page of a campaign that tracks its links: clicks, click-through and clicked-then-ordered columns. */
import { describe, expect, it } from 'vitest';
import type { CampaignReport, TriggerRow } from '../../functions/domain/report-types.ts';
import { formatInt } from '../../functions/views/report/format.ts';
import { reportModel } from '../../functions/views/report/model.ts';
import { renderReportPage } from '../../functions/views/report-page.ts';
import { fixtureReport } from './fixture-report.ts';

/** The fixture with clicks on every row and group: 1 in 8 of the sent clicked, a quarter of them then ordered. */
function tracked(): CampaignReport {
  const rows = fixtureReport.rows.map((row) => {
    const clicks = Math.floor(row.sent / 8);
    return {
      ...row,
      clicks,
      ...(row.sent > 0 ? { clickThrough: clicks / row.sent } : {}),
      clickedOrders: Math.floor(clicks / 4),
      clickedRevenue: Math.floor(clicks / 4) * 100,
    };
  });
  const clicks = rows.reduce((sum, row) => sum + row.clicks, 0);
  const sent = rows.reduce((sum, row) => sum + row.sent, 0);
  return {
    ...fixtureReport,
    rows,
    totals: {
      ...fixtureReport.totals,
      clicks,
      clickThrough: clicks / sent,
      clickedOrders: rows.reduce((sum, row) => sum + row.clickedOrders, 0),
      clickedRevenue: rows.reduce((sum, row) => sum + row.clickedRevenue, 0),
    },
    ...(fixtureReport.byGroup
      ? {
          byGroup: fixtureReport.byGroup.map((wave) => ({
            ...wave,
            groups: wave.groups.map((group) => ({ ...group, clicks: 3, clickThrough: 0.125 })),
          })),
        }
      : {}),
  };
}

describe('the report of a tracked campaign', () => {
  it('has the clicks and clicked-then-ordered columns, Chinese first, with the click-through under the clicks', () => {
    // Prepare
    const report = tracked();

    // Act
    const zh = reportModel(report, { lang: 'zh' }).table;
    const en = reportModel(report, { lang: 'en' }).table;

    // Assess
    expect(zh.heads.slice(-2).map((head) => head.text)).toEqual(['点击', '点击后下单']);
    expect(en.heads.slice(-2).map((head) => head.text)).toEqual(['Clicks', 'Clicked, then ordered']);
    const first = report.rows[0];
    const cells = zh.waves[0]?.rows[0]?.cells.slice(-2);
    expect(cells?.[0]).toMatchObject({
      text: formatInt(first?.clicks ?? -1),
      sub: expect.stringMatching(/^点击率 \d+\.\d%$/),
    });
    expect(cells?.[1]).toMatchObject({ text: formatInt(first?.clickedOrders ?? -1) });
    expect(zh.foot.cells.at(-2)).toMatchObject({ text: formatInt(report.totals.clicks ?? -1) });
    expect(zh.note).toContain('点击后下单');
  });

  it('has no click columns when the campaign does not track its links', () => {
    // Act
    const table = reportModel(fixtureReport, { lang: 'zh' }).table;

    // Assess
    expect(table.heads.map((head) => head.text)).not.toContain('点击');
    expect(table.note).not.toContain('点击后下单');
  });

  it('shows each group its clicks and click-through, and renders escaped', () => {
    // Prepare
    const report = tracked();

    // Act
    const groups = reportModel(report, { lang: 'zh' }).groups;
    const page = renderReportPage(report, { lang: 'zh' });

    // Assess
    expect(groups?.heads.at(-1)?.text).toBe('点击（点击率）');
    expect(groups?.waves[0]?.sections[0]?.rows[0]?.cells.at(-1)).toBe('3 (12.5%)');
    expect(page).toContain('点击后下单');
    expect(page).toContain('3 (12.5%)');
  });

  it('gives each order rule its clicks and clicked-then-ordered, and none when the campaign is not tracked', () => {
    // Prepare
    const rule: TriggerRow = {
      rule: 'trigger:pay-reminder',
      scheduled: 40,
      checked: 40,
      sent: 20,
      suppressed: { 'trigger:paid': 20 },
      failed: {},
      unknown: 0,
      waiting: 0,
      pending: 0,
      smsParts: 20,
      orders: 6,
      revenue: 1200,
      cost: 0.9,
      clicks: 5,
      clickThrough: 0.25,
      clickedOrders: 4,
      clickedRevenue: 800,
    };
    const { clicks: _c, clickThrough: _t, clickedOrders: _o, clickedRevenue: _r, ...untrackedRule } = rule;

    // Act
    const zh = reportModel({ ...tracked(), triggers: [rule] }, { lang: 'zh' }).triggers;
    const en = reportModel({ ...tracked(), triggers: [rule] }, { lang: 'en' }).triggers;
    const untracked = reportModel({ ...fixtureReport, triggers: [untrackedRule] }, { lang: 'zh' }).triggers;

    // Assess
    expect(zh?.heads.slice(-2).map((head) => head.text)).toEqual(['点击', '点击后下单']);
    expect(en?.heads.slice(-2).map((head) => head.text)).toEqual(['Clicks', 'Clicked, then ordered']);
    expect(zh?.rows[0]?.cells.slice(-2)).toMatchObject([
      { text: '5', sub: '点击率 25.0%' },
      { text: '4', sub: expect.stringContaining('800') },
    ]);
    expect(zh?.note).toContain('点击后下单');
    expect(untracked?.heads.map((head) => head.text)).not.toContain('点击');
    expect(untracked?.rows[0]?.cells).toHaveLength((zh?.rows[0]?.cells.length ?? 0) - 2);
  });
});
