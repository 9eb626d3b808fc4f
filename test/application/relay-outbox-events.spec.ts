import { expect } from 'chai';
import { fromOutboxEntry } from '../../application/events/outbox-events.js';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { createOutboxRelayHandler } from '../../handlers/outbox-relay.js';
import { passesOutboxFilter, type StreamRecordJson } from '../../harness/emulation/streams/table-stream.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** The eventbridge breaker: 3 failures open it for 45 s (application/config/breaker-defaults.ts). */
const EVENTBRIDGE_RECOVERY_MS = 45_000;

/** A processed order whose stream record waits for the relay, with the relay's EventBridge breaker open. */
async function givenOpenBreaker(): Promise<{ fixture: PipelineFixture; key: string; batch: StreamRecordJson[] }> {
  const fixture = new PipelineFixture();
  const key = await fixture.accept(OrderMother.valid());
  await fixture.deliver({ remainingTimeMs: 60_000 });
  const records = await fixture.stream.peek(fixture.stream.length);
  fixture.stream.advance(records.length);
  const batch = records.filter(passesOutboxFilter);
  fixture.infrastructure.bus.failWhen(() => 'InternalFailure');
  const relay = createOutboxRelayHandler(() => fixture.container);
  for (let attempt = 0; attempt < 5; attempt++) await relay(batch);
  fixture.infrastructure.bus.clearFailures();
  return { fixture, key, batch };
}

/** A processed order's stream images, taken before anything relayed them, and what another relay (the sweep) then delivered and marked. */
async function givenImagesAnotherRelayDelivered(): Promise<{ fixture: PipelineFixture; key: string; batch: StreamRecordJson[] }> {
  const fixture = new PipelineFixture();
  const key = await fixture.accept(OrderMother.valid());
  await fixture.deliver({ remainingTimeMs: 60_000 });
  const records = await fixture.stream.peek(fixture.stream.length);
  fixture.stream.advance(records.length);
  const batch = records.filter(passesOutboxFilter);
  const record = await fixture.record(key);
  const owed = (record?.outbox ?? []).filter((entry) => entry.deliveredAt === undefined);
  expect(owed, 'OrderPublished and OrderProcessed, both owed').to.have.length(2);
  // The other relay's work, as the redrive function's sweep does it: the bus takes the events, the record is marked.
  await fixture.infrastructure.bus.publish(owed.map((entry) => fromOutboxEntry(record!, entry)));
  await fixture.infrastructure.store.markDelivered(
    record!,
    owed.map((entry) => entry.eventId),
    fixture.clock.now(),
  );
  return { fixture, key, batch };
}

describe('Class: RelayOutboxEvents', () => {
  describe('Method: execute, with images another relay has since delivered', () => {
    it("reads an image owing events older than the sweep age again (a pipe's retry after an outage: the sweep may have delivered them) and sends nothing the record no longer owes", async () => {
      const { fixture, key, batch } = await givenImagesAnotherRelayDelivered();
      await fixture.clock.sleep(fixture.config.outboxSweepAgeSeconds * 1000 + 1_000);

      const response = await createOutboxRelayHandler(() => fixture.container)(batch);

      expect(response.batchItemFailures).to.deep.equal([]);
      expect(
        fixture.events(EVENT_TYPES.processed).map((event) => event.detail.idempotencyKey),
        'delivered once: by the other relay',
      ).to.deep.equal([key]);
      expect(fixture.events(EVENT_TYPES.published)).to.have.length(1);
      expect(fixture.metrics.total('OutboxImagesReread')).to.equal(1);
    });

    it('sends an image younger than the sweep age as it is, with no read (the happy path, and a pipe lagging less, cost nothing more)', async () => {
      const { fixture, batch } = await givenImagesAnotherRelayDelivered();
      await fixture.clock.sleep(fixture.config.outboxSweepAgeSeconds * 1000 - 10_000);

      const response = await createOutboxRelayHandler(() => fixture.container)(batch);

      expect(response.batchItemFailures).to.deep.equal([]);
      expect(fixture.metrics.total('OutboxImagesReread')).to.equal(0);
      expect(fixture.events(EVENT_TYPES.processed), 'the image still showed it owed: sent again, with its eventId').to.have.length(2);
      expect(new Set(fixture.events(EVENT_TYPES.processed).map((event) => event.eventId)).size).to.equal(1);
    });
  });

  describe('Method: execute, with images older than its own marks', () => {
    /** A processed order whose claim and completion images each owe events, with the store's delivery marks counted. */
    async function givenProcessedOrder(): Promise<{
      fixture: PipelineFixture;
      key: string;
      images: StreamRecordJson[];
      marks: string[][];
    }> {
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid());
      await fixture.deliver({ remainingTimeMs: 60_000 });
      const store = fixture.infrastructure.store;
      const marks: string[][] = [];
      const markDelivered = store.markDelivered.bind(store);
      store.markDelivered = (seen, eventIds, now) => {
        marks.push([...eventIds]);
        return markDelivered(seen, eventIds, now);
      };
      const images = (await fixture.stream.peek(fixture.stream.length)).filter(passesOutboxFilter);
      fixture.stream.advance(fixture.stream.length);
      expect(images, 'the claim image and the completion image').to.have.length(2);
      return { fixture, key, images, marks };
    }

    it("reads a claimed record's image again and sends what the record owes by then, with one mark that clears it", async () => {
      const { fixture, key, images, marks } = await givenProcessedOrder();
      const relay = createOutboxRelayHandler(() => fixture.container);

      // Act: the pipe hands the claim's image on alone (the completion was written meanwhile), then the completion's
      for (const image of images) expect((await relay([image])).batchItemFailures).to.deep.equal([]);

      // Assess: one read, one mark, each event once; the mark's image owes nothing, so the pipe passes no other
      expect(fixture.metrics.total('OutboxImagesReread')).to.equal(1);
      expect(marks).to.have.length(1);
      expect(marks[0]).to.have.length(2);
      expect(fixture.events(EVENT_TYPES.published)).to.have.length(1);
      expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
      expect((await fixture.stream.peek(fixture.stream.length)).filter(passesOutboxFilter)).to.deep.equal([]);
      expect((await fixture.record(key))?.outbox?.every((entry) => entry.deliveredAt !== undefined)).to.equal(true);
    });

    it("neither sends nor marks again an image that owes only events it marked (its first mark's own image, handed on after the completion's)", async () => {
      // Prepare: the claim image cannot be read again (it is then sent and marked as it is)
      const { fixture, key, images, marks } = await givenProcessedOrder();
      const store = fixture.infrastructure.store;
      const get = store.get.bind(store);
      store.get = () => Promise.reject(new Error('throttled'));
      const relay = createOutboxRelayHandler(() => fixture.container);

      // Act: the pipe hands them on one batch each, then the image of the first mark (OrderProcessed still owed)
      for (const image of images) expect((await relay([image])).batchItemFailures).to.deep.equal([]);
      const later = (await fixture.stream.peek(fixture.stream.length)).filter(passesOutboxFilter);
      fixture.stream.advance(fixture.stream.length);
      expect(later, "the first mark's image").to.have.length(1);
      const response = await relay(later);
      store.get = get;

      // Assess: two marks, not three; each event sent once; the record owes nothing
      expect(response.batchItemFailures).to.deep.equal([]);
      expect(marks).to.have.length(2);
      expect(fixture.events(EVENT_TYPES.published)).to.have.length(1);
      expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
      expect((await fixture.record(key))?.outbox?.every((entry) => entry.deliveredAt !== undefined)).to.equal(true);
    });
  });

  describe('Method: execute, with its EventBridge breaker open', () => {
    it("waits, within the pipe invocation's time left, until the breaker admits a probe, so that the pipe's next retry delivers", async () => {
      const { fixture, key, batch } = await givenOpenBreaker();
      const relay = createOutboxRelayHandler(() => fixture.container);
      const started = fixture.clock.now();

      const waited = await relay(batch, { getRemainingTimeInMillis: () => 120_000 });
      const elapsed = fixture.clock.now() - started;
      const retried = await relay(batch, { getRemainingTimeInMillis: () => 120_000 });

      expect(waited.batchItemFailures, "answered after the wait: the claim's image and the completion's").to.have.length(2);
      expect(elapsed, 'one breaker recovery, not milliseconds').to.be.at.least(EVENTBRIDGE_RECOVERY_MS - 5_000);
      expect(retried.batchItemFailures, 'the next retry probes and delivers').to.deep.equal([]);
      expect(fixture.events(EVENT_TYPES.processed).map((event) => event.detail.idempotencyKey)).to.deep.equal([key]);
    });

    it('waits what the invocation can afford and answers the pipe, so that its next retry comes that much later', async () => {
      const { fixture, batch } = await givenOpenBreaker();
      const started = fixture.clock.now();

      const response = await createOutboxRelayHandler(() => fixture.container)(batch, { getRemainingTimeInMillis: () => 20_000 });

      expect(response.batchItemFailures, "the claim's image (OrderPublished) and the completion's").to.have.length(2);
      const waited = fixture.clock.now() - started;
      expect(waited, 'its time left less the 5 s it keeps').to.be.within(14_000, 16_000);
      expect(fixture.events(EVENT_TYPES.processed)).to.deep.equal([]);
    });

    it("fails at once without an invocation's time (the redelivery sweep: its next tick tries again)", async () => {
      const { fixture, batch } = await givenOpenBreaker();
      const started = fixture.clock.now();

      const response = await createOutboxRelayHandler(() => fixture.container)(batch);

      expect(response.batchItemFailures, "the claim's image (OrderPublished) and the completion's").to.have.length(2);
      expect(fixture.clock.now() - started).to.be.below(1_000);
    });
  });
});
