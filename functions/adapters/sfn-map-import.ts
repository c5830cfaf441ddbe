/** On AWS the Distributed Map import is a Step Functions execution, named by the import and its attempt. */
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { MapImportRun, MapImportStarter } from '../ports/import-store.ts';

/** `arn:...:stateMachine:<machine>` and a name -> `arn:...:execution:<machine>:<name>`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class StepFunctionsMapImport implements MapImportStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(run: MapImportRun): Promise<{ executionArn: string }> {
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
      // The same name started before (a repeated event, a retry after a lost reply): that run is this import's.
      if (error instanceof ExecutionAlreadyExists)
        return { executionArn: executionArnOf(this.stateMachineArn, run.name) };
      throw error;
    }
  }
}
