import { loadConfig, type PipelineConfig } from '../application/config.js';
import { parseOrderMessage } from '../application/order-message.js';
import type { QueueMessage } from '../application/ports/queue-message.js';
import { IngestOrder } from '../application/use-cases/ingest-order.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { createContainer, defaultServices } from '../handlers/composition-root.js';
import { createMemoryInfrastructure, memoryAdaptersModule } from '../handlers/memory-adapters-module.js';
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
    const body = { orderId, customerId: 'customer-0001', currency: 'EUR', lines: [{ sku: 'SKU-0001', quantity: 1 + (index % 3), unitPriceMinor: 1_999 }] };
    const result = await ingest.execute({ body, correlationId: `bench-${index}` });
    if (result.kind !== 'ACCEPTED') throw new Error(`order ${orderId} was not accepted`);
  }
  return infrastructure.sqs.peekAll(infrastructure.queues.orderQueueName).map((message) => ({
    messageId: message.messageId, receiptHandle: message.messageId, body: message.body, attributes: message.attributes, receiveCount: 1, sentAt: message.sentAt,
  }));
}

/** The composed worker on the memory backend (fresh store: every message is new), batches of 10 as the event source hands them. */
export async function workerRound(messages: readonly QueueMessage[]): Promise<{ seconds: number; cpuMicros: number }> {
  const config = memoryConfig();
  const services = defaultServices(config);
  const worker = createContainer(config, memoryAdaptersModule(createMemoryInfrastructure(config, services.clock, services.random)), services).get(WorkOrderBatch);
  return timed(async () => {
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      const result = await worker.execute({ messages: messages.slice(start, start + BATCH_SIZE), requestId: `bench-${start}`, remainingTimeMs: () => 300_000 });
      if (result.batchItemFailures.length > 0) throw new Error(`the worker failed ${result.batchItemFailures.length} message(s)`);
    }
  });
}

/** The floor: parse and validate each message (the same parser, DTOs and validators) and acknowledge it. */
export async function baselineRound(messages: readonly QueueMessage[]): Promise<{ seconds: number; cpuMicros: number }> {
  return timed(async () => {
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      const acked: string[] = [];
      for (const message of messages.slice(start, start + BATCH_SIZE)) {
        if (parseOrderMessage(message).ok) acked.push(message.messageId);
      }
      await Promise.resolve(acked);
    }
  });
}

export async function measureMemoryWorker(count: number, rounds: number): Promise<{ worker: ThroughputFigures; baseline: ThroughputFigures; workerVsBaseline: number }> {
  const messages = await orderMessages(count);
  await workerRound(messages.slice(0, 50));
  await baselineRound(messages.slice(0, 50));
  const samples = { worker: [] as { seconds: number; cpuMicros: number }[], baseline: [] as { seconds: number; cpuMicros: number }[] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['worker', 'baseline'] as const) : (['baseline', 'worker'] as const);
    for (const which of order) samples[which].push(await (which === 'worker' ? workerRound : baselineRound)(messages));
  }
  const figures = (runs: { seconds: number; cpuMicros: number }[]): ThroughputFigures => ({
    messagesPerSecond: summarize(runs.map((run) => round(count / run.seconds, 1))),
    cpuMicrosPerMessage: summarize(runs.map((run) => round(run.cpuMicros / count, 1))),
  });
  const worker = figures(samples.worker);
  const baseline = figures(samples.baseline);
  return { worker, baseline, workerVsBaseline: ratio(worker.messagesPerSecond.median, baseline.messagesPerSecond.median) };
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
