import { inject, injectable } from 'inversify';
import { errorForCategory } from '../../domain/errors.js';
import { shouldRetry } from '../../domain/error-category.js';
import type { FailureInfo, OutcomeSummary } from '../../domain/idempotency.js';
import type { OrderEnvelope } from '../order-message.js';
import { orderProcessedEvent } from '../pipeline-events.js';
import type { PipelineConfig } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import { TOKENS } from '../tokens.js';
import { ProcessOrder } from './process-order.js';
import { PublishOrderEvents } from './publish-order-events.js';

export interface ClaimedOrder {
  readonly envelope: OrderEnvelope;
  readonly ownerToken: string;
  readonly attempt: number;
  /** The outcome a previous attempt recorded, if any: the business step is then not run again. */
  readonly recordedOutcome?: OutcomeSummary;
}

/**
 * The processor step of the orchestrated topology: the business step, then its outcome recorded under
 * the claim. Separate functions do not share memory, so the outcome is made durable before the events
 * step runs (the composed worker instead commits it with the completion).
 */
@injectable()
export class ProcessClaimedOrder {
  constructor(
    @inject(ProcessOrder) private readonly process: ProcessOrder,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async execute(input: ClaimedOrder): Promise<OutcomeSummary> {
    if (input.recordedOutcome !== undefined) return input.recordedOutcome;
    const outcome = await this.process.execute({ envelope: input.envelope, attempt: input.attempt });
    await this.store.recordOutcome(input.envelope.idempotencyKey, input.ownerToken, outcome, this.clock.now());
    return outcome;
  }
}

/** The events step of the orchestrated topology: announce the outcome, then complete the claim. */
@injectable()
export class AnnounceProcessedOrder {
  constructor(
    @inject(PublishOrderEvents) private readonly events: PublishOrderEvents,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(input: ClaimedOrder & { readonly outcome: OutcomeSummary }): Promise<{ readonly eventId: string }> {
    const { envelope } = input;
    const event = orderProcessedEvent({
      source: this.config.eventSource,
      idempotencyKey: envelope.idempotencyKey,
      orderId: envelope.body.order.orderId,
      correlationId: envelope.correlationId,
      now: this.clock.now(),
    }, input.outcome);
    const result = await this.events.execute([event]);
    const failed = result.failed[0];
    if (failed !== undefined) throw errorForCategory(failed.category, 'OrderProcessed event not delivered', { code: failed.code });
    await this.store.complete(envelope.idempotencyKey, input.ownerToken, this.clock.now(), input.outcome);
    return { eventId: event.eventId };
  }
}

/** What the workflow does after a failed step released its claim. */
export type ReleaseVerdict = 'RETRY' | 'PARK';

export interface ReleaseResult {
  readonly verdict: ReleaseVerdict;
  /** The failure recorded on the claim; a PARK carries it into the DLQ message's attributes. */
  readonly failure: FailureInfo;
}

/**
 * The release step of the orchestrated topology, reached through a Catch whenever the processor or the
 * events step failed. It records the failure on the claim at once, as the composed worker does: the
 * record shows the category (the DLQ analysis reads it), the lease is released rather than left to
 * expire, an outcome already recorded is kept, and the category decides whether the order is retried
 * (the execution fails and the queue redelivers the record) or parked (the record is PARKED, then the
 * workflow sends the message to the DLQ; should that send fail, the redelivered copy finds the record
 * PARKED and is parked again, so the order is never acknowledged without reaching the DLQ).
 */
@injectable()
export class ReleaseFailedClaim {
  constructor(
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { readonly envelope: OrderEnvelope; readonly ownerToken: string; readonly attempt: number; readonly failure: FailureInfo }): Promise<ReleaseResult> {
    const retry = shouldRetry(input.failure.category, input.attempt);
    await this.store.fail(input.envelope.idempotencyKey, input.ownerToken, input.failure, !retry, this.clock.now());
    return { verdict: retry ? 'RETRY' : 'PARK', failure: input.failure };
  }
}
