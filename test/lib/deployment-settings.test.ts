import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import { DeploymentSettingsError, readDeploymentSettings } from '../../lib/deployment-settings.ts';
import { ENV, functionProps, REAL_SETTINGS, refOf, testApp, violationsOf } from './cdk-test-support.ts';

/** What building the app with `settings` as its context throws (undefined when it builds). */
function buildError(settings: Record<string, unknown>): DeploymentSettingsError | undefined {
  try {
    buildApp(testApp(settings), ENV);
    return undefined;
  } catch (error) {
    if (error instanceof DeploymentSettingsError) return error;
    throw error;
  }
}

/** The settings read from an app with `settings` as its context. */
const settingsOf = (settings: Record<string, unknown>) => readDeploymentSettings(testApp(settings));

describe('deployment settings', () => {
  it.each(['example.com', 'example.cn', 'shop.example.com', 'shop.example.cn', 'mail.yourstore.cn', 'EXAMPLE.COM'])(
    'refuse the placeholder sender domain %s, saying how to set a real one',
    (domain) => {
      // Prepare
      const settings = { ...REAL_SETTINGS, emailDomain: domain };

      // Act
      const error = buildError(settings);

      // Assess
      expect(error, `a deployment with emailDomain=${domain} must not synthesize`).toBeInstanceOf(
        DeploymentSettingsError,
      );
      expect(error?.problems).toEqual([
        expect.stringMatching(
          new RegExp(
            `^emailDomain: "${domain.toLowerCase()}" is a placeholder \\(.* is an example domain\\); .*-c emailDomain=mail\\.yourstore\\.cn`,
          ),
        ),
      ]);
      expect(error?.message).toContain('cdk.json');
    },
  );

  it('name every missing setting in one message, an empty value counting as missing', () => {
    // Prepare: no dry run and only a blank sender domain
    const settings = { emailDomain: '  ' };

    // Act
    const error = buildError(settings);

    // Assess
    expect(error?.problems).toEqual([
      expect.stringMatching(/^emailDomain: missing; the SES-verified domain .* -c emailDomain=mail\.yourstore\.cn/),
      expect.stringMatching(/^alarmEmail: missing; .* -c alarmEmail=/),
    ]);
    expect(error?.message).toMatch(/-c dryRun=true/);
  });

  it('refuse placeholder or malformed alarm e-mail, base URL, sender ID and worker counts, each by name', () => {
    // Prepare
    const settings = {
      emailDomain: 'mail.d11-shop.cn',
      alarmEmail: 'ops@example.com',
      publicBaseUrl: 'http://go.d11-shop.cn',
      smsSenderId: 'D11 SHOP',
      sendWorkers: '1',
      importWorkers: 'four',
      reservedConcurrency: 'yes',
    };

    // Act
    const problems = buildError(settings)?.problems.map((problem) => problem.split(';')[0]);

    // Assess
    expect(problems).toEqual([
      'alarmEmail: "ops@example.com" is a placeholder (example.com is an example domain)',
      'publicBaseUrl: "http://go.d11-shop.cn" is not an https:// URL',
      'smsSenderId: "D11 SHOP" must be 1 to 11 letters and digits, at least one a letter',
      'reservedConcurrency: "yes" must be true or false',
      'importWorkers: "four" must be a whole number',
      'sendWorkers: "1" must be at least 2',
    ]);
  });

  it('read the scale settings only when given, and refuse ones out of range, each by name', () => {
    // Prepare
    const given = {
      importMapThresholdMb: '500',
      importMapConcurrency: 120,
      planShardConcurrency: '50',
      planShardThreshold: '750000',
      touchesWarmWrites: '40000',
    };
    const wrong = {
      importMapThresholdMb: '0',
      importMapConcurrency: '10001',
      planShardConcurrency: '1001',
      planShardThreshold: '0.5',
      touchesWarmWrites: '3999',
    };

    // Act
    const read = settingsOf({ ...REAL_SETTINGS, ...given });
    const problems = buildError({ ...REAL_SETTINGS, ...wrong })?.problems.map((problem) => problem.split(';')[0]);

    // Assess
    expect(read).toMatchObject({
      importMapThresholdMb: 500,
      importMapConcurrency: 120,
      planShardConcurrency: 50,
      planShardThreshold: 750_000,
      touchesWarmWrites: 40_000,
    });
    expect(settingsOf(REAL_SETTINGS)).not.toHaveProperty('importMapConcurrency');
    expect(settingsOf(REAL_SETTINGS)).not.toHaveProperty('touchesWarmWrites');
    expect(settingsOf(REAL_SETTINGS)).not.toHaveProperty('planShardThreshold');
    expect(problems).toEqual([
      'importMapThresholdMb: "0" must be at least 1',
      'importMapConcurrency: "10001" must be at most 10000',
      'planShardConcurrency: "1001" must be at most 1000',
      'planShardThreshold: "0.5" must be a whole number',
      'touchesWarmWrites: "3999" must be at least 4000',
    ]);
  });

  it('refuse links to an example host or a query string in the public base URL', () => {
    // Prepare
    const example = { ...REAL_SETTINGS, publicBaseUrl: 'https://shop.example.com/d11' };
    const query = { ...REAL_SETTINGS, publicBaseUrl: 'https://go.d11-shop.cn/?from=sms' };

    // Act
    const problems = [buildError(example), buildError(query)].map((e) => e?.problems.map((p) => p.split(';')[0]));

    // Assess
    expect(problems).toEqual([
      ['publicBaseUrl: "https://shop.example.com/d11" is a placeholder (shop.example.com is an example domain)'],
      ['publicBaseUrl: "https://go.d11-shop.cn/?from=sms" must have no ?query or #fragment'],
    ]);
  });

  it('point out a setting spelled in the wrong case instead of calling it missing', () => {
    // Prepare
    const settings = { ...REAL_SETTINGS, emaildomain: 'mail.d11-shop.cn' };

    // Act
    const problems = buildError(settings)?.problems;

    // Assess
    expect(problems).toEqual(['emaildomain: unknown setting; did you mean emailDomain?']);
  });

  it('read -c strings into their types, with reservation off and 4 + 8 workers by default', () => {
    // Prepare
    const given = { ...REAL_SETTINGS, publicBaseUrl: 'https://go.d11-shop.cn/d11/', smsSenderId: 'D11SHOP' };

    // Act
    const defaults = settingsOf(given);
    const explicit = settingsOf({ ...given, reservedConcurrency: 'true', importWorkers: '3', sendWorkers: 6 });

    // Assess
    expect(defaults).toEqual({
      emailDomain: 'mail.d11-shop.cn',
      alarmEmail: 'oncall@d11-shop.cn',
      publicBaseUrl: 'https://go.d11-shop.cn/d11',
      smsSenderId: 'D11SHOP',
      reservedConcurrency: false,
      importWorkers: 4,
      sendWorkers: 8,
      dryRun: false,
    });
    expect(explicit).toMatchObject({ reservedConcurrency: true, importWorkers: 3, sendWorkers: 6 });
  });

  it('fill a dry run with example values and stamp both templates as not deployable', () => {
    // Prepare
    const app = testApp({ dryRun: 'true' });

    // Act
    const { stateful, stateless, settings } = buildApp(app, ENV);
    const templates = [Template.fromStack(stateful), Template.fromStack(stateless)];

    // Assess
    expect(settings).toMatchObject({ dryRun: true, emailDomain: 'example.com', alarmEmail: 'ops@example.com' });
    for (const template of templates) {
      const json = template.toJSON();
      expect(json.Description).toMatch(/^DRY RUN with example settings, not deployable: /);
      expect(json.Parameters.DeploymentSettings).toMatchObject({ AllowedValues: ['dry-run'], Default: 'dry-run' });
      expect(json.Rules.RefuseDryRun.Assertions).toEqual([
        {
          Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DeploymentSettings' }, 'dry-run'] }] },
          AssertDescription: expect.stringContaining('-c dryRun=true'),
        },
      ]);
    }
  });
});

describe('a deployment with real settings', () => {
  let stacks: CampaignStacks;
  let stateless: Template;

  beforeAll(() => {
    stacks = buildApp(testApp(REAL_SETTINGS), ENV);
    stateless = Template.fromStack(stacks.stateless);
  });

  it('is not stamped as a dry run', () => {
    // Prepare
    const stateful = Template.fromStack(stacks.stateful).toJSON();

    // Act
    const json = [stateful, stateless.toJSON()];

    // Assess
    for (const template of json) {
      expect(template.Description).not.toMatch(/DRY RUN/);
      expect(template.Rules?.RefuseDryRun).toBeUndefined();
      expect(template.Parameters?.DeploymentSettings).toBeUndefined();
    }
  });

  it('subscribes the alarm e-mail to the operator alarm topic', () => {
    // Prepare
    const topicRef = refOf(stacks.stateless.alarms.topic);

    // Act
    const subscriptions = Object.values(stateless.findResources('AWS::SNS::Subscription')).map((s) => s.Properties);

    // Assess
    expect(subscriptions).toEqual([{ Protocol: 'email', Endpoint: 'oncall@d11-shop.cn', TopicArn: topicRef }]);
  });

  it('sends email as campaign@<emailDomain>, allowed on that SES identity only', () => {
    // Prepare
    const worker = stacks.stateless.delivery.worker;

    // Act
    const variables = functionProps(stateless, worker.function).Environment.Variables;

    // Assess
    expect(variables.EMAIL_FROM).toBe('campaign@mail.d11-shop.cn');
    expect(stacks.stateless.delivery.emailIdentityArn).toBe(
      `arn:aws:ses:${ENV.region}:${ENV.account}:identity/mail.d11-shop.cn`,
    );
  });

  it('reserves no concurrency by default; the pollers still cap the importer at 4 and the send worker at 8', () => {
    // Prepare
    const { importer } = stacks.stateless.segmentImport;
    const { worker } = stacks.stateless.delivery;

    // Act
    const reserved = Object.values(stateless.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.ReservedConcurrentExecutions,
    );
    const caps = [importer, worker].map(
      (fn) =>
        Object.values(
          stateless.findResources('AWS::Lambda::EventSourceMapping', {
            Properties: { FunctionName: refOf(fn.function) },
          }),
        )[0]?.Properties.ScalingConfig.MaximumConcurrency,
    );

    // Assess
    expect(reserved.filter((value) => value !== undefined)).toEqual([]);
    expect(caps).toEqual([4, 8]);
  });

  it.each([
    { given: { reservedConcurrency: 'true' }, importer: 4, worker: 8 },
    { given: { reservedConcurrency: true, importWorkers: '2', sendWorkers: '5' }, importer: 2, worker: 5 },
  ])('reserves the importer $importer and the send worker $worker with $given', ({ given, importer, worker }) => {
    // Prepare
    const reserving = buildApp(testApp({ ...REAL_SETTINGS, ...given }), ENV);

    // Act
    const template = Template.fromStack(reserving.stateless);
    const reservedOf = (fn: Parameters<typeof functionProps>[1]) =>
      functionProps(template, fn).ReservedConcurrentExecutions;

    // Assess
    expect(reservedOf(reserving.stateless.segmentImport.importer.function)).toBe(importer);
    expect(reservedOf(reserving.stateless.delivery.worker.function)).toBe(worker);
    const others = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(others).toHaveLength(2);
  });

  it('passes cdk-nag with a reservation and a sender ID', () => {
    // Prepare
    const app = testApp({ ...REAL_SETTINGS, reservedConcurrency: 'true', smsSenderId: 'D11SHOP' });
    buildApp(app, ENV);

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
  });
});
