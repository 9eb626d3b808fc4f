import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { orderIdentity, PublishOrder } from '../../application/use-cases/publish-order.js';
import { ResolveStrandedReservations } from '../../application/use-cases/resolve-stranded-reservations.js';
import { SCHEMA_VERSION } from '../../application/orders/order-message.js';
import { TransientError } from '../../domain/errors.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

const LEASE_MS = 2_000;

/** What an edge that crashed between its reservation and its send leaves behind: the reservation, no message. */
async function crashedBeforeSending(
  fixture: PipelineFixture,
  idempotencyKey: string,
  options: { keepMessage?: boolean } = {},
): Promise<string> {
  const order = OrderMother.valid({ orderId: `order-${idempotencyKey}` });
  const { payloadHash } = orderIdentity(order, idempotencyKey);
  const now = fixture.clock.now();
  const body = JSON.stringify({ schemaVersion: SCHEMA_VERSION, order, payloadHash, acceptedAt: now });
  const reserved = await fixture.infrastructure.store.reserve({
    key: idempotencyKey,
    payloadHash,
    now,
    acceptLeaseMs: LEASE_MS,
    ttlSeconds: 3_600,
    orderId: order.orderId,
    correlationId: `corr-${idempotencyKey}`,
    ...(options.keepMessage === false ? {} : { message: body }),
  });
  if (reserved.kind !== 'RESERVED') throw new Error('expected a fresh reservation');
  return body;
}

describe('Class: ResolveStrandedReservations', () => {
  describe('Method: execute', () => {
    it('leaves a reservation alone while its lease runs: the edge may be sending right now', async () => {
      const fixture = new PipelineFixture({ env: { ACCEPT_LEASE_MS: String(LEASE_MS) } });
      await crashedBeforeSending(fixture, 'k-young');

      const report = await fixture.get(ResolveStrandedReservations).execute();

      expect(report).to.deep.equal({ found: 0, sent: 0, released: 0, failed: 0 });
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it("sends the message a reservation kept once its lease ran out with no claim, with the edge's attributes; the order is then processed and announced once", async () => {
      // Prepare
      const fixture = new PipelineFixture({ env: { ACCEPT_LEASE_MS: String(LEASE_MS) } });
      const body = await crashedBeforeSending(fixture, 'k-crash');
      await fixture.clock.advance(LEASE_MS + 1);

      // Act
      const sweptAt = fixture.clock.now();
      const report = await fixture.get(ResolveStrandedReservations).execute();
      const marked = await fixture.record('k-crash');
      const queued = fixture.orderQueue();
      await fixture.drain();
      await fixture.relayOutbox();
      const again = await fixture.get(ResolveStrandedReservations).execute();

      // Assess
      expect(report).to.deep.equal({ found: 1, sent: 1, released: 0, failed: 0 });
      expect(marked, 'queued: leased again while the worker gets to it').to.deep.include({
        status: 'ACCEPTED',
        leaseExpiresAt: sweptAt + LEASE_MS,
      });
      expect(marked).to.not.have.any.keys('awaitingSendSince', 'pendingMessage');
      expect(queued.map((message) => message.body)).to.deep.equal([body]);
      expect(queued[0]?.attributes).to.deep.equal({
        orderId: 'order-k-crash',
        idempotencyKey: 'k-crash',
        correlationId: 'corr-k-crash',
        schemaVersion: SCHEMA_VERSION,
      });
      expect(await fixture.record('k-crash')).to.deep.include({ status: 'SUCCEEDED' });
      expect(fixture.events(EVENT_TYPES.published).map((event) => event.detail.idempotencyKey)).to.deep.equal(['k-crash']);
      expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
      expect(again.found, 'resolved: nothing left to sweep').to.equal(0);
      expect(fixture.metrics.total('StrandedReservationsSent')).to.equal(1);
    });

    it('answers a same-payload retry IN_PROGRESS once the sweep sent the message (really queued), not before its new lease ends', async () => {
      const fixture = new PipelineFixture({ env: { ACCEPT_LEASE_MS: String(LEASE_MS) } });
      await crashedBeforeSending(fixture, 'k-sent');
      await fixture.clock.advance(LEASE_MS + 1);
      await fixture.get(ResolveStrandedReservations).execute();

      const retry = await fixture
        .get(PublishOrder)
        .execute({ order: OrderMother.valid({ orderId: 'order-k-sent' }), correlationId: 'corr-retry', idempotencyKey: 'k-sent' });

      expect(retry.kind === 'KNOWN' && retry.known.kind).to.equal('IN_PROGRESS');
      expect(fixture.orderQueue()).to.have.length(1);
    });

    it("releases a reservation that kept no message (too large for a record): the client's retry is then accepted", async () => {
      const fixture = new PipelineFixture({ env: { ACCEPT_LEASE_MS: String(LEASE_MS) } });
      await crashedBeforeSending(fixture, 'k-big', { keepMessage: false });
      await fixture.clock.advance(LEASE_MS + 1);

      const report = await fixture.get(ResolveStrandedReservations).execute();
      const retry = await fixture
        .get(PublishOrder)
        .execute({ order: OrderMother.valid({ orderId: 'order-k-big' }), correlationId: 'corr-retry', idempotencyKey: 'k-big' });

      expect(report).to.deep.equal({ found: 1, sent: 0, released: 1, failed: 0 });
      expect(retry.kind).to.equal('PUBLISHED');
    });

    it('never touches a reservation a worker claimed, whatever its age', async () => {
      const fixture = new PipelineFixture({ env: { ACCEPT_LEASE_MS: String(LEASE_MS) } });
      await fixture.accept(OrderMother.valid(), { idempotencyKey: 'k-claimed' });
      await fixture.drain();
      await fixture.clock.advance(LEASE_MS * 10);

      const report = await fixture.get(ResolveStrandedReservations).execute();

      expect(report.found).to.equal(0);
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('leaves a reservation for the next run when its send fails, and counts it', async () => {
      const fixture = new PipelineFixture({ env: { ACCEPT_LEASE_MS: String(LEASE_MS) } });
      await crashedBeforeSending(fixture, 'k-retry');
      await fixture.clock.advance(LEASE_MS + 1);
      const queue = fixture.infrastructure.sqs;
      const send = queue.sendMessageBatch.bind(queue);
      queue.sendMessageBatch = () => {
        throw new TransientError('down', { code: 'AWS.ServiceUnavailable' });
      };

      const failed = await fixture.get(ResolveStrandedReservations).execute();
      queue.sendMessageBatch = send;
      const later = await fixture.get(ResolveStrandedReservations).execute();

      expect(failed).to.deep.include({ found: 1, sent: 0, failed: 1 });
      expect(later).to.deep.include({ found: 1, sent: 1, failed: 0 });
      expect(fixture.orderQueue()).to.have.length(1);
    });
  });
});
