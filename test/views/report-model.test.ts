import { describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../functions/domain/report-types.ts';
import { reportModel } from '../../functions/views/report/model.ts';
import { renderReportPage } from '../../functions/views/report-page.ts';
import { fixtureReport, fixtureReportNoOrders } from './fixture-report.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

describe('the report view model', () => {
  it('breaks each wave down by group and label, names from the dictionary or the campaign, lifts with intervals', () => {
    // Act
    const model = reportModel(fixtureReport, { lang: 'en' });

    // Assess
    const groups = model.groups;
    expect(groups?.title).toBe('Results per customer group');
    expect(groups?.heads.map((h) => h.text)).toEqual([
      'Group',
      'Customers',
      'Sent',
      'Failed',
      'Lift (against control)',
      'Added orders',
      'Attributed orders',
      'Attributed revenue',
      'Cost',
    ]);
    expect(groups?.note, 'the too-few rule is stated').toContain('fewer than 30 of a group were held out');
    const [warmup, midnight] = groups?.waves ?? [];
    expect(warmup?.sections.map((s) => s.caption)).toEqual(['By customer group', 'By your labels']);
    const [byGroup, byLabel] = warmup?.sections ?? [];
    expect(byGroup?.rows.map((r) => [r.name, r.code])).toEqual([
      ['unpaid orders', 'unpaid'],
      ['Double-11 loyal', 'd11-loyal'],
      ['recent, high value', 'recent-high'],
      ['deeply dormant', 'dormant-deep'],
    ]);
    expect(byGroup?.rows[0]?.lift).toEqual({
      kind: 'unknown',
      text: 'unknown: too few (fewer than 30 of this group held out)',
    });
    const loyal = byGroup?.rows[1];
    expect(loyal?.cells).toEqual(['42,000', '41,600', '400', '3,900', '¥1,380,000.00', '¥2,080.00']);
    expect(loyal?.delivered).toBe('99.0% delivered');
    if (loyal?.lift.kind !== 'known')
      throw new Error(`the loyal group's lift is known: ${JSON.stringify(loyal?.lift)}`);
    expect(loyal.lift.points.value).toBe('+2.11 pts');
    expect(loyal.lift.points.sign).toBe('up');
    expect(loyal.lift.points.interval.kind).toBe('interval');
    expect(String(loyal.lift.points.interval.text)).toBe('95% interval <span class="ci">+1.32 to +2.83</span>');
    // A label by the marketer's own name (the campaign's groupLabels), an unnamed label as written.
    expect(byLabel?.rows.map((r) => [r.name, r.code])).toEqual([
      ['去年VIP', 'vip-2025'],
      ['autumn-new', undefined],
    ]);
    // A wave without a control group: no lift, and it says so.
    expect(midnight?.sections.map((s) => s.caption)).toEqual(['By customer group']);
    expect(midnight?.sections[0]?.rows[0]?.lift).toEqual({ kind: 'none', text: 'no control group' });
  });

  it('chooses every word in Chinese by default and formats dates in the report zone', () => {
    // Act
    const model = reportModel(fixtureReport, { lang: 'zh', otherHref: 'report.en.html' });

    // Assess
    expect(model.htmlLang).toBe('zh-CN');
    expect(model.other).toEqual({ href: 'report.en.html', label: 'English', htmlLang: 'en' });
    expect(model.meta.asOf).toEqual({ text: '11月14日 周六 10:00', offset: 'UTC+08:00' });
    expect(model.groups?.title).toBe('分人群结果');
    expect(model.groups?.waves[0]?.sections[0]?.rows[0]?.lift).toEqual({
      kind: 'unknown',
      text: '未知：对照太少（该人群的对照组不足 30 人）',
    });
    expect(model.groups?.waves[0]?.sections[0]?.rows[1]?.name).toBe('双11忠诚客');
    expect(model.hero.kind).toBe('incremental');
    expect(model.table.heads.map((h) => h.text).slice(0, 4)).toEqual(['波次', '渠道', '计划', '已发送']);
  });

  it('is plain data: the same report gives an equal model, and a report without orders has no money and no groups', () => {
    // Act
    const once = reportModel(structuredClone(fixtureReport), { lang: 'en' });
    const again = reportModel(structuredClone(fixtureReport), { lang: 'en' });
    const noOrders = reportModel(fixtureReportNoOrders, { lang: 'en' });

    // Assess
    expect(JSON.stringify(once)).toBe(JSON.stringify(again));
    expect(noOrders.moneyStats).toEqual([]);
    expect(noOrders.revenue).toBeUndefined();
    expect(noOrders.groups).toBeUndefined();
    expect(noOrders.hero).toMatchObject({ kind: 'delivery', title: 'Delivery rate' });
    expect(noOrders.running).toBeDefined();
  });
});

describe('the report page escapes what it is given', () => {
  it('writes a hostile wave id, label and group label as text, never as markup', () => {
    // Prepare: the same markup as a wave id, a segment label, and the marketer's name for a group.
    const report: CampaignReport = structuredClone(fixtureReport);
    for (const row of report.rows) if (row.waveId === 'warmup') row.waveId = HOSTILE;
    for (const wave of report.incremental?.waves ?? []) if (wave.waveId === 'warmup') wave.waveId = HOSTILE;
    const warmup = report.byGroup?.find((wave) => wave.waveId === 'warmup');
    if (!warmup) throw new Error('the fixture breaks the warmup wave down by group');
    warmup.waveId = HOSTILE;
    const label = warmup.labels[1];
    if (!label) throw new Error('the fixture has a second label');
    label.code = HOSTILE;
    report.groupLabels = { ...report.groupLabels, 'd11-loyal': HOSTILE };

    // Act
    const page = renderReportPage(report, { lang: 'en' });
    const groups = page.slice(page.indexOf('id="groups"'), page.indexOf('id="unknown"'));

    // Assess
    expect(page).not.toContain('<img');
    expect(groups, 'the wave id in the group card').toContain(`<h3>Wave ${ESCAPED}</h3>`);
    expect(groups, 'the label').toContain(`<th scope="row">${ESCAPED}</th>`);
    expect(groups, 'the group label, its code beside it').toContain(
      `<th scope="row">${ESCAPED} <code>d11-loyal</code>`,
    );
    expect(page, 'the wave id in the table').toContain(`class="wave">${ESCAPED}</th>`);
    expect(page, 'the wave id in the chart').toContain(`<title>${ESCAPED}</title>`);
  });
});
