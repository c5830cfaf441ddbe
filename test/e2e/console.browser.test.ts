import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { settledLocalPlan } from '../../functions/adapters/local/sharded-plan-runner.ts';
import { planDependencies } from '../../functions/composition.ts';
import { ENV, planExecutionName } from '../../functions/contract.ts';
import { formatInstant } from '../../functions/domain/local-time.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import { systemClock } from '../../functions/ports/clock.ts';
import {
  assertNoHorizontalOverflow,
  closePage,
  DESKTOP,
  launchBrowser,
  openUrl,
  PHONE,
  SCREENSHOT_DIR,
  saveScreenshot,
} from '../support/browser.ts';

/**
 * The console end to end, in chromium against the whole local stack on the real clock: a
 * marketer uploads a segment file and reads its rejects, saves a campaign file (first with a
 * mistake, shown by its JSON path), reads the draft's message texts and cost, test sends, is
 * refused a stale approval in Chinese, approves with confirmation, pauses and resumes while the
 * wave sends, watches the live view count up to the end and opens the report; every page is a
 * shell that fetches its view, as on AWS (without the sign-in); in Chinese and English, at 390 and
 * 1440 px with nothing running off the screen. Every wait is for something on the page.
 */

const CAMPAIGN = 'console-e2e';
const CUSTOMERS = 120;
/** Sending takes about CUSTOMERS / RATE seconds: long enough to pause in the middle. */
const RATE = 4;
const WAIT = { timeout: 240_000 };

let stack: LocalStack;
let http: LocalHttpServer;
let browser: Browser;

beforeAll(async () => {
  stack = await startEphemeralStack({ clock: systemClock, log: (line) => console.error(line) });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  stack.runtime.publicBaseUrl = http.url;
  stack.runtime.scheduler.start(systemClock);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await http?.stop();
  await stack?.stop();
});

/** A zone where it is about noon now, so the test's wave is never in quiet hours, whenever it runs. */
function noonZone(now: number): string {
  let offset = 12 - new Date(now).getUTCHours();
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  // POSIX-style names: Etc/GMT-8 is UTC+8.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

function campaignFile(now: number, extra: Record<string, unknown> = {}) {
  const timezone = noonZone(now);
  // The wave's minute: at least two minutes ahead, so planning and approval are done before it.
  const sendAt = formatInstant(Math.ceil((now + 150_000) / 60_000) * 60_000, timezone).slice(0, 16);
  const tomorrow = formatInstant(now + 86_400_000, timezone).slice(0, 10);
  return {
    id: CAMPAIGN,
    timezone,
    midnight: `${tomorrow}T00:00`,
    smsRatePerSecond: RATE,
    // Not about China's SMS rules (registered templates): those have their own tests.
    smsRules: 'none',
    waves: [
      { id: 'presale', sms: sendAt, audience: ['*'] },
      { id: 'midnight', sms: 'midnight', audience: ['vip'] },
    ],
    caps: { touches: 3, smsPerMonth: 4, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
    testRecipients: ['+8613900139000'],
    ...extra,
  };
}

function segmentCsv(): string {
  const rows = ['customer_id,phone,name'];
  for (let i = 1; i <= CUSTOMERS; i += 1) rows.push(`C${i},1380013${String(i).padStart(4, '0')},客户${i}`);
  rows.push('BAD1,12345,坏行');
  return `${rows.join('\n')}\n`;
}

async function shoot(page: Page, name: string, width: number): Promise<void> {
  await assertNoHorizontalOverflow(page, `${name} at ${width}px`);
  await saveScreenshot(page, `console-${name}`, width);
}

const liveNumber = async (page: Page, key: string) =>
  Number(((await page.textContent(`[data-live="${key}"]`)) ?? '').replace(/,/g, '')) || 0;

describe('the console in chromium', () => {
  it('uploads, plans, reviews, approves with confirmation, pauses and resumes while it sends, and follows it live', async () => {
    // Prepare: the start page, then the campaign's page before any plan.
    const page = await openUrl(browser, `${http.url}/`, DESKTOP);
    expect(await page.textContent('h1')).toBe('打开一个活动');
    await shoot(page, 'start', DESKTOP);
    await page.setViewportSize({ width: PHONE, height: 844 });
    await shoot(page, 'start', PHONE);
    await page.setViewportSize({ width: DESKTOP, height: 900 });
    await page.fill('#campaign-id', CAMPAIGN);
    await Promise.all([page.waitForURL(`**/console/campaigns/${CAMPAIGN}`), page.click('#open-form button')]);
    expect(await page.textContent('main')).toContain('这个活动还没有计划');

    // Act: upload the segment file straight to the bucket; its import shows up with its result.
    await page.setInputFiles('#upload-file', {
      name: 'vip.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(segmentCsv()),
    });
    await page.click('#upload-form button');
    await page.waitForSelector('tr[data-import="segments/console-e2e/vip.csv"][data-status="succeeded"]', WAIT);
    const importRow = await page.textContent('tr[data-import="segments/console-e2e/vip.csv"]');
    expect(importRow, 'the import row shows its imported and rejected counts').toContain(String(CUSTOMERS));
    expect(importRow, 'the import row says who uploaded the file').toContain('上传人 local-marketer');
    await page.click('button[data-rejects="segments/console-e2e/vip.csv"]');
    await page.waitForSelector('#rejects-table');
    expect(await page.textContent('#rejects-table'), 'the bad row is in the rejects table').toContain('phone');

    // A campaign file with a mistake: the problem is listed by its JSON path, nothing is planned.
    const now = Date.now();
    await page.fill('#campaign-json', JSON.stringify(campaignFile(now, { smsRatePerSecond: -1 }), null, 2));
    await page.click('#campaign-form button[type=submit]');
    await page.waitForSelector('#campaign-errors .field-error code[data-path="smsRatePerSecond"]');
    expect(await page.getAttribute('#campaign-json', 'aria-invalid')).toBe('true');
    expect(
      await page.textContent('#campaign-errors .field-error'),
      "the field's problem in Chinese (the API's messageZh), beside its path",
    ).toMatch(/smsRatePerSecond .*[\u4e00-\u9fff]/);
    await shoot(page, 'not-planned', DESKTOP);
    await page.setViewportSize({ width: PHONE, height: 844 });
    await shoot(page, 'not-planned', PHONE);
    await page.setViewportSize({ width: DESKTOP, height: 900 });

    // The right file plans version 1: the page reloads with its plan.
    await page.fill('#campaign-json', JSON.stringify(campaignFile(now), null, 2));
    await Promise.all([page.waitForEvent('load'), page.click('#campaign-form button[type=submit]')]);
    await page.waitForSelector('#plan');

    // Assess: the draft's message texts in every variant, their parts, and the cost.
    const sms = await page.$$eval('#wave-presale .message.sms', (nodes) => nodes.map((n) => n.textContent ?? ''));
    // A wave on the default texts sends each playbook group its own text (shown with a name).
    expect(new Set(sms).size, 'a text per group').toBeGreaterThanOrEqual(2);
    expect(sms.every((text) => text.includes('王小明'))).toBe(true);
    expect(
      sms.every((text) => /\d+ 条计费短信/.test(text)),
      'each text says its SMS parts',
    ).toBe(true);
    expect(await page.textContent('#cost-total')).toMatch(/^¥\d/);
    expect(await page.textContent('#wave-presale table.sends')).toContain(String(CUSTOMERS));

    // Test send to the campaign's own test phone, of one group's text: exactly what that group's customers get.
    const offered = await page.$$eval('#test-group option:not([hidden])', (nodes) =>
      nodes.map((n) => (n as HTMLOptionElement).value),
    );
    expect(offered, "the presale wave's texts by group are offered, and only its").toEqual([...PLAYBOOK_GROUPS]);
    await page.selectOption('#test-group', 'churned');
    const before = stack.runtime.sms.messages().length;
    await page.click('#test-send-form button[type=submit]');
    await page.waitForSelector('#test-result.ok');
    expect(await page.textContent('#test-result')).toMatch(/已发送 \d+ 条测试消息.*所发文案：流失客/);
    const churnedText = await page.$$eval(
      '#wave-presale .message.sms',
      (nodes) =>
        nodes.find((n) => n.querySelector('.label')?.textContent?.includes('流失客'))?.querySelector('.text')
          ?.textContent,
    );
    const tested = stack.runtime.sms.messages().slice(before);
    // The variants differ only in the link (mobile, PC) and the greeting (named or not).
    const shape = (text: string | null | undefined) =>
      (text ?? '').replace(/https?:\/\/\S+/g, '{link}').replace(/^(【[^】]+】)(王小明|亲)/, '$1{name}');
    expect(tested.length, 'the test send reached the SMS sink').toBeGreaterThan(0);
    expect(
      tested.map((message) => shape(message.text)),
      "every test message is the churned group's text as the page shows it",
    ).toEqual(tested.map(() => shape(churnedText)));
    for (const width of [PHONE, DESKTOP]) {
      await page.setViewportSize({ width, height: 900 });
      await shoot(page, 'draft', width);
    }

    // A stale approval: someone planned version 2 meanwhile; the refusal is said in Chinese.
    const replanned = await fetch(`${http.url}/campaigns/${CAMPAIGN}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(campaignFile(now)),
    });
    expect(replanned.status).toBe(201);
    await page.click('[data-action="approve"]');
    await page.waitForSelector('#confirm-approve[open]');
    await page.click('#confirm-approve [data-confirm="approve"]');
    await page.waitForSelector('#action-result.error');
    expect(await page.textContent('#action-result')).toContain('请刷新页面后审批版本 2');

    // Approve version 2, after the confirmation.
    await page.reload();
    await page.click('[data-action="approve"]');
    await page.waitForSelector('#confirm-approve[open]');
    await saveScreenshot(page, 'console-confirm-approve', DESKTOP);
    // The dialog as a phone shows it (the viewport only: a modal covers the screen, not the page).
    await page.setViewportSize({ width: PHONE, height: 844 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `console-confirm-approve-${PHONE}.png`) });
    await page.setViewportSize({ width: DESKTOP, height: 900 });
    await Promise.all([page.waitForEvent('load'), page.click('#confirm-approve [data-confirm="approve"]')]);
    await page.waitForSelector('.badge[data-state="approved"]');

    // The wave starts on time: the live view counts it.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-live="sent"]')?.textContent?.replace(/,/g, '')) > 0,
      undefined,
      WAIT,
    );
    await Promise.all([page.waitForEvent('load'), page.click('[data-action="pause"]')]);
    await page.waitForSelector('.badge[data-state="paused"]');
    await page.waitForFunction(() => document.querySelector('[data-live="sent"]')?.textContent !== '—');
    const sentWhilePaused = await liveNumber(page, 'sent');
    expect(sentWhilePaused, 'a pause in the middle of the wave').toBeLessThan(CUSTOMERS);
    await shoot(page, 'paused', DESKTOP);

    await Promise.all([page.waitForEvent('load'), page.click('[data-action="resume"]')]);
    await page.waitForSelector('.badge[data-state="running"]');
    await page.setViewportSize({ width: PHONE, height: 844 });
    // The live view refreshes by itself until every customer has an outcome.
    await page.waitForFunction(
      (total) => Number(document.querySelector('[data-live="done"]')?.textContent?.replace(/,/g, '')) >= total,
      CUSTOMERS,
      WAIT,
    );
    expect(await liveNumber(page, 'sent')).toBe(CUSTOMERS);
    expect(await liveNumber(page, 'failed')).toBe(0);
    expect(await liveNumber(page, 'unknown')).toBe(0);
    await shoot(page, 'live-done', PHONE);

    // The report opens in a new tab through its own shell, which fetches it as the console does.
    const [report] = await Promise.all([page.context().waitForEvent('page'), page.click('#open-report')]);
    await report.waitForSelector('header h1', WAIT);
    expect(report.url()).toBe(`${http.url}/console/campaigns/${CAMPAIGN}/report`);
    expect(await report.textContent('header h1')).toBe(`${CAMPAIGN} · 活动报告`);
    expect(await report.textContent('body')).toContain(String(CUSTOMERS));
    // A new tab opens at the context's width (the desktop's).
    await shoot(report, 'report', DESKTOP);
    await report.close();

    // English, remembered in a cookie.
    await page.goto(`${http.url}/console/campaigns/${CAMPAIGN}?lang=en`);
    expect(await page.textContent('#plan h2')).toBe('Approved plan: version 2');
    await page.goto(`${http.url}/console/campaigns/${CAMPAIGN}`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    for (const width of [PHONE, DESKTOP]) {
      await page.setViewportSize({ width, height: 900 });
      await shoot(page, 'en', width);
    }
    await closePage(page);
  }, 600_000);

  it('says a campaign at the sharded-plan threshold is being planned in shards, in Chinese and English, and shows the draft once stored', async () => {
    // Prepare: a campaign of its own, its customers imported, the threshold at one customer
    const id = 'console-big';
    await uploadSegmentAndWait(stack.config, `segments/${id}/vip.csv`, segmentCsv());
    const file = JSON.stringify(campaignFile(Date.now(), { id }), null, 2);
    vi.stubEnv(ENV.shardedPlanCustomers, '1');
    try {
      const page = await openUrl(browser, `${http.url}/console/campaigns/${id}`, DESKTOP);

      // Act
      await page.fill('#campaign-json', file);
      await page.click('#campaign-form button[type=submit]');
      await page.waitForSelector('#campaign-errors.ok', WAIT);

      // Assess: said in Chinese with the version, shards and customers; then the stored draft.
      expect(await page.textContent('#campaign-errors')).toBe(
        `客户较多（约 ${CUSTOMERS} 位），草稿版本 1 正在分 2 片规划，通常需要几分钟；完成后刷新本页即可看到。`,
      );
      for (const width of [DESKTOP, PHONE]) {
        await page.setViewportSize({ width, height: 900 });
        await shoot(page, 'sharded-planning', width);
      }
      await settledLocalPlan(planExecutionName(id, 1));
      await page.reload();
      await page.waitForSelector('#plan', WAIT);
      expect(await page.textContent('#plan h2')).toContain('1');

      await page.goto(`${http.url}/console/campaigns/${id}?lang=en`);
      await page.fill('#campaign-json', file);
      await page.click('#campaign-form button[type=submit]');
      await page.waitForSelector('#campaign-errors.ok', WAIT);
      expect(await page.textContent('#campaign-errors')).toBe(
        `A large campaign (about ${CUSTOMERS} customers): draft version 2 is being planned in 2 shards, usually within minutes; reload this page once it is done.`,
      );
      for (const width of [PHONE, DESKTOP]) {
        await page.setViewportSize({ width, height: 900 });
        await shoot(page, 'sharded-planning-en', width);
      }
      await settledLocalPlan(planExecutionName(id, 2));

      // A plan still going (a version reserved with its run noted, as the starter leaves it)
      // and one the reduce refused (texts not registered, found only with the +86 numbers).
      const { lifecycle } = planDependencies(stack.config);
      await lifecycle.reserveVersion(id, 9, new Date().toISOString());
      await lifecycle.markPlanRun(id, 9, { shards: 20, customers: 9_800_000, startedAt: new Date().toISOString() });
      await page.goto(`${http.url}/console/campaigns/${id}?lang=zh`);
      await page.fill('#campaign-json', JSON.stringify({ ...JSON.parse(file), smsRules: 'cn-marketing' }, null, 2));
      await page.click('#campaign-form button[type=submit]');
      await page.waitForSelector('#campaign-errors.ok', WAIT);
      await settledLocalPlan(planExecutionName(id, 3));
      await page.reload();
      await page.waitForSelector('#planning [data-run="3"][data-status="refused"]', WAIT);
      expect(await page.textContent('#planning [data-run="9"]')).toContain('分 20 片规划约 9,800,000 位客户');
      expect(await page.textContent('#planning [data-run="3"]')).toMatch(/草稿版本 3 未生成.*templates\.sms/);
      for (const width of [DESKTOP, PHONE]) {
        await page.setViewportSize({ width, height: 900 });
        await shoot(page, 'sharded-runs', width);
      }
      await page.goto(`${http.url}/console/campaigns/${id}?lang=en`);
      await page.waitForSelector('#planning [data-run="3"]', WAIT);
      expect(await page.textContent('#planning [data-run="3"]')).toContain('Draft version 3 was not planned');
      for (const width of [PHONE, DESKTOP]) {
        await page.setViewportSize({ width, height: 900 });
        await shoot(page, 'sharded-runs-en', width);
      }
      await page.goto(`${http.url}/console/campaigns/${id}?lang=zh`);
      await closePage(page);
    } finally {
      vi.unstubAllEnvs();
    }
  }, 300_000);
});
