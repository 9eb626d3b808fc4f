import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../domain/errors.js';
import {
  LAMBDA_MAX_TIMEOUT_SECONDS,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  lambdaEventSourceVisibilityTimeoutSeconds,
  seedVisibilityTimeoutSeconds,
  visibilityTimeoutSeconds,
} from '../../domain/visibility-timeout.js';

const timeoutArb = fc.integer({ min: 1, max: LAMBDA_MAX_TIMEOUT_SECONDS });
const windowArb = fc.integer({ min: 0, max: 300 });

describe('Module: visibility-timeout', () => {
  describe('Constants', () => {
    it('are the SQS (12 h) and Lambda (15 min) maxima', () => {
      expect(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS).to.equal(12 * 60 * 60);
      expect(LAMBDA_MAX_TIMEOUT_SECONDS).to.equal(15 * 60);
    });
  });

  describe('Function: seedVisibilityTimeoutSeconds', () => {
    it('adds a 30 s buffer with a 180 s floor', () => {
      expect(seedVisibilityTimeoutSeconds(10)).to.equal(180);
      expect(seedVisibilityTimeoutSeconds(150)).to.equal(180);
      expect(seedVisibilityTimeoutSeconds(300)).to.equal(330);
    });
  });

  describe('Function: lambdaEventSourceVisibilityTimeoutSeconds', () => {
    it('is six times the function timeout plus the batching window', () => {
      expect(lambdaEventSourceVisibilityTimeoutSeconds(30, 0)).to.equal(180);
      expect(lambdaEventSourceVisibilityTimeoutSeconds(60, 5)).to.equal(365);
    });
  });

  describe('Function: visibilityTimeoutSeconds', () => {
    it('applies the AWS rule for a typical worker', () => {
      expect(visibilityTimeoutSeconds({ functionTimeoutSeconds: 60, batchingWindowSeconds: 5 })).to.deep.equal({
        seconds: 365,
        rule: 'aws-six-times-timeout',
      });
    });

    it('treats a missing batching window as 0', () => {
      expect(visibilityTimeoutSeconds({ functionTimeoutSeconds: 60 })).to.deep.equal({ seconds: 360, rule: 'aws-six-times-timeout' });
    });

    it('keeps the seed floor of 180 s for very short functions', () => {
      expect(visibilityTimeoutSeconds({ functionTimeoutSeconds: 10 })).to.deep.equal({ seconds: 180, rule: 'seed-minimum' });
      expect(visibilityTimeoutSeconds({ functionTimeoutSeconds: 29, batchingWindowSeconds: 5 })).to.deep.equal({
        seconds: 180,
        rule: 'seed-minimum',
      });
    });

    it('reports the AWS rule on a tie at 30 s', () => {
      expect(visibilityTimeoutSeconds({ functionTimeoutSeconds: 30 })).to.deep.equal({ seconds: 180, rule: 'aws-six-times-timeout' });
    });

    it('lets the batching window tip a short function over the floor', () => {
      expect(visibilityTimeoutSeconds({ functionTimeoutSeconds: 20, batchingWindowSeconds: 300 })).to.deep.equal({
        seconds: 420,
        rule: 'aws-six-times-timeout',
      });
    });

    it('is the larger of the two rules, never below what AWS requires, and within the SQS range', () => {
      fc.assert(
        fc.property(timeoutArb, windowArb, (functionTimeoutSeconds, batchingWindowSeconds) => {
          const { seconds, rule } = visibilityTimeoutSeconds({ functionTimeoutSeconds, batchingWindowSeconds });
          const aws = 6 * functionTimeoutSeconds + batchingWindowSeconds;
          const seed = Math.max(functionTimeoutSeconds + 30, 180);
          expect(seconds).to.equal(Math.max(aws, seed));
          expect(seconds).to.be.at.least(aws);
          expect(seconds).to.be.greaterThan(functionTimeoutSeconds); // Lambda refuses the mapping otherwise
          expect(seconds).to.be.at.most(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS);
          expect(rule).to.equal(aws >= seed ? 'aws-six-times-timeout' : 'seed-minimum');
        }),
      );
    });

    it('always lets the AWS rule decide from a 30 s timeout up', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 30, max: LAMBDA_MAX_TIMEOUT_SECONDS }),
          windowArb,
          (functionTimeoutSeconds, batchingWindowSeconds) => {
            expect(visibilityTimeoutSeconds({ functionTimeoutSeconds, batchingWindowSeconds }).rule).to.equal('aws-six-times-timeout');
          },
        ),
      );
    });

    it('returns whole seconds', () => {
      fc.assert(
        fc.property(timeoutArb, windowArb, (functionTimeoutSeconds, batchingWindowSeconds) =>
          Number.isInteger(visibilityTimeoutSeconds({ functionTimeoutSeconds, batchingWindowSeconds }).seconds),
        ),
      );
    });

    it('throws VISIBILITY.INVALID_INPUT for timeouts outside 1–900 s or not whole', () => {
      for (const functionTimeoutSeconds of [0, -1, 901, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => visibilityTimeoutSeconds({ functionTimeoutSeconds }), String(functionTimeoutSeconds))
          .to.throw(ValidationError)
          .with.property('code', 'VISIBILITY.INVALID_INPUT');
      }
    });

    it('throws VISIBILITY.INVALID_INPUT for batching windows outside 0–300 s or not whole', () => {
      for (const batchingWindowSeconds of [-1, 301, 0.5, Number.NaN]) {
        expect(() => visibilityTimeoutSeconds({ functionTimeoutSeconds: 60, batchingWindowSeconds }), String(batchingWindowSeconds))
          .to.throw(ValidationError)
          .with.property('code', 'VISIBILITY.INVALID_INPUT');
      }
    });
  });
});
