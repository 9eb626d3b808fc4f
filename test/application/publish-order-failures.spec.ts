import { expect } from 'chai';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage } from '../../application/ports/queue-message.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { TransientError } from '../../domain/errors.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { publishOrderOver, RefusingQueue } from './publish-order.fixtures.js';

describe('Class: PublishOrder', () => {
  describe('Method: execute', () => {
    it('counts a release that failed every try: the reservation stays for the sweep, and a retry within its lease is the one 409 left', async () => {
      // Prepare
      const clock = new ManualClock({ autoAdvance: true });
      const store = new MemoryIdempotencyStore();
      store.releaseReservation = async () => {
        throw new TransientError('throttled', { code: 'AWS.ThrottlingException' });
      };
      const metrics = new RecordingMetrics();
      const logger = new RecordingLogger();
      const publish = publishOrderOver(new RefusingQueue({ code: 'SQS.THROTTLED', category: 'TRANSIENT' }), store, clock, {
        logger,
        metrics,
      });
      const order = OrderMother.valid();

      // Act
      const thrown = await publish.execute({ order, correlationId: 'c-1', idempotencyKey: 'k' }).catch((error: unknown) => error);
      const retry = await publish.execute({ order, correlationId: 'c-2', idempotencyKey: 'k' });

      // Assess
      expect(thrown).to.have.property('code', 'SQS.THROTTLED');
      expect(metrics.total('ReservationReleaseFailed')).to.equal(1);
      expect(retry.kind === 'KNOWN' && retry.known.kind).to.equal('IN_PROGRESS');
      expect(await store.get('k', clock.now())).to.deep.include({ status: 'ACCEPTED', correlationId: 'c-1' });
      expect(logger.linesAt('WARN').map((l) => l.message)).to.include(
        'reservation not released after a failed send; the sweep resolves it after its lease',
      );
    });

    it('keeps no message larger than a record may hold: the sweep will release such a reservation instead of sending it', async () => {
      // Prepare
      const fixture = new PipelineFixture({ env: { MAX_BODY_BYTES: '1048576' } });
      const order = OrderMother.valid({ customerId: 'c'.repeat(100 * 1024) });

      // Act
      await fixture.get(PublishOrder).execute({ order, correlationId: 'c', idempotencyKey: 'k-big' });

      // Assess
      const record = await fixture.record('k-big');
      expect(record).to.have.property('awaitingSendSince');
      expect(record).to.not.have.property('pendingMessage');
    });

    it('reserves the key and the fingerprint before sending: a different payload under the key is KEY_REUSED and sends nothing', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const publish = fixture.get(PublishOrder);
      await publish.execute({ order: OrderMother.valid(), correlationId: 'c1', idempotencyKey: 'k' });

      // Act
      const second = await publish.execute({
        order: OrderMother.valid({ customerId: 'someone-else' }),
        correlationId: 'c2',
        idempotencyKey: 'k',
      });
      const again = await publish.execute({ order: OrderMother.valid(), correlationId: 'c3', idempotencyKey: 'k' });

      // Assess
      expect(second).to.deep.include({ kind: 'KNOWN' });
      expect(second.kind === 'KNOWN' && second.known.kind).to.equal('KEY_REUSED');
      expect(again.kind === 'KNOWN' && again.known.kind, 'the same payload while queued is in progress').to.equal('IN_PROGRESS');
      expect(fixture.orderQueue()).to.have.length(1);
    });

    it('fails without sending when the store cannot reserve: accepting unreserved would break first-accepted-wins', async () => {
      // Prepare
      const clock = new ManualClock({ autoAdvance: true });
      const store = new MemoryIdempotencyStore();
      store.deleteTable();
      const sent: OutboundMessage[] = [];
      const queue: OrderQueue = {
        send: async (messages) => {
          sent.push(...messages);
          return { sent: [], failed: [] };
        },
        changeVisibility: async () => {},
      };
      const publish = publishOrderOver(queue, store, clock);

      // Act
      const thrown = await publish.execute({ order: OrderMother.valid(), correlationId: 'c' }).catch((error: unknown) => error);

      // Assess
      expect(thrown).to.be.instanceOf(Error);
      expect(sent).to.deep.equal([]);
    });
  });
});
