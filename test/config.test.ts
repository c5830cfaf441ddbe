/** The config module's order-amount limit: a default on both runtimes, a variable to change it, clear errors. */
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MAX_ORDER_AMOUNT, loadConfig } from '../functions/config.ts';
import { ENV } from '../functions/contract.ts';

/** Every variable the AWS runtime requires, as the CDK sets them. */
const AWS_ENV = {
  [ENV.runtime]: 'aws',
  [ENV.region]: 'cn-north-1',
  [ENV.customersTable]: 'customers',
  [ENV.importsTable]: 'imports',
  [ENV.campaignsTable]: 'campaigns',
  [ENV.touchesTable]: 'touches',
  [ENV.dataBucket]: 'data',
  [ENV.importQueueUrl]: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/import',
  [ENV.sendQueueUrl]: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/send',
  [ENV.scheduleTargetArn]: 'arn:aws-cn:lambda:cn-north-1:000000000000:function:dispatch',
  [ENV.schedulerRoleArn]: 'arn:aws-cn:iam::000000000000:role/scheduler',
  [ENV.schedulerDeadLetterArn]: 'arn:aws-cn:sqs:cn-north-1:000000000000:dlq',
  [ENV.emailFrom]: 'campaign@shop.example.com',
  [ENV.sesConfigurationSet]: 'campaign',
  [ENV.webhookSecretArn]: 'arn:aws-cn:secretsmanager:cn-north-1:000000000000:secret:webhook',
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
