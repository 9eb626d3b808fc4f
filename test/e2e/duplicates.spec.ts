import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import type { HttpAnswer } from './support/pipeline-client.js';
import { waitFor } from './support/wait-for.js';

describe('Local harness: duplicates', () => {
  const harnesses = useTestHarnesses();

  it('answers an exact duplicate of a finished order from the store, and a reused key with a different payload with 422', async () => {
    const running = await harnesses.start();
    const { client } = running;
    const order = OrderMother.valid({ orderId: 'dup-1' });
    const first = await client.postOrder(order, { 'idempotency-key': 'client-key-1' });
    expect(first.status).to.equal(202);
    await client.waitForStatus('client-key-1', ['SUCCEEDED']);

    const again = await client.postOrder(order, { 'idempotency-key': 'client-key-1' });
    const reused = await client.postOrder(OrderMother.valid({ orderId: 'dup-1', customerId: 'someone-else' }), {
      'idempotency-key': 'client-key-1',
    });

    expect(again.status).to.equal(200);
    expect(again.body).to.include({ duplicate: true, status: 'SUCCEEDED', idempotencyKey: 'client-key-1' });
    expect(reused.status).to.equal(422);
    expect(reused.body).to.include({ error: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: 'client-key-1' })).to.have.length(1);
    expect((await client.metrics()).counters.ordersAccepted).to.equal(1);
  });

  it('answers each copy in a burst of identical orders as the API documents, and works the order once: one commit, one OrderProcessed, every other copy suppressed', async () => {
    // The batching window makes it likely that copies the edge accepted meet in one batch, where only the
    // worker's claim keeps them apart; how many the edge accepts depends on scheduling, so no count is assumed.
    const running = await harnesses.start({ batchingWindowMs: 300 });
    const { client, harness } = running;
    const order = OrderMother.valid({ orderId: 'burst-1' });

    const answers = await Promise.all(Array.from({ length: 5 }, () => client.postOrder(order)));

    const accepted = answers.filter((answer) => answer.status === 202);
    // A record exists only once a copy has been queued, so the first copy the edge looked up was accepted.
    expect(accepted, 'at least one copy accepted').to.have.length.greaterThan(0);
    const key = String(accepted[0]?.body.idempotencyKey);
    for (const answer of answers) expectAnswerToACopy(answer, key);
    await client.waitForStatus(key, ['SUCCEEDED']);
    await waitFor('the queue to drain', async () => ((await harness.quiet()) ? true : undefined), 15_000);
    const metrics = await client.metrics();
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
    expect((await client.order(key)).body.status).to.equal('SUCCEEDED');
    expect(metrics.counters.ordersAccepted).to.equal(accepted.length);
    // Copies the edge answered are suppressed there; copies it accepted beyond the first, by the worker's claim.
    expect(metrics.counters.duplicatesSuppressed).to.equal(answers.length - 1);
    expect(metrics.idempotency.workerClaimHits).to.be.at.least(accepted.length - 1);
  });
});

/** README, `POST /orders`: the answers a copy may get, depending on how far an earlier copy has got. */
function expectAnswerToACopy(answer: HttpAnswer, key: string): void {
  const seen = `HTTP ${answer.status} ${JSON.stringify(answer.body)}`;
  expect(answer.body.idempotencyKey, seen).to.equal(key);
  switch (answer.status) {
    case 202:
      expect(answer.body, seen).to.include({ status: 'ACCEPTED' });
      break;
    case 200:
      // Nothing in this run fails, so the only finished state an earlier copy can be in is SUCCEEDED.
      expect(answer.body, seen).to.include({ duplicate: true, status: 'SUCCEEDED' });
      break;
    case 409:
      expect(answer.body, seen).to.include({ error: 'IN_PROGRESS' });
      expect(Number(answer.headers.get('retry-after')), `${seen}: Retry-After`).to.be.above(0);
      break;
    default:
      expect.fail(`not an answer to a copy of an order: ${seen}`);
  }
}
