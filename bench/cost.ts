/**
 * `npm run bench:cost` (also part of `npm run bench`): what an order costs, per million orders, in the
 * composed topology, the orchestrated topology and the Powertools peer, from **counted** calls (one per
 * `client.send` the code makes, on moto) and **metered** DynamoDB capacity (bench/dynamodb-capacity.ts:
 * item sizes as DynamoDB sizes them, since moto's ReturnConsumedCapacity answers a constant), priced with
 * bench/prices.ts. Nothing here is timed. Rows: a 1-line order, a 100-line order, a duplicate (the same
 * order posted again; and the same message delivered again), an order that fails once transiently and then
 * succeeds, a parked order (a permanent failure). Then the record's growth: the item's size and the write
 * units of each write of an order, for each of those paths.
 *
 * Composed, measured end to end on moto: the ingest use case (edge), the worker (WorkOrderBatch, batches
 * of 10 as the event source hands them; the event source's own ReceiveMessage and DeleteMessageBatch are
 * counted as the SQS requests they are billed as), and the outbox relay (the events handler over the
 * table's real stream, filtered records in batches of 10 as the pipe hands them).
 * Orchestrated: its steps run the same use cases (publish = reserve + send, idempotency = claim or release,
 * processor = process + complete, the same relay), so its DynamoDB, SQS and EventBridge figures are the
 * composed run's; what it adds is counted from the workflow definitions (application/workflows/): a Lambda
 * invocation per task run, an Express execution per workflow, a pipe request per queue record.
 * Powertools peer (bench/peers/powertools-worker.ts): an edge that only sends the message (no reservation),
 * a worker with Powertools idempotency (lock PutItem, completing UpdateItem, DeleteItem on failure) and one
 * PutEvents per order (no outbox, no relay); a failure it cannot process is retried until the queue's
 * maxReceiveCount moves it to the DLQ.
 */
import 'reflect-metadata';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { InitializeHandler, MetadataBearer } from '@smithy/types';
import type { SQSEvent } from 'aws-lambda';
import { loadConfig } from '../application/config/pipeline-config.js';
import type { FailureSimulation } from '../application/orders/failure-simulation.js';
import { orderMessageAttributes, SCHEMA_VERSION, type OrderMessageBody } from '../application/orders/order-message.js';
import type { Order } from '../domain/order.js';
import type { QueueMessage } from '../application/ports/queue-message.js';
import { IngestOrder } from '../application/use-cases/ingest-order.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { SqsOrderQueue } from '../adapters/aws/sqs-order-queue.js';
import { RecordingLogger } from '../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../adapters/system/seeded-random.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { awsAdaptersModule } from '../harness/pipeline/composition/aws-adapters-module.js';
import { createContainer } from '../harness/pipeline/composition/composition-root.js';
import { createOutboxRelayHandler } from '../handlers/outbox-relay.js';
import { AwsTableStream } from '../harness/emulation/streams/aws-table-stream.js';
import { nextPipeBatch, PIPE_LOOKAHEAD } from '../harness/emulation/streams/table-stream.js';
import { prepareMotoAccount, startMotoServer, type MotoAccount } from '../tools/moto/moto.js';
import { CapacityMeter, type CapacityFigures } from './dynamodb-capacity.js';
import { lambdaContext, toRecord } from './moto-workers.js';
import { createPowertoolsWorker } from './peers/powertools-worker.js';
import {
  DURATION_ASSUMPTION,
  durationPerMillion,
  NO_USAGE,
  orchestratedExtras,
  orchestratedUsage,
  priceUsage,
  ROWS,
  type OrderUsage,
  type Row,
} from './order-usage.js';
import { PRICES } from './prices.js';
import { round } from './stats.js';

const BATCH_SIZE = 10;
const PEER_TABLE = 'powertools-idempotency';
/** The order queue's maxReceiveCount (the stacks' and AWS's advice: ≥ 5): how often the peer tries a failure it cannot process. */
const MAX_RECEIVE_COUNT = 5;

function orderBody(orderId: string, lines: number): Record<string, unknown> {
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

interface Scenario {
  readonly row: Row;
  readonly lines: number;
  readonly simulation?: FailureSimulation;
}

const SCENARIOS: Record<Exclude<Row, 'duplicate POST' | 'duplicate delivery'>, Scenario> = {
  '1-line order': { row: '1-line order', lines: 1 },
  '100-line order': { row: '100-line order', lines: 100 },
  'transient failure, then success': { row: 'transient failure, then success', lines: 1, simulation: { kind: 'transient', times: 1 } },
  'parked order': { row: 'parked order', lines: 1, simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER } },
};

/** Sums counted calls and metered capacity over a scenario, per order. */
class Tally {
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
class ComposedPipeline {
  readonly ingest: IngestOrder;
  readonly worker: WorkOrderBatch;
  readonly relay: ReturnType<typeof createOutboxRelayHandler>;
  readonly queue: SqsOrderQueue;
  private invocation = 0;

  constructor(
    private readonly account: MotoAccount,
    private readonly meter: CapacityMeter,
    private readonly stream: AwsTableStream,
  ) {
    const { resources, clients } = account;
    const config = loadConfig({
      PIPELINE_BACKEND: 'aws',
      ALLOW_FAILURE_SIMULATION: 'true',
      BACKOFF_BASE_SECONDS: '0',
      ORDER_QUEUE_URL: resources.orderQueueUrl,
      DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
      IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
      EVENT_BUS_NAME: resources.eventBusName,
    });
    const services = {
      clock: new SystemClock(),
      random: new SeededRandom(20_261_206),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    };
    const container = createContainer(config, awsAdaptersModule(config, services.clock, services.random, clients), services);
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
class EventEntryCounter {
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

const entryCounter = new EventEntryCounter();

/** Resets the meters between scenarios and answers what they read since the last time. */
function drain(meter: CapacityMeter): { capacity: CapacityFigures; events: number } {
  return { capacity: meter.take(), events: entryCounter.take() };
}

/** One composed scenario, per order: edge, worker, relay, capacity and the record's sizes. */
async function composedRow(
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

/** The Powertools peer on moto: an edge that only sends, the peer worker, no relay. */
async function peerRow(
  account: MotoAccount,
  meter: CapacityMeter,
  row: Row,
  lines: number,
  orderIds: readonly string[],
  fail: 'none' | 'once' | 'always',
): Promise<OrderUsage> {
  const { clients, resources } = account;
  const failedOnce = new Set<string>();
  const worker = createPowertoolsWorker({
    dynamodb: clients.dynamodb,
    eventBridge: clients.eventBridge,
    tableName: PEER_TABLE,
    eventBusName: resources.eventBusName,
    beforeProcessing: (orderId) => {
      if (fail === 'always' || (fail === 'once' && !failedOnce.has(orderId))) {
        failedOnce.add(orderId);
        throw new Error(`simulated ${fail === 'once' ? 'transient' : 'permanent'} failure`);
      }
    },
  });
  const queue = new SqsOrderQueue({ client: clients.sqs, queueUrl: resources.orderQueueUrl });
  const tally = new Tally();
  drain(meter);
  account.sends.reset();
  for (let start = 0; start < orderIds.length; start += BATCH_SIZE) {
    await queue.send(
      orderIds.slice(start, start + BATCH_SIZE).map((orderId, index) => {
        const order = orderBody(orderId, lines) as unknown as Order;
        const body = JSON.stringify({ schemaVersion: SCHEMA_VERSION, order, payloadHash: `hash-${orderId}`, acceptedAt: Date.now() });
        return {
          id: `p${index}`,
          body,
          attributes: orderMessageAttributes({
            body: JSON.parse(body) as OrderMessageBody,
            idempotencyKey: `peer-${row}-${orderId}`,
            correlationId: `peer-${orderId}`,
          }),
        };
      }),
    );
  }
  tally.add({ httpRequests: orderIds.length, lambdaInvocations: orderIds.length, sqsRequests: orderIds.length });
  account.sends.reset();
  const attempts = new Map<string, number>();
  for (let empty = 0; empty < 2;) {
    const batch = await queue.receive(BATCH_SIZE, 30);
    tally.add({ sqsRequests: 1 });
    if (batch.length === 0) {
      empty += 1;
      continue;
    }
    empty = 0;
    const event: SQSEvent = { Records: batch.map(toRecord) };
    account.sends.reset();
    // Powertools throws when every record of a batch failed (Lambda then returns the whole batch): the same outcome.
    const response = await worker(event, lambdaContext(`peer-${row}`)).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'FullBatchFailureError') throw error;
      return { batchItemFailures: batch.map((message) => ({ itemIdentifier: message.messageId })) };
    });
    tally.addCalls(account);
    tally.add({ lambdaInvocations: 1 });
    const failures = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = batch.filter((message) => {
      if (!failures.has(message.messageId)) return true;
      const tries = (attempts.get(message.body) ?? 0) + 1;
      attempts.set(message.body, tries);
      return tries >= MAX_RECEIVE_COUNT; // SQS moves it to the DLQ: no delete by the event source, and no further receive.
    });
    const deleted = done.filter((message) => !failures.has(message.messageId));
    await queue.delete(done.map((message) => message.receiptHandle));
    // What the worker returned comes back once its visibility timeout runs out; the bench does not wait for it.
    const retried = batch.filter((message) => failures.has(message.messageId) && !done.includes(message));
    if (retried.length > 0)
      await queue.changeVisibility(retried.map((message) => ({ receiptHandle: message.receiptHandle, timeoutSeconds: 0 })));
    if (deleted.length > 0) tally.add({ sqsRequests: 1 });
  }
  tally.add({ sqsRequests: -2 });
  tally.addCapacity(drain(meter));
  const usage = tally.perOrder(orderIds.length);
  return usage;
}

export interface CostReport {
  readonly prices: { readonly date: string; readonly region: string };
  readonly durationAssumption: typeof DURATION_ASSUMPTION;
  readonly usage: Record<'composed' | 'orchestrated' | 'powertoolsPeer', Record<string, OrderUsage>>;
  readonly costPerMillionOrders: Record<'composed' | 'orchestrated' | 'powertoolsPeer', Record<string, Record<string, number>>>;
  readonly lambdaDurationPerMillionOrders: Record<'composed' | 'orchestrated' | 'powertoolsPeer', Record<string, number>>;
  readonly ratios: Record<string, number>;
}

export async function measureCost(ordersPerRow = 10): Promise<CostReport> {
  const server = await startMotoServer();
  try {
    const account = await prepareMotoAccount(server, { requestTimeoutMs: 20_000 });
    const peek = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const meter = new CapacityMeter(peek).attach(account.clients.dynamodb);
    entryCounter.attach(account.clients.eventBridge);
    await account.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: PEER_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const streams = new DynamoDBStreamsClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const stream = await AwsTableStream.open(streams, account.resources.idempotencyStreamArn, 'TRIM_HORIZON');
    const pipeline = new ComposedPipeline(account, meter, stream);
    const ids = (prefix: string): string[] =>
      Array.from({ length: ordersPerRow }, (_, index) => `${prefix}-${String(index).padStart(4, '0')}`);

    const composed: Record<string, OrderUsage> = {};
    for (const scenario of Object.values(SCENARIOS))
      composed[scenario.row] = await composedRow(
        pipeline,
        account,
        meter,
        scenario,
        ids(`c${scenario.lines}-${scenario.simulation?.kind ?? 'ok'}`),
      );
    // Duplicates of orders already worked and relayed: posted again, and their messages delivered again.
    const twice = ids('c-dup');
    const setup = new Tally();
    await pipeline.post(setup, twice, SCENARIOS['1-line order']);
    const delivered = await pipeline.work(setup);
    await pipeline.relayAll(setup);
    drain(meter);
    account.sends.reset();
    const dupPost = new Tally();
    await pipeline.post(dupPost, twice, SCENARIOS['1-line order']);
    dupPost.addCalls(account);
    await pipeline.relayAll(dupPost);
    dupPost.addCapacity(drain(meter));
    composed['duplicate POST'] = dupPost.perOrder(twice.length);
    await pipeline.redeliver(delivered);
    account.sends.reset();
    const dupDelivery = new Tally();
    await pipeline.work(dupDelivery);
    await pipeline.relayAll(dupDelivery);
    dupDelivery.addCapacity(drain(meter));
    composed['duplicate delivery'] = dupDelivery.perOrder(twice.length);

    const peer: Record<string, OrderUsage> = {};
    peer['1-line order'] = await peerRow(account, meter, '1-line order', 1, ids('p1'), 'none');
    peer['100-line order'] = await peerRow(account, meter, '100-line order', 100, ids('p100'), 'none');
    peer['transient failure, then success'] = await peerRow(account, meter, 'transient failure, then success', 1, ids('pt'), 'once');
    peer['parked order'] = await peerRow(account, meter, 'parked order', 1, ids('pp'), 'always');
    // The peer's duplicates: its edge has no reservation, so a POST again is a new message, delivered and answered from the lock.
    await peerRow(account, meter, 'duplicate delivery', 1, ids('pd'), 'none');
    const again = await peerRow(account, meter, 'duplicate delivery', 1, ids('pd'), 'none');
    peer['duplicate POST'] = again;
    peer['duplicate delivery'] = {
      ...again,
      httpRequests: 0,
      lambdaInvocations: round(again.lambdaInvocations - 1, 3),
      sqsRequests: round(again.sqsRequests - 1, 3),
    };

    const orchestrated: Record<string, OrderUsage> = {};
    const expressTasks: Record<string, number> = {};
    for (const row of ROWS) {
      orchestrated[row] = orchestratedUsage(composed[row]!, row);
      expressTasks[row] = orchestratedExtras(row).expressTasks;
    }
    const price = (rows: Record<string, OrderUsage>) =>
      Object.fromEntries(Object.entries(rows).map(([row, usage]) => [row, priceUsage(usage)]));
    const duration = (rows: Record<string, OrderUsage>, tasks: Record<string, number> = {}) =>
      Object.fromEntries(Object.entries(rows).map(([row, usage]) => [row, durationPerMillion(usage, tasks[row] ?? 0)]));
    const costPerMillionOrders = { composed: price(composed), orchestrated: price(orchestrated), powertoolsPeer: price(peer) };
    const total = (topology: keyof typeof costPerMillionOrders, row: Row): number => costPerMillionOrders[topology][row]!.total!;
    peek.destroy();
    streams.destroy();
    return {
      prices: { date: PRICES.date, region: PRICES.region },
      durationAssumption: DURATION_ASSUMPTION,
      usage: { composed, orchestrated, powertoolsPeer: peer },
      costPerMillionOrders,
      lambdaDurationPerMillionOrders: {
        composed: duration(composed),
        orchestrated: duration(orchestrated, expressTasks),
        powertoolsPeer: duration(peer),
      },
      ratios: {
        composedVsPeer1Line: round(total('composed', '1-line order') / total('powertoolsPeer', '1-line order')),
        composedVsPeer100Lines: round(total('composed', '100-line order') / total('powertoolsPeer', '100-line order')),
        orchestratedVsComposed1Line: round(total('orchestrated', '1-line order') / total('composed', '1-line order')),
      },
    };
  } finally {
    await server.stop();
  }
}

export function printCost(report: CostReport): void {
  console.log(
    `cost per million orders, USD (list prices ${report.prices.region}, ${report.prices.date}; requests and DynamoDB capacity; Lambda duration apart)`,
  );
  console.log(
    'row                               composed  orchestrated  powertools peer   | composed WRU (+index)  peer WRU   record bytes after each write (composed)',
  );
  for (const row of ROWS) {
    const cost = (topology: 'composed' | 'orchestrated' | 'powertoolsPeer'): string =>
      report.costPerMillionOrders[topology][row]!.total!.toFixed(2).padStart(9);
    const usage = report.usage.composed[row]!;
    const peer = report.usage.powertoolsPeer[row]!;
    console.log(
      `${row.padEnd(32)} ${cost('composed')}  ${cost('orchestrated')}     ${cost('powertoolsPeer')}      | ${String(usage.dynamodbWriteUnits).padStart(6)} (+${usage.dynamodbIndexWriteUnits})       ${String(peer.dynamodbWriteUnits).padStart(6)}    ${usage.recordBytes.join(' → ')}`,
    );
  }
  console.log(
    `Lambda duration (assumption: ${report.durationAssumption.lambdaMsPerInvocation} ms at ${report.durationAssumption.lambdaMemoryGb * 1024} MB per invocation; Express ${report.durationAssumption.expressMsPerTask} ms at 64 MB per task), USD per million 1-line orders: composed ${report.lambdaDurationPerMillionOrders.composed['1-line order']}, orchestrated ${report.lambdaDurationPerMillionOrders.orchestrated['1-line order']}, peer ${report.lambdaDurationPerMillionOrders.powertoolsPeer['1-line order']}`,
  );
  console.log(`ratios: ${JSON.stringify(report.ratios)}`);
}

if (process.argv[1]?.endsWith('cost.ts')) {
  const report = await measureCost(Number(process.argv.find((arg) => arg.startsWith('--orders='))?.split('=')[1] ?? 10));
  printCost(report);
  console.log(JSON.stringify(report));
}
