import type { CatchRule, RetryRule } from './workflow-definition.js';

/**
 * In-execution retry for failures of a dependency (TRANSIENT, TIMEOUT): short, because the caller is
 * waiting (the API) or the message goes back to the queue anyway (the pipe), and retries multiply across
 * layers. Step Functions adds full jitter to these delays.
 */
export const DEPENDENCY_RETRY: RetryRule = {
  categories: ['TRANSIENT', 'TIMEOUT'],
  intervalSeconds: 1,
  maxAttempts: 2,
  backoffRate: 2,
  maxDelaySeconds: 8,
};

/** Failures that can never succeed on another try go to `next` at once. */
export function catchNonRetryable(next: string): CatchRule {
  return { categories: ['VALIDATION', 'PERMANENT'], next };
}
