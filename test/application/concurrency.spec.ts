import { expect } from 'chai';
import fc from 'fast-check';
import { mapWithConcurrency } from '../../application/support/concurrency.js';

describe('Function: mapWithConcurrency', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          // Prepare
          let inFlight = 0;
          let peak = 0;

          // Act
          const results = await mapWithConcurrency(delays, limit, async (delay, index) => {
            inFlight += 1;
            peak = Math.max(peak, inFlight);
            for (let turn = 0; turn < delay; turn += 1) await Promise.resolve();
            inFlight -= 1;
            return index * 10;
          });

          // Assess
          expect(results).to.deep.equal(delays.map((_, index) => index * 10));
          expect(peak).to.be.at.most(limit);
          if (delays.length >= limit) expect(peak).to.equal(limit);
        },
      ),
    );
  });

  it('returns an empty list for no items without calling anything', async () => {
    let calls = 0;

    const results = await mapWithConcurrency([], 3, async () => {
      calls += 1;
    });

    expect(results).to.deep.equal([]);
    expect(calls).to.equal(0);
  });
});
