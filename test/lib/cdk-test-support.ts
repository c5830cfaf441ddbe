/** Shared by the CDK template tests: the fast test App and readers of IAM policies. */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';

export const ENV = { account: '123456789012', region: 'ap-northeast-1' };

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

/** An app like the CLI's, minus bundling (about 0.4 s instead of 3 s) and the CloudFormation linter. */
export function testApp(): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
}

/** Every statement of the IAM policies attached to `role` in `template`. */
export function statementsOf(template: Template, role: IRole): Statement[] {
  const roleId = Stack.of(role).getLogicalId(role.node.defaultChild as CfnElement);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
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
