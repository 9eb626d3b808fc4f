import { expect } from 'chai';
import { useMotoServer } from '../support/moto.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

const moto = useMotoServer();

function motoEnv(): Readonly<Record<string, string>> {
  return { AWS_ENDPOINT_URL: moto.server.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
}

describe('Local harness on the AWS adapters (moto)', function () {
  this.timeout(60_000);
  const harnesses = useTestHarnesses();
  beforeEach(async () => {
    await moto.server.reset();
  });

  it('bootstraps the queues, table and bus, then takes an order through SQS, DynamoDB and EventBridge', async () => {
    const running = await harnesses.start({ backend: 'aws', bootstrap: true }, motoEnv());
    const { client, harness } = running;

    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'aws-1' }));

    expect(accepted.status).to.equal(202);
    const key = String(accepted.body.idempotencyKey);
    const done = await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    expect(done.events.map((event) => event.detailType).sort()).to.deep.equal(['OrderProcessed', 'OrderPublished']);
    await waitFor('the queue to drain', async () => ((await harness.quiet()) ? true : undefined), 20_000);
    const metrics = await client.metrics();
    expect(metrics.backend).to.equal('aws');
    expect(metrics.records.byStatus.SUCCEEDED).to.equal(1);
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    expect(harness.config.orderQueueUrl).to.match(/orders-local$/);
  });

  it('wraps the AWS adapters in the faults: an order waits while DynamoDB fails and its breaker is open, then commits it exactly once after they are cleared', async () => {
    // Prepare: faults from the start (the --faults option), the breakers' 1 s recovery from FAST_HARNESS.
    const running = await harnesses.start({ backend: 'aws', bootstrap: true, faults: { dynamodb: 1 } }, motoEnv());
    const { client, harness } = running;
    const order = OrderMother.valid({ orderId: 'aws-faults-1' });

    // Act: a client retrying its POST. The edge lookup cannot reach the table, so every try is accepted
    // and enqueued again: three copies of one order, and three DynamoDB failures in quick succession.
    const keys = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const accepted = await client.postOrder(order);
      expect(accepted.status, 'the edge lookup is best effort').to.equal(202);
      keys.add(String(accepted.body.idempotencyKey));
    }
    expect(keys.size, 'one order, one idempotency key').to.equal(1);
    const [key = ''] = keys;

    // Assess: the breaker opened, and the worker got every copy and could acknowledge none.
    const open = await waitFor('the dynamodb breaker to open and the worker to return every copy', async () => {
      const metrics = await client.metrics();
      return metrics.breakers.dynamodb.status === 'OPEN' && metrics.eventSource.recordsReturned >= 3 ? metrics : undefined;
    });
    expect(open.faults.injected.dynamodb).to.be.at.least(3);
    expect(open.breakers.sqs.status, 'a fault in one service opens only its breaker').to.equal('CLOSED');
    expect(open.breakers.eventbridge.status).to.equal('CLOSED');
    expect(open.eventSource.recordsDeleted, 'nothing is acknowledged while the table fails').to.equal(0);
    expect(open.commits.total).to.equal(0);
    expect((await client.order(key)).status, 'no claim reached the table').to.equal(404);

    // Act: clear the faults (PUT /admin/faults); the breaker lets a probe through after its recovery time.
    expect((await client.setFaults({ faults: {} })).status).to.equal(200);

    // Assess
    const done = await client.waitForStatus(key, ['SUCCEEDED'], 15_000);
    expect(done.lastErrorCategory).to.equal(null);
    await waitFor('the other copies to be worked off as duplicates', async () => ((await harness.quiet()) ? true : undefined), 15_000);
    const metrics = await client.metrics();
    expect(metrics.breakers.dynamodb.status).to.equal('CLOSED');
    expect(metrics.records.byStatus).to.deep.equal({ INFLIGHT: 0, RETRY: 0, SUCCEEDED: 1, PARKED: 0 });
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    expect(metrics.counters.ordersProcessed, 'the business step ran once for the three copies').to.equal(1);
    const processed = await client.events({ type: 'OrderProcessed', idempotencyKey: key });
    expect(processed.map((event) => event.eventId), 'one OrderProcessed event for the order').to.have.length(1);
  });
});
