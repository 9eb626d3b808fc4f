import type { SyncExecutionRequest, SyncExecutionResult, WorkflowStarter } from '../../../application/ports/workflow-starter.js';
import type { WorkflowRunner } from './workflow-runner.js';

/**
 * The harness' StartSyncExecution: runs the workflow in this process to its end. The runner puts the
 * client's key and simulation in `execution` itself, where the deployed state machine's first state puts
 * them from the start input (test/terraform/asl-execution.spec.ts holds the two to the same state).
 */
export class RunnerWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly runner: WorkflowRunner,
    private readonly stateMachineArn: string,
  ) {}

  async startSync(input: unknown, execution: SyncExecutionRequest): Promise<SyncExecutionResult> {
    // An Express execution's ARN: the state machine's, with `express` in place of `stateMachine`.
    const id = `${this.stateMachineArn.replace(':stateMachine:', ':express:')}:${execution.name}`;
    const result = await this.runner.run(input, { id, ...execution });
    return result.status === 'SUCCEEDED' ? { status: 'SUCCEEDED', output: result.output } : { status: 'FAILED', error: result.error };
  }
}
