/**
 * One-time send schedules on Amazon EventBridge Scheduler.
 *
 * Each send is one `at()` schedule in the campaign's schedule group, written as wall-clock
 * time in the campaign's zone (what the console shows the marketer), that invokes the send
 * Lambda asynchronously with the payload as its event, retries a failed delivery, parks
 * what still fails in the dead-letter queue, and deletes itself once done.
 *
 * Upsert is Create, then Update when the name exists (ConflictException): re-planning
 * rewrites a schedule in place and never adds a second one.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  type CreateScheduleInput,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  type ListSchedulesCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { formatInstant, instantOf, isValidTimeZone, wallClockAt } from '../domain/local-time.ts';
import type { Scheduler, SendSchedule } from '../ports/scheduler.ts';

export interface EventBridgeSchedulerOptions {
  /** The send Lambda's ARN (the schedule's target). */
  targetArn: string;
  /** The role EventBridge Scheduler assumes: lambda:InvokeFunction on the target, sqs:SendMessage on the DLQ. */
  roleArn: string;
  /** The SQS queue that receives invocations still failing after the retries. */
  deadLetterArn: string;
  /** Defaults: 3 retries, events older than an hour are not retried. */
  retryPolicy?: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
}

/** Schedule and group names: 1 to 64 of [0-9a-zA-Z-_.]. */
const NAME = /^[0-9a-zA-Z_.-]{1,64}$/;
/** Target Input limit (256 KB). */
const MAX_INPUT_BYTES = 256 * 1024;
const LIST_PAGE_SIZE = 100;
/** The groups this container has created or found (see ensureGroup). */
const ensuredGroups = new Set<string>();

function errorName(error: unknown): string {
  return ((error ?? {}) as { name?: string }).name ?? 'Error';
}

export function checkSchedule(schedule: SendSchedule): void {
  if (!NAME.test(schedule.name)) {
    throw new RangeError(`schedule name must be 1-64 of [0-9a-zA-Z-_.]: ${JSON.stringify(schedule.name)}`);
  }
  if (!NAME.test(schedule.group)) {
    throw new RangeError(`schedule group must be 1-64 of [0-9a-zA-Z-_.]: ${JSON.stringify(schedule.group)}`);
  }
  if (!Number.isFinite(schedule.fireAt)) throw new RangeError(`schedule ${schedule.name}: fireAt is not a time`);
  if (!isValidTimeZone(schedule.timeZone)) {
    throw new RangeError(`schedule ${schedule.name}: unknown time zone ${JSON.stringify(schedule.timeZone)}`);
  }
}

/**
 * The `at()` expression and its zone for an instant. The expression is the wall clock in
 * the schedule's zone (whole seconds; Scheduler fires within that minute). A wall-clock
 * time that does not name the instant alone (the second pass through a fold when clocks go
 * back) is written in UTC instead, so the schedule never fires an hour early.
 */
export function atExpression(fireAt: number, timeZone: string): { expression: string; timeZone: string } {
  const instant = Math.floor(fireAt / 1000) * 1000;
  const zone = instantOf(wallClockAt(instant, timeZone), timeZone) === instant ? timeZone : 'UTC';
  // formatInstant gives `yyyy-mm-ddThh:mm:ss±hh:mm`: the first 19 characters are the wall clock.
  return { expression: `at(${formatInstant(instant, zone).slice(0, 19)})`, timeZone: zone };
}

export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly options: EventBridgeSchedulerOptions,
  ) {}

  /** The full definition: UpdateSchedule replaces every field, so both calls send all of it. */
  definition(schedule: SendSchedule): CreateScheduleInput {
    checkSchedule(schedule);
    const input = JSON.stringify(schedule.payload);
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
      throw new RangeError(`schedule ${schedule.name}: payload over ${MAX_INPUT_BYTES} bytes`);
    }
    const at = atExpression(schedule.fireAt, schedule.timeZone);
    const retry = this.options.retryPolicy ?? { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 };
    return {
      Name: schedule.name,
      GroupName: schedule.group,
      ScheduleExpression: at.expression,
      ScheduleExpressionTimezone: at.timeZone,
      Description: `send at ${formatInstant(schedule.fireAt, schedule.timeZone)}`,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: this.options.targetArn,
        RoleArn: this.options.roleArn,
        Input: input,
        RetryPolicy: {
          MaximumRetryAttempts: retry.maximumRetryAttempts,
          MaximumEventAgeInSeconds: retry.maximumEventAgeInSeconds,
        },
        DeadLetterConfig: { Arn: this.options.deadLetterArn },
      },
    };
  }

  /**
   * CreateScheduleGroup; a group that exists already (ConflictException) is fine. Remembered
   * per container: the order webhook ensures its campaign's trigger group before every check,
   * and the group API's quota is far below the webhook's rate. The product never deletes a group.
   */
  async ensureGroup(group: string): Promise<void> {
    if (!NAME.test(group))
      throw new RangeError(`schedule group must be 1-64 of [0-9a-zA-Z-_.]: ${JSON.stringify(group)}`);
    if (ensuredGroups.has(group)) return;
    try {
      await this.scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
    } catch (error) {
      if (errorName(error) !== 'ConflictException') throw error;
    }
    ensuredGroups.add(group);
  }

  async upsert(schedule: SendSchedule): Promise<void> {
    const input = this.definition(schedule);
    // Create; on Conflict update; an Update that finds nothing (it fired and deleted itself
    // meanwhile, or was deleted) creates again. Three rounds settle any such race. Create
    // in a group that does not exist answers ResourceNotFoundException: call ensureGroup first.
    for (let round = 0; round < 3; round += 1) {
      try {
        await this.scheduler.send(new CreateScheduleCommand(input));
        return;
      } catch (error) {
        if (errorName(error) !== 'ConflictException') throw error;
      }
      try {
        await this.scheduler.send(new UpdateScheduleCommand(input));
        return;
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
    }
    throw new Error(`schedule ${schedule.group}/${schedule.name}: create and update kept racing`);
  }

  async delete(group: string, name: string): Promise<void> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ GroupName: group, Name: name }));
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
  }

  async list(group: string, namePrefix?: string): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListSchedulesCommandOutput;
      try {
        page = await this.scheduler.send(
          new ListSchedulesCommand({
            GroupName: group,
            ...(namePrefix ? { NamePrefix: namePrefix } : {}),
            MaxResults: LIST_PAGE_SIZE,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
      } catch (error) {
        // A group that does not exist holds no schedules.
        if (errorName(error) === 'ResourceNotFoundException') return names;
        throw error;
      }
      for (const schedule of page.Schedules ?? []) if (schedule.Name) names.push(schedule.Name);
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return names;
  }
}
