import { classifyError } from '../../domain/error-classifier.js';
import type { Logger } from '../ports/logger.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { VisibilityChange } from '../ports/queue-message.js';
import { RETRY_BUDGET_MS, RETRY_TRIES, retryWithinInvocation, type RetryTools } from './retry-within-invocation.js';

export { DEADLINE_RESERVE_MS } from './retry-within-invocation.js';

/**
 * Retrying a failed ChangeMessageVisibility within the invocation. A backoff that is not set is not a
 * small loss: the message then waits out the queue's whole visibility timeout (6 × the function's
 * timeout, 362 s deployed) instead of its few seconds of backoff. The tries are bounded as
 * retry-within-invocation.ts says; one call covers every record of the batch.
 */

/** Calls per batch, the first included. */
export const VISIBILITY_TRIES = RETRY_TRIES;

export interface VisibilityRetryTools extends RetryTools {
  readonly logger: Logger;
}

/** The longest the retries wait in all: an open breaker's wait is honoured only within it (else they stop). */
export function visibilityRetryBudgetMs(): number {
  return RETRY_BUDGET_MS;
}

/** True once every change went through; false when the tries, the time or the error's nature ran out. */
export async function changeVisibilityWithRetries(
  queue: OrderQueue,
  changes: readonly VisibilityChange[],
  tools: VisibilityRetryTools,
): Promise<boolean> {
  const tried = await retryWithinInvocation(() => queue.changeVisibility(changes), tools);
  if (tried.ok) {
    if (tried.tries > 1) tools.logger.info('backoff visibility set on a later try', { tries: tried.tries, messages: changes.length });
    return true;
  }
  const { category, code } = classifyError(tried.error);
  tools.logger.warn('could not set backoff visibility', {
    tries: tried.tries,
    messages: changes.length,
    category,
    code,
    error: errorMessage(tried.error),
  });
  return false;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
