import { fullJitter } from '../../domain/backoff.js';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { VisibilityChange } from '../ports/queue-message.js';
import type { Random } from '../ports/random.js';

/**
 * Retrying a failed ChangeMessageVisibility within the invocation.
 *
 * A backoff that is not set is not a small loss: the message then waits out the queue's whole visibility
 * timeout (6 × the function's timeout, 362 s deployed) instead of its few seconds of backoff. So the
 * change is tried again here, after the SDK's own retries gave up: a few tries, full jitter, never past the
 * invocation's deadline. Retries multiply across layers, which is why this layer is bounded hard: at most
 * VISIBILITY_TRIES calls per batch (one call covers every record of the batch), each through the SQS
 * breaker, so once the breaker opens the rest fail at once without reaching SQS; an open breaker's
 * wait is honoured, not hammered, and when it is longer than the budget left the retries stop there.
 * Only errors the classifier calls retryable are tried again. In all they wait at most
 * visibilityRetryBudgetMs() (1.4 s), which is what a record's return may be late by on their account.
 */

/** Calls per batch, the first included. */
export const VISIBILITY_TRIES = 4;
/** Full jitter between tries: random(0, min(cap, base·2^(n-1))) ms. */
export const VISIBILITY_RETRY_BOUNDS = { base: 200, cap: 2_000 } as const;
/** The longest the retries wait in all: an open breaker's wait is honoured only within it (else they stop). */
export function visibilityRetryBudgetMs(): number {
  let total = 0;
  for (let tries = 1; tries < VISIBILITY_TRIES; tries += 1) total += Math.min(VISIBILITY_RETRY_BOUNDS.cap, VISIBILITY_RETRY_BOUNDS.base * 2 ** (tries - 1));
  return total;
}

/** Time kept back from the deadline for answering the event source. */
export const DEADLINE_RESERVE_MS = 1_000;

export interface VisibilityRetryTools {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Invocation time left; undefined outside Lambda (no deadline). */
  readonly timeLeftMs: () => number | undefined;
}

/** True once every change went through; false when the tries, the time or the error's nature ran out. */
export async function changeVisibilityWithRetries(queue: OrderQueue, changes: readonly VisibilityChange[], tools: VisibilityRetryTools): Promise<boolean> {
  let waitedMs = 0;
  for (let tries = 1; ; tries += 1) {
    try {
      await queue.changeVisibility(changes);
      if (tries > 1) tools.logger.info('backoff visibility set on a later try', { tries, messages: changes.length });
      return true;
    } catch (error) {
      const { category, code } = classifyError(error);
      const delayMs = retryDelayMs(tries, error, tools);
      const left = tools.timeLeftMs();
      const giveUp = tries >= VISIBILITY_TRIES
        || !RETRY_POLICIES[category].retryable
        || waitedMs + delayMs > visibilityRetryBudgetMs()
        || (left !== undefined && left - delayMs < DEADLINE_RESERVE_MS);
      if (giveUp) {
        tools.logger.warn('could not set backoff visibility', { tries, messages: changes.length, category, code, error: errorMessage(error) });
        return false;
      }
      waitedMs += delayMs;
      await tools.clock.sleep(delayMs);
    }
  }
}

/** The wait before try `tries + 1`: full jitter, or at least until an open breaker lets a call through. */
function retryDelayMs(tries: number, error: unknown, tools: VisibilityRetryTools): number {
  const jittered = Math.round(fullJitter(tries, () => tools.random.next(), VISIBILITY_RETRY_BOUNDS));
  return error instanceof CircuitOpenError ? Math.max(jittered, error.retryAfterMs) : jittered;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
