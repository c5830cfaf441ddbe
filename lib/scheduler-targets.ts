/**
 * What EventBridge Scheduler targets need, for the wave dispatcher and the trigger checker
 * alike: a role only Scheduler may assume, and only for this account's schedules in the
 * groups it serves; and a function ARN known before the function exists.
 */
import { ArnFormat, type Stack, Token } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeWildcardsWhenResolved } from './campaign-function.ts';

/**
 * The role Scheduler assumes to invoke a target. Confused-deputy protection: only schedules
 * of this account in `scheduleGroupArns` (Scheduler gives the schedule group as the source ARN).
 */
export function schedulerRole(scope: Construct, stack: Stack, description: string, scheduleGroupArns: string): Role {
  return new Role(scope, 'SchedulerRole', {
    description,
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': scheduleGroupArns },
      },
    }),
  });
}

/**
 * The scheduler role's only permissions, in a policy of its own: invoke `target` (and its
 * versions and aliases, so a schedule may name a qualified ARN), and park what still fails
 * in `deadLetterQueue`. `what` names the function in the acknowledged finding.
 */
export function allowSchedulerToInvoke(
  scope: Construct,
  role: Role,
  target: IFunction,
  deadLetterQueue: IQueue,
  what: string,
): Policy {
  const policy = new Policy(scope, 'SchedulerPolicy', {
    roles: [role],
    statements: [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [target.functionArn, `${target.functionArn}:*`],
      }),
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [deadLetterQueue.queueArn],
      }),
    ],
  });
  acknowledgeWildcardsWhenResolved(scope, () => policy, [
    {
      resource: `${target.functionArn}:*`,
      reason: `The versions and aliases of the ${what} function only, so a schedule may target a qualified ARN of it; no other function.`,
    },
  ]);
  return policy;
}

/** What a function that creates schedules needs besides the schedule actions: handing the role to Scheduler, and nothing else. */
export function passRoleToScheduler(role: Role) {
  return {
    actions: ['iam:PassRole'],
    resources: [role.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  };
}

/**
 * A physical function name derived from the stack's, and its ARN. A function whose config
 * names its own ARN (it schedules itself) would otherwise be a circular reference; derived
 * from the stack name, stacks (stages) of the app in one account never collide. The cost: a
 * change that replaces the function must also change the name, which nothing here does.
 */
export function namedFunction(scope: Construct, stack: Stack, suffix: string): { name: string; arn: string } {
  const name = `${stack.stackName}-${suffix}`;
  if (Token.isUnresolved(name) || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new Error(`${scope.node.path}: ${name} is not a valid Lambda function name`);
  }
  const arn = stack.formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { name, arn };
}
