import { expect } from 'chai';
import { isSimulation, parseSimulation, simulatedCategory } from '../../application/orders/failure-simulation.js';

describe('Function: parseSimulation', () => {
  for (const [header, expected] of [
    ['transient:3', { kind: 'transient', times: 3 }],
    ['TIMEOUT', { kind: 'timeout', times: 1 }],
    [' timeout:99 ', { kind: 'timeout', times: 99 }],
    ['permanent', { kind: 'permanent', times: Number.MAX_SAFE_INTEGER }],
    ['validation:4', { kind: 'validation', times: Number.MAX_SAFE_INTEGER }],
  ] as const) {
    it(`reads "${header}"`, () => {
      expect(parseSimulation(header)).to.deep.equal(expected);
    });
  }

  for (const header of ['transient:0', 'transient:100', 'transient:-1', 'explode', 'toString', '__proto__', 'transient:', '']) {
    it(`refuses "${header}" with a reason`, () => {
      expect(parseSimulation(header)).to.be.a('string').and.not.equal('');
    });
  }
});

describe('Function: isSimulation', () => {
  it('accepts what parseSimulation produces', () => {
    for (const header of ['transient:2', 'permanent', 'timeout', 'validation']) {
      const parsed = parseSimulation(header);
      expect(isSimulation(parsed), header).to.equal(true);
    }
  });

  for (const value of [
    { kind: 'toString', times: 1 },
    { kind: 'constructor', times: 1 },
    { kind: '__proto__', times: 1 },
    { kind: 'transient', times: 0 },
    { kind: 'transient', times: 1.5 },
    { kind: 'transient', times: '2' },
    { kind: 'transient' },
    null,
    'transient',
  ]) {
    it(`refuses ${JSON.stringify(value)} read off the queue`, () => {
      expect(isSimulation(value)).to.equal(false);
    });
  }
});

describe('Function: simulatedCategory', () => {
  it('maps each kind to its error category', () => {
    expect(
      ['validation', 'transient', 'permanent', 'timeout'].map((kind) => simulatedCategory({ kind: kind as 'transient', times: 1 })),
    ).to.deep.equal(['VALIDATION', 'TRANSIENT', 'PERMANENT', 'TIMEOUT']);
  });
});
