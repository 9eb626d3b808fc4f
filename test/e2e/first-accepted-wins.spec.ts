import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';

/*
 * First accepted wins, whatever the timing: two different payloads raced under one Idempotency-Key while
 * nothing has been claimed yet (a batching window keeps the first copy on the queue). The edge reserves
 * the key with the first accepted payload's fingerprint in one conditional write, so exactly one copy is
 * answered 202, the other 422, and the payload committed is the one that got the 202.
 */
describe('Local harness: first accepted wins', () => {
  const harnesses = useTestHarnesses();

  it('answers one of two raced payloads 202 and the other 422, and commits the one answered 202, for every key', async () => {
    const { client, harness } = await harnesses.start({ batchingWindowMs: 500 });
    const races = Array.from({ length: 12 }, (_, index) => ({
      key: `race-key-${index}`,
      a: OrderMother.valid({ orderId: `race-${index}-a` }),
      b: OrderMother.valid({ orderId: `race-${index}-b`, customerId: 'someone-else' }),
    }));

    const answers = await Promise.all(
      races.map(async ({ key, a, b }) => {
        const [first, second] = await Promise.all([a, b].map((order) => client.postOrder(order, { 'idempotency-key': key })));
        return { key, a, b, first: first!, second: second! };
      }),
    );

    for (const { key, a, b, first, second } of answers) {
      expect([first.status, second.status].sort(), key).to.deep.equal([202, 422]);
      const winner = first.status === 202 ? a : b;
      expect(first.status === 202 ? first.body : second.body).to.include({ orderId: winner.orderId, idempotencyKey: key });
      const done = await client.waitForStatus(key, ['SUCCEEDED']);
      expect(done.orderId, `${key}: the payload committed is the one answered 202`).to.equal(winner.orderId);
      const processed = await client.events({ type: 'OrderProcessed', idempotencyKey: key });
      expect(
        processed.map((event) => event.detail.orderId),
        key,
      ).to.deep.equal([winner.orderId]);
    }
    await harness.quiet();
    const metrics = await client.metrics();
    expect(metrics.counters.ordersAccepted).to.equal(races.length);
    expect(metrics.commits).to.deep.equal({ total: races.length, committedTwice: [] });
    expect(metrics.deadLetterQueue.depth + metrics.parked, 'no later payload reached the worker to be parked').to.equal(0);
  });
});
