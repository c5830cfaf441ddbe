import { Duration, Stack } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { customerPk } from '../functions/adapters/dynamo/customer-store.ts';
import { linkPk } from '../functions/adapters/dynamo/link-store.ts';
import { CHECKS_PK_PREFIX } from '../functions/adapters/dynamo/trigger-store.ts';
import { ENV, SERVICE, TRIGGER_GROUP_PREFIX } from '../functions/contract.ts';
import { CampaignFunction } from './campaign-function.ts';
import { AT_LEAST_ONE, type OperatorAlarms } from './operator-alarms.ts';
import { allowSchedulerToInvoke, namedFunction, passRoleToScheduler, schedulerRole } from './scheduler-targets.ts';
import type { CampaignTables } from './stateful-stack.ts';

export interface TriggerChecksProps {
  readonly tables: CampaignTables;
  /** The key of tracked links: a reminder of a campaign that tracks its links carries one. */
  readonly linkSecret: ISecret;
  /** The full `loadConfig()` environment (CampaignDelivery.runtimeEnvironment). */
  readonly runtimeEnvironment: Record<string, string>;
  /** Where the check schedules park invocations that still fail (the send schedules' queue: one alarm). */
  readonly schedulerDeadLetterQueue: IQueue;
  readonly alarms: OperatorAlarms;
}

/**
 * Order-triggered reminders (催付) and presale balance reminders (尾款) on AWS.
 *
 * The order webhook (given `allowScheduling`) writes one EventBridge Scheduler `at()`
 * schedule per check in the campaign's group `triggers-<id>`, creating the group on demand.
 * Each schedule invokes the trigger-check function as the trigger scheduler role; the
 * function reads the order and the customer, claims the touch in the same ledger as the
 * waves (so caps hold across both), registers the reminder's tracked link and sends the SMS, or drops it with its reason, or (quiet
 * hours) writes a later schedule of the same check.
 *
 * The trigger groups have a prefix of their own: the send schedules' role and this one can
 * never invoke each other's targets, and the webhook can touch no send schedule.
 */
export class TriggerChecks extends Construct {
  public readonly checker: CampaignFunction;
  /** What EventBridge Scheduler assumes to invoke the checker. */
  public readonly schedulerRole: Role;
  /** Every schedule in a trigger group (`triggers-*` groups). */
  public readonly scheduleArns: string;
  /** The campaigns' trigger groups. */
  public readonly scheduleGroupArns: string;
  /** TRIGGER_CHECK_ARN and TRIGGER_SCHEDULER_ROLE_ARN, for the functions that schedule checks. */
  public readonly environment: Record<string, string>;
  private readonly tables: CampaignTables;

  constructor(scope: Construct, id: string, props: TriggerChecksProps) {
    super(scope, id);
    const { tables, schedulerDeadLetterQueue } = props;
    this.tables = tables;
    const stack = Stack.of(this);
    this.scheduleGroupArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: `${TRIGGER_GROUP_PREFIX}*`,
    });
    this.scheduleArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${TRIGGER_GROUP_PREFIX}*/*`,
    });

    // Only schedules in this account's trigger groups.
    this.schedulerRole = schedulerRole(
      this,
      stack,
      'Assumed by EventBridge Scheduler to invoke the trigger-check function',
      this.scheduleGroupArns,
    );

    // The checker schedules its own later firing (quiet hours): it needs its ARN before it exists.
    const { name: functionName, arn: checkerArn } = namedFunction(this, stack, 'TriggerCheck');
    this.environment = {
      [ENV.triggerCheckArn]: checkerArn,
      [ENV.triggerSchedulerRoleArn]: this.schedulerRole.roleArn,
    };

    this.checker = new CampaignFunction(this, 'Checker', {
      entry: 'functions/handlers/trigger-check.ts',
      handler: 'handler',
      serviceName: SERVICE.triggerCheck,
      description: 'Invoked by the trigger schedules: sends an order reminder once, waits out quiet hours, or drops it',
      functionName,
      timeout: Duration.seconds(30),
      memorySize: 512,
    })
      // The order, the contact (segment rows), and the customer's ledger: the claim and its
      // release are UpdateItems of the customer's own items, nothing else.
      .useTableWrites(tables.customers, ENV.customersTable, ['UpdateItem'], {
        read: true,
        partitionKeysLike: [`${customerPk('')}*`],
      })
      // Registers a reminder's tracked link before it leaves: link items only, never a click.
      .useTableWrites(tables.links, ENV.linksTable, ['BatchWriteItem'], { partitionKeysLike: [`${linkPk('')}*`] })
      .useSecret(props.linkSecret, ENV.linkSecretArn)
      .allowUnscoped(
        'SmsPublish',
        {
          actions: ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'],
          conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
        },
        'SMS straight to a phone number, and asking whether that one number opted out, have no resource ARN, so both need Resource "*"; limited to this region. The function holds no topic permissions and checks one reminder\'s number at a time.',
      )
      .failuresTo(schedulerDeadLetterQueue)
      .useNames(props.runtimeEnvironment);
    this.allowScheduling(this.checker);

    allowSchedulerToInvoke(this, this.schedulerRole, this.checker.function, schedulerDeadLetterQueue, 'trigger-check');

    props.alarms.alarm(
      this,
      'CheckerErrorsAlarm',
      this.checker.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      {
        ...AT_LEAST_ONE,
        description:
          'The trigger-check function failed in the last five minutes: an order reminder may be late (Lambda retries twice, then the scheduler dead-letter queue).',
      },
    );
  }

  /**
   * What scheduling checks takes (the order webhook; the checker itself, for quiet hours):
   * the registry of campaigns with order rules, their state and the check records (read), the
   * check records only (PutItem, conditional in the code); create or update schedules in the
   * `triggers-*` groups, create such a group, pass the trigger scheduler role to EventBridge
   * Scheduler; and the two names. No delete, no list, and no send schedule (`campaign-*`).
   */
  public allowScheduling(fn: CampaignFunction): CampaignFunction {
    return fn
      .useTableWrites(this.tables.campaigns, ENV.campaignsTable, ['PutItem'], {
        read: true,
        partitionKeysLike: [`${CHECKS_PK_PREFIX}*`],
      })
      .allow(
        { actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'], resources: [this.scheduleArns] },
        `Check schedule names are only known at run time; limited to schedules in the ${TRIGGER_GROUP_PREFIX}* schedule groups.`,
      )
      .allow(
        { actions: ['scheduler:CreateScheduleGroup'], resources: [this.scheduleGroupArns] },
        `One trigger group per campaign, created on demand; limited to ${TRIGGER_GROUP_PREFIX}* groups.`,
      )
      .allow(passRoleToScheduler(this.schedulerRole))
      .useNames(this.environment);
  }
}
