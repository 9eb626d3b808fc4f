import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { dumpLogsOnFailure, startTestHarness, type RunningHarness } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

describe('Local harness: duplicates', () => {
  let running: RunningHarness | undefined;
  afterEach(async function () {
    dumpLogsOnFailure(this.currentTest?.state, running);
    await running?.harness.stop();
    running = undefined;
  });

  it('answers an exact duplicate of a finished order from the store, and a reused key with a different payload with 422', async () => {
    running = await startTestHarness();
    const { client } = running;
    const order = OrderMother.valid({ orderId: 'dup-1' });
    const first = await client.postOrder(order, { 'idempotency-key': 'client-key-1' });
    expect(first.status).to.equal(202);
    await client.waitForStatus('client-key-1', ['SUCCEEDED']);

    const again = await client.postOrder(order, { 'idempotency-key': 'client-key-1' });
    const reused = await client.postOrder(OrderMother.valid({ orderId: 'dup-1', customerId: 'someone-else' }), { 'idempotency-key': 'client-key-1' });

    expect(again.status).to.equal(200);
    expect(again.body).to.include({ duplicate: true, status: 'SUCCEEDED', idempotencyKey: 'client-key-1' });
    expect(reused.status).to.equal(422);
    expect(reused.body).to.include({ error: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: 'client-key-1' })).to.have.length(1);
    expect((await client.metrics()).counters.ordersAccepted).to.equal(1);
  });

  it('works a burst of identical orders that all got queued exactly once: one commit, one OrderProcessed, the rest suppressed', async () => {
    running = await startTestHarness({ batchingWindowMs: 300 });
    const { client, harness } = running;
    const order = OrderMother.valid({ orderId: 'burst-1' });

    const answers = await Promise.all(Array.from({ length: 5 }, () => client.postOrder(order)));

    expect(answers.map((answer) => answer.status)).to.deep.equal([202, 202, 202, 202, 202]);
    const key = String(answers[0]?.body.idempotencyKey);
    expect(new Set(answers.map((answer) => answer.body.idempotencyKey))).to.deep.equal(new Set([key]));
    await client.waitForStatus(key, ['SUCCEEDED']);
    await waitFor('the queue to drain', async () => ((await harness.quiet()) ? true : undefined), 15_000);
    const metrics = await client.metrics();
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
    expect(metrics.counters.duplicatesSuppressed).to.equal(4);
    expect(metrics.idempotency.hits).to.be.at.least(4);
  });
});
