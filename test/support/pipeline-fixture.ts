import 'reflect-metadata';
import type { Container, ServiceIdentifier } from 'inversify';
import { loadConfig, type PipelineConfig } from '../../application/config/pipeline-config.js';
import type { FailureSimulation } from '../../application/orders/failure-simulation.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { OutboxEntry } from '../../domain/outbox.js';
import { createOutboxRelayHandler } from '../../handlers/outbox-relay.js';
import { MemoryTableStream } from '../../harness/emulation/streams/memory-table-stream.js';
import { passesOutboxFilter } from '../../harness/emulation/streams/table-stream.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { QueueMessage } from '../../application/ports/queue-message.js';
import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { TOKENS } from '../../application/tokens.js';
import { IngestOrder, type IngestOrderResult } from '../../application/use-cases/ingest-order.js';
import { orderIdentity } from '../../application/use-cases/publish-order.js';
import { orderMessageAttributes, SCHEMA_VERSION, type OrderEnvelope } from '../../application/orders/order-message.js';
import { WorkOrderBatch, type WorkOrderBatchResult } from '../../application/use-cases/work-order-batch.js';
import type { PeekedMessage } from '../../adapters/memory/sqs-types.js';
import { ManualClock } from './manual-clock.js';
import type { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { Order } from '../../domain/order.js';
import { createContainer, type RuntimeServices } from '../../harness/pipeline/composition/composition-root.js';
import {
  createMemoryInfrastructure,
  DEFAULT_MEMORY_QUEUES,
  memoryAdaptersModule,
  type MemoryInfrastructure,
  type MemoryQueueSettings,
} from '../../harness/pipeline/composition/memory-adapters-module.js';

export interface PipelineFixtureOptions {
  /** Environment on top of `PIPELINE_BACKEND=memory` and `ALLOW_FAILURE_SIMULATION=true`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly queues?: Partial<MemoryQueueSettings>;
  readonly seed?: number;
  /** Replaces the in-memory store (a spy or a flaky subclass). */
  readonly store?: MemoryIdempotencyStore;
  /** Wraps the order queue adapter the pipeline calls (a spy or a flaky decorator); the fixture's own receive and delete go around it. */
  readonly wrapOrderQueue?: (queue: OrderQueue) => OrderQueue;
}

export interface InvokeOptions {
  readonly requestId?: string;
  /** Lambda time left when the batch starts; undefined imitates a caller outside Lambda. */
  readonly remainingTimeMs?: number;
}

/** One invocation as the SQS event source makes it: what was received, what the worker said, what got deleted. */
export interface Invocation {
  readonly messages: readonly QueueMessage[];
  readonly result: WorkOrderBatchResult;
  /** Message ids deleted by the event source (every record not in batchItemFailures). */
  readonly deleted: readonly string[];
}

export interface DrainOptions extends InvokeOptions {
  /** Invocations before giving up (a message that never settles must not hang the test). */
  readonly maxInvocations?: number;
  /** Records per invocation (the event source's BatchSize). */
  readonly batchSize?: number;
}

let requestSequence = 0;

/**
 * The whole pipeline in memory, as the composition root builds it, with every source of time, chance
 * and output under the test's control: a manual clock (auto-advancing through backoff sleeps), a seeded
 * random, recording logger and metrics. `deliver` and `drain` play the Lambda SQS event source: receive
 * a batch with the queue's visibility timeout, call the worker, delete what it did not return.
 */
export class PipelineFixture {
  readonly config: PipelineConfig;
  readonly clock = new ManualClock({ autoAdvance: true });
  readonly random: SeededRandom;
  readonly logger = new RecordingLogger();
  readonly metrics = new RecordingMetrics();
  readonly infrastructure: MemoryInfrastructure;
  readonly container: Container;

  constructor(options: PipelineFixtureOptions = {}) {
    this.config = loadConfig({ PIPELINE_BACKEND: 'memory', ALLOW_FAILURE_SIMULATION: 'true', ...options.env });
    this.random = new SeededRandom(options.seed ?? 20_260_101);
    const services: RuntimeServices = { clock: this.clock, random: this.random, logger: this.logger, metrics: this.metrics };
    const built = createMemoryInfrastructure(this.config, this.clock, this.random, { ...DEFAULT_MEMORY_QUEUES, ...options.queues });
    this.infrastructure = {
      ...built,
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.wrapOrderQueue === undefined ? {} : { orderQueue: options.wrapOrderQueue(built.orderQueue) }),
    };
    this.container = createContainer(this.config, memoryAdaptersModule(this.infrastructure), services);
    this.stream = new MemoryTableStream(this.infrastructure.store, this.clock);
  }

  /** The table's change stream, as the outbox pipe reads it. */
  readonly stream: MemoryTableStream;

  /**
   * One pass of the outbox pipe: every stream record so far that carries undelivered events goes to the
   * real relay (the outbox-relay handler) in one batch; returns its partial batch response's failed ids.
   */
  async relayOutbox(): Promise<string[]> {
    const records = await this.stream.peek(this.stream.length);
    this.stream.advance(records.length);
    const batch = records.filter(passesOutboxFilter);
    if (batch.length === 0) return [];
    const response = await createOutboxRelayHandler(() => this.container)(batch);
    return response.batchItemFailures.map((failure) => failure.itemIdentifier);
  }

  /** The events a record committed to its outbox (delivered or not), optionally of one detail type. */
  async committedEvents(key: string, detailType?: string): Promise<readonly OutboxEntry[]> {
    const outbox = (await this.record(key))?.outbox ?? [];
    return detailType === undefined ? outbox : outbox.filter((entry) => entry.detailType === detailType);
  }

  get<T>(id: ServiceIdentifier<T>): T {
    return this.container.get<T>(id);
  }

  get breakers(): CircuitBreakers {
    return this.container.get<CircuitBreakers>(TOKENS.CircuitBreakers);
  }

  get orderQueueName(): string {
    return this.infrastructure.queues.orderQueueName;
  }

  get deadLetterQueueName(): string {
    return this.infrastructure.queues.deadLetterQueueName;
  }

  /** POST /orders without the HTTP edge. */
  ingest(
    body: unknown,
    options: { correlationId?: string; idempotencyKey?: string; simulation?: FailureSimulation } = {},
  ): Promise<IngestOrderResult> {
    return this.get(IngestOrder).execute({
      body,
      correlationId: options.correlationId ?? 'corr-test',
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      ...(options.simulation === undefined ? {} : { simulation: options.simulation }),
    });
  }

  /** Ingests and insists it was accepted; returns the idempotency key. */
  async accept(
    order: Order,
    options: { correlationId?: string; idempotencyKey?: string; simulation?: FailureSimulation } = {},
  ): Promise<string> {
    const result = await this.ingest(order, options);
    if (result.kind !== 'ACCEPTED') throw new Error(`expected ACCEPTED, got ${JSON.stringify(result)}`);
    return result.idempotencyKey;
  }

  /**
   * A copy of an order's message that no edge reserved: SQS delivering a message twice, or a message
   * published before the edge reserved keys. The worker's claim decides what it is.
   */
  sendCopy(order: Order, options: { correlationId?: string; idempotencyKey?: string } = {}): string {
    const { idempotencyKey, payloadHash } = orderIdentity(order, options.idempotencyKey);
    const envelope: OrderEnvelope = {
      idempotencyKey,
      correlationId: options.correlationId ?? 'corr-copy',
      body: { schemaVersion: SCHEMA_VERSION, order, payloadHash, acceptedAt: this.clock.now() },
    };
    return this.sendRaw(JSON.stringify(envelope.body), orderMessageAttributes(envelope));
  }

  /** A message put on the order queue by hand (a producer that skipped the ingest, or a corrupt one). */
  sendRaw(body: string, attributes: Readonly<Record<string, string>> = {}): string {
    return this.infrastructure.sqs.sendMessage(this.orderQueueName, { body, attributes });
  }

  /** ReceiveMessage as the event source does it: the queue's own visibility timeout. */
  receive(max = 10): QueueMessage[] {
    return this.infrastructure.sqs.receiveMessages(this.orderQueueName, { maxMessages: max });
  }

  /** Calls WorkOrderBatch with `messages`, then deletes every record it did not return (ReportBatchItemFailures). */
  async work(messages: readonly QueueMessage[], options: InvokeOptions = {}): Promise<Invocation> {
    const remaining = options.remainingTimeMs;
    const result = await this.get(WorkOrderBatch).execute({
      messages,
      requestId: options.requestId ?? nextRequestId(),
      remainingTimeMs: () => remaining,
    });
    return { messages, result, deleted: this.deleteSucceeded(messages, result.batchItemFailures) };
  }

  /** Deletes every message not listed as a failure; returns the deleted message ids. */
  deleteSucceeded(messages: readonly QueueMessage[], failures: readonly string[]): string[] {
    const deleted: string[] = [];
    for (const message of messages) {
      if (failures.includes(message.messageId)) continue;
      this.infrastructure.sqs.deleteMessage(this.orderQueueName, message.receiptHandle);
      deleted.push(message.messageId);
    }
    return deleted;
  }

  /** One poll of the event source: undefined when nothing was visible. */
  async deliver(options: DrainOptions = {}): Promise<Invocation | undefined> {
    const messages = this.receive(options.batchSize ?? 10);
    if (messages.length === 0) return undefined;
    return this.work(messages, options);
  }

  /**
   * Polls until the order queue is empty, moving the clock to the next message's visibility whenever
   * nothing is visible (backoff, delays, visibility timeouts), as time would pass in production.
   */
  async drain(options: DrainOptions = {}): Promise<Invocation[]> {
    const invocations: Invocation[] = [];
    const limit = options.maxInvocations ?? 50;
    while (invocations.length < limit) {
      const invocation = await this.deliver(options);
      if (invocation !== undefined) {
        invocations.push(invocation);
        continue;
      }
      const next = this.nextVisibleAt(this.orderQueueName);
      if (next === undefined) return invocations;
      await this.clock.set(next);
    }
    throw new Error(`order queue did not drain within ${limit} invocations: ${JSON.stringify(this.orderQueue())}`);
  }

  /** Moves the clock to when the next message of `queueName` becomes visible; false when the queue is empty. */
  async advanceToNextVisible(queueName = this.orderQueueName): Promise<boolean> {
    const next = this.nextVisibleAt(queueName);
    if (next === undefined) return false;
    await this.clock.set(Math.max(next, this.clock.now()));
    return true;
  }

  orderQueue(): PeekedMessage[] {
    return this.infrastructure.sqs.peekAll(this.orderQueueName);
  }

  deadLetters(): PeekedMessage[] {
    return this.infrastructure.sqs.peekAll(this.deadLetterQueueName);
  }

  record(key: string): Promise<IdempotencyRecord | undefined> {
    return this.infrastructure.store.get(key, this.clock.now());
  }

  /** Events delivered by the bus, optionally of one detail type. */
  events(detailType?: string): readonly PipelineEvent[] {
    const delivered = this.infrastructure.bus.delivered();
    return detailType === undefined ? delivered : delivered.filter((event) => event.detailType === detailType);
  }

  private nextVisibleAt(queueName: string): number | undefined {
    const times = this.infrastructure.sqs.peekAll(queueName).map((message) => message.visibleAt);
    return times.length === 0 ? undefined : Math.min(...times);
  }
}

function nextRequestId(): string {
  requestSequence += 1;
  return `req-${String(requestSequence).padStart(4, '0')}`;
}
