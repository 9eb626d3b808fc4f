import { ValidateOrder } from '../../../application/use-cases/validate-order.js';
import type { FunctionComposition } from '../function-container.js';

/** validate: schema and business rules, no AWS service at all. */
export const validateComposition: FunctionComposition = {
  services: [],
  useCases: [ValidateOrder],
};
