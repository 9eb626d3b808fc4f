import type { ErrorCategory } from '../../domain/error-category.js';
import type { StepFunctionName } from './pipeline-function.js';

/**
 * A workflow as plain data: the one definition that the local harness interprets and that
 * `terraform/asl.ts` renders to Amazon States Language for Step Functions. No AWS and no cdktf here.
 *
 * The workflow state is one JSON object. An execution starts with `{ [input.key]: <input>, execution }`;
 * every task receives the whole state and its result is stored under its `resultKey`; a Catch stores
 * the error (`{ Error, Cause }`) under `error` and goes on with the same state.
 */
export interface WorkflowDefinition {
  readonly name: string;
  readonly comment: string;
  readonly input: WorkflowInput;
  readonly startAt: string;
  readonly steps: Readonly<Record<string, WorkflowStep>>;
}

/**
 * How an execution's input arrives. `request-body`: the HTTP request's body, which the edge function
 * starts the execution with under `key`, beside the client's Idempotency-Key and failure simulation
 * (see execution-input.ts); the first state moves those into `execution`. `queue-record`: one
 * order-queue record, which EventBridge Pipes delivers as a one-element array (it always sends a batch).
 */
export interface WorkflowInput {
  readonly kind: 'request-body' | 'queue-record';
  /** Where the input is kept in the workflow state. */
  readonly key: string;
}

export type WorkflowStep = TaskStep | ChoiceStep | SucceedStep | FailStep | ParkStep | HoldBackStep | RequeueStep;

/** Invokes one step function with the whole state; its result goes under `resultKey`. */
export interface TaskStep {
  readonly type: 'task';
  readonly function: StepFunctionName;
  readonly resultKey: string;
  readonly next: string;
  /** Tried in order; a category appears in at most one rule. */
  readonly retry: readonly RetryRule[];
  /** Tried in order after retries are spent; a category appears in at most one rule. Anything not caught fails the execution. */
  readonly catch: readonly CatchRule[];
}

/** Retries the step in place. `maxAttempts` counts retries after the first try, as Step Functions does. */
export interface RetryRule extends RetrySchedule {
  readonly categories: readonly ErrorCategory[];
  /**
   * Which errors of those categories it retries: `invocation` only the errors of the invocation itself
   * (INVOCATION_ERRORS: Lambda throttled or failing, a timeout), `all` also the `Pipeline.<CATEGORY>`
   * errors a step function throws.
   */
  readonly scope: 'invocation' | 'all';
}

/** When a retry happens: interval × backoffRate^n, capped at maxDelaySeconds, with full jitter (as Step Functions does). */
export interface RetrySchedule {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds?: number;
}

export interface CatchRule {
  readonly categories: readonly ErrorCategory[];
  readonly next: string;
}

/** Branches on a string field of the state, e.g. `['claim', 'decision', 'kind']`. */
export interface ChoiceStep {
  readonly type: 'choice';
  readonly field: readonly string[];
  readonly cases: readonly ChoiceCase[];
  readonly otherwise: string;
}

export interface ChoiceCase {
  readonly equals: string;
  readonly next: string;
}

export interface SucceedStep {
  readonly type: 'succeed';
  readonly comment: string;
}

/** Ends the execution as failed, with a fixed error or with the error a Catch stored. */
export interface FailStep {
  readonly type: 'fail';
  readonly error: { readonly source: 'caught' } | { readonly source: 'fixed'; readonly name: string; readonly cause: string };
}

/**
 * Ends the execution successfully after sending the input message to the dead-letter queue with the
 * reason in its attributes, so it is never retried blindly and the redrive can analyse it: the category
 * of the caught error (a `Pipeline.<CATEGORY>` step error), a fixed one, or a `{ category, code }` a
 * step put in the state (at `path`). Only meaningful for a `queue-record` workflow.
 */
export interface ParkStep {
  readonly type: 'park';
  readonly reason:
    | { readonly source: 'caught' }
    | { readonly source: 'fixed'; readonly category: ErrorCategory; readonly code: string }
    | { readonly source: 'state'; readonly path: readonly string[] };
}

/**
 * Holds the input message back before the execution gives it up: sets the message's visibility timeout
 * (SQS ChangeMessageVisibility, on the queue the record came from, with the record's receipt handle) to
 * the whole seconds a step put in the state at `delaySecondsPath`, so the queue redelivers it after that
 * backoff rather than after the queue's own visibility timeout. It changes nothing in the state. A failed
 * change is retried in place on `retry`'s schedule, whatever the error (States.ALL: a change can be
 * repeated safely); when every try failed it goes to `onError` with the state unchanged: the message then
 * keeps the visibility timeout it was received with unless `onError` does something about it. Only
 * meaningful for a `queue-record` workflow.
 */
export interface HoldBackStep {
  readonly type: 'hold-back';
  readonly delaySecondsPath: readonly string[];
  readonly retry: RetrySchedule;
  readonly next: string;
  readonly onError: string;
}

/**
 * Sends a copy of the input message (its body and string attributes) to the queue it came from, with the
 * whole seconds at `delaySecondsPath` as its DelaySeconds (at most SQS's 900), then goes to `next`, which
 * should end the execution well so that the pipe deletes the original: the retry then travels in the copy
 * and comes back after the backoff. For when the original cannot be held back. The send is retried on
 * `retry`'s schedule, whatever the error; when every try failed it goes to `onError` with the state
 * unchanged. The copy's receive count starts at 1; a duplicate is harmless (the idempotency record decides
 * what a delivery does). Only meaningful for a `queue-record` workflow.
 */
export interface RequeueStep {
  readonly type: 'requeue';
  readonly delaySecondsPath: readonly string[];
  readonly retry: RetrySchedule;
  readonly next: string;
  readonly onError: string;
}

/** SQS's largest DelaySeconds: a requeue step never asks for more. */
export const MAX_REQUEUE_DELAY_SECONDS = 900;

/** Where a Catch stores the error in the workflow state. */
export const CAUGHT_ERROR_KEY = 'error';
/** Where the execution's identity (`{ id, name }`, and for a request the client's `idempotencyKey` and `simulation`) is kept in the workflow state. */
export const EXECUTION_KEY = 'execution';

/** The error a Catch stores, as Step Functions shapes it. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause: string;
}

/** Every step a step can go to next. */
export function successorsOf(step: WorkflowStep): readonly string[] {
  switch (step.type) {
    case 'task':
      return [step.next, ...step.catch.map((rule) => rule.next)];
    case 'choice':
      return [...step.cases.map((choice) => choice.next), step.otherwise];
    case 'hold-back':
    case 'requeue':
      return [step.next, step.onError];
    case 'succeed':
    case 'fail':
    case 'park':
      return [];
  }
}
