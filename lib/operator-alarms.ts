import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** What sets one operator alarm apart: when it fires and what it tells the operator. */
export interface OperatorAlarmOptions {
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly description: string;
}

export interface OperatorAlarmsProps {
  /**
   * An operator address subscribed to the topic. AWS mails it a confirmation link first:
   * no alarm reaches it until someone follows that link. @default - no subscription
   */
  readonly email?: string;
}

/** Fires on the first period with one or more (failed messages, errors, ...). */
export const AT_LEAST_ONE = {
  threshold: 1,
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
} as const;

/**
 * The SNS topic every alarm of the campaign notifies, in ALARM and back in OK.
 * The deployment's alarm e-mail is subscribed here; other operators subscribe to it
 * (email, chat, paging) outside this app.
 *
 * The topic is encrypted with a key of its own, not the AWS managed `aws/sns`:
 * CloudWatch can publish alarms to an encrypted topic only when the key policy
 * lets `cloudwatch.amazonaws.com` use the key, and the policy of an AWS managed
 * key cannot be changed. With `aws/sns` every alarm would fire into nothing.
 */
export class OperatorAlarms extends Construct {
  public readonly topic: Topic;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps = {}) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);

    this.key = new Key(this, 'Key', {
      description: 'Encrypts the campaign operator alarm topic',
      enableKeyRotation: true,
      // It only protects notifications in flight: nothing stays encrypted under it once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // The form the SNS guide gives for AWS services publishing to encrypted topics.
    // The key serves this one topic; the topic policy below limits who may publish.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'Campaign operator alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces the default
    // one that let CloudWatch publish; allow alarms of this account again.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /**
   * An alarm `id` in `scope` on a single period of `metric`, which notifies operators.
   * A period without data is not breaching: SQS, Lambda and API Gateway publish
   * nothing for an idle queue, or for a function or API nobody calls.
   */
  public alarm(scope: Construct, id: string, metric: IMetric, options: OperatorAlarmOptions): Alarm {
    const alarm = new Alarm(scope, id, {
      alarmDescription: options.description,
      metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notifyOn(alarm);
    return alarm;
  }

  /**
   * An alarm on the executions of `stateMachine` that failed or timed out in five minutes: a
   * run that stopped for good (its own retries spent), which an operator redrives once the
   * cause is fixed. Aborted runs are not counted: only an operator aborts one.
   */
  public failedExecutions(scope: Construct, id: string, stateMachine: IStateMachine, description: string): Alarm {
    const period = Duration.minutes(5);
    return this.alarm(
      scope,
      id,
      new MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
        usingMetrics: {
          failed: stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        },
        label: 'Failed or timed-out executions',
        period,
      }),
      { ...AT_LEAST_ONE, description },
    );
  }

  /** Notifies operators when `alarm` goes into ALARM and when it is back to OK. */
  public notifyOn(alarm: Alarm): void {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
