import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowInput } from '../domain/ports';
import { awsErrorName, rethrowTransient } from './aws-errors';

export type { WorkflowInput };

const CLOSED_TASK = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** The recovery state machine, as the API handlers drive it. */
export function createWorkflow(sfn: SFNClient, stateMachineArn: string) {
  return {
    /** Starts the execution named after the request, so a request can never run twice. */
    async start(input: WorkflowInput): Promise<void> {
      await sfn
        .send(
          new StartExecutionCommand({ stateMachineArn, name: input.requestId, input: JSON.stringify(input) }),
        )
        .catch((error) => rethrowTransient(error, 'StartExecution'));
    },

    /**
     * Wakes the waiting task up. The wake-up carries no decision (the decision is already in the
     * request item): resolves false when the task had already closed (timed out, retried, ended).
     */
    async wake(taskToken: string): Promise<boolean> {
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"woken":true}' }));
        return true;
      } catch (error) {
        if (CLOSED_TASK.has(awsErrorName(error) ?? '')) return false;
        return rethrowTransient(error, 'SendTaskSuccess');
      }
    },
  };
}

export type Workflow = ReturnType<typeof createWorkflow>;
