import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { TOKENS } from '../../application/tokens.js';
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
    it("sweeps the records still owing events when the pipe's DLQ has batches, delivers them and clears the DLQ", async () => {
      const { fixture, key } = await givenUndeliveredAnnouncement();

      const report = await fixture.get(RedeliverOutbox).execute();

      expect(report).to.deep.equal({ deadLetters: 1, swept: 1, delivered: 2, failed: 0, unmarked: 0, deadLettersCleared: 1 });
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

    it('sweeps on every run, with or without a DLQ note, leaving commits younger than the sweep age to the pipe unless forced', async () => {
      const fixture = new PipelineFixture({ env: { OUTBOX_SWEEP_AGE_SECONDS: '60' } });
      const key = await fixture.accept(OrderMother.valid());
      await fixture.deliver({ remainingTimeMs: 60_000 });
      const young = await fixture.accept(OrderMother.valid({ orderId: 'young' }));
      await fixture.clock.advance(61_000);
      await fixture.deliver({ remainingTimeMs: 60_000 });

      const scheduled = await fixture.get(RedeliverOutbox).execute();
      const forced = await fixture.get(RedeliverOutbox).execute({ force: true });

      expect(scheduled, 'owing for longer than the sweep age, no note needed').to.deep.include({ deadLetters: 0, swept: 1, delivered: 2 });
      expect(forced, 'an operator takes the young one too').to.deep.include({ swept: 1, delivered: 2 });
      expect(fixture.events(EVENT_TYPES.processed).map((event) => event.detail.idempotencyKey)).to.have.members([key, young]);
    });

    it('keeps a DLQ note whose records are younger than the sweep age, and deletes it only once a run has covered them', async () => {
      // The pipe gave up on a batch at once (its retries spent in milliseconds): the note arrives while its records are young.
      const fixture = new PipelineFixture({ env: { OUTBOX_SWEEP_AGE_SECONDS: '60' } });
      const key = await fixture.accept(OrderMother.valid());
      await fixture.deliver({ remainingTimeMs: 60_000 });
      fixture.stream.advance(fixture.stream.length);
      await fixture.infrastructure.outboxDeadLetterQueue.send([{ id: 'batch', body: '{"reason":"retries"}', attributes: {} }]);

      const early = await fixture.get(RedeliverOutbox).execute();
      await fixture.clock.advance(61_000);
      const covered = await fixture.get(RedeliverOutbox).execute();

      expect(early, 'nothing old enough to sweep: the note stays').to.deep.equal({
        deadLetters: 1,
        swept: 0,
        delivered: 0,
        failed: 0,
        unmarked: 0,
        deadLettersCleared: 0,
      });
      expect(covered).to.deep.equal({ deadLetters: 1, swept: 1, delivered: 2, failed: 0, unmarked: 0, deadLettersCleared: 1 });
      expect(fixture.events(EVENT_TYPES.processed).map((event) => event.detail.idempotencyKey)).to.deep.equal([key]);
    });

    it('keeps a DLQ note while younger records it may stand for still owe events after a run that took only `limit` records', async () => {
      const { fixture } = await givenUndeliveredAnnouncement();
      const other = await fixture.accept(OrderMother.valid({ orderId: 'other' }));
      await fixture.deliver({ remainingTimeMs: 60_000 });
      fixture.stream.advance(fixture.stream.length);
      fixture.infrastructure.bus.failWhen((event) => (event.detail.idempotencyKey === other ? 'InternalFailure' : undefined));
      await fixture.clock.advance(61_000);

      const report = await fixture.get(RedeliverOutbox).execute({ limit: 1 });

      expect(
        report,
        'one delivered (its OrderPublished and OrderProcessed), the other still owed: the note is not answered',
      ).to.deep.include({ deadLetters: 1, delivered: 2, failed: 2, deadLettersCleared: 0 });
    });

    it('retries a failed delivery mark within the run, and reports the record that still could not be marked', async () => {
      const { fixture } = await givenUndeliveredAnnouncement();
      const store = fixture.get<{ markDelivered: (...args: never[]) => Promise<unknown> }>(TOKENS.IdempotencyStore);
      const markDelivered = store.markDelivered.bind(store);
      let failures = 1;
      store.markDelivered = async (...args) => {
        if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
        return markDelivered(...args);
      };

      const once = await fixture.get(RedeliverOutbox).execute();
      failures = 10;
      await fixture.infrastructure.outboxDeadLetterQueue.send([{ id: 'batch', body: '{"reason":"retries"}', attributes: {} }]);
      const key = await fixture.accept(OrderMother.valid({ orderId: 'unmarked' }));
      await fixture.deliver({ remainingTimeMs: 60_000 });
      fixture.stream.advance(fixture.stream.length);
      await fixture.clock.advance(61_000);
      const never = await fixture.get(RedeliverOutbox).execute();
      failures = 0;
      await fixture.clock.advance(6_000);
      const next = await fixture.get(RedeliverOutbox).execute();

      expect(once, 'one failed mark, written again: marked, nothing left').to.deep.include({
        delivered: 2,
        unmarked: 0,
        deadLettersCleared: 1,
      });
      expect(never, 'delivered but never marked: reported, and the note kept').to.deep.include({
        delivered: 2,
        unmarked: 1,
        deadLettersCleared: 0,
      });
      expect(next, 'the next run finds it again and only marks it: the relay remembers the bus took its events').to.deep.include({
        swept: 1,
        delivered: 0,
        unmarked: 0,
        deadLettersCleared: 1,
      });
      expect((await fixture.committedEvents(key))[0]?.deliveredAt).to.be.a('number');
    });
  });
});
