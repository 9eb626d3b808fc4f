import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../domain/errors.js';
import { routesToNewTopology, trafficBucket, TRAFFIC_BUCKETS } from '../../domain/traffic-split.js';

const keyArb = fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' });
const shareArb = fc.integer({ min: 0, max: 100 });

describe('Module: traffic-split', () => {
  describe('Function: trafficBucket', () => {
    it('puts every key in one of 100 buckets', () => {
      fc.assert(
        fc.property(keyArb, (key) => {
          const bucket = trafficBucket(key);
          expect(bucket).to.be.within(0, TRAFFIC_BUCKETS - 1);
          expect(Number.isInteger(bucket)).to.equal(true);
        }),
      );
    });

    it('is FNV-1a, so the split does not move when the code is rebuilt or ported', () => {
      // FNV-1a 32 of "" is 0x811c9dc5 (2166136261), of "a" 0xe40c292c (3826002220): the published test vectors.
      expect(trafficBucket('')).to.equal(2_166_136_261 % 100);
      expect(trafficBucket('a')).to.equal(3_826_002_220 % 100);
    });

    it('spreads idempotency keys evenly: each decile of buckets gets about a tenth of them', () => {
      const counts = new Array<number>(10).fill(0);
      for (let index = 0; index < 20_000; index += 1) {
        const bucket = trafficBucket(`order-${index}:${(index * 7_919) % 10_007}`);
        counts[Math.floor(bucket / 10)] = (counts[Math.floor(bucket / 10)] ?? 0) + 1;
      }
      for (const count of counts) expect(count).to.be.within(1_700, 2_300);
    });
  });

  describe('Function: routesToNewTopology', () => {
    it('routes nothing at 0 % and everything at 100 %', () => {
      fc.assert(
        fc.property(keyArb, (key) => {
          expect(routesToNewTopology(key, 0)).to.equal(false);
          expect(routesToNewTopology(key, 100)).to.equal(true);
        }),
      );
    });

    it('only ever moves an order to the new topology as the share grows, never back', () => {
      fc.assert(
        fc.property(keyArb, shareArb, shareArb, (key, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          if (routesToNewTopology(key, low)) expect(routesToNewTopology(key, high)).to.equal(true);
        }),
      );
    });

    it('sends about the configured share of orders', () => {
      const keys = Array.from({ length: 10_000 }, (_, index) => `key-${index}`);
      for (const share of [10, 50]) {
        const routed = keys.filter((key) => routesToNewTopology(key, share)).length / keys.length;
        expect(routed, `${share} %`).to.be.closeTo(share / 100, 0.02);
      }
    });

    it('refuses a share that is not a whole percentage from 0 to 100', () => {
      for (const share of [-1, 101, 10.5, Number.NaN]) {
        expect(() => routesToNewTopology('k', share))
          .to.throw(ValidationError)
          .with.property('code', 'TRAFFIC.INVALID_SHARE');
      }
    });
  });
});
