import { ContainerModule } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { DeadLetterQueue } from '../../../application/ports/dead-letter-queue.js';
import type { EventBus } from '../../../application/ports/event-bus.js';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.js';
import type { OrderQueue } from '../../../application/ports/order-queue.js';
import type { Random } from '../../../application/ports/random.js';
import { InMemorySqs } from '../../../adapters/memory/in-memory-sqs.js';
import { MemoryDeadLetterQueue } from '../../../adapters/memory/memory-dead-letter-queue.js';
import { MemoryEventBus } from '../../../adapters/memory/memory-event-bus.js';
import { MemoryIdempotencyStore } from '../../../adapters/memory/memory-idempotency-store.js';
import { MemoryOrderQueue } from '../../../adapters/memory/memory-order-queue.js';
import { SplitOrderQueue } from '../../../application/orders/split-order-queue.js';
import { ADAPTERS } from '../../../application/tokens.js';

export interface MemoryQueueSettings {
  readonly orderQueueName: string;
  /** The orchestrated topology's queue; created when ORCHESTRATED_SHARE_PERCENT sends it a share of orders, or when asked. */
  readonly orchestratedQueueName: string;
  /** Create the orchestrated queue even at share 0, as a stage in topology `both` at migration phase 1 has it. */
  readonly createOrchestratedQueue?: boolean;
  readonly deadLetterQueueName: string;
  /** The outbox pipe's DLQ: where the harness' stream poller sends the batches it gave up on. */
  readonly outboxDeadLetterQueueName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export const DEFAULT_MEMORY_QUEUES: MemoryQueueSettings = {
  orderQueueName: 'orders',
  orchestratedQueueName: 'orders-orchestrated',
  deadLetterQueueName: 'orders-dlq',
  outboxDeadLetterQueueName: 'outbox-dlq',
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 5,
};

/** The in-memory stand-ins for SQS, DynamoDB and EventBridge, shared with whoever drives them (the harness). */
export interface MemoryInfrastructure {
  readonly sqs: InMemorySqs;
  readonly queues: MemoryQueueSettings;
  readonly orderQueue: OrderQueue;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly outboxDeadLetterQueue: DeadLetterQueue;
  readonly store: MemoryIdempotencyStore;
  readonly bus: MemoryEventBus;
}

export function createMemoryInfrastructure(
  config: PipelineConfig,
  clock: Clock,
  random: Random,
  queues: MemoryQueueSettings = DEFAULT_MEMORY_QUEUES,
): MemoryInfrastructure {
  const sqs = new InMemorySqs({ clock });
  sqs.createQueue(queues.deadLetterQueueName, { visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds });
  sqs.createQueue(queues.outboxDeadLetterQueueName, { visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds });
  const sourceQueue = {
    visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
    redrivePolicy: { deadLetterQueue: queues.deadLetterQueueName, maxReceiveCount: queues.maxReceiveCount },
  };
  sqs.createQueue(queues.orderQueueName, sourceQueue);
  const primary = new MemoryOrderQueue(sqs, queues.orderQueueName);
  let orderQueue: OrderQueue = primary;
  // As deployed in topology `both`: a second queue, dead-lettering to the same DLQ.
  if (config.orchestratedSharePercent > 0 || queues.createOrchestratedQueue === true)
    sqs.createQueue(queues.orchestratedQueueName, sourceQueue);
  if (config.orchestratedSharePercent > 0) {
    orderQueue = new SplitOrderQueue(primary, new MemoryOrderQueue(sqs, queues.orchestratedQueueName), config.orchestratedSharePercent);
  }
  return {
    sqs,
    queues,
    orderQueue,
    deadLetterQueue: new MemoryDeadLetterQueue(sqs, queues.deadLetterQueueName),
    outboxDeadLetterQueue: new MemoryDeadLetterQueue(sqs, queues.outboxDeadLetterQueueName),
    store: new MemoryIdempotencyStore(),
    bus: new MemoryEventBus({ clock, random }),
  };
}

export function memoryAdaptersModule(infrastructure: MemoryInfrastructure): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<OrderQueue>(ADAPTERS.OrderQueue).toConstantValue(infrastructure.orderQueue);
    bind<DeadLetterQueue>(ADAPTERS.DeadLetterQueue).toConstantValue(infrastructure.deadLetterQueue);
    bind<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue).toConstantValue(infrastructure.outboxDeadLetterQueue);
    bind<IdempotencyStore>(ADAPTERS.IdempotencyStore).toConstantValue(infrastructure.store);
    bind<EventBus>(ADAPTERS.EventBus).toConstantValue(infrastructure.bus);
  });
}
