import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lang } from '../../functions/domain/i18n.ts';
import { bilingualPages } from '../../functions/views/page-files.ts';
import { renderReportPage } from '../../functions/views/report-page.ts';
import { renderTimelinePage } from '../../functions/views/timeline-page.ts';
import {
  assertNoHorizontalOverflow,
  closePage,
  DESKTOP,
  launchBrowser,
  openUrl,
  PHONE,
  saveScreenshot,
  smallestFontPx,
} from '../support/browser.ts';
import { fixtureReport } from './fixture-report.ts';
import { fixtureTimeline } from './fixture-timeline.ts';

/**
 * The two pages a marketer reads, in a real browser (Debian's chromium), as the CLI writes them:
 * a Chinese file and its English twin, each linking to the other. At a phone's 390 px and a
 * desktop's 1440 px nothing runs off the screen and chart text stays readable; the Chinese page
 * is Chinese, its switch opens the English page, and that one is English.
 */

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'pages-browser-'));
  const pages = [
    ...bilingualPages(join(dir, 'timeline'), (lang, otherHref) =>
      renderTimelinePage(fixtureTimeline, { lang, otherHref }),
    ),
    ...bilingualPages(join(dir, 'report'), (lang, otherHref) => renderReportPage(fixtureReport, { lang, otherHref })),
  ];
  for (const page of pages) writeFileSync(page.path, page.html);
});
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const url = (file: string): string => pathToFileURL(join(dir, file)).href;

const PAGES = [
  {
    name: 'timeline',
    zhWords: ['活动时间线', '未发送原因', '双11忠诚客'],
    enWords: ['campaign timeline', 'Double-11 loyal'],
  },
  {
    name: 'report',
    zhWords: ['活动报告', '原因说明', '已退订该渠道'],
    enWords: ['campaign report', 'opted out of this channel'],
  },
] as const;

describe.each(PAGES)('$name page in chromium', ({ name, zhWords, enWords }) => {
  it.each([PHONE, DESKTOP])(
    'at %i px: nothing overflows, chart text stays readable, Chinese then English by its switch',
    async (width) => {
      // Prepare
      const page = await openUrl(browser, url(`${name}.html`), width);

      // Act
      await saveScreenshot(page, name, width);
      const zhText = await page.innerText('body');
      const zhLang = await page.getAttribute('html', 'lang');
      const zhOverflow = assertNoHorizontalOverflow(page, `${name} (zh) at ${width}px`);
      const smallest = await smallestFontPx(page, 'svg text');
      // On a desktop a table fits its card: a sideways scroll there would hide columns nobody scrolls to.
      const clippedTables = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.table-wrap'))
          .filter((box) => box.scrollWidth > box.clientWidth + 1)
          .map((box) => `${box.firstElementChild?.className}: ${box.scrollWidth}px in ${box.clientWidth}px`),
      );
      await Promise.all([page.waitForURL(/\.en\.html$/), page.click('nav.lang-switch a')]);
      await saveScreenshot(page, `${name}.en`, width);
      const enText = await page.innerText('body');
      const enLang = await page.getAttribute('html', 'lang');
      const enOverflow = assertNoHorizontalOverflow(page, `${name} (en) at ${width}px`);

      // Assess
      await expect(zhOverflow).resolves.toBeUndefined();
      await expect(enOverflow).resolves.toBeUndefined();
      if (width === DESKTOP) expect(clippedTables, 'tables wider than their card at 1440 px').toEqual([]);
      expect(zhLang).toBe('zh-CN');
      for (const word of zhWords) expect(zhText, `Chinese page shows ${word}`).toContain(word);
      expect(smallest, 'the page has chart text').toBeDefined();
      expect(smallest!.px, `chart text "${smallest!.text}" is drawn at ${smallest!.px}px`).toBeGreaterThanOrEqual(11);
      expect(enLang).toBe('en');
      for (const word of enWords) expect(enText, `English page shows ${word}`).toContain(word);
      expect(enText, 'the English page links back to Chinese').toContain('中文');
      await closePage(page);
    },
  );
});

it('a page in either language opens the other and back', async () => {
  // Prepare
  const page = await openUrl(browser, url('report.en.html'), PHONE);

  // Act
  await Promise.all([page.waitForURL(/report\.html$/), page.click('nav.lang-switch a')]);
  const lang: Lang | string | null = await page.getAttribute('html', 'lang');

  // Assess
  expect(lang).toBe('zh-CN');
  await closePage(page);
});
