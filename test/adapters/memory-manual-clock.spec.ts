import { expect } from 'chai';
import { ManualClock } from '../support/manual-clock.js';
import { START } from './memory.fixtures.js';

describe('Class: ManualClock', () => {
  describe('Method: sleep', () => {
    it('resolves only once the clock was advanced to its wake-up time', async () => {
      const clock = new ManualClock({ start: START });
      let woke = false;
      const sleeping = clock.sleep(1_000).then(() => {
        woke = true;
      });

      await clock.advance(999);
      const beforeDue = woke;
      await clock.advance(1);
      await sleeping;

      expect(beforeDue).to.equal(false);
      expect(woke).to.equal(true);
      expect(clock.now()).to.equal(START + 1_000);
    });

    it('resolves at once for 0 or a negative time', async () => {
      const clock = new ManualClock({ start: START });

      await clock.sleep(0);
      await clock.sleep(-5);

      expect(clock.pendingSleeps()).to.equal(0);
    });
  });

  describe('Method: advance', () => {
    it('wakes sleepers in wake-up order, each seeing its own wake-up time, and runs chained sleeps within the span', async () => {
      const clock = new ManualClock({ start: START });
      const seen: string[] = [];
      void clock.sleep(300).then(() => seen.push(`b@${clock.now() - START}`));
      void (async () => {
        await clock.sleep(100);
        seen.push(`a@${clock.now() - START}`);
        await clock.sleep(100);
        seen.push(`a2@${clock.now() - START}`);
      })();

      await clock.advance(1_000);

      expect(seen).to.deep.equal(['a@100', 'a2@200', 'b@300']);
      expect(clock.now()).to.equal(START + 1_000);
    });

    it('refuses a negative step', () => {
      expect(() => new ManualClock().advance(-1)).to.throw(RangeError);
    });
  });

  describe('Method: set', () => {
    it('moves forward waking the due sleepers, and backwards without waking anyone', async () => {
      const clock = new ManualClock({ start: START });
      let woke = false;
      void clock.sleep(500).then(() => {
        woke = true;
      });

      await clock.set(START - 10_000);
      const afterBackwards = woke;
      await clock.set(START + 500);
      await new Promise((resolve) => setImmediate(resolve));

      expect(afterBackwards).to.equal(false);
      expect(woke).to.equal(true);
    });
  });

  describe('Option: autoAdvance', () => {
    it('jumps to the next wake-up once the code is idle: concurrent sleeps end together', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });

      await Promise.all([clock.sleep(100), clock.sleep(100), clock.sleep(40)]);

      expect(clock.now()).to.equal(START + 100);
    });

    it('lets sequential sleeps add up', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });

      await clock.sleep(100);
      await clock.sleep(250);

      expect(clock.now()).to.equal(START + 350);
    });
  });
});
