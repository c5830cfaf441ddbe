/**
 * `campaign simulate`: the whole pipeline through the real handlers on the embedded
 * servers, on a virtual clock from --now to the last send. Segment files are uploaded to
 * the local S3 and imported by the import handler; the campaign file is uploaded and
 * planned by the plan handler; the local scheduler fires the schedules; the send handlers
 * deliver to the local SMS sink and the local SES. Writes the plan files, outbox.jsonl
 * (read back from the sinks), report.json and report.html. The summary goes to stdout;
 * progress and warnings to stderr.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoCampaignStore } from '../adapters/dynamo/campaign-store.ts';
import { DynamoTestTouchStore } from '../adapters/dynamo/test-touch-store.ts';
import { type LocalHttpServer, startHttpServer } from '../adapters/local/http-server.ts';
import { VirtualClock } from '../adapters/local/virtual-clock.ts';
import { S3ObjectStorage } from '../adapters/s3-object-storage.ts';
import { clientsFor, reportDependencies } from '../composition.ts';
import { CampaignFileError, parseCampaign } from '../domain/campaign.ts';
import { formatInstant } from '../domain/local-time.ts';
import { signBody } from '../domain/orders.ts';
import type { PlanHandlerResult } from '../handlers/plan-campaign.ts';
import { playSchedules, type TimedEvents } from '../local/play.ts';
import { localRoutes } from '../local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../local/stack.ts';
import { uploadSegmentAndWait } from '../local/uploads.ts';
import type { Touch } from '../ports/campaign-store.ts';
import type { TestTouch } from '../ports/test-touch-store.ts';
import { buildReport } from '../usecases/build-report.ts';
import { rejectsKeyFor } from '../usecases/import-segment.ts';
import { testCustomerId, testSendId } from '../usecases/test-send.ts';
import { renderReportPage } from '../views/report-page.ts';
import { renderTimelinePage } from '../views/timeline-page.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type CommandHelp } from './help.ts';
import { parsePlanOptions, planOptionHelp, readCampaignFile } from './plan-command.ts';
import { JsonLinesFile } from './plan-files.ts';
import { bar, formatCount, progressOn } from './progress.ts';

export const SIMULATE_USAGE =
  'campaign simulate --campaign FILE --customers FILE [--customers FILE ...] [--now ISO] --out DIR [--orders FILE] [--sms-rate N] [--speed N] [--quiet]';

export const SIMULATE_HELP: CommandHelp = {
  name: 'campaign simulate',
  summary: 'run a whole campaign on the embedded local services, on a virtual clock',
  usage: SIMULATE_USAGE,
  description: [
    'Starts its own local DynamoDB, S3, SES, SMS sink and scheduler (free ports, nothing kept),',
    'and runs the real handlers: each segment file is uploaded to the local S3 and imported by',
    'the import handler, the campaign file is uploaded and planned by the plan handler, the',
    'local scheduler fires every send on a virtual clock from --now to the last send (idle',
    'stretches skipped), the send handlers deliver to the local SMS sink and SES, and each order',
    'event is posted, signed, to the local order webhook at its time. No AWS account needed.',
    'The summary goes to stdout; progress and warnings to stderr.',
  ],
  options: [
    ...planOptionHelp({
      text:
        'where the virtual clock starts, and the planning instant: ISO 8601 with an offset\n' +
        '(2026-10-20T12:00:00+08:00); sends before it are dropped (reason "past")',
      default: 'the current time',
    }),
    {
      flag: '--orders FILE',
      text: 'order events, one JSON line each: {"at": ISO, "event": <webhook body>},\nposted signed at their time (`campaign sample --orders` writes such a file)',
      default: 'none',
    },
    {
      flag: '--sms-rate N',
      text: 'messages a second the local SMS sink accepts; past it, it answers\nas SNS throttling does',
      default: "the campaign's smsRatePerSecond",
    },
    {
      flag: '--speed N',
      text: 'how many times faster than real time the virtual clock runs while sending',
      default: '300 / the SMS rate, kept within 1 to 100',
    },
    ...COMMON_OPTIONS,
  ],
  outputs: [
    'DIR/timeline.json, touches.jsonl, rejects.jsonl, timeline.html: the plan, as campaign plan writes it',
    'DIR/outbox.jsonl: every message the local SMS sink and SES received, read back from them (test messages marked "test": true)',
    'DIR/report.json, report.html: per wave and channel, sent, failed, suppressed, orders, revenue, ROI',
  ],
  exitCodes: [
    '0  simulated',
    '2  invalid input (the message on stderr names the option, the JSON path or the file)',
    '1  shard messages ended in the dead letters, or anything unexpected',
  ],
  examples: [
    'campaign simulate --campaign functions/sample/d11-2026.campaign.json\n' +
      '--customers out/demo/customers.csv --orders out/demo/orders.jsonl\n' +
      '--now 2026-10-20T12:00:00+08:00 --out out/demo',
  ],
};

const BUCKET = 'campaign-data';

export async function runSimulate(args: string[]): Promise<number> {
  const { options, values } = parsePlanOptions(args, {
    'sms-rate': { type: 'string' },
    speed: { type: 'string' },
    orders: { type: 'string' },
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
    throw new UsageError(`--campaign: ${(error as Error).message}`);
  }
  const extra = values as Record<string, unknown>;
  const smsRate = positive('--sms-rate', extra['sms-rate'] as string | undefined) ?? campaign.smsRatePerSecond;
  // Fast enough to finish in minutes, slow enough for the local database to keep the pace.
  const speed =
    positive('--speed', extra.speed as string | undefined) ?? Math.max(1, Math.min(100, Math.floor(300 / smsRate)));
  const orders = extra.orders ? await readOrderLines(extra.orders as string) : [];
  const clock = new VirtualClock(options.now, speed);
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
    // Up before anything is planned or sent: the emails' unsubscribe links carry its real port.
    http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
    stack.runtime.publicBaseUrl = http.url;
    const { config } = stack;
    const clients = clientsFor(config);

    // 1. Segment files, through S3 and the import handler.
    const keys: string[] = [];
    for (const path of options.customerFiles) {
      const name = path.split(/[\\/]/).pop() as string;
      const key = `segments/${campaign.id}/${name}`;
      keys.push(key);
      const record = await uploadSegmentAndWait(stack.config, key, await readFile(path), (rows) =>
        progress.update(`importing ${key} ${formatCount(rows)} rows...`),
      );
      progress.result(
        `imported ${key}: ${formatCount(record.imported)} customers, ${formatCount(record.rejected)} rejected (${record.status})`,
      );
    }

    // 2. The campaign file, through S3 and the plan handler.
    await clients.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `campaigns/${campaign.id}.json`, Body: campaignText }),
    );
    while (!planned) await new Promise((resolve) => setTimeout(resolve, 100));
    if (planned.status !== 'planned') {
      const problems = planned.status === 'refused' ? planned.problems : [planned.reason];
      throw new UsageError(`the plan handler refused the campaign:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    }
    progress.result(`planned ${planned.campaignId} (v${planned.version}): ${planned.sends} sends scheduled`);

    // 3. The clock runs; the scheduler fires; the workers send. Idle stretches are jumped.
    const { sendQueue, sms } = stack.runtime;
    const totalTouches = await countPlanned(stack.config, campaign.id);
    const webhook = new SignedOrderPoster(
      `${http.url}/webhooks/orders`,
      process.env.WEBHOOK_SECRET as string,
      clock,
      orders,
    );
    await playSchedules(stack.runtime, clock, {
      events: webhook,
      onTick: () =>
        progress.update(
          `simulating ${formatInstant(clock.now(), campaign.timezone)} (x${speed}) ${bar(sms.messages().length / Math.max(1, totalTouches.sms))} ${formatCount(sms.messages().length)} SMS`,
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

    // 4. The files.
    await writeOutputs(stack, campaign.id, options.outDir, keys);
    progress.result(
      `wrote ${options.outDir}: timeline.json, touches.jsonl, rejects.jsonl, timeline.html, outbox.jsonl, report.json, report.html`,
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

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag}: "${text}" is not a positive number`);
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
  const campaigns = new DynamoCampaignStore(clients.documents, config.tables.campaigns);
  const storage = new S3ObjectStorage(clients.s3, BUCKET);
  const plan = await campaigns.getPlan(campaignId);
  if (!plan) throw new Error(`no stored plan for ${campaignId}`);
  const { report, touches } = await buildReport(reportDependencies(config), campaignId);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(outDir, { recursive: true });

  await writeFile(join(outDir, 'timeline.json'), `${JSON.stringify(plan.timeline, null, 2)}\n`);
  await writeFile(join(outDir, 'timeline.html'), renderTimelinePage(plan.timeline));
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
  // address (aws-ses-v2-local's ids are 9 random digits: they collide in a large campaign).
  const byMessage = new Map<string, Touch>();
  for (const touch of touches) {
    if (touch.providerMessageId) byMessage.set(`${touch.providerMessageId}|${touch.address}`, touch);
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
    const touch = byMessage.get(key);
    if (!touch) continue;
    outbox.push({
      customerId: touch.customerId,
      channel: 'email',
      waveId: touch.waveId,
      sendId: touch.sendId,
      at: touch.updatedAt ? formatInstant(Date.parse(touch.updatedAt), plan.campaign.timezone) : '',
      body: `${email.subject ?? ''}\n\n${email.body?.text ?? ''}`,
    });
  }
  outbox.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.customerId < b.customerId ? -1 : 1));
  const outboxFile = new JsonLinesFile(join(outDir, 'outbox.jsonl'));
  for (const entry of outbox) await outboxFile.writeLine(JSON.stringify(entry));
  await outboxFile.close();

  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'report.html'), renderReportPage(report));
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
    throw new UsageError(`--orders: cannot read ${path}`);
  }
  const lines: OrderLineInput[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    let value: { at?: unknown; event?: unknown };
    try {
      value = JSON.parse(raw);
    } catch {
      throw new UsageError(`--orders: line ${index + 1} is not JSON`);
    }
    if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at)) || value.event === undefined) {
      throw new UsageError(`--orders: line ${index + 1} needs "at" (ISO 8601) and "event" (the webhook body)`);
    }
    lines.push({ at: value.at, event: value.event });
  }
  return lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Posts each order line, signed as the store signs, to the local HTTP API at its virtual time. */
class SignedOrderPoster implements TimedEvents {
  private next = 0;
  readonly responses: Record<string, number> = {};

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly clock: { now(): number },
    private readonly lines: OrderLineInput[],
  ) {}

  nextAt(): number | undefined {
    const line = this.lines[this.next];
    return line ? Date.parse(line.at) : undefined;
  }

  async deliverDue(now: number): Promise<void> {
    for (let line = this.lines[this.next]; line && Date.parse(line.at) <= now; line = this.lines[this.next]) {
      this.next += 1;
      const body = JSON.stringify(line.event);
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody(body, this.secret, this.clock.now()) },
        body,
      });
      this.responses[response.status] = (this.responses[response.status] ?? 0) + 1;
    }
  }
}
