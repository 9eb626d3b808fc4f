import { expect } from 'chai';
import fc from 'fast-check';
import { ERROR_CATEGORIES } from '../../domain/error-category.js';
import { categoryOfInvocationError, categoryOfStepError, stepErrorName } from '../../application/workflows/index.js';

describe('Function: stepErrorName', () => {
  it('gives every category its own name that categoryOfStepError reads back', () => {
    const names = ERROR_CATEGORIES.map(stepErrorName);
    expect(new Set(names).size).to.equal(ERROR_CATEGORIES.length);
    fc.assert(fc.property(fc.constantFrom(...ERROR_CATEGORIES), (category) => categoryOfStepError(stepErrorName(category)) === category));
  });

  it('never collides with the error names Step Functions and Lambda reserve', () => {
    for (const name of ERROR_CATEGORIES.map(stepErrorName)) {
      expect(name).to.match(/^Pipeline\.[A-Z]+$/);
    }
    expect(categoryOfStepError('States.Timeout')).to.equal(undefined);
    expect(categoryOfStepError('Lambda.ServiceException')).to.equal(undefined);
    expect(categoryOfStepError('Pipeline.IN_PROGRESS')).to.equal(undefined);
  });

  it('reads the category of the errors Lambda and Step Functions raise about an invocation', () => {
    expect(categoryOfInvocationError('Lambda.TooManyRequestsException')).to.equal('TRANSIENT');
    expect(categoryOfInvocationError('Lambda.ServiceException')).to.equal('TRANSIENT');
    expect(categoryOfInvocationError('States.Timeout')).to.equal('TIMEOUT');
    expect(categoryOfInvocationError('Sandbox.Timedout')).to.equal('TIMEOUT');
    expect(categoryOfInvocationError('Pipeline.TRANSIENT')).to.equal(undefined);
    expect(categoryOfInvocationError('Runtime.ExitError')).to.equal(undefined);
  });
});
