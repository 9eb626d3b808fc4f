import { ProcessOrder } from '../../../application/use-cases/process-order.js';
import { PublishOrderEvents } from '../../../application/use-cases/publish-order-events.js';
import { RedeliverOutbox } from '../../../application/use-cases/redeliver-outbox.js';
import { RedriveDeadLetters } from '../../../application/use-cases/redrive-dead-letters.js';
import { RelayOutboxEvents } from '../../../application/use-cases/relay-outbox-events.js';
import { ReplayParkedOrders } from '../../../application/use-cases/replay-parked-orders.js';
import { ResolveStrandedReservations } from '../../../application/use-cases/resolve-stranded-reservations.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import { EVENTBRIDGE_ADAPTERS } from '../aws-bindings/eventbridge.js';
import { SQS_ADAPTERS } from '../aws-bindings/sqs.js';
import type { FunctionComposition } from '../function-container.js';

/** redrive: the DLQ redrive with the stranded reservations' sweep, the outbox redelivery (pipe DLQ, relay) and the operator's replay. */
export const redriveComposition: FunctionComposition = {
  services: [SQS_ADAPTERS, DYNAMODB_ADAPTERS, EVENTBRIDGE_ADAPTERS],
  useCases: [
    PublishOrderEvents,
    RelayOutboxEvents,
    ProcessOrder,
    RedriveDeadLetters,
    ResolveStrandedReservations,
    RedeliverOutbox,
    ReplayParkedOrders,
  ],
};
