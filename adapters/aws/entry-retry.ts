import type { Clock } from '../../application/ports/clock.js';
import type { Random } from '../../application/ports/random.js';
import { fullJitter, type BackoffBounds } from '../../domain/backoff.js';
import type { ErrorCategory } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';

/**
 * Re-sending the entries a successful batch response reported failed (SQS `Failed`, EventBridge
 * `ErrorCode`). The SDK retries whole calls only; these partial failures are invisible to it, so this is
 * the one layer that retries them. A re-send that throws is not retried here (the SDK already did).
 */
export interface EntryRetryPolicy {
  /** Re-sends after the first attempt. */
  readonly maxRetries: number;
  /** Milliseconds, full jitter: attempt n waits random(0, min(cap, base·2^(n-1))). */
  readonly backoff: BackoffBounds;
}

export const DEFAULT_ENTRY_RETRY_POLICY: EntryRetryPolicy = Object.freeze({
  maxRetries: 3,
  backoff: Object.freeze({ base: 50, cap: 1_000 }),
});

export interface EntryFailure {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly message: string;
}

export type EntryOutcome<E, S> =
  | { readonly entry: E; readonly ok: true; readonly value: S }
  | { readonly entry: E; readonly ok: false; readonly failure: EntryFailure; readonly retryable: boolean };

export interface EntryRetryResult<E, S> {
  readonly succeeded: readonly { readonly entry: E; readonly value: S }[];
  readonly failed: readonly { readonly entry: E; readonly failure: EntryFailure }[];
}

export interface RetryTools {
  readonly policy: EntryRetryPolicy;
  readonly clock: Pick<Clock, 'sleep'>;
  readonly random: Random;
}

export const systemRetryTools: Omit<RetryTools, 'policy'> = {
  clock: { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  random: { next: () => Math.random() },
};

/**
 * Sends `entries`, then re-sends only the retryable failures, with full-jitter backoff, at most
 * `maxRetries` times. The first call's error propagates (nothing is known about any entry); a later
 * call's error settles the entries it carried as failed with that error's classification.
 */
export async function sendWithEntryRetries<E, S>(
  entries: readonly E[],
  sendOnce: (entries: readonly E[]) => Promise<readonly EntryOutcome<E, S>[]>,
  tools: RetryTools,
): Promise<EntryRetryResult<E, S>> {
  const succeeded: { entry: E; value: S }[] = [];
  const failed: { entry: E; failure: EntryFailure }[] = [];
  let pending = entries;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await tools.clock.sleep(fullJitter(attempt, () => tools.random.next(), tools.policy.backoff));
    let outcomes: readonly EntryOutcome<E, S>[];
    try {
      outcomes = await sendOnce(pending);
    } catch (error) {
      if (attempt === 0) throw error;
      const failure = failureOfError(error);
      failed.push(...pending.map((entry) => ({ entry, failure })));
      break;
    }
    const retry: E[] = [];
    for (const outcome of outcomes) {
      if (outcome.ok) succeeded.push({ entry: outcome.entry, value: outcome.value });
      else if (outcome.retryable && attempt < tools.policy.maxRetries) retry.push(outcome.entry);
      else failed.push({ entry: outcome.entry, failure: outcome.failure });
    }
    pending = retry;
  }
  return { succeeded, failed };
}

/** A per-entry error code, classified by the one classifier as if the service had thrown it. */
export function entryFailure(code: string, message: string, retryable: boolean): EntryFailure {
  const shape = retryable ? { name: code, message, $retryable: {} } : { name: code, message, $fault: 'client' };
  const { category, code: stableCode } = classifyError(shape);
  return { code: stableCode, category, message };
}

export function failureOfError(error: unknown): EntryFailure {
  const { category, code, message } = classifyError(error);
  return { code, category, message };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
