import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

describe('Local harness: dead letters and the redrive', () => {
  const harnesses = useTestHarnesses();

  it('parks a poison message: the worker moves it to the DLQ with its category, the redrive parks it and announces it', async () => {
    const running = await harnesses.start();
    const { client, harness } = running;
    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'poison-1' }), { 'x-simulate-failure': 'permanent' });
    const key = String(accepted.body.idempotencyKey);

    const parked = await client.waitForStatus(key, ['PARKED']);
    await waitFor('the OrderParked event', async () =>
      (await client.events({ type: 'OrderParked', idempotencyKey: key })).length === 1 ? true : undefined,
    );
    await waitFor('both queues to drain', async () => ((await harness.quiet()) ? true : undefined));

    expect(parked).to.include({ attempts: 1, lastErrorCategory: 'PERMANENT' });
    const [event] = await client.events({ type: 'OrderParked', idempotencyKey: key });
    expect(event?.detail).to.include({ category: 'PERMANENT', orderId: 'poison-1' });
    expect(await client.events({ type: 'OrderFailed', idempotencyKey: key })).to.have.length(1);
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(0);
    const metrics = await client.metrics();
    expect(metrics.parked).to.equal(1);
    expect(metrics.parkedByCategory.PERMANENT).to.equal(1);
    expect(metrics.failuresByCategory.PERMANENT).to.equal(1);
    expect(metrics.deadLetterQueue.depth).to.equal(0);
    expect(metrics.commits.total).to.equal(0);
  });

  it('sends a transient failure that outlived maxReceiveCount back from the DLQ with a delay, where it then succeeds', async () => {
    // Two receives fail (transient:2); SQS moves the message to the DLQ on the third receive (maxReceiveCount 2).
    const running = await harnesses.start({ maxReceiveCount: 2, redriveEveryMs: 0 });
    const { client, harness } = running;
    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'transient-1' }), { 'x-simulate-failure': 'transient:2' });
    const key = String(accepted.body.idempotencyKey);
    await waitFor('the message in the DLQ', async () => ((await client.metrics()).deadLetterQueue.depth === 1 ? true : undefined), 20_000);
    expect((await client.order(key)).body).to.include({ status: 'RETRY', attempts: 2, lastErrorCategory: 'TRANSIENT' });

    const report = await client.redrive();

    expect(report.status).to.equal(200);
    expect(report.body).to.include({ received: 1, redriven: 1, parked: 0 });
    const afterRedrive = await client.metrics();
    expect(afterRedrive.queue.delayed, 'redriven with DelaySeconds').to.equal(1);
    expect(afterRedrive.deadLetterQueue.depth).to.equal(0);
    const done = await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    expect(done.attempts).to.equal(3);
    await waitFor('the queue to drain', async () => ((await harness.quiet()) ? true : undefined));
    const metrics = await client.metrics();
    expect(metrics.counters.messagesRedriven).to.equal(1);
    expect(metrics.failuresByCategory.TRANSIENT).to.equal(2);
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
  });
});
