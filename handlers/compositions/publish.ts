import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { DYNAMODB_ADAPTERS } from '../aws/dynamodb-adapters.js';
import { EVENTBRIDGE_ADAPTERS } from '../aws/eventbridge-adapters.js';
import { SQS_ADAPTERS } from '../aws/sqs-adapters.js';
import type { FunctionComposition } from '../function-container.js';

/** publish: reserves the key (DynamoDB), enqueues (SQS) and announces OrderPublished (EventBridge, best effort). */
export const publishComposition: FunctionComposition = {
  services: [DYNAMODB_ADAPTERS, SQS_ADAPTERS, EVENTBRIDGE_ADAPTERS],
  useCases: [PublishOrder],
};
