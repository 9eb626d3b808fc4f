import { ProcessClaimedOrder } from '../../../application/use-cases/orchestrated-steps.js';
import { ProcessOrder } from '../../../application/use-cases/process-order.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import type { FunctionComposition } from '../function-container.js';

/** processor: the business step, completed on the claimed record (its events go through the outbox). */
export const processorComposition: FunctionComposition = {
  services: [DYNAMODB_ADAPTERS],
  useCases: [ProcessOrder, ProcessClaimedOrder],
};
