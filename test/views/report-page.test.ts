import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../functions/domain/campaign-lifecycle.ts';
import type { CampaignReport, UnknownTouch } from '../../functions/domain/report-types.ts';
import { formatCny, renderReportPage } from '../../functions/views/report-page.ts';
import { fixtureReport, fixtureReportNoOrders, totalsOf } from './fixture-report.ts';

/** The English page: most assertions below read its words; the Chinese page has its own tests. */
const EN = { lang: 'en' } as const;
const clone = (r: CampaignReport): CampaignReport => structuredClone(r);
const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;
/** The text a reader sees: tags removed, the entities this page writes decoded. */
const visibleText = (html: string): string =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('renderReportPage', () => {
  it('is deterministic: the same input gives byte-identical output, whatever the machine time zone', () => {
    // Prepare
    const before = process.env.TZ;

    // Act
    process.env.TZ = 'America/Los_Angeles';
    const west = renderReportPage(clone(fixtureReport), EN);
    process.env.TZ = 'Asia/Tokyo';
    const east = renderReportPage(clone(fixtureReport), EN);
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;

    // Assess
    expect(west).toBe(east);
    expect(west.startsWith('<!doctype html>')).toBe(true);
    expect(west).toContain('Sat 14 Nov 10:00');
  });

  it('escapes every string from the input, including a <script> wave id', () => {
    // Prepare
    const report = clone(fixtureReport);
    const evil = '<script>alert("x")</script>';
    for (const row of report.rows) if (row.waveId === 'unpaid') row.waveId = evil;
    report.rows[0]!.failed['<b>odd</b>'] = 2;
    report.rows[0]!.suppressed['<i>odd</i>'] = 1;
    report.campaignId = 'd11 & <img src=x onerror=alert(1)>';
    report.unknownTouches.push({
      customerId: '"><svg onload=alert(1)>',
      waveId: evil,
      channel: 'sms',
      sendId: "it's<b>",
    });
    report.totals = totalsOf(report.rows);

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>odd</b>');
    expect(html).not.toContain('<i>odd</i>');
    expect(html).not.toContain('"><svg onload');
    expect(html).not.toContain("it's<b>");
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;odd&lt;/b&gt;');
    expect(html).toContain('d11 &amp; &lt;img src=x onerror=alert(1)&gt;');
  });

  it('names every row: each wave id appears in the chart and the table, with each of its channels', () => {
    // Prepare
    const report = fixtureReport;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    const start = html.indexOf('<table class="report">');
    const table = html.slice(start, html.indexOf('</table>', start));
    const chart = html.slice(html.indexOf('<svg class="chart outcomes"'), html.indexOf('</svg>'));
    for (const waveId of new Set(report.rows.map((r) => r.waveId))) {
      expect(table, waveId).toContain(`>${waveId}</th>`);
      expect(chart, waveId).toContain(`<title>${waveId}</title>`);
    }
    // One table row and one bar per wave and channel.
    expect(count(table, '<td class="channel">')).toBe(report.rows.length);
    expect(count(chart, 'class="bar-frame"')).toBe(report.rows.length);
    expect(chart).toContain('<tspan class="ch-email">email</tspan> 100,800');
    expect(chart).toContain('<tspan class="ch-sms">SMS</tspan> 180,000');
  });

  it('draws each outcome as a segment and shows the headline numbers', () => {
    // Prepare
    const report = fixtureReport;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    for (const outcome of ['sent', 'failed', 'suppressed', 'unknown'])
      expect(html, outcome).toContain(`data-outcome="${outcome}"`);
    expect(html).toContain('699,600'); // planned
    expect(html).toContain('686,753'); // sent
    expect(html).toContain('98.9%'); // delivery rate: 686,753 / (686,753 + 7,370 + 3)
    expect(html).toContain('¥4,935,790.65'); // revenue
    expect(html).toContain('¥29,469.45'); // cost
    expect(html).toContain('+16,649%'); // attributed ROI (revenue − cost) ÷ cost
    expect(html).toContain('13,083'); // orders
    expect(html).toContain('Attributed revenue and ROI per wave');
  });

  it('explains reason codes in plain words and shows unknown codes as they are', () => {
    // Prepare
    const report = fixtureReport;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(html).toContain('paid before the send: left the reminder wave');
    expect(html).toContain('throttled: gave up after retries');
    expect(html).toContain('refused by the provider');
    expect(html).toContain('opted out of this channel');
    expect(html).toContain('touch cap reached');
    expect(html).toContain('monthly SMS cap reached');
    expect(html).toContain('no mobile number');
    expect(html).toContain('no email address');
    expect(html).toContain('<code>carrier:blocked</code>');
    expect(html).toContain('No description for this code; shown as reported.');
  });

  it('shows expired and cancelled touches by reason, in the table and in the reasons section', () => {
    // Prepare: the midnight push paused and resumed after its night; the evening wave cancelled.
    const report = clone(fixtureReport);
    const midnight = report.rows.find((r) => r.waveId === 'midnight' && r.channel === 'sms');
    if (!midnight) throw new Error('the fixture has no midnight SMS row');
    midnight.sent -= 120;
    midnight.expired = 120;
    midnight.expiredBy = { 'window:night': 120 };
    midnight.cancelled = 7;
    midnight.sent -= 7;
    midnight.cancelledBy = { cancelled: 7 };

    // Act
    const text = visibleText(renderReportPage(report, EN)).replace(/\s+/g, ' ');

    // Assess
    expect(text).toContain('window:night 120');
    expect(text).toContain('expired: the midnight push’s night was over');
    expect(text).toContain('the midnight push was resumed after its night');
    expect(text).toContain('cancelled 7');
    expect(text).toContain('the campaign or its wave was cancelled');
  });

  it('lists every unknown touch with what to do about it', () => {
    // Prepare
    const report = fixtureReport;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    const section = html.slice(html.indexOf('id="unknown"'));
    for (const t of report.unknownTouches) {
      expect(section, t.customerId).toContain(`<code>${t.customerId}</code>`);
      expect(section, t.sendId).toContain(`<code>${t.sendId}</code>`);
    }
    expect(count(section, '<td class="num idx">')).toBe(3);
    expect(section).toContain('claimed but no provider answer was recorded (the sender stopped mid-send)');
    expect(section).toContain('never re-sent automatically');
    expect(section).toContain('Check them with the provider');
    expect(section).not.toContain('more not shown');
  });

  it('shows at most 200 unknown touches and says how many more there are', () => {
    // Prepare
    const report = clone(fixtureReport);
    const many: UnknownTouch[] = [];
    for (let i = 0; i < 1_234; i++)
      many.push({
        customerId: `c-${String(i).padStart(5, '0')}`,
        waveId: 'midnight',
        channel: 'sms',
        sendId: 'midnight-sms-g4',
      });
    report.unknownTouches = many;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(count(html, '<td class="num idx">')).toBe(200);
    expect(html).toContain('<code>c-00199</code>');
    expect(html).not.toContain('<code>c-00200</code>');
    expect(html).toContain('… and 1,034 more not shown (1,234 in all)');
  });

  it('renders a report without orders with no NaN, undefined, null or Infinity anywhere', () => {
    // Prepare
    const report = fixtureReportNoOrders;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(html).not.toMatch(/NaN|undefined|null|Infinity/);
    expect(html).not.toContain('Attributed revenue and ROI per wave');
    expect(html).not.toContain('¥');
    expect(html).toContain('No orders in the report yet');
    expect(html).toContain('The campaign is still running');
    expect(html).toContain('data-outcome="pending"');
    expect(html).toContain('No unknown outcomes');
  });

  it('survives partial money, zero cost and non-finite numbers without printing them', () => {
    // Prepare
    const report = clone(fixtureReport);
    const [first, second, third] = report.rows;
    first!.cost = 0;
    first!.roi = Number.POSITIVE_INFINITY;
    second!.revenue = Number.NaN;
    (third as unknown as Record<string, unknown>).orders = null;
    report.totals.roi = Number.NaN;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(visibleText(html)).not.toMatch(/NaN|undefined|null|Infinity/);
    expect(html).toContain('class="num blank"');
  });

  it('renders an empty report without throwing', () => {
    // Prepare
    const report: CampaignReport = {
      campaignId: 'empty',
      timezone: 'Asia/Shanghai',
      asOf: 'not a date',
      rows: [],
      totals: totalsOf([]),
      unknownTouches: [],
    };

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(html).toContain('</html>');
    expect(html).toContain('The report has no rows.');
    expect(html).toContain('not a date');
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('loads nothing from the network and needs no script', () => {
    // Prepare
    const pages = [renderReportPage(fixtureReport, EN), renderReportPage(fixtureReportNoOrders, EN)];

    // Act
    const found = pages.map((html) => ({
      remote: /(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i.test(html),
      cssRemote: /@import|url\(\s*["']?(?:https?:)?\/\//i.test(html),
      script: /<script/i.test(html),
      link: /<link/i.test(html),
      iframe: /<iframe|<object|<embed|<img/i.test(html),
    }));

    // Assess
    for (const f of found)
      expect(f).toEqual({ remote: false, cssRemote: false, script: false, link: false, iframe: false });
  });
});

describe('what the campaign added, on the page', () => {
  /** The headline box: the first `hero` div and what is in it. */
  const heroOf = (html: string) => /<div class="hero[^"]*">.*?<\/div><\/div>/s.exec(html)?.[0] ?? '';

  it('headlines the revenue the waves with a control group added, with its interval, not the ROI', () => {
    // Act
    const html = renderReportPage(fixtureReport, EN);

    // Assess
    const hero = heroOf(html);
    expect(hero, 'the headline').toContain('Revenue the campaign added');
    expect(hero).toContain('+¥547,500');
    expect(hero).toContain('¥321,149 to ¥773,851');
    expect(hero, 'added orders with their interval').toContain('<b>+1,631</b>');
    expect(hero).toContain('1,044 to 2,218');
    expect(hero).toContain('above zero: a real gain');
    expect(hero, 'the waves it leaves out').toContain('presale、unpaid、midnight');
    expect(hero, 'no ROI in the headline').not.toContain('ROI');
    // Attribution is still there, labelled as what it is.
    expect(html).toContain('Attributed revenue');
    expect(html).toContain('attribution, not cause');
    expect(html).toContain('Attributed ROI');
  });

  it('shows each wave against its control group, and says a wave without one has an unknown effect', () => {
    // Act
    const html = renderReportPage(fixtureReport, EN);

    // Assess
    const card = /<section class="card" id="incremental">.*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(card, 'the card').not.toBe('');
    expect(card).toContain('6.0% bought');
    expect(card).toContain('5.0% bought');
    expect(card).toContain('+1.00 pts');
    expect(card).toContain('+0.63 to +1.35');
    for (const wave of ['presale', 'unpaid', 'midnight']) {
      expect(card, wave).toMatch(
        new RegExp(`<th scope="row">${wave}</th><td colspan="6">no control group: its effect is unknown`),
      );
    }
    expect(card, 'an unknown effect is never shown as zero').not.toMatch(/\+0\.00 pts|\+¥0\b/);
  });

  it('says when the interval includes zero, and when nothing can be measured', () => {
    // Prepare: the same campaign with a revenue interval across zero; and one with no control group at all.
    const unsure = structuredClone(fixtureReport);
    const totals = unsure.incremental?.totals;
    if (!totals?.revenue) throw new Error('the fixture has incremental totals');
    totals.revenue = { value: 167_500, interval: { low: -57_285.35, high: 392_285.35 } };
    const unmeasured = structuredClone(fixtureReport);
    unmeasured.incremental = {
      windowHours: 72,
      waves: [{ waveId: 'midnight', known: false, why: 'no-control' }],
      totals: { waves: [], unknownWaves: ['midnight'], buyers: null, orders: null, revenue: null },
    };
    const old = structuredClone(fixtureReport);
    delete old.incremental;

    // Act
    const unsureHero = heroOf(renderReportPage(unsure, EN));
    const unmeasuredHero = heroOf(renderReportPage(unmeasured, EN));
    const oldHero = heroOf(renderReportPage(old, EN));

    // Assess
    expect(unsureHero).toContain('-¥57,285 to ¥392,285');
    expect(unsureHero).toContain('includes zero: no proven gain');
    for (const hero of [unmeasuredHero, oldHero]) {
      expect(hero).toContain('unknown');
      expect(hero).toContain('last-touch attribution, not cause');
      expect(hero).not.toContain('¥');
    }
  });
});

describe('the audit trail on the page', () => {
  const entry = (minute: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
    at: new Date(Date.parse('2026-11-10T15:00:00Z') + minute * 60_000).toISOString(),
    actor: 'mei@store.cn',
    action: 'pause',
    from: 'running',
    to: 'paused',
    ...extra,
  });

  it('lists the newest changes first, in the campaign time zone, with who, what, version, wave and reason', () => {
    // Prepare
    const report = clone(fixtureReport);
    report.state = 'paused';
    report.audit = [
      entry(0, { action: 'approve', from: 'draft', to: 'approved', version: 2, actor: 'boss@store.cn' }),
      entry(50, { reason: 'wrong price <b>99</b>', waveId: 'midnight' }),
    ];

    // Act
    const html = renderReportPage(report, EN);
    const section = visibleText(html.slice(html.indexOf('id="audit"')));

    // Assess: 15:50 UTC is 23:50 in Shanghai.
    expect(section).toMatch(/Audit trail · paused/);
    expect(section.indexOf('2026-11-10 23:50:00')).toBeLessThan(section.indexOf('2026-11-10 23:00:00'));
    expect(section).toMatch(/mei@store\.cn\s+paused\s+running → paused\s+wave midnight · wrong price <b>99<\/b>/);
    expect(section).toMatch(/boss@store\.cn\s+approved\s+draft → approved\s+v2/);
    expect(html).not.toContain('<b>99</b>');
  });

  it('shows the newest 20 and says where the rest is', () => {
    // Prepare
    const report = clone(fixtureReport);
    report.audit = Array.from({ length: 25 }, (_, minute) => entry(minute, { reason: `step ${minute}` }));

    // Act
    const section = visibleText(renderReportPage(report, EN).split('id="audit"')[1] ?? '');

    // Assess
    expect(section).toContain('step 24');
    expect(section).toContain('step 5');
    expect(section).not.toContain('step 4 ');
    expect(section).toContain('… and 5 earlier (25 in all)');
  });

  it('has no audit section when the report has no trail', () => {
    // Act
    const html = renderReportPage(clone(fixtureReport), EN);

    // Assess
    expect(html).not.toContain('id="audit"');
  });
});

describe('formatCny', () => {
  it('writes yuan with a ¥ sign, thousands separators and two decimals', () => {
    // Prepare
    const values = [0, 0.5, 1234.5, 4_935_790.65, -12.345, 1_000_000];

    // Act
    const formatted = values.map(formatCny);

    // Assess
    expect(formatted).toEqual(['¥0.00', '¥0.50', '¥1,234.50', '¥4,935,790.65', '-¥12.35', '¥1,000,000.00']);
  });
});

describe('results by member tier on the page', () => {
  it('shows each tier with its customers, sends, orders, revenue, cost and ROI, no tier last, names escaped', () => {
    // Prepare
    const report = clone(fixtureReport);
    report.byTier = [
      {
        tier: 'VIP<2>',
        customers: 1200,
        planned: 2400,
        sent: 2300,
        orders: 57,
        revenue: 12345.5,
        cost: 115,
        roi: 106.35,
      },
      { tier: '', customers: 30, planned: 30, sent: 30, orders: 0, revenue: 0, cost: 1.5, roi: -1 },
    ];

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    const section = visibleText(html.split('By member tier')[1]?.split('</section>')[0] ?? '');
    expect(section).toContain('Tier');
    expect(section).toMatch(/VIP<2>\s+1,200\s+2,400\s+2,300\s+57\s+¥12,345\.50\s+¥115\.00\s+\S+/);
    expect(section).toMatch(/no tier\s+30\s+30\s+30\s+0\s+¥0\.00\s+¥1\.50/);
    expect(section.indexOf('VIP<2>')).toBeLessThan(section.indexOf('no tier'));
    expect(html).not.toContain('VIP<2>');
  });

  it('has no tier section when the report has no tiers', () => {
    // Prepare
    const report = clone(fixtureReport);
    delete report.byTier;

    // Act
    const html = renderReportPage(report, EN);

    // Assess
    expect(html).not.toContain('By member tier');
  });
});

describe('the report in Chinese, with English as a switch', () => {
  it('says every heading, reason, channel and state in Chinese by default, each code kept beside its words', () => {
    // Prepare
    const report = clone(fixtureReport);
    report.state = 'paused';

    // Act
    const html = renderReportPage(report);
    const text = visibleText(html);

    // Assess
    expect(html).toContain('<html lang="zh-CN">');
    expect(text).toContain('d11-2026 · 活动报告');
    expect(text, 'the date in the campaign zone').toContain('11月14日 周六 10:00');
    expect(text, 'a reason in words, its code beside it').toMatch(/发送前已付款：退出催付波次\s+suppressed:purchase/);
    expect(text, 'an unknown code is shown as reported').toContain('此代码暂无说明，按原样显示。');
    expect(text, 'the headline').toContain('活动增量成交');
    expect(text).toMatch(/95% 区间\s+¥321,149 至 ¥773,851/);
    expect(text, 'a wave without a control group').toContain('未设对照组：效果未知（不计为零）');
    expect(text, 'a channel').toContain('短信');
    for (const english of [
      'campaign report',
      'What the reasons mean',
      'Hover a segment',
      'delivered',
      'Per wave and channel',
      'paid before the send',
    ])
      expect(text, `English left on the Chinese page: ${english}`).not.toContain(english);
  });

  it('links each language to the other when told where the other page is', () => {
    // Act
    const zh = renderReportPage(fixtureReport, { otherHref: 'report.en.html' });
    const en = renderReportPage(fixtureReport, { lang: 'en', otherHref: 'report.html' });

    // Assess
    expect(zh).toContain('<a href="report.en.html" hreflang="en" lang="en">English</a>');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<a href="report.html" hreflang="zh-CN" lang="zh-CN">中文</a>');
    expect(visibleText(en)).not.toMatch(/活动报告|原因说明|已发送/);
  });
});

describe('order-triggered reminders on the page', () => {
  const withTriggers = (): CampaignReport => {
    const report = clone(fixtureReport);
    report.triggers = [
      {
        rule: 'trigger:pay-<reminder>',
        scheduled: 120,
        checked: 110,
        sent: 40,
        suppressed: { 'trigger:paid': 60, 'cap:touches': 6, 'trigger:quiet-hours': 4 },
        failed: {},
        unknown: 0,
        waiting: 3,
        pending: 7,
        smsParts: 40,
        orders: 12,
        revenue: 7188,
        cost: 2,
        roi: 3593,
      },
      {
        rule: 'presale:open',
        scheduled: 5,
        checked: 5,
        sent: 5,
        suppressed: {},
        failed: {},
        unknown: 1,
        waiting: 0,
        pending: 0,
        smsParts: 10,
        orders: 2,
        revenue: 1000,
        cost: 0.5,
      },
    ];
    return report;
  };

  it('shows a row per rule in Chinese by default: checks, sends, suppressed by reason, paid orders, revenue and cost, names escaped', () => {
    // Act
    const html = renderReportPage(withTriggers());

    // Assess
    const section = visibleText(html.split('订单触发提醒（催付、尾款）')[1]?.split('</section>')[0] ?? '');
    expect(section).toMatch(/催付 pay-<reminder>\s+trigger:pay-<reminder>\s+120\s+110\s+40\s+70/);
    expect(section).toContain('提醒前已付款');
    expect(section).toMatch(/cap:touches\s+6/);
    expect(section).toMatch(/trigger:quiet-hours\s+4\s+过期：到期时在免打扰时段/);
    expect(section).toMatch(/12\s+¥7,188\.00\s+¥2\.00/);
    expect(section).toMatch(/尾款开放提醒\s+presale:open\s+5\s+5\s+5/);
    expect(html).not.toContain('pay-<reminder>');
  });

  it('shows the same rows in English behind the switch, and no section without order rules', () => {
    // Prepare
    const without = clone(fixtureReport);
    delete without.triggers;

    // Act
    const html = renderReportPage(withTriggers(), EN);
    const none = renderReportPage(without, EN);

    // Assess
    const section = visibleText(html.split('Order-triggered reminders')[1]?.split('</section>')[0] ?? '');
    expect(section).toMatch(/Unpaid reminder pay-<reminder>/);
    expect(section).toContain('paid before the reminder');
    expect(section).toMatch(/Balance open\s+presale:open/);
    expect(none).not.toContain('Order-triggered reminders');
  });
});
