import { PublishOrder } from '../../../application/use-cases/publish-order.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import { SQS_ADAPTERS } from '../aws-bindings/sqs.js';
import type { FunctionComposition } from '../function-container.js';

/** publish: reserves the key (DynamoDB) and enqueues (SQS); the worker's first claim commits OrderPublished to the outbox. */
export const publishComposition: FunctionComposition = {
  services: [DYNAMODB_ADAPTERS, SQS_ADAPTERS],
  useCases: [PublishOrder],
};
