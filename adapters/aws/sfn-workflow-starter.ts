import { StartSyncExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SyncExecutionRequest, SyncExecutionResult, WorkflowStarter } from '../../application/ports/workflow-starter.js';
import { requestExecutionInput } from '../../application/workflows/execution-input.js';
import type { WorkflowDefinition } from '../../application/workflows/workflow-definition.js';
import { PermanentError } from '../../domain/errors.js';

export interface SfnWorkflowStarterOptions {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
  /** The workflow the state machine renders: its input key says where the body goes in the start input. */
  readonly definition: WorkflowDefinition;
}

/**
 * Step Functions' StartSyncExecution of an Express state machine. The input is the body beside the
 * client's key (requestExecutionInput), which the state machine's first state moves into `execution`.
 * A call that fails (throttled, 5xx, unreachable, after the SDK's own retries) is thrown as the SDK
 * error, for the one classifier; an execution that failed or timed out is a FAILED result with its
 * error and cause, as a Catch would see them.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(private readonly options: SfnWorkflowStarterOptions) {}

  async startSync(input: unknown, execution: SyncExecutionRequest): Promise<SyncExecutionResult> {
    const response = await this.options.client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: this.options.stateMachineArn,
        name: execution.name,
        input: JSON.stringify(requestExecutionInput(this.options.definition, input, execution)),
      }),
    );
    switch (response.status) {
      case 'SUCCEEDED':
        return { status: 'SUCCEEDED', output: parseOutput(response.output) };
      case 'FAILED':
        return { status: 'FAILED', error: { Error: response.error ?? 'States.Runtime', Cause: response.cause ?? '' } };
      case 'TIMED_OUT':
        // States.Timeout is an invocation error of category TIMEOUT: the edge answers 503 + Retry-After.
        return {
          status: 'FAILED',
          error: { Error: response.error ?? 'States.Timeout', Cause: response.cause ?? 'the execution timed out' },
        };
      default:
        throw new PermanentError(`StartSyncExecution answered status ${String(response.status)}`, { code: 'WORKFLOW.UNKNOWN_STATUS' });
    }
  }
}

function parseOutput(output: string | undefined): unknown {
  if (output === undefined) return null;
  try {
    return JSON.parse(output) as unknown;
  } catch (error) {
    throw new PermanentError('the execution output is not JSON', { code: 'WORKFLOW.OUTPUT_INVALID', cause: error });
  }
}
