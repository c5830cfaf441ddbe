/**
 * The webhook figure: the handler behind the local HTTP server, loaded from a
 * separate process with 20 connections, against the ceiling of the same database writes
 * done directly (the ingest use case at the same concurrency, no HTTP, no signature).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { startHttpServer } from '../adapters/local/http-server.ts';
import { orderDependencies } from '../composition.ts';
import { bodyDigest, orderEventSchema } from '../domain/orders.ts';
import { localRoutes } from '../local/routes.ts';
import { startEphemeralStack } from '../local/stack.ts';
import { systemClock } from '../ports/clock.ts';
import { ingestOrder } from '../usecases/ingest-order.ts';

export interface WebhookRun {
  ceilingPerSecond: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

/**
 * Runs the load generator (webhook-load.ts) in its own process against the local server's
 * webhook, signed with WEBHOOK_SECRET: `args` after the URL and secret. Its JSON result.
 */
export async function webhookLoad<T>(baseUrl: string, args: ReadonlyArray<string | number>): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    'functions/bench/webhook-load.ts',
    `${baseUrl}/webhooks/orders`,
    process.env.WEBHOOK_SECRET as string,
    ...args.map(String),
  ]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}

export async function webhookBench(count: number, connections: number): Promise<WebhookRun> {
  process.env.WEBHOOK_SECRET = randomBytes(24).toString('hex');
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const stack = await startEphemeralStack({
    dataBucket: 'bench-data',
    clock: systemClock,
  });
  try {
    // The ceiling: the same writes, straight from the use case.
    const deps = orderDependencies(stack.config);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let index = next++; index < count; index = next++) {
          // Parsed and digested as the handler does, so the ceiling is the same work without HTTP and signature.
          const body = JSON.stringify({
            eventId: `evt_direct_${index}`,
            type: 'order.paid',
            order: {
              orderId: `o_direct_${index}`,
              customerId: `c_direct_${index % 5000}`,
              amount: '199.00',
              currency: 'CNY',
              createdAt: '2026-11-11T00:03:12+08:00',
              paidAt: '2026-11-11T00:04:00+08:00',
            },
          });
          await ingestOrder(deps, orderEventSchema.parse(JSON.parse(body)), bodyDigest(body));
        }
      }),
    );
    const ceilingPerSecond = count / ((performance.now() - started) / 1000);
    const http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
    try {
      const load = await webhookLoad<Omit<WebhookRun, 'ceilingPerSecond'>>(http.url, [count, connections]);
      return { ceilingPerSecond, ...load };
    } finally {
      await http.stop();
    }
  } finally {
    await stack.stop();
  }
}

if (process.argv[1]?.endsWith('webhook-bench.ts')) {
  const [countText, connectionsText] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await webhookBench(Number(countText), Number(connectionsText)))}\n`);
}
