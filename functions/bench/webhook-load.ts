/**
 * A load generator for the HTTP API, run in its own process: `count` requests from
 * `connections` concurrent keep-alive connections on loopback. Prints requests per second,
 * latency percentiles and status counts as JSON.
 *   webhook-load.ts URL SECRET COUNT CONNECTIONS [WARM]         signed order events (POST), each a new event
 *   webhook-load.ts --get BASE IDS_FILE COUNT CONNECTIONS [WARM] GET BASE<id>, one id a line, each once
 *     WARM calls go first, on the same connections, and are not measured: a fresh process (this
 *     one, the server's handler, the database's) runs its first thousand calls unoptimised, and
 *     a run of a few seconds that counts them reports the JIT's warm-up as its tail latency. For
 *     --get, the file's first WARM ids are the warm-up's.
 *   webhook-load.ts --trigger URL SECRET COUNT CONNECTIONS RATE PAID_AFTER_MS
 *     a paced stream instead: COUNT `order.created` events at RATE a second, every other order
 *     paid PAID_AFTER_MS later (before its reminder is due), the rest never paid; also prints
 *     how late against the stream's timetable the events went out (lateP99).
 */
import { readFileSync } from 'node:fs';
import { signBody } from '../domain/orders.ts';
import { RawHttpConnection } from './raw-http.ts';

export interface LoadRun {
  perSecond: number;
  p50: number;
  p99: number;
  /** With a timetable: how late the calls went out against it, p99 (ms). */
  lateP99?: number;
  statuses: Record<string, number>;
}

/** `count` calls of `one(index)` from `connections` at once: its rate, its latency percentiles and what it answered. */
export async function underLoad(
  count: number,
  connections: number,
  /** One call; `worker` (0 to connections - 1) is the connection it goes out on. */
  one: (index: number, worker: number) => Promise<number | string>,
  /** A timetable (ms after the start each call is due): calls wait for it, and lateP99 says how late they went. */
  dueMs?: (index: number) => number,
): Promise<LoadRun> {
  const lateness: number[] = [];
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      for (let index = next++; index < count; index = next++) {
        if (dueMs) {
          const due = dueMs(index);
          const wait = due - (performance.now() - started);
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          lateness.push(performance.now() - started - due);
        }
        const sent = performance.now();
        const status = await one(index, worker);
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
  return {
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ...(dueMs ? { lateP99: percentile(lateness, 99) } : {}),
    statuses,
  };
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

/** One event of the trigger bench's stream: when it is due (ms after the start) and its body, made when sent. */
interface Planned {
  dueMs: number;
  body: () => string;
}

/** The paced stream of the trigger bench: orders made as they are sent, half of them paid soon after. */
function triggerStream(count: number, perSecond: number, paidAfterMs: number): Planned[] {
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

function signedPost(connection: RawHttpConnection, target: URL, secret: string, body: string): Promise<number> {
  return connection.send({
    method: 'POST',
    path: target.pathname,
    headers: { 'content-type': 'application/json', 'x-signature': signBody(body, secret, Date.now()) },
    body,
  });
}

if (process.argv[1]?.endsWith('webhook-load.ts')) {
  const mode = process.argv[2] === '--trigger' ? 'trigger' : process.argv[2] === '--get' ? 'get' : 'post';
  // After the mode: URL, then the secret (or the ids file for --get), COUNT, CONNECTIONS, then
  // RATE PAID_AFTER_MS for --trigger or WARM for the others.
  const [url, key, countText, connectionsText, rateOrWarmText, paidAfterText] = process.argv.slice(
    mode === 'post' ? 2 : 3,
  ) as [string, string, string, string, string, string];
  const connections = Number(connectionsText);
  const target = new URL(url);
  const sockets = Array.from(
    { length: connections },
    () => new RawHttpConnection(target.hostname, Number(target.port)),
  );
  let run: LoadRun;
  if (mode === 'trigger') {
    const planned = triggerStream(Number(countText), Number(rateOrWarmText), Number(paidAfterText));
    run = await underLoad(
      planned.length,
      connections,
      (index, worker) =>
        signedPost(sockets[worker] as RawHttpConnection, target, key, (planned[index] as Planned).body()),
      (index) => (planned[index] as Planned).dueMs,
    );
  } else {
    const ids = mode === 'get' ? readFileSync(key, 'utf8').split('\n').filter(Boolean) : [];
    const warm = Number(rateOrWarmText ?? 0);
    const call = (kind: 'warm' | 'load', offset: number) => (index: number, worker: number) => {
      const connection = sockets[worker] as RawHttpConnection;
      if (mode === 'get')
        return connection.send({ method: 'GET', path: `${target.pathname}${ids[(offset + index) % ids.length]}` });
      // Times from the real clock: the webhook refuses orders more than a day ahead of now.
      return signedPost(connection, target, key, orderEvent(index, kind, Date.now() - 60_000));
    };
    if (warm > 0) await underLoad(warm, connections, call('warm', 0));
    run = await underLoad(Number(countText), connections, call('load', warm));
  }
  process.stdout.write(`${JSON.stringify(run)}\n`);
  for (const connection of sockets) connection.close();
}
