import { expect } from 'chai';
import { checkInvariants } from '../../harness/demo/invariants.js';
import {
  INVARIANT,
  TOTAL,
  REUSED_TOTAL,
  record,
  processed,
  parkedByRedrive,
  goodRun,
  finalState,
  failures,
  updateRecord,
} from './demo-invariants.fixtures.js';

describe('Function: checkInvariants (npm run demo)', () => {
  it('passes every invariant for a run that ended well', () => {
    const run = goodRun();

    const checks = checkInvariants(run.log, finalState(run));

    expect(checks.map((check) => check.name)).to.deep.equal(Object.values(INVARIANT));
    expect(checks.filter((check) => !check.ok || check.problems.length > 0)).to.deep.equal([]);
  });

  it('passes an OrderProcessed event that was sent twice with the same id', () => {
    // A retry after the business step re-emits the event with its deterministic id: consumers de-duplicate it.
    const run = goodRun();
    run.events.push(processed('k-ok'));

    expect(failures(run)).to.deep.equal([]);
  });

  describe(`Invariant: ${INVARIANT.ending}`, () => {
    it('fails for an accepted order still waiting for a retry', () => {
      const run = goodRun();
      run.records.set('k-ok', record('k-ok', 'RETRY', { attempts: 2 }));
      run.commits.delete('k-ok');
      run.events = run.events.filter((event) => event.detailType !== 'OrderProcessed');

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.ending, problems: ['valid #1 (k-ok): RETRY, attempts 2'] }]);
    });

    it('fails for an accepted order of which the store knows nothing', () => {
      const run = goodRun();
      run.records.delete('k-parked');

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.ending, problems: ['permanent-a (k-parked): no record'] }]);
    });

    it('fails for a SUCCEEDED record whose business step the commit ledger never saw', () => {
      const run = goodRun();
      run.commits.delete('k-ok');

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.ending, problems: ['valid #1: SUCCEEDED with 0 commits'] }]);
    });
  });

  describe(`Invariant: ${INVARIANT.noValidationParking}`, () => {
    it('fails for an order the worker parked as VALIDATION', () => {
      const run = goodRun();
      updateRecord(run, 'k-parked', { lastError: { category: 'VALIDATION', code: 'MESSAGE.INVALID' } });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.noValidationParking, problems: ['permanent-a (k-parked): parked VALIDATION (MESSAGE.INVALID)'] },
      ]);
    });

    it('fails for an order the redrive parked as VALIDATION', () => {
      const run = goodRun();
      run.events = [processed('k-ok'), parkedByRedrive('k-redriven', 'VALIDATION')];

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.noValidationParking, problems: ['transient-c (k-redriven): parked VALIDATION (redrive)'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.noDoubleCommit}`, () => {
    it('fails for a key committed twice even when no accepted order carries it', () => {
      // The client may never have seen the 202 (an injected 5xx after the send, then 409 on the retry).
      const run = goodRun();
      run.commits.set('k-lost-answer', 2);

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.noDoubleCommit, problems: ['k-lost-answer committed 2 times'] }]);
    });

    it('fails for an accepted order committed twice, which also did not succeed exactly once', () => {
      const run = goodRun();
      run.commits.set('k-ok', 2);

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.ending, problems: ['valid #1: SUCCEEDED with 2 commits'] },
        { name: INVARIANT.noDoubleCommit, problems: ['k-ok committed 2 times'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.processedEvent}`, () => {
    it('fails for a success that was never announced', () => {
      const run = goodRun();
      run.events = run.events.filter((event) => event.detailType !== 'OrderProcessed');

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.processedEvent, problems: ['valid #1: SUCCEEDED without an OrderProcessed event'] },
      ]);
    });

    it('fails for a success announced under two event ids, which consumers would count twice', () => {
      const run = goodRun();
      const second = processed('k-ok');
      run.events.push({ ...second, eventId: 'another-id', detail: { ...second.detail, eventId: 'another-id' } });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.processedEvent, problems: ['valid #1: 2 different OrderProcessed event ids'] },
      ]);
    });

    it('fails for an announced total that differs from the committed one', () => {
      const run = goodRun();
      updateRecord(run, 'k-ok', { outcome: { orderId: 'order-k-ok', currency: 'EUR', totalMinor: TOTAL + 1 } });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.processedEvent, problems: [`valid #1: announced totals ${TOTAL} but committed ${TOTAL + 1}`] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.keyReuse}`, () => {
    it('fails when the payload sent later under a used key was committed and announced', () => {
      const run = goodRun();
      updateRecord(run, 'k-ok', { outcome: { orderId: 'order-k-ok', currency: 'EUR', totalMinor: REUSED_TOTAL } });
      run.events = [processed('k-ok', REUSED_TOTAL), parkedByRedrive('k-redriven', 'PERMANENT')];

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.keyReuse, problems: [`k-ok: announced a total of ${REUSED_TOTAL}`] }]);
    });
  });

  describe(`Invariant: ${INVARIANT.rejections}`, () => {
    it('fails for an invalid payload that was accepted', () => {
      const run = goodRun();
      run.log.rejected.push({ label: 'a quantity of 0', status: 202, allowed: [400], reasons: ['202'], expectedReason: 'SCHEMA.MIN' });

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.rejections, problems: ['a quantity of 0: HTTP 202, expected 400'] }]);
    });

    it('fails for a refusal that does not give the expected reason', () => {
      const run = goodRun();
      run.log.rejected.push({
        label: 'an unknown currency',
        status: 400,
        allowed: [400],
        reasons: ['SCHEMA.MATCHES'],
        expectedReason: 'ORDER.CURRENCY_NOT_ISO_4217',
      });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.rejections, problems: ['an unknown currency: reasons SCHEMA.MATCHES, expected ORDER.CURRENCY_NOT_ISO_4217'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.duplicateAnswers}`, () => {
    it('fails for a duplicate answered with a status a client cannot rely on', () => {
      const run = goodRun();
      run.log.duplicates.push({ label: 'burst of 4 identical orders', status: 500, allowed: [200, 202, 409], reasons: [] });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.duplicateAnswers, problems: ['burst of 4 identical orders: HTTP 500, expected 200 or 202 or 409'] },
      ]);
    });

    it('fails for a reused key that was answered as a duplicate', () => {
      const run = goodRun();
      run.log.keyReuse.splice(0, 1, {
        label: 'Idempotency-Key reused for another payload',
        status: 200,
        allowed: [422, 202],
        reasons: ['SUCCEEDED'],
      });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.duplicateAnswers, problems: ['Idempotency-Key reused for another payload: HTTP 200, expected 422 or 202'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.atRest}`, () => {
    it('fails with what was left over when the pipeline did not come to rest', () => {
      const run = goodRun();
      run.atRest = false;
      run.leftOver = 'order queue 0 waiting / 1 in flight / 0 delayed; DLQ 2';

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.atRest, problems: ['order queue 0 waiting / 1 in flight / 0 delayed; DLQ 2'] },
      ]);
    });
  });
});
