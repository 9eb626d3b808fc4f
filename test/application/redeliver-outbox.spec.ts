import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/pipeline-events.js';
import { RedeliverOutbox } from '../../application/use-cases/redeliver-outbox.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/**
 * A processed order whose events the pipe gave up on: the record owes OrderPublished (committed by the claim)
 * and OrderProcessed (by the completion), and the pipe's DLQ notes a batch.
 */
async function givenUndeliveredAnnouncement(): Promise<{ fixture: PipelineFixture; key: string }> {
  const fixture = new PipelineFixture({ env: { OUTBOX_SWEEP_AGE_SECONDS: '60' } });
  const key = await fixture.accept(OrderMother.valid());
  await fixture.deliver({ remainingTimeMs: 60_000 });
  fixture.stream.advance(fixture.stream.length);
  await fixture.infrastructure.outboxDeadLetterQueue.send([{ id: 'batch', body: '{"reason":"retries"}', attributes: {} }]);
  await fixture.clock.advance(61_000);
  return { fixture, key };
}

describe('Class: RedeliverOutbox', () => {
  describe('Method: execute', () => {
    it('sweeps the records still owing events when the pipe\'s DLQ has batches, delivers them and clears the DLQ', async () => {
      const { fixture, key } = await givenUndeliveredAnnouncement();

      const report = await fixture.get(RedeliverOutbox).execute();

      expect(report).to.deep.equal({ deadLetters: 1, swept: 1, delivered: 2, failed: 0, deadLettersCleared: 1 });
      expect(fixture.events(EVENT_TYPES.processed).map((event) => event.detail.idempotencyKey)).to.deep.equal([key]);
      expect((await fixture.committedEvents(key)).map((entry) => typeof entry.deliveredAt)).to.deep.equal(['number', 'number']);
      expect(await fixture.infrastructure.outboxDeadLetterQueue.receive(10, 0)).to.deep.equal([]);
    });

    it('keeps the DLQ messages while the bus still refuses, and delivers on a later run', async () => {
      const { fixture } = await givenUndeliveredAnnouncement();
      fixture.infrastructure.bus.failWhen(() => 'InternalFailure');

      const failed = await fixture.get(RedeliverOutbox).execute();
      fixture.infrastructure.bus.clearFailures();
      await fixture.clock.advance(10_000);
      const later = await fixture.get(RedeliverOutbox).execute();

      expect(failed).to.deep.include({ deadLetters: 1, swept: 1, delivered: 0, deadLettersCleared: 0 });
      expect(later).to.deep.include({ deadLetters: 1, delivered: 2, deadLettersCleared: 1 });
    });

    it('does not scan the table with an empty DLQ unless forced, and leaves fresh commits to the pipe', async () => {
      const fixture = new PipelineFixture({ env: { OUTBOX_SWEEP_AGE_SECONDS: '60' } });
      await fixture.accept(OrderMother.valid());
      await fixture.deliver({ remainingTimeMs: 60_000 });

      const idle = await fixture.get(RedeliverOutbox).execute();
      const forcedFresh = await fixture.get(RedeliverOutbox).execute({ force: true });
      await fixture.clock.advance(61_000);
      const forcedOld = await fixture.get(RedeliverOutbox).execute({ force: true });

      expect(idle).to.deep.equal({ deadLetters: 0, swept: 0, delivered: 0, failed: 0, deadLettersCleared: 0 });
      expect(forcedFresh.swept, 'younger than the sweep age: the pipe has it').to.equal(0);
      expect(forcedOld).to.deep.include({ swept: 1, delivered: 2 });
    });
  });
});
