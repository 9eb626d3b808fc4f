import { inject, injectable } from 'inversify';
import type { ClaimDecision } from '../../domain/idempotency.js';
import { leaseDurationMs } from '../../domain/lease.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import type { OrderEnvelope } from '../orders/order-message.js';
import { toOutboxEntry } from '../events/outbox-events.js';
import { orderPublishedEvent } from '../events/pipeline-events.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';

export interface ClaimIdempotencyInput {
  readonly envelope: OrderEnvelope;
  /** Unique per attempt and traceable: `<requestId>:<messageId>`. */
  readonly ownerToken: string;
  /** Invocation time left; the lease ends before the invocation does (see leaseDurationMs). */
  readonly remainingTimeMs: number | undefined;
  /** The SQS message id of the copy being claimed: OrderPublished names it. */
  readonly messageId: string;
}

/**
 * One conditional write: the decision of a duplicate costs no extra read. The order's first claim also
 * commits OrderPublished to the record's outbox in that write (the message reached a worker, so it was
 * queued; an order never queued is never announced). Its time is that commit's, as every outbox entry's is
 * (the redelivery's sweep age counts from it, so a claim made long after acceptance is not swept from under
 * the pipe); the edge's acceptance time is in its detail (`acceptedAt`). Its eventId is deterministic, so a
 * re-claim or another copy never adds it twice.
 */
@injectable()
export class ClaimIdempotency {
  constructor(
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(input: ClaimIdempotencyInput): Promise<ClaimDecision> {
    const { envelope } = input;
    const now = this.clock.now();
    const published = orderPublishedEvent(
      {
        source: this.config.eventSource,
        idempotencyKey: envelope.idempotencyKey,
        orderId: envelope.body.order.orderId,
        correlationId: envelope.correlationId,
        now,
      },
      input.messageId,
      envelope.body.acceptedAt,
    );
    const decision = await this.store.claim({
      key: envelope.idempotencyKey,
      payloadHash: envelope.body.payloadHash,
      ownerToken: input.ownerToken,
      now,
      leaseMs: leaseDurationMs(input.remainingTimeMs),
      ttlSeconds: this.config.idempotencyTtlSeconds,
      orderId: envelope.body.order.orderId,
      correlationId: envelope.correlationId,
      published: toOutboxEntry(published),
    });
    this.metrics.add(decision.kind === 'PROCEED' ? 'IdempotencyMiss' : 'IdempotencyHit', 1, 'Count');
    return decision;
  }
}
