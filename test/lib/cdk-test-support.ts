/** Shared by the CDK template tests: the fast test App, the synthesized campaign app, and readers of its templates. */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';

export const ENV = { account: '123456789012', region: 'ap-northeast-1' };

/** The item writes of DynamoDB. */
export const DYNAMODB_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** Every action a read grant of a table gives. */
export const DYNAMODB_READS: ReadonlySet<string> = new Set([
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
]);

export interface Statement {
  Action: string | string[];
  Effect: string;
  Resource: unknown;
  Condition?: unknown;
}

/** The feature flags `cdk synth` uses, so tests see the same templates (weak cross-stack references, ...). */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
}

/**
 * An app like the CLI's, minus bundling (about 0.4 s instead of 3 s) and the CloudFormation linter.
 * Its deployment settings are a dry run (example values, templates stamped undeployable) unless
 * `settings` gives context of its own, which replaces the dry-run flag.
 */
export function testApp(settings: Record<string, unknown> = { dryRun: 'true' }): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), ...settings, 'aws:cdk:bundling-stacks': [] },
  });
}

/** Settings a real deployment could give: no dry run. */
export const REAL_SETTINGS = {
  emailDomain: 'mail.d11-shop.cn',
  alarmEmail: 'oncall@d11-shop.cn',
  publicBaseUrl: 'https://go.d11-shop.cn',
} as const;

export interface SynthesizedApp {
  readonly stacks: CampaignStacks;
  readonly stateful: Template;
  readonly stateless: Template;
}

/** The campaign stacks as app.ts builds them (in a test app, in ENV), and their templates. */
export function synthesizeApp(): SynthesizedApp {
  const stacks = buildApp(testApp(), ENV);
  return { stacks, stateful: Template.fromStack(stacks.stateful), stateless: Template.fromStack(stacks.stateless) };
}

/** The logical id of an L2's resource, or of an L1 itself, in its own stack. */
export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

/** `Fn::GetAtt` of the construct's ARN, as its own stack refers to it. */
export function arnOf(construct: IConstruct): { 'Fn::GetAtt': [string, 'Arn'] } {
  return { 'Fn::GetAtt': [logicalId(construct), 'Arn'] };
}

/** `Ref` of the construct, as its own stack refers to it. */
export function refOf(construct: IConstruct): { Ref: string } {
  return { Ref: logicalId(construct) };
}

/** The properties of the Lambda function `fn` (the L2 or its L1) in `template`. */
export function functionProps(template: Template, fn: IConstruct) {
  return template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties;
}

/** `Fn::Join` of the data bucket's objects under `prefix`, as the stateless stack refers to them. */
export function objectsUnder(stacks: CampaignStacks, prefix: string): unknown {
  return { 'Fn::Join': ['', [stacks.stateless.resolve(stacks.stateful.dataBucket.bucketArn), `/${prefix}*`]] };
}

/** Every statement of the policies of `type` (IAM, bucket, queue, ... policies) with these properties. */
export function policyStatements(template: Template, type: string, properties?: Record<string, unknown>): Statement[] {
  const policies = template.findResources(type, properties && { Properties: properties });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** Every statement of the IAM policies attached to `role` in `template`. */
export function statementsOf(template: Template, role: IRole): Statement[] {
  return policyStatements(template, 'AWS::IAM::Policy', { Roles: [refOf(role)] });
}

/** Every statement of the IAM policies in `template`, and of the policies inline in its roles. */
export function everyStatement(template: Template): Statement[] {
  return [
    ...policyStatements(template, 'AWS::IAM::Policy'),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
      (r.Properties.Policies ?? []).flatMap(
        (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
      ),
    ),
  ];
}

/** The statements with an action of the service `prefix` (e.g. 'sqs:'). */
export function statementsOn(statements: Statement[], prefix: string): Statement[] {
  return statements.filter((s) => [s.Action].flat().some((a) => a.startsWith(prefix)));
}

/** One line per allowed action and resource, so checks ignore how IAM minimization merged statements. */
export function permissions(statements: Omit<Statement, 'Effect'>[]): string[] {
  return statements
    .flatMap((s) =>
      [s.Action]
        .flat()
        .flatMap((action) =>
          [s.Resource].flat().map((resource) => JSON.stringify({ action, resource, condition: s.Condition })),
        ),
    )
    .sort();
}

/**
 * A scheduler role's trust and permissions (lib/scheduler-targets.ts): assumable only by
 * EventBridge Scheduler for this account's schedules in `groupArns`, with nothing attached
 * but one policy that invokes `target` (and its versions) and sends to `deadLetterQueue`.
 */
export function schedulerRoleOf(template: Template, role: IRole & IConstruct) {
  const properties = template.findResources('AWS::IAM::Role')[logicalId(role)]?.Properties;
  const statements = statementsOf(template, role);
  return {
    trust: properties?.AssumeRolePolicyDocument.Statement,
    attachedElsewhere: { managed: properties?.ManagedPolicyArns, inline: properties?.Policies },
    permissions: permissions(statements),
    allAllow: statements.every((s) => s.Effect === 'Allow'),
  };
}

/** What `schedulerRoleOf` must find for a role that serves `groupArns` and invokes `target`. */
export function expectedSchedulerRole(groupArns: unknown, target: IConstruct, deadLetterQueue: IConstruct) {
  const targetArn = arnOf(target);
  return {
    trust: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ENV.account }, ArnLike: { 'aws:SourceArn': groupArns } },
      },
    ],
    attachedElsewhere: { managed: undefined, inline: undefined },
    permissions: permissions([
      { Action: 'lambda:InvokeFunction', Resource: targetArn },
      { Action: 'lambda:InvokeFunction', Resource: { 'Fn::Join': ['', [targetArn, ':*']] } },
      { Action: 'sqs:SendMessage', Resource: arnOf(deadLetterQueue) },
    ]),
    allAllow: true,
  };
}

/** The resources `action` is allowed on, across all statements. */
export function resourcesOf(statements: Statement[], action: string): unknown[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat());
}

/** Every action the statements allow. */
export function actionsOf(statements: Statement[]): string[] {
  return statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
}

/**
 * A function's environment as it would be at run time: each variable whose value is a
 * CloudFormation reference in the template gets a plausible value (a queue URL for `*_URL`).
 */
export function atRuntime(variables: Record<string, unknown>): Record<string, string> {
  const runtimeValue = (name: string, value: unknown) => {
    if (typeof value === 'string') return value;
    return name.endsWith('_URL')
      ? `https://sqs.${ENV.region}.amazonaws.com/${ENV.account}/${name}`
      : `resolved-${name}`;
  };
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, runtimeValue(name, value)]));
}

/** The cdk-nag findings of the last synthesis of `app`. */
export function violationsOf(app: App): unknown[] {
  const report = JSON.parse(readFileSync(`${app.outdir}/validation-report.json`, 'utf8'));
  return report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations);
}

/** The rule ids acknowledged on exactly this construct (not on a parent). */
export function acknowledged(construct: IConstruct): string[] {
  return construct.node.metadata
    .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
    .flatMap((m) => Object.keys(m.data as Record<string, string>))
    .sort();
}
