import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../domain/errors.js';
import { SUPPORTED_CURRENCY_CODES, addMinor, applyRateHalfEven, isIsoCurrency, multiplyMinor, roundHalfEven } from '../../domain/money.js';

const safeInteger = fc.maxSafeInteger();
const halfRange = fc.integer({ min: -(2 ** 50), max: 2 ** 50 });

function expectValidationError(act: () => unknown, code: string): void {
  try {
    act();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).code).to.equal(code);
    return;
  }
  expect.fail(`expected a ValidationError with code ${code}`);
}

describe('Module: money', () => {
  describe('Constant: SUPPORTED_CURRENCY_CODES', () => {
    it('holds about thirty distinct three-letter upper-case codes', () => {
      expect(SUPPORTED_CURRENCY_CODES.length).to.be.within(25, 40);
      expect(new Set(SUPPORTED_CURRENCY_CODES).size).to.equal(SUPPORTED_CURRENCY_CODES.length);
      for (const code of SUPPORTED_CURRENCY_CODES) expect(code).to.match(/^[A-Z]{3}$/);
    });

    it('includes the major currencies', () => {
      for (const code of ['EUR', 'USD', 'GBP', 'JPY', 'CHF']) expect(SUPPORTED_CURRENCY_CODES).to.include(code);
    });
  });

  describe('Function: isIsoCurrency', () => {
    it('accepts every supported code', () => {
      for (const code of SUPPORTED_CURRENCY_CODES) expect(isIsoCurrency(code)).to.equal(true);
    });

    it('rejects lower case, padded, unknown and empty codes', () => {
      for (const code of ['eur', ' EUR', 'EUR ', 'XXX', 'EURO', '', 'US']) expect(isIsoCurrency(code), code).to.equal(false);
    });
  });

  describe('Function: addMinor', () => {
    it('adds two amounts', () => {
      expect(addMinor(1999, 1)).to.equal(2000);
      expect(addMinor(-500, 200)).to.equal(-300);
    });

    it('is commutative within the safe range', () => {
      fc.assert(fc.property(halfRange, halfRange, (a, b) => addMinor(a, b) === addMinor(b, a)));
    });

    it('is associative within the safe range', () => {
      fc.assert(fc.property(halfRange, halfRange, halfRange, (a, b, c) => addMinor(addMinor(a, b), c) === addMinor(a, addMinor(b, c))));
    });

    it('agrees with exact BigInt addition whenever it returns', () => {
      fc.assert(
        fc.property(safeInteger, safeInteger, (a, b) => {
          const exact = BigInt(a) + BigInt(b);
          const fits = exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER);
          if (fits) {
            expect(BigInt(addMinor(a, b))).to.equal(exact);
          } else {
            expectValidationError(() => addMinor(a, b), 'MONEY.OVERFLOW');
          }
        }),
      );
    });

    it('throws MONEY.OVERFLOW when the sum leaves the safe range', () => {
      expectValidationError(() => addMinor(Number.MAX_SAFE_INTEGER, 1), 'MONEY.OVERFLOW');
      expectValidationError(() => addMinor(Number.MIN_SAFE_INTEGER, -1), 'MONEY.OVERFLOW');
    });

    it('throws MONEY.OVERFLOW when an input is an integer beyond the safe range', () => {
      expectValidationError(() => addMinor(2 ** 60, 0), 'MONEY.OVERFLOW');
    });

    it('throws MONEY.NOT_INTEGER when an input is fractional, NaN or infinite', () => {
      for (const bad of [0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expectValidationError(() => addMinor(bad, 1), 'MONEY.NOT_INTEGER');
        expectValidationError(() => addMinor(1, bad), 'MONEY.NOT_INTEGER');
      }
    });
  });

  describe('Function: multiplyMinor', () => {
    it('multiplies an amount by a quantity', () => {
      expect(multiplyMinor(1999, 3)).to.equal(5997);
    });

    it('never returns negative zero', () => {
      expect(Object.is(multiplyMinor(0, -3), 0)).to.equal(true);
    });

    it('agrees with exact BigInt multiplication or throws MONEY.OVERFLOW', () => {
      fc.assert(
        fc.property(safeInteger, fc.oneof(fc.integer({ min: -10_000, max: 10_000 }), safeInteger), (amount, quantity) => {
          const exact = BigInt(amount) * BigInt(quantity);
          const fits = exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER);
          if (fits) {
            expect(BigInt(multiplyMinor(amount, quantity))).to.equal(exact);
          } else {
            expectValidationError(() => multiplyMinor(amount, quantity), 'MONEY.OVERFLOW');
          }
        }),
      );
    });

    it('throws MONEY.OVERFLOW just past the safe range', () => {
      expectValidationError(() => multiplyMinor(2 ** 52, 2), 'MONEY.OVERFLOW');
    });

    it('throws MONEY.NOT_INTEGER for a fractional quantity', () => {
      expectValidationError(() => multiplyMinor(100, 0.5), 'MONEY.NOT_INTEGER');
    });
  });

  describe('Function: roundHalfEven', () => {
    it('rounds ties to the even neighbour', () => {
      // Prepare: numerator / 2 gives x.5 for odd numerators
      const cases: [bigint, bigint][] = [
        [1n, 0n],
        [3n, 2n],
        [5n, 2n],
        [7n, 4n],
        [9n, 4n],
        [-1n, 0n],
        [-3n, -2n],
        [-5n, -2n],
        [-7n, -4n],
      ];
      for (const [numerator, expected] of cases) {
        expect(roundHalfEven(numerator, 2n), `${numerator}/2`).to.equal(expected);
      }
    });

    it('rounds non-ties to the nearest integer', () => {
      expect(roundHalfEven(7n, 3n)).to.equal(2n);
      expect(roundHalfEven(8n, 3n)).to.equal(3n);
      expect(roundHalfEven(-7n, 3n)).to.equal(-2n);
      expect(roundHalfEven(-8n, 3n)).to.equal(-3n);
      expect(roundHalfEven(12_345n, 10_000n)).to.equal(1n);
      expect(roundHalfEven(15_001n, 10_000n)).to.equal(2n);
    });

    it('handles a negative denominator', () => {
      expect(roundHalfEven(5n, -2n)).to.equal(-2n);
      expect(roundHalfEven(7n, -3n)).to.equal(-2n);
    });

    it('returns the nearest integer, and the even one on a tie (reference definition)', () => {
      fc.assert(
        fc.property(
          fc.bigInt(),
          fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).filter((d) => d !== 0n),
          (n, d) => {
            const k = roundHalfEven(n, d);
            const absD = d < 0n ? -d : d;
            const gap = n - k * d; // n/d - k, scaled by d
            const twiceGap = 2n * (gap < 0n ? -gap : gap);
            expect(twiceGap <= absD, 'distance to the result is at most one half').to.equal(true);
            if (twiceGap === absD) expect(k % 2n, 'a tie goes to the even neighbour').to.equal(0n);
          },
        ),
      );
    });

    it('sends every exact tie to whichever neighbour is even', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (k, halfD) => {
          // Prepare: n / d = k + 1/2 exactly
          const d = 2n * halfD;
          const n = k * d + halfD;
          // Act
          const rounded = roundHalfEven(n, d);
          // Assess
          expect([k, k + 1n]).to.include(rounded);
          expect(rounded % 2n).to.equal(0n);
        }),
      );
    });

    it('throws MONEY.DIVISION_BY_ZERO for a zero denominator', () => {
      expectValidationError(() => roundHalfEven(1n, 0n), 'MONEY.DIVISION_BY_ZERO');
    });
  });

  describe('Function: applyRateHalfEven', () => {
    it("applies a rate in basis points with banker's rounding", () => {
      expect(applyRateHalfEven(10_000, 1_900)).to.equal(1_900);
      expect(applyRateHalfEven(1, 5_000)).to.equal(0); // 0.5 → 0
      expect(applyRateHalfEven(3, 5_000)).to.equal(2); // 1.5 → 2
      expect(applyRateHalfEven(5, 5_000)).to.equal(2); // 2.5 → 2
      expect(applyRateHalfEven(1999, 2_000)).to.equal(400); // 399.8 → 400
      expect(applyRateHalfEven(-5, 5_000)).to.equal(-2); // -2.5 → -2
    });

    it('is the identity at 10 000 basis points and zero at 0', () => {
      fc.assert(
        fc.property(safeInteger, (amount) => {
          expect(applyRateHalfEven(amount, 10_000)).to.equal(amount);
          expect(Object.is(applyRateHalfEven(amount, 0), 0)).to.equal(true);
        }),
      );
    });

    it('never returns a negative tax for a non-negative amount and rate', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), fc.integer({ min: 0, max: 10_000 }), (amount, rate) => {
          const tax = applyRateHalfEven(amount, rate);
          expect(tax).to.be.at.least(0);
          expect(tax).to.be.at.most(amount);
        }),
      );
    });

    it('is exact beyond the precision of floating-point multiplication', () => {
      // 2^53 - 1 = 9 007 199 254 740 991; × 1 bp / 10 000 = 900 719 925 474.0991 → 900 719 925 474
      expect(applyRateHalfEven(Number.MAX_SAFE_INTEGER, 1)).to.equal(900_719_925_474);
    });

    it('is monotonic in the amount', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.integer({ min: 0, max: 50_000 }),
          (x, y, rate) => {
            const [low, high] = x <= y ? [x, y] : [y, x];
            expect(applyRateHalfEven(low, rate)).to.be.at.most(applyRateHalfEven(high, rate));
          },
        ),
      );
    });

    it('throws MONEY.OVERFLOW when the result leaves the safe range', () => {
      expectValidationError(() => applyRateHalfEven(Number.MAX_SAFE_INTEGER, 20_000), 'MONEY.OVERFLOW');
    });

    it('throws MONEY.NOT_INTEGER for a fractional rate or amount', () => {
      expectValidationError(() => applyRateHalfEven(100, 19.5), 'MONEY.NOT_INTEGER');
      expectValidationError(() => applyRateHalfEven(100.5, 1_900), 'MONEY.NOT_INTEGER');
    });
  });
});
