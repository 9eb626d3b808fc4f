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
    const cases: {
      readonly name: string;
      readonly send: () => Promise<{ status: number; body: Record<string, unknown> }>;
      readonly status: number;
      readonly code?: string;
    }[] = [
      {
        name: 'not JSON content',
        send: () => client.request('POST', '/orders', 'orderId=1', { 'content-type': 'text/plain' }),
        status: 415,
      },
      {
        name: 'malformed JSON',
        send: () => client.request('POST', '/orders', '{"orderId":', { 'content-type': 'application/json' }),
        status: 400,
        code: 'BODY.MALFORMED_JSON',
      },
      {
        name: 'an empty body',
        send: () => client.request('POST', '/orders', '', { 'content-type': 'application/json' }),
        status: 400,
        code: 'BODY.EMPTY',
      },
      { name: 'no lines', send: () => client.postOrder(OrderMother.valid({ lines: [] })), status: 400, code: 'SCHEMA.ARRAYMINSIZE' },
      {
        name: 'an unknown field',
        send: () => client.postOrder({ ...OrderMother.valid(), coupon: 'FREE' }),
        status: 400,
        code: 'BODY.UNKNOWN_FIELD',
      },
      { name: 'a duplicate SKU', send: () => client.postOrder(OrderMother.withDuplicateSku()), status: 400, code: 'ORDER.DUPLICATE_SKU' },
      { name: 'an unsupported currency', send: () => client.postOrder(OrderMother.withCurrency('XXX')), status: 400 },
      {
        name: 'a total above the maximum',
        send: () => client.postOrder(OrderMother.aboveMaxTotal()),
        status: 400,
        code: 'ORDER.TOTAL_ABOVE_MAXIMUM',
      },
      {
        name: 'a bad Idempotency-Key',
        send: () => client.postOrder(OrderMother.valid(), { 'idempotency-key': 'has spaces' }),
        status: 400,
        code: 'HEADER.INVALID',
      },
      {
        name: 'a simulated validation failure',
        send: () => client.postOrder(OrderMother.valid(), { 'x-simulate-failure': 'validation' }),
        status: 400,
        code: 'SIMULATED.VALIDATION',
      },
    ];
    for (const { name, send, status, code } of cases) {
      const answer = await send();
      expect(answer.status, name).to.equal(status);
      if (code !== undefined)
        expect(
          (answer.body.violations as { code: string }[]).map((violation) => violation.code),
          name,
        ).to.include(code);
    }
    const metrics = await client.metrics();
    expect(metrics.counters.ordersAccepted).to.equal(0);
    expect(metrics.queue.depth).to.equal(0);
  });
});

describe('Local harness: the GET routes', () => {
  const harnesses = useTestHarnesses();

  it('answers a bad query parameter 400 with the reason, and a good one as asked', async () => {
    // Prepare: three orders worked, so six events (published, processed)
    const { client } = await harnesses.start();
    for (const index of [1, 2, 3]) {
      const accepted = await client.postOrder(OrderMother.valid({ orderId: `query-${index}` }));
      await client.waitForStatus(String(accepted.body.idempotencyKey), ['SUCCEEDED']);
    }

    // Act
    const refused = await Promise.all(
      ['limit=-1', 'limit=0', 'limit=abc', 'limit=1001', 'limit=1.5', 'limit=2&limit=3', 'colour=red', 'idempotencyKey=a%20b'].map(
        (query) => client.request('GET', `/events?${query}`),
      ),
    );
    const two = await client.request('GET', '/events?limit=2&type=OrderProcessed');
    const elsewhere = await Promise.all(
      ['/metrics?x=1', '/orders/some-key?verbose=true', '/healthz?probe'].map((path) => client.request('GET', path)),
    );

    // Assess
    for (const answer of [...refused, ...elsewhere]) {
      expect(answer.status).to.equal(400);
      const violations = answer.body.violations as { path: string; code: string; message: string }[];
      expect(violations).to.have.length.greaterThan(0);
      for (const violation of violations) {
        expect(violation.path).to.match(/^query\./);
        expect(violation.message).to.not.equal('');
      }
    }
    expect((refused[0]?.body.violations as { message: string }[])[0]?.message).to.equal('limit must be a whole number from 1 to 1000');
    expect((refused[6]?.body.violations as { code: string }[])[0]?.code).to.equal('QUERY.UNKNOWN_PARAMETER');
    expect(two.status).to.equal(200);
    expect(two.body.total).to.equal(3);
    expect((two.body.events as { detailType: string }[]).map((event) => event.detailType)).to.deep.equal([
      'OrderProcessed',
      'OrderProcessed',
    ]);
  });

  it("carries x-correlation-id on every answer: the client's when well-formed, else one of its own", async () => {
    const { client } = await harnesses.start();
    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'correlated' }));
    const key = String(accepted.body.idempotencyKey);

    const answers = await Promise.all(
      [`/orders/${key}`, '/orders/never-seen', '/events', '/metrics', '/healthz', '/openapi.json', '/events?limit=0'].map((path) =>
        client.request('GET', path, undefined, { 'x-correlation-id': 'corr-get-1' }),
      ),
    );
    const own = await client.request('GET', `/orders/${key}`);

    for (const answer of answers) expect(answer.headers.get('x-correlation-id')).to.equal('corr-get-1');
    expect(own.headers.get('x-correlation-id')).to.be.a('string').and.not.equal('');
  });
});
