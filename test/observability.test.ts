import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidParameterException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SERVICE } from '../functions/contract.ts';
import { instrument, observability } from '../functions/observability.ts';
import { captureLogLines } from './support/log-lines.ts';

const PHONE = '+8613800138000';
const MASKED = '+86138****8000';

/** What SNS answers a Publish to a number it refuses: the number, echoed. */
const SNS_REFUSAL = `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber Reason: ${PHONE} is not valid</Message></Error><RequestId>4f6a1b2c</RequestId></ErrorResponse>`;

/** SNS has no local server: this one answers every request with the refusal above. */
let refusing: Server;
let refusingUrl: string;

beforeAll(async () => {
  refusing = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(400, { 'content-type': 'text/xml' });
      response.end(SNS_REFUSAL);
    });
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => refusing.close(resolve));
});

function snsClient(): SNSClient {
  return new SNSClient({
    region: 'ap-northeast-1',
    endpoint: refusingUrl,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

const publish = new PublishCommand({ PhoneNumber: PHONE, Message: '【示例旗舰店】双11零点开抢' });

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'CampaignStateless-SendWorker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:CampaignStateless-SendWorker',
    memoryLimitInMB: '256',
  } as Context;
}

describe('observability, locally', () => {
  it('gives each service one logger, named by the service, and no tracer', () => {
    // Act
    const first = observability(SERVICE.sendWorker);
    const again = observability(SERVICE.sendWorker);
    const other = observability(SERVICE.planCampaign);

    // Assess
    expect(again).toBe(first);
    expect(other.logger).not.toBe(first.logger);
    expect(first.tracer, 'tracing is off outside Lambda').toBeUndefined();
    const logs = captureLogLines();
    first.logger.info('hello');
    logs.restore();
    expect(logs.lines[0]?.service).toBe(SERVICE.sendWorker);
  });

  it('puts the Lambda context on every line of an invocation, and its errors with a masked stack', async () => {
    // Prepare
    const { logger, handler } = observability(SERVICE.sendWorker);
    const handle = handler(async (event: { phone: string }) => {
      logger.info('sending', { shard: 3 });
      logger.error('provider refused', { error: new Error(`Reason: ${event.phone} is not valid`) });
      return 'done';
    });
    const logs = captureLogLines();

    // Act
    const result = await handle({ phone: PHONE }, lambdaContext('req-1'));
    logs.restore();

    // Assess
    expect(result).toBe('done');
    const [info, error] = logs.lines;
    for (const line of [info, error]) {
      expect(line).toMatchObject({
        service: SERVICE.sendWorker,
        function_request_id: 'req-1',
        function_name: 'CampaignStateless-SendWorker',
        cold_start: expect.any(Boolean),
      });
    }
    const logged = error?.error as { name: string; message: string; stack: string[] };
    expect(logged.name).toBe('Error');
    expect(logged.message).toBe(`Reason: ${MASKED} is not valid`);
    expect(logged.stack.length, 'the stack is logged').toBeGreaterThan(1);
    expect(logged.stack[0]).toContain(MASKED);
    expect(logs.raw.join('\n')).not.toContain(PHONE);
  });

  it('masks personal data in every value and key of a line, whatever the caller hands it', () => {
    // Prepare
    const { logger } = observability(SERVICE.sendWorker);
    const logs = captureLogLines();

    // Act
    logger.warn(`shard failed for ${PHONE}`, {
      to: 'zhang@qq.com',
      nested: { phones: [PHONE] },
      [`failed:rejected: ${PHONE} is not valid`]: 1,
    });
    logs.restore();

    // Assess
    const line = logs.lines[0];
    expect(line?.message).toBe(`shard failed for ${MASKED}`);
    expect(line?.to).toBe('z***@qq.com');
    expect(line?.nested).toEqual({ phones: [MASKED] });
    expect(line?.[`failed:rejected: ${MASKED} is not valid`]).toBe(1);
    expect(logs.raw.join('\n')).not.toMatch(/\+8613800138000|zhang@/);
  });

  it('rethrows an error masked, with its class, and the same error when there is nothing to mask', async () => {
    // Prepare
    const { handler } = observability(SERVICE.sendDispatch);
    const clean = new TypeError('no such send');
    const failing = handler(async (event: { error: Error }) => {
      throw event.error;
    });

    // Act
    const refused = await failing({ error: new InvalidParameterException({ message: PHONE, $metadata: {} }) }).catch(
      (error: unknown) => error,
    );
    const plain = await failing({ error: clean }).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect((refused as Error).message).toBe(MASKED);
    expect(plain).toBe(clean);
  });

  it('instruments an SDK client so that the errors it throws are masked, and does not trace it', async () => {
    // Prepare
    const client = instrument(snsClient());

    // Act
    const error = await client.send(publish).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe(`Invalid parameter: PhoneNumber Reason: ${MASKED} is not valid`);
    expect((error as Error).stack).not.toContain(PHONE);
    const middleware = client.middlewareStack.identify();
    expect(middleware).toContain('maskPersonalDataInErrors - build');
    expect(middleware.some((name) => name.startsWith('XRaySDKInstrumentation'))).toBe(false);
    client.destroy();
  });
});

describe('observability on AWS', () => {
  let daemon: Socket;
  const documents: Record<string, unknown>[] = [];

  beforeAll(async () => {
    // A stand-in for the X-Ray daemon: the SDK sends each closed subsegment to it over UDP.
    daemon = createSocket('udp4');
    daemon.on('message', (packet) => {
      const [, body] = packet.toString('utf8').split('\n');
      if (body) documents.push(JSON.parse(body) as Record<string, unknown>);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    // What the Lambda runtime sets, before the module (and its tracer) loads.
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'CampaignStateless-SendWorker');
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    vi.stubEnv('_HANDLER', 'index.handler');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${daemon.address().port}`);
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', SERVICE.sendWorker);
    vi.stubEnv('CAMPAIGN_RUNTIME', 'aws');
    vi.resetModules();
  });

  afterEach(() => {
    documents.length = 0;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.resetModules();
    await new Promise<void>((resolve) => daemon.close(() => resolve()));
  });

  /** Waits for the daemon to receive `count` documents (UDP on loopback: milliseconds, given 30 s). */
  async function received(count: number): Promise<Record<string, unknown>[]> {
    await vi.waitFor(() => expect(documents.length).toBeGreaterThanOrEqual(count), { timeout: 30_000 });
    return documents;
  }

  it('traces the handler and its SDK calls, with masked errors on the trace and the cold start on the logs', async () => {
    // Prepare
    const aws = await import('../functions/observability.ts');
    const observed = aws.observability(SERVICE.sendWorker);
    const client = aws.instrument(snsClient());
    const handle = observed.handler(async () => {
      observed.logger.info('publishing');
      return client.send(publish);
    });
    const logs = captureLogLines();

    // Act
    const first = await handle({}, lambdaContext('req-1')).catch((error: unknown) => error);
    const second = await handle({}, lambdaContext('req-2')).catch((error: unknown) => error);
    logs.restore();

    // Assess
    expect(observed.tracer?.isTracingEnabled()).toBe(true);
    expect(client.middlewareStack.identify()).toContain('XRaySDKInstrumentation - build');
    for (const error of [first, second]) expect((error as Error).message).toContain(MASKED);
    expect(logs.lines.map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['req-1', true],
      ['req-2', false],
    ]);
    const traced = await received(4);
    const text = JSON.stringify(traced);
    expect(text, 'no trace document holds the number').not.toContain(PHONE);
    const handlerSegment = traced.find((doc) => doc.name === '## index.handler') as {
      annotations: Record<string, unknown>;
      cause: { exceptions: { message: string }[] };
    };
    expect(handlerSegment.annotations).toEqual({ ColdStart: true, Service: SERVICE.sendWorker });
    expect(handlerSegment.cause.exceptions[0]?.message).toContain(MASKED);
    const snsSegment = traced.find((doc) => doc.name === 'SNS') as {
      aws: { operation: string };
      cause: { exceptions: { message: string }[] };
    };
    expect(snsSegment.aws.operation).toBe('Publish');
    expect(snsSegment.cause.exceptions[0]?.message).toBe(
      `Invalid parameter: PhoneNumber Reason: ${MASKED} is not valid`,
    );
    client.destroy();
  });

  it('warns once when a function runs a handler of another service than the CDK named it', async () => {
    // Prepare: the CDK named this function campaign-send; it loads the plan handler's module too.
    const aws = await import('../functions/observability.ts');
    const logs = captureLogLines();
    const plan = aws.observability(SERVICE.planCampaign);
    const handle = plan.handler(async () => 'planned');

    // Act
    const created = logs.lines.length;
    await handle({}, lambdaContext('req-3'));
    await handle({}, lambdaContext('req-4'));
    logs.restore();

    // Assess
    expect(created, 'loading a module of another service is no mistake').toBe(0);
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({
      level: 'WARN',
      service: SERVICE.planCampaign,
      configured: SERVICE.sendWorker,
      function_request_id: 'req-3',
    });
  });
});
