import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

describe('Local harness: injected faults', () => {
  const harnesses = useTestHarnesses();

  it('opens the DynamoDB breaker under injected faults, holds orders back while open, and closes once the faults stop', async () => {
    // The orders are accepted before the faults start (the batching window holds them on the queue): the
    // faults reach the worker only, whose breaker opens (the edge's are its own: function-breakers.spec.ts).
    const running = await harnesses.start({ breakerRecoveryMs: 1_000, batchingWindowMs: 1_000 });
    const { client } = running;
    const keys: string[] = [];
    for (const index of [1, 2, 3, 4]) {
      const answer = await client.postOrder(OrderMother.valid({ orderId: `breaker-${index}` }));
      expect(answer.status, 'the edge reserved each key: accepted').to.equal(202);
      keys.push(String(answer.body.idempotencyKey));
    }
    expect((await client.setFaults({ faults: { dynamodb: 1 }, functions: ['worker'] })).status).to.equal(200);
    const open = await waitFor('the dynamodb breaker to open', async () => {
      const metrics = await client.metrics();
      return metrics.breakers.dynamodb.status === 'OPEN' ? metrics : undefined;
    });
    expect(open.faults.injected.dynamodb).to.be.at.least(3);
    expect(open.breakers.sqs.status, 'a fault in one service opens only its breaker').to.equal('CLOSED');

    await client.setFaults({ faults: {} });

    await waitFor(
      'the dynamodb breaker to close',
      async () => ((await client.metrics()).breakers.dynamodb.status === 'CLOSED' ? true : undefined),
      15_000,
    );
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    const metrics = await client.metrics();
    expect(metrics.commits).to.deep.equal({ total: 4, committedTwice: [] });
    expect(
      metrics.failuresByCategory.VALIDATION + metrics.failuresByCategory.PERMANENT,
      'nothing was parked for a dependency outage',
    ).to.equal(0);
  });

  it('recovers from a worker that dies after the business step: the record waits for its lease, the message for its visibility timeout', async () => {
    const running = await harnesses.start({ crashAfter: { process: 1 } });
    const { client } = running;
    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'crash-1' }));
    const key = String(accepted.body.idempotencyKey);
    await waitFor('the worker to crash', async () => ((await client.metrics()).eventSource.outcomes.crashed >= 1 ? true : undefined));
    const afterCrash = await client.order(key);
    expect(afterCrash.body).to.include({ status: 'INFLIGHT', attempts: 1 });
    expect((await client.metrics()).queue.inFlight, 'the message stays invisible until its visibility timeout').to.equal(1);

    await client.setFaults({ crashAfter: {} });

    const done = await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    expect(done.attempts).to.equal(2);
    const metrics = await client.metrics();
    expect(metrics.faults.crashes).to.equal(1);
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    const processed = await client.events({ type: 'OrderProcessed', idempotencyKey: key });
    expect(new Set(processed.map((event) => event.eventId)).size, 'a re-sent event keeps its id').to.equal(1);
  });
});
