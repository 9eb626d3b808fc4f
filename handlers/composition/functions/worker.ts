import { ClaimIdempotency } from '../../../application/use-cases/claim-idempotency.js';
import { ProcessOrder } from '../../../application/use-cases/process-order.js';
import { WorkOrderBatch } from '../../../application/use-cases/work-order-batch.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import { SQS_ADAPTERS } from '../aws-bindings/sqs.js';
import type { FunctionComposition } from '../function-container.js';

/** worker: claim, process and complete on DynamoDB; SQS for visibility changes and parking. No EventBridge: the outbox relays. */
export const workerComposition: FunctionComposition = {
  services: [SQS_ADAPTERS, DYNAMODB_ADAPTERS],
  useCases: [ClaimIdempotency, ProcessOrder, WorkOrderBatch],
};
