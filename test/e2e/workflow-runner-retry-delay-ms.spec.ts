import { expect } from 'chai';
import { retryDelayMs } from '../../harness/emulation/step-functions/workflow-runner.js';

describe('Function: retryDelayMs', () => {
  it('is interval × rate^n, capped at maxDelaySeconds, scaled by the jitter draw', () => {
    const rule = {
      categories: ['TRANSIENT' as const],
      scope: 'invocation' as const,
      intervalSeconds: 1,
      maxAttempts: 5,
      backoffRate: 2,
      maxDelaySeconds: 5,
    };
    expect([0, 1, 2, 3].map((n) => retryDelayMs(rule, n, () => 0.999_999))).to.deep.equal([1_000, 2_000, 4_000, 5_000]);
    expect(retryDelayMs(rule, 2, () => 0)).to.equal(0);
  });
});
