/**
 * A load generator for the order webhook, run in its own process: `count` signed order
 * events from `connections` concurrent keep-alive connections on loopback, each a new
 * event. Prints requests per second, latency percentiles and status counts as JSON.
 */
import { Agent, request } from 'node:http';
import { signBody } from '../domain/orders.ts';

const [url, secret, countText, connectionsText] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countText);
const connections = Number(connectionsText);
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
const statuses: Record<string, number> = {};
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    for (let index = next++; index < count; index = next++) {
      // Times from the real clock: the webhook refuses orders more than a day ahead of now.
      const paidAt = Date.now() - 60_000;
      const body = JSON.stringify({
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
      const sent = performance.now();
      const status = await post(body);
      latencies.push(performance.now() - sent);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ perSecond: count / seconds, p50: percentile(50), p99: percentile(99), statuses })}\n`,
);
agent.destroy();
