/**
 * The error taxonomy of the pipeline. Every failure is mapped to exactly one category by
 * `classifyError` (see error-classifier.ts); the category alone decides retry, backoff or parking.
 */
export const ERROR_CATEGORIES = ['VALIDATION', 'TRANSIENT', 'PERMANENT', 'TIMEOUT', 'PROCESSING', 'UNKNOWN'] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export const ERROR_CATEGORY_DESCRIPTIONS: Readonly<Record<ErrorCategory, string>> = {
  VALIDATION: 'Schema or business rule violation',
  TRANSIENT: 'Temporary failure, retry possible',
  PERMANENT: 'Permanent failure, manual intervention needed',
  TIMEOUT: 'Processing timeout, increase resources',
  PROCESSING: 'Business logic processing error',
  UNKNOWN: 'Unclassified error type',
};

export interface RetryPolicy {
  /** Whether a failure of this category may be retried at all. */
  readonly retryable: boolean;
  /** Attempts (first delivery included) before the message is parked. */
  readonly maxAttempts: number;
  /** Whether a failure of this category counts towards opening a circuit breaker. */
  readonly tripsBreaker: boolean;
}

/**
 * Retry behaviour per category. VALIDATION and PERMANENT never succeed on retry, so they are parked at
 * once. PROCESSING and UNKNOWN might be a bug or a blip: a short budget, then parking. Only failures of
 * the dependency itself (TRANSIENT, TIMEOUT) say anything about its health, so only they trip breakers.
 */
export const RETRY_POLICIES: Readonly<Record<ErrorCategory, RetryPolicy>> = {
  VALIDATION: { retryable: false, maxAttempts: 1, tripsBreaker: false },
  PERMANENT: { retryable: false, maxAttempts: 1, tripsBreaker: false },
  TRANSIENT: { retryable: true, maxAttempts: 8, tripsBreaker: true },
  TIMEOUT: { retryable: true, maxAttempts: 5, tripsBreaker: true },
  PROCESSING: { retryable: true, maxAttempts: 3, tripsBreaker: false },
  UNKNOWN: { retryable: true, maxAttempts: 3, tripsBreaker: false },
};

export function isErrorCategory(value: unknown): value is ErrorCategory {
  return typeof value === 'string' && (ERROR_CATEGORIES as readonly string[]).includes(value);
}

/** Whether another attempt is allowed after `attemptsSoFar` attempts failed with `category`. */
export function shouldRetry(category: ErrorCategory, attemptsSoFar: number): boolean {
  const policy = RETRY_POLICIES[category];
  return policy.retryable && attemptsSoFar < policy.maxAttempts;
}
