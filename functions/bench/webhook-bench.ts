/**
 * The HTTP figures: a handler behind the local HTTP server, loaded from a separate process,
 * against the ceiling of its own database work done directly at the same concurrency.
 * `webhook-bench.ts webhook|links COUNT CONNECTIONS`.
 *
 * The webhook: signed order events at 20 connections against the ingest use case (no HTTP,
 * no signature).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoLinkStore } from '../adapters/dynamo/link-store.ts';
import { startHttpServer } from '../adapters/local/http-server.ts';
import { clientsFor, linkKeys, orderDependencies } from '../composition.ts';
import { TRACKED_LINK_PATH } from '../contract.ts';
import { bodyDigest, orderEventSchema } from '../domain/orders.ts';
import { LINK_PURPOSE, trackedLinkId } from '../domain/tracked-link.ts';
import { localRoutes } from '../local/routes.ts';
import { startEphemeralStack } from '../local/stack.ts';
import { systemClock } from '../ports/clock.ts';
import type { LinkRecord } from '../ports/link-store.ts';
import { ingestOrder } from '../usecases/ingest-order.ts';
import { type LoadRun, orderEvent, underLoad } from './webhook-load.ts';

export interface WebhookRun extends LoadRun {
  ceilingPerSecond: number;
  /** The direct path's own p99 (ms). */
  ceilingP99: number;
}

/** The load generator in its own process (webhook-load.ts), so its work does not slow the server it measures. */
async function loadFromChild(args: string[]): Promise<LoadRun> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    'functions/bench/webhook-load.ts',
    ...args,
  ]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadRun;
}

/**
 * The trigger bench's paced order stream (webhook-load.ts --trigger) against the local
 * server's webhook, signed with WEBHOOK_SECRET: `args` are COUNT CONNECTIONS RATE PAID_AFTER_MS.
 */
export function webhookLoad(baseUrl: string, args: ReadonlyArray<string | number>): Promise<LoadRun> {
  return loadFromChild([
    '--trigger',
    `${baseUrl}/webhooks/orders`,
    process.env.WEBHOOK_SECRET as string,
    ...args.map(String),
  ]);
}

/**
 * Calls on each path before it is measured, at the measured concurrency, each on work of its
 * own (links clicked once, events of their own ids): the figures are of warm processes, as a
 * container that has served before is, not of the JIT's first thousand calls.
 */
const WARM_UP = 2000;

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
    const ingestDirectly = (kind: string) => async (index: number) => {
      // Parsed and digested as the handler does, so the ceiling is the same work without HTTP and signature.
      const body = orderEvent(index, kind, Date.parse('2026-11-11T00:04:00+08:00'));
      return ingestOrder(deps, orderEventSchema.parse(JSON.parse(body)), bodyDigest(body));
    };
    await underLoad(WARM_UP, connections, ingestDirectly('warm-direct'));
    const direct = await underLoad(count, connections, ingestDirectly('direct'));
    const http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
    try {
      const load = await loadFromChild([
        `${http.url}/webhooks/orders`,
        process.env.WEBHOOK_SECRET,
        String(count),
        String(connections),
        String(WARM_UP),
      ]);
      return { ceilingPerSecond: direct.perSecond, ceilingP99: direct.p99, ...load };
    } finally {
      await http.stop();
    }
  } finally {
    await stack.stop();
  }
}

/**
 * The tracked-link figure: `GET /l/{token}` behind the local HTTP server, loaded from a
 * separate process with `connections` connections, each request a first click on its own
 * link, against the ceiling of the same database work done directly (the same store's resolve
 * and click, coalesced the same way, at the same concurrency, no HTTP, no id check), each path
 * warmed first (WARM_UP).
 */
export async function linksBench(count: number, connections: number): Promise<WebhookRun> {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const stack = await startEphemeralStack({ dataBucket: 'bench-data', clock: systemClock });
  const work = await mkdtemp(join(tmpdir(), 'links-bench-'));
  try {
    const { dynamodb, documents } = clientsFor(stack.config);
    const store = new DynamoLinkStore(dynamodb, documents, stack.config.tables.links);
    const keys = await linkKeys(stack.config, LINK_PURPOSE);
    // Three sets of links, each clicked once: the direct path's warm-up, its measured set, and
    // the served set (its first WARM_UP the load generator's warm-up).
    const links = (set: string, length: number): LinkRecord[] =>
      Array.from({ length }, (_, index) => {
        const touch = { campaignId: 'bench', waveId: set, channel: 'sms' as const, customerId: `C${index}` };
        return { ...touch, id: trackedLinkId(keys, touch), sendId: `${set}.sms.g1`, to: 'https://s.example.cn/d11' };
      });
    const [warmDirect, direct, served] = [
      links('warm-direct', WARM_UP),
      links('direct', count),
      links('http', WARM_UP + count),
    ];
    await store.register([...warmDirect, ...direct, ...served]);
    const clickDirectly = (set: LinkRecord[]) => async (index: number) => {
      const link = await store.resolve((set[index] as LinkRecord).id);
      if (!link) return 'missing';
      const { to: _to, ...touch } = link;
      return store.recordClick({ ...touch, at: new Date().toISOString() });
    };
    await underLoad(WARM_UP, connections, clickDirectly(warmDirect));
    const ceiling = await underLoad(count, connections, clickDirectly(direct));
    const idsFile = join(work, 'ids.txt');
    await writeFile(idsFile, served.map((link) => link.id).join('\n'));
    const http = await startHttpServer({ port: 0, routes: localRoutes(), health: () => stack.servers.health() });
    try {
      const load = await loadFromChild([
        '--get',
        `${http.url}${TRACKED_LINK_PATH}`,
        idsFile,
        String(count),
        String(connections),
        String(WARM_UP),
      ]);
      return { ceilingPerSecond: ceiling.perSecond, ceilingP99: ceiling.p99, ...load };
    } finally {
      await http.stop();
    }
  } finally {
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('webhook-bench.ts')) {
  const [which, countText, connectionsText] = process.argv.slice(2);
  const bench = which === 'links' ? linksBench : webhookBench;
  process.stdout.write(`${JSON.stringify(await bench(Number(countText), Number(connectionsText)))}\n`);
}
