/**
 * Runs dynalite in a process of its own (servers.ts spawns it): sharing a process with the
 * SDK client halves its throughput on two cores. Started as
 *   node --import tsx dynalite-process.ts --port <n> [--path <dir>]
 * it binds 127.0.0.1 (0 = a free port), keeps its tables in LevelDB under --path or in
 * memory without it, and tells the parent its port over IPC once it has answered a
 * ListTables (which also proves the data path opened: a second server on the same path
 * only fails at its first request). Without an IPC channel it prints the same facts as
 * lines on stdout. It closes the database cleanly on SIGTERM, SIGINT or a lost parent.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

export type DynaliteMessage =
  | { type: 'listening'; port: number }
  | { type: 'error'; code: string | undefined; message: string };

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
}

const HOST = '127.0.0.1';

function report(message: DynaliteMessage): void {
  if (process.send) process.send(message);
  else if (message.type === 'listening') console.log(`dynalite listening at http://${HOST}:${message.port}`);
  else console.error(`dynalite error: ${message.message}`);
}

/** A ListTables against the server itself, signed with a dummy key (dynalite checks the shape only). */
async function selfCheck(port: number): Promise<void> {
  const response = await fetch(`http://${HOST}:${port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      'x-amz-date': '20260101T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: '{"Limit":1}',
  });
  if (!response.ok) throw new Error(`self-check ListTables answered ${response.status}: ${await response.text()}`);
}

function main(): void {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, path: { type: 'string' } },
  });
  const port = Number(values.port);
  const dataPath = values.path;
  const fail = (error: unknown, exitCode = 1) => {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const text = error instanceof Error ? error.message : String(error);
    const message =
      code?.startsWith('LEVEL_') && dataPath
        ? `cannot open the DynamoDB data at ${dataPath} (is another server using it?): ${text}`
        : text;
    report({ type: 'error', code, message });
    process.exitCode = exitCode;
    // Let the IPC message flush before leaving.
    setTimeout(() => process.exit(exitCode), 50);
  };
  process.on('uncaughtException', (error) => fail(error));
  process.on('unhandledRejection', (error) => fail(error));

  const require = createRequire(import.meta.url);
  const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
  const server = dynalite(dataPath ? { path: dataPath } : {});

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    if (!server.listening) process.exit(0);
    // dynalite's close() also closes LevelDB once the pending operations are done.
    server.close((error) => {
      if (error) console.error(`dynalite: close failed: ${error.message}`);
      process.exit(error ? 1 : 0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', shutdown);
  // Ctrl-C reaches the whole process group: close cleanly instead of dying mid-write.
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown);

  server.once('error', (error) => fail(error));
  server.listen(port, HOST, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    selfCheck(actual).then(
      () => report({ type: 'listening', port: actual }),
      (error: unknown) => fail(error),
    );
  });
}

main();
