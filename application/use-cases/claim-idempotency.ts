import { inject, injectable } from 'inversify';
import { leaseDurationMs, type ClaimDecision } from '../../domain/idempotency.js';
import type { PipelineConfig } from '../config.js';
import type { OrderEnvelope } from '../order-message.js';
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
}

/** One conditional write: the decision of a duplicate costs no extra read. */
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
    const decision = await this.store.claim({
      key: envelope.idempotencyKey,
      payloadHash: envelope.body.payloadHash,
      ownerToken: input.ownerToken,
      now: this.clock.now(),
      leaseMs: leaseDurationMs(input.remainingTimeMs),
      ttlSeconds: this.config.idempotencyTtlSeconds,
      orderId: envelope.body.order.orderId,
      correlationId: envelope.correlationId,
    });
    this.metrics.add(decision.kind === 'PROCEED' ? 'IdempotencyMiss' : 'IdempotencyHit', 1, 'Count');
    return decision;
  }
}
