import { expect } from 'chai';
import { customOrderEvent, orderProcessedEvent } from '../../application/events/pipeline-events.js';
import { ValidationError } from '../../domain/errors.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import { PublishOrderEvents } from '../../application/use-cases/publish-order-events.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

function events(count: number): PipelineEvent[] {
  return Array.from({ length: count }, (_, index) =>
    orderProcessedEvent(
      { source: 'orders.pipeline', idempotencyKey: `key-${index}`, orderId: `order-${index}`, correlationId: `corr-${index}`, now: 0 },
      { totalMinor: index },
    ),
  );
}

const CONTEXT = { source: 'orders.pipeline', idempotencyKey: 'key-c', orderId: 'order-c', correlationId: 'corr-c', now: 0 };

describe('Class: PublishOrderEvents', () => {
  describe('Method: execute', () => {
    it("publishes custom events with the pipeline's own, in the same batches and envelope", async () => {
      const fixture = new PipelineFixture();
      const flagged = customOrderEvent(CONTEXT, 'OrderFlaggedForReview', { reason: 'total above 1000 EUR', score: 0.93 });

      const result = await fixture.get(PublishOrderEvents).execute([...events(9), flagged]);

      expect(result.published).to.have.length(10);
      expect(fixture.infrastructure.bus.requestCount()).to.equal(1);
      const [delivered] = fixture.events('OrderFlaggedForReview');
      expect(delivered?.detail).to.deep.equal({
        eventId: flagged.eventId,
        orderId: 'order-c',
        idempotencyKey: 'key-c',
        correlationId: 'corr-c',
        reason: 'total above 1000 EUR',
        score: 0.93,
      });
    });

    it('sends nothing for no events', async () => {
      const fixture = new PipelineFixture();

      const result = await fixture.get(PublishOrderEvents).execute([]);

      expect(result).to.deep.equal({ published: [], failed: [] });
      expect(fixture.infrastructure.bus.requestCount()).to.equal(0);
    });

    it('publishes any number of events in requests of at most 10 entries', async () => {
      // Prepare
      const fixture = new PipelineFixture();

      // Act
      const result = await fixture.get(PublishOrderEvents).execute(events(23));

      // Assess
      expect(result.published).to.have.length(23);
      expect(result.failed).to.deep.equal([]);
      expect(fixture.infrastructure.bus.requestCount()).to.equal(3);
      expect(fixture.events().map((e) => e.detail.orderId)).to.deep.equal(events(23).map((e) => e.detail.orderId));
      expect(fixture.metrics.total('EventsPublished')).to.equal(23);
    });

    it('returns the entries that still failed, with their category, and counts them', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      fixture.infrastructure.bus.failWhen((event) => (event.detail.orderId === 'order-1' ? 'AccessDeniedException' : undefined));

      // Act
      const result = await fixture.get(PublishOrderEvents).execute(events(3));

      // Assess
      expect(result.published.map((e) => e.detail.orderId)).to.deep.equal(['order-0', 'order-2']);
      expect(result.failed.map((f) => [f.event.detail.orderId, f.category])).to.deep.equal([['order-1', 'PERMANENT']]);
      expect(fixture.metrics.total('EventsFailed')).to.equal(1);
    });
  });
});

describe('Function: customOrderEvent', () => {
  it('gives a re-sent copy the same id, and another type or discriminator another', () => {
    const first = customOrderEvent(CONTEXT, 'OrderFlaggedForReview', { reason: 'a' });
    expect(customOrderEvent(CONTEXT, 'OrderFlaggedForReview', { reason: 'b' }).eventId).to.equal(first.eventId);
    expect(customOrderEvent(CONTEXT, 'OrderGiftWrapped', { reason: 'a' }).eventId).to.not.equal(first.eventId);
    expect(customOrderEvent(CONTEXT, 'OrderFlaggedForReview', { reason: 'a' }, 'second-review').eventId).to.not.equal(first.eventId);
  });

  it('refuses a pipeline type, a malformed type and a detail that overrides the envelope, all at once', () => {
    for (const type of ['OrderProcessed', 'OrderParked', '', '9lives', 'x'.repeat(129)]) {
      expect(() => customOrderEvent(CONTEXT, type, {}), type)
        .to.throw(ValidationError)
        .with.property('code', 'EVENT.INVALID_CUSTOM_EVENT');
    }
    expect(() => customOrderEvent(CONTEXT, 'OrderFailed', { orderId: 'other', correlationId: 'x' })).to.throw(
      /one of the pipeline's own events.*must not set orderId, correlationId/,
    );
  });
});
