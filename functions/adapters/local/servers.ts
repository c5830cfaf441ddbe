/**
 * The embedded AWS stand-ins for `npm start`, the simulation and the tests: dynalite
 * (DynamoDB, in a child process), s3rver (S3, whose object-created events are delivered
 * like S3 notifications) and aws-ses-v2-local (SES, with a page to read the mail). All
 * bind 127.0.0.1; port 0 picks a free one, and the endpoints say which.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import sesLocal from 'aws-ses-v2-local';
import { LOCAL_CREDENTIALS } from '../../composition.ts';
import type { DynaliteMessage } from './dynalite-process.ts';
import { closeServer, listen, PortInUseError } from './http-server.ts';

export { PortInUseError };

export interface LocalServersOptions {
  /** On-disk data under it (`dynamodb/`, `s3/`); omitted = in-memory DynamoDB and a temp S3 folder. */
  dataDir?: string;
  /** 0 or omitted = a free port. */
  ports?: { dynamodb?: number; s3?: number; ses?: number };
  bucket: string;
  /** Called once per ObjectCreated record, after the S3 request has been answered. */
  onObjectCreated?: (event: { Records: S3EventRecord[] }) => void | Promise<void>;
  log?: (line: string) => void;
}

export interface LocalServers {
  endpoints: { dynamodb: string; s3: string; ses: string };
  stop(): Promise<void>;
  health(): Promise<Record<string, boolean>>;
}

type Service = keyof LocalServers['endpoints'];

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const HEALTH_TIMEOUT_MS = 2_000;
/** How long stop() lets in-flight onObjectCreated calls finish before closing the servers. */
const DRAIN_TIMEOUT_MS = 5_000;

const require = createRequire(import.meta.url);

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): (request: IncomingMessage, response: ServerResponse) => void;
  on(event: 'event', listener: (event: { Records: S3EventRecord[] }) => void): void;
  on(event: 'error', listener: (error: Error & { status?: number }) => void): void;
}
type S3rverConstructor = new (options: {
  directory: string;
  silent: boolean;
  configureBuckets: { name: string; configs?: string[] }[];
}) => S3rverInstance;

/**
 * The console's uploads go from the browser straight to the bucket with a presigned PUT (as on
 * AWS, where the bucket has the same rule): the page on the local HTTP server may send them.
 */
const LOCAL_UPLOAD_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>http://127.0.0.1:*</AllowedOrigin>
    <AllowedOrigin>http://localhost:*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

type SesServer = (config?: { host?: string; port?: number }) => Promise<Server>;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

interface Running {
  endpoint: string;
  stop(): Promise<void>;
}

/** dynalite in a child process (dynalite-process.ts), resolved once it answered a ListTables. */
function startDynalite(port: number, dataPath: string | undefined, log: (line: string) => void): Promise<Running> {
  const script = fileURLToPath(new URL('./dynalite-process.ts', import.meta.url));
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const args = ['--import', tsx, script, '--port', String(port), ...(dataPath ? ['--path', dataPath] : [])];
  // Its own process group: Ctrl-C reaches only the parent, which stops dynalite after the
  // in-flight imports are done; a parent that dies anyway closes the IPC channel, and the
  // child shuts down on 'disconnect'.
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(`dynalite: ${line}`));
  }
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopping = true;
    stopped ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    })();
    return stopped;
  };

  return new Promise((resolveStart, rejectStart) => {
    let settled = false;
    const settle = (error: Error | undefined, running?: Running) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        void stop();
        rejectStart(error);
      } else resolveStart(running!);
    };
    const timer = setTimeout(
      () => settle(new Error(`dynalite did not start within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    child.on('message', (message: DynaliteMessage) => {
      if (message.type === 'listening') {
        settle(undefined, { endpoint: `http://${HOST}:${message.port}`, stop });
      } else if (message.type === 'error') {
        const error =
          message.code === 'EADDRINUSE'
            ? new PortInUseError('dynamodb', port)
            : new Error(`dynalite failed: ${message.message}`);
        if (settled) log(`dynalite: ${message.message}`);
        settle(error);
      }
    });
    child.once('error', (error) => settle(error));
    child.once('exit', (code, signal) => {
      if (!stopping) log(`dynalite: exited unexpectedly (code ${code}, signal ${signal})`);
      settle(new Error(`dynalite exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
}

async function startS3(
  port: number,
  directory: string,
  bucket: string,
  onEvent: (event: { Records: S3EventRecord[] }) => void,
  log: (line: string) => void,
): Promise<Running> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({
    directory,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [LOCAL_UPLOAD_CORS] }],
  });
  s3rver.on('event', onEvent);
  // Koa emits every S3 error response here; only server faults are worth a line.
  s3rver.on('error', (error) => {
    if ((error.status ?? 500) >= 500) log(`s3rver: ${describe(error)}`);
  });
  await s3rver.configureBuckets();
  // Our own http.Server around s3rver's documented callback(): its run() turns a busy port
  // into an uncaught 'error' event that would kill the process.
  const server = createServer(s3rver.callback());
  const actual = await listen(server, port, 's3');
  return { endpoint: `http://${HOST}:${actual}`, stop: () => closeServer(server) };
}

/** Why a port could not be bound, found by trying it (aws-ses-v2-local swallows the error). */
function bindError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolveProbe) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolveProbe(error));
    probe.listen(port, HOST, () => probe.close(() => resolveProbe(undefined)));
  });
}

async function startSes(port: number): Promise<Running> {
  // aws-ses-v2-local is CommonJS with `exports.default`: under Node's ESM the default import is the
  // exports object (call its `.default`); bundlers and vitest may already hand over the function.
  const imported = sesLocal as unknown as SesServer | { default: SesServer };
  const start = typeof imported === 'function' ? imported : imported.default;
  const server: Server = await start({ host: HOST, port });
  if (!server.listening) {
    // Express 5 hands the listen error to the callback, which resolves anyway.
    const error = await bindError(port);
    if (!error || error.code === 'EADDRINUSE') throw new PortInUseError('ses', port, { cause: error });
    throw error;
  }
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { endpoint: `http://${HOST}:${actual}`, stop: () => closeServer(server) };
}

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

async function checkHealth(endpoints: LocalServers['endpoints'], bucket: string): Promise<Record<Service, boolean>> {
  const common = {
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: HEALTH_TIMEOUT_MS, requestTimeout: HEALTH_TIMEOUT_MS },
  };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const s3 = new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true });
  try {
    const [dynamodbOk, s3Ok, sesOk] = await Promise.all([
      answers(() => dynamodb.send(new ListTablesCommand({ Limit: 1 }))),
      answers(() => s3.send(new HeadBucketCommand({ Bucket: bucket }))),
      answers(async () => {
        const response = await fetch(`${endpoints.ses}/health-check`, {
          signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
        });
        if (!response.ok) throw new Error(`SES answered ${response.status}`);
      }),
    ]);
    return { dynamodb: dynamodbOk, s3: s3Ok, ses: sesOk };
  } finally {
    dynamodb.destroy();
    s3.destroy();
  }
}

export async function startLocalServers(options: LocalServersOptions): Promise<LocalServers> {
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const dynamoPath = dataDir ? join(dataDir, 'dynamodb') : undefined;
  const s3Dir = dataDir ? join(dataDir, 's3') : await mkdtemp(join(tmpdir(), 'campaign-s3-'));
  if (dynamoPath) await mkdir(dynamoPath, { recursive: true });
  await mkdir(s3Dir, { recursive: true });
  const removeTemp = async () => {
    if (!dataDir) await rm(s3Dir, { recursive: true, force: true });
  };

  let accepting = true;
  const deliveries = new Set<Promise<void>>();
  const onEvent = (event: { Records: S3EventRecord[] }) => {
    const deliver = options.onObjectCreated;
    if (!deliver || !accepting) return;
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      // The record goes through unchanged: s3rver leaves the key decoded where AWS URL-encodes it.
      const delivery = new Promise<void>((resolveTick) => setImmediate(resolveTick))
        .then(() => deliver({ Records: [record] }))
        .then(
          () => undefined,
          (error: unknown) =>
            log(`onObjectCreated failed for s3://${record.s3.bucket.name}/${record.s3.object.key}: ${describe(error)}`),
        );
      deliveries.add(delivery);
      void delivery.finally(() => deliveries.delete(delivery));
    }
  };

  const ports = options.ports ?? {};
  const started = await Promise.allSettled([
    startDynalite(ports.dynamodb ?? 0, dynamoPath, log),
    startS3(ports.s3 ?? 0, s3Dir, options.bucket, onEvent, log),
    startSes(ports.ses ?? 0),
  ]);
  const failures = started.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failures.length > 0) {
    await Promise.allSettled(running.map((server) => server.stop()));
    await removeTemp();
    throw failures.find((failure) => failure instanceof PortInUseError) ?? failures[0];
  }
  const [dynamodb, s3, ses] = running as [Running, Running, Running];
  const endpoints = { dynamodb: dynamodb.endpoint, s3: s3.endpoint, ses: ses.endpoint };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      accepting = false;
      const drained = Promise.allSettled([...deliveries]);
      const timer = new Promise((resolveTimer) => setTimeout(resolveTimer, DRAIN_TIMEOUT_MS).unref());
      await Promise.race([drained, timer]);
      const results = await Promise.allSettled([dynamodb.stop(), s3.stop(), ses.stop()]);
      await removeTemp();
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    })();
    return stopping;
  };

  return { endpoints, stop, health: () => checkHealth(endpoints, options.bucket) };
}
