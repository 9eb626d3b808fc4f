import { ValidationError } from './errors.js';

/**
 * The source queue's visibility timeout, from the worker function's timeout.
 *
 * Two rules apply and the larger wins:
 * - the seed's: `max(timeout + 30 s, 180 s)`, a buffer and a floor;
 * - AWS's for an SQS event source mapping: at least `6 × timeout + batching window`, because Lambda
 *   may retry a throttled or failed invocation of the same batch while its messages stay invisible.
 *
 * Which wins: for every timeout t ≥ 30 s, 6t ≥ 180 s and 6t ≥ t + 30 s (5t ≥ 30), so the AWS rule
 * decides; the seed's `+ 30 s` never decides anything (t + 30 s is at most 180 s up to t = 150 s, and
 * below 6t from t = 7 s). The seed's 180 s floor wins only for very short functions, when 6t + window < 180 s (a 10 s
 * function without a window: 60 s, raised to 180 s). A tie is reported as the AWS rule, which is the
 * one that must hold. The SQS maximum (12 h) cannot be reached with valid input (6 × 900 + 300 =
 * 5 700 s) but is applied anyway so the result is always a value SQS accepts.
 */

export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
export const MAX_BATCHING_WINDOW_SECONDS = 300;

const SEED_BUFFER_SECONDS = 30;
const SEED_FLOOR_SECONDS = 180;
const AWS_TIMEOUT_MULTIPLIER = 6;

export type VisibilityTimeoutRule = 'seed-minimum' | 'aws-six-times-timeout' | 'sqs-maximum';

export interface VisibilityTimeoutDecision {
  readonly seconds: number;
  readonly rule: VisibilityTimeoutRule;
}

export interface VisibilityTimeoutInput {
  readonly functionTimeoutSeconds: number;
  /** MaximumBatchingWindowInSeconds of the event source mapping; 0 when absent. */
  readonly batchingWindowSeconds?: number;
}

export function seedVisibilityTimeoutSeconds(workerTimeoutSeconds: number): number {
  return Math.max(workerTimeoutSeconds + SEED_BUFFER_SECONDS, SEED_FLOOR_SECONDS);
}

export function lambdaEventSourceVisibilityTimeoutSeconds(functionTimeoutSeconds: number, batchingWindowSeconds: number): number {
  return AWS_TIMEOUT_MULTIPLIER * functionTimeoutSeconds + batchingWindowSeconds;
}

/**
 * Throws `VISIBILITY.INVALID_INPUT` unless the timeout is a whole number of seconds in 1–900 and the
 * batching window one in 0–300 (the ranges Lambda accepts).
 */
export function visibilityTimeoutSeconds(input: VisibilityTimeoutInput): VisibilityTimeoutDecision {
  const timeout = input.functionTimeoutSeconds;
  const window = input.batchingWindowSeconds ?? 0;
  assertInput(timeout, window);
  const seed = seedVisibilityTimeoutSeconds(timeout);
  const aws = lambdaEventSourceVisibilityTimeoutSeconds(timeout, window);
  const wanted: VisibilityTimeoutDecision =
    aws >= seed ? { seconds: aws, rule: 'aws-six-times-timeout' } : { seconds: seed, rule: 'seed-minimum' };
  if (wanted.seconds > SQS_MAX_VISIBILITY_TIMEOUT_SECONDS) return { seconds: SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, rule: 'sqs-maximum' };
  return wanted;
}

function assertInput(timeout: number, window: number): void {
  const problems: string[] = [];
  if (!isWholeInRange(timeout, 1, LAMBDA_MAX_TIMEOUT_SECONDS)) {
    problems.push(`functionTimeoutSeconds must be a whole number from 1 to ${LAMBDA_MAX_TIMEOUT_SECONDS}, got ${String(timeout)}`);
  }
  if (!isWholeInRange(window, 0, MAX_BATCHING_WINDOW_SECONDS)) {
    problems.push(`batchingWindowSeconds must be a whole number from 0 to ${MAX_BATCHING_WINDOW_SECONDS}, got ${String(window)}`);
  }
  if (problems.length > 0) {
    throw new ValidationError(problems.join('; '), {
      code: 'VISIBILITY.INVALID_INPUT',
      context: { functionTimeoutSeconds: timeout, batchingWindowSeconds: window },
    });
  }
}

function isWholeInRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
