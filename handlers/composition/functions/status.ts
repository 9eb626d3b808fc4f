import { LookUpOrder } from '../../../application/use-cases/look-up-order.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import type { FunctionComposition } from '../function-container.js';

/** status: reads an order's idempotency record (DynamoDB GetItem), nothing else. */
export const statusComposition: FunctionComposition = {
  services: [DYNAMODB_ADAPTERS],
  useCases: [LookUpOrder],
};
