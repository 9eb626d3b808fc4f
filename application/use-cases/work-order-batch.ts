import { inject, injectable } from 'inversify';
import { nextDelaySeconds, type BackoffPolicy } from '../../domain/backoff.js';
import { shouldRetry } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError, errorForCategory } from '../../domain/errors.js';
import type { ClaimDecision, FailureInfo, OutcomeSummary } from '../../domain/idempotency.js';
import { backoffPolicyOf, type PipelineConfig } from '../config.js';
import { parseOrderMessage, type OrderEnvelope } from '../order-message.js';
import { orderFailedEvent, orderProcessedEvent, type EventContext } from '../pipeline-events.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { QueueMessage, VisibilityChange } from '../ports/queue-message.js';
import type { Random } from '../ports/random.js';
import type { PipelineEvent } from '../ports/event-bus.js';
import { atLeastUntilProbe, holdSeconds, openBreakerDelayMs } from '../resilience/breaker-hold.js';
import { CircuitBreakers } from '../resilience/circuit-breakers.js';
import { mapWithConcurrency } from '../services/concurrency.js';
import { parkInDeadLetterQueue } from '../services/dead-letter-parking.js';
import { TOKENS } from '../tokens.js';
import { ClaimIdempotency } from './claim-idempotency.js';
import { ProcessOrder } from './process-order.js';
import { PublishOrderEvents } from './publish-order-events.js';

export interface WorkOrderBatchInput {
  readonly messages: readonly QueueMessage[];
  readonly requestId: string;
  /** Invocation time left (Lambda's getRemainingTimeInMillis); undefined outside Lambda. */
  readonly remainingTimeMs: () => number | undefined;
}

export type RecordStatus = 'SUCCEEDED' | 'DUPLICATE' | 'PARKED' | 'RETRY' | 'HELD';

export interface RecordOutcome {
  readonly messageId: string;
  readonly status: RecordStatus;
  readonly failure?: FailureInfo;
}

export interface WorkOrderBatchResult {
  /** Message ids to return to the queue: the SQS partial batch response. */
  readonly batchItemFailures: readonly string[];
  readonly outcomes: readonly RecordOutcome[];
}

/** A message whose business step succeeded and whose events and completion are still to come. */
interface Pending {
  readonly message: QueueMessage;
  readonly envelope: OrderEnvelope;
  readonly ownerToken: string;
  readonly attempt: number;
  readonly outcome: OutcomeSummary;
}

interface Done { readonly done: RecordOutcome; readonly delaySeconds?: number }
type Step = Done | { readonly pending: Pending };

/** Below this much invocation time left, a record is not started: it goes back to the queue untouched. */
const MIN_TIME_TO_START_MS = 3_000;

/**
 * The worker: per record claim → process; then one batched publish of the events; then completion.
 * Only failed records are reported, so SQS deletes the rest. Categories decide retry (with backoff
 * through the visibility timeout) or parking (to the DLQ with the reason in its attributes).
 */
@injectable()
export class WorkOrderBatch {
  private readonly backoff: BackoffPolicy;

  constructor(
    @inject(ClaimIdempotency) private readonly claim: ClaimIdempotency,
    @inject(ProcessOrder) private readonly process: ProcessOrder,
    @inject(PublishOrderEvents) private readonly events: PublishOrderEvents,
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
    const failedEvents: PipelineEvent[] = [];
    const steps = await mapWithConcurrency(input.messages, this.config.workerConcurrency, (message) =>
      this.begin(message, input, failedEvents));
    const pending = steps.flatMap((step) => ('pending' in step ? [step.pending] : []));
    const finished = await this.finish(pending, failedEvents, input.requestId);
    const done: Done[] = [...steps.flatMap((step) => ('done' in step ? [step] : [])), ...finished];
    await this.publishBestEffort(failedEvents);
    await this.holdBack(done, input.messages);
    for (const { done: outcome } of done) {
      if (outcome.failure !== undefined) this.metrics.add('FailuresByCategory', 1, 'Count', { category: outcome.failure.category });
    }
    const outcomes = input.messages.map((message) => done.find((step) => step.done.messageId === message.messageId)?.done
      ?? { messageId: message.messageId, status: 'RETRY' as const });
    return {
      batchItemFailures: outcomes.filter((o) => o.status === 'RETRY' || o.status === 'HELD').map((o) => o.messageId),
      outcomes,
    };
  }

  private async begin(message: QueueMessage, input: WorkOrderBatchInput, failedEvents: PipelineEvent[]): Promise<Step> {
    const remaining = input.remainingTimeMs();
    if (remaining !== undefined && remaining < MIN_TIME_TO_START_MS) return held(message, 0);
    const blocked = this.openBreakerDelayMs();
    if (blocked !== undefined) return held(message, blocked);

    const parsed = parseOrderMessage(message);
    if (!parsed.ok) {
      this.logger.warn('unreadable order message parked', { messageId: message.messageId, violations: parsed.violations.slice(0, 5) });
      return this.park(message, { category: 'VALIDATION', code: 'MESSAGE.INVALID' }, message.receiveCount);
    }
    const { envelope } = parsed;
    const log = this.logger.child({ requestId: input.requestId, correlationId: envelope.correlationId, orderId: envelope.body.order.orderId });
    const ownerToken = `${input.requestId}:${message.messageId}`;
    let decision: ClaimDecision;
    try {
      decision = await this.claim.execute({ envelope, ownerToken, remainingTimeMs: remaining });
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
        return this.park(message, decision.record.lastError ?? { category: 'UNKNOWN', code: 'IDEMPOTENCY.PARKED' }, decision.record.attempts);
      case 'IN_PROGRESS':
        return { done: { messageId: message.messageId, status: 'RETRY' }, delaySeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) };
      case 'CONFLICT':
        log.warn('idempotency key reused with a different payload; parked');
        return this.park(message, { category: 'VALIDATION', code: 'IDEMPOTENCY.KEY_REUSED' }, decision.record.attempts);
      case 'PROCEED':
        break;
    }
    try {
      const outcome = decision.resumed && decision.record.outcome !== undefined
        ? decision.record.outcome
        : await this.process.execute({ envelope, attempt: decision.attempt });
      return { pending: { message, envelope, ownerToken, attempt: decision.attempt, outcome } };
    } catch (error) {
      return this.fail({ message, envelope, ownerToken, attempt: decision.attempt }, error, undefined, failedEvents, log);
    }
  }

  /** One batched publish for the whole batch, then each record is completed or failed. */
  private async finish(pending: readonly Pending[], failedEvents: PipelineEvent[], requestId: string): Promise<Done[]> {
    if (pending.length === 0) return [];
    const events = pending.map((p) => orderProcessedEvent(this.eventContext(p.envelope), p.outcome));
    let failedIds = new Map<string, unknown>();
    try {
      const result = await this.events.execute(events);
      failedIds = new Map(result.failed.map((f) => [f.event.eventId, errorForCategory(f.category, 'event not delivered', { code: f.code })]));
    } catch (error) {
      failedIds = new Map(events.map((event) => [event.eventId, error]));
    }
    return mapWithConcurrency(pending, this.config.workerConcurrency, async (p, index) => {
      const log = this.logger.child({ requestId, correlationId: p.envelope.correlationId, orderId: p.envelope.body.order.orderId });
      const eventId = events[index]?.eventId ?? '';
      if (failedIds.has(eventId)) return this.fail(p, failedIds.get(eventId), p.outcome, failedEvents, log);
      try {
        await this.store.complete(p.envelope.idempotencyKey, p.ownerToken, this.clock.now(), p.outcome);
        return { done: { messageId: p.message.messageId, status: 'SUCCEEDED' as const } };
      } catch (error) {
        const { category, code } = classifyError(error);
        log.warn('completion failed; the message returns to the queue', { category, code });
        return { done: { messageId: p.message.messageId, status: 'RETRY' as const, failure: { category, code } }, delaySeconds: this.delayFor(p.attempt) };
      }
    });
  }

  private async fail(
    p: Omit<Pending, 'outcome'>, error: unknown, outcome: OutcomeSummary | undefined, failedEvents: PipelineEvent[], log: Logger,
  ): Promise<Done> {
    const { category, code } = classifyError(error);
    const failure: FailureInfo = { category, code };
    const retry = shouldRetry(category, p.attempt);
    log.warn('order attempt failed', { category, code, attempt: p.attempt, retry, error: errorMessage(error) });
    try {
      await this.store.fail(p.envelope.idempotencyKey, p.ownerToken, failure, !retry, this.clock.now(), outcome);
    } catch (storeError) {
      const stored = classifyError(storeError);
      log.warn('could not record the failure; the message returns to the queue', { category: stored.category, code: stored.code });
      return { done: { messageId: p.message.messageId, status: 'RETRY', failure }, delaySeconds: this.delayFor(p.attempt) };
    }
    if (retry) return { done: { messageId: p.message.messageId, status: 'RETRY', failure }, delaySeconds: this.delayFor(p.attempt) };
    failedEvents.push(orderFailedEvent(this.eventContext(p.envelope), failure, p.attempt));
    return this.park(p.message, failure, p.attempt);
  }

  private retryWithoutClaim(message: QueueMessage, error: unknown, log: Logger): Done {
    if (error instanceof CircuitOpenError) return held(message, error.retryAfterMs);
    const { category, code } = classifyError(error);
    log.warn('idempotency claim failed; the message returns to the queue', { category, code });
    return { done: { messageId: message.messageId, status: 'RETRY', failure: { category, code } }, delaySeconds: this.delayFor(message.receiveCount) };
  }

  private async park(message: QueueMessage, failure: FailureInfo, attempts: number): Promise<Done> {
    try {
      if (await parkInDeadLetterQueue(this.dlq, message, failure, attempts)) {
        return { done: { messageId: message.messageId, status: 'PARKED', failure } };
      }
    } catch (error) {
      this.logger.warn('dead-letter queue refused a parked message; it stays on the order queue', { messageId: message.messageId, error: errorMessage(error) });
    }
    return { done: { messageId: message.messageId, status: 'RETRY', failure } };
  }

  /** How long to hold records back when a dependency the worker needs has an open breaker. */
  private openBreakerDelayMs(): number | undefined {
    return openBreakerDelayMs(this.breakers, ['dynamodb', 'eventbridge']);
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

  private async publishBestEffort(events: readonly PipelineEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const result = await this.events.execute(events);
      if (result.failed.length > 0) this.logger.warn('failure events not delivered', { count: result.failed.length });
    } catch (error) {
      this.logger.warn('failure events not delivered', { error: errorMessage(error) });
    }
  }

  /** Backoff through the visibility timeout: each failed record reappears after its own delay. */
  private async holdBack(steps: readonly Done[], messages: readonly QueueMessage[]): Promise<void> {
    // A breaker this batch opened holds its failed records too, until the probe (breaker-hold.ts).
    const openMs = this.openBreakerDelayMs();
    const changes: VisibilityChange[] = steps.flatMap((step) => {
      const message = messages.find((m) => m.messageId === step.done.messageId);
      const delaySeconds = atLeastUntilProbe(step.delaySeconds, openMs);
      if (message === undefined || delaySeconds === undefined) return [];
      if (step.done.status !== 'RETRY' && step.done.status !== 'HELD') return [];
      return [{ receiptHandle: message.receiptHandle, timeoutSeconds: delaySeconds }];
    });
    if (changes.length === 0) return;
    try {
      await this.queue.changeVisibility(changes);
    } catch (error) {
      this.logger.warn('could not set backoff visibility; messages reappear after the queue default', { error: errorMessage(error) });
    }
  }
}

function held(message: QueueMessage, retryAfterMs: number): Done {
  return {
    done: { messageId: message.messageId, status: 'HELD' },
    ...(retryAfterMs > 0 ? { delaySeconds: holdSeconds(retryAfterMs) } : {}),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
