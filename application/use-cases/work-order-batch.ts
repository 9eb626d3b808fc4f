import { inject, injectable } from 'inversify';
import { nextDelaySeconds, type BackoffPolicy } from '../../domain/backoff.js';
import { shouldRetry } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError } from '../../domain/errors.js';
import type { ClaimDecision, FailureInfo, OutcomeSummary } from '../../domain/idempotency.js';
import { backoffPolicyOf, type PipelineConfig } from '../config/pipeline-config.js';
import { parseOrderMessage, type OrderEnvelope } from '../orders/order-message.js';
import { parkedMessageOf, toOutboxEntry } from '../events/outbox-events.js';
import { orderFailedEvent, type EventContext } from '../events/pipeline-events.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { QueueMessage } from '../ports/queue-message.js';
import type { Random } from '../ports/random.js';
import { atLeastUntilProbe, openBreakerDelayMs } from '../resilience/breaker-hold.js';
import { CircuitBreakers } from '../resilience/circuit-breakers.js';
import { scheduleBackoff } from '../resilience/backoff-schedule.js';
import { retryWithinInvocation, type RetryTools } from '../resilience/retry-within-invocation.js';
import { mapWithConcurrency } from '../support/concurrency.js';
import { LazyChildLogger } from '../support/lazy-child-logger.js';
import { parkOrLeave } from '../resilience/dead-letter-parking.js';
import { TOKENS } from '../tokens.js';
import { ClaimIdempotency } from './claim-idempotency.js';
import { ProcessOrder } from './process-order.js';
import {
  errorMessage,
  held,
  type Claimed,
  type Done,
  type Pending,
  type RecordOutcome,
  type WorkOrderBatchInput,
  type WorkOrderBatchResult,
} from './batch-records.js';

export type { RecordOutcome, RecordStatus, WorkOrderBatchInput, WorkOrderBatchResult } from './batch-records.js';

/** Below this much invocation time left, a record is not started: it goes back to the queue, visible at once. */
const MIN_TIME_TO_START_MS = 3_000;
/** A guard on the rounds of records kept in the invocation; each is an attempt anyway, so the attempts run out first. */
const MAX_ROUNDS = 20;

/**
 * The worker: per record claim → process → complete. The completion commits the outcome and the events
 * that announce it (the outbox) in one owner-guarded write; the worker never calls the event bus, so an
 * order's fate does not depend on it. Only failed records are reported, so SQS deletes the rest.
 * Categories decide retry (with backoff through the visibility timeout) or parking (to the DLQ with the
 * reason in its attributes, the record PARKED with its OrderFailed event and its message).
 */
@injectable()
export class WorkOrderBatch {
  private readonly backoff: BackoffPolicy;

  constructor(
    @inject(ClaimIdempotency) private readonly claim: ClaimIdempotency,
    @inject(ProcessOrder) private readonly process: ProcessOrder,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.OrderQueue) private readonly queue: OrderQueue,
    @inject(TOKENS.DeadLetterQueue) private readonly dlq: DeadLetterQueue,
    @inject(TOKENS.CircuitBreakers) private readonly breakers: CircuitBreakers,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Random) private readonly random: Random,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {
    this.backoff = backoffPolicyOf(config);
  }

  async execute(input: WorkOrderBatchInput): Promise<WorkOrderBatchResult> {
    this.metrics.add('BatchSize', input.messages.length, 'Count');
    const invocation: WorkOrderBatchInput = { ...input, remainingTimeMs: this.timeLeft(input) };
    const latest = new Map<string, RecordOutcome>();
    let round: readonly Pending[] = input.messages.map((message) => ({ message }));
    for (let rounds = 1; round.length > 0; rounds += 1) {
      const done = await mapWithConcurrency(round, this.config.workerConcurrency, async ({ message, dueAt }) => {
        if (dueAt !== undefined) await this.clock.sleep(Math.max(0, dueAt - this.clock.now()));
        return this.work(message, invocation);
      });
      for (const { done: outcome } of done) {
        latest.set(outcome.messageId, outcome);
        if (outcome.failure !== undefined) this.metrics.add('FailuresByCategory', 1, 'Count', { category: outcome.failure.category });
      }
      const held = await this.holdBack(
        done,
        round.map((pending) => pending.message),
        invocation,
        rounds < MAX_ROUNDS,
      );
      for (const messageId of held.requeued) {
        const outcome = latest.get(messageId);
        if (outcome !== undefined) latest.set(messageId, { ...outcome, status: 'REQUEUED' });
      }
      round = held.kept;
    }
    const outcomes = input.messages.map(
      (message) => latest.get(message.messageId) ?? { messageId: message.messageId, status: 'RETRY' as const },
    );
    return {
      batchItemFailures: outcomes.filter((o) => o.status === 'RETRY' || o.status === 'HELD').map((o) => o.messageId),
      outcomes,
    };
  }

  /**
   * The invocation's time left, never more than the clock says is left of what Lambda reported at the
   * start (the same thing in Lambda; under a manual clock, the time the worker itself slept counts).
   */
  private timeLeft(input: WorkOrderBatchInput): () => number | undefined {
    const atStart = input.remainingTimeMs();
    if (atStart === undefined) return () => undefined;
    const deadlineAt = this.clock.now() + atStart;
    return () => Math.min(input.remainingTimeMs() ?? Number.POSITIVE_INFINITY, deadlineAt - this.clock.now());
  }

  private async work(message: QueueMessage, input: WorkOrderBatchInput): Promise<Done> {
    const remaining = input.remainingTimeMs();
    // Not started, and made visible again at once for another invocation: left as it was, it would wait
    // out the visibility timeout it was received with (6 × the function's timeout).
    if (remaining !== undefined && remaining < MIN_TIME_TO_START_MS)
      return { done: { messageId: message.messageId, status: 'HELD' }, delaySeconds: 0 };
    const blocked = this.openBreakerDelayMs();
    if (blocked !== undefined) return held(message, blocked);

    const parsed = parseOrderMessage(message);
    if (!parsed.ok) {
      this.logger.warn('unreadable order message parked', { messageId: message.messageId, violations: parsed.violations.slice(0, 5) });
      return this.park(message, { category: 'VALIDATION', code: 'MESSAGE.INVALID' }, message.receiveCount);
    }
    const { envelope } = parsed;
    const log = new LazyChildLogger(this.logger, {
      requestId: input.requestId,
      correlationId: envelope.correlationId,
      orderId: envelope.body.order.orderId,
    });
    const ownerToken = `${input.requestId}:${message.messageId}`;
    let decision: ClaimDecision;
    try {
      decision = await this.claim.execute({ envelope, ownerToken, remainingTimeMs: remaining, messageId: message.messageId });
    } catch (error) {
      return this.retryWithoutClaim(message, error, log);
    }
    switch (decision.kind) {
      case 'ALREADY_SUCCEEDED':
        this.metrics.add('DuplicatesSuppressed', 1, 'Count');
        return { done: { messageId: message.messageId, status: 'DUPLICATE' } };
      case 'PARKED':
        // Parked again rather than acknowledged: the record is marked PARKED before the message is sent
        // to the DLQ, and if that send failed this copy is the only one left. A second copy in the DLQ is
        // parked for good by the redrive; an acknowledged one would be lost.
        log.warn('record already PARKED; this copy goes to the dead-letter queue too');
        return this.park(
          message,
          decision.record.lastError ?? { category: 'UNKNOWN', code: 'IDEMPOTENCY.PARKED' },
          decision.record.attempts,
        );
      case 'IN_PROGRESS':
        return {
          done: { messageId: message.messageId, status: 'RETRY' },
          delaySeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
        };
      case 'CONFLICT':
        log.warn('idempotency key reused with a different payload; parked');
        return this.park(message, { category: 'VALIDATION', code: 'IDEMPOTENCY.KEY_REUSED' }, decision.record.attempts);
      case 'PROCEED':
        break;
    }
    const claimed: Claimed = { message, envelope, ownerToken, attempt: decision.attempt };
    let outcome: OutcomeSummary;
    try {
      outcome =
        decision.resumed && decision.record.outcome !== undefined
          ? decision.record.outcome
          : await this.process.execute({ envelope, attempt: decision.attempt });
    } catch (error) {
      return this.fail(claimed, error, log, input);
    }
    return this.complete(claimed, outcome, log, input);
  }

  /**
   * One write commits the outcome and its announcements; the outbox relay delivers them afterwards.
   * A failed write is tried again within the invocation (retry-within-invocation.ts): until it is
   * written, the record keeps this invocation's lease, and every redelivery is answered IN_PROGRESS until
   * the lease runs out, most of the function's timeout later. A write that did go through although its
   * answer was lost fails the next try on its owner condition; the redelivery then finds it SUCCEEDED.
   */
  private async complete(p: Claimed, outcome: OutcomeSummary, log: Logger, input: WorkOrderBatchInput): Promise<Done> {
    const events = this.process.announcements(this.eventContext(p.envelope), outcome).map(toOutboxEntry);
    const written = await retryWithinInvocation(
      () => this.store.complete(p.envelope.idempotencyKey, p.ownerToken, this.clock.now(), outcome, events),
      this.retryTools(input),
    );
    if (written.ok) return { done: { messageId: p.message.messageId, status: 'SUCCEEDED' } };
    const { category, code } = classifyError(written.error);
    log.warn('completion failed; the message returns to the queue', { category, code, tries: written.tries });
    return {
      done: { messageId: p.message.messageId, status: 'RETRY', failure: { category, code } },
      delaySeconds: this.delayFor(p.attempt),
    };
  }

  private async fail(p: Claimed, error: unknown, log: Logger, input: WorkOrderBatchInput): Promise<Done> {
    const { category, code } = classifyError(error);
    const failure: FailureInfo = { category, code };
    const retry = shouldRetry(category, p.attempt);
    log.warn('order attempt failed', { category, code, attempt: p.attempt, retry, error: errorMessage(error) });
    const commit = retry
      ? {}
      : {
          events: [toOutboxEntry(orderFailedEvent(this.eventContext(p.envelope), failure, p.attempt))],
          parkedMessage: parkedMessageOf(p.message.body),
        };
    // Retried as the completion is: until it is written, the record keeps this invocation's lease.
    const written = await retryWithinInvocation(
      () => this.store.fail(p.envelope.idempotencyKey, p.ownerToken, failure, !retry, this.clock.now(), undefined, commit),
      this.retryTools(input),
    );
    if (!written.ok) {
      const stored = classifyError(written.error);
      log.warn('could not record the failure; the message returns to the queue', { category: stored.category, code: stored.code });
      return { done: { messageId: p.message.messageId, status: 'RETRY', failure }, delaySeconds: this.delayFor(p.attempt) };
    }
    if (retry) return { done: { messageId: p.message.messageId, status: 'RETRY', failure }, delaySeconds: this.delayFor(p.attempt) };
    return this.park(p.message, failure, p.attempt);
  }

  private retryTools(input: WorkOrderBatchInput): RetryTools {
    return { clock: this.clock, random: this.random, timeLeftMs: input.remainingTimeMs };
  }

  private retryWithoutClaim(message: QueueMessage, error: unknown, log: Logger): Done {
    if (error instanceof CircuitOpenError) return held(message, error.retryAfterMs);
    const { category, code } = classifyError(error);
    log.warn('idempotency claim failed; the message returns to the queue', { category, code });
    return {
      done: { messageId: message.messageId, status: 'RETRY', failure: { category, code } },
      delaySeconds: this.delayFor(message.receiveCount),
    };
  }

  private async park(message: QueueMessage, failure: FailureInfo, attempts: number): Promise<Done> {
    const parked = await parkOrLeave(this.dlq, this.logger, message, failure, attempts);
    return { done: { messageId: message.messageId, status: parked ? 'PARKED' : 'RETRY', failure } };
  }

  /** How long to hold records back when a dependency the worker needs has an open breaker. */
  private openBreakerDelayMs(): number | undefined {
    // Only DynamoDB: the worker never calls the event bus (its events go through the outbox).
    return openBreakerDelayMs(this.breakers, ['dynamodb']);
  }

  private delayFor(attempt: number): number {
    // The visibility timeout carries no state, so the previous delay is unknown here (see nextDelaySeconds).
    return nextDelaySeconds(this.backoff, attempt, undefined, () => this.random.next());
  }

  private eventContext(envelope: OrderEnvelope): EventContext {
    return {
      source: this.config.eventSource,
      idempotencyKey: envelope.idempotencyKey,
      orderId: envelope.body.order.orderId,
      correlationId: envelope.correlationId,
      now: this.clock.now(),
    };
  }

  /**
   * Backoff through the visibility timeout: each failed record (RETRY, or HELD behind a breaker this batch
   * opened, until its probe: breaker-hold.ts) reappears after its own delay; when the change cannot be
   * made, scheduleBackoff keeps the record in the invocation or re-sends it with its delay.
   */
  private async holdBack(
    steps: readonly Done[],
    messages: readonly QueueMessage[],
    input: WorkOrderBatchInput,
    mayKeep: boolean,
  ): Promise<{ kept: Pending[]; requeued: string[] }> {
    const openMs = this.openBreakerDelayMs();
    const backoff = steps.flatMap((step) => {
      const message = messages.find((m) => m.messageId === step.done.messageId);
      const delaySeconds = atLeastUntilProbe(step.delaySeconds, openMs);
      if (message === undefined || delaySeconds === undefined) return [];
      if (step.done.status !== 'RETRY' && step.done.status !== 'HELD') return [];
      return [{ message, delaySeconds }];
    });
    const deps = { queue: this.queue, clock: this.clock, random: this.random, logger: this.logger, metrics: this.metrics };
    return scheduleBackoff(backoff, deps, { remainingTimeMs: input.remainingTimeMs, mayKeep, minTimeToStartMs: MIN_TIME_TO_START_MS });
  }
}
