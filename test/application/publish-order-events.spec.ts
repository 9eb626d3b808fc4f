import { expect } from 'chai';
import { orderProcessedEvent } from '../../application/pipeline-events.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import { PublishOrderEvents } from '../../application/use-cases/publish-order-events.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

function events(count: number): PipelineEvent[] {
  return Array.from({ length: count }, (_, index) => orderProcessedEvent(
    { source: 'orders.pipeline', idempotencyKey: `key-${index}`, orderId: `order-${index}`, correlationId: `corr-${index}`, now: 0 },
    { totalMinor: index },
  ));
}

describe('Class: PublishOrderEvents', () => {
  describe('Method: execute', () => {
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
