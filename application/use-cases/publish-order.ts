import { inject, injectable } from 'inversify';
import { classifyError } from '../../domain/error-classifier.js';
import { errorForCategory } from '../../domain/errors.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';
import type { Order } from '../../domain/order.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import type { FailureSimulation } from '../orders/failure-simulation.js';
import { orderMessageAttributes, SCHEMA_VERSION, type OrderEnvelope } from '../orders/order-message.js';
import { MAX_PARKED_BODY_BYTES } from '../events/outbox-events.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { Random } from '../ports/random.js';
import { retryWithinInvocation } from '../resilience/retry-within-invocation.js';
import { fingerprint } from '../orders/fingerprint.js';
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
  | {
      readonly kind: 'KNOWN';
      readonly idempotencyKey: string;
      readonly payloadHash: string;
      readonly known: Exclude<ReservationDecision, { kind: 'RESERVED' }>;
    };

// The answer for a key reserved before lives apart, so that the orchestrated edge gives it without this use case.
export { knownAnswer, type KnownOrderAnswer } from '../orders/known-order-answer.js';

/** Derives the idempotency key and the payload fingerprint the whole pipeline uses. */
export function orderIdentity(order: Order, clientKey: string | undefined): { idempotencyKey: string; payloadHash: string } {
  const payloadHash = fingerprint(order);
  return { payloadHash, idempotencyKey: clientKey ?? `order-${payloadHash.slice(0, 40)}` };
}

/** The most of an order message a reservation keeps for the sweep, as for a parked message: records stop at 400 KB. */
export const MAX_PENDING_MESSAGE_BYTES = MAX_PARKED_BODY_BYTES;

/**
 * Reserves the order's key and payload fingerprint (one conditional write: first accepted wins), then
 * puts the validated order on the order queue with the attributes every later step relies on. A store
 * that cannot answer fails the request (503): accepting without the reservation would break the promise.
 *
 * No reservation without its message: the reservation keeps the message until a worker claims it, and a
 * failed send releases the reservation this request wrote (owner-guarded) before answering 503, so the
 * client's retry is queued at once instead of being told IN_PROGRESS for the lease. Should the release
 * fail too (or the edge die between the write and the send), the scheduled sweep
 * (`ResolveStrandedReservations`) sends or releases it once its lease has run out. OrderPublished is not
 * sent from here: the worker's first claim commits it to the outbox (the message was queued).
 */
@injectable()
export class PublishOrder {
  constructor(
    @inject(TOKENS.OrderQueue) private readonly queue: OrderQueue,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
    @inject(TOKENS.Random) private readonly random: Random,
  ) {}

  async execute(input: PublishOrderInput): Promise<PublishOrderResult> {
    const { idempotencyKey, payloadHash } = orderIdentity(input.order, input.idempotencyKey);
    const now = this.clock.now();
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
    const body = JSON.stringify(envelope.body);
    // A failed reservation or send is tried again within the request (retryWithinInvocation: 4 calls in
    // all, full jitter, at most 1.4 s of waiting, retryable failures only, each through its breaker): a 503
    // costs the client a round trip and its own pause, and a failed send a release and a new reservation.
    // A reservation retried after its answer was lost is recognised as this request's own.
    const tools = { clock: this.clock, random: this.random, timeLeftMs: () => undefined };
    const reserved = await retryWithinInvocation(
      () =>
        this.store.reserve({
          key: idempotencyKey,
          payloadHash,
          now,
          acceptLeaseMs: this.config.acceptLeaseMs,
          ttlSeconds: this.config.idempotencyTtlSeconds,
          orderId: input.order.orderId,
          correlationId: input.correlationId,
          ...(encoder.encode(body).length <= MAX_PENDING_MESSAGE_BYTES ? { message: body } : {}),
        }),
      tools,
    );
    if (!reserved.ok) {
      if (!this.buffersThrough(reserved.error)) throw reserved.error;
      return this.sendUnreserved(envelope, body, idempotencyKey, payloadHash, reserved.error);
    }
    const reservation: ReservationDecision = reserved.value;
    if (reservation.kind !== 'RESERVED') {
      this.metrics.add('DuplicatesSuppressed', 1, 'Count');
      return { kind: 'KNOWN', idempotencyKey, payloadHash, known: reservation };
    }
    const sending = await retryWithinInvocation(async () => {
      const result = await this.queue.send([{ id: 'order', body, attributes: orderMessageAttributes(envelope) }]);
      const sent = result.sent[0];
      if (sent !== undefined) return sent;
      const failure = result.failed[0];
      throw errorForCategory(failure?.category ?? 'UNKNOWN', failure?.message ?? 'order was not enqueued', {
        code: failure?.code ?? 'SQS.SEND_FAILED',
      });
    }, tools);
    if (!sending.ok) {
      await this.release(reservation.record);
      throw sending.error;
    }
    const sent = sending.value;
    this.metrics.add('OrdersAccepted', 1, 'Count');
    return { kind: 'PUBLISHED', messageId: sent.messageId, idempotencyKey, payloadHash };
  }

  /** In `buffer` mode, a store that is down (not one that refused) lets the order through unreserved. */
  private buffersThrough(error: unknown): boolean {
    if (this.config.storeOutageMode !== 'buffer') return false;
    const { category } = classifyError(error);
    return RETRY_POLICIES[category].tripsBreaker;
  }

  /**
   * `buffer` mode while the store cannot answer: the queue buffers the order and the worker's claim makes
   * its record once the store is back. Nothing is reserved, so nothing needs releasing if the send fails
   * (503 as in strict mode); a duplicate or a conflicting re-post is told apart only by the worker.
   */
  private async sendUnreserved(
    envelope: OrderEnvelope,
    body: string,
    idempotencyKey: string,
    payloadHash: string,
    cause: unknown,
  ): Promise<PublishOrderResult> {
    const result = await this.queue.send([{ id: 'order', body, attributes: orderMessageAttributes(envelope) }]);
    const sent = result.sent[0];
    if (sent === undefined) {
      const failure = result.failed[0];
      throw errorForCategory(failure?.category ?? 'UNKNOWN', failure?.message ?? 'order was not enqueued', {
        code: failure?.code ?? 'SQS.SEND_FAILED',
      });
    }
    this.metrics.add('OrdersAccepted', 1, 'Count');
    this.metrics.add('OrdersAcceptedUnreserved', 1, 'Count');
    this.logger.warn('order accepted without a reservation: the idempotency store is down (STORE_OUTAGE_MODE=buffer)', {
      orderId: envelope.body.order.orderId,
      error: classifyError(cause).code,
    });
    return { kind: 'PUBLISHED', messageId: sent.messageId, idempotencyKey, payloadHash };
  }

  /**
   * The message did not leave: the reservation this request wrote goes (only that one), so the client's
   * retry is accepted. A failed release is tried again within the request (retryWithinInvocation: 4 calls
   * in all, full jitter, at most 1.4 s of waiting, retryable failures only): one left behind holds the key
   * until the sweep resolves it after its lease, and a retry of the same payload is answered 409 meanwhile,
   * which `ReservationReleaseFailed` counts the cause of.
   */
  private async release(reservation: IdempotencyRecord): Promise<void> {
    const tried = await retryWithinInvocation(() => this.store.releaseReservation(reservation, this.clock.now()), {
      clock: this.clock,
      random: this.random,
      timeLeftMs: () => undefined,
    });
    if (tried.ok) return;
    this.metrics.add('ReservationReleaseFailed', 1, 'Count');
    this.logger.warn('reservation not released after a failed send; the sweep resolves it after its lease', {
      orderId: reservation.orderId,
      tries: tried.tries,
      error: String(tried.error),
    });
  }
}

const encoder = new TextEncoder();
