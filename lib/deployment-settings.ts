/**
 * The settings of one deployment, from CDK context: the `context` of cdk.json or
 * `-c key=value` on the cdk command line. Read and checked here, once, for lib/app.ts.
 *
 * A deployment needs real values: with the SES sender domain left at an example domain,
 * every email would be refused (MessageRejected) and recorded failed. So synthesis stops,
 * naming each missing or placeholder setting and how to set it. An offline synth (the
 * tests, `npm run synth`) says `-c dryRun=true` instead: unset settings take example
 * values, and the templates are stamped as a dry run that CloudFormation refuses to deploy.
 */
import { CfnParameter, CfnRule, Fn, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { z } from 'zod';

/** Every context key this app reads. */
export const SETTING_NAMES = [
  'emailDomain',
  'alarmEmail',
  'publicBaseUrl',
  'consoleUrl',
  'signInDomainPrefix',
  'smsSenderId',
  'reservedConcurrency',
  'importWorkers',
  'sendWorkers',
  'importMapThresholdMb',
  'importMapConcurrency',
  'planShardConcurrency',
  'planShardThreshold',
  'touchesWarmWrites',
  'dryRun',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export interface DeploymentSettings {
  /** The SES-verified domain campaign email is sent from, as `campaign@<emailDomain>`. */
  readonly emailDomain: string;
  /** Subscribed (email) to the operator alarm topic. */
  readonly alarmEmail: string;
  /**
   * The public HTTPS prefix of unsubscribe and tracked links, without a trailing slash
   * (a custom domain or CDN in front of the API). Unset: the HTTP API's own URL.
   */
  readonly publicBaseUrl?: string;
  /** Where the console's sign-in returns (an https URL). Unset: `<HttpApiUrl>console`. */
  readonly consoleUrl?: string;
  /** The managed login's domain prefix. Unset: `d11-campaign-<account id>`. */
  readonly signInDomainPrefix?: string;
  /** The SMS sender ID, where the destination country supports one (China does not). */
  readonly smsSenderId?: string;
  /** Reserve `importWorkers` and `sendWorkers` concurrency for the importer and the send worker. */
  readonly reservedConcurrency: boolean;
  /** Segment files imported at once (the import queue poller's cap). */
  readonly importWorkers: number;
  /** Send shards worked at once (the send queue poller's cap). */
  readonly sendWorkers: number;
  /** UTF-8 CSV files of at least this many MB import through the Distributed Map. Unset: 200. */
  readonly importMapThresholdMb?: number;
  /** Batches the Distributed Map import writes at once. Unset: 40. */
  readonly importMapConcurrency?: number;
  /** Shards a sharded plan runs at once in each pass. Unset: 100. */
  readonly planShardConcurrency?: number;
  /** Campaigns with at least this many imported customers plan in shards. Unset: 2,000,000. */
  readonly planShardThreshold?: number;
  /**
   * Writes a second the touches table takes at once from its creation (DynamoDB warm
   * throughput), for the second passes of a sharded plan. Unset: what DynamoDB gives a new
   * on-demand table (4,000).
   */
  readonly touchesWarmWrites?: number;
  /** Synthesized with example values for what was not set: never to be deployed. */
  readonly dryRun: boolean;
}

/** What a dry run uses for the settings a deployment must give. */
export const DRY_RUN_EXAMPLES = {
  emailDomain: 'example.com',
  alarmEmail: 'ops@example.com',
} as const satisfies Partial<Record<SettingName, string>>;

export const DEFAULT_IMPORT_WORKERS = 4;
export const DEFAULT_SEND_WORKERS = 8;

/** What each setting means and a value to show in the "how to set it" hint. */
const HELP: Readonly<Record<SettingName, { meaning: string; example: string }>> = {
  emailDomain: {
    meaning: 'the SES-verified domain campaign email is sent from (campaign@<emailDomain>)',
    example: 'mail.yourstore.cn',
  },
  alarmEmail: { meaning: 'the operator e-mail address subscribed to the alarm topic', example: 'ops@yourstore.cn' },
  publicBaseUrl: {
    meaning: 'the public HTTPS prefix of the unsubscribe and tracked links in messages (default: the HTTP API URL)',
    example: 'https://go.yourstore.cn',
  },
  consoleUrl: {
    meaning:
      "the console's https URL, where the sign-in returns after sign-in and sign-out (default: the HTTP API URL + console)",
    example: 'https://console.yourstore.cn/console',
  },
  signInDomainPrefix: {
    meaning:
      'the prefix of the sign-in domain <prefix>.auth.<region>.amazoncognito.com, unique in the region: lowercase letters, digits and -, no "aws", "amazon" or "cognito" (default: d11-campaign-<account id>)',
    example: 'yourstore-d11',
  },
  smsSenderId: {
    meaning: 'the SMS sender ID, 1 to 11 letters and digits, only where the destination country supports one',
    example: 'YOURSTORE',
  },
  reservedConcurrency: {
    meaning: 'reserve importWorkers + sendWorkers Lambda concurrency (needs an account quota above that + 100)',
    example: 'true',
  },
  importWorkers: { meaning: 'segment files imported at once, 2 to 1000', example: String(DEFAULT_IMPORT_WORKERS) },
  sendWorkers: { meaning: 'send shards worked at once, 2 to 1000', example: String(DEFAULT_SEND_WORKERS) },
  importMapThresholdMb: {
    meaning:
      'UTF-8 CSV files of at least this many MB import through the Distributed Map, smaller ones through one writer, 1 to 10240 (default 200)',
    example: '200',
  },
  importMapConcurrency: {
    meaning: 'batches of 1,000 rows the Distributed Map import writes at once, 1 to 10000 (default 40)',
    example: '40',
  },
  planShardConcurrency: {
    meaning: 'shards a sharded plan runs at once in each pass, 1 to 1000 (default 100)',
    example: '100',
  },
  planShardThreshold: {
    meaning:
      'campaigns with at least this many imported customers plan in shards (Step Functions), smaller ones in the plan API, 1 to 1000000000 (default 2000000)',
    example: '2000000',
  },
  touchesWarmWrites: {
    meaning:
      "write units a second the touches table takes at once (DynamoDB warm throughput, a one-time charge on each increase), for the second passes of a plan of millions of customers; at most the table's write quota (40,000 by default), 4000 to 1000000 (default: DynamoDB's 4,000 for a new on-demand table)",
    example: '40000',
  },
  dryRun: { meaning: 'synthesize offline with example values; the templates cannot be deployed', example: 'true' },
};

/** The settings a deployment must give: no default could be right. */
const REQUIRED = ['emailDomain', 'alarmEmail'] as const satisfies readonly SettingName[];

export class DeploymentSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      [
        'Deployment settings are missing or wrong; set them in the "context" of cdk.json or with -c key=value:',
        ...problems.map((problem) => `  - ${problem}`),
        'For an offline synth with example values that can never be deployed: -c dryRun=true (npm run synth).',
      ].join('\n'),
    );
    this.name = 'DeploymentSettingsError';
  }
}

/**
 * Labels that mark an example, not a real domain: the reserved example domains
 * (example.com, .net, .org, and any *.example), example.cn, shop.example.* and the like,
 * and the `yourstore` of this project's own instructions.
 */
const PLACEHOLDER_LABELS = new Set(['example', 'yourstore']);
/** Top-level domains that never reach the public internet. */
const NON_PUBLIC_TLDS = new Set(['example', 'test', 'invalid', 'localhost', 'local', 'internal']);
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** Why `domain` is a placeholder, or undefined when it may be real. */
function placeholderReason(domain: string): string | undefined {
  const labels = domain.split('.');
  if (labels.some((label) => PLACEHOLDER_LABELS.has(label))) return `${domain} is an example domain`;
  if (NON_PUBLIC_TLDS.has(labels.at(-1) ?? '')) return `${domain} is not a public domain`;
  return undefined;
}

/** Refuses a value whose domain is a placeholder, except in a dry run. */
function realDomain(dryRun: boolean, domainOf: (value: string) => string = (value) => value) {
  return (value: string, context: z.RefinementCtx) => {
    const reason = dryRun ? undefined : placeholderReason(domainOf(value));
    if (reason) context.addIssue({ code: 'custom', message: `"${value}" is a placeholder (${reason})` });
  };
}

const domainName = z
  .string()
  .transform((value) => value.toLowerCase())
  .refine((value) => DOMAIN.test(value), { message: 'is not a domain name such as mail.yourstore.cn' });

// cdk.json gives JSON types, `-c key=value` always strings: both are read the same way.
const wholeNumber = (min: number, max: number) =>
  z
    .preprocess(
      (value) => (typeof value === 'number' ? String(value) : value),
      z.string('must be a whole number').regex(/^\d+$/, 'must be a whole number'),
    )
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const workers = wholeNumber(2, 1000);

const flag = z
  .preprocess(
    (value) => (typeof value === 'boolean' ? String(value) : value),
    z.enum(['true', 'false'], 'must be true or false'),
  )
  .transform((value) => value === 'true');

function schemas(dryRun: boolean) {
  return {
    emailDomain: domainName.superRefine(realDomain(dryRun)),
    alarmEmail: z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.email('is not an e-mail address'))
      .superRefine(realDomain(dryRun, (address) => address.slice(address.lastIndexOf('@') + 1))),
    publicBaseUrl: z
      .url({ protocol: /^https$/, message: 'is not an https:// URL' })
      .superRefine((value, context) => {
        const url = new URL(value);
        if (url.search || url.hash) context.addIssue({ code: 'custom', message: 'must have no ?query or #fragment' });
        if (!DOMAIN.test(url.hostname)) {
          context.addIssue({ code: 'custom', message: `"${url.hostname}" is not a public host name` });
        } else {
          realDomain(dryRun, () => url.hostname)(value, context);
        }
      })
      .transform((value) => value.replace(/\/+$/, '')),
    consoleUrl: z
      .url({ protocol: /^https$/, message: 'is not an https:// URL' })
      .refine((value) => !/[?#]/.test(value), 'must have no ?query or #fragment'),
    signInDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1 to 63 lowercase letters, digits and -')
      .refine((value) => !/aws|amazon|cognito/.test(value), 'must not contain aws, amazon or cognito'),
    smsSenderId: z
      .string()
      .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, 'must be 1 to 11 letters and digits, at least one a letter'),
    reservedConcurrency: flag,
    importWorkers: workers,
    sendWorkers: workers,
    // 10 GB is about 100 million rows, ten times the largest store: a larger threshold is a typo.
    importMapThresholdMb: wholeNumber(1, 10_240),
    // A Distributed Map runs at most 10,000 child executions at once.
    importMapConcurrency: wholeNumber(1, 10_000),
    planShardConcurrency: wholeNumber(1, 1000),
    planShardThreshold: wholeNumber(1, 1_000_000_000),
    // Below 4,000 is what a new on-demand table has anyway; warm throughput never goes down.
    touchesWarmWrites: wholeNumber(4000, 1_000_000),
    dryRun: flag,
  } satisfies Record<SettingName, z.ZodType>;
}

/** A context value, with blank strings (`-c emailDomain=`) read as not set. */
function contextValue(scope: IConstruct, name: SettingName): unknown {
  const value = scope.node.tryGetContext(name);
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return typeof value === 'string' ? value.trim() : value;
}

function howToSet(name: SettingName): string {
  return `${HELP[name].meaning}. Set it with -c ${name}=${HELP[name].example} or "${name}" in the context of cdk.json`;
}

/** Reads and checks every setting; throws DeploymentSettingsError naming each problem. */
export function readDeploymentSettings(scope: IConstruct): DeploymentSettings {
  const problems: string[] = [];
  // A key that differs only in case is a typo that would otherwise read as "missing".
  const known = new Map(SETTING_NAMES.map((name) => [name.toLowerCase(), name]));
  for (const key of Object.keys(scope.node.getAllContext())) {
    const meant = known.get(key.toLowerCase());
    if (meant && meant !== key) problems.push(`${key}: unknown setting; did you mean ${meant}?`);
  }

  const dryRunValue = schemas(false).dryRun.safeParse(contextValue(scope, 'dryRun') ?? false);
  if (!dryRunValue.success) problems.push(`dryRun: ${dryRunValue.error.issues[0]?.message}`);
  const dryRun = dryRunValue.success && dryRunValue.data;
  const schema = schemas(dryRun);

  const read = <N extends Exclude<SettingName, 'dryRun'>>(
    name: N,
    fallback?: unknown,
  ): z.output<(typeof schema)[N]> => {
    const raw = contextValue(scope, name) ?? fallback;
    if (raw === undefined) {
      problems.push(`${name}: missing; ${howToSet(name)}`);
      return undefined as z.output<(typeof schema)[N]>;
    }
    const result = schema[name].safeParse(raw);
    if (result.success) return result.data as z.output<(typeof schema)[N]>;
    const shown = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw);
    for (const issue of result.error.issues) {
      // Placeholder reasons quote the value themselves.
      const message = issue.message.startsWith('"') ? issue.message : `${shown} ${issue.message}`;
      problems.push(`${name}: ${message}; ${howToSet(name)}`);
    }
    return undefined as z.output<(typeof schema)[N]>;
  };
  const example = (name: (typeof REQUIRED)[number]) => (dryRun ? DRY_RUN_EXAMPLES[name] : undefined);

  const emailDomain = read('emailDomain', example('emailDomain'));
  const alarmEmail = read('alarmEmail', example('alarmEmail'));
  const publicBaseUrl = contextValue(scope, 'publicBaseUrl') === undefined ? undefined : read('publicBaseUrl');
  const smsSenderId = contextValue(scope, 'smsSenderId') === undefined ? undefined : read('smsSenderId');
  const consoleUrl = contextValue(scope, 'consoleUrl') === undefined ? undefined : read('consoleUrl');
  const signInDomainPrefix =
    contextValue(scope, 'signInDomainPrefix') === undefined ? undefined : read('signInDomainPrefix');
  const reservedConcurrency = read('reservedConcurrency', false);
  const importWorkers = read('importWorkers', DEFAULT_IMPORT_WORKERS);
  const sendWorkers = read('sendWorkers', DEFAULT_SEND_WORKERS);
  const optional = <
    N extends
      | 'importMapThresholdMb'
      | 'importMapConcurrency'
      | 'planShardConcurrency'
      | 'planShardThreshold'
      | 'touchesWarmWrites',
  >(
    name: N,
  ) => (contextValue(scope, name) === undefined ? {} : ({ [name]: read(name) } as unknown as Record<N, number>));
  const scale = {
    ...optional('importMapThresholdMb'),
    ...optional('importMapConcurrency'),
    ...optional('planShardConcurrency'),
    ...optional('planShardThreshold'),
    ...optional('touchesWarmWrites'),
  };
  if (problems.length > 0) throw new DeploymentSettingsError(problems);
  return {
    emailDomain,
    alarmEmail,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    ...(smsSenderId ? { smsSenderId } : {}),
    ...(consoleUrl ? { consoleUrl } : {}),
    ...(signInDomainPrefix ? { signInDomainPrefix } : {}),
    reservedConcurrency,
    importWorkers,
    sendWorkers,
    ...scale,
    dryRun,
  };
}

export const DRY_RUN_DESCRIPTION_PREFIX = 'DRY RUN with example settings, not deployable: ';

/**
 * Makes a dry run's template undeployable, not only labelled: a template rule whose
 * assertion fails on every create and update, with the reason as its message. The
 * parameter it checks can only hold `dry-run`.
 */
export function refuseDeployment(stack: Stack): void {
  const marker = new CfnParameter(stack, 'DeploymentSettings', {
    type: 'String',
    default: 'dry-run',
    allowedValues: ['dry-run'],
    description: 'Synthesized with -c dryRun=true: example settings, never to be deployed',
  });
  new CfnRule(stack, 'RefuseDryRun', {
    assertions: [
      {
        assert: Fn.conditionNot(Fn.conditionEquals(marker.valueAsString, 'dry-run')),
        assertDescription:
          'This template was synthesized with -c dryRun=true and example settings (example.com): synthesize it again with the real settings (cdk.json context or -c emailDomain=... -c alarmEmail=...).',
      },
    ],
  });
}
