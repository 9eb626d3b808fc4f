import { inject, injectable } from 'inversify';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { FieldViolation, PricedOrder } from '../../domain/order.js';
import type { FailureSimulation } from '../failure-simulation.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';
import { orderIdentity, PublishOrder } from './publish-order.js';
import { ValidateOrder } from './validate-order.js';

export interface IngestOrderInput {
  readonly body: unknown;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
  readonly simulation?: FailureSimulation;
}

export type IngestOrderResult =
  | { readonly kind: 'INVALID'; readonly violations: readonly FieldViolation[] }
  | { readonly kind: 'ACCEPTED'; readonly orderId: string; readonly idempotencyKey: string; readonly messageId: string; readonly priced: PricedOrder }
  /** Seen before and finished (SUCCEEDED or PARKED): the stored state is the answer. */
  | { readonly kind: 'DUPLICATE'; readonly orderId: string; readonly idempotencyKey: string; readonly record: IdempotencyRecord }
  /** Seen before and still being worked: ask the client to come back. */
  | { readonly kind: 'IN_PROGRESS'; readonly idempotencyKey: string; readonly retryAfterSeconds: number }
  /** The key was used before for a different payload. */
  | { readonly kind: 'KEY_REUSED'; readonly idempotencyKey: string };

const IN_PROGRESS_RETRY_AFTER_SECONDS = 5;

/** validate → (answer known duplicates at the edge) → publish. */
@injectable()
export class IngestOrder {
  constructor(
    @inject(ValidateOrder) private readonly validate: ValidateOrder,
    @inject(PublishOrder) private readonly publish: PublishOrder,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
  ) {}

  async execute(input: IngestOrderInput): Promise<IngestOrderResult> {
    const validation = this.validate.execute({ body: input.body, ...(input.simulation === undefined ? {} : { simulation: input.simulation }) });
    if (!validation.ok) {
      this.metrics.add('OrdersRejected', 1, 'Count');
      return { kind: 'INVALID', violations: validation.violations };
    }
    const { order } = validation;
    const identity = orderIdentity(order, input.idempotencyKey);
    const known = await this.lookup(identity.idempotencyKey, order.orderId);
    if (known !== undefined) {
      this.metrics.add('DuplicatesSuppressed', 1, 'Count');
      if (known.payloadHash !== identity.payloadHash) return { kind: 'KEY_REUSED', idempotencyKey: identity.idempotencyKey };
      if (known.status === 'SUCCEEDED' || known.status === 'PARKED') {
        return { kind: 'DUPLICATE', orderId: order.orderId, idempotencyKey: identity.idempotencyKey, record: known };
      }
      return { kind: 'IN_PROGRESS', idempotencyKey: identity.idempotencyKey, retryAfterSeconds: IN_PROGRESS_RETRY_AFTER_SECONDS };
    }
    const published = await this.publish.execute({
      order,
      correlationId: input.correlationId,
      ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      ...(input.simulation === undefined ? {} : { simulation: input.simulation }),
    });
    return { kind: 'ACCEPTED', orderId: order.orderId, idempotencyKey: published.idempotencyKey, messageId: published.messageId, priced: validation.priced };
  }

  /**
   * The edge check is an optimisation for clients (409 / 422 instead of a silent duplicate); the worker's
   * claim is the guarantee. So when the store cannot answer, the order is accepted anyway.
   */
  private async lookup(key: string, orderId: string): Promise<IdempotencyRecord | undefined> {
    try {
      return await this.store.get(key, this.clock.now());
    } catch (error) {
      this.logger.warn('idempotency lookup failed at ingest; relying on the worker claim', { orderId, error: String(error) });
      return undefined;
    }
  }
}
