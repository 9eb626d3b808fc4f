import { isErrorCategory, type ErrorCategory } from '../../domain/error-category.js';

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
