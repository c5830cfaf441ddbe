import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportPage } from '../../functions/views/report-page.ts';
import { renderTimelinePage } from '../../functions/views/timeline-page.ts';
import {
  assertNoHorizontalOverflow,
  closePage,
  DESKTOP,
  launchBrowser,
  openHtml,
  PHONE,
  saveScreenshot,
  smallestFontPx,
} from '../support/browser.ts';
import { fixtureReport } from './fixture-report.ts';
import { fixtureTimeline } from './fixture-timeline.ts';

/**
 * The two pages a marketer reads, in a real browser (Debian's chromium): at a phone's 390 px and
 * a desktop's 1440 px nothing runs off the screen, chart text stays readable, the Chinese page is
 * Chinese and its English twin is English.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const pages = [
  { name: 'timeline', zh: () => renderTimelinePage(fixtureTimeline), zhWord: '时间线' },
  { name: 'report', zh: () => renderReportPage(fixtureReport), zhWord: '报告' },
] as const;

describe.each(pages)('$name page in chromium', ({ name, zh, zhWord }) => {
  it.each([PHONE, DESKTOP])(
    'at %i px: nothing overflows, Chinese text shows, chart text stays readable',
    async (width) => {
      // Prepare
      const html = zh();

      // Act
      const page = await openHtml(browser, html, width);
      await saveScreenshot(page, name, width);
      const bodyText = await page.innerText('body');
      const smallest = await smallestFontPx(page, 'svg text');
      const overflow = assertNoHorizontalOverflow(page, `${name} at ${width}px`);

      // Assess
      await expect(overflow).resolves.toBeUndefined();
      expect(bodyText, 'the page title word in Chinese').toContain(zhWord);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      if (smallest) expect(smallest.px, `chart text "${smallest.text}" is ${smallest.px}px`).toBeGreaterThanOrEqual(11);
      await closePage(page);
    },
  );
});
