/**
 * `campaign simulate`: the whole pipeline through the real handlers on the embedded
 * servers, on a virtual clock from --now to the last send. Segment files are uploaded to
 * the local S3 and imported by the import handler; the campaign file is uploaded and
 * planned by the plan handler into a draft, which the approve use case approves (actor
 * `simulate`); the local scheduler fires the schedules; the send handlers deliver to the
 * local SMS sink and the local SES. Writes the plan files, outbox.jsonl (read back from the
 * sinks), report.json and report.html. The summary goes to stdout; progress and warnings
 * to stderr.
 *
 * The clock is discrete (VirtualClock): time stands still while work runs, so pacing, the
 * sink's rate, the release second and the order events all fall on virtual instants that
 * do not depend on the machine's speed, and the same inputs give byte-identical files.
 * The run's own wall-clock time goes to stderr only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoCampaignStore } from '../adapters/dynamo/campaign-store.ts';
import { DynamoLifecycleStore } from '../adapters/dynamo/lifecycle-store.ts';
import { DynamoTestTouchStore } from '../adapters/dynamo/test-touch-store.ts';
import { type LocalHttpServer, startHttpServer } from '../adapters/local/http-server.ts';
import { type TimedSource, VirtualClock } from '../adapters/local/virtual-clock.ts';
import { S3ObjectStorage } from '../adapters/s3-object-storage.ts';
import { approveDependencies, clientsFor, controlDependencies, reportDependencies } from '../composition.ts';
import { ENV, LOCAL_BASE_URL } from '../contract.ts';
import { CampaignFileError, parseCampaign } from '../domain/campaign.ts';
import { mappingToJson, mergeMappings, toColumnMapping } from '../domain/column-mapping.ts';
import { formatInstant } from '../domain/local-time.ts';
import { SIGNATURE_TOLERANCE_SECONDS, signBody } from '../domain/orders.ts';
import type { PlanHandlerResult } from '../handlers/plan-campaign.ts';
import { playSchedules, type TimedEvents } from '../local/play.ts';
import { readTapLines, TrackedLinkTaps } from '../local/play-clicks.ts';
import { localRoutes } from '../local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../local/stack.ts';
import { uploadSegmentAndWait } from '../local/uploads.ts';
import type { Touch } from '../ports/campaign-store.ts';
import type { TestTouch } from '../ports/test-touch-store.ts';
import { approveCampaign } from '../usecases/approve-campaign.ts';
import { buildReport } from '../usecases/build-report.ts';
import { type ControlDeps, controlCampaign } from '../usecases/control-campaign.ts';
import { CampaignError } from '../usecases/errors.ts';
import { columnsKeyFor, rejectsKeyFor } from '../usecases/import-segment.ts';
import { testCustomerId, testSendId } from '../usecases/test-send.ts';
import { bilingualPages } from '../views/page-files.ts';
import { renderReportPage } from '../views/report-page.ts';
import { renderTimelinePage } from '../views/timeline-page.ts';
import { columnLines, readColumnsFile } from './columns-file.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type CommandHelp } from './help.ts';
import { parsePlanOptions, planOptionHelp, readCampaignFile } from './plan-command.ts';
import { JsonLinesFile } from './plan-files.ts';
import { bar, formatCount, progressOn } from './progress.ts';

export const SIMULATE_USAGE =
  'campaign simulate --campaign FILE --customers FILE [--customers FILE ...] [--now ISO] --out DIR [--orders FILE] [--clicks FILE] [--sms-rate N] [--pause-at ISO [--resume-at ISO]] [--quiet]';

export const SIMULATE_HELP: CommandHelp = {
  name: 'campaign simulate',
  summary: 'run a whole campaign on the embedded local services, on a virtual clock',
  usage: SIMULATE_USAGE,
  description: [
    'Starts its own local DynamoDB, S3, SES, SMS sink and scheduler (free ports, nothing kept),',
    'and runs the real handlers: each segment file is uploaded to the local S3 and imported by',
    'the import handler, the campaign file is uploaded and planned by the plan handler into a',
    'draft, which is approved (actor "simulate") as a marketer would approve it; the local',
    'scheduler fires every send on a discrete virtual clock from --now to the last send, the',
    'send handlers deliver to the local SMS sink and SES, and each order event is posted,',
    'signed, to the local order webhook at its time. The same inputs give byte-identical files,',
    "whatever the machine's speed. No AWS account needed.",
    'The summary goes to stdout; progress and warnings to stderr.',
  ],
  options: [
    ...planOptionHelp({
      text:
        'where the virtual clock starts, and the planning instant: ISO 8601 with an offset\n' +
        '(2026-10-20T12:00:00+08:00); sends before it are dropped (reason "past")',
      default: 'the current time',
      zh: {
        text: '虚拟时钟的起点，也是规划时刻：带时区偏移的 ISO 8601\n（2026-10-20T12:00:00+08:00）；早于它的发送被丢弃（原因 "past"）',
        default: '当前时间',
      },
    }),
    {
      flag: '--orders FILE',
      text: 'order events, one JSON line each: {"at": ISO, "event": <webhook body>},\nposted signed at their time (`campaign sample --orders` writes such a file)',
      default: 'none',
      zh: {
        text: '订单事件，每行一个 JSON：{"at": ISO, "event": <webhook 请求体>}，\n在各自的时间签名后发出（`campaign sample --orders` 会写出这样的文件）',
        default: '无',
      },
    },
    {
      flag: '--clicks FILE',
      text: 'taps on the tracked links, one JSON line each: {"at": ISO, "click": {"customerId", "waveId"}},\nfollowed on the local HTTP API at their time (`campaign sample --clicks` writes such a file)',
      default: 'none',
      zh: {
        text: '跟踪链接的点击，每行一个 JSON：{"at": ISO, "click": {"customerId", "waveId"}}，\n在各自的时间于本地 HTTP API 上打开（`campaign sample --clicks` 会写出这样的文件）',
        default: '无',
      },
    },
    {
      flag: '--sms-rate N',
      text: 'messages a second the local SMS sink accepts; past it, it answers\nas SNS throttling does',
      default: "the campaign's smsRatePerSecond",
      zh: { text: '本地短信接收端每秒接受的消息数；超过时像 SNS 限流那样应答', default: '活动的 smsRatePerSecond' },
    },
    {
      flag: '--pause-at ISO',
      text:
        'pauses the whole campaign at this virtual instant (ISO 8601 with an offset), as the\n' +
        'pause route does (actor "simulate"): nothing more is sent from a second after it',
      default: 'no pause',
      zh: {
        text: '在这个虚拟时刻（带时区偏移的 ISO 8601）暂停整个活动，与暂停接口相同\n（操作人 "simulate"）：从其后一秒起不再发送',
        default: '不暂停',
      },
    },
    {
      flag: '--resume-at ISO',
      text:
        'resumes it at this later virtual instant: the sends go on where they stopped; what would\n' +
        'now land outside its window (quiet hours, the next wave, its month, the resume grace) is\n' +
        'dropped as "expired"',
      default: 'paused to the end',
      zh: {
        text: '在之后的这个虚拟时刻恢复：从停下处继续发送；此时会落在窗口之外的消息\n（免打扰时段、下一个波次、所在月份、恢复宽限期）按 "expired" 丢弃',
        default: '一直暂停到结束',
      },
    },
    {
      flag: '--base-url URL',
      text:
        'the base the links in the messages are written with (unsubscribe): fixed, so the\n' +
        "outbox is the same on every run; the simulation's own server listens on a free port",
      default: 'PUBLIC_BASE_URL, else http://127.0.0.1:3000 (where npm start listens)',
      zh: {
        text: '消息中链接（退订）使用的基础地址：固定不变，所以每次运行的 outbox 相同；\n模拟自己的服务器监听一个空闲端口',
        default: 'PUBLIC_BASE_URL，否则 http://127.0.0.1:3000（npm start 监听的地址）',
      },
    },
    ...COMMON_OPTIONS,
  ],
  outputs: [
    'DIR/timeline.json, touches.jsonl, rejects.jsonl, timeline.html: the plan, as campaign plan writes it',
    'DIR/outbox.jsonl: every message the local SMS sink and SES received, read back from them (test messages marked "test": true)',
    'DIR/report.json, report.html: per wave and channel, sent, failed, suppressed, expired, cancelled, orders, revenue, ROI',
  ],
  exitCodes: [
    '0  simulated',
    '2  invalid input (the message on stderr names the option, the JSON path or the file)',
    '1  shard messages ended in the dead letters, or anything unexpected',
  ],
  zh: {
    outputs: [
      'DIR/timeline.json、touches.jsonl、rejects.jsonl、timeline.html：计划，与 campaign plan 写出的相同',
      'DIR/outbox.jsonl：本地短信接收端和 SES 收到的每条消息，从它们读回（测试消息标记 "test": true）',
      'DIR/report.json、report.html：每个波次和渠道的已发送、失败、被抑制、过期、取消、订单、收入、ROI',
    ],
    exitCodes: [
      '0  已模拟',
      '2  输入有误（stderr 上的信息会指出选项、JSON 路径或文件）',
      '1  有发送批次的消息进了死信队列，或意外错误',
    ],
  },
  examples: [
    'campaign simulate --campaign functions/sample/d11-2026.campaign.json\n' +
      '--customers out/demo/customers.csv --orders out/demo/orders.jsonl\n' +
      '--now 2026-10-20T12:00:00+08:00 --out out/demo',
    'campaign simulate --campaign functions/sample/d11-2026.campaign.json\n' +
      '--customers out/demo/customers.csv --now 2026-10-20T12:00:00+08:00 --sms-rate 10\n' +
      '--pause-at 2026-11-11T00:00:20+08:00 --resume-at 2026-11-11T00:05:00+08:00 --out out/paused',
  ],
};

const BUCKET = 'campaign-data';
/** Where `npm start` listens by default: links in a simulated message point there. */
const SIMULATION_BASE_URL = LOCAL_BASE_URL;
/** Order events wait at most this long (virtual) for the clock to post them: a fifth of the signature tolerance. */
const ORDER_WINDOW_MS = (SIGNATURE_TOLERANCE_SECONDS * 1000) / 5;
/** Order webhooks in flight at once (different customers). */
const ORDER_POSTS_AT_ONCE = 8;

export async function runSimulate(args: string[]): Promise<number> {
  const { options, values } = parsePlanOptions(args, {
    'sms-rate': { type: 'string' },
    orders: { type: 'string' },
    clicks: { type: 'string' },
    'base-url': { type: 'string' },
    'pause-at': { type: 'string' },
    'resume-at': { type: 'string' },
  });
  const progress = progressOn(process.stderr, options.quiet);
  // The handlers' per-message logs would drown the progress; warnings and errors still show.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const campaignText = await readCampaignFile(options.campaignFile);
  let campaign: ReturnType<typeof parseCampaign>;
  try {
    campaign = parseCampaign(campaignText);
  } catch (error) {
    if (error instanceof CampaignFileError) throw error;
    throw new UsageError(`--campaign: ${(error as Error).message}`, { zh: `--campaign：${(error as Error).message}` });
  }
  const columns = options.columnsFile === undefined ? undefined : await readColumnsFile(options.columnsFile);
  const extra = values as Record<string, unknown>;
  const smsRate = positive('--sms-rate', extra['sms-rate'] as string | undefined) ?? campaign.smsRatePerSecond;
  const orders = extra.orders ? await readOrderLines(extra.orders as string) : [];
  const taps = extra.clicks ? await tapLines(extra.clicks as string) : [];
  const baseUrl = linkBase((extra['base-url'] as string | undefined) ?? process.env[ENV.publicBaseUrl]);
  const controls = controlTimes(
    options.now,
    extra['pause-at'] as string | undefined,
    extra['resume-at'] as string | undefined,
  );
  const started = performance.now();
  const clock = new VirtualClock(options.now);
  // The order webhook checks signatures with WEBHOOK_SECRET; a simulation signs with its own.
  process.env.WEBHOOK_SECRET ??= randomBytes(24).toString('hex');
  const workDir = await mkdtemp(join(tmpdir(), 'campaign-simulate-'));
  let planned: PlanHandlerResult | undefined;
  const stack = await startEphemeralStack({
    dataBucket: BUCKET,
    dataDir: workDir,
    clock,
    smsRatePerSecond: Math.max(1, Math.floor(smsRate)),
    onPlanned: (result) => {
      planned = result;
    },
  });
  let http: LocalHttpServer | undefined;
  try {
    http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
    // The links are written with a fixed base, not this server's free port: the same inputs give the same outbox.
    stack.runtime.publicBaseUrl = baseUrl;
    const { config } = stack;
    const clients = clientsFor(config);

    // 1. Segment files, through S3 and the import handler, read with the campaign's column
    // mapping (and --columns over it) as a marketer gives it to uploads: beside the files.
    const mapping = mergeMappings(toColumnMapping(campaign.columns), columns?.mapping ?? new Map());
    if (mapping.size > 0) {
      await clients.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: columnsKeyFor(campaign.id),
          Body: JSON.stringify(mappingToJson(mapping)),
          ContentType: 'application/json',
        }),
      );
    }
    const keys: string[] = [];
    for (const path of options.customerFiles) {
      const name = path.split(/[\\/]/).pop() as string;
      const key = `segments/${campaign.id}/${name}`;
      keys.push(key);
      const record = await uploadSegmentAndWait(
        stack.config,
        key,
        await readFile(path),
        (rows) => progress.update(`importing ${key} ${formatCount(rows)} rows...`),
        key.toLowerCase().endsWith('.xlsx') ? options.sheet : undefined,
      );
      progress.result(
        `imported ${key}: ${formatCount(record.imported)} customers, ${formatCount(record.rejected)} rejected (${record.status})`,
      );
      for (const line of columnLines(record)) progress.result(`  ${line}`);
    }

    // 2. The campaign file, through S3 and the plan handler.
    await clients.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `campaigns/${campaign.id}.json`, Body: campaignText }),
    );
    while (!planned) await new Promise((resolve) => setTimeout(resolve, 100));
    if (planned.status !== 'planned') {
      const problems =
        planned.status === 'refused'
          ? planned.problems
          : planned.status === 'planning'
            ? [`${planned.customers} customers are planned in shards; simulate plans in one process`]
            : [planned.reason];
      throw new UsageError(`the plan handler refused the campaign:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
        zh: `规划处理程序拒绝了该活动：\n${problems.map((p) => `  ${p}`).join('\n')}`,
      });
    }
    // 3. Approved as a marketer would, through the same use case as the approve route.
    const approved = await approveCampaign(approveDependencies(config), {
      campaignId: planned.campaignId,
      version: planned.version,
      actor: 'simulate',
      now: clock.now(),
    });
    progress.result(
      `planned ${planned.campaignId} (draft v${planned.version}), approved: ${approved.scheduled.length} sends scheduled`,
    );

    // 4. The clock runs; the scheduler fires; the workers send. Idle stretches are jumped.
    const { sendQueue, sms } = stack.runtime;
    const totalTouches = await countPlanned(stack.config, campaign.id);
    const webhook = new SignedOrderPoster(`${http.url}/webhooks/orders`, process.env.WEBHOOK_SECRET as string, orders);
    const control = new TimedControls(controlDependencies(config), campaign, controls, (line) => progress.result(line));
    const clicks = new TrackedLinkTaps(http.url, sms, taps);
    await playSchedules(stack.runtime, clock, {
      // At one instant: taps, order events, then the marketer's controls, then the schedules.
      events: combineSources([clicks, webhook, control]),
      onTick: () =>
        progress.update(
          `simulating ${formatInstant(clock.now(), campaign.timezone)} ${bar(sms.messages().length / Math.max(1, totalTouches.sms))} ${formatCount(sms.messages().length)} SMS`,
        ),
    });
    progress.result(`sent: ${formatCount(sms.messages().length)} SMS accepted by the local SMS sink`);
    if (orders.length > 0) {
      progress.result(
        `orders: ${Object.entries(webhook.responses)
          .map(([status, count]) => `${formatCount(count)} x ${status}`)
          .join(', ')} from the webhook`,
      );
    }

    if (taps.length > 0) {
      progress.result(
        `clicks: ${Object.entries(clicks.answers)
          .map(([status, count]) => `${formatCount(count)} x ${status}`)
          .join(', ')} from the tracked links`,
      );
    }

    // 5. The files.
    await writeOutputs(stack, campaign.id, options.outDir, keys);
    progress.result(
      `wrote ${options.outDir}: timeline.json, touches.jsonl, rejects.jsonl, timeline.html, timeline.en.html, outbox.jsonl, report.json, report.html, report.en.html`,
    );
    // The one wall-clock fact of the run: on stderr, never in the files, which repeat exactly.
    progress.done(
      `simulated ${formatInstant(options.now, campaign.timezone)} to ${formatInstant(clock.now(), campaign.timezone)} in ${formatSeconds((performance.now() - started) / 1000)} of wall-clock time`,
    );
    if (sendQueue.deadLetters.length > 0) {
      progress.warn(`warning: ${sendQueue.deadLetters.length} shard messages ended in the dead letters`);
      return 1;
    }
    return 0;
  } finally {
    await http?.stop();
    await stack.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** The links' base: an http(s) URL without query or fragment, kept without its trailing slash. */
function linkBase(text: string | undefined): string {
  if (text === undefined) return SIMULATION_BASE_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--base-url: "${text}" is not a URL`, { zh: `--base-url："${text}" 不是网址` });
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new UsageError(`--base-url: "${text}" must be an http(s) URL without query or fragment`, {
      zh: `--base-url："${text}" 必须是不带查询和片段的 http(s) 地址`,
    });
  }
  return text.replace(/\/+$/, '');
}

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag}: "${text}" is not a positive number`, { zh: `${flag}："${text}" 不是正数` });
  return value;
}

async function countPlanned(config: Parameters<typeof clientsFor>[0], campaignId: string) {
  const campaigns = new DynamoCampaignStore(clientsFor(config).documents, config.tables.campaigns);
  const counts = { sms: 0, email: 0 };
  for (const send of await campaigns.getSends(campaignId)) counts[send.channel] += send.customers;
  return counts;
}

interface SesStoredEmail {
  messageId: string;
  destination?: { to?: string[] };
  subject?: string;
  body?: { text?: string; html?: string };
}

export async function writeOutputs(
  stack: LocalStack,
  campaignId: string,
  outDir: string,
  segmentKeys: string[],
): Promise<void> {
  const { config, runtime } = stack;
  const clients = clientsFor(config);
  const versions = new DynamoLifecycleStore(clients.documents, config.tables.campaigns);
  const storage = new S3ObjectStorage(clients.s3, BUCKET);
  // The version that was sent; before any approval (test sends of a draft), the latest.
  const lifecycle = await versions.getLifecycle(campaignId);
  const shown = lifecycle?.approvedVersion ?? lifecycle?.latestVersion;
  const plan = shown === undefined ? undefined : await versions.getVersion(campaignId, shown);
  if (!plan) throw new Error(`no planned version of ${campaignId}`);
  const { report, touches } = await buildReport(reportDependencies(config), campaignId);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(outDir, { recursive: true });

  await writeFile(join(outDir, 'timeline.json'), `${JSON.stringify(plan.timeline, null, 2)}\n`);
  for (const page of bilingualPages(join(outDir, 'timeline'), (lang, otherHref) =>
    renderTimelinePage(plan.timeline, { lang, otherHref }),
  ))
    await writeFile(page.path, page.html);
  const sendOrder = new Map(plan.timeline.sends.map((send, position) => [send.id, position]));
  const sendAt = new Map(plan.timeline.sends.map((send) => [send.id, send.at]));
  const ordered = [...touches].sort(
    (a, b) => (sendOrder.get(a.sendId) ?? 0) - (sendOrder.get(b.sendId) ?? 0) || (a.customerId < b.customerId ? -1 : 1),
  );
  const touchFile = new JsonLinesFile(join(outDir, 'touches.jsonl'));
  for (const touch of ordered) {
    await touchFile.writeLine(
      JSON.stringify({
        customerId: touch.customerId,
        waveId: touch.waveId,
        channel: touch.channel,
        sendId: touch.sendId,
        at: sendAt.get(touch.sendId),
      }),
    );
  }
  await touchFile.close();

  const rejects = new JsonLinesFile(join(outDir, 'rejects.jsonl'));
  for (const key of segmentKeys) {
    const head = await storage.head(rejectsKeyFor(key));
    if (!head) continue;
    let text = '';
    for await (const chunk of storage.read(rejectsKeyFor(key))) text += Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') await rejects.writeLine(line);
  }
  await rejects.close();

  // The outbox comes from what the sinks received, matched to touches by message id and
  // address (aws-ses-v2-local's ids are 9 random digits: they collide in a large campaign,
  // so touches sharing a key are taken in the order they were sent, as the SES store lists them).
  const byMessage = new Map<string, Touch[]>();
  const sentOrder = [...touches].sort(
    (a, b) => compareText(a.updatedAt ?? '', b.updatedAt ?? '') || compareText(a.sendId, b.sendId),
  );
  for (const touch of sentOrder) {
    if (!touch.providerMessageId) continue;
    const key = `${touch.providerMessageId}|${touch.address}`;
    const list = byMessage.get(key);
    if (list) list.push(touch);
    else byMessage.set(key, [touch]);
  }
  const outbox: Array<{
    customerId: string;
    channel: string;
    waveId: string;
    sendId: string;
    at: string;
    body: string;
    /** A test send's message: never one of the plan's touches. */
    test?: true;
  }> = [];
  for (const message of runtime.sms.messages()) {
    outbox.push({
      customerId: message.tags.customerId,
      channel: 'sms',
      waveId: message.tags.waveId,
      sendId: message.tags.sendId,
      at: formatInstant(message.at, plan.campaign.timezone),
      body: message.text,
      ...(message.tags.test ? { test: true as const } : {}),
    });
  }
  // Test mails are matched to the test record, as the campaign's are to its touches.
  const testMails = new Map<string, TestTouch>();
  for (const touch of await new DynamoTestTouchStore(clients.documents, config.tables.touches).list(campaignId)) {
    if (touch.providerMessageId) testMails.set(`${touch.providerMessageId}|${touch.address}`, touch);
  }
  const store = (await (await fetch(`${config.endpoints.ses}/store`)).json()) as { emails?: SesStoredEmail[] };
  for (const email of store.emails ?? []) {
    const key = `${email.messageId}|${email.destination?.to?.[0] ?? ''}`;
    const test = testMails.get(key);
    if (test) {
      outbox.push({
        customerId: testCustomerId(test.address),
        channel: 'email',
        waveId: test.waveId,
        sendId: testSendId(test.waveId),
        at: formatInstant(Date.parse(test.at), plan.campaign.timezone),
        body: `${email.subject ?? ''}\n\n${email.body?.text ?? ''}`,
        test: true,
      });
      continue;
    }
    const touch = byMessage.get(key)?.shift();
    if (!touch) continue;
    outbox.push({
      customerId: touch.customerId,
      channel: 'email',
      waveId: touch.waveId,
      sendId: touch.sendId,
      // When the send path recorded the outcome: on the virtual clock, the instant SES took it.
      at: touch.updatedAt ? formatInstant(Date.parse(touch.updatedAt), plan.campaign.timezone) : '',
      body: `${email.subject ?? ''}\n\n${email.body?.text ?? ''}`,
    });
  }
  // A total order on what was received, so no tie is left to the order the sinks were read in.
  outbox.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      compareText(a.customerId, b.customerId) ||
      compareText(a.channel, b.channel) ||
      compareText(a.sendId, b.sendId) ||
      compareText(a.body, b.body),
  );
  const outboxFile = new JsonLinesFile(join(outDir, 'outbox.jsonl'));
  for (const entry of outbox) await outboxFile.writeLine(JSON.stringify(entry));
  await outboxFile.close();

  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const page of bilingualPages(join(outDir, 'report'), (lang, otherHref) =>
    renderReportPage(report, { lang, otherHref }),
  ))
    await writeFile(page.path, page.html);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function tapLines(path: string) {
  try {
    return await readTapLines(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ? `cannot read ${path}` : (error as Error).message;
    throw new UsageError(`--clicks: ${why}`, { zh: `--clicks：${why}` });
  }
}

interface OrderLineInput {
  at: string;
  event: unknown;
}

async function readOrderLines(path: string): Promise<OrderLineInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--orders: cannot read ${path}`, { zh: `--orders：无法读取 ${path}` });
  }
  const lines: OrderLineInput[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    let value: { at?: unknown; event?: unknown };
    try {
      value = JSON.parse(raw);
    } catch {
      throw new UsageError(`--orders: line ${index + 1} is not JSON`, { zh: `--orders：第 ${index + 1} 行不是 JSON` });
    }
    if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at)) || value.event === undefined) {
      throw new UsageError(`--orders: line ${index + 1} needs "at" (ISO 8601) and "event" (the webhook body)`, {
        zh: `--orders：第 ${index + 1} 行需要 "at"（ISO 8601）和 "event"（webhook 请求体）`,
      });
    }
    lines.push({ at: value.at, event: value.event });
  }
  return lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * Posts each order line, signed as the store signs at its own virtual time, to the local
 * HTTP API. Lines between two stops of the clock are posted together when the clock stops
 * (one customer's in file order, different customers' at once): order events change only
 * their customer's orders, and nothing else reads orders between two stops, so every step
 * of the send path sees exactly the events up to its own instant, as if each had come
 * alone. The clock stops for them at least every ORDER_WINDOW_MS, well within the
 * webhook's signature tolerance.
 */
class SignedOrderPoster implements TimedEvents {
  private next = 0;
  readonly responses: Record<string, number> = {};

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly lines: OrderLineInput[],
  ) {}

  nextAt(): number | undefined {
    const first = this.lines[this.next];
    if (!first) return undefined;
    // The last line within the window after the first waiting one: the clock stops there at the latest.
    let last = Date.parse(first.at);
    for (let index = this.next + 1; index < this.lines.length; index += 1) {
      const at = Date.parse((this.lines[index] as OrderLineInput).at);
      if (at > Date.parse(first.at) + ORDER_WINDOW_MS) break;
      last = at;
    }
    return last;
  }

  async deliverDue(now: number): Promise<void> {
    const byCustomer = new Map<string, OrderLineInput[]>();
    for (let line = this.lines[this.next]; line && Date.parse(line.at) <= now; line = this.lines[this.next]) {
      this.next += 1;
      const customer = customerOf(line.event, this.next);
      const lines = byCustomer.get(customer);
      if (lines) lines.push(line);
      else byCustomer.set(customer, [line]);
    }
    const queues = [...byCustomer.values()];
    const poster = async () => {
      for (let lines = queues.shift(); lines; lines = queues.shift()) {
        for (const line of lines) await this.post(line);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ORDER_POSTS_AT_ONCE, queues.length) }, poster));
  }

  private async post(line: OrderLineInput): Promise<void> {
    const body = JSON.stringify(line.event);
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': signBody(body, this.secret, Date.parse(line.at)),
      },
      body,
    });
    await response.arrayBuffer();
    this.responses[response.status] = (this.responses[response.status] ?? 0) + 1;
  }
}

/** The customer an order line is about; a line without one is posted on its own (the webhook answers it). */
function customerOf(event: unknown, lineIndex: number): string {
  const customerId = (event as { order?: { customerId?: unknown } } | null)?.order?.customerId;
  return typeof customerId === 'string' ? `customer:${customerId}` : `line:${lineIndex}`;
}

interface TimedControl {
  at: number;
  action: 'pause' | 'resume';
}

/** --pause-at and --resume-at as instants: at or after --now, the resume after the pause. */
function controlTimes(now: number, pauseText: string | undefined, resumeText: string | undefined): TimedControl[] {
  if (resumeText !== undefined && pauseText === undefined) {
    throw new UsageError('--resume-at: needs --pause-at (only a paused campaign can be resumed)', {
      zh: '--resume-at：需要 --pause-at（只有已暂停的活动才能恢复）',
    });
  }
  if (pauseText === undefined) return [];
  const pauseAt = instantOption('--pause-at', pauseText);
  if (pauseAt < now)
    throw new UsageError(`--pause-at: ${pauseText} is before --now; the clock starts at --now`, {
      zh: `--pause-at：${pauseText} 早于 --now；时钟从 --now 开始`,
    });
  if (resumeText === undefined) return [{ at: pauseAt, action: 'pause' }];
  const resumeAt = instantOption('--resume-at', resumeText);
  if (resumeAt <= pauseAt)
    throw new UsageError(`--resume-at: ${resumeText} is not after --pause-at ${pauseText}`, {
      zh: `--resume-at：${resumeText} 不晚于 --pause-at ${pauseText}`,
    });
  return [
    { at: pauseAt, action: 'pause' },
    { at: resumeAt, action: 'resume' },
  ];
}

function instantOption(flag: string, text: string): number {
  // An instant needs an offset: without one it would depend on the machine's zone.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(
      `${flag}: "${text}" is not an ISO 8601 instant with an offset, e.g. 2026-11-11T00:00:20+08:00`,
      { zh: `${flag}："${text}" 不是带时区偏移的 ISO 8601 时刻，例如 2026-11-11T00:00:20+08:00` },
    );
  }
  return Date.parse(text);
}

/**
 * The marketer's pause and resume at their virtual instants, through the control use case
 * the pause and resume routes call (actor `simulate`). A refusal (a campaign already
 * completed) is said on stderr; the run goes on.
 */
class TimedControls implements TimedSource {
  private next = 0;

  constructor(
    private readonly deps: ControlDeps,
    private readonly campaign: { id: string; timezone: string },
    private readonly controls: readonly TimedControl[],
    private readonly say: (line: string) => void,
  ) {}

  nextAt(): number | undefined {
    return this.controls[this.next]?.at;
  }

  async deliverDue(now: number): Promise<void> {
    for (let control = this.controls[this.next]; control && control.at <= now; control = this.controls[this.next]) {
      this.next += 1;
      try {
        const { lifecycle } = await controlCampaign(this.deps, {
          campaignId: this.campaign.id,
          action: control.action,
          actor: 'simulate',
          reason: `campaign simulate --${control.action}-at`,
        });
        this.say(
          `${control.action}d at ${formatInstant(now, this.campaign.timezone)}: the campaign is ${lifecycle.state}`,
        );
      } catch (error) {
        if (!(error instanceof CampaignError)) throw error;
        this.say(`${control.action} at ${formatInstant(now, this.campaign.timezone)} refused: ${error.message}`);
      }
    }
  }
}

/** Several outside sources as one, delivered in the given order at each stop. */
function combineSources(sources: readonly TimedSource[]): TimedEvents {
  return {
    nextAt: () => {
      const times = sources.map((source) => source.nextAt()).filter((at): at is number => at !== undefined);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    deliverDue: async (now) => {
      for (const source of sources) await source.deliverDue(now);
    },
  };
}
