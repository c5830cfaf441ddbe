import { describe, expect, it } from 'vitest';
import { sendDependencies } from '../functions/composition.ts';
import { type AwsConfig, ConfigError, LOCAL_LINK_SECRET, loadConfig } from '../functions/config.ts';

/** Everything loadConfig() requires on AWS, as the CDK sets it. */
const AWS_ENV = {
  CAMPAIGN_RUNTIME: 'aws',
  AWS_REGION: 'ap-northeast-1',
  CUSTOMERS_TABLE: 'customers',
  IMPORTS_TABLE: 'imports',
  CAMPAIGNS_TABLE: 'campaigns',
  TOUCHES_TABLE: 'touches',
  DATA_BUCKET: 'data',
  IMPORT_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/import',
  SEND_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/send',
  SCHEDULE_TARGET_ARN: 'arn:aws:lambda:ap-northeast-1:123456789012:function:dispatch',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
  SCHEDULER_DLQ_ARN: 'arn:aws:sqs:ap-northeast-1:123456789012:dlq',
  EMAIL_FROM: 'campaign@example.com',
  SES_CONFIGURATION_SET: 'events',
  WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:webhook',
  LINK_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:link',
};

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
      PUBLIC_BASE_URL: 'https://abc123.execute-api.ap-northeast-1.amazonaws.com/',
    }) as AwsConfig;

    // Assess
    expect(config.publicBaseUrl).toBe('https://abc123.execute-api.ap-northeast-1.amazonaws.com');
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
