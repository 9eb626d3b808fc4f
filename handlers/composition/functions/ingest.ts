import { IngestOrder } from '../../../application/use-cases/ingest-order.js';
import { PublishOrder } from '../../../application/use-cases/publish-order.js';
import { ValidateOrder } from '../../../application/use-cases/validate-order.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import { SQS_ADAPTERS } from '../aws-bindings/sqs.js';
import type { FunctionComposition } from '../function-container.js';

/** ingest: validate and publish in one process, answering known duplicates from the idempotency table; no EventBridge client (OrderPublished is committed by the worker's claim). */
export const ingestComposition: FunctionComposition = {
  services: [SQS_ADAPTERS, DYNAMODB_ADAPTERS],
  useCases: [ValidateOrder, PublishOrder, IngestOrder],
};
