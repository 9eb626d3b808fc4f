import { expect } from 'chai';
import { ClaimIdempotency } from '../../application/use-cases/claim-idempotency.js';
import { parseOrderMessage } from '../../application/orders/order-message.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** A DynamoDB that does not answer reads. */
class UnreachableStore extends MemoryIdempotencyStore {
  reads = 0;
  override async reserve(): Promise<ReservationDecision> {
    this.reads += 1;
    throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error', code: 'ECONNREFUSED' });
  }
}

/** Claims the queued message as a worker would, and returns the worker's owner token. */
async function claimQueued(fixture: PipelineFixture): Promise<void> {
  const [message] = fixture.receive(1);
  const parsed = parseOrderMessage(message!);
  if (!parsed.ok) throw new Error('queued message must parse');
  await fixture
    .get(ClaimIdempotency)
    .execute({ envelope: parsed.envelope, ownerToken: 'worker-1', remainingTimeMs: 30_000, messageId: 'msg-1' });
}

describe('Class: IngestOrder', () => {
  describe('Method: execute', () => {
    it('accepts a valid order: queued once, with its totals and the client key', async () => {
      // Prepare
      const fixture = new PipelineFixture();

      // Act
      const result = await fixture.ingest(OrderMother.valid(), { idempotencyKey: 'client-1', correlationId: 'corr-1' });

      // Assess
      expect(result).to.deep.include({ kind: 'ACCEPTED', orderId: 'order-0001', idempotencyKey: 'client-1' });
      if (result.kind !== 'ACCEPTED') return;
      expect(result.priced.totalMinor).to.equal(4_498);
      const queued = fixture.orderQueue();
      expect(queued.map((m) => m.messageId)).to.deep.equal([result.messageId]);
      expect(queued[0]?.attributes).to.deep.include({ idempotencyKey: 'client-1', correlationId: 'corr-1' });
    });

    it('answers INVALID with every violation and queues nothing', async () => {
      // Prepare
      const fixture = new PipelineFixture();

      // Act
      const result = await fixture.ingest({ ...OrderMother.withDuplicateSku(), currency: 'XYZ' });

      // Assess
      expect(result.kind).to.equal('INVALID');
      if (result.kind !== 'INVALID') return;
      expect(result.violations.map((v) => v.code)).to.have.members(['ORDER.CURRENCY_NOT_ISO_4217', 'ORDER.DUPLICATE_SKU']);
      expect(fixture.orderQueue()).to.deep.equal([]);
      expect(fixture.events()).to.deep.equal([]);
      expect(fixture.metrics.total('OrdersRejected')).to.equal(1);
    });

    it('answers DUPLICATE with the stored outcome once the order succeeded, and queues nothing', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid(), { idempotencyKey: 'client-2' });
      await fixture.drain();

      // Act
      const result = await fixture.ingest(OrderMother.valid(), { idempotencyKey: 'client-2' });

      // Assess
      expect(result).to.deep.include({ kind: 'DUPLICATE', orderId: 'order-0001', idempotencyKey: 'client-2' });
      if (result.kind !== 'DUPLICATE') return;
      expect(result.record.status).to.equal('SUCCEEDED');
      expect(result.record.outcome).to.deep.include({ totalMinor: 4_498 });
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('answers DUPLICATE for a parked order, with the reason', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid(), { simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER } });
      await fixture.drain();

      // Act
      const result = await fixture.ingest(OrderMother.valid(), { simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER } });

      // Assess
      expect(result.kind).to.equal('DUPLICATE');
      if (result.kind !== 'DUPLICATE') return;
      expect(result.record).to.deep.include({ status: 'PARKED', lastError: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' } });
    });

    it('answers IN_PROGRESS while a worker holds the order, and queues nothing', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid());
      await claimQueued(fixture);

      // Act
      const result = await fixture.ingest(OrderMother.valid());

      // Assess
      expect(result).to.deep.include({ kind: 'IN_PROGRESS', retryAfterSeconds: 5 });
      expect(fixture.orderQueue()).to.have.length(1);
    });

    it('answers IN_PROGRESS for an order waiting for its retry', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 1 } });
      await fixture.deliver();

      // Act
      const result = await fixture.ingest(OrderMother.valid(), { simulation: { kind: 'transient', times: 1 } });

      // Assess
      expect(result.kind).to.equal('IN_PROGRESS');
    });

    it('answers KEY_REUSED when the Idempotency-Key was used for a different order', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid(), { idempotencyKey: 'client-3' });
      await claimQueued(fixture);

      // Act
      const result = await fixture.ingest(OrderMother.valid({ customerId: 'someone-else' }), { idempotencyKey: 'client-3' });

      // Assess
      expect(result).to.deep.equal({ kind: 'KEY_REUSED', idempotencyKey: 'client-3' });
      expect(fixture.orderQueue()).to.have.length(1);
    });

    it('derives the same key from the same order however its keys are ordered', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const order = OrderMother.valid();
      const reordered = {
        lines: order.lines.map((l) => ({ unitPriceMinor: l.unitPriceMinor, quantity: l.quantity, sku: l.sku })),
        currency: 'EUR',
        customerId: order.customerId,
        orderId: order.orderId,
      };

      // Act
      // Three requests, each with its own correlation id as API Gateway gives them (the same request retried
      // within the same millisecond would be recognised as its own reservation: see isOwnReservation).
      const first = await fixture.ingest(order, { correlationId: 'corr-1' });
      const second = await fixture.ingest(reordered, { correlationId: 'corr-2' });
      const other = await fixture.ingest(OrderMother.valid({ orderId: 'order-0002' }), { correlationId: 'corr-3' });

      // Assess
      expect([first.kind, second.kind, other.kind], 'the reordered copy finds the first one reserved').to.deep.equal([
        'ACCEPTED',
        'IN_PROGRESS',
        'ACCEPTED',
      ]);
      if (first.kind !== 'ACCEPTED' || second.kind !== 'IN_PROGRESS' || other.kind !== 'ACCEPTED') return;
      expect(second.idempotencyKey).to.equal(first.idempotencyKey);
      expect(other.idempotencyKey).to.not.equal(first.idempotencyKey);
    });

    it('fails, queueing nothing, when the idempotency store cannot reserve the key (first accepted wins needs the reservation)', async () => {
      // Prepare
      const store = new UnreachableStore();
      const fixture = new PipelineFixture({ store });

      // Act
      const thrown = await fixture.ingest(OrderMother.valid()).catch((error: unknown) => error);

      // Assess: tried again within the request until the breaker opened (its threshold, 3 calls), no more
      expect(store.reads).to.equal(3);
      expect(fixture.breakers.state('dynamodb').status).to.equal('OPEN');
      expect(thrown).to.be.instanceOf(Error);
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('fails fast while the DynamoDB breaker is open, without calling the store', async () => {
      // Prepare
      const store = new UnreachableStore();
      const fixture = new PipelineFixture({ store });
      for (let i = 0; i < 3; i += 1) await fixture.ingest(OrderMother.valid({ orderId: `order-${i}` })).catch(() => undefined);
      expect(fixture.breakers.state('dynamodb').status).to.equal('OPEN');

      // Act
      const thrown = await fixture.ingest(OrderMother.valid({ orderId: 'order-x' })).catch((error: unknown) => error);

      // Assess
      expect(thrown).to.be.instanceOf(Error);
      expect(store.reads).to.equal(3);
    });

    it('refuses a failure simulation when configuration disables it, and queues nothing', async () => {
      // Prepare
      const fixture = new PipelineFixture({ env: { ALLOW_FAILURE_SIMULATION: 'false' } });

      // Act
      const result = await fixture.ingest(OrderMother.valid(), { simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER } });

      // Assess
      expect(result.kind).to.equal('INVALID');
      if (result.kind !== 'INVALID') return;
      expect(result.violations.map((v) => v.code)).to.deep.equal(['SIMULATION.DISABLED']);
      expect(fixture.orderQueue()).to.deep.equal([]);
    });
  });
});
