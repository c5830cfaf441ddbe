import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { atExpression, EventBridgeScheduler } from '../../functions/adapters/eventbridge-scheduler.ts';
import { parseDateTime } from '../../functions/domain/local-time.ts';
import type { SendSchedule } from '../../functions/ports/scheduler.ts';
import { fireAtFor } from '../../functions/usecases/plan-campaign.ts';

const scheduler = mockClient(SchedulerClient);
const client = new SchedulerClient({
  region: 'ap-northeast-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

const OPTIONS = {
  targetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:send',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler-invoke-send',
  deadLetterArn: 'arn:aws:sqs:ap-northeast-1:123456789012:send-dlq',
};

const MIDNIGHT: SendSchedule = {
  name: 'midnight-sms-g01',
  group: 'd11-2026',
  fireAt: Date.parse('2026-11-11T00:00:00+08:00'),
  timeZone: 'Asia/Shanghai',
  payload: { campaignId: 'd11-2026', sendId: 'midnight-sms-g01', releaseAt: '2026-11-11T00:00:00+08:00' },
};

const EXPECTED_INPUT = {
  Name: 'midnight-sms-g01',
  GroupName: 'd11-2026',
  ScheduleExpression: 'at(2026-11-11T00:00:00)',
  ScheduleExpressionTimezone: 'Asia/Shanghai',
  Description: 'send at 2026-11-11T00:00:00+08:00',
  State: 'ENABLED',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: OPTIONS.targetArn,
    RoleArn: OPTIONS.roleArn,
    Input: JSON.stringify(MIDNIGHT.payload),
    RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
    DeadLetterConfig: { Arn: OPTIONS.deadLetterArn },
  },
};

afterEach(() => scheduler.reset());

describe('EventBridgeScheduler.upsert', () => {
  it('creates a one-time at() schedule in the campaign zone, no flexible window, deleted after completion', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    await adapter.upsert(MIDNIGHT);

    // Assess
    const calls = scheduler.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual(EXPECTED_INPUT);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('updates the schedule in place when it exists already (ConflictException): re-planning never duplicates', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: 'Schedule midnight-sms-g01 already exists.',
        Message: 'Schedule midnight-sms-g01 already exists.',
        $metadata: {},
      }),
    );
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    await adapter.upsert(MIDNIGHT);

    // Assess
    const updates = scheduler.commandCalls(UpdateScheduleCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args[0].input).toEqual(EXPECTED_INPUT);
  });

  it('creates again when the schedule vanished between Create and Update', async () => {
    // Prepare
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .resolves({ ScheduleArn: 'arn:schedule' });
    scheduler
      .on(UpdateScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    await adapter.upsert(MIDNIGHT);

    // Assess
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(2);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(1);
  });

  it('rethrows other errors, and refuses a bad name before calling AWS', async () => {
    // Prepare
    const invalid = new ValidationException({ message: 'bad role', Message: 'bad role', $metadata: {} });
    scheduler.on(CreateScheduleCommand).rejects(invalid);
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    const failed = await adapter.upsert(MIDNIGHT).catch((error: unknown) => error);
    const badName = await adapter.upsert({ ...MIDNIGHT, name: 'midnight/sms' }).catch((error: unknown) => error);

    // Assess
    expect(failed).toBe(invalid);
    expect(badName).toBeInstanceOf(RangeError);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });

  it('uses the retry policy given in the options', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const adapter = new EventBridgeScheduler(client, {
      ...OPTIONS,
      retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: 600 },
    });

    // Act
    await adapter.upsert(MIDNIGHT);

    // Assess
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: 5,
      MaximumEventAgeInSeconds: 600,
    });
  });
});

describe('EventBridgeScheduler with fireAtFor', () => {
  it.each([
    { ahead: 'less than the staging lead', sendAt: '2026-11-05T12:01:30+08:00' },
    { ahead: 'within the same minute', sendAt: '2026-11-05T12:00:50+08:00' },
    { ahead: 'exactly now', sendAt: '2026-11-05T12:00:40+08:00' },
  ])('sends no at() before now for a send $ahead', async ({ sendAt }) => {
    // Prepare
    const now = Date.parse('2026-11-05T12:00:40+08:00');
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    await adapter.upsert({ ...MIDNIGHT, fireAt: fireAtFor(Date.parse(sendAt), now) });

    // Assess
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    const wallClock = /^at\((.+)\)$/.exec(input?.ScheduleExpression ?? '')?.[1] ?? '';
    const firesAt = parseDateTime(wallClock, input?.ScheduleExpressionTimezone ?? '');
    expect(input?.ScheduleExpression).toBe('at(2026-11-05T12:01:00)');
    expect(firesAt, `${input?.ScheduleExpression} is before now`).toBeGreaterThan(now);
  });
});

describe('atExpression', () => {
  it('writes the wall clock of the campaign zone, not the UTC fields', () => {
    // Prepare
    const midnight = Date.parse('2026-11-10T16:00:00Z');

    // Act
    const shanghai = atExpression(midnight, 'Asia/Shanghai');
    const utc = atExpression(midnight, 'UTC');

    // Assess
    expect(shanghai).toEqual({ expression: 'at(2026-11-11T00:00:00)', timeZone: 'Asia/Shanghai' });
    expect(utc).toEqual({ expression: 'at(2026-11-10T16:00:00)', timeZone: 'UTC' });
  });

  it('falls back to UTC for the second pass through a DST fold, where the wall clock is ambiguous', () => {
    // Prepare: New York goes back from 02:00 EDT to 01:00 EST on 2026-11-01; 01:30 happens twice.
    const first = Date.parse('2026-11-01T01:30:00-04:00');
    const second = Date.parse('2026-11-01T01:30:00-05:00');

    // Act
    const early = atExpression(first, 'America/New_York');
    const late = atExpression(second, 'America/New_York');

    // Assess
    expect(early).toEqual({ expression: 'at(2026-11-01T01:30:00)', timeZone: 'America/New_York' });
    expect(late).toEqual({ expression: 'at(2026-11-01T06:30:00)', timeZone: 'UTC' });
  });
});

describe('EventBridgeScheduler group, delete and list', () => {
  it('ensureGroup creates the schedule group, accepts one that exists, and asks once per group and container', async () => {
    // Prepare
    scheduler
      .on(CreateScheduleGroupCommand)
      .resolvesOnce({ ScheduleGroupArn: 'arn:group' })
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const adapter = new EventBridgeScheduler(client, OPTIONS);
    const another = new EventBridgeScheduler(client, OPTIONS);

    // Act
    await adapter.ensureGroup('ensure-new');
    await adapter.ensureGroup('ensure-existing');
    await adapter.ensureGroup('ensure-new');
    await another.ensureGroup('ensure-existing');

    // Assess
    expect(scheduler.commandCalls(CreateScheduleGroupCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'ensure-new' },
      { Name: 'ensure-existing' },
    ]);
  });

  it('ensureGroup asks again after a failure that is not a conflict', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    scheduler.on(CreateScheduleGroupCommand).rejectsOnce(throttled).resolves({ ScheduleGroupArn: 'arn:group' });
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    const failed = await adapter.ensureGroup('ensure-retried').catch((error: unknown) => error);
    await adapter.ensureGroup('ensure-retried');

    // Assess
    expect(failed).toBe(throttled);
    expect(scheduler.commandCalls(CreateScheduleGroupCommand)).toHaveLength(2);
  });

  it('delete ignores a schedule that is already gone, and rethrows other errors', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    scheduler
      .on(DeleteScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }))
      .rejectsOnce(throttled);
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    const gone = await adapter.delete('d11-2026', 'presale-sms-g01');
    const failed = await adapter.delete('d11-2026', 'presale-sms-g02').catch((error: unknown) => error);

    // Assess
    expect(gone).toBeUndefined();
    expect(failed).toBe(throttled);
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      GroupName: 'd11-2026',
      Name: 'presale-sms-g01',
    });
  });

  it('list pages through ListSchedules with the group and an optional name prefix', async () => {
    // Prepare
    scheduler
      .on(ListSchedulesCommand)
      .resolvesOnce({ Schedules: [{ Name: 'presale-sms-g01' }, { Name: 'presale-sms-g02' }], NextToken: 'n1' })
      .resolvesOnce({ Schedules: [{ Name: 'presale-email-g01' }] });
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    const names = await adapter.list('d11-2026', 'presale-');

    // Assess
    expect(names).toEqual(['presale-sms-g01', 'presale-sms-g02', 'presale-email-g01']);
    expect(scheduler.commandCalls(ListSchedulesCommand).map((call) => call.args[0].input)).toEqual([
      { GroupName: 'd11-2026', NamePrefix: 'presale-', MaxResults: 100 },
      { GroupName: 'd11-2026', NamePrefix: 'presale-', MaxResults: 100, NextToken: 'n1' },
    ]);
  });

  it('list of a group that does not exist is empty', async () => {
    // Prepare
    scheduler
      .on(ListSchedulesCommand)
      .rejects(new ResourceNotFoundException({ message: 'no group', Message: 'no group', $metadata: {} }));
    const adapter = new EventBridgeScheduler(client, OPTIONS);

    // Act
    const names = await adapter.list('nope');

    // Assess
    expect(names).toEqual([]);
    expect(scheduler.commandCalls(ListSchedulesCommand)[0]?.args[0].input).toEqual({
      GroupName: 'nope',
      MaxResults: 100,
    });
  });
});
