import type { FailureSimulation } from '../orders/failure-simulation.js';
import type { StepFailure } from '../workflows/step-error.js';

/** The execution a synchronous start asks for: its name, and what the client sent beside the body. */
export interface SyncExecutionRequest {
  /** Unique per request (the API's request id); the steps log it as their correlation id. */
  readonly name: string;
  /** The client's Idempotency-Key header: the publish step reserves it (`execution.idempotencyKey`). */
  readonly idempotencyKey?: string;
  readonly simulation?: FailureSimulation;
}

/** How an execution ended: its output (the final workflow state), or the error it failed with. */
export type SyncExecutionResult =
  { readonly status: 'SUCCEEDED'; readonly output: unknown } | { readonly status: 'FAILED'; readonly error: StepFailure };

/**
 * Starts one workflow execution and waits for its end (Step Functions' StartSyncExecution of an Express
 * state machine, or the harness' runner). A failure of the start itself (throttled, unreachable) is
 * thrown; a failed execution is a result.
 */
export interface WorkflowStarter {
  startSync(input: unknown, execution: SyncExecutionRequest): Promise<SyncExecutionResult>;
}
