import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';

describe('Local harness: the happy path', () => {
  const harnesses = useTestHarnesses();

  it('accepts an order over HTTP, works it from the queue and announces it, once', async () => {
    // Prepare
    const running = await harnesses.start();
    const { client } = running;
    const order = OrderMother.valid({ orderId: 'happy-1' });

    // Act
    const accepted = await client.postOrder(order, { 'x-correlation-id': 'corr-happy-1' });

    // Assess
    expect(accepted.status).to.equal(202);
    expect(accepted.body).to.include({ status: 'ACCEPTED', orderId: 'happy-1', correlationId: 'corr-happy-1' });
    const key = String(accepted.body.idempotencyKey);
    expect(accepted.headers.get('location')).to.equal(`/orders/${key}`);
    const done = await client.waitForStatus(key, ['SUCCEEDED']);
    expect(done).to.include({ orderId: 'happy-1', attempts: 1, lastErrorCategory: null });
    expect(done.events.map((event) => event.detailType).sort()).to.deep.equal(['OrderProcessed', 'OrderPublished']);
    const processed = done.events.find((event) => event.detailType === 'OrderProcessed');
    expect(processed?.detail).to.deep.include({ orderId: 'happy-1', idempotencyKey: key, correlationId: 'corr-happy-1' });
    expect(processed?.detail.outcome).to.deep.include({ totalMinor: 4_498, currency: 'EUR' });
    const metrics = await client.metrics();
    expect(metrics.counters.ordersAccepted).to.equal(1);
    expect(metrics.commits).to.deep.equal({ total: 1, committedTwice: [] });
    expect(metrics.records.byStatus.SUCCEEDED).to.equal(1);
    expect(metrics.eventSource.outcomes.succeeded).to.be.at.least(1);
  });

  it('refuses invalid payloads of every kind at the edge, with every reason, and queues nothing', async () => {
    const running = await harnesses.start();
    const { client } = running;
    const cases: { readonly name: string; readonly send: () => Promise<{ status: number; body: Record<string, unknown> }>; readonly status: number; readonly code?: string }[] = [
      { name: 'not JSON content', send: () => client.request('POST', '/orders', 'orderId=1', { 'content-type': 'text/plain' }), status: 415 },
      { name: 'malformed JSON', send: () => client.request('POST', '/orders', '{"orderId":', { 'content-type': 'application/json' }), status: 400, code: 'BODY.MALFORMED_JSON' },
      { name: 'an empty body', send: () => client.request('POST', '/orders', '', { 'content-type': 'application/json' }), status: 400, code: 'BODY.EMPTY' },
      { name: 'no lines', send: () => client.postOrder(OrderMother.valid({ lines: [] })), status: 400, code: 'SCHEMA.ARRAYMINSIZE' },
      { name: 'an unknown field', send: () => client.postOrder({ ...OrderMother.valid(), coupon: 'FREE' }), status: 400, code: 'BODY.UNKNOWN_FIELD' },
      { name: 'a duplicate SKU', send: () => client.postOrder(OrderMother.withDuplicateSku()), status: 400, code: 'ORDER.DUPLICATE_SKU' },
      { name: 'an unsupported currency', send: () => client.postOrder(OrderMother.withCurrency('XXX')), status: 400 },
      { name: 'a total above the maximum', send: () => client.postOrder(OrderMother.aboveMaxTotal()), status: 400, code: 'ORDER.TOTAL_ABOVE_MAXIMUM' },
      { name: 'a bad Idempotency-Key', send: () => client.postOrder(OrderMother.valid(), { 'idempotency-key': 'has spaces' }), status: 400, code: 'HEADER.INVALID' },
      { name: 'a simulated validation failure', send: () => client.postOrder(OrderMother.valid(), { 'x-simulate-failure': 'validation' }), status: 400, code: 'SIMULATED.VALIDATION' },
    ];
    for (const { name, send, status, code } of cases) {
      const answer = await send();
      expect(answer.status, name).to.equal(status);
      if (code !== undefined) expect((answer.body.violations as { code: string }[]).map((violation) => violation.code), name).to.include(code);
    }
    const metrics = await client.metrics();
    expect(metrics.counters.ordersAccepted).to.equal(0);
    expect(metrics.queue.depth).to.equal(0);
  });
});
