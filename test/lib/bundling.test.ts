/**
 * The function as Lambda gets it: bundled by CampaignFunction (esbuild, ESM, the require
 * banner, the SDK external), loaded in a process with the runtime's environment, invoked
 * once. The template tests skip bundling; this is the one place that runs a bundle.
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SERVICE } from '../../functions/contract.ts';
import { ENV } from './cdk-test-support.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Loads the bundle the way the runtime does (environment first), invokes it, prints the result. */
const INVOKE = `
const bundle = await import(process.env.BUNDLE);
const context = { awsRequestId: 'req-bundle-1', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME };
const result = await bundle.handler({ not: 'a schedule payload' }, context);
console.log(JSON.stringify({ result, service: bundle.handler.service }));
`;

/** Synthesizes one CampaignFunction with bundling on and prints the directory of its bundle. */
const SYNTH = `
const { App, Stack } = await import('aws-cdk-lib');
const { CampaignFunction } = await import('./lib/campaign-function.ts');
const { readFileSync } = await import('node:fs');
const app = new App({ outdir: process.env.OUTDIR, context: JSON.parse(readFileSync('cdk.json', 'utf8')).context });
const stack = new Stack(app, 'Bundle', { env: ${JSON.stringify(ENV)} });
new CampaignFunction(stack, 'Dispatch', { entry: 'functions/handlers/send-dispatch.ts', serviceName: '${SERVICE.sendDispatch}' });
const assembly = app.synth();
const fn = Object.values(assembly.getStackByName('Bundle').template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
console.log(assembly.directory + '/asset.' + fn.Properties.Code.S3Key.replace(/\\.zip$/, ''));
`;

/** Runs node with `args` in the repository; what it printed goes to the test's own output. */
async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  const child = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env }).catch(
    (error: Error & { stdout?: string; stderr?: string }) => {
      console.error(error.stdout, error.stderr);
      throw error;
    },
  );
  if (child.stderr) console.error(child.stderr);
  return child;
}

describe('the bundled send dispatcher', () => {
  let work: string;
  let daemon: Socket;
  const traced: Record<string, unknown>[] = [];

  beforeAll(async () => {
    // Inside the repository (git ignores .scratch/), so the external SDK resolves as on Lambda.
    await mkdir(join(REPO_ROOT, '.scratch'), { recursive: true });
    work = await mkdtemp(join(REPO_ROOT, '.scratch', 'bundle-'));
    // A stand-in for the X-Ray daemon, to see what the bundle traces.
    daemon = createSocket('udp4');
    daemon.on('message', (packet) => {
      const [, body] = packet.toString('utf8').split('\n');
      if (body) traced.push(JSON.parse(body) as Record<string, unknown>);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => daemon.close(() => resolve()));
    await rm(work, { recursive: true, force: true });
  });

  it('loads and runs on Lambda with context on its logs and its tracer sending the handler subsegment', async () => {
    // Prepare: bundled in a process of its own, whose progress lines (CDK's, esbuild's) stay
    // out of the test output; vitest shows them if the test fails.
    const synth = await run(['--import', 'tsx', '--input-type=module', '-e', SYNTH], {
      ...process.env,
      OUTDIR: join(work, 'cdk.out'),
    });
    const bundle = join(synth.stdout.trim().split('\n').at(-1) ?? 'missing', 'index.mjs');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      BUNDLE: bundle,
      AWS_LAMBDA_FUNCTION_NAME: 'CampaignStateless-SendDispatch',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: ENV.region,
      LAMBDA_TASK_ROOT: join(bundle, '..'),
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_SERVICE_NAME: SERVICE.sendDispatch,
    };

    // Act: the SDK is external, as on Lambda (its runtime ships it); here it is the repository's.
    const { stdout, stderr } = await run(['--input-type=module', '-e', INVOKE], env);

    // Assess
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toEqual({
      result: { kind: 'ignored', reason: 'not a send schedule payload' },
      service: SERVICE.sendDispatch,
    });
    // Powertools writes errors to stderr (Lambda reads both).
    const logged = JSON.parse(stderr.split('\n').find((line) => line.startsWith('{"level"')) ?? '{}');
    expect(logged).toMatchObject({
      level: 'ERROR',
      message: 'not a send schedule payload',
      service: SERVICE.sendDispatch,
      cold_start: true,
      function_request_id: 'req-bundle-1',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    });
    await vi.waitFor(() => expect(traced.map((doc) => doc.name)).toContain('## index.handler'), { timeout: 30_000 });
    expect(traced.find((doc) => doc.name === '## index.handler')).toMatchObject({
      annotations: { ColdStart: true, Service: SERVICE.sendDispatch },
    });
  });
});
