import { expect } from 'chai';
import type { Topology } from '../../harness/cli/options.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';

/*
 * One HTTP contract for both topologies: this spec runs unchanged against composed, orchestrated and
 * both. POST /orders answers the same statuses and bodies whichever topology works the order.
 */
for (const topology of ['composed', 'orchestrated', 'both'] as const satisfies readonly Topology[]) {
  describe(`HTTP contract of POST /orders and GET /orders/{key} (--topology ${topology})`, () => {
    const harnesses = useTestHarnesses();
    const start = (overrides = {}) =>
      harnesses.start({ topology, ...(topology === 'both' ? { orchestratedSharePercent: 50 } : {}), ...overrides });

    it("takes the client's Idempotency-Key as the key: 202 with Location, then GET by that key, then 200 duplicate and 422 for another payload", async () => {
      const { client } = await start();
      const order = OrderMother.valid({ orderId: `contract-${topology}` });

      const accepted = await client.postOrder(order, { 'idempotency-key': `key-${topology}` });

      expect(accepted.status).to.equal(202);
      expect(accepted.body).to.include({ status: 'ACCEPTED', orderId: order.orderId, idempotencyKey: `key-${topology}` });
      expect(accepted.body).to.have.nested.property('totals.totalMinor', 4_498);
      expect(accepted.headers.get('location')).to.equal(`/orders/key-${topology}`);
      const done = await client.waitForStatus(`key-${topology}`, ['SUCCEEDED']);
      expect(done.orderId).to.equal(order.orderId);

      const again = await client.postOrder(order, { 'idempotency-key': `key-${topology}` });
      const reused = await client.postOrder(OrderMother.valid({ orderId: order.orderId, customerId: 'someone-else' }), {
        'idempotency-key': `key-${topology}`,
      });

      expect(again.status).to.equal(200);
      expect(again.body).to.include({ duplicate: true, status: 'SUCCEEDED', idempotencyKey: `key-${topology}`, orderId: order.orderId });
      expect(reused.status).to.equal(422);
      expect(reused.body).to.include({ error: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: `key-${topology}` });
    });

    it('answers a copy of an order still on the queue 409 with Retry-After, and another payload under its key 422, before any worker claimed it', async () => {
      // The consumers' DynamoDB calls are slowed so the copies surely arrive before the order is done.
      const { client } = await start({
        batchingWindowMs: 1_000,
        latencyMs: { dynamodb: 500 },
        faultFunctions: ['worker', 'idempotency', 'processor'],
      });
      const order = OrderMother.valid({ orderId: `queued-${topology}` });
      expect((await client.postOrder(order, { 'idempotency-key': `queued-${topology}` })).status).to.equal(202);

      const copy = await client.postOrder(order, { 'idempotency-key': `queued-${topology}` });
      const other = await client.postOrder(OrderMother.valid({ orderId: 'someone-elses' }), { 'idempotency-key': `queued-${topology}` });

      expect(copy.status).to.equal(409);
      expect(copy.body).to.include({ error: 'IN_PROGRESS', idempotencyKey: `queued-${topology}` });
      expect(Number(copy.headers.get('retry-after'))).to.be.within(1, 5);
      expect(other.status).to.equal(422);
      expect((await client.waitForStatus(`queued-${topology}`, ['SUCCEEDED'])).orderId).to.equal(order.orderId);
    });

    it('refuses what cannot be an order the same way: 400 with every reason, 415 for a body that is not JSON, 400 for a bad Idempotency-Key', async () => {
      const { client } = await start();

      const invalid = await client.postOrder(OrderMother.valid({ orderId: 'bad-lines', lines: [] }));
      const notJson = await client.request('POST', '/orders', 'hello', { 'content-type': 'text/plain' });
      const badKey = await client.postOrder(OrderMother.valid(), { 'idempotency-key': 'spaces are not allowed' });

      expect(invalid.status).to.equal(400);
      expect(invalid.body).to.include({ error: 'VALIDATION' });
      expect(invalid.body.violations).to.be.an('array').with.length.greaterThan(0);
      expect(notJson.status).to.equal(415);
      expect(badKey.status).to.equal(400);
      expect((badKey.body.violations as { path: string }[]).map((v) => v.path)).to.include('headers.idempotency-key');
    });

    it("refuses a field named like an Object.prototype member on POST /orders and POST /validate alike (the issue's example)", async () => {
      const { client } = await start();
      const example =
        '{"orderId":"o-1","customerId":"c-1","currency":"EUR","lines":[{"sku":"BOOK-1","quantity":2,"unitPriceMinor":1999}],"toString":1}';

      const answers = [
        await client.request('POST', '/orders', example, { 'content-type': 'application/json' }),
        await client.request('POST', '/validate', example, { 'content-type': 'application/json' }),
      ];

      expect(answers.map((answer) => answer.status)).to.deep.equal([400, 400]);
      for (const answer of answers)
        expect((answer.body.violations as { path: string; code: string }[]).map((v) => [v.path, v.code])).to.deep.equal([
          ['toString', 'BODY.UNKNOWN_FIELD'],
        ]);
    });

    it('counts rejected and failed orders alike on /metrics', async () => {
      const { client } = await start();

      expect((await client.postOrder(OrderMother.valid({ orderId: 'rejected', lines: [] }))).status).to.equal(400);
      const parked = await client.postOrder(OrderMother.valid({ orderId: `parked-${topology}` }), {
        'idempotency-key': `parked-${topology}`,
        'x-simulate-failure': 'permanent',
      });
      expect(parked.status).to.equal(202);
      await client.waitForStatus(`parked-${topology}`, ['PARKED']);

      const metrics = await client.metrics();
      expect(metrics.counters.ordersRejected).to.equal(1);
      expect(metrics.failuresByCategory.PERMANENT).to.equal(1);
    });
  });
}
