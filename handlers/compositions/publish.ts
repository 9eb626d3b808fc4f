import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { EVENTBRIDGE_ADAPTERS } from '../aws/eventbridge-adapters.js';
import { SQS_ADAPTERS } from '../aws/sqs-adapters.js';
import type { FunctionComposition } from '../function-container.js';

/** publish: enqueues (SQS) and announces OrderPublished (EventBridge, best effort). */
export const publishComposition: FunctionComposition = {
  services: [SQS_ADAPTERS, EVENTBRIDGE_ADAPTERS],
  useCases: [PublishOrder],
};
