import { expect } from 'chai';
import { failureOf } from '../../harness/emulation/step-functions/workflow-runner.js';

describe('Function: failureOf', () => {
  it('reads the category from the error name and the code from the Lambda error message', () => {
    const cause = JSON.stringify({ errorType: 'Pipeline.PERMANENT', errorMessage: 'SIMULATED.PERMANENT: simulated permanent failure' });
    expect(failureOf({ Error: 'Pipeline.PERMANENT', Cause: cause })).to.deep.equal({ category: 'PERMANENT', code: 'SIMULATED.PERMANENT' });
    expect(failureOf({ Error: 'Lambda.Unknown', Cause: 'gone' })).to.deep.equal({ category: 'UNKNOWN', code: 'STEP.UNKNOWN' });
  });
});
