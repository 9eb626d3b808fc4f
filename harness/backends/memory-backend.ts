import type { PipelineConfig } from '../../application/config/pipeline-config.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Random } from '../../application/ports/random.js';
import { isLive } from '../../domain/idempotency.js';
import {
  createMemoryInfrastructure,
  DEFAULT_MEMORY_QUEUES,
  memoryAdaptersModule,
  type MemoryInfrastructure,
} from '../pipeline/composition/memory-adapters-module.js';
import { progressOf, type Backend } from './backend.js';
import { MemoryPolledQueue } from '../emulation/event-sources/memory-polled-queue.js';
import { MemoryTableStream } from '../emulation/streams/memory-table-stream.js';

export interface MemoryBackend extends Backend {
  readonly infrastructure: MemoryInfrastructure;
}

export interface MemoryQueueOptions {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** Topology `both`: the orchestrated topology's queue exists (and is polled) even when its share is 0. */
  readonly orchestratedQueue?: boolean;
}

/** SQS, DynamoDB and EventBridge in memory, with the queues' visibility timeout and maxReceiveCount as asked. */
export function createMemoryBackend(config: PipelineConfig, clock: Clock, random: Random, queues: MemoryQueueOptions): MemoryBackend {
  const infrastructure = createMemoryInfrastructure(config, clock, random, {
    ...DEFAULT_MEMORY_QUEUES,
    visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
    maxReceiveCount: queues.maxReceiveCount,
    // The stack deploys it at share 0 as well (migration phase 1), the pipe polling it, and so does the harness.
    createOrchestratedQueue: queues.orchestratedQueue === true,
  });
  const { sqs, store } = infrastructure;
  const names = infrastructure.queues;
  const orchestrated = sqs.hasQueue(names.orchestratedQueueName);
  return {
    kind: 'memory',
    config,
    infrastructure,
    adapters: memoryAdaptersModule(infrastructure),
    orderQueue: new MemoryPolledQueue(sqs, names.orderQueueName, clock),
    orchestratedQueue: orchestrated ? new MemoryPolledQueue(sqs, names.orchestratedQueueName, clock) : undefined,
    depths: async () => ({
      orders: sqs.stats(names.orderQueueName),
      deadLetters: sqs.stats(names.deadLetterQueueName),
      ...(orchestrated ? { orchestrated: sqs.stats(names.orchestratedQueueName) } : {}),
      outboxDeadLetters: sqs.stats(names.outboxDeadLetterQueueName),
    }),
    record: (key, now) => store.get(key, now),
    records: async (now) => store.snapshot().filter((record) => isLive(record, now)),
    progress: async (now) => progressOf(store.snapshot().filter((record) => isLive(record, now))),
    openTableStream: async () => new MemoryTableStream(store, clock),
    close: async () => undefined,
  };
}
