/**
 * The one config module. On AWS every name comes from the function's environment and is
 * required (a missing one fails the cold start, not the first customer); locally every
 * value has a default that points at the embedded servers.
 */
import { z } from 'zod';
import { ENV, ROLES } from './contract.ts';

export const TABLES = ['customers', 'imports', 'campaigns', 'touches', 'links'] as const;
export type TableName = (typeof TABLES)[number];

export const TABLE_ENV: Readonly<Record<TableName, string>> = {
  customers: ENV.customersTable,
  imports: ENV.importsTable,
  campaigns: ENV.campaignsTable,
  touches: ENV.touchesTable,
  links: ENV.linksTable,
};

const LOCAL_DEFAULTS = {
  region: 'ap-northeast-1',
  dataBucket: 'campaign-data',
  ports: { http: 3000, dynamodb: 4567, s3: 4568, ses: 4569 },
};

const name = z.string().min(1);

/** The most an order may cost (CNY) unless ORDER_MAX_AMOUNT_CNY says otherwise. */
export const DEFAULT_MAX_ORDER_AMOUNT = 1_000_000;
/** Both runtimes: the default applies unless the variable is set (the CDK sets none). */
const maxOrderAmount = z
  .number({ error: 'must be a number of CNY, e.g. 1000000' })
  .positive('must be above 0')
  .default(DEFAULT_MAX_ORDER_AMOUNT);
/**
 * Both runtimes: files of at least this many bytes import through the Distributed Map
 * (where one is deployed); unset, DISTRIBUTED_IMPORT.thresholdBytes.
 */
const distributedImportBytes = z
  .number({ error: 'must be a number of bytes, e.g. 209715200' })
  .int('must be a whole number of bytes')
  .positive('must be above 0')
  .optional();
/**
 * Both runtimes: campaigns with at least this many imported customers plan in shards (where a
 * starter is deployed); unset, SHARDED_PLAN.thresholdCustomers.
 */
const shardedPlanCustomers = z
  .number({ error: 'must be a number of customers, e.g. 2000000' })
  .int('must be a whole number of customers')
  .positive('must be above 0')
  .optional();
/** A link base: no query or fragment (a path is fine), kept without its trailing slash. */
const baseUrl = (protocol: RegExp, rule: string) =>
  z
    .url({ protocol, message: `must be an ${rule} URL` })
    .refine((value) => !/[?#]/.test(value), 'must have no query or fragment')
    .transform((value) => value.replace(/\/+$/, ''));

/**
 * The link key where no LINK_SECRET is given (simulations, tests): fixed, so a simulation's
 * links are the same run to run. Not a secret: it is only ever used on this machine (AWS
 * reads its key from Secrets Manager, and `npm start` generates and keeps its own).
 */
export const LOCAL_LINK_SECRET = 'local-only link key: simulations and tests, never AWS';

const awsSchema = z.object({
  runtime: z.literal('aws'),
  region: name,
  tables: z.object(Object.fromEntries(TABLES.map((table) => [table, name])) as Record<TableName, typeof name>),
  dataBucket: name,
  importQueueUrl: z.url(),
  /** The import state machine: only the importer is given it; without it every file takes the continuation path. */
  importStateMachineArn: name.optional(),
  distributedImportBytes,
  /** The sharded plan state machine: only the plan API is given it; without it every plan runs in one process. */
  planStateMachineArn: name.optional(),
  shardedPlanCustomers,
  sendQueueUrl: z.url(),
  /** What each schedule invokes (the send dispatcher), as whom, and where failed deliveries go. */
  scheduler: z.object({ targetArn: name, roleArn: name, deadLetterArn: name }),
  /** What a trigger check's schedule invokes and as whom (given to the functions that schedule checks). */
  triggerScheduler: z.object({ targetArn: name, roleArn: name }).optional(),
  email: z.object({ from: name, configurationSet: name }),
  sms: z.object({ senderId: z.string().optional() }),
  /** The order webhook's signing secret lives in Secrets Manager; the function reads it once. */
  webhookSecretArn: name,
  /** The order webhook refuses amounts above it (CNY). */
  maxOrderAmount,
  /** The key of the links in messages (unsubscribe), in Secrets Manager; read once per container. */
  linkSecretArn: name,
  /**
   * The base of the links in messages; only the send worker needs it (and its composition
   * requires it), so the CDK gives it to the worker alone: it is the HTTP API's own URL, which
   * the functions behind that API cannot name without a circular reference.
   */
  publicBaseUrl: baseUrl(/^https$/, 'https').optional(),
  /**
   * The console's sign-in (only the console function is given it): the managed login's base
   * URL, the console's app client and the console's own URL, where the sign-in returns.
   */
  consoleSignIn: z
    .object({ signInUrl: z.url({ protocol: /^https$/ }), clientId: name, redirectUri: z.url({ protocol: /^https$/ }) })
    .optional(),
});

const localSchema = z.object({
  runtime: z.literal('local'),
  region: name,
  tables: z.object(Object.fromEntries(TABLES.map((table) => [table, name])) as Record<TableName, typeof name>),
  dataBucket: name,
  endpoints: z.object({ dynamodb: z.url(), s3: z.url(), ses: z.url() }),
  httpPort: z.int().min(0).max(65_535),
  /** Locally the signing secret is the WEBHOOK_SECRET variable (absent: the webhook refuses every request). */
  webhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  maxOrderAmount,
  distributedImportBytes,
  shardedPlanCustomers,
  /** The key of the links in messages (LINK_SECRET; default LOCAL_LINK_SECRET). */
  linkSecret: z.string().min(16, 'must be at least 16 characters'),
  /** Absent: the links point at the local HTTP server the stack runs (its real port). */
  publicBaseUrl: baseUrl(/^https?$/, 'http(s)').optional(),
  dataDir: name,
  /**
   * The role of the built-in local user (LOCAL_USER_ROLE): `approver` unless told `marketer`,
   * so one person can play the whole campaign locally, and a marketer's refusals can be tried.
   */
  localUserRole: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).default('approver'),
});

export type AwsConfig = z.infer<typeof awsSchema>;
export type LocalConfig = z.infer<typeof localSchema>;
export type Config = AwsConfig | LocalConfig;

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parse<T>(schema: z.ZodType<T>, raw: unknown, envNames: Record<string, string>): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      return `${envNames[path] ?? path}: ${issue.message}`;
    }),
  );
}

interface Validated {
  /** Every variable the validation read, with the value it had. */
  reads: [string, string | undefined][];
  config: Config;
}

/** Past validations, newest last; a container has one, a test run a few. */
const validated: Validated[] = [];
const MAX_VALIDATED = 32;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the config from an environment (the process's by default), validated once per
 * container: handlers call this on every invocation and get the same (frozen) object back.
 * Validation depends on nothing but the variables it reads, so a config is reused exactly
 * while each of those still has the value it had; a test that changes one gets a fresh one.
 * A config that fails is not kept: the error comes again, with what is wrong, on every call.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  for (const past of validated) {
    if (past.reads.every(([name, value]) => env[name] === value)) return past.config;
  }
  const reads = new Map<string, string | undefined>();
  const recorded = new Proxy(env, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as string | undefined;
      if (typeof name === 'string') reads.set(name, value);
      return value;
    },
  });
  const config = deepFreeze(validate(recorded));
  validated.push({ reads: [...reads], config });
  if (validated.length > MAX_VALIDATED) validated.shift();
  return config;
}

function validate(env: NodeJS.ProcessEnv): Config {
  const maxOrderAmountText = env[ENV.maxOrderAmount]?.trim();
  const maxOrderAmount = maxOrderAmountText ? Number(maxOrderAmountText) : undefined;
  const distributedBytesText = env[ENV.distributedImportBytes]?.trim();
  const distributedImportBytes = distributedBytesText ? Number(distributedBytesText) : undefined;
  const shardedText = env[ENV.shardedPlanCustomers]?.trim();
  const shardedPlanCustomers = shardedText ? Number(shardedText) : undefined;
  const runtime = env.CAMPAIGN_RUNTIME ?? (env.AWS_LAMBDA_FUNCTION_NAME ? 'aws' : 'local');
  const tableNames = (fallback: (table: TableName) => string | undefined) =>
    Object.fromEntries(TABLES.map((table) => [table, env[TABLE_ENV[table]] ?? fallback(table)]));
  const envNames: Record<string, string> = {
    region: ENV.region,
    dataBucket: ENV.dataBucket,
    importQueueUrl: ENV.importQueueUrl,
    sendQueueUrl: ENV.sendQueueUrl,
    'scheduler.targetArn': ENV.scheduleTargetArn,
    'scheduler.roleArn': ENV.schedulerRoleArn,
    'scheduler.deadLetterArn': ENV.schedulerDeadLetterArn,
    'triggerScheduler.targetArn': ENV.triggerCheckArn,
    'triggerScheduler.roleArn': ENV.triggerSchedulerRoleArn,
    'email.from': ENV.emailFrom,
    'email.configurationSet': ENV.sesConfigurationSet,
    webhookSecretArn: ENV.webhookSecretArn,
    webhookSecret: ENV.webhookSecret,
    maxOrderAmount: ENV.maxOrderAmount,
    importStateMachineArn: ENV.importStateMachineArn,
    distributedImportBytes: ENV.distributedImportBytes,
    planStateMachineArn: ENV.planStateMachineArn,
    shardedPlanCustomers: ENV.shardedPlanCustomers,
    linkSecretArn: ENV.linkSecretArn,
    linkSecret: ENV.linkSecret,
    publicBaseUrl: ENV.publicBaseUrl,
    'consoleSignIn.signInUrl': ENV.signInUrl,
    'consoleSignIn.clientId': ENV.consoleClientId,
    'consoleSignIn.redirectUri': ENV.consoleUrl,
    ...Object.fromEntries(TABLES.map((table) => [`tables.${table}`, TABLE_ENV[table]])),
  };
  if (runtime === 'aws') {
    return parse(
      awsSchema,
      {
        runtime,
        region: env.AWS_REGION,
        tables: tableNames(() => undefined),
        dataBucket: env.DATA_BUCKET,
        importQueueUrl: env.IMPORT_QUEUE_URL,
        ...(env[ENV.importStateMachineArn] ? { importStateMachineArn: env[ENV.importStateMachineArn] } : {}),
        ...(distributedImportBytes === undefined ? {} : { distributedImportBytes }),
        ...(env[ENV.planStateMachineArn] ? { planStateMachineArn: env[ENV.planStateMachineArn] } : {}),
        ...(shardedPlanCustomers === undefined ? {} : { shardedPlanCustomers }),
        sendQueueUrl: env.SEND_QUEUE_URL,
        scheduler: {
          targetArn: env.SCHEDULE_TARGET_ARN,
          roleArn: env.SCHEDULER_ROLE_ARN,
          deadLetterArn: env.SCHEDULER_DLQ_ARN,
        },
        ...(env[ENV.triggerCheckArn] || env[ENV.triggerSchedulerRoleArn]
          ? {
              triggerScheduler: {
                targetArn: env[ENV.triggerCheckArn],
                roleArn: env[ENV.triggerSchedulerRoleArn],
              },
            }
          : {}),
        email: { from: env.EMAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET },
        sms: { senderId: env.SMS_SENDER_ID },
        webhookSecretArn: env.WEBHOOK_SECRET_ARN,
        maxOrderAmount,
        linkSecretArn: env[ENV.linkSecretArn],
        ...(env[ENV.publicBaseUrl] ? { publicBaseUrl: env[ENV.publicBaseUrl] } : {}),
        // All three or none: one alone is a wiring mistake, named by the missing ones.
        ...(env[ENV.signInUrl] || env[ENV.consoleClientId] || env[ENV.consoleUrl]
          ? {
              consoleSignIn: {
                signInUrl: env[ENV.signInUrl],
                clientId: env[ENV.consoleClientId],
                redirectUri: env[ENV.consoleUrl],
              },
            }
          : {}),
      },
      envNames,
    );
  }
  if (runtime !== 'local') throw new ConfigError([`CAMPAIGN_RUNTIME: must be aws or local, not "${runtime}"`]);
  const port = (variable: string, fallback: number) => (env[variable] ? Number(env[variable]) : fallback);
  const host = '127.0.0.1';
  return parse(
    localSchema,
    {
      runtime,
      region: env.AWS_REGION ?? LOCAL_DEFAULTS.region,
      tables: tableNames((table) => table),
      dataBucket: env.DATA_BUCKET ?? LOCAL_DEFAULTS.dataBucket,
      endpoints: {
        dynamodb:
          env.AWS_ENDPOINT_URL_DYNAMODB ?? `http://${host}:${port('DYNAMODB_PORT', LOCAL_DEFAULTS.ports.dynamodb)}`,
        s3: env.AWS_ENDPOINT_URL_S3 ?? `http://${host}:${port('S3_PORT', LOCAL_DEFAULTS.ports.s3)}`,
        ses: env.AWS_ENDPOINT_URL_SESV2 ?? `http://${host}:${port('SES_PORT', LOCAL_DEFAULTS.ports.ses)}`,
      },
      httpPort: port('PORT', LOCAL_DEFAULTS.ports.http),
      dataDir: env.LOCAL_DATA_DIR ?? '.local-data',
      maxOrderAmount,
      ...(distributedImportBytes === undefined ? {} : { distributedImportBytes }),
      ...(shardedPlanCustomers === undefined ? {} : { shardedPlanCustomers }),
      ...(env.WEBHOOK_SECRET ? { webhookSecret: env.WEBHOOK_SECRET } : {}),
      linkSecret: env[ENV.linkSecret] || LOCAL_LINK_SECRET,
      ...(env[ENV.publicBaseUrl] ? { publicBaseUrl: env[ENV.publicBaseUrl] } : {}),
      ...(env[ENV.localUserRole]?.trim() ? { localUserRole: env[ENV.localUserRole]?.trim() } : {}),
    },
    { ...envNames, httpPort: 'PORT', dataDir: 'LOCAL_DATA_DIR', localUserRole: ENV.localUserRole },
  );
}
