/**
 * A load generator for the HTTP API, run in its own process: `count` requests from
 * `connections` concurrent keep-alive connections on loopback. Prints requests per second,
 * latency percentiles and status counts as JSON.
 *   webhook-load.ts URL SECRET COUNT CONNECTIONS         signed order events (POST), each a new event
 *   webhook-load.ts --get BASE IDS_FILE COUNT CONNECTIONS GET BASE<id>, one id a line, each once
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { signBody } from '../domain/orders.ts';

export interface LoadRun {
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

/** `count` calls of `one(index)` from `connections` at once: its rate, its latency percentiles and what it answered. */
export async function underLoad(
  count: number,
  connections: number,
  one: (index: number) => Promise<number | string>,
): Promise<LoadRun> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let index = next++; index < count; index = next++) {
        const sent = performance.now();
        const status = await one(index);
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { perSecond: count / seconds, p50: percentile(50), p99: percentile(99), statuses };
}

function send(
  agent: Agent,
  target: URL,
  options: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string | number>; body?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path,
        method: options.method,
        agent,
        headers: options.headers,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One order event, a new one per index and `kind` (`load`, `direct`), paid at `paidAt` (epoch ms). */
export function orderEvent(index: number, kind: string, paidAt: number): string {
  return JSON.stringify({
    eventId: `evt_${kind}_${index}`,
    type: 'order.paid',
    order: {
      orderId: `o_${kind}_${index}`,
      customerId: `c_${kind}_${index % 5000}`,
      amount: '199.00',
      currency: 'CNY',
      createdAt: new Date(paidAt - 48_000).toISOString(),
      paidAt: new Date(paidAt).toISOString(),
    },
  });
}

if (process.argv[1]?.endsWith('webhook-load.ts')) {
  const get = process.argv[2] === '--get';
  const [url, secretOrIds, countText, connectionsText] = process.argv.slice(get ? 3 : 2) as [
    string,
    string,
    string,
    string,
  ];
  const connections = Number(connectionsText);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const ids = get ? readFileSync(secretOrIds, 'utf8').split('\n').filter(Boolean) : [];
  const run = await underLoad(Number(countText), connections, (index) => {
    if (get) return send(agent, target, { method: 'GET', path: `${target.pathname}${ids[index % ids.length]}` });
    // Times from the real clock: the webhook refuses orders more than a day ahead of now.
    const body = orderEvent(index, 'load', Date.now() - 60_000);
    return send(agent, target, {
      method: 'POST',
      path: target.pathname,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-signature': signBody(body, secretOrIds, Date.now()),
      },
      body,
    });
  });
  process.stdout.write(`${JSON.stringify(run)}\n`);
  agent.destroy();
}
