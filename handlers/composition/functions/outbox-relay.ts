import { PublishOrderEvents } from '../../../application/use-cases/publish-order-events.js';
import { RelayOutboxEvents } from '../../../application/use-cases/relay-outbox-events.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import { EVENTBRIDGE_ADAPTERS } from '../aws-bindings/eventbridge.js';
import type { FunctionComposition } from '../function-container.js';

/** events: the outbox relay, PutEvents and the delivery marks on the records. */
export const outboxRelayComposition: FunctionComposition = {
  services: [EVENTBRIDGE_ADAPTERS, DYNAMODB_ADAPTERS],
  useCases: [PublishOrderEvents, RelayOutboxEvents],
};
