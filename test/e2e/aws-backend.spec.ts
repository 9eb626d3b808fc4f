import { expect } from 'chai';
import { useMotoServer } from '../support/moto.js';
import { OrderMother } from '../domain/order-mother.js';
import { dumpLogsOnFailure, startTestHarness, type RunningHarness } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

const moto = useMotoServer();

describe('Local harness on the AWS adapters (moto)', function () {
  this.timeout(60_000);
  let running: RunningHarness | undefined;
  beforeEach(async () => {
    await moto.server.reset();
  });
  afterEach(async function () {
    dumpLogsOnFailure(this.currentTest?.state, running);
    await running?.harness.stop();
    running = undefined;
  });

  it('bootstraps the queues, table and bus, then takes an order through SQS, DynamoDB and EventBridge', async () => {
    running = await startTestHarness({ backend: 'aws', bootstrap: true }, {
      AWS_ENDPOINT_URL: moto.server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
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
});
