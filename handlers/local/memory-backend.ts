import type { PipelineConfig } from '../../application/config.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Random } from '../../application/ports/random.js';
import { isLive } from '../../domain/idempotency.js';
import { createMemoryInfrastructure, DEFAULT_MEMORY_QUEUES, memoryAdaptersModule, type MemoryInfrastructure } from '../memory-adapters-module.js';
import type { Backend } from './backend.js';
import { MemoryPolledQueue } from './memory-polled-queue.js';

export interface MemoryBackend extends Backend {
  readonly infrastructure: MemoryInfrastructure;
}

/** SQS, DynamoDB and EventBridge in memory, with the queues' visibility timeout and maxReceiveCount as asked. */
export function createMemoryBackend(config: PipelineConfig, clock: Clock, random: Random, queues: { visibilityTimeoutSeconds: number; maxReceiveCount: number }): MemoryBackend {
  const infrastructure = createMemoryInfrastructure(config, clock, random, {
    ...DEFAULT_MEMORY_QUEUES,
    visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
    maxReceiveCount: queues.maxReceiveCount,
  });
  const { sqs, store } = infrastructure;
  return {
    kind: 'memory',
    config,
    infrastructure,
    adapters: memoryAdaptersModule(infrastructure),
    orderQueue: new MemoryPolledQueue(sqs, infrastructure.queues.orderQueueName, clock),
    depths: async () => ({ orders: sqs.stats(infrastructure.queues.orderQueueName), deadLetters: sqs.stats(infrastructure.queues.deadLetterQueueName) }),
    record: (key, now) => store.get(key, now),
    records: async (now) => store.snapshot().filter((record) => isLive(record, now)),
    close: async () => undefined,
  };
}
