import { inject, injectable } from 'inversify';
import {
  DEFAULT_ORDER_RULES,
  evaluateOrder,
  type FieldViolation,
  type Order,
  type OrderRules,
  type PricedOrder,
} from '../../domain/order.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import type { FailureSimulation } from '../orders/failure-simulation.js';
import { parseOrderShape } from '../orders/order-schema.js';
import { TOKENS } from '../tokens.js';

export interface ValidateOrderInput {
  readonly body: unknown;
  readonly simulation?: FailureSimulation;
}

export type ValidateOrderResult =
  | { readonly ok: true; readonly order: Order; readonly priced: PricedOrder }
  | { readonly ok: false; readonly violations: readonly FieldViolation[] };

export function orderRulesFrom(config: PipelineConfig): OrderRules {
  return {
    supportedCurrencies: config.supportedCurrencies ?? DEFAULT_ORDER_RULES.supportedCurrencies,
    maxTotalMinor: config.maxOrderTotalMinor,
    taxRateBasisPoints: config.taxRateBasisPoints,
  };
}

/** Schema, then business rules; every violation reported at once. An invalid order is a result, not an error. */
@injectable()
export class ValidateOrder {
  private readonly rules: OrderRules;
  private readonly allowFailureSimulation: boolean;

  constructor(@inject(TOKENS.PipelineConfig) config: PipelineConfig) {
    this.rules = orderRulesFrom(config);
    this.allowFailureSimulation = config.allowFailureSimulation;
  }

  execute(input: ValidateOrderInput): ValidateOrderResult {
    // Refused here too, not only at the HTTP edge: no caller may slip a simulation into a queued order.
    const refused: FieldViolation[] =
      input.simulation !== undefined && !this.allowFailureSimulation
        ? [{ path: 'simulation', code: 'SIMULATION.DISABLED', message: 'failure simulation is disabled in this environment' }]
        : [];
    const shape = parseOrderShape(input.body);
    if (!shape.ok) return { ok: false, violations: [...shape.violations, ...refused] };
    if (refused.length > 0) return { ok: false, violations: refused };
    if (input.simulation?.kind === 'validation') {
      return { ok: false, violations: [{ path: '', code: 'SIMULATED.VALIDATION', message: 'simulated validation failure' }] };
    }
    const evaluation = evaluateOrder(shape.order, this.rules);
    if (!evaluation.ok) return evaluation;
    return { ok: true, order: shape.order, priced: evaluation.priced };
  }
}
