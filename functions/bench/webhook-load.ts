/**
 * A load generator for the order webhook, run in its own process: `count` signed order
 * events from `connections` concurrent keep-alive connections on loopback, each a new
 * event. Prints requests per second, latency percentiles and status counts as JSON.
 *
 * As fast as it can by default (`order.paid` events). With a rate and the `trigger` kind it
 * offers a paced stream instead: `count` `order.created` events at `rate` a second, every
 * other order paid `paidAfterMs` later (before its reminder is due), the rest never paid.
 * Also prints how late against the stream's timetable the events went out (p99).
 */
import { Agent, request } from 'node:http';
import { signBody } from '../domain/orders.ts';

const [url, secret, countText, connectionsText, rateText, kind, paidAfterText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
  string | undefined,
  string | undefined,
];
const count = Number(countText);
const connections = Number(connectionsText);
const rate = rateText === undefined ? undefined : Number(rateText);
const paidAfterMs = Number(paidAfterText ?? 2000);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);

function post(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-signature': signBody(body, secret, Date.now()),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
const lateness: number[] = [];
const statuses: Record<string, number> = {};
const started = performance.now();

/** One event of the stream: when it is due (ms after the start; 0: at once) and its body, made when sent. */
interface Planned {
  dueMs: number;
  body: () => string;
}

function paidEvent(index: number): string {
  // Times from the real clock: the webhook refuses orders more than a day ahead of now.
  const paidAt = Date.now() - 60_000;
  return JSON.stringify({
    eventId: `evt_load_${index}`,
    type: 'order.paid',
    order: {
      orderId: `o_load_${index}`,
      customerId: `c_load_${index % 5000}`,
      amount: '199.00',
      currency: 'CNY',
      createdAt: new Date(paidAt - 48_000).toISOString(),
      paidAt: new Date(paidAt).toISOString(),
    },
  });
}

/** The paced stream of the trigger bench: orders made now, half of them paid soon after. */
function triggerStream(perSecond: number): Planned[] {
  const events: Planned[] = [];
  const createdAt = new Map<number, string>();
  const order = (index: number) => ({
    orderId: `o_trig_${index}`,
    customerId: `c_trig_${index}`,
    amount: '199.00',
    currency: 'CNY',
    createdAt: createdAt.get(index) as string,
  });
  for (let index = 0; index < count; index += 1) {
    const dueMs = (index * 1000) / perSecond;
    events.push({
      dueMs,
      body: () => {
        createdAt.set(index, new Date().toISOString());
        return JSON.stringify({ eventId: `evt_trig_${index}_created`, type: 'order.created', order: order(index) });
      },
    });
    if (index % 2 === 0) {
      events.push({
        dueMs: dueMs + paidAfterMs,
        body: () =>
          JSON.stringify({
            eventId: `evt_trig_${index}_paid`,
            type: 'order.paid',
            order: { ...order(index), paidAt: new Date().toISOString() },
          }),
      });
    }
  }
  return events.sort((a, b) => a.dueMs - b.dueMs);
}

const planned: Planned[] =
  rate !== undefined && kind === 'trigger'
    ? triggerStream(rate)
    : Array.from({ length: count }, (_, index) => ({ dueMs: 0, body: () => paidEvent(index) }));
let next = 0;
await Promise.all(
  Array.from({ length: connections }, async () => {
    for (let index = next++; index < planned.length; index = next++) {
      const event = planned[index] as Planned;
      const wait = event.dueMs - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (event.dueMs > 0) lateness.push(performance.now() - started - event.dueMs);
      const body = event.body();
      const sent = performance.now();
      const status = await post(body);
      latencies.push(performance.now() - sent);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
process.stdout.write(
  `${JSON.stringify({
    perSecond: planned.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lateP99: percentile(lateness, 99),
    statuses,
  })}\n`,
);
agent.destroy();
