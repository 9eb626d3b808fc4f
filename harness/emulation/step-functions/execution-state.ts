import { isErrorCategory } from '../../../domain/error-category.js';
import type { FailureInfo } from '../../../domain/idempotency.js';
import {
  CAUGHT_ERROR_KEY,
  categoryOfInvocationError,
  categoryOfStepError,
  failureOfStepError,
  messageOfCause,
  type CaughtError,
  type ParkStep,
  type RetryRule,
  type RetrySchedule,
} from '../../../application/workflows/index.js';

export type WorkflowState = Readonly<Record<string, unknown>>;

export interface StepVisit {
  readonly step: string;
  /** Tries of a task (1 when it was not retried); absent for other steps. */
  readonly tries?: number;
  readonly error?: string;
}

export type ExecutionResult =
  | { readonly status: 'SUCCEEDED'; readonly output: WorkflowState; readonly visited: readonly StepVisit[] }
  | { readonly status: 'FAILED'; readonly error: CaughtError; readonly state: WorkflowState; readonly visited: readonly StepVisit[] };

/* What the workflow runner reads from an execution's state and its errors, as the rendered ASL would: retry matching, park reasons, failures. */

/** Whether a retry rule matches an error name, as its rendered ErrorEquals would (terraform/asl.ts). */
export function retries(rule: RetryRule, errorName: string): boolean {
  const invocation = categoryOfInvocationError(errorName);
  const category = rule.scope === 'invocation' ? invocation : (categoryOfStepError(errorName) ?? invocation);
  return category !== undefined && rule.categories.includes(category);
}

/** Step Functions' retry delay: interval × rate^n, capped, then FULL jitter (uniform between 0 and it). */
export function retryDelayMs(rule: RetrySchedule, retriesBefore: number, random: () => number): number {
  const seconds = Math.min(rule.intervalSeconds * rule.backoffRate ** retriesBefore, rule.maxDelaySeconds ?? Number.POSITIVE_INFINITY);
  return Math.round(random() * seconds * 1_000);
}

/** The category and code a park step records for a caught error (see failureOfStepError). */
export function failureOf(error: CaughtError): FailureInfo {
  return failureOfStepError(error);
}

export { messageOfCause };

/** The category and code a park step sends with the message, from wherever its reason says. */
export function parkReason(reason: ParkStep['reason'], state: WorkflowState): FailureInfo {
  switch (reason.source) {
    case 'fixed':
      return { category: reason.category, code: reason.code };
    case 'caught':
      return failureOf(caughtIn(state));
    case 'state': {
      const value = readPath(state, reason.path) as Partial<FailureInfo> | undefined;
      // As the rendered JSONata would, an absent value still parks (the DLQ analysis then decides).
      const category = typeof value?.category === 'string' && isErrorCategory(value.category) ? value.category : 'UNKNOWN';
      return { category, code: typeof value?.code === 'string' ? value.code : `STEP.${category}` };
    }
  }
}

export function caughtIn(state: WorkflowState): CaughtError {
  const error = state[CAUGHT_ERROR_KEY];
  if (typeof error === 'object' && error !== null && typeof (error as CaughtError).Error === 'string') return error as CaughtError;
  return { Error: 'States.Runtime', Cause: 'no caught error in the state' };
}

export function readPath(state: WorkflowState, path: readonly string[]): unknown {
  let value: unknown = state;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** What Lambda reports as the Cause of a function error. */
export function causeOf(error: unknown): string {
  const errorMessage = error instanceof Error ? error.message : String(error);
  return JSON.stringify({ errorType: errorName(error), errorMessage });
}

export function failed(error: CaughtError, state: WorkflowState, visited: readonly StepVisit[]): ExecutionResult {
  return { status: 'FAILED', error, state, visited };
}
