import { isErrorCategory, type ErrorCategory } from '../../domain/error-category.js';
import type { FailureInfo } from '../../domain/idempotency.js';

const PREFIX = 'Pipeline.';

/**
 * The error name a step handler throws for a failure of `category`, so that a workflow's Retry and
 * Catch (`ErrorEquals`) can match it. Step Functions reads the name from the Lambda error type.
 */
export function stepErrorName(category: ErrorCategory): string {
  return `${PREFIX}${category}`;
}

/**
 * Errors that Lambda or Step Functions raise about an invocation itself, with the category each belongs
 * to: the Lambda service failing or throttling the invoke is TRANSIENT; a task or function timeout is
 * TIMEOUT. No layer inside the function has retried these, unlike a `Pipeline.*` error, which the
 * function throws only after its AWS SDK client has spent its own retries.
 */
export const INVOCATION_ERRORS: Readonly<Partial<Record<ErrorCategory, readonly string[]>>> = {
  TRANSIENT: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  TIMEOUT: ['States.Timeout', 'Sandbox.Timedout'],
};

/** The category of an invocation error name (see INVOCATION_ERRORS), or undefined. */
export function categoryOfInvocationError(name: string): ErrorCategory | undefined {
  const found = Object.entries(INVOCATION_ERRORS).find(([, names]) => names.includes(name));
  return found === undefined ? undefined : (found[0] as ErrorCategory);
}

/** The category a step error name stands for, or undefined for any other error (a Lambda or States error). */
export function categoryOfStepError(name: string): ErrorCategory | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const category = name.slice(PREFIX.length);
  return isErrorCategory(category) ? category : undefined;
}

/** An error as Step Functions hands it to a Catch: the Lambda error type and its Cause. */
export interface StepFailure {
  readonly Error: string;
  readonly Cause: string;
}

/**
 * The category and code of a caught step error: the category from its name (an invocation error counts
 * as its own category, anything else as UNKNOWN), the code from its message's `CODE: message` prefix.
 */
export function failureOfStepError(error: StepFailure): FailureInfo {
  const category = categoryOfStepError(error.Error) ?? categoryOfInvocationError(error.Error) ?? 'UNKNOWN';
  const message = messageOfCause(error.Cause);
  const code = /^([A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+):/.exec(message)?.[1];
  return { category, code: code ?? `STEP.${category}` };
}

/** The error message in a Lambda error Cause (`{"errorType","errorMessage"}`), or the cause itself. */
export function messageOfCause(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as Record<string, unknown>).errorMessage === 'string') {
      return (parsed as Record<string, string>).errorMessage ?? cause;
    }
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}
