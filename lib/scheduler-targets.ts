/**
 * What EventBridge Scheduler targets need, for the wave dispatcher and the trigger checker
 * alike: a role only Scheduler may assume, and only for this account's schedules in the
 * groups it serves; and a function ARN known before the function exists.
 */
import { ArnFormat, type Stack, Token } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

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
