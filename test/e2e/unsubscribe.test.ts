/**
 * The unsubscribe link end to end, on the embedded stack (dynalite, s3rver, aws-ses-v2-local,
 * the real handlers, the local HTTP server, a virtual clock): a customer follows the link of
 * the first email wave; the second wave sends them no email (suppressed `opt-out`) while
 * everyone else gets theirs and they still get their SMS; and planning again, this campaign
 * or another one, drops their email touches as `opt-out`, even after a later import.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLifecycleStore } from '../../functions/adapters/dynamo/lifecycle-store.ts';
import { DynamoOptOutStore } from '../../functions/adapters/dynamo/opt-out-store.ts';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { clientsFor, planDependencies, reportDependencies } from '../../functions/composition.ts';
import { type CampaignInput, parseCampaign } from '../../functions/domain/campaign.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { playSchedules, type TimedEvents } from '../../functions/local/play.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';
import type { Touch } from '../../functions/ports/campaign-store.ts';
import { buildReport } from '../../functions/usecases/build-report.ts';
import { planAndApprove } from '../support/approve.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
/** After the first wave's email (2 to 3 days before 10-24 20:00), before the second's (before 11-05 12:00). */
const UNSUBSCRIBE_AT = Date.parse('2026-10-28T12:00:00+08:00');
const CUSTOMERS = 12;
const LEAVER = 'C3';
const LEAVER_EMAIL = 'c3@qq.com';

/** Every customer says `opt_out_email=no`: a file can never undo an opt-out the customer gave. */
function customersCsv(): string {
  const rows = Array.from(
    { length: CUSTOMERS },
    (_, index) => `C${index},1380013${String(index).padStart(4, '0')},c${index}@qq.com,no`,
  );
  return `customer_id,phone,email,opt_out_email\n${rows.join('\n')}\n`;
}

const CAMPAIGN: CampaignInput = {
  id: 'unsub',
  midnight: '2026-11-11T00:00',
  smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
  // Two SMS and two emails each: room for all four touches, so only the opt-out removes one.
  caps: { touches: 4, smsPerMonth: 2, multiSmsShare: 1, multiSmsGroups: [...PLAYBOOK_GROUPS] },
  waves: [
    { id: 'first', sms: '2026-10-24T20:00', audience: ['*'], email: true },
    { id: 'second', sms: '2026-11-05T12:00', audience: ['*'], email: true },
  ],
};

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  body: { text?: string };
  headers?: { name: string; value: string }[];
}

async function storedEmails(local: LocalStack): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${local.config.endpoints.ses}/store`)).json()) as { emails?: StoredEmail[] };
  return store.emails ?? [];
}

/** What the customer did, at its virtual time: opened the link, then pressed unsubscribe in the mail client. */
class Leaver implements TimedEvents {
  done = false;
  link = '';
  getStatus = 0;
  getPage = '';
  optedOutAfterGet: string[] = [];
  postStatuses: number[] = [];
  postPage = '';

  constructor(private readonly local: LocalStack) {}

  nextAt(): number | undefined {
    return this.done ? undefined : UNSUBSCRIBE_AT;
  }

  async deliverDue(now: number): Promise<void> {
    if (this.done || now < UNSUBSCRIBE_AT) return;
    this.done = true;
    const mine = (await storedEmails(this.local)).filter((email) => email.destination.to.includes(LEAVER_EMAIL));
    expect(mine, 'the first wave mailed the customer once').toHaveLength(1);
    const header = mine[0]?.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    this.link = header.replace(/^<|>$/g, '');
    expect(mine[0]?.body.text, 'the text body carries the same link').toContain(this.link);

    // A mail scanner (or the customer) opens the link: a page, nothing recorded.
    const page = await fetch(this.link);
    this.getStatus = page.status;
    this.getPage = await page.text();
    const optOuts = new DynamoOptOutStore(clientsFor(this.local.config).documents, this.local.config.tables.customers);
    this.optedOutAfterGet = [...(await optOuts.optedOut([LEAVER], 'email'))];

    // The mail client's one-click (RFC 8058), then once more: the same answer, no second effect.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await fetch(this.link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      this.postStatuses.push(response.status);
      this.postPage = await response.text();
    }
  }
}

let stack: LocalStack;
let http: LocalHttpServer;
let leaver: Leaver;
let touches: Touch[];
let emails: StoredEmail[];

beforeAll(async () => {
  // Prepare: the stack, its HTTP server (the links carry its real port), the customers, the plan.
  const clock = new VirtualClock(NOW);
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    clock,
    sendWorkers: 4,
    // Shown only when a test fails, with its other output.
    log: (line) => console.error(line),
  });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  stack.runtime.publicBaseUrl = http.url;
  const imported = await uploadSegmentAndWait(stack.config, 'segments/unsub/customers.csv', customersCsv());
  expect(imported.imported).toBe(CUSTOMERS);
  expect((await planAndApprove(stack.config, CAMPAIGN)).approved.changed).toBe(true);
  leaver = new Leaver(stack);

  // Act: the whole campaign plays; the customer unsubscribes between the two email waves.
  await playSchedules(stack.runtime, clock, { events: leaver });
  touches = (await buildReport(reportDependencies(stack.config), 'unsub')).touches;
  emails = await storedEmails(stack);
});

afterAll(async () => {
  await http?.stop();
  await stack?.stop();
});

describe('the unsubscribe link', () => {
  it('is a sealed token on the local HTTP server, naming nobody in clear', () => {
    // Assess
    expect(leaver.done).toBe(true);
    expect(leaver.link).toMatch(new RegExp(`^${http.url}/unsubscribe\\?t=[A-Za-z0-9_-]+$`));
    expect(leaver.link).not.toContain(LEAVER);
  });

  it('answers GET with the confirmation page and records nothing', () => {
    // Assess
    expect(leaver.getStatus).toBe(200);
    expect(leaver.getPage).toContain('确认退订');
    expect(leaver.optedOutAfterGet).toEqual([]);
  });

  it('answers both one-click POSTs with the done page', () => {
    // Assess
    expect(leaver.postStatuses).toEqual([200, 200]);
    expect(leaver.postPage).toContain('您已退订');
  });
});

describe('the next wave', () => {
  it('sends the customer no email, recording the touch suppressed for opt-out', () => {
    // Prepare
    const second = touches.filter((touch) => touch.waveId === 'second' && touch.channel === 'email');

    // Assess
    expect(second).toHaveLength(CUSTOMERS);
    expect(second.find((touch) => touch.customerId === LEAVER)).toMatchObject({
      status: 'suppressed',
      reason: 'opt-out',
    });
    const others = second.filter((touch) => touch.customerId !== LEAVER);
    expect(others.map((touch) => touch.status)).toEqual(others.map(() => 'sent'));
  });

  it('leaves the customer with the one email of the first wave, and everyone else with two', () => {
    // Prepare
    const perAddress = new Map<string, number>();
    for (const email of emails) {
      for (const to of email.destination.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    }

    // Assess
    expect(perAddress.get(LEAVER_EMAIL)).toBe(1);
    for (let index = 0; index < CUSTOMERS; index += 1) {
      if (`C${index}` !== LEAVER) expect(perAddress.get(`c${index}@qq.com`), `c${index}`).toBe(2);
    }
  });

  it('still sends the customer their SMS: the opt-out is for email only', () => {
    // Prepare
    const sms = stack.runtime.sms.messages().filter((message) => message.tags.customerId === LEAVER);

    // Assess
    expect(sms.map((message) => message.tags.waveId).sort()).toEqual(['first', 'second']);
  });
});

describe('planning again', () => {
  it('drops the customer as opt-out from both email waves of this campaign', async () => {
    // Prepare
    const campaign = parseCampaign(CAMPAIGN);

    // Act: the plan handler's own reader of DynamoDB, planned at the original time.
    const customers = await planDependencies(stack.config).loadCustomers(campaign);
    const replanned = planCampaign({ campaign, customers, now: NOW });

    // Assess
    expect(replanned.timeline.dropped['opt-out']).toBe(2);
    expect(replanned.timeline.summary.touches.email).toBe(2 * (CUSTOMERS - 1));
  });

  it('drops them as opt-out in another campaign too, after an import that says opt_out_email=no', async () => {
    // Prepare: the same customers imported for a later campaign, after the opt-out.
    const again = await uploadSegmentAndWait(stack.config, 'segments/unsub-later/customers.csv', customersCsv());
    expect(again.imported).toBe(CUSTOMERS);

    // Act: planned through the plan handler, as an upload would be, and approved.
    const result = await planAndApprove(stack.config, {
      id: 'unsub-later',
      midnight: '2026-11-11T00:00',
      smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
      waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'], email: true }],
    });

    // Assess
    const stored = await new DynamoLifecycleStore(
      clientsFor(stack.config).documents,
      stack.config.tables.campaigns,
    ).getVersion('unsub-later', result.version);
    expect(stored?.timeline.dropped['opt-out']).toBe(1);
    const later = (await buildReport(reportDependencies(stack.config), 'unsub-later')).touches;
    const leaverTouches = later.filter((touch) => touch.customerId === LEAVER).map((touch) => touch.channel);
    expect(leaverTouches).toEqual(['sms']);
    expect(later.filter((touch) => touch.channel === 'email')).toHaveLength(CUSTOMERS - 1);
  });
});
