import { inject, injectable } from 'inversify';
import { nextDelaySeconds } from '../../domain/backoff.js';
import { shouldRetry } from '../../domain/error-category.js';
import type { FailureInfo, OutcomeSummary } from '../../domain/idempotency.js';
import type { OrderEnvelope } from '../orders/order-message.js';
import { parkedMessageOf, toOutboxEntry } from '../events/outbox-events.js';
import { orderFailedEvent, type EventContext } from '../events/pipeline-events.js';
import { backoffPolicyOf, type PipelineConfig } from '../config/pipeline-config.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Metrics } from '../ports/metrics.js';
import type { Random } from '../ports/random.js';
import { TOKENS } from '../tokens.js';
import { ProcessOrder } from './process-order.js';

export interface ClaimedOrder {
  readonly envelope: OrderEnvelope;
  readonly ownerToken: string;
  readonly attempt: number;
  /** The outcome a previous attempt recorded, if any: the business step is then not run again. */
  readonly recordedOutcome?: OutcomeSummary;
}

/**
 * The processor step of the orchestrated topology: the business step, then the completion that commits
 * its outcome and the events announcing it (the outbox) in one owner-guarded write, as the composed
 * worker does. The workflow ends here: no step calls the event bus; the outbox relay delivers.
 */
@injectable()
export class ProcessClaimedOrder {
  constructor(
    @inject(ProcessOrder) private readonly process: ProcessOrder,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(input: ClaimedOrder): Promise<OutcomeSummary> {
    const outcome = input.recordedOutcome ?? (await this.process.execute({ envelope: input.envelope, attempt: input.attempt }));
    const events = this.process.announcements(eventContextOf(input.envelope, this.config, this.clock.now()), outcome).map(toOutboxEntry);
    await this.store.complete(input.envelope.idempotencyKey, input.ownerToken, this.clock.now(), outcome, events);
    return outcome;
  }
}

/** What the workflow does after a failed step released its claim: retry through the queue after a backoff, or park. */
export type ReleaseResult =
  | {
      readonly verdict: 'RETRY';
      readonly failure: FailureInfo;
      /**
       * How long the queue should hold the message back before it is delivered again: the delay the composed
       * worker would set for this attempt (the same backoff policy, the same bounds), which the workflow
       * applies to the message's visibility before the execution fails.
       */
      readonly delaySeconds: number;
    }
  | {
      readonly verdict: 'PARK';
      /** The failure recorded on the claim; a PARK carries it into the DLQ message's attributes. */
      readonly failure: FailureInfo;
    };

/**
 * The release step of the orchestrated topology, reached through a Catch whenever the processor or the
 * events step failed. It records the failure on the claim at once, as the composed worker does: the
 * record shows the category (the DLQ analysis reads it), the lease is released rather than left to
 * expire, an outcome already recorded is kept, and the category decides whether the order is retried
 * (the execution fails and the queue redelivers the record after the backoff delay the verdict carries,
 * drawn as the worker draws it) or parked (the record is PARKED, then the
 * workflow sends the message to the DLQ; should that send fail, the redelivered copy finds the record
 * PARKED and is parked again, so the order is never acknowledged without reaching the DLQ).
 */
@injectable()
export class ReleaseFailedClaim {
  constructor(
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.Random) private readonly random: Random,
  ) {}

  async execute(input: {
    readonly envelope: OrderEnvelope;
    readonly messageBody: string;
    readonly ownerToken: string;
    readonly attempt: number;
    readonly failure: FailureInfo;
  }): Promise<ReleaseResult> {
    const retry = shouldRetry(input.failure.category, input.attempt);
    const now = this.clock.now();
    // A park commits its OrderFailed event and keeps the message for a replay, as the worker's does.
    const commit = retry
      ? {}
      : {
          events: [toOutboxEntry(orderFailedEvent(eventContextOf(input.envelope, this.config, now), input.failure, input.attempt))],
          parkedMessage: parkedMessageOf(input.messageBody),
        };
    await this.store.fail(input.envelope.idempotencyKey, input.ownerToken, input.failure, !retry, now, undefined, commit);
    // Counted as the composed worker counts each failed attempt, so /metrics reads alike in both topologies.
    this.metrics.add('FailuresByCategory', 1, 'Count', { category: input.failure.category });
    if (!retry) return { verdict: 'PARK', failure: input.failure };
    // As the worker's delayFor: the visibility timeout carries no state, so the previous delay is unknown.
    const delaySeconds = nextDelaySeconds(backoffPolicyOf(this.config), input.attempt, undefined, () => this.random.next());
    return { verdict: 'RETRY', failure: input.failure, delaySeconds };
  }
}

function eventContextOf(envelope: OrderEnvelope, config: PipelineConfig, now: number): EventContext {
  return {
    source: config.eventSource,
    idempotencyKey: envelope.idempotencyKey,
    orderId: envelope.body.order.orderId,
    correlationId: envelope.correlationId,
    now,
  };
}
