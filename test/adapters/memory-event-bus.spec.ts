import { expect } from 'chai';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryEventBus } from '../../adapters/memory/memory-event-bus.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { START, aMemoryBus, anEvent } from './memory.fixtures.js';

describe('Class: MemoryEventBus', () => {
  describe('Method: publish', () => {
    it('splits into PutEvents requests of at most 10 entries', async () => {
      const { bus } = aMemoryBus();

      await bus.publish(Array.from({ length: 25 }, (_, index) => anEvent(index)));

      expect(bus.requestCount()).to.equal(3);
    });

    it('splits by the byte limit too', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });
      const bus = new MemoryEventBus({ clock, random: new SeededRandom(1), limits: { maxEntries: 10, maxBytes: 2_000 } });

      const result = await bus.publish(Array.from({ length: 4 }, (_, index) => anEvent(index, { note: 'x'.repeat(900) })));

      expect(result.published).to.have.length(4);
      expect(bus.requestCount()).to.equal(2);
    });

    it('waits between re-sends on the clock, with a full-jitter delay within the backoff cap', async () => {
      // Prepare: a clock that does not move by itself
      const clock = new ManualClock({ start: START });
      const bus = new MemoryEventBus({ clock, random: new SeededRandom(3), backoff: { base: 100, cap: 100 } });
      bus.failNext(1, 'ThrottlingException');

      // Act
      let settled = false;
      const publishing = bus.publish([anEvent(1)]).then((result) => {
        settled = true;
        return result;
      });
      await new Promise((resolve) => setImmediate(resolve));
      const whileWaiting = { settled, requests: bus.requestCount(), wakeAt: clock.nextWakeAt() };
      await clock.advance(100);
      const result = await publishing;

      // Assess
      expect(whileWaiting.settled).to.equal(false);
      expect(whileWaiting.requests).to.equal(1);
      expect(whileWaiting.wakeAt).to.be.within(START, START + 100);
      expect(result.published).to.have.length(1);
      expect(bus.requestCount()).to.equal(2);
    });

    it('sends a failing retryable entry 1 + maxRetries times, no more', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });
      const bus = new MemoryEventBus({ clock, random: new SeededRandom(3), maxRetries: 2 });
      const attempts: number[] = [];
      bus.failWhen((_event, attempt) => {
        attempts.push(attempt);
        return 'InternalFailure';
      });

      const result = await bus.publish([anEvent(1)]);

      expect(attempts).to.deep.equal([1, 2, 3]);
      expect(result.failed[0]).to.include({ category: 'TRANSIENT', code: 'AWS.InternalFailure' });
    });

    it('reports a detail that cannot be serialised as MalformedDetail, PERMANENT', async () => {
      const { bus } = aMemoryBus();

      const result = await bus.publish([anEvent(1, { amount: 10n }), anEvent(2)]);

      expect(result.failed.map((failure) => [failure.event.eventId, failure.category, failure.code])).to.deep.equal([
        ['evt-1', 'PERMANENT', 'AWS.MalformedDetail'],
      ]);
      expect(result.published.map((event) => event.eventId)).to.deep.equal(['evt-2']);
    });

    it('keeps the delivered detail as a consumer sees it: JSON, with the eventId', async () => {
      const { bus } = aMemoryBus();
      const event = anEvent(1, { placedAt: new Date(START) });

      await bus.publish([event]);

      expect(bus.delivered()[0]?.detail).to.deep.equal({ orderId: 'order-1', placedAt: new Date(START).toISOString(), eventId: 'evt-1' });
    });
  });

  describe('Method: deleteBus', () => {
    it('reports the events left failed, not thrown, when the bus goes away after a first request delivered', async () => {
      // Prepare: the first delivery deletes the bus, so the second PutEvents request is refused
      const { bus } = aMemoryBus();
      bus.subscribe(() => bus.deleteBus());

      // Act
      const result = await bus.publish(Array.from({ length: 12 }, (_, index) => anEvent(index)));

      // Assess: as the EventBridge adapter settles a refusal once something was published
      expect(result.published).to.have.length(10);
      expect(result.failed.map((failure) => [failure.event.eventId, failure.category, failure.code])).to.deep.equal([
        ['evt-10', 'PERMANENT', 'AWS.ResourceNotFoundException'],
        ['evt-11', 'PERMANENT', 'AWS.ResourceNotFoundException'],
      ]);
      expect(bus.requestCount()).to.equal(2);
    });

    it("settles an entry whose re-send is refused with the refusal, as the adapter's entry retry does", async () => {
      const { bus } = aMemoryBus();
      bus.failNext(1, 'ThrottlingException');
      bus.subscribe(() => bus.deleteBus());

      const result = await bus.publish([anEvent(1), anEvent(2)]);

      expect(result.published.map((event) => event.eventId)).to.deep.equal(['evt-2']);
      expect(result.failed.map((failure) => [failure.event.eventId, failure.category, failure.code])).to.deep.equal([
        ['evt-1', 'PERMANENT', 'AWS.ResourceNotFoundException'],
      ]);
    });
  });

  describe('Method: subscribe', () => {
    it('hands each delivered event to listeners until they unsubscribe; a throwing listener fails nothing', async () => {
      const { bus } = aMemoryBus();
      const seen: string[] = [];
      const unsubscribe = bus.subscribe((event) => seen.push(event.eventId));
      bus.subscribe(() => {
        throw new Error('listener bug');
      });

      const first = await bus.publish([anEvent(1), anEvent(2)]);
      unsubscribe();
      await bus.publish([anEvent(3)]);

      expect(first.failed).to.deep.equal([]);
      expect(seen).to.deep.equal(['evt-1', 'evt-2']);
      expect(bus.listenerErrors()).to.have.length(3);
      expect(bus.delivered()).to.have.length(3);
    });
  });
});
