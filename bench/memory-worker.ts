import { loadConfig, type PipelineConfig } from '../application/config/pipeline-config.js';
import { parseOrderMessage } from '../application/orders/order-message.js';
import { parseOrderShape } from '../application/orders/order-schema.js';
import { MESSAGE_ATTRIBUTES } from '../domain/dead-letter-analysis.js';
import type { QueueMessage } from '../application/ports/queue-message.js';
import { IngestOrder } from '../application/use-cases/ingest-order.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { createContainer, defaultServices } from '../harness/pipeline/composition/composition-root.js';
import { createMemoryInfrastructure, memoryAdaptersModule } from '../harness/pipeline/composition/memory-adapters-module.js';
import { ratio, round, summarize, type Summary } from './stats.js';

const BATCH_SIZE = 10;

export interface ThroughputFigures {
  readonly messagesPerSecond: Summary;
  readonly cpuMicrosPerMessage: Summary;
}

/** `count` order messages exactly as the ingest use case puts them on the queue. */
export async function orderMessages(count: number, first = 0): Promise<QueueMessage[]> {
  const config = memoryConfig();
  const services = defaultServices(config);
  const infrastructure = createMemoryInfrastructure(config, services.clock, services.random);
  const ingest = createContainer(config, memoryAdaptersModule(infrastructure), services).get(IngestOrder);
  for (let index = first; index < first + count; index += 1) {
    const orderId = `order-${String(index).padStart(6, '0')}`;
    const body = {
      orderId,
      customerId: 'customer-0001',
      currency: 'EUR',
      lines: [{ sku: 'SKU-0001', quantity: 1 + (index % 3), unitPriceMinor: 1_999 }],
    };
    const result = await ingest.execute({ body, correlationId: `bench-${index}` });
    if (result.kind !== 'ACCEPTED') throw new Error(`order ${orderId} was not accepted`);
  }
  return infrastructure.sqs.peekAll(infrastructure.queues.orderQueueName).map((message) => ({
    messageId: message.messageId,
    receiptHandle: message.messageId,
    body: message.body,
    attributes: message.attributes,
    receiveCount: 1,
    sentAt: message.sentAt,
  }));
}

/** The composed worker on the memory backend (fresh store: every message is new), batches of 10 as the event source hands them. */
export async function workerRound(messages: readonly QueueMessage[]): Promise<{ seconds: number; cpuMicros: number }> {
  const config = memoryConfig();
  const services = defaultServices(config);
  const worker = createContainer(
    config,
    memoryAdaptersModule(createMemoryInfrastructure(config, services.clock, services.random)),
    services,
  ).get(WorkOrderBatch);
  return timed(async () => {
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      const result = await worker.execute({
        messages: messages.slice(start, start + BATCH_SIZE),
        requestId: `bench-${start}`,
        remainingTimeMs: () => 300_000,
      });
      if (result.batchItemFailures.length > 0) throw new Error(`the worker failed ${result.batchItemFailures.length} message(s)`);
    }
  });
}

/** The floor: parse and validate each message with the worker's own parser (its fast path included) and acknowledge it. */
export async function baselineRound(messages: readonly QueueMessage[]): Promise<{ seconds: number; cpuMicros: number }> {
  return ackLoop(messages, (message) => parseOrderMessage(message).ok);
}

/**
 * The floor as issue 9 first measured it: every order through class-transformer and class-validator (the
 * edge's validation), before the worker's re-check had a fast path. Kept so the ratio stays comparable.
 */
export async function classValidatorBaselineRound(messages: readonly QueueMessage[]): Promise<{ seconds: number; cpuMicros: number }> {
  return ackLoop(messages, (message) => {
    const body = JSON.parse(message.body) as { readonly order?: unknown };
    return message.attributes[MESSAGE_ATTRIBUTES.idempotencyKey] !== undefined && parseOrderShape(body.order).ok;
  });
}

async function ackLoop(
  messages: readonly QueueMessage[],
  valid: (message: QueueMessage) => boolean,
): Promise<{ seconds: number; cpuMicros: number }> {
  return timed(async () => {
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      const acked: string[] = [];
      for (const message of messages.slice(start, start + BATCH_SIZE)) {
        if (valid(message)) acked.push(message.messageId);
      }
      await Promise.resolve(acked);
    }
  });
}

export interface MemoryWorkerFigures {
  readonly worker: ThroughputFigures;
  /** Parse-validate-ack with the worker's parser. */
  readonly baseline: ThroughputFigures;
  /** Parse-validate-ack through class-transformer + class-validator (the first yardstick). */
  readonly classValidatorBaseline: ThroughputFigures;
  readonly workerVsBaseline: number;
  readonly workerVsClassValidatorBaseline: number;
}

export async function measureMemoryWorker(count: number, rounds: number): Promise<MemoryWorkerFigures> {
  const messages = await orderMessages(count);
  const runs = { worker: workerRound, baseline: baselineRound, classValidatorBaseline: classValidatorBaselineRound };
  const names = Object.keys(runs) as (keyof typeof runs)[];
  for (const name of names) await runs[name](messages.slice(0, 200));
  const samples = Object.fromEntries(names.map((name) => [name, [] as { seconds: number; cpuMicros: number }[]])) as Record<
    keyof typeof runs,
    { seconds: number; cpuMicros: number }[]
  >;
  for (let round = 0; round < rounds; round += 1) {
    for (const which of round % 2 === 0 ? names : [...names].reverse()) samples[which].push(await runs[which](messages));
  }
  const figures = (timings: { seconds: number; cpuMicros: number }[]): ThroughputFigures => ({
    messagesPerSecond: summarize(timings.map((run) => round(count / run.seconds, 1))),
    cpuMicrosPerMessage: summarize(timings.map((run) => round(run.cpuMicros / count, 1))),
  });
  const worker = figures(samples.worker);
  const baseline = figures(samples.baseline);
  const classValidatorBaseline = figures(samples.classValidatorBaseline);
  return {
    worker,
    baseline,
    classValidatorBaseline,
    workerVsBaseline: ratio(worker.messagesPerSecond.median, baseline.messagesPerSecond.median),
    workerVsClassValidatorBaseline: ratio(worker.messagesPerSecond.median, classValidatorBaseline.messagesPerSecond.median),
  };
}

async function timed(work: () => Promise<void>): Promise<{ seconds: number; cpuMicros: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuMicros: used.user + used.system };
}

function memoryConfig(): PipelineConfig {
  return loadConfig({ PIPELINE_BACKEND: 'memory' });
}
