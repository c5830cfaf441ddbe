import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHttpServer, startHttpServer } from '../../functions/adapters/local/http-server.ts';
import { VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { handler as plan } from '../../functions/handlers/plan-campaign.ts';
import { localRoutes } from '../../functions/local/routes.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { uploadSegmentAndWait } from '../../functions/local/uploads.ts';

let stack: LocalStack;
let http: LocalHttpServer;

beforeAll(async () => {
  stack = await startEphemeralStack({
    dataBucket: 'campaign-data',
    log: (line) => console.error(line),
    clock: new VirtualClock(Date.parse('2026-10-20T12:00:00+08:00')),
  });
  http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
  await uploadSegmentAndWait(
    stack.config,
    'segments/api/customers.csv',
    'customer_id,phone\nC1,13800138001\nC2,13800138002\n',
  );
  await plan({ campaign: { id: 'api', midnight: '2026-11-11T00:00', waves: [{ id: 'midnight', sms: 'midnight' }] } });
});

afterAll(async () => {
  await http.stop();
  await stack.stop();
});

describe('marketer endpoints', () => {
  it('GET /campaigns/{id} gives the plan and its sends with their state', async () => {
    // Prepare / Act
    const response = await fetch(`${http.url}/campaigns/api`);

    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sends: unknown[] };
    expect(body).toMatchObject({ campaignId: 'api', version: 1 });
    expect(body.sends).toEqual([
      expect.objectContaining({
        id: 'midnight.sms.g1',
        customers: 2,
        state: 'scheduled',
        at: '2026-11-11T00:00:00+08:00',
      }),
    ]);
  });

  it('GET /campaigns/{id}/report answers JSON, or the page when HTML is asked for', async () => {
    // Prepare / Act
    const asJson = await fetch(`${http.url}/campaigns/api/report`);
    const asHtml = await fetch(`${http.url}/campaigns/api/report`, { headers: { accept: 'text/html' } });

    // Assess
    expect(((await asJson.json()) as { totals: unknown }).totals).toMatchObject({ planned: 2, sent: 0, pending: 2 });
    expect(asHtml.headers.get('content-type')).toMatch(/text\/html/);
    expect(await asHtml.text()).toMatch(/<svg|<table/);
  });

  it('answers 404 for an unknown campaign and 400 for a malformed id', async () => {
    // Prepare / Act
    const unknown = await fetch(`${http.url}/campaigns/nope`);
    const malformed = await fetch(`${http.url}/campaigns/${encodeURIComponent('../etc')}`);

    // Assess
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
  });
});
