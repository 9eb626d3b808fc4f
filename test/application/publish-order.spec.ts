import { expect } from 'chai';
import { parseOrderMessage, SCHEMA_VERSION } from '../../application/orders/order-message.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage } from '../../application/ports/queue-message.js';
import { fingerprint } from '../../application/orders/fingerprint.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { PermanentError, TransientError } from '../../domain/errors.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { publishOrderOver, RefusingQueue } from './publish-order.fixtures.js';

describe('Class: PublishOrder', () => {
  describe('Method: execute', () => {
    it('queues the order with orderId, idempotencyKey, correlationId and schemaVersion attributes and a body the worker reads back', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const order = OrderMother.valid();

      // Act
      const result = await fixture.get(PublishOrder).execute({ order, correlationId: 'corr-p', idempotencyKey: 'client-key' });

      // Assess
      expect(result).to.deep.equal({
        kind: 'PUBLISHED',
        messageId: fixture.orderQueue()[0]?.messageId,
        idempotencyKey: 'client-key',
        payloadHash: fingerprint(order),
      });
      const [queued] = fixture.receive(1);
      expect(queued?.attributes).to.deep.equal({
        orderId: 'order-0001',
        idempotencyKey: 'client-key',
        correlationId: 'corr-p',
        schemaVersion: SCHEMA_VERSION,
      });
      const parsed = parseOrderMessage(queued!);
      expect(parsed.ok).to.equal(true);
      if (!parsed.ok) return;
      expect(parsed.envelope).to.deep.equal({
        idempotencyKey: 'client-key',
        correlationId: 'corr-p',
        body: { schemaVersion: SCHEMA_VERSION, order, payloadHash: fingerprint(order), acceptedAt: fixture.clock.now() },
      });
    });

    it('derives the key from the canonical order when the client sent none', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const order = OrderMother.valid();

      // Act
      const result = await fixture.get(PublishOrder).execute({ order, correlationId: 'c' });

      // Assess
      expect(result.idempotencyKey).to.equal(`order-${fingerprint(order).slice(0, 40)}`);
    });

    it('carries a requested simulation in the body', async () => {
      const fixture = new PipelineFixture();

      await fixture
        .get(PublishOrder)
        .execute({ order: OrderMother.valid(), correlationId: 'c', simulation: { kind: 'transient', times: 2 } });

      const parsed = parseOrderMessage(fixture.receive(1)[0]!);
      expect(parsed.ok && parsed.envelope.body.simulate).to.deep.equal({ kind: 'transient', times: 2 });
    });

    it('calls no event bus: OrderPublished is committed by the first claim, once the message reached a worker', async () => {
      // Prepare
      const fixture = new PipelineFixture();

      // Act
      const result = await fixture.get(PublishOrder).execute({ order: OrderMother.valid(), correlationId: 'corr-ann' });

      // Assess
      expect(result.kind).to.equal('PUBLISHED');
      expect(fixture.events(), 'nothing announced at the edge').to.deep.equal([]);
      expect(await fixture.committedEvents(result.idempotencyKey), 'nothing committed before a claim').to.deep.equal([]);
    });

    it('keeps the message on the reservation, awaiting its send, until a worker claims it', async () => {
      // Prepare
      const fixture = new PipelineFixture();

      // Act
      const result = await fixture
        .get(PublishOrder)
        .execute({ order: OrderMother.valid(), correlationId: 'corr-keep', idempotencyKey: 'k-keep' });
      const reserved = await fixture.record('k-keep');
      const [queued] = fixture.receive(1);
      await fixture.work([queued!]);
      const claimed = await fixture.record('k-keep');

      // Assess
      expect(result.kind).to.equal('PUBLISHED');
      expect(reserved).to.deep.include({ status: 'ACCEPTED', awaitingSendSince: reserved?.createdAt, pendingMessage: queued?.body });
      expect(claimed?.status).to.equal('SUCCEEDED');
      expect(claimed).to.not.have.any.keys('awaitingSendSince', 'pendingMessage');
    });

    for (const [failure, errorClass] of [
      [{ code: 'SQS.THROTTLED', category: 'TRANSIENT' }, TransientError],
      [{ code: 'SQS.INVALID_PARAMETER', category: 'PERMANENT' }, PermanentError],
    ] as const) {
      it(`throws the queue's ${failure.category} failure with its code when the order was not queued`, async () => {
        // Prepare
        const clock = new ManualClock({ autoAdvance: true });
        const store = new MemoryIdempotencyStore();
        const publish = publishOrderOver(new RefusingQueue(failure), store, clock);

        // Act
        const thrown = await publish
          .execute({ order: OrderMother.valid(), correlationId: 'c', idempotencyKey: 'k-refused' })
          .catch((error: unknown) => error);

        // Assess
        expect(thrown).to.be.instanceOf(errorClass);
        expect(thrown).to.have.property('code', failure.code);
        expect(await store.get('k-refused', clock.now()), 'the reservation was released').to.equal(undefined);
      });
    }

    for (const [label, queue] of [
      ['refused the entry', new RefusingQueue({ code: 'SQS.THROTTLED', category: 'TRANSIENT' })],
      [
        'threw',
        {
          send: async () => {
            throw new TransientError('connection reset', { code: 'AWS.ECONNRESET' });
          },
          changeVisibility: async () => {},
        },
      ],
    ] as const) {
      it(`releases its own reservation when the queue ${label}, so the same payload's retry is queued at once, not answered IN_PROGRESS`, async () => {
        // Prepare
        const clock = new ManualClock({ autoAdvance: true });
        const store = new MemoryIdempotencyStore();
        const metrics = new RecordingMetrics();
        const sent: OutboundMessage[] = [];
        const working: OrderQueue = {
          send: async (messages) => {
            sent.push(...messages);
            return { sent: messages.map((m) => ({ id: m.id, messageId: 'm-1' })), failed: [] };
          },
          changeVisibility: async () => {},
        };
        const failing = publishOrderOver(queue, store, clock, { metrics });
        const retrying = publishOrderOver(working, store, clock, { metrics });
        const order = OrderMother.valid();

        // Act
        const thrown = await failing.execute({ order, correlationId: 'c-1', idempotencyKey: 'k' }).catch((error: unknown) => error);
        await clock.advance(100);
        const retry = await retrying.execute({ order, correlationId: 'c-2', idempotencyKey: 'k' });

        // Assess
        expect(thrown).to.be.instanceOf(TransientError);
        expect(retry.kind).to.equal('PUBLISHED');
        expect(sent).to.have.length(1);
        expect(metrics.total('ReservationReleaseFailed')).to.equal(0);
        expect(await store.get('k', clock.now())).to.deep.include({ status: 'ACCEPTED', correlationId: 'c-2' });
      });
    }

    it('tries a failed send again within the request: one refused entry is a 202 a moment later, not a 503', async () => {
      // Prepare
      const clock = new ManualClock({ autoAdvance: true });
      const store = new MemoryIdempotencyStore();
      let sends = 0;
      const flaky: OrderQueue = {
        send: async (messages) => {
          sends += 1;
          if (sends === 1)
            return {
              sent: [],
              failed: messages.map((m) => ({ id: m.id, code: 'SQS.THROTTLED', category: 'TRANSIENT' as const, message: 'throttled' })),
            };
          return { sent: messages.map((m) => ({ id: m.id, messageId: 'm-1' })), failed: [] };
        },
        changeVisibility: async () => {},
      };
      const publish = publishOrderOver(flaky, store, clock);

      // Act
      const result = await publish.execute({ order: OrderMother.valid(), correlationId: 'c-1', idempotencyKey: 'k' });

      // Assess
      expect(result.kind).to.equal('PUBLISHED');
      expect(sends).to.equal(2);
      expect(await store.get('k', clock.now())).to.deep.include({ status: 'ACCEPTED', correlationId: 'c-1' });
    });

    it("tries a failed release again within the request: one throttled release still leaves the key free for the client's retry", async () => {
      // Prepare
      const clock = new ManualClock({ autoAdvance: true });
      const store = new MemoryIdempotencyStore();
      const release = store.releaseReservation.bind(store);
      let calls = 0;
      store.releaseReservation = async (reservation, now) => {
        calls += 1;
        if (calls === 1) throw new TransientError('throttled', { code: 'AWS.ThrottlingException' });
        return release(reservation, now);
      };
      const metrics = new RecordingMetrics();
      const queue = new RefusingQueue({ code: 'SQS.THROTTLED', category: 'TRANSIENT' });
      const publish = publishOrderOver(queue, store, clock, { metrics });

      // Act
      const thrown = await publish
        .execute({ order: OrderMother.valid(), correlationId: 'c-1', idempotencyKey: 'k' })
        .catch((error: unknown) => error);

      // Assess
      expect(thrown).to.have.property('code', 'SQS.THROTTLED');
      expect(calls).to.equal(2);
      expect(metrics.total('ReservationReleaseFailed')).to.equal(0);
      expect(await store.get('k', clock.now()), 'released on the second try').to.equal(undefined);
    });
  });
});
