import { expect } from 'chai';
import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  ERROR_CATEGORIES,
  ERROR_CATEGORY_DESCRIPTIONS,
  RETRY_POLICIES,
  isErrorCategory,
  shouldRetry,
} from '../../domain/error-category.js';

describe('Module: error-category', () => {
  describe('Constant: ERROR_CATEGORIES', () => {
    it('lists the six categories, each described', () => {
      expect(ERROR_CATEGORIES).to.have.members(['VALIDATION', 'TRANSIENT', 'PERMANENT', 'TIMEOUT', 'PROCESSING', 'UNKNOWN']);
      for (const category of ERROR_CATEGORIES) expect(ERROR_CATEGORY_DESCRIPTIONS[category]).to.be.a('string').and.not.equal('');
    });
  });

  describe('Constant: RETRY_POLICIES', () => {
    it('never retries VALIDATION or PERMANENT failures', () => {
      for (const category of ['VALIDATION', 'PERMANENT'] as const) {
        expect(RETRY_POLICIES[category].retryable, category).to.equal(false);
        expect(RETRY_POLICIES[category].maxAttempts, category).to.equal(1);
      }
    });

    it('retries the other categories a bounded number of times', () => {
      for (const category of ['TRANSIENT', 'TIMEOUT', 'PROCESSING', 'UNKNOWN'] as const) {
        expect(RETRY_POLICIES[category].retryable, category).to.equal(true);
        expect(RETRY_POLICIES[category].maxAttempts, category).to.be.within(2, 10);
      }
    });

    it('lets only TRANSIENT and TIMEOUT failures trip a breaker', () => {
      const tripping = ERROR_CATEGORIES.filter((category) => RETRY_POLICIES[category].tripsBreaker);
      expect(tripping).to.have.members(['TRANSIENT', 'TIMEOUT']);
    });
  });

  describe('Function: isErrorCategory', () => {
    it('accepts exactly the six category names', () => {
      for (const category of ERROR_CATEGORIES) expect(isErrorCategory(category)).to.equal(true);
      for (const value of ['transient', 'RETRY', '', ' TRANSIENT', null, undefined, 1, {}]) {
        expect(isErrorCategory(value), inspect(value)).to.equal(false);
      }
    });
  });

  describe('Function: shouldRetry', () => {
    it('allows retries until maxAttempts attempts have failed', () => {
      expect(shouldRetry('TRANSIENT', 1)).to.equal(true);
      expect(shouldRetry('TRANSIENT', RETRY_POLICIES.TRANSIENT.maxAttempts - 1)).to.equal(true);
      expect(shouldRetry('TRANSIENT', RETRY_POLICIES.TRANSIENT.maxAttempts)).to.equal(false);
    });

    it('never retries a non-retryable category, whatever the count', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('VALIDATION' as const, 'PERMANENT' as const),
          fc.integer({ min: -5, max: 100 }),
          (category, attempts) => shouldRetry(category, attempts) === false,
        ),
      );
    });

    it('is true exactly when the category is retryable and attempts are left', () => {
      fc.assert(
        fc.property(fc.constantFrom(...ERROR_CATEGORIES), fc.integer({ min: 0, max: 50 }), (category, attempts) => {
          const policy = RETRY_POLICIES[category];
          expect(shouldRetry(category, attempts)).to.equal(policy.retryable && attempts < policy.maxAttempts);
        }),
      );
    });

    it('does not retry when the attempt count is not a number', () => {
      expect(shouldRetry('TRANSIENT', Number.NaN)).to.equal(false);
    });
  });
});
