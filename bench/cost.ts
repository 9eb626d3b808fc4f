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
 * counted as the SQS requests they are billed as), and the outbox relay (the outbox-relay handler over the
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
import type { SQSEvent } from 'aws-lambda';
import { orderMessageAttributes, SCHEMA_VERSION, type OrderMessageBody } from '../application/orders/order-message.js';
import type { Order } from '../domain/order.js';
import { SqsOrderQueue } from '../adapters/aws/sqs-order-queue.js';
import { AwsTableStream } from '../harness/emulation/streams/aws-table-stream.js';
import { prepareMotoAccount, startMotoServer, type MotoAccount } from '../tools/moto/moto.js';
import { CapacityMeter } from './dynamodb-capacity.js';
import { lambdaContext, toRecord } from './moto-workers.js';
import { createPowertoolsWorker } from './peers/powertools-worker.js';
import {
  DURATION_ASSUMPTION,
  durationPerMillion,
  orchestratedExtras,
  orchestratedUsage,
  priceUsage,
  ROWS,
  type OrderUsage,
  type Row,
} from './order-usage.js';
import { PRICES } from './prices.js';
import { round } from './stats.js';
import { BATCH_SIZE, orderBody, SCENARIOS, Tally, ComposedPipeline, entryCounter, drain, composedRow } from './cost-composed.js';

const PEER_TABLE = 'powertools-idempotency';
/** The order queue's maxReceiveCount (the stacks' and AWS's advice: ≥ 5): how often the peer tries a failure it cannot process. */
const MAX_RECEIVE_COUNT = 5;

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
    const pipeline = new ComposedPipeline(account, stream);
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
