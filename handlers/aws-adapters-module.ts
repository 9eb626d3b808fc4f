import { ContainerModule } from 'inversify';
import type { PipelineConfig } from '../application/config.js';
import type { Clock } from '../application/ports/clock.js';
import type { DeadLetterQueue } from '../application/ports/dead-letter-queue.js';
import type { EventBus } from '../application/ports/event-bus.js';
import type { IdempotencyStore } from '../application/ports/idempotency-store.js';
import type { OrderQueue } from '../application/ports/order-queue.js';
import type { Random } from '../application/ports/random.js';
import { createAwsClients, type AwsClients } from '../adapters/aws/clients.js';
import { DynamoDbIdempotencyStore } from '../adapters/aws/dynamodb-idempotency-store.js';
import { EventBridgeEventBus } from '../adapters/aws/eventbridge-event-bus.js';
import { SqsDeadLetterQueue } from '../adapters/aws/sqs-dead-letter-queue.js';
import { SqsOrderQueue } from '../adapters/aws/sqs-order-queue.js';
import { SplitOrderQueue } from '../application/services/split-order-queue.js';
import { ADAPTERS } from './adapter-tokens.js';

/**
 * The AWS SDK v3 adapters. Clients are created here, once per execution environment, with keep-alive and
 * region / endpoint from the environment (AWS_ENDPOINT_URL reaches moto or LocalStack).
 */
export function awsAdaptersModule(config: PipelineConfig, clock: Clock, random: Random, clients: AwsClients = createAwsClients()): ContainerModule {
  const retryTools = { clock, random };
  return new ContainerModule(({ bind }) => {
    const orderQueue = new SqsOrderQueue({ client: clients.sqs, queueUrl: config.orderQueueUrl, ...retryTools });
    // Topology `both` (migration phases 2–3): a share of orders goes to the orchestrated topology's queue.
    const orchestrated = config.orchestratedSharePercent > 0 && config.orchestratedQueueUrl !== undefined
      ? new SqsOrderQueue({ client: clients.sqs, queueUrl: config.orchestratedQueueUrl, ...retryTools })
      : undefined;
    bind<OrderQueue>(ADAPTERS.OrderQueue).toConstantValue(
      orchestrated === undefined ? orderQueue : new SplitOrderQueue(orderQueue, orchestrated, config.orchestratedSharePercent),
    );
    bind<DeadLetterQueue>(ADAPTERS.DeadLetterQueue).toConstantValue(new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: config.deadLetterQueueUrl, ...retryTools }));
    if (config.outboxDeadLetterQueueUrl !== undefined) {
      bind<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue).toConstantValue(new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: config.outboxDeadLetterQueueUrl, ...retryTools }));
    }
    bind<IdempotencyStore>(ADAPTERS.IdempotencyStore).toConstantValue(new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: config.idempotencyTableName }));
    bind<EventBus>(ADAPTERS.EventBus).toConstantValue(new EventBridgeEventBus({ client: clients.eventBridge, eventBusName: config.eventBusName, ...retryTools }));
  });
}
