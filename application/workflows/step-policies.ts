import { ERROR_CATEGORIES } from '../../domain/error-category.js';
import type { CatchRule, RetryRule, RetrySchedule } from './workflow-definition.js';

/**
 * In-execution retry of a task whose invocation failed (Lambda throttled or erroring, a timeout): short,
 * because the caller is waiting (the API) or the message goes back to the queue anyway (the pipe). Step
 * Functions adds full jitter to these delays.
 *
 * It does not retry a `Pipeline.TRANSIENT` or `Pipeline.TIMEOUT` that a step threw: the step's AWS SDK
 * client has already retried the call that failed, and retries multiply across layers (two SDK attempts
 * times three tries would be six calls to a struggling service per delivery). Those fail the execution;
 * the queue redelivers the message with its visibility timeout, or the API caller gets the failure.
 */
export const INVOCATION_RETRY: RetryRule = {
  categories: ['TRANSIENT', 'TIMEOUT'],
  scope: 'invocation',
  intervalSeconds: 1,
  maxAttempts: 2,
  backoffRate: 2,
  maxDelaySeconds: 8,
};

/**
 * The hold-back's own retries: a ChangeMessageVisibility that did not go through is tried again, since
 * the alternative is a message that waits out the queue's whole visibility timeout instead of its few
 * seconds of backoff. At most 1 + 2 + 4 = 7 s of waiting (full jitter), three more calls per failed
 * attempt: Step Functions' smallest interval is 1 s, so this is as short as a Retrier gets.
 */
export const HOLD_BACK_RETRY: RetrySchedule = {
  intervalSeconds: 1,
  maxAttempts: 3,
  backoffRate: 2,
  maxDelaySeconds: 4,
};

/**
 * The idempotency steps' retry (the claim and the release), the task retry that also takes the step's own
 * TRANSIENT and TIMEOUT errors (whose SDK already retried): either failing fails the execution with no
 * backoff set (a claim that failed has no release to draw one; a release not recorded leaves the claim
 * leased), so the message comes back only after the queue's whole visibility timeout, minutes later, where
 * its backoff was seconds. Measured at 20 % faults on every port, 200 orders: 66 claims failed so, and
 * each order waited out the 180 s visibility timeout. As the composed worker retries its writes within
 * the invocation (application/resilience/retry-within-invocation.ts), and as short as Step Functions
 * allows: 1 s, 2 s, 4 s at most, full jitter, invocation errors included.
 */
export const IDEMPOTENCY_STEP_RETRY: RetryRule = {
  categories: ['TRANSIENT', 'TIMEOUT'],
  scope: 'all',
  intervalSeconds: 1,
  maxAttempts: 3,
  backoffRate: 2,
  maxDelaySeconds: 4,
};

/** The requeue's retries of its SendMessage: as the park step's (1 s, then 2 s, full jitter). */
export const REQUEUE_RETRY: RetrySchedule = {
  intervalSeconds: 1,
  maxAttempts: 2,
  backoffRate: 2,
};

/** Failures that can never succeed on another try go to `next` at once. */
export function catchNonRetryable(next: string): CatchRule {
  return { categories: ['VALIDATION', 'PERMANENT'], next };
}

/**
 * Every failure after a claim, caught so that the claim is released at once with the failure recorded
 * (see ReleaseFailedClaim), which then decides between a retry through the queue and parking.
 */
export function catchEverythingAfterClaim(next: string): CatchRule {
  return { categories: [...ERROR_CATEGORIES], next };
}
