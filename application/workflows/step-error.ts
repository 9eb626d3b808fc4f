import { isErrorCategory, type ErrorCategory } from '../../domain/error-category.js';

const PREFIX = 'Pipeline.';

/**
 * The error name a step handler throws for a failure of `category`, so that a workflow's Retry and
 * Catch (`ErrorEquals`) can match it. Step Functions reads the name from the Lambda error type.
 */
export function stepErrorName(category: ErrorCategory): string {
  return `${PREFIX}${category}`;
}

/** The category a step error name stands for, or undefined for any other error (a Lambda or States error). */
export function categoryOfStepError(name: string): ErrorCategory | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const category = name.slice(PREFIX.length);
  return isErrorCategory(category) ? category : undefined;
}
