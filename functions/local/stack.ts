/**
 * The whole product on one machine: the embedded servers, the tables, and the local
 * stand-ins (clock, SMS sink, opt-outs, scheduler, send queue) wired to the same handlers
 * AWS runs. S3 object events are routed by prefix as the EventBridge rules route them:
 * `segments/` to the import, `campaigns/` to the plan. Used by `npm start` (real clock)
 * and `campaign simulate` (virtual clock).
 *
 * On the discrete VirtualClock the stand-ins keep its rules, so a run repeats itself exactly:
 * each send worker is a task of the clock whose messages pass the rate limiter and the
 * provider in queue order, due schedules fire one after another, queue retries wait in
 * virtual time, and the back-off jitter is seeded. The workers still overlap in virtual
 * time (an email wave and an SMS wave at once), and their database writes in real time.
 */
import { randomUUID } from 'node:crypto';
import type { S3EventRecord } from 'aws-lambda';
import { ensureTables } from '../adapters/dynamo/ensure-tables.ts';
import { LocalImportQueue, type LocalImportQueueOptions } from '../adapters/local/import-queue.ts';
import { localConfigFor } from '../adapters/local/local-config.ts';
import { LocalSmsOptOuts } from '../adapters/local/opt-outs.ts';
import { type LocalRuntime, setLocalRuntime } from '../adapters/local/runtime.ts';
import { LocalScheduler } from '../adapters/local/scheduler.ts';
import { InProcessSendQueue } from '../adapters/local/send-queue.ts';
import { type LocalServers, startLocalServers } from '../adapters/local/servers.ts';
import { LocalSmsSink } from '../adapters/local/sms-sink.ts';
import { VirtualClock } from '../adapters/local/virtual-clock.ts';
import { clientsFor } from '../composition.ts';
import { type LocalConfig, TABLE_ENV, TABLES } from '../config.ts';
import { TRIGGER_GROUP_PREFIX } from '../contract.ts';
import { mulberry32 } from '../domain/random.ts';
import type { PlanHandlerResult } from '../handlers/plan-campaign.ts';
import type { Clock } from '../ports/clock.ts';
import type { ShardMessage } from '../usecases/send-wave.ts';

export interface LocalStackOptions {
  config: LocalConfig;
  /** On-disk data under it; omitted = in memory. */
  dataDir?: string;
  ports?: { dynamodb?: number; s3?: number; ses?: number };
  clock: Clock;
  /** The SMS sink's enforced rate (messages per clock second); undefined = unlimited. */
  smsRatePerSecond?: number;
  /** Send workers running at once (the worker Lambda's reserved concurrency). */
  sendWorkers?: number;
  log?: (line: string) => void;
  /** Told of every plan the plan handler makes or refuses. */
  onPlanned?: (result: PlanHandlerResult) => void;
  /** The import queue's redelivery timing (tests shorten or control it). */
  importQueue?: Pick<LocalImportQueueOptions<unknown>, 'wait' | 'retryDelayMs' | 'maxReceives'>;
}

/** Any fixed seed does: the same one on every run is what makes the jitter repeat. */
const SIMULATION_SEED = 1111;

export interface LocalStack {
  config: LocalConfig;
  servers: LocalServers;
  runtime: LocalRuntime;
  stop(): Promise<void>;
}

function pointHandlersAt(config: LocalConfig): void {
  // Handlers read their config from the environment, as on AWS.
  Object.assign(process.env, {
    CAMPAIGN_RUNTIME: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: config.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: config.endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: config.endpoints.ses,
    DATA_BUCKET: config.dataBucket,
    ...Object.fromEntries(TABLES.map((table) => [TABLE_ENV[table], config.tables[table]])),
  });
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  // As on AWS, where the import events reach the handler through a queue: none is lost to a failure.
  const imports = new LocalImportQueue<{ Records: S3EventRecord[] }>({
    ...options.importQueue,
    handle: async (event) => (await import('../handlers/import-segment.ts')).handler(event),
    describe: (event) => event.Records[0]?.s3.object.key ?? '(no key)',
    log,
  });
  const routeObjectCreated = async (event: { Records: S3EventRecord[] }) => {
    const key = event.Records[0]?.s3.object.key ?? '';
    if (key.startsWith('segments/')) {
      log(`import: ${key}`);
      await imports.deliver(event);
    } else if (key.startsWith('campaigns/')) {
      log(`plan: ${key}`);
      const result = await (await import('../handlers/plan-campaign.ts')).handler(event);
      options.onPlanned?.(result);
    }
  };
  const servers = await startLocalServers({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.ports ? { ports: options.ports } : {}),
    bucket: options.config.dataBucket,
    log,
    onObjectCreated: routeObjectCreated,
  });
  const config: LocalConfig = { ...options.config, endpoints: servers.endpoints };
  pointHandlersAt(config);
  await ensureTables(
    clientsFor(config).dynamodb,
    TABLES.map((table) => config.tables[table]),
  );

  const optOuts = new LocalSmsOptOuts();
  const virtual = options.clock instanceof VirtualClock ? options.clock : undefined;
  const sendWorker = async (message: ShardMessage) => (await import('../handlers/send-worker.ts')).handler(message);
  const runtime: LocalRuntime = {
    clock: options.clock,
    sms: new LocalSmsSink({
      ratePerSecond: options.smsRatePerSecond,
      clock: options.clock,
      isOptedOut: (phone) => optOuts.has(phone),
    }),
    optOuts,
    scheduler: new LocalScheduler({
      // As on AWS, where the trigger groups' schedules target the trigger-check function.
      invoke: async (payload, schedule) =>
        schedule.group.startsWith(TRIGGER_GROUP_PREFIX)
          ? (await import('../handlers/trigger-check.ts')).handler(payload)
          : (await import('../handlers/send-dispatch.ts')).handler(payload),
      log,
      oneAtATime: virtual !== undefined,
    }),
    sendQueue: new InProcessSendQueue({
      workers: options.sendWorkers ?? 8,
      handle: virtual ? (message) => virtual.spawn(() => sendWorker(message)) : sendWorker,
      ...(virtual ? { pause: (ms: number) => virtual.spawn(() => virtual.sleepUntil(virtual.now() + ms)) } : {}),
      onError: (message, error) => log(`send ${message.sendId} shard ${message.shard}: ${(error as Error).message}`),
    }),
    ...(virtual ? { sendInOrder: true, random: mulberry32(SIMULATION_SEED) } : {}),
  };
  setLocalRuntime(runtime);
  return {
    config,
    servers,
    runtime,
    async stop() {
      await imports.stop();
      await runtime.scheduler.stop();
      // Workers started outside a play (a dispatch called directly) finish, as on a real clock.
      if (virtual && !virtual.isPlaying) await virtual.play([]);
      await runtime.sendQueue.idle();
      setLocalRuntime(undefined);
      await servers.stop();
    },
  };
}

/** A stack of its own for one run (a simulation, a bench, a test): free ports, fresh tables. */
export function startEphemeralStack(
  options: Omit<LocalStackOptions, 'config'> & { dataBucket?: string; dataDir?: string },
): Promise<LocalStack> {
  const { dataBucket = 'campaign-data', dataDir, ...rest } = options;
  const config = localConfigFor(
    { dynamodb: 'http://127.0.0.1:0', s3: 'http://127.0.0.1:0', ses: 'http://127.0.0.1:0' },
    { dataBucket, suffix: randomUUID().slice(0, 8), ...(dataDir ? { dataDir } : {}) },
  );
  return startLocalStack({ ...rest, config });
}
