/**
 * Tracked links end to end, on the embedded stack (dynalite, s3rver, the real plan, send and
 * redirect handlers, the local HTTP server, a virtual clock): a campaign fronted by the
 * store's own short domain sends one SMS wave; each message carries its own `/l/<id>`; the
 * customers tap them (one many times, one twice at once, one with an altered link), one of
 * them then pays, another pays without clicking; the report counts each click once and
 * credits only the order that followed a click to "clicked then ordered".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamo/link-store.ts';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor, orderDependencies, reportDependencies } from '../../functions/composition.ts';
import type { CampaignInput } from '../../functions/domain/campaign.ts';
import { smsParts } from '../../functions/domain/messages.ts';
import { bodyDigest, orderEventSchema } from '../../functions/domain/orders.ts';
import type { CampaignReport } from '../../functions/domain/report-types.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { LINK_ID_LENGTH } from '../../functions/domain/tracked-link.ts';
import { playSchedules, type TimedEvents } from '../../functions/local/play.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import type { Touch } from '../../functions/ports/campaign-store.ts';
import type { Click } from '../../functions/ports/link-store.ts';
import { buildReport } from '../../functions/usecases/build-report.ts';
import { ingestOrder } from '../../functions/usecases/ingest-order.ts';
import { planAndApprove } from '../support/approve.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const CLICK_AT = Date.parse('2026-10-24T20:30:00+08:00');
const ORDER_AT = Date.parse('2026-10-24T21:00:00+08:00');
const MOBILE = 'https://s.example.cn/d11';
const PC = 'https://shop.example.com/d11';
const SHORT_DOMAIN = 'https://t.shop.cn';
/** Ids no link id can contain by chance (`:` is not base64url). */
const ids = ['TB:2026:0001', 'TB:2026:0002', 'TB:2026:0003', 'TB:2026:0004', 'TB:2026:0005', 'TB:2026:0006'];
const [REPLAYER, RACER, PC_BUYER, ALTERED, PAYS_UNCLICKED] = ids as [string, string, string, string, string];

function customersCsv(): string {
  const rows = ids.map(
    (id, index) => `${id},1380013${String(index).padStart(4, '0')},${id === PC_BUYER ? 'pc' : 'mobile'}`,
  );
  return `customer_id,phone,device\n${rows.join('\n')}\n`;
}

/** 45 characters with the signature and the opt-out: one part with the wave's 24-character link, two with a tracked one. */
const TEXT = '{signature}双11预售已开启，老朋友专享价先加购，零点直接付款，好物不等人 {link} {optOut}';

const CAMPAIGN: CampaignInput = {
  id: 'tracked',
  midnight: '2026-11-11T00:00',
  smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
  caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
  links: { mobile: MOBILE, pc: PC, trackingBase: SHORT_DOMAIN },
  waves: [{ id: 'first', sms: '2026-10-24T20:00', audience: ['*'], templates: { sms: TEXT } }],
};

const LINK = new RegExp(`${SHORT_DOMAIN.replace(/[./]/g, '\\$&')}/l/([A-Za-z0-9_-]{${LINK_ID_LENGTH}})`);

/** What the customers do at their virtual times: tap, race, alter, then pay. */
class Customers implements TimedEvents {
  private step = 0;
  readonly links = new Map<string, string>();
  readonly answers: Record<string, Array<{ status: number; location: string | null }>> = {};

  constructor(
    private readonly local: LocalStack,
    private readonly http: LocalHttpServer,
  ) {}

  nextAt(): number | undefined {
    return [CLICK_AT, ORDER_AT][this.step];
  }

  private async tap(who: string, path: string): Promise<void> {
    const response = await fetch(`${this.http.url}${path}`, { redirect: 'manual' });
    await response.arrayBuffer();
    this.answers[who] ??= [];
    this.answers[who].push({ status: response.status, location: response.headers.get('location') });
  }

  async deliverDue(now: number): Promise<void> {
    if (this.step === 0 && now >= CLICK_AT) {
      this.step = 1;
      for (const message of this.local.runtime.sms.messages()) {
        const id = LINK.exec(message.text)?.[1];
        if (id) this.links.set(message.tags.customerId, id);
      }
      const path = (who: string) => `/l/${this.links.get(who)}`;
      // The same link five times (a preview fetcher, then the customer, then reloads).
      for (let tap = 0; tap < 5; tap += 1) await this.tap(REPLAYER, path(REPLAYER));
      // Two taps at once: the conditional put lets one record the click.
      await Promise.all([this.tap(RACER, path(RACER)), this.tap(RACER, path(RACER))]);
      await this.tap(PC_BUYER, path(PC_BUYER));
      // One character changed, and an id made up whole: refused before anything is read.
      const own = this.links.get(ALTERED) as string;
      const altered = `${own.slice(0, 5)}${own[5] === 'A' ? 'B' : 'A'}${own.slice(6)}`;
      await this.tap(ALTERED, `/l/${altered}`);
      await this.tap(ALTERED, `/l/${'A'.repeat(LINK_ID_LENGTH)}`);
      await this.tap(ALTERED, `/l/${own}x`);
      return;
    }
    if (this.step === 1 && now >= ORDER_AT) {
      this.step = 2;
      const deps = orderDependencies(this.local.config);
      for (const [index, customerId] of [PC_BUYER, PAYS_UNCLICKED].entries()) {
        const at = new Date(now).toISOString();
        const event = {
          eventId: `evt-${index}`,
          type: 'order.paid',
          order: { orderId: `o-${index}`, customerId, amount: '300.00', currency: 'CNY', createdAt: at, paidAt: at },
        };
        const accepted = await ingestOrder(deps, orderEventSchema.parse(event), bodyDigest(JSON.stringify(event)));
        expect(accepted).toBe('accepted');
      }
    }
  }
}

let stack: LocalStack;
let http: LocalHttpServer;
let customers: Customers;
let report: CampaignReport;
let touches: Touch[];
let clicks: Click[];
let planParts: number;

beforeAll(async () => {
  // Prepare: the stack and its HTTP server, the customers, the plan.
  const clock = new VirtualClock(NOW);
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock,
    sendWorkers: 2,
    log: (line) => console.error(line),
  });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  stack.runtime.publicBaseUrl = http.url;
  const imported = await uploadSegmentAndWait(stack.config, 'segments/tracked/customers.csv', customersCsv());
  expect(imported.imported).toBe(ids.length);
  const planned = await planAndApprove(stack.config, CAMPAIGN);
  expect(planned.approved.changed).toBe(true);
  const version = await reportDependencies(stack.config).lifecycle.getVersion('tracked', planned.version);
  planParts = (version?.timeline.sends ?? []).reduce((sum, send) => sum + (send.smsParts ?? 0), 0);
  customers = new Customers(stack, http);

  // Act: the wave is sent; the customers tap and pay at their times.
  await playSchedules(stack.runtime, clock, { events: customers });
  const built = await buildReport(reportDependencies(stack.config), 'tracked');
  report = built.report;
  touches = built.touches;
  const { dynamodb, documents } = clientsFor(stack.config);
  clicks = await new DynamoLinkStore(dynamodb, documents, stack.config.tables.links).clicks('tracked');
});

afterAll(async () => {
  await http?.stop();
  await stack?.stop();
});

describe('each message', () => {
  it('carries its own link on the store short domain, and no customer id anywhere in it', () => {
    // Assess
    const messages = stack.runtime.sms.messages();
    expect(messages).toHaveLength(ids.length);
    expect(new Set(customers.links.values()).size, 'one link per customer').toBe(ids.length);
    for (const message of messages) {
      const link = LINK.exec(message.text)?.[0] ?? '';
      expect(link, message.text).not.toBe('');
      expect(link).not.toContain(message.tags.customerId);
      expect(link).not.toContain('2026');
    }
  });

  it('is billed in the parts its real text takes, as the plan counted them with the link length', () => {
    // Prepare: the same text with the wave's own link fits one part.
    const untracked = (stack.runtime.sms.messages()[0]?.text ?? '').replace(LINK, MOBILE);
    expect(smsParts(untracked), untracked).toBe(1);

    // Assess: 45 + 36 characters is over 70, so 2 parts, where the wave's own link (45 + 24) made 1.
    for (const message of stack.runtime.sms.messages()) expect(smsParts(message.text), message.text).toBe(2);
    expect(touches.map((touch) => touch.parts)).toEqual(ids.map(() => 2));
    expect(planParts).toBe(ids.length * 2);
  });
});

describe('GET /l/{token}', () => {
  it('redirects to the wave link for the customer device, every time it is followed', () => {
    // Assess
    expect(customers.answers[REPLAYER]).toEqual(Array.from({ length: 5 }, () => ({ status: 302, location: MOBILE })));
    expect(customers.answers[RACER]).toEqual([
      { status: 302, location: MOBILE },
      { status: 302, location: MOBILE },
    ]);
    expect(customers.answers[PC_BUYER]).toEqual([{ status: 302, location: PC }]);
  });

  it('answers 404 to an altered, made-up or lengthened link and records nothing for it', () => {
    // Assess
    expect(customers.answers[ALTERED]?.map((answer) => answer.status)).toEqual([404, 404, 404]);
    expect(clicks.filter((click) => click.customerId === ALTERED)).toEqual([]);
  });

  it('records one click per customer and message, however often or concurrently it is followed', () => {
    // Assess
    expect(clicks.map((click) => click.customerId).sort()).toEqual([REPLAYER, RACER, PC_BUYER].sort());
    expect(clicks.every((click) => click.waveId === 'first' && click.channel === 'sms')).toBe(true);
    expect(clicks.every((click) => click.at === new Date(CLICK_AT).toISOString())).toBe(true);
  });
});

describe('the report', () => {
  it('shows clicks and click-through per wave and channel, and in the totals', () => {
    // Prepare
    const row = report.rows.find((r) => r.waveId === 'first' && r.channel === 'sms');

    // Assess
    expect(row).toMatchObject({ sent: 6, clicks: 3, clickThrough: 0.5 });
    expect(report.totals).toMatchObject({ clicks: 3, clickThrough: 0.5 });
  });

  it('credits to clicked-then-ordered only the order that followed a click; timing credits both', () => {
    // Prepare
    const row = report.rows.find((r) => r.waveId === 'first' && r.channel === 'sms');

    // Assess
    expect(row).toMatchObject({ orders: 2, revenue: 600, clickedOrders: 1, clickedRevenue: 300 });
    expect(report.totals).toMatchObject({ clickedOrders: 1, clickedRevenue: 300 });
  });

  it('shows the clicks of each customer group', () => {
    // Prepare
    const groups = report.byGroup?.find((wave) => wave.waveId === 'first')?.groups ?? [];

    // Assess
    expect(groups.reduce((sum, group) => sum + (group.clicks ?? 0), 0)).toBe(3);
    for (const group of groups) expect(group.clickThrough).toBe((group.clicks ?? 0) / group.sent);
  });
});
