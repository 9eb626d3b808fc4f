import { expect } from 'chai';
import fc from 'fast-check';
import {
  DEFAULT_BACKOFF_POLICY,
  SQS_MAX_DELAY_SECONDS,
  backoffEnvelope,
  decorrelatedJitter,
  equalJitter,
  fullJitter,
  nextDelaySeconds,
  seedBackoffSeconds,
  type BackoffPolicy,
  type BackoffStrategy,
} from '../../domain/backoff.js';
import { ALMOST_ONE, constant, unitRandom, policyArb, attemptArb, previousArb, expectCode } from './backoff.fixtures.js';

describe('Module: backoff', () => {
  describe('Function: seedBackoffSeconds', () => {
    it('is 2^(attempt-1) plus the drawn jitter for early attempts', () => {
      expect(seedBackoffSeconds(1, constant(0))).to.equal(1);
      expect(seedBackoffSeconds(4, constant(0))).to.equal(8);
      expect(seedBackoffSeconds(1, constant(ALMOST_ONE))).to.equal(1 + 300);
    });

    it('caps the exponential part at 300 s and the result at 900 s', () => {
      expect(seedBackoffSeconds(10, constant(0))).to.equal(300);
      expect(seedBackoffSeconds(10, constant(ALMOST_ONE))).to.equal(600);
      expect(seedBackoffSeconds(10, constant(ALMOST_ONE), 20)).to.equal(900);
    });

    it('draws the jitter like Python randint: every whole second from 0 to the maximum inclusive', () => {
      // Prepare: baseJitterMinutes 1 → 61 equally likely jitters 0..60
      const drawn = new Set<number>();
      for (let k = 0; k <= 60; k += 1) {
        // Act: a random value in the middle of the k-th of 61 slots
        drawn.add(seedBackoffSeconds(1, constant((k + 0.5) / 61), 1) - 1);
      }
      // Assess
      expect([...drawn].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 61 }, (_, k) => k));
    });

    it('treats attempts below 1 (and NaN) as attempt 1', () => {
      fc.assert(
        fc.property(fc.oneof(fc.integer({ max: 0 }), fc.constant(Number.NaN)), unitRandom, (attempt, r) => {
          expect(seedBackoffSeconds(attempt, constant(r))).to.equal(seedBackoffSeconds(1, constant(r)));
        }),
      );
    });

    it('returns whole seconds within [min(2^(attempt-1), 300), 900] for any attempt', () => {
      fc.assert(
        fc.property(attemptArb, unitRandom, fc.integer({ min: 0, max: 30 }), (attempt, r, minutes) => {
          const delay = seedBackoffSeconds(attempt, constant(r), minutes);
          const exponent = attempt >= 1 ? Math.min(Math.floor(attempt) - 1, 1_000) : 0;
          expect(Number.isInteger(delay)).to.equal(true);
          expect(delay).to.be.at.least(Math.min(2 ** exponent, 300));
          expect(delay).to.be.at.most(Math.min(Math.min(2 ** exponent, 300) + minutes * 60, 900));
        }),
      );
    });
  });

  describe('Function: fullJitter', () => {
    const bounds = { base: 100, cap: 20_000 };

    it('scales the random draw by min(cap, base·2^(attempt-1))', () => {
      expect(fullJitter(3, constant(0.5), bounds)).to.equal(200);
      expect(fullJitter(1, constant(0), bounds)).to.equal(0);
      expect(fullJitter(30, constant(0.5), bounds)).to.equal(10_000);
    });

    it('stays within [0, min(cap, base·2^(attempt-1))]', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2_000 }),
          unitRandom,
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 10 ** 9 }),
          (attempt, r, base, cap) => {
            const delay = fullJitter(attempt, constant(r), { base, cap });
            expect(delay).to.be.at.least(0);
            expect(delay).to.be.at.most(Math.min(cap, base * 2 ** Math.min(attempt - 1, 1_023)));
          },
        ),
      );
    });

    it('throws BACKOFF.INVALID_BOUNDS for negative or non-finite bounds', () => {
      expectCode(() => fullJitter(1, constant(0), { base: -1, cap: 10 }), 'BACKOFF.INVALID_BOUNDS');
      expectCode(() => fullJitter(1, constant(0), { base: 1, cap: Number.POSITIVE_INFINITY }), 'BACKOFF.INVALID_BOUNDS');
      expectCode(() => fullJitter(1, constant(0), { base: Number.NaN, cap: 10 }), 'BACKOFF.INVALID_BOUNDS');
    });
  });

  describe('Function: equalJitter', () => {
    it('keeps half of the capped exponential delay and randomises the other half', () => {
      expect(equalJitter(3, constant(0), { base: 100, cap: 20_000 })).to.equal(200);
      expect(equalJitter(3, constant(0.5), { base: 100, cap: 20_000 })).to.equal(300);
    });

    it('stays within [ceiling/2, ceiling]', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2_000 }),
          unitRandom,
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 10 ** 9 }),
          (attempt, r, base, cap) => {
            const ceiling = Math.min(cap, base * 2 ** Math.min(attempt - 1, 1_023));
            const delay = equalJitter(attempt, constant(r), { base, cap });
            expect(delay).to.be.within(ceiling / 2, ceiling);
          },
        ),
      );
    });
  });

  describe('Function: decorrelatedJitter', () => {
    const bounds = { base: 1, cap: 100 };

    it('draws between base and three times the previous delay', () => {
      expect(decorrelatedJitter(10, constant(0), bounds)).to.equal(1);
      expect(decorrelatedJitter(10, constant(0.5), bounds)).to.equal(15.5);
    });

    it('caps the draw', () => {
      expect(decorrelatedJitter(90, constant(0.9), bounds)).to.equal(100);
    });

    it('treats a previous delay below base, or NaN, as base', () => {
      fc.assert(
        fc.property(fc.oneof(fc.double({ max: 1, noNaN: true }), fc.constant(Number.NaN)), unitRandom, (previous, r) => {
          expect(decorrelatedJitter(previous, constant(r), bounds)).to.equal(decorrelatedJitter(1, constant(r), bounds));
        }),
      );
    });

    it('stays within [base, min(cap, 3·previous)] along a whole retry sequence', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 1_000 }),
          fc.integer({ min: 0, max: 100_000 }),
          fc.array(unitRandom, { maxLength: 50 }),
          (base, cap, draws) => {
            let previous = base;
            for (const r of draws) {
              const delay = decorrelatedJitter(previous, constant(r), { base, cap });
              expect(delay).to.be.at.least(Math.min(base, cap));
              expect(delay).to.be.at.most(Math.min(cap, 3 * Math.max(previous, base)));
              previous = delay;
            }
          },
        ),
      );
    });

    it('never returns NaN or Infinity for absurd previous delays', () => {
      for (const previous of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, -0]) {
        const delay = decorrelatedJitter(previous, constant(0), { base: 1, cap: Number.MAX_VALUE });
        expect(Number.isFinite(delay), String(previous)).to.equal(true);
      }
    });
  });

  describe('Constant: DEFAULT_BACKOFF_POLICY', () => {
    it('uses full jitter from 2 s up to the SQS maximum delay', () => {
      expect(DEFAULT_BACKOFF_POLICY).to.deep.equal({ strategy: 'full-jitter', baseSeconds: 2, capSeconds: 900, baseJitterMinutes: 5 });
      expect(SQS_MAX_DELAY_SECONDS).to.equal(900);
    });
  });

  describe('Function: nextDelaySeconds', () => {
    it('returns whole seconds inside the envelope and inside [0, min(cap, 900)] for any input', () => {
      fc.assert(
        fc.property(policyArb, attemptArb, previousArb, unitRandom, (policy, attempt, previous, r) => {
          // Act
          const delay = nextDelaySeconds(policy, attempt, previous, constant(r));
          const envelope = backoffEnvelope(policy, attempt, previous);
          // Assess
          expect(Number.isInteger(delay), `delay ${delay}`).to.equal(true);
          expect(delay).to.be.within(envelope.min, envelope.max);
          expect(delay).to.be.within(0, Math.min(policy.capSeconds, SQS_MAX_DELAY_SECONDS));
        }),
        { numRuns: 2_000 },
      );
    });

    it('stays inside the bounds even when the random source misbehaves', () => {
      fc.assert(
        fc.property(policyArb, attemptArb, fc.constantFrom(1, -1, 5, Number.NaN, Number.POSITIVE_INFINITY), (policy, attempt, bad) => {
          const delay = nextDelaySeconds(policy, attempt, policy.baseSeconds, constant(bad));
          expect(delay).to.be.within(0, Math.min(policy.capSeconds, SQS_MAX_DELAY_SECONDS));
        }),
      );
    });

    it('can reach the full ceiling, so a one-second base does not always give zero', () => {
      const policy: BackoffPolicy = { ...DEFAULT_BACKOFF_POLICY, baseSeconds: 1 };
      expect(nextDelaySeconds(policy, 1, 0, constant(0))).to.equal(0);
      expect(nextDelaySeconds(policy, 1, 0, constant(0.9))).to.equal(1);
    });

    it('follows the seed formula, capped, under the seed strategy', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), unitRandom, fc.integer({ min: 0, max: 2_000 }), (attempt, r, capSeconds) => {
          const policy: BackoffPolicy = { strategy: 'seed', baseSeconds: 0, capSeconds, baseJitterMinutes: 5 };
          expect(nextDelaySeconds(policy, attempt, 0, constant(r))).to.equal(
            Math.min(seedBackoffSeconds(attempt, constant(r), 5), capSeconds),
          );
        }),
      );
    });

    it('keeps a decorrelated sequence inside its envelopes when each delay feeds the next', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 2_000 }),
          fc.array(unitRandom, { minLength: 1, maxLength: 40 }),
          (baseSeconds, capSeconds, draws) => {
            const policy: BackoffPolicy = { strategy: 'decorrelated-jitter', baseSeconds, capSeconds, baseJitterMinutes: 0 };
            let previous = 0;
            draws.forEach((r, index) => {
              const { min, max } = backoffEnvelope(policy, index + 1, previous);
              const delay = nextDelaySeconds(policy, index + 1, previous, constant(r));
              expect(delay).to.be.within(min, max);
              previous = delay;
            });
          },
        ),
      );
    });

    it('grows decorrelated delays with the attempt when the previous delay is unknown', () => {
      const policy: BackoffPolicy = { strategy: 'decorrelated-jitter', baseSeconds: 2, capSeconds: 900, baseJitterMinutes: 0 };
      // The previous delay is taken as the exponential ceiling of the attempt before: 2, 2, 4, 8, 16, …
      const maxima = Array.from({ length: 10 }, (_, i) => backoffEnvelope(policy, i + 1, undefined).max);
      expect(maxima).to.deep.equal([6, 6, 12, 24, 48, 96, 192, 384, 768, 900]);
      expect(nextDelaySeconds(policy, 6, undefined, constant(ALMOST_ONE))).to.equal(96);
      expect(nextDelaySeconds(policy, 6, undefined, constant(0))).to.equal(2);
      // A known previous delay still wins over the estimate.
      expect(nextDelaySeconds(policy, 6, 3, constant(ALMOST_ONE))).to.equal(9);
    });

    it('stays inside the envelope for an unknown previous delay, for any policy and attempt', () => {
      fc.assert(
        fc.property(policyArb, attemptArb, unitRandom, (policy, attempt, r) => {
          const { min, max } = backoffEnvelope(policy, attempt, undefined);
          const delay = nextDelaySeconds(policy, attempt, undefined, constant(r));
          expect(delay).to.be.within(min, max);
          expect(delay).to.be.within(0, Math.min(policy.capSeconds, SQS_MAX_DELAY_SECONDS));
        }),
      );
    });

    it('throws BACKOFF.INVALID_POLICY for fractional, negative or NaN settings and unknown strategies', () => {
      const bad: BackoffPolicy[] = [
        { ...DEFAULT_BACKOFF_POLICY, baseSeconds: 1.5 },
        { ...DEFAULT_BACKOFF_POLICY, capSeconds: -1 },
        { ...DEFAULT_BACKOFF_POLICY, capSeconds: Number.NaN },
        { ...DEFAULT_BACKOFF_POLICY, baseJitterMinutes: -1 },
        { ...DEFAULT_BACKOFF_POLICY, strategy: 'linear' as BackoffStrategy },
      ];
      for (const policy of bad) expectCode(() => nextDelaySeconds(policy, 1, 0, constant(0)), 'BACKOFF.INVALID_POLICY');
    });
  });
});
