/**
 * The sharded plan's starters: on AWS one StartExecution named by the campaign and version
 * (Step Functions has no local server here: its client is mocked, the request checked whole);
 * locally the shard handler's steps in the state machine's order, once per name.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  type LocalPlanSteps,
  LocalShardedPlan,
  settledLocalPlan,
} from '../../functions/adapters/local/sharded-plan-runner.ts';
import { StepFunctionsExecutions } from '../../functions/adapters/sfn-executions.ts';
import type { ShardedPlanRun } from '../../functions/ports/plan-starter.ts';

const MACHINE = 'arn:aws:states:cn-north-1:123456789012:stateMachine:CampaignPlan';

const run = (name: string, shardCount = 3): ShardedPlanRun => ({
  name,
  input: {
    campaignId: 'd11',
    version: 4,
    workPrefix: 'private/plan-shards/d11/v4/',
    shardCount,
    source: { kind: 'table', totalSegments: shardCount * 4 },
  },
});

describe('the Step Functions starter', () => {
  it('starts one execution under the run name with the input as JSON, and finds it again when it exists', async () => {
    // Prepare
    const client = new SFNClient({ region: 'cn-north-1' });
    const sfn = mockClient(client);
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({
        executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:plan-d11-v4`,
        startDate: new Date(),
      })
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .rejectsOnce(new Error('AccessDenied'));
    const starter = new StepFunctionsExecutions(client, MACHINE);

    // Act
    const first = await starter.start(run('plan-d11-v4'));
    const again = await starter.start(run('plan-d11-v4'));
    const denied = await starter.start(run('plan-d11-v4')).catch((error: Error) => error.message);

    // Assess
    const expected = 'arn:aws:states:cn-north-1:123456789012:execution:CampaignPlan:plan-d11-v4';
    expect([first.executionArn, again.executionArn]).toEqual([expected, expected]);
    expect(denied, 'another failure was taken for an existing run').toBe('AccessDenied');
    const sent = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(sent[0]).toEqual({ stateMachineArn: MACHINE, name: 'plan-d11-v4', input: JSON.stringify(run('x').input) });
    sfn.restore();
  });
});

describe('the local starter', () => {
  const recording = (failFirstPassOf?: number) => {
    const calls: string[] = [];
    const step =
      (name: keyof LocalPlanSteps) =>
      async (event: unknown): Promise<unknown> => {
        const shard = (event as { shard?: { index: number } }).shard;
        calls.push(shard ? `${name}#${shard.index}` : name);
        if (name === 'firstPass' && shard?.index === failFirstPassOf)
          throw new Error('shard 1 cannot read its segments');
        return { step: name };
      };
    const steps: LocalPlanSteps = {
      firstPass: step('firstPass'),
      reduce: step('reduce'),
      secondPass: step('secondPass'),
      finish: step('finish'),
    };
    return { calls, steps };
  };

  it("runs the state machine's steps in order with its events, once however often the same run is started", async () => {
    // Prepare
    const { calls, steps } = recording();
    const starter = new LocalShardedPlan(steps, { maxConcurrency: 1 });

    // Act
    const started = await starter.start(run('local-once'));
    await starter.start(run('local-once'));
    const finished = await settledLocalPlan('local-once');

    // Assess
    expect(started.executionArn).toBe('local:plan-shards:local-once');
    expect(finished).toEqual({ step: 'finish' });
    expect(calls).toEqual([
      'firstPass#0',
      'firstPass#1',
      'firstPass#2',
      'reduce',
      'secondPass#0',
      'secondPass#1',
      'secondPass#2',
      'finish',
    ]);
  });

  it('fails the run at a failed first pass: no reduce, no finish, and the failure is reported', async () => {
    // Prepare
    const { calls, steps } = recording(1);
    const failures: string[] = [];
    const starter = new LocalShardedPlan(steps, {
      maxConcurrency: 1,
      onFailure: (name, error) => failures.push(`${name}: ${(error as Error).message}`),
    });

    // Act
    await starter.start(run('local-fails'));
    const outcome = await settledLocalPlan('local-fails').catch((error: Error) => error.message);

    // Assess
    expect(outcome).toBe('shard 1 cannot read its segments');
    expect(calls).toEqual(['firstPass#0', 'firstPass#1']);
    expect(failures).toEqual(['local-fails: shard 1 cannot read its segments']);
  });
});
