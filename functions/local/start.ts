/**
 * `npm start`: the whole product on one machine. Starts the embedded DynamoDB, S3 and SES
 * (data under the git-ignored `.local-data/`), creates the tables, delivers S3
 * object-created events to the import handler and serves the HTTP routes as API Gateway
 * would. Ctrl-C stops everything and exits 0.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { PortInUseError, startHttpServer } from '../adapters/local/http-server.ts';
import { ConfigError, type LocalConfig, loadConfig, TABLES } from '../config.ts';
import { ENV, UNSUBSCRIBE_PATH } from '../contract.ts';
import { systemClock } from '../ports/clock.ts';
import { persistentLinkSecret } from './link-secret.ts';
import { localRoutes } from './routes.ts';
import { startLocalStack } from './stack.ts';

process.env.CAMPAIGN_RUNTIME ??= 'local';
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const PORT_VARIABLES: Record<string, { label: string; variable: string }> = {
  http: { label: 'HTTP API', variable: 'PORT' },
  dynamodb: { label: 'DynamoDB', variable: 'DYNAMODB_PORT' },
  s3: { label: 'S3', variable: 'S3_PORT' },
  ses: { label: 'SES', variable: 'SES_PORT' },
};

const log = (line: string) => console.error(`[local] ${line}`);

function portOf(endpoint: string): number {
  const url = new URL(endpoint);
  return url.port ? Number(url.port) : 80;
}

function explain(error: unknown): string {
  if (error instanceof PortInUseError) {
    const known = PORT_VARIABLES[error.service];
    const label = known?.label ?? error.service;
    const variable = known ? ` or set ${known.variable} to another port (0 picks a free one)` : '';
    return `port ${error.port} (${label}) is already in use on 127.0.0.1: stop whatever uses it${variable}`;
  }
  if (!(error instanceof Error)) return String(error);
  // Set DEBUG=1 for the stack of an unexpected failure.
  if (error instanceof ConfigError || !process.env.DEBUG) return error.message;
  return error.stack ?? error.message;
}

const stoppers: (() => Promise<void>)[] = [];
let shuttingDown = false;

async function shutdown(signal: string): Promise<void> {
  // npm, sh and tsx each pass Ctrl-C on as well, so one keypress can arrive twice; every step
  // of the stop has its own time limit, so repeats are ignored rather than forcing an exit.
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal}: stopping...`);
  let code = 0;
  for (const stop of [...stoppers].reverse()) {
    try {
      await stop();
    } catch (error) {
      code = 1;
      console.error(`stop failed: ${explain(error)}`);
    }
  }
  console.log('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  if (process.env.CAMPAIGN_RUNTIME !== 'local') {
    throw new Error(
      `npm start runs the local stack only: CAMPAIGN_RUNTIME is "${process.env.CAMPAIGN_RUNTIME}"; unset it`,
    );
  }
  if (!process.env.WEBHOOK_SECRET) {
    // The order webhook needs a signing secret; a fresh one per run, shown once, never stored.
    process.env.WEBHOOK_SECRET = randomBytes(24).toString('hex');
    console.log(`WEBHOOK_SECRET not set: this run signs with ${process.env.WEBHOOK_SECRET}`);
  }
  const loaded = loadConfig();
  if (loaded.runtime !== 'local') throw new Error('npm start runs the local stack only');
  const dataDir = resolve(loaded.dataDir);
  // The handlers read it from the environment, as they read everything else.
  process.env[ENV.linkSecret] ||= await persistentLinkSecret(dataDir);
  const config: LocalConfig = { ...loaded, linkSecret: process.env[ENV.linkSecret] as string };

  const stack = await startLocalStack({
    config,
    dataDir,
    ports: {
      dynamodb: portOf(config.endpoints.dynamodb),
      s3: portOf(config.endpoints.s3),
      ses: portOf(config.endpoints.ses),
    },
    clock: systemClock,
    log,
    onPlanned: (result) => log(`plan: ${JSON.stringify(result).slice(0, 300)}`),
  });
  stoppers.push(() => stack.stop());
  const { servers } = stack;
  const running = stack.config;

  const http = await startHttpServer({
    port: config.httpPort,
    routes: localRoutes(),
    health: () => servers.health(),
    log,
  });
  stoppers.push(() => http.stop());
  // Links in mail point at this server's real port (PORT=0 picks one), unless PUBLIC_BASE_URL says otherwise.
  stack.runtime.publicBaseUrl = http.url;
  const linkBase = config.publicBaseUrl ?? http.url;
  // Schedules fire on the real clock, as EventBridge Scheduler's do; only now, so every email has its link.
  stack.runtime.scheduler.start(systemClock);

  const rows: [string, string][] = [
    ['DynamoDB', `${servers.endpoints.dynamodb}  (tables: ${TABLES.map((t) => running.tables[t]).join(', ')})`],
    ['S3', `${servers.endpoints.s3}  (bucket: ${running.dataBucket})`],
    ['SES', servers.endpoints.ses],
    ['SES mail', `${servers.endpoints.ses}/`],
    ['HTTP API', http.url],
    ['Console', `${http.url}/  (the marketer's console, in Chinese; ?lang=en for English)`],
    ['Health', `${http.url}/health`],
    ['Links', `${linkBase}${UNSUBSCRIBE_PATH}?t=…  (unsubscribe links in mail)`],
    ['Data', dataDir],
  ];
  for (const [name, value] of rows) console.log(`${name.padEnd(10)} ${value}`);
  console.log('ready (Ctrl-C stops)');
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (error: unknown) => {
  console.error(`cannot start: ${explain(error)}`);
  for (const stop of [...stoppers].reverse()) await stop().catch(() => {});
  process.exit(1);
});
