import { inject, injectable } from 'inversify';
import type { FieldViolation, PricedOrder } from '../../domain/order.js';
import type { FailureSimulation } from '../orders/failure-simulation.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';
import { knownAnswer, PublishOrder, type KnownOrderAnswer } from './publish-order.js';
import { ValidateOrder } from './validate-order.js';

export interface IngestOrderInput {
  readonly body: unknown;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
  readonly simulation?: FailureSimulation;
}

export type IngestOrderResult =
  | { readonly kind: 'INVALID'; readonly violations: readonly FieldViolation[] }
  | {
      readonly kind: 'ACCEPTED';
      readonly orderId: string;
      readonly idempotencyKey: string;
      readonly messageId: string;
      readonly priced: PricedOrder;
    }
  | KnownOrderAnswer;

/** validate → reserve and publish (a key reserved before is answered at once: 422, 200 duplicate or 409). */
@injectable()
export class IngestOrder {
  constructor(
    @inject(ValidateOrder) private readonly validate: ValidateOrder,
    @inject(PublishOrder) private readonly publish: PublishOrder,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
  ) {}

  async execute(input: IngestOrderInput): Promise<IngestOrderResult> {
    const validation = this.validate.execute({
      body: input.body,
      ...(input.simulation === undefined ? {} : { simulation: input.simulation }),
    });
    if (!validation.ok) {
      this.metrics.add('OrdersRejected', 1, 'Count');
      return { kind: 'INVALID', violations: validation.violations };
    }
    const { order } = validation;
    const published = await this.publish.execute({
      order,
      correlationId: input.correlationId,
      ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      ...(input.simulation === undefined ? {} : { simulation: input.simulation }),
    });
    if (published.kind === 'PUBLISHED') {
      return {
        kind: 'ACCEPTED',
        orderId: order.orderId,
        idempotencyKey: published.idempotencyKey,
        messageId: published.messageId,
        priced: validation.priced,
      };
    }
    return knownAnswer(published.known, order.orderId, published.idempotencyKey);
  }
}
