import { fullJitter } from '../../domain/backoff.js';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Random } from '../ports/random.js';

/**
 * A few more tries of a call whose failure would cost far more than the tries: a backoff not set (the
 * message then waits out the queue's visibility timeout) or a completion not written (the record then
 * keeps its lease, most of the invocation's time, and every redelivery meanwhile is answered
 * IN_PROGRESS). The SDK has already retried the call by then; retries multiply across layers, so this
 * layer is bounded hard: RETRY_TRIES calls in all, full jitter between them (200 ms · 2^(n-1), at most
 * 2 s), at most RETRY_BUDGET_MS of waiting in all, never past the invocation's deadline, and only for
 * errors the classifier calls retryable. The call goes through its service's breaker as every call does,
 * so once the breaker opens the tries fail at once without reaching the service; an open breaker's wait
 * is honoured only when it fits the budget, and the tries stop there otherwise.
 */

/** Calls in all, the first included. */
export const RETRY_TRIES = 4;
/** Full jitter between tries: random(0, min(cap, base·2^(n-1))) ms. */
export const RETRY_BOUNDS = { base: 200, cap: 2_000 } as const;
/** The longest the retries wait in all (200 + 400 + 800 ms): what a record's return may be late by on their account. */
export const RETRY_BUDGET_MS = budgetMs();
/** Time kept back from the deadline for answering the event source. */
export const DEADLINE_RESERVE_MS = 1_000;

export interface RetryTools {
  readonly clock: Clock;
  readonly random: Random;
  /** Invocation time left; undefined outside Lambda (no deadline). */
  readonly timeLeftMs: () => number | undefined;
}

export type Tried<T> =
  | { readonly ok: true; readonly value: T; readonly tries: number }
  | { readonly ok: false; readonly error: unknown; readonly tries: number };

export async function retryWithinInvocation<T>(call: () => Promise<T>, tools: RetryTools): Promise<Tried<T>> {
  let waitedMs = 0;
  for (let tries = 1; ; tries += 1) {
    try {
      return { ok: true, value: await call(), tries };
    } catch (error) {
      const delayMs = retryDelayMs(tries, error, tools);
      const left = tools.timeLeftMs();
      const giveUp =
        tries >= RETRY_TRIES ||
        !RETRY_POLICIES[classifyError(error).category].retryable ||
        waitedMs + delayMs > RETRY_BUDGET_MS ||
        (left !== undefined && left - delayMs < DEADLINE_RESERVE_MS);
      if (giveUp) return { ok: false, error, tries };
      waitedMs += delayMs;
      await tools.clock.sleep(delayMs);
    }
  }
}

/** The wait before try `tries + 1`: full jitter, or at least until an open breaker lets a call through. */
function retryDelayMs(tries: number, error: unknown, tools: RetryTools): number {
  const jittered = Math.round(fullJitter(tries, () => tools.random.next(), RETRY_BOUNDS));
  return error instanceof CircuitOpenError ? Math.max(jittered, error.retryAfterMs) : jittered;
}

function budgetMs(): number {
  let total = 0;
  for (let tries = 1; tries < RETRY_TRIES; tries += 1) total += Math.min(RETRY_BOUNDS.cap, RETRY_BOUNDS.base * 2 ** (tries - 1));
  return total;
}
