/** The config module: defaults on both runtimes, variables to change them, errors that name the variable. */
import { describe, expect, it } from 'vitest';
import { sendDependencies } from '../functions/composition.ts';
import {
  type AwsConfig,
  ConfigError,
  DEFAULT_MAX_ORDER_AMOUNT,
  LOCAL_LINK_SECRET,
  loadConfig,
} from '../functions/config.ts';
import { ENV } from '../functions/contract.ts';

/** Every variable the AWS runtime requires, as the CDK sets them. */
const AWS_ENV = {
  [ENV.runtime]: 'aws',
  [ENV.region]: 'cn-north-1',
  [ENV.customersTable]: 'customers',
  [ENV.importsTable]: 'imports',
  [ENV.campaignsTable]: 'campaigns',
  [ENV.touchesTable]: 'touches',
  [ENV.linksTable]: 'links',
  [ENV.dataBucket]: 'data',
  [ENV.importQueueUrl]: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/import',
  [ENV.sendQueueUrl]: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/send',
  [ENV.scheduleTargetArn]: 'arn:aws-cn:lambda:cn-north-1:000000000000:function:dispatch',
  [ENV.schedulerRoleArn]: 'arn:aws-cn:iam::000000000000:role/scheduler',
  [ENV.schedulerDeadLetterArn]: 'arn:aws-cn:sqs:cn-north-1:000000000000:dlq',
  [ENV.emailFrom]: 'campaign@shop.example.com',
  [ENV.sesConfigurationSet]: 'campaign',
  [ENV.webhookSecretArn]: 'arn:aws-cn:secretsmanager:cn-north-1:000000000000:secret:webhook',
  [ENV.linkSecretArn]: 'arn:aws-cn:secretsmanager:cn-north-1:000000000000:secret:link',
};
const LOCAL_ENV = { [ENV.runtime]: 'local' };

describe('loadConfig: the largest order amount', () => {
  it.each([
    ['aws', AWS_ENV],
    ['local', LOCAL_ENV],
  ])('is 1,000,000 CNY on %s when the variable is unset or empty', (_, env) => {
    expect(DEFAULT_MAX_ORDER_AMOUNT).toBe(1_000_000);
    expect(loadConfig(env).maxOrderAmount).toBe(1_000_000);
    expect(loadConfig({ ...env, [ENV.maxOrderAmount]: '' }).maxOrderAmount).toBe(1_000_000);
  });

  it.each([
    ['aws', AWS_ENV],
    ['local', LOCAL_ENV],
  ])(`is ${ENV.maxOrderAmount} on %s when it is set`, (_, env) => {
    expect(loadConfig({ ...env, [ENV.maxOrderAmount]: '50000' }).maxOrderAmount).toBe(50_000);
    expect(loadConfig({ ...env, [ENV.maxOrderAmount]: ' 2999.5 ' }).maxOrderAmount).toBe(2999.5);
  });

  it.each(['lots', '0', '-5', 'Infinity'])(`refuses ${ENV.maxOrderAmount}=%s, naming the variable`, (value) => {
    // Act
    const load = () => loadConfig({ ...LOCAL_ENV, [ENV.maxOrderAmount]: value });

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`${ENV.maxOrderAmount}: must be`));
  });
});

describe('loadConfig: the sharded plan', () => {
  it('takes the plan state machine on AWS and the threshold on both runtimes, and refuses a threshold that is not a count by name', () => {
    // Prepare
    const machine = 'arn:aws-cn:states:cn-north-1:000000000000:stateMachine:plan';

    // Act
    const aws = loadConfig({ ...AWS_ENV, [ENV.planStateMachineArn]: machine, [ENV.shardedPlanCustomers]: '750000' });
    const local = loadConfig({ ...LOCAL_ENV, [ENV.shardedPlanCustomers]: ' 300 ' });
    const unset = loadConfig(AWS_ENV);

    // Assess
    expect(aws).toMatchObject({ planStateMachineArn: machine, shardedPlanCustomers: 750_000 });
    expect(local.shardedPlanCustomers).toBe(300);
    expect(unset).not.toHaveProperty('planStateMachineArn');
    expect(unset).not.toHaveProperty('shardedPlanCustomers');
    for (const value of ['many', '0', '2.5'])
      expect(() => loadConfig({ ...LOCAL_ENV, [ENV.shardedPlanCustomers]: value })).toThrow(
        new RegExp(`${ENV.shardedPlanCustomers}: must be`),
      );
  });
});

describe('link settings', () => {
  it('on AWS require LINK_SECRET_ARN, naming it', () => {
    // Prepare
    const { LINK_SECRET_ARN: _, ...env } = AWS_ENV;

    // Act / Assess
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/LINK_SECRET_ARN/);
  });

  it('on AWS take PUBLIC_BASE_URL as an https URL, without its trailing slash', () => {
    // Act
    const config = loadConfig({
      ...AWS_ENV,
      PUBLIC_BASE_URL: 'https://abc123.execute-api.cn-north-1.amazonaws.com.cn/',
    }) as AwsConfig;

    // Assess
    expect(config.publicBaseUrl).toBe('https://abc123.execute-api.cn-north-1.amazonaws.com.cn');
  });

  it.each([
    'http://shop.example.com',
    'shop.example.com',
    'https://shop.example.com/?x=1',
    'https://shop.example.com#a',
  ])('on AWS refuse PUBLIC_BASE_URL=%s, naming the variable', (value) => {
    // Act / Assess
    expect(() => loadConfig({ ...AWS_ENV, PUBLIC_BASE_URL: value })).toThrow(/PUBLIC_BASE_URL/);
  });

  it('make the send worker fail at once on AWS without PUBLIC_BASE_URL: no email without a working link', () => {
    // Prepare
    const config = loadConfig(AWS_ENV);

    // Act / Assess
    expect(() => sendDependencies(config, { log: { info: () => {} } })).toThrow(
      /PUBLIC_BASE_URL: required by the send worker/,
    );
  });

  it('locally default the link key to the fixed local one and take LINK_SECRET and an http base when given', () => {
    // Act
    const defaults = loadConfig({ CAMPAIGN_RUNTIME: 'local' });
    const given = loadConfig({
      CAMPAIGN_RUNTIME: 'local',
      LINK_SECRET: 'a-local-link-secret-of-mine',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000/',
    });

    // Assess
    expect(defaults).toMatchObject({ runtime: 'local', linkSecret: LOCAL_LINK_SECRET });
    expect(defaults).not.toHaveProperty('publicBaseUrl');
    expect(given).toMatchObject({ linkSecret: 'a-local-link-secret-of-mine', publicBaseUrl: 'http://127.0.0.1:3000' });
  });

  it('locally refuse a LINK_SECRET too short to be a key', () => {
    // Act / Assess
    expect(() => loadConfig({ CAMPAIGN_RUNTIME: 'local', LINK_SECRET: 'short' })).toThrow(
      /LINK_SECRET: must be at least 16/,
    );
  });
});

/** An environment as the CDK wires a function, with a table name unique to the test. */
function awsEnvironment(suffix: string): NodeJS.ProcessEnv {
  return {
    ...AWS_ENV,
    [ENV.customersTable]: `customers-${suffix}`,
  };
}

describe('loadConfig, once per container', () => {
  it('validates once per environment: every later call gets the same frozen config', () => {
    // Prepare
    const env = awsEnvironment('once');

    // Act
    const first = loadConfig(env);
    const second = loadConfig({ ...env });

    // Assess
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.tables), 'nested parts are frozen too').toBe(true);
  });

  it('validates again when a variable it reads changes, and not when one it ignores does', () => {
    // Prepare
    const env = awsEnvironment('changes');
    const before = loadConfig(env);

    // Act
    env.UNRELATED = 'anything';
    const unrelated = loadConfig(env);
    env[ENV.customersTable] = 'customers-renamed';
    const renamed = loadConfig(env);

    // Assess
    expect(unrelated).toBe(before);
    expect(renamed).not.toBe(before);
    expect(renamed.tables.customers).toBe('customers-renamed');
  });

  it('keeps no config that failed: the error names the variable on every call, and a fix is seen', () => {
    // Prepare
    const env = awsEnvironment('broken');
    delete env[ENV.sendQueueUrl];

    const attempt = () => {
      try {
        loadConfig(env);
        return undefined;
      } catch (error) {
        return error;
      }
    };

    // Act
    const errors = [attempt(), attempt()];
    env[ENV.sendQueueUrl] = AWS_ENV[ENV.sendQueueUrl];
    const fixed = loadConfig(env);

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/SEND_QUEUE_URL/);
    }
    expect(fixed.runtime === 'aws' && fixed.sendQueueUrl).toBe(AWS_ENV[ENV.sendQueueUrl]);
  });
});
