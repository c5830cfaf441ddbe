/**
 * On AWS the Distributed Map import and the sharded plan are Step Functions executions, each
 * named by what it runs (the import and its attempt; the campaign and its version), so a
 * start repeated after a lost reply or a redelivered event is the run already started.
 */
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { MapImportRun, MapImportStarter } from '../ports/import-store.ts';
import type { ShardedPlanRun, ShardedPlanStarter } from '../ports/plan-starter.ts';

/** `arn:...:stateMachine:<machine>` and a name -> `arn:...:execution:<machine>:<name>`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class StepFunctionsExecutions implements MapImportStarter, ShardedPlanStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(run: MapImportRun | ShardedPlanRun): Promise<{ executionArn: string }> {
    try {
      const result = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: run.name,
          input: JSON.stringify(run.input),
        }),
      );
      return { executionArn: result.executionArn ?? executionArnOf(this.stateMachineArn, run.name) };
    } catch (error) {
      // The same name started before: that run is this one's.
      if (error instanceof ExecutionAlreadyExists)
        return { executionArn: executionArnOf(this.stateMachineArn, run.name) };
      throw error;
    }
  }
}
