import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { orderDependencies, triggerCheckDependencies } from '../../functions/composition.ts';
import { ConfigError, loadConfig } from '../../functions/config.ts';
import { ENV as ENV_NAMES } from '../../functions/contract.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import {
  acknowledged,
  actionsOf,
  arnOf,
  atRuntime,
  DYNAMODB_WRITES,
  ENV,
  expectedSchedulerRole,
  functionProps,
  logicalId,
  permissions,
  refOf,
  resourcesOf,
  type Statement,
  schedulerRoleOf,
  statementsOf,
  statementsOn,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

const TRIGGER_SCHEDULES = `arn:aws:scheduler:${ENV.region}:${ENV.account}:schedule/triggers-*/*`;
const TRIGGER_GROUPS = `arn:aws:scheduler:${ENV.region}:${ENV.account}:schedule-group/triggers-*`;
const CHECKER_ARN = `arn:aws:lambda:${ENV.region}:${ENV.account}:function:CampaignStateless-TriggerCheck`;

describe('order reminders (trigger checks) on AWS', () => {
  let stacks: CampaignStacks;
  let template: Template;

  beforeAll(() => {
    ({ stacks, stateless: template } = synthesizeApp());
  });

  const triggers = () => stacks.stateless.triggerChecks;
  const webhook = () => stacks.stateless.httpApi.ordersWebhook;
  const consumed = (value: string) => stacks.stateless.resolve(value);
  const environmentOf = (fn: { function: Parameters<typeof functionProps>[1] }) =>
    atRuntime(functionProps(template, fn.function).Environment.Variables);
  /** What scheduling checks needs, whoever schedules: the trigger groups only, and the trigger role. */
  const schedulingPermissions = () =>
    permissions([
      { Action: 'scheduler:CreateSchedule', Resource: TRIGGER_SCHEDULES },
      { Action: 'scheduler:UpdateSchedule', Resource: TRIGGER_SCHEDULES },
      { Action: 'scheduler:CreateScheduleGroup', Resource: TRIGGER_GROUPS },
      {
        Action: 'iam:PassRole',
        Resource: arnOf(triggers().schedulerRole),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  const schedulingOf = (statements: Statement[]) =>
    permissions(
      statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')),
    );

  describe('trigger scheduler role', () => {
    it('may be assumed only by EventBridge Scheduler for triggers-* groups, and may only invoke the trigger-check function and send to the scheduler dead-letter queue', () => {
      // Act
      const role = schedulerRoleOf(template, triggers().schedulerRole);

      // Assess
      expect(role).toEqual(
        expectedSchedulerRole(
          TRIGGER_GROUPS,
          triggers().checker.function,
          stacks.stateless.delivery.schedulerDeadLetterQueue,
        ),
      );
    });
  });

  describe('trigger-check function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = statementsOf(template, triggers().checker.role);
    });

    it('knows its own ARN from its physical name (no reference to itself) and the role its schedules run as', () => {
      // Act
      const props = functionProps(template, triggers().checker.function);

      // Assess
      expect(props).toMatchObject({
        FunctionName: 'CampaignStateless-TriggerCheck',
        Timeout: 30,
        MemorySize: 512,
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: 'campaign-trigger-check',
            TRIGGER_SCHEDULER_ROLE_ARN: arnOf(triggers().schedulerRole),
          },
        },
      });
      expect(props.Environment.Variables.TRIGGER_CHECK_ARN).toBe(CHECKER_ARN);
    });

    it('puts only check records in the campaigns table, only updates customers (the ledger claim), batch-writes only link items; never deletes', () => {
      // Prepare
      const { tables } = stacks.stateful;
      const campaigns = consumed(tables.campaigns.tableArn);
      const customers = consumed(tables.customers.tableArn);
      const links = consumed(tables.links.tableArn);

      // Act
      const written = Object.fromEntries(DYNAMODB_WRITES.map((action) => [action, resourcesOf(statements, action)]));
      const writes = statementsOn(statements, 'dynamodb:').filter((s) =>
        [s.Action].flat().some((a) => DYNAMODB_WRITES.includes(a)),
      );
      const read = resourcesOf(statements, 'dynamodb:GetItem');

      // Assess
      expect(written).toEqual({
        'dynamodb:PutItem': [campaigns],
        'dynamodb:UpdateItem': [customers],
        'dynamodb:DeleteItem': [],
        'dynamodb:BatchWriteItem': [links],
      });
      expect(permissions(writes)).toEqual(
        permissions([
          {
            Action: 'dynamodb:PutItem',
            Resource: campaigns,
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CHECKS#*'] } },
          },
          {
            Action: 'dynamodb:BatchWriteItem',
            Resource: links,
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LINK#*'] } },
          },
          {
            Action: 'dynamodb:UpdateItem',
            Resource: customers,
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } },
          },
        ]),
      );
      expect(read).toEqual(expect.arrayContaining([campaigns, customers]));
      expect(read).toHaveLength(2);
      expect(actionsOf(statements).filter((a) => a.startsWith('s3:'))).toEqual([]);
    });

    it('reads the link secret only (a tracked reminder link is keyed by it), and is given its ARN', () => {
      // Prepare
      const secret = consumed(stacks.stateful.linkSigningSecret.secretArn);

      // Act
      const secrets = statementsOn(statements, 'secretsmanager:');

      // Assess
      expect(secrets.flatMap((statement) => [statement.Resource].flat())).toEqual(secrets.map(() => secret));
      expect(actionsOf(secrets)).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
      );
      expect(functionProps(template, triggers().checker.function).Environment.Variables.LINK_SECRET_ARN).toEqual(
        secret,
      );
    });

    it("publishes SMS and asks about one number's opt-out in its own region only", () => {
      // Act
      const sns = statementsOn(statements, 'sns:');

      // Assess
      expect(permissions(sns)).toEqual(
        permissions(
          ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'].map((Action) => ({
            Action,
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': ENV.region } },
          })),
        ),
      );
    });

    it('schedules its own later firing (quiet hours) in the trigger groups only, and parks failed invocations in the scheduler DLQ', () => {
      // Prepare
      const deadLetters = arnOf(stacks.stateless.delivery.schedulerDeadLetterQueue);

      // Act
      const scheduling = schedulingOf(statements);

      // Assess
      expect(scheduling).toEqual(schedulingPermissions());
      expect(resourcesOf(statements, 'sqs:SendMessage')).toEqual([deadLetters]);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: refOf(triggers().checker.function),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: deadLetters } },
      });
    });

    it('has an environment that loads the strict config and builds its dependencies', () => {
      // Act
      const config = loadConfig({ ...environmentOf(triggers().checker), AWS_REGION: ENV.region });

      // Assess
      expect(config.runtime === 'aws' && config.triggerScheduler?.targetArn).toBe(
        environmentOf(triggers().checker)[ENV_NAMES.triggerCheckArn],
      );
      expect(() => triggerCheckDependencies(config)).not.toThrow();
    });

    it('errors notify the operator topic', () => {
      // Act
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: refOf(triggers().checker.function) }],
        },
      });

      // Assess
      expect(Object.values(alarms).map((a) => a.Properties)).toEqual([
        expect.objectContaining({ Threshold: 1, AlarmActions: [refOf(stacks.stateless.alarms.topic)] }),
      ]);
    });
  });

  describe('order webhook', () => {
    it('may create and update schedules and create groups in triggers-* only, and pass only the trigger role', () => {
      // Act
      const scheduling = schedulingOf(statementsOf(template, webhook().role));

      // Assess
      expect(scheduling).toEqual(schedulingPermissions());
    });

    it('names the trigger-check function (by its physical name) and its role, so it schedules every check', () => {
      // Prepare
      const env = environmentOf(webhook());

      // Act
      const config = loadConfig({ ...env, AWS_REGION: ENV.region });
      const deps = orderDependencies(config);

      // Assess
      expect(functionProps(template, webhook().function).Environment.Variables).toMatchObject({
        TRIGGER_CHECK_ARN: CHECKER_ARN,
        TRIGGER_SCHEDULER_ROLE_ARN: arnOf(triggers().schedulerRole),
      });
      expect(config.runtime === 'aws' && config.triggerScheduler).toEqual({
        targetArn: CHECKER_ARN,
        roleArn: env[ENV_NAMES.triggerSchedulerRoleArn],
      });
      expect(deps.triggers).toBeDefined();
    });

    it('refuses to start on AWS without the trigger names, naming them, instead of skipping every reminder', () => {
      // Prepare
      const env = environmentOf(webhook());
      delete env[ENV_NAMES.triggerCheckArn];
      delete env[ENV_NAMES.triggerSchedulerRoleArn];

      // Act
      const build = () => orderDependencies(loadConfig({ ...env, AWS_REGION: ENV.region }));

      // Assess
      expect(build).toThrow(ConfigError);
      expect(build).toThrow(/TRIGGER_CHECK_ARN, TRIGGER_SCHEDULER_ROLE_ARN/);
    });
  });
});

describe('cdk-nag on the trigger checks', () => {
  it('passes, with each acknowledgement on the policy it is about', () => {
    // Prepare
    const app = testApp();
    const { stateless } = buildApp(app, ENV);
    const { triggerChecks } = stateless;

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
    expect(acknowledged(triggerChecks.checker.node.findChild('SmsPublish'))).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
    ]);
    expect(acknowledged(triggerChecks.node.findChild('SchedulerPolicy'))).toEqual([
      `Annotation::AwsSolutions-IAM5[Resource::<${logicalId(triggerChecks.checker.function)}.Arn>:*]`,
    ]);
    expect(acknowledged(stateless.httpApi.ordersWebhook.role.node.findChild('DefaultPolicy'))).toEqual(
      expect.arrayContaining([
        `Annotation::AwsSolutions-IAM5[Resource::${TRIGGER_SCHEDULES}]`,
        `Annotation::AwsSolutions-IAM5[Resource::${TRIGGER_GROUPS}]`,
      ]),
    );
  });
});
