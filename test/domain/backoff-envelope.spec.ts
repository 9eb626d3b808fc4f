import { expect } from 'chai';
import fc from 'fast-check';
import { DEFAULT_BACKOFF_POLICY, backoffEnvelope, nextDelaySeconds } from '../../domain/backoff.js';
import { ALMOST_ONE, constant, policyArb, attemptArb, previousArb } from './backoff.fixtures.js';

describe('Module: backoff', () => {
  describe('Function: backoffEnvelope', () => {
    it('doubles the full-jitter ceiling with each attempt until the cap', () => {
      const maxima = Array.from({ length: 12 }, (_, i) => backoffEnvelope(DEFAULT_BACKOFF_POLICY, i + 1, 0).max);
      expect(maxima).to.deep.equal([2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    });

    it('is tight: the lowest draw gives its min and the highest its max', () => {
      fc.assert(
        fc.property(policyArb, attemptArb, previousArb, (policy, attempt, previous) => {
          const { min, max } = backoffEnvelope(policy, attempt, previous);
          expect(nextDelaySeconds(policy, attempt, previous, constant(0))).to.equal(min);
          expect(nextDelaySeconds(policy, attempt, previous, constant(ALMOST_ONE))).to.equal(max);
        }),
      );
    });

    it("describes each strategy's promise", () => {
      const base = { baseSeconds: 2, capSeconds: 900, baseJitterMinutes: 5 };
      expect(backoffEnvelope({ ...base, strategy: 'equal-jitter' }, 3, 0)).to.deep.equal({ min: 4, max: 8 });
      expect(backoffEnvelope({ ...base, strategy: 'decorrelated-jitter' }, 3, 10)).to.deep.equal({ min: 2, max: 30 });
      expect(backoffEnvelope({ ...base, strategy: 'seed' }, 3, 0)).to.deep.equal({ min: 4, max: 304 });
    });
  });
});
