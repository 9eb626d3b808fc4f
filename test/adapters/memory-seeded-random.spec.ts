import { expect } from 'chai';
import fc from 'fast-check';
import { SeededRandom } from '../../adapters/system/seeded-random.js';

describe('Class: SeededRandom', () => {
  it('repeats its sequence for the same seed and stays within [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (seed) => {
        const first = new SeededRandom(seed);
        const second = new SeededRandom(seed);
        const drawn = Array.from({ length: 20 }, () => first.next());
        expect(Array.from({ length: 20 }, () => second.next())).to.deep.equal(drawn);
        expect(drawn.every((value) => value >= 0 && value < 1)).to.equal(true);
      }),
    );
  });

  it('gives different sequences for different seeds and spreads its values', () => {
    const random = new SeededRandom(42);
    const values = Array.from({ length: 10_000 }, () => random.next());
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;

    expect(new SeededRandom(1).next()).to.not.equal(new SeededRandom(2).next());
    expect(mean).to.be.within(0.48, 0.52);
    expect(new Set(values).size).to.be.greaterThan(9_990);
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => new SeededRandom(1.5)).to.throw(RangeError);
  });
});
