import { SQS_MAX_DELAY_SECONDS } from '../../domain/backoff.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { QueueMessage, VisibilityChange } from '../ports/queue-message.js';
import type { Random } from '../ports/random.js';
import { DEADLINE_RESERVE_MS } from './retry-within-invocation.js';
import { changeVisibilityWithRetries } from './visibility-retry.js';

/** A received record, and the backoff after which it is to be worked again. */
export interface Backoff {
  readonly message: QueueMessage;
  readonly delaySeconds: number;
}

export interface BackoffScheduleDeps {
  readonly queue: OrderQueue;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface BackoffScheduleOptions {
  /** The invocation's time left (Lambda's getRemainingTimeInMillis). */
  readonly remainingTimeMs: () => number | undefined;
  /** Whether a record may still be kept in this invocation (its rounds are bounded). */
  readonly mayKeep: boolean;
  /** The time a record needs left to be started at all. */
  readonly minTimeToStartMs: number;
}

/** Records kept in the invocation, with when they are due, and the message ids of those re-sent. */
export interface ScheduledBackoff {
  readonly kept: { readonly message: QueueMessage; readonly dueAt: number }[];
  readonly requeued: string[];
}

/**
 * Backoff through the visibility timeout: each record reappears after its own delay.
 *
 * When the change cannot be made (after the retries of changeVisibilityWithRetries), a record left as it
 * is would wait out the visibility timeout it was received with (6 × the function's timeout) instead of
 * its backoff. So each such record is, in this order of preference:
 * - kept in this invocation, and worked again once its delay is over, when the time left allows that
 *   and still leaves room to work it (minTimeToStartMs) and answer. This needs nothing from SQS,
 *   so it also covers SQS being down; the message stays invisible meanwhile (the invocation holds it),
 *   and the attempt is a real one (the claim counts it), so the category's attempts still bound it;
 * - else re-sent as a copy with the delay as DelaySeconds, and acknowledged: the copy comes back on
 *   time. A duplicate (the copy, and the original if the event source's delete fails) is harmless: the
 *   idempotency record decides what a delivery does. The copy's receive count starts again at 1, so the
 *   queue's maxReceiveCount backstop restarts for it; the category's attempts, kept in the record, do not;
 * - else (SQS refuses the send too) returned to the queue, to come back after the visibility timeout:
 *   then SQS itself is failing, and no message of the queue is received anyway.
 */
export async function scheduleBackoff(
  backoff: readonly Backoff[],
  deps: BackoffScheduleDeps,
  options: BackoffScheduleOptions,
): Promise<ScheduledBackoff> {
  const none = { kept: [], requeued: [] };
  if (backoff.length === 0) return none;
  const changes: VisibilityChange[] = backoff.map(({ message, delaySeconds }) => ({
    receiptHandle: message.receiptHandle,
    timeoutSeconds: delaySeconds,
  }));
  const tools = { clock: deps.clock, random: deps.random, logger: deps.logger, timeLeftMs: options.remainingTimeMs };
  if (await changeVisibilityWithRetries(deps.queue, changes, tools)) return none;

  const now = deps.clock.now();
  const left = options.remainingTimeMs();
  const fits = (delaySeconds: number): boolean =>
    options.mayKeep && left !== undefined && delaySeconds * 1_000 + options.minTimeToStartMs + DEADLINE_RESERVE_MS <= left;
  const kept = backoff
    .filter(({ delaySeconds }) => fits(delaySeconds))
    .map(({ message, delaySeconds }) => ({ message, dueAt: now + delaySeconds * 1_000 }));
  const resend = backoff.filter(({ delaySeconds }) => !fits(delaySeconds));
  const requeued = await requeue(resend, deps);
  const fallbacks = { kept: kept.length, requeued: requeued.length, queueDefault: resend.length - requeued.length };
  for (const [fallback, count] of Object.entries(fallbacks))
    if (count > 0) deps.metrics.add('BackoffFallbacks', count, 'Count', { fallback });
  const level = fallbacks.queueDefault > 0 ? 'warn' : 'info';
  deps.logger[level]('backoff visibility not set; records kept in the invocation or re-sent with the delay', {
    ...fallbacks,
    ...(fallbacks.queueDefault > 0 ? { note: "records neither kept nor re-sent reappear after the queue's visibility timeout" } : {}),
  });
  return { kept, requeued };
}

/** Sends a copy of each record with its backoff as DelaySeconds; returns the message ids whose copy was sent. */
async function requeue(records: readonly Backoff[], deps: BackoffScheduleDeps): Promise<string[]> {
  if (records.length === 0) return [];
  const byEntry = new Map(records.map(({ message }, index) => [`r${index}`, message.messageId]));
  try {
    const result = await deps.queue.send(
      records.map(({ message, delaySeconds }, index) => ({
        id: `r${index}`,
        body: message.body,
        attributes: message.attributes,
        delaySeconds: Math.min(delaySeconds, SQS_MAX_DELAY_SECONDS),
      })),
    );
    return result.sent.flatMap(({ id }) => byEntry.get(id) ?? []);
  } catch (error) {
    deps.logger.warn('could not re-send records whose backoff visibility was not set', {
      messages: records.length,
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}
