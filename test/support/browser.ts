/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * A real browser for page tests: Debian's chromium driven by playwright-core. Nothing is downloaded;
 * a machine without chromium or without a Chinese font fails the test and says how to fix it, because
 * a page test that quietly skips proves nothing about what the marketer sees.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const INSTALL_HINT = 'apt-get install -y chromium fonts-wqy-zenhei';
/** The two widths every page must work at: a phone and a desktop. */
export const PHONE = 390;
export const DESKTOP = 1440;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = join(repoRoot, 'out', 'screenshots');

/** What the machine lacks for a browser test; empty when it has everything. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM_PATH)) missing.push(`chromium (no executable at ${CHROMIUM_PATH})`);
  let zhFonts = '';
  try {
    zhFonts = execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' });
  } catch {
    missing.push('fontconfig (fc-list could not run, so no Chinese font can be found)');
    return missing;
  }
  if (zhFonts.trim() === '') missing.push('a Chinese font (fc-list :lang=zh lists none)');
  return missing;
}

/** Throws, naming what is missing and the install command, unless the browser test can run. */
export function assertBrowserPrerequisites(): void {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    throw new Error(
      `browser test cannot run: missing ${missing.join('; ')}. Install with: ${INSTALL_HINT} (as root), then re-run.`,
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  assertBrowserPrerequisites();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

async function newPageAt(browser: Browser, width: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: width <= PHONE ? 844 : 900 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    // A phone width also gets touch, so "tap" paths are what the page offers.
    hasTouch: width <= PHONE,
    isMobile: false,
  });
  return context.newPage();
}

/** Opens an HTML string (no network: the pages are self-contained) at the given width. */
export async function openHtml(browser: Browser, html: string, width: number): Promise<Page> {
  const page = await newPageAt(browser, width);
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

export async function openUrl(browser: Browser, url: string, width: number): Promise<Page> {
  const page = await newPageAt(browser, width);
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

export async function closePage(page: Page): Promise<void> {
  await page.context().close();
}

export interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** The element reaching furthest past the right edge (tag, id/class and its right edge in px). */
  widest: string;
}

/** The page's horizontal overflow, or undefined when nothing runs off the viewport. */
export async function horizontalOverflow(page: Page): Promise<Overflow | undefined> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    if (doc.scrollWidth <= window.innerWidth) return undefined;
    let widest = '';
    let widestRight = -1;
    // An element inside a box that scrolls or clips sideways does not widen the page: skip those.
    const clipped = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (clipped(el)) continue;
      const right = el.getBoundingClientRect().right;
      if (right > widestRight) {
        widestRight = right;
        const id = el.id ? `#${el.id}` : '';
        const cls =
          typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        const text = (el.textContent ?? '').trim().slice(0, 40);
        widest = `<${el.tagName.toLowerCase()}${id}${cls}> right edge ${Math.round(right)}px "${text}"`;
      }
    }
    return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, widest };
  });
}

/** Fails naming the widest offending element when the page is wider than the viewport. */
export async function assertNoHorizontalOverflow(page: Page, label: string): Promise<void> {
  const overflow = await horizontalOverflow(page);
  if (overflow) {
    throw new Error(
      `${label}: page is ${overflow.scrollWidth}px wide in a ${overflow.innerWidth}px viewport; widest element: ${overflow.widest}`,
    );
  }
}

/** Saves a full-page PNG to out/screenshots/<name>-<width>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string, width: number): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The smallest computed font size among visible text-bearing elements matching the selector. */
export async function smallestFontPx(page: Page, selector: string): Promise<{ px: number; text: string } | undefined> {
  return page.evaluate((sel) => {
    let best: { px: number; text: string } | undefined;
    for (const el of Array.from(document.querySelectorAll(sel))) {
      const text = (el.textContent ?? '').trim();
      if (text === '') continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      const declared = Number.parseFloat(getComputedStyle(el).fontSize);
      // SVG text scales with its drawing (viewBox): its on-screen size is the declared size times that scale.
      const px = el instanceof SVGGraphicsElement ? declared * (el.getScreenCTM()?.a ?? 1) : declared;
      if (!best || px < best.px) best = { px, text: text.slice(0, 40) };
    }
    return best;
  }, selector);
}
