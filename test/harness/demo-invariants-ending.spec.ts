import { expect } from 'chai';
import { endingOf } from '../../harness/demo/invariants.js';
import { record, goodRun, finalState } from './demo-invariants.fixtures.js';

describe('Function: endingOf', () => {
  it('tells a success, a parking by the worker, a parking by the redrive and an unfinished order apart', () => {
    const run = goodRun();
    run.records.set('k-waiting', record('k-waiting', 'INFLIGHT', { attempts: 3 }));
    const state = finalState(run);

    expect(endingOf('k-ok', state)).to.deep.equal({ kind: 'SUCCEEDED', detail: 'attempts 1' });
    expect(endingOf('k-parked', state)).to.deep.equal({ kind: 'PARKED', detail: 'PERMANENT (SIMULATED.PERMANENT)', category: 'PERMANENT' });
    expect(endingOf('k-redriven', state)).to.deep.equal({ kind: 'PARKED', detail: 'PERMANENT (redrive)', category: 'PERMANENT' });
    expect(endingOf('k-waiting', state)).to.deep.equal({ kind: 'UNFINISHED', detail: 'INFLIGHT, attempts 3' });
    expect(endingOf('k-unknown', state)).to.deep.equal({ kind: 'UNFINISHED', detail: 'no record' });
  });
});
