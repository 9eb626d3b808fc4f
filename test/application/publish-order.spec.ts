import { expect } from 'chai';
import { loadConfig } from '../../application/config.js';
import { parseOrderMessage, SCHEMA_VERSION } from '../../application/order-message.js';
import { EVENT_TYPES } from '../../application/pipeline-events.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, SendResult } from '../../application/ports/queue-message.js';
import { fingerprint } from '../../application/services/fingerprint.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { ManualClock } from '../../adapters/memory/manual-clock.js';
import { MemoryEventBus } from '../../adapters/memory/memory-event-bus.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { PermanentError, TransientError } from '../../domain/errors.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** A queue that refuses every entry as SQS reports it in a 200 SendMessageBatch response. */
class RefusingQueue implements OrderQueue {
  constructor(private readonly failure: { code: string; category: 'TRANSIENT' | 'PERMANENT' }) {}
  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return { sent: [], failed: messages.map((m) => ({ id: m.id, code: this.failure.code, category: this.failure.category, message: 'refused' })) };
  }
  async changeVisibility(): Promise<void> {}
}

describe('Class: PublishOrder', () => {
  describe('Method: execute', () => {
    it('queues the order with orderId, idempotencyKey, correlationId and schemaVersion attributes and a body the worker reads back', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const order = OrderMother.valid();

      // Act
      const result = await fixture.get(PublishOrder).execute({ order, correlationId: 'corr-p', idempotencyKey: 'client-key' });

      // Assess
      expect(result).to.deep.equal({ kind: 'PUBLISHED', messageId: fixture.orderQueue()[0]?.messageId, idempotencyKey: 'client-key', payloadHash: fingerprint(order) });
      const [queued] = fixture.receive(1);
      expect(queued?.attributes).to.deep.equal({ orderId: 'order-0001', idempotencyKey: 'client-key', correlationId: 'corr-p', schemaVersion: SCHEMA_VERSION });
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

      await fixture.get(PublishOrder).execute({ order: OrderMother.valid(), correlationId: 'c', simulation: { kind: 'transient', times: 2 } });

      const parsed = parseOrderMessage(fixture.receive(1)[0]!);
      expect(parsed.ok && parsed.envelope.body.simulate).to.deep.equal({ kind: 'transient', times: 2 });
    });

    it('announces OrderPublished with the message id and the correlation id', async () => {
      // Prepare
      const fixture = new PipelineFixture();

      // Act
      const result = await fixture.get(PublishOrder).execute({ order: OrderMother.valid(), correlationId: 'corr-ann' });
      if (result.kind !== 'PUBLISHED') throw new Error('not published');

      // Assess
      const [event] = fixture.events(EVENT_TYPES.published);
      expect(event?.source).to.equal('orders.pipeline');
      expect(event?.detail).to.deep.include({ messageId: result.messageId, correlationId: 'corr-ann', orderId: 'order-0001', idempotencyKey: result.idempotencyKey });
    });

    it('succeeds when the announcement is lost: the order is safely queued', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      fixture.infrastructure.bus.failWhen(() => 'AccessDeniedException');

      // Act
      const result = await fixture.get(PublishOrder).execute({ order: OrderMother.valid(), correlationId: 'c' });

      // Assess
      expect(result).to.have.property('messageId').that.is.a('string');
      expect(fixture.orderQueue()).to.have.length(1);
      expect(fixture.logger.linesAt('WARN').map((l) => l.message)).to.include('OrderPublished event not delivered');
    });

    for (const [failure, errorClass] of [
      [{ code: 'SQS.THROTTLED', category: 'TRANSIENT' }, TransientError],
      [{ code: 'SQS.INVALID_PARAMETER', category: 'PERMANENT' }, PermanentError],
    ] as const) {
      it(`throws the queue's ${failure.category} failure with its code when the order was not queued`, async () => {
        // Prepare
        const clock = new ManualClock();
        const random = new SeededRandom(1);
        const bus = new MemoryEventBus({ clock, random });
        const publish = new PublishOrder(new RefusingQueue(failure), bus, new MemoryIdempotencyStore(), clock, new RecordingLogger(), new RecordingMetrics(), loadConfig({ PIPELINE_BACKEND: 'memory' }));

        // Act
        const thrown = await publish.execute({ order: OrderMother.valid(), correlationId: 'c' }).catch((error: unknown) => error);

        // Assess
        expect(thrown).to.be.instanceOf(errorClass);
        expect(thrown).to.have.property('code', failure.code);
        expect(bus.delivered(), 'nothing announced').to.deep.equal([]);
      });
    }

    it('reserves the key and the fingerprint before sending: a different payload under the key is KEY_REUSED and sends nothing', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const publish = fixture.get(PublishOrder);
      await publish.execute({ order: OrderMother.valid(), correlationId: 'c1', idempotencyKey: 'k' });

      // Act
      const second = await publish.execute({ order: OrderMother.valid({ customerId: 'someone-else' }), correlationId: 'c2', idempotencyKey: 'k' });
      const again = await publish.execute({ order: OrderMother.valid(), correlationId: 'c3', idempotencyKey: 'k' });

      // Assess
      expect(second).to.deep.include({ kind: 'KNOWN' });
      expect(second.kind === 'KNOWN' && second.known.kind).to.equal('KEY_REUSED');
      expect(again.kind === 'KNOWN' && again.known.kind, 'the same payload while queued is in progress').to.equal('IN_PROGRESS');
      expect(fixture.orderQueue()).to.have.length(1);
    });

    it('fails without sending when the store cannot reserve: accepting unreserved would break first-accepted-wins', async () => {
      // Prepare
      const clock = new ManualClock();
      const store = new MemoryIdempotencyStore();
      store.deleteTable();
      const sent: OutboundMessage[] = [];
      const queue: OrderQueue = { send: async (messages) => { sent.push(...messages); return { sent: [], failed: [] }; }, changeVisibility: async () => {} };
      const publish = new PublishOrder(queue, new MemoryEventBus({ clock, random: new SeededRandom(1) }), store, clock, new RecordingLogger(), new RecordingMetrics(), loadConfig({ PIPELINE_BACKEND: 'memory' }));

      // Act
      const thrown = await publish.execute({ order: OrderMother.valid(), correlationId: 'c' }).catch((error: unknown) => error);

      // Assess
      expect(thrown).to.be.instanceOf(Error);
      expect(sent).to.deep.equal([]);
    });
  });
});
