import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { CONSUME_WORKFLOW, failureOfStepError, stepErrorName, type StepFailure } from '../../application/workflows/index.js';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import { WorkflowRunner, type StepFunctions, type WorkflowState } from '../../harness/emulation/step-functions/workflow-runner.js';

export function stepError(category: Parameters<typeof stepErrorName>[0], message: string): Error {
  return namedError(stepErrorName(category), message);
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * The idempotency function's two roles, reduced: a first-attempt claim, and a release that parks what can
 * never succeed and retries the rest (the real one also counts attempts: ReleaseFailedClaim).
 */
export async function claimThenRelease(state: WorkflowState): Promise<unknown> {
  if (state.error === undefined) return { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' };
  const failure = failureOfStepError(state.error as StepFailure);
  return RETRY_POLICIES[failure.category].retryable ? { verdict: 'RETRY', failure, delaySeconds: 3 } : { verdict: 'PARK', failure };
}

export interface Rig {
  readonly runner: WorkflowRunner;
  readonly sleeps: number[];
  readonly parked: FailureInfo[];
  /** The visibility timeouts hold-back steps set. */
  readonly heldBack: number[];
  /** The DelaySeconds of the copies requeue steps sent. */
  readonly requeued: number[];
  readonly calls: string[];
}

export type HoldBack = (state: WorkflowState, delaySeconds: number) => Promise<void>;

export function rig(overrides: Partial<StepFunctions>, random = 0.5, holdBack?: HoldBack, refuseRequeue = false): Rig {
  const sleeps: number[] = [];
  const requeued: number[] = [];
  const parked: FailureInfo[] = [];
  const heldBack: number[] = [];
  const calls: string[] = [];
  const track = (name: string, fn: (state: WorkflowState) => Promise<unknown>) => async (state: WorkflowState) => {
    calls.push(name);
    return fn(state);
  };
  const steps: StepFunctions = {
    validate: track('validate', overrides.validate ?? (async () => ({}))),
    publish: track('publish', overrides.publish ?? (async () => ({}))),
    idempotency: track('idempotency', overrides.idempotency ?? claimThenRelease),
    processor: track('processor', overrides.processor ?? (async () => ({ outcome: { totalMinor: 1 } }))),
  };
  const runner = new WorkflowRunner(CONSUME_WORKFLOW, {
    steps,
    park: async (_state, failure) => {
      parked.push(failure);
    },
    holdBack:
      holdBack ??
      (async (_state, delaySeconds) => {
        heldBack.push(delaySeconds);
      }),
    requeue: async (_state, delaySeconds) => {
      if (refuseRequeue) throw namedError('Sqs.SqsException', 'We encountered an internal error');
      requeued.push(delaySeconds);
    },
    functionTimeoutMs: 1_000,
    random: () => random,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    logger: new RecordingLogger(),
  });
  return { runner, sleeps, parked, heldBack, requeued, calls };
}

export const EXECUTION = { id: 'arn:local:execution:test', name: 'test' };
