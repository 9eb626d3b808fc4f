import { expect } from 'chai';
import { INVARIANT, NOW, goodRun, failures, updateRecord } from './demo-invariants.fixtures.js';

describe('Invariant: the EventBridge outage', () => {
  it('fails for an order sent during the outage that was parked, naming it', () => {
    const run = goodRun();
    run.log.duringEventBridgeOutage.push('k-parked');
    expect(failures(run)).to.deep.equal([
      { name: INVARIANT.outbox, problems: ['k-parked: parked during the EventBridge outage (PERMANENT (SIMULATED.PERMANENT))'] },
    ]);
  });

  it('fails for a committed event the relay never delivered, naming the record and the event', () => {
    const run = goodRun();
    updateRecord(run, 'k-ok', {
      outbox: [{ eventId: 'e-1', detailType: 'OrderProcessed', source: 'orders.pipeline', time: NOW, detail: '{}' }],
    });
    expect(failures(run)).to.deep.equal([{ name: INVARIANT.outbox, problems: ['k-ok (SUCCEEDED): OrderProcessed never delivered'] }]);
    updateRecord(run, 'k-ok', {
      outbox: [{ eventId: 'e-1', detailType: 'OrderProcessed', source: 'orders.pipeline', time: NOW, detail: '{}', deliveredAt: NOW }],
    });
    expect(failures(run)).to.deep.equal([]);
  });
});
