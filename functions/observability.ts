/**
 * Logs and traces, in one place. Every handler takes its logger from `observability(SERVICE.x)`
 * and wraps itself in its `handler(...)`, which per invocation:
 * - puts the Lambda context on every log line (request id, cold start, function name and
 *   version), and takes it off again after the invocation;
 * - on AWS, opens the `## handler` trace subsegment with the ColdStart and Service
 *   annotations, and records an error on it;
 * - rethrows an error with personal data masked, so the runtime's own error line is masked too.
 *
 * The logger masks phones and email addresses in every line it writes (values and keys, error
 * messages and stacks included), whatever a caller hands it.
 *
 * Tracing runs on AWS only. Locally and in tests the tracer is never even loaded (its X-Ray
 * SDK takes a noticeable part of a second to import) and `instrument` only adds the masking.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { ENV, type ServiceName } from './contract.ts';
import { maskedError, maskPersonalData } from './domain/masking.ts';

/** On Lambda (the runtime sets the function name), unless forced to run as the local stack. */
function onLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && env.CAMPAIGN_RUNTIME !== 'local';
}

const tracing = onLambda() ? await import('@aws-lambda-powertools/tracer') : undefined;

/**
 * One tracer per container, named by the POWERTOOLS_SERVICE_NAME the CDK sets: the X-Ray SDK
 * patches the process (HTTP, fetch), so a second instance would trace every call twice.
 */
let containerTracer: Tracer | undefined;
function tracer(): Tracer | undefined {
  if (tracing && !containerTracer) {
    containerTracer = new tracing.Tracer({ serviceName: process.env[ENV.serviceName] });
  }
  return containerTracer;
}

/** Masks personal data in every string, and every key, of a log line. */
export function maskingReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (value instanceof Error) return maskedError(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    const keys = Object.keys(value);
    if (keys.every((key) => maskPersonalData(key) === key)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [maskPersonalData(key), inner]));
  }
  return value;
}

/** A handler as Lambda calls it; locally and in tests the context may be missing or partial. */
export type LambdaHandler<E, R> = (event: E, context?: Partial<Context>) => Promise<R>;
export type ObservedHandler<E, R> = LambdaHandler<E, R> & { readonly service: ServiceName };

export interface Observability {
  readonly service: ServiceName;
  readonly logger: Logger;
  /** Undefined locally and in tests: tracing is off there. */
  readonly tracer: Tracer | undefined;
  /** Wraps a handler: context on the log lines, the trace subsegment, a masked rethrow. */
  handler<E, R>(handle: LambdaHandler<E, R>): ObservedHandler<E, R>;
}

const byService = new Map<ServiceName, Observability>();

/** The logger (and on AWS the tracer) of one function, created once per container. */
export function observability(service: ServiceName): Observability {
  const known = byService.get(service);
  if (known) return known;
  const logger = new Logger({ serviceName: service, jsonReplacerFn: maskingReplacer });
  const created: Observability = {
    service,
    logger,
    tracer: tracer(),
    handler: (handle) => Object.assign(observe(service, logger, handle), { service }),
  };
  byService.set(service, created);
  return created;
}

function observe<E, R>(service: ServiceName, logger: Logger, handle: LambdaHandler<E, R>): LambdaHandler<E, R> {
  let checked = false;
  return async (event, context) => {
    // Locally (no request id) the context is not invented: handlers there run concurrently in
    // one process and would take each other's.
    if (context?.awsRequestId) logger.addContext(context as Context);
    const configured = process.env[ENV.serviceName];
    if (!checked && onLambda() && configured !== service) {
      // The CDK named the function otherwise: its logs and traces would not line up.
      logger.warn('POWERTOOLS_SERVICE_NAME is not the service of the handler it runs', { configured });
    }
    checked = true;
    const traced = tracer();
    const segment = traced?.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? service}`);
    if (traced && subsegment) traced.setSegment(subsegment);
    traced?.annotateColdStart();
    traced?.addServiceNameAnnotation();
    try {
      // The response is not put on the trace: reports and touches hold personal data.
      return await handle(event, context);
    } catch (error) {
      const masked = maskedError(error);
      if (masked instanceof Error) traced?.addErrorAsMetadata(masked);
      throw masked;
    } finally {
      logger.resetKeys();
      if (traced && segment && subsegment) {
        subsegment.close();
        traced.setSegment(segment);
      }
    }
  };
}

/** What `instrument` needs of an AWS SDK v3 client. */
interface SdkClient {
  readonly middlewareStack: object;
}
type Next = (args: unknown) => Promise<unknown>;
interface BuildStack {
  add(
    middleware: (next: Next) => Next,
    options: { step: 'build'; priority: 'low'; name: string; override: boolean },
  ): void;
}

/**
 * An SDK client whose errors come out with personal data masked (SNS echoes the phone
 * number it refuses, SES the address), and on AWS traced in X-Ray. The masking sits inside
 * the X-Ray middleware, so the error a trace records is masked too.
 */
export function instrument<C extends SdkClient>(client: C): C {
  (client.middlewareStack as BuildStack).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw maskedError(error);
      }
    },
    { step: 'build', priority: 'low', name: 'maskPersonalDataInErrors', override: true },
  );
  return tracer()?.captureAWSv3Client(client) ?? client;
}
