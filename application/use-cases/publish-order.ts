import { inject, injectable } from 'inversify';
import { errorForCategory } from '../../domain/errors.js';
import { DEFAULT_ACCEPT_LEASE_MS, type ReservationDecision } from '../../domain/idempotency-reservation.js';
import type { Order } from '../../domain/order.js';
import type { PipelineConfig } from '../config.js';
import type { FailureSimulation } from '../failure-simulation.js';
import { orderMessageAttributes, SCHEMA_VERSION, type OrderEnvelope } from '../order-message.js';
import { orderPublishedEvent } from '../pipeline-events.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import { fingerprint } from '../services/fingerprint.js';
import { TOKENS } from '../tokens.js';

export interface PublishOrderInput {
  readonly order: Order;
  readonly correlationId: string;
  /** The client's Idempotency-Key header, if it sent one. */
  readonly idempotencyKey?: string;
  readonly simulation?: FailureSimulation;
}

export type PublishOrderResult =
  | { readonly kind: 'PUBLISHED'; readonly messageId: string; readonly idempotencyKey: string; readonly payloadHash: string }
  /** The key was reserved before: nothing was sent; the reservation's answer says why (key reused, duplicate, in progress). */
  | { readonly kind: 'KNOWN'; readonly idempotencyKey: string; readonly payloadHash: string; readonly known: Exclude<ReservationDecision, { kind: 'RESERVED' }> };

// The answer for a key reserved before lives apart, so that the orchestrated edge gives it without this use case.
export { knownAnswer, type KnownOrderAnswer } from '../services/known-order-answer.js';

/** Derives the idempotency key and the payload fingerprint the whole pipeline uses. */
export function orderIdentity(order: Order, clientKey: string | undefined): { idempotencyKey: string; payloadHash: string } {
  const payloadHash = fingerprint(order);
  return { payloadHash, idempotencyKey: clientKey ?? `order-${payloadHash.slice(0, 40)}` };
}

/**
 * Reserves the order's key and payload fingerprint (one conditional write: first accepted wins), then
 * puts the validated order on the order queue with the attributes every later step relies on. A store
 * that cannot answer fails the request (503): accepting without the reservation would break the promise.
 */
@injectable()
export class PublishOrder {
  constructor(
    @inject(TOKENS.OrderQueue) private readonly queue: OrderQueue,
    @inject(TOKENS.EventBus) private readonly events: EventBus,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(input: PublishOrderInput): Promise<PublishOrderResult> {
    const { idempotencyKey, payloadHash } = orderIdentity(input.order, input.idempotencyKey);
    const now = this.clock.now();
    const reservation = await this.store.reserve({
      key: idempotencyKey, payloadHash, now, acceptLeaseMs: DEFAULT_ACCEPT_LEASE_MS, ttlSeconds: this.config.idempotencyTtlSeconds,
      orderId: input.order.orderId, correlationId: input.correlationId,
    });
    if (reservation.kind !== 'RESERVED') {
      this.metrics.add('DuplicatesSuppressed', 1, 'Count');
      return { kind: 'KNOWN', idempotencyKey, payloadHash, known: reservation };
    }
    const envelope: OrderEnvelope = {
      idempotencyKey,
      correlationId: input.correlationId,
      body: {
        schemaVersion: SCHEMA_VERSION,
        order: input.order,
        payloadHash,
        acceptedAt: now,
        ...(input.simulation === undefined ? {} : { simulate: input.simulation }),
      },
    };
    const result = await this.queue.send([{ id: 'order', body: JSON.stringify(envelope.body), attributes: orderMessageAttributes(envelope) }]);
    const sent = result.sent[0];
    if (sent === undefined) {
      const failure = result.failed[0];
      throw errorForCategory(failure?.category ?? 'UNKNOWN', failure?.message ?? 'order was not enqueued', { code: failure?.code ?? 'SQS.SEND_FAILED' });
    }
    this.metrics.add('OrdersAccepted', 1, 'Count');
    await this.announce(envelope, sent.messageId, now);
    return { kind: 'PUBLISHED', messageId: sent.messageId, idempotencyKey, payloadHash };
  }

  /** The order is safely queued; a lost announcement must not turn into a failed request, so it is logged. */
  private async announce(envelope: OrderEnvelope, messageId: string, now: number): Promise<void> {
    const context = {
      source: this.config.eventSource,
      idempotencyKey: envelope.idempotencyKey,
      orderId: envelope.body.order.orderId,
      correlationId: envelope.correlationId,
      now,
    };
    try {
      const outcome = await this.events.publish([orderPublishedEvent(context, messageId)]);
      if (outcome.failed.length > 0) this.logger.warn('OrderPublished event not delivered', { orderId: context.orderId, code: outcome.failed[0]?.code });
    } catch (error) {
      this.logger.warn('OrderPublished event not delivered', { orderId: context.orderId, error: String(error) });
    }
  }
}
