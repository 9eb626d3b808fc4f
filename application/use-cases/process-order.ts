import { inject, injectable } from 'inversify';
import { errorForCategory, ValidationError } from '../../domain/errors.js';
import type { OutcomeSummary } from '../../domain/idempotency.js';
import { evaluateOrder, type OrderRules } from '../../domain/order.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import { simulatedCategory } from '../orders/failure-simulation.js';
import type { OrderEnvelope } from '../orders/order-message.js';
import { orderProcessedEvent, type EventContext } from '../events/pipeline-events.js';
import type { PipelineEvent } from '../ports/event-bus.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';
import { orderRulesFrom } from './validate-order.js';

export interface ProcessOrderInput {
  readonly envelope: OrderEnvelope;
  /** The attempt number granted by the claim (1 on first delivery). */
  readonly attempt: number;
}

/**
 * The business step: re-check the order's rules (the queue is not trusted) and price it. Its effect is
 * committed by the owner-guarded completion of the idempotency record, so it commits once per key.
 * A business step with outside side effects must pass the idempotency key on (e.g. to a payment API).
 */
@injectable()
export class ProcessOrder {
  private readonly rules: OrderRules;

  constructor(
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {
    this.rules = orderRulesFrom(config);
  }

  async execute(input: ProcessOrderInput): Promise<OutcomeSummary> {
    const { order, simulate } = input.envelope.body;
    if (simulate !== undefined) this.simulate(input);
    const evaluation = evaluateOrder(order, this.rules);
    if (!evaluation.ok) {
      throw new ValidationError('order violates business rules', { code: 'ORDER.INVALID', context: { violations: evaluation.violations } });
    }
    this.metrics.add('OrdersProcessed', 1, 'Count');
    const { priced } = evaluation;
    return {
      orderId: priced.orderId,
      currency: priced.currency,
      lineCount: priced.lines.length,
      subtotalMinor: priced.subtotalMinor,
      taxMinor: priced.taxMinor,
      totalMinor: priced.totalMinor,
    };
  }

  /**
   * The events that announce a processed order. They are committed with its outcome, in the completion
   * write, and delivered afterwards by the outbox relay: an announcement never precedes its commit. A
   * business rule of your own adds its events here, built with `customOrderEvent` (same envelope,
   * deterministic id); they must depend only on the envelope and the outcome, as a resumed attempt
   * builds them again from the stored outcome.
   */
  announcements(context: EventContext, outcome: OutcomeSummary): PipelineEvent[] {
    return [orderProcessedEvent(context, outcome)];
  }

  private simulate(input: ProcessOrderInput): void {
    const simulation = input.envelope.body.simulate;
    if (simulation === undefined) return;
    if (!this.config.allowFailureSimulation) {
      this.logger.warn('failure simulation requested but disabled; ignored', { orderId: input.envelope.body.order.orderId });
      return;
    }
    if (input.attempt <= simulation.times) {
      const category = simulatedCategory(simulation);
      throw errorForCategory(category, `simulated ${simulation.kind} failure (attempt ${input.attempt} of ${simulation.times})`, {
        code: `SIMULATED.${category}`,
      });
    }
  }
}
