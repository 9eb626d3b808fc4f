import { expect } from 'chai';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { orderIdentity } from '../../application/use-cases/publish-order.js';
import type { Order } from '../../domain/order.js';
import { routesToNewTopology } from '../../domain/traffic-split.js';
import type { QueueDepth } from '../../harness/backends/backend.js';
import { startHarness } from '../../harness/server/start-harness.js';
import { OrderMother } from '../domain/order-mother.js';
import { motoHarnessEnv, useMotoServer } from '../../tools/moto/moto.js';
import { FAST_ENV, FAST_HARNESS, type RunningHarness, useTestHarnesses } from './support/harness-fixture.js';
import type { PipelineClient } from './support/pipeline-client.js';

// At the top level, as useMotoServer asks: inside a describe its `after` stopped the shared server for
// every aws spec file after this one (the outbox spec's moto run failed with ECONNREFUSED).
const moto = useMotoServer();
import { waitFor } from './support/wait-for.js';

const EMPTY: QueueDepth = { visible: 0, inFlight: 0, delayed: 0 };

/** The key the publishers route by: derived from the order, as no client key is given here. */
function keyOf(order: Order): string {
  return orderIdentity(order, undefined).idempotencyKey;
}

/** The first `count` orders `<prefix>-0, -1, …` that the split at `share` sends to the orchestrated topology (or, with `orchestrated` false, keeps on the worker). */
function ordersRouted(prefix: string, share: number, orchestrated: boolean, count: number): Order[] {
  const found: Order[] = [];
  for (let index = 0; found.length < count; index += 1) {
    const order = OrderMother.valid({ orderId: `${prefix}-${index}` });
    if (routesToNewTopology(keyOf(order), share) === orchestrated) found.push(order);
  }
  return found;
}

/** The keys the consume pipe's succeeded executions name, one per execution. */
function workflowExecutions(logs: readonly string[]): string[] {
  return logs
    .map((line) => JSON.parse(line) as { message: string; idempotencyKey?: string })
    .filter((entry) => entry.message === 'workflow execution succeeded')
    .map((entry) => String(entry.idempotencyKey));
}

async function postAccepted(client: PipelineClient, order: Order): Promise<string> {
  const accepted = await client.postOrder(order);
  expect(accepted.status, order.orderId).to.equal(202);
  expect(accepted.body.idempotencyKey, 'the key the spec routes by is the one the pipeline uses').to.equal(keyOf(order));
  return keyOf(order);
}

async function rest(running: RunningHarness, timeoutMs?: number): Promise<void> {
  await waitFor('both queues to drain', async () => ((await running.harness.quiet()) ? true : undefined), timeoutMs);
}

describe('Local harness: both topologies side by side (--topology both)', () => {
  const harnesses = useTestHarnesses();

  it('sends each order to one topology by its key: at share 50 the workflow consumes the orchestrated share, the worker the rest, each order committed once', async () => {
    // Prepare
    const running = await harnesses.start({ topology: 'both', orchestratedSharePercent: 50 });
    const { client, logs } = running;
    const orders = Array.from({ length: 20 }, (_, index) => OrderMother.valid({ orderId: `split-${index}` }));
    const orchestrated = orders.map(keyOf).filter((key) => routesToNewTopology(key, 50));
    expect(orchestrated.length, 'the sample takes both paths').to.be.within(3, 17);

    // Act
    const keys: string[] = [];
    for (const order of orders) keys.push(await postAccepted(client, order));
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED']);
    await rest(running);

    // Assess
    for (const key of keys) {
      const expected = orchestrated.includes(key) ? { 'consume-pipe': 1 } : { worker: 1 };
      expect((await client.order(key)).body.consumedBy, key).to.deep.equal(expected);
    }
    expect(workflowExecutions(logs).sort(), 'the consume workflow ran exactly the orchestrated share').to.deep.equal(
      [...orchestrated].sort(),
    );
    const metrics = await client.metrics();
    expect(metrics.commits).to.deep.equal({ total: orders.length, committedTwice: [] });
    expect(metrics.records.byStatus.SUCCEEDED).to.equal(orders.length);
    expect(await client.events({ type: 'OrderProcessed' })).to.have.length(orders.length);
    expect(metrics).to.deep.include({ topology: 'both', orchestratedSharePercent: 50 });
    expect(metrics.orchestratedQueue).to.deep.equal({ ...EMPTY, depth: 0 });
    expect(metrics.orchestratedEventSource?.recordsDeleted).to.equal(orchestrated.length);
    expect(metrics.eventSource.recordsDeleted).to.equal(orders.length - orchestrated.length);
  });

  it('answers a copy of a worked order as a duplicate, whichever API took it: nothing is queued again, nothing committed twice', async () => {
    // Prepare: one order of each path, worked once through POST /orders.
    const running = await harnesses.start({ topology: 'both', orchestratedSharePercent: 50 });
    const { client, logs } = running;
    const [toWorkflow] = ordersRouted('dup-orchestrated', 50, true, 1);
    const [toWorker] = ordersRouted('dup-worker', 50, false, 1);
    if (toWorkflow === undefined || toWorker === undefined) throw new Error('no order found for a path');
    for (const order of [toWorkflow, toWorker]) await client.waitForStatus(await postAccepted(client, order), ['SUCCEEDED']);

    // Act: the same bodies again, through the ingest workflow: its publish step finds each key reserved.
    const answers = [];
    for (const order of [toWorkflow, toWorker]) answers.push(await client.postOrder(order, {}, '/orchestrated/orders'));
    await rest(running);

    // Assess
    for (const answer of answers) {
      expect(answer.status, 'the same contract: a known finished order is 200').to.equal(200);
      expect(answer.body).to.include({ status: 'SUCCEEDED', duplicate: true });
    }
    expect((await client.order(keyOf(toWorkflow))).body.consumedBy).to.deep.equal({ 'consume-pipe': 1 });
    expect((await client.order(keyOf(toWorker))).body.consumedBy, 'an order of the worker stays on the worker').to.deep.equal({
      worker: 1,
    });
    expect(workflowExecutions(logs)).to.deep.equal([keyOf(toWorkflow)]);
    for (const order of [toWorkflow, toWorker])
      expect(await running.client.events({ type: 'OrderProcessed', idempotencyKey: keyOf(order) }), order.orderId).to.have.length(1);
    expect((await client.metrics()).commits).to.deep.equal({ total: 2, committedTwice: [] });
  });

  it('sends everything to the worker at share 0: the orchestrated queue exists, its pipe runs, and it stays empty', async () => {
    // Prepare
    const running = await harnesses.start({ topology: 'both', orchestratedSharePercent: 0 });
    const { client, logs } = running;
    const orders = Array.from({ length: 8 }, (_, index) => OrderMother.valid({ orderId: `share-0-${index}` }));

    // Act: through both APIs.
    const keys: string[] = [];
    for (const order of orders.slice(0, 6)) keys.push(await postAccepted(client, order));
    for (const order of orders.slice(6)) {
      expect((await client.postOrder(order, {}, '/orchestrated/orders')).status).to.equal(202);
      keys.push(keyOf(order));
    }
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED']);
    await rest(running);

    // Assess
    for (const key of keys) expect((await client.order(key)).body.consumedBy, key).to.deep.equal({ worker: 1 });
    const metrics = await client.metrics();
    expect(metrics.orchestratedSharePercent).to.equal(0);
    expect(metrics.orchestratedQueue).to.deep.equal({ ...EMPTY, depth: 0 });
    expect(metrics.orchestratedEventSource?.recordsDelivered, 'nothing ever reached the orchestrated queue').to.equal(0);
    expect(workflowExecutions(logs)).to.deep.equal([]);
    expect(metrics.commits).to.deep.equal({ total: orders.length, committedTwice: [] });
  });

  it('drains both queues on stop: every order accepted before it is worked to SUCCEEDED, whichever consumer has it', async () => {
    // Prepare: batches of one and a slow DynamoDB in both consumers, so that both queues still hold orders when the stop begins.
    const running = await harnesses.start({
      topology: 'both',
      orchestratedSharePercent: 50,
      batchSize: 1,
      latencyMs: { dynamodb: 150 },
      faultFunctions: ['worker', 'idempotency', 'processor', 'outbox-relay'],
      drainTimeoutMs: 15_000,
    });
    const { client, harness } = running;
    const orders = [...ordersRouted('drain-orchestrated', 50, true, 4), ...ordersRouted('drain-worker', 50, false, 4)];
    const keys: string[] = [];
    for (const order of orders) keys.push(await postAccepted(client, order));
    const before = await harness.backend.depths();
    const pending = (depth: QueueDepth | undefined): number => (depth === undefined ? 0 : depth.visible + depth.inFlight);
    expect(pending(before.orders), 'the order queue still holds orders').to.be.at.least(1);
    expect(pending(before.orchestrated), 'the orchestrated queue still holds orders').to.be.at.least(1);

    // Act
    const summary = await harness.stop();

    // Assess
    expect(summary.drained).to.equal(true);
    expect(summary.remaining).to.deep.equal({ orders: EMPTY, deadLetters: EMPTY, orchestrated: EMPTY, outboxDeadLetters: EMPTY });
    for (const key of keys) {
      expect((await harness.backend.record(key, Date.now()))?.status, key).to.equal('SUCCEEDED');
      expect(harness.commits.commitsOf(key), key).to.equal(1);
    }
  });

  it('keeps the other topologies to one queue: no orchestrated route, queue or share, whatever the environment says', async () => {
    for (const topology of ['composed', 'orchestrated'] as const) {
      const running = await harnesses.start({ topology }, { ORCHESTRATED_SHARE_PERCENT: '50' });
      const { client, harness } = running;
      const answer = await client.postOrder(OrderMother.valid({ orderId: `single-${topology}` }), {}, '/orchestrated/orders');
      const metrics = await client.metrics();

      expect(answer.status, topology).to.equal(404);
      expect(harness.config.orchestratedSharePercent, topology).to.equal(0);
      expect(metrics, topology).to.not.have.any.keys('orchestratedQueue', 'orchestratedSharePercent', 'orchestratedEventSource');
      expect(harness.orchestratedEventSource, topology).to.equal(undefined);
      await harness.stop();
    }
  });

  it('refuses topology both on aws without the orchestrated queue, before reaching AWS, saying how to get one', async () => {
    const starting = startHarness(
      { ...FAST_HARNESS, backend: 'aws', topology: 'both' },
      {
        env: {
          ...FAST_ENV,
          ORDER_QUEUE_URL: 'http://127.0.0.1:9/q',
          DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/dlq',
          IDEMPOTENCY_TABLE_NAME: 't',
          EVENT_BUS_NAME: 'b',
        },
        write: () => undefined,
      },
    );
    const error = await starting.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(String(error)).to.include('set ORCHESTRATED_QUEUE_URL, or pass --bootstrap');
  });

  describe('on the AWS adapters (moto)', function () {
    this.timeout(60_000);
    beforeEach(async () => {
      await moto.server.reset();
    });

    it('bootstraps the orchestrated queue as the order queue is built, with the same DLQ, and splits orders between the worker and the workflow', async () => {
      // Prepare
      const env = motoHarnessEnv(moto.server);
      const running = await harnesses.start({ backend: 'aws', bootstrap: true, topology: 'both', orchestratedSharePercent: 50 }, env);
      const { client, harness } = running;
      const orders = [...ordersRouted('aws-orchestrated', 50, true, 2), ...ordersRouted('aws-worker', 50, false, 2)];

      // Act
      const keys: string[] = [];
      for (const order of orders) keys.push(await postAccepted(client, order));
      for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
      await rest(running, 20_000);

      // Assess
      expect(harness.config.orchestratedQueueUrl).to.match(/orders-local-orchestrated$/);
      for (const [index, key] of keys.entries())
        expect((await client.order(key)).body.consumedBy, key).to.deep.equal(index < 2 ? { 'consume-pipe': 1 } : { worker: 1 });
      const sqs = createAwsClients({}, env).sqs;
      try {
        const attributes = async (queueUrl: string): Promise<Record<string, string> | undefined> =>
          (
            await sqs.send(
              new GetQueueAttributesCommand({
                QueueUrl: queueUrl,
                AttributeNames: ['VisibilityTimeout', 'MessageRetentionPeriod', 'RedrivePolicy'],
              }),
            )
          ).Attributes;
        expect(await attributes(String(harness.config.orchestratedQueueUrl))).to.deep.equal(await attributes(harness.config.orderQueueUrl));
      } finally {
        sqs.destroy();
      }
      expect((await client.metrics()).commits).to.deep.equal({ total: orders.length, committedTwice: [] });
    });
  });
});
