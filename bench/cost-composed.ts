import 'reflect-metadata';
import type { InitializeHandler, MetadataBearer } from '@smithy/types';
import type { FailureSimulation } from '../application/orders/failure-simulation.js';
import type { QueueMessage } from '../application/ports/queue-message.js';
import { IngestOrder } from '../application/use-cases/ingest-order.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { SqsOrderQueue } from '../adapters/aws/sqs-order-queue.js';
import { RecordingLogger } from '../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../adapters/system/seeded-random.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { createOutboxRelayHandler } from '../handlers/outbox-relay.js';
import type { AwsTableStream } from '../harness/emulation/streams/aws-table-stream.js';
import { nextPipeBatch, PIPE_LOOKAHEAD } from '../harness/emulation/streams/table-stream.js';
import { type MotoAccount } from '../tools/moto/moto.js';
import type { CapacityMeter } from './dynamodb-capacity.js';
import { type CapacityFigures } from './dynamodb-capacity.js';
import { NO_USAGE, type OrderUsage, type Row } from './order-usage.js';
import { round } from './stats.js';
import { motoPipeline } from './moto-pipeline.js';

export const BATCH_SIZE = 10;

export function orderBody(orderId: string, lines: number): Record<string, unknown> {
  return {
    orderId,
    customerId: 'customer-0001',
    currency: 'EUR',
    lines: Array.from({ length: lines }, (_, line) => ({
      sku: `SKU-${String(line + 1).padStart(4, '0')}`,
      quantity: 1 + (line % 3),
      unitPriceMinor: 1_999,
    })),
  };
}

export interface Scenario {
  readonly row: Row;
  readonly lines: number;
  readonly simulation?: FailureSimulation;
}

export const SCENARIOS: Record<Exclude<Row, 'duplicate POST' | 'duplicate delivery'>, Scenario> = {
  '1-line order': { row: '1-line order', lines: 1 },
  '100-line order': { row: '100-line order', lines: 100 },
  'transient failure, then success': { row: 'transient failure, then success', lines: 1, simulation: { kind: 'transient', times: 1 } },
  'parked order': { row: 'parked order', lines: 1, simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER } },
};

/** Sums counted calls and metered capacity over a scenario, per order. */
export class Tally {
  private usage: { -readonly [K in keyof OrderUsage]: OrderUsage[K] } = { ...NO_USAGE, recordBytes: [], recordWriteUnits: [] };

  add(part: Partial<Omit<OrderUsage, 'recordBytes' | 'recordWriteUnits'>>): void {
    for (const [name, value] of Object.entries(part) as [keyof OrderUsage, number][]) (this.usage[name] as number) += value;
  }

  addCalls(account: MotoAccount): void {
    const counts = account.sends.counts();
    const total = (service: string): number => Object.values(counts[service] ?? {}).reduce((sum, count) => sum + count, 0);
    this.add({ sqsRequests: total('sqs'), putEventsCalls: counts.eventbridge?.PutEvents ?? 0, dynamodbCalls: total('dynamodb') });
    account.sends.reset();
  }

  /** Adds the capacity and the events put; the record's growth is read from the writes of the first key written. */
  addCapacity({ capacity: figures, events }: { capacity: CapacityFigures; events: number }): void {
    this.add({
      events,
      dynamodbWriteUnits: figures.writeUnits,
      dynamodbIndexWriteUnits: figures.indexWriteUnits,
      dynamodbReadUnits: figures.readUnits,
    });
    const first = figures.writes[0]?.key;
    if (first === undefined || this.usage.recordBytes.length > 0) return;
    const ofFirst = figures.writes.filter((write) => write.key === first);
    this.usage.recordBytes = ofFirst.map((write) => write.bytes);
    this.usage.recordWriteUnits = ofFirst.map((write) => write.units);
  }

  perOrder(orders: number): OrderUsage {
    const entries = Object.entries(this.usage).map(([name, value]): [string, number | readonly number[]] => [
      name,
      Array.isArray(value) ? value : round((value as number) / orders, 3),
    ]);
    return Object.fromEntries(entries) as unknown as OrderUsage;
  }
}

/** The composed topology on moto, end to end, with the relay over the table's stream. */
export class ComposedPipeline {
  readonly ingest: IngestOrder;
  readonly worker: WorkOrderBatch;
  readonly relay: ReturnType<typeof createOutboxRelayHandler>;
  readonly queue: SqsOrderQueue;
  private invocation = 0;

  constructor(
    private readonly account: MotoAccount,
    private readonly stream: AwsTableStream,
  ) {
    const { resources, clients } = account;
    const container = motoPipeline(
      account,
      { clock: new SystemClock(), random: new SeededRandom(20_261_206), logger: new RecordingLogger(), metrics: new RecordingMetrics() },
      { ALLOW_FAILURE_SIMULATION: 'true', BACKOFF_BASE_SECONDS: '0' },
    );
    this.ingest = container.get(IngestOrder);
    this.worker = container.get(WorkOrderBatch);
    this.relay = createOutboxRelayHandler(() => container);
    this.queue = new SqsOrderQueue({ client: clients.sqs, queueUrl: resources.orderQueueUrl });
  }

  /** Posts the orders through the edge; one HTTP request and one ingest invocation each. */
  async post(tally: Tally, orderIds: readonly string[], scenario: Scenario): Promise<void> {
    for (const orderId of orderIds) {
      const result = await this.ingest.execute({
        body: orderBody(orderId, scenario.lines),
        correlationId: `cost-${orderId}`,
        ...(scenario.simulation === undefined ? {} : { simulation: scenario.simulation }),
      });
      if (result.kind !== 'ACCEPTED' && result.kind !== 'IN_PROGRESS' && result.kind !== 'DUPLICATE')
        throw new Error(`order ${orderId}: ${JSON.stringify(result)}`);
    }
    tally.add({ httpRequests: orderIds.length, lambdaInvocations: orderIds.length });
  }

  /** Plays the event source until the queue is empty: a receive per batch, the worker, a delete per batch of what it did not return. */
  async work(tally: Tally): Promise<QueueMessage[]> {
    const delivered: QueueMessage[] = [];
    for (let empty = 0; empty < 2;) {
      const batch = await this.queue.receive(BATCH_SIZE, 30);
      tally.add({ sqsRequests: 1 });
      if (batch.length === 0) {
        empty += 1;
        continue;
      }
      empty = 0;
      delivered.push(...batch);
      this.account.sends.reset();
      const result = await this.worker.execute({ messages: batch, requestId: `cost-${++this.invocation}`, remainingTimeMs: () => 300_000 });
      tally.addCalls(this.account);
      tally.add({ lambdaInvocations: 1 });
      const failures = new Set(result.batchItemFailures);
      const done = batch.filter((message) => !failures.has(message.messageId));
      if (done.length > 0) {
        await this.queue.delete(done.map((message) => message.receiptHandle));
        tally.add({ sqsRequests: 1 });
      }
    }
    // The empty receives that end the loop are the bench's, not the orders' (a long-polling event source makes few).
    tally.add({ sqsRequests: -2 });
    return delivered;
  }

  /** Plays the pipe over the stream: filtered records in batches of 10 to the relay, until caught up. */
  async relayAll(tally: Tally): Promise<void> {
    for (let idle = 0; idle < 3;) {
      const { span, batch } = nextPipeBatch(await this.stream.peek(PIPE_LOOKAHEAD), BATCH_SIZE);
      if (span.length === 0) {
        idle += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      idle = 0;
      if (batch.length > 0) {
        this.account.sends.reset();
        const response = await this.relay(batch);
        if (response.batchItemFailures.length > 0) throw new Error(`the relay returned ${response.batchItemFailures.length} record(s)`);
        tally.addCalls(this.account);
        // Custom events: one per entry the bus accepted; PutEvents carries up to 10.
        tally.add({ lambdaInvocations: 1, pipeRequests: batch.length, streamReads: 1 });
      }
      this.stream.advance(span.length);
    }
  }

  async redeliver(messages: readonly QueueMessage[]): Promise<void> {
    const result = await this.queue.send(
      messages.map((message, index) => ({ id: `d${index}`, body: message.body, attributes: message.attributes })),
    );
    if (result.failed.length > 0) throw new Error('could not redeliver');
  }
}

/** Counts the entries of every PutEvents call a client makes: EventBridge bills each entry (per 64 KB chunk). */
export class EventEntryCounter {
  private entries = 0;

  attach(client: MotoAccount['clients']['eventBridge']): this {
    client.middlewareStack.add(
      (next: InitializeHandler<object, MetadataBearer>, context) => async (args) => {
        if (context.commandName === 'PutEventsCommand') this.entries += ((args.input as { Entries?: unknown[] }).Entries ?? []).length;
        return next(args);
      },
      { step: 'initialize', priority: 'low', name: 'benchEventEntryCounter', override: true },
    );
    return this;
  }

  take(): number {
    const entries = this.entries;
    this.entries = 0;
    return entries;
  }
}

export const entryCounter = new EventEntryCounter();

/** Resets the meters between scenarios and answers what they read since the last time. */
export function drain(meter: CapacityMeter): { capacity: CapacityFigures; events: number } {
  return { capacity: meter.take(), events: entryCounter.take() };
}

/** One composed scenario, per order: edge, worker, relay, capacity and the record's sizes. */
export async function composedRow(
  pipeline: ComposedPipeline,
  account: MotoAccount,
  meter: CapacityMeter,
  scenario: Scenario,
  orderIds: readonly string[],
): Promise<OrderUsage> {
  const tally = new Tally();
  drain(meter);
  account.sends.reset();
  await pipeline.post(tally, orderIds, scenario);
  tally.addCalls(account);
  await pipeline.work(tally);
  await pipeline.relayAll(tally);
  tally.addCapacity(drain(meter));
  return tally.perOrder(orderIds.length);
}
