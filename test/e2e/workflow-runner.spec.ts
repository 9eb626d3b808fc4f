import { expect } from 'chai';
import { HOLD_BACK_RETRY, INVOCATION_RETRY, stepErrorName } from '../../application/workflows/index.js';
import { retryDelayMs } from '../../harness/emulation/step-functions/workflow-runner.js';
import { stepError, namedError, rig, EXECUTION } from './workflow-runner.fixtures.js';

describe('Class: WorkflowRunner', () => {
  describe('Method: run', () => {
    it('runs claim → process (which commits the outcome and its events) and keeps each result under its result key', async () => {
      const { runner, calls } = rig({});
      const result = await runner.run([{ messageId: 'm-1' }], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(calls).to.deep.equal(['idempotency', 'processor']);
      if (result.status !== 'SUCCEEDED') return;
      expect(result.output).to.deep.include({
        message: [{ messageId: 'm-1' }],
        execution: EXECUTION,
        processed: { outcome: { totalMinor: 1 } },
      });
      expect(result.visited.map((visit) => visit.step)).to.deep.equal(['ClaimIdempotency', 'RouteClaimDecision', 'ProcessOrder', 'Done']);
    });

    it('retries a task whose invocation was throttled as its retry rule says, with jittered, growing delays, then goes on', async () => {
      let tries = 0;
      const { runner, sleeps } = rig(
        {
          processor: async () => {
            tries += 1;
            if (tries <= INVOCATION_RETRY.maxAttempts) throw namedError('Lambda.TooManyRequestsException', 'Rate exceeded');
            return { outcome: {} };
          },
        },
        0.5,
      );
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(tries).to.equal(3);
      expect(sleeps).to.deep.equal([500, 1_000]);
      expect(result.visited.find((visit) => visit.step === 'ProcessOrder')?.tries).to.equal(3);
    });

    it('does not retry a TRANSIENT or TIMEOUT the step threw (its SDK already retried): the execution fails at once', async () => {
      for (const category of ['TRANSIENT', 'TIMEOUT'] as const) {
        const { runner, calls, sleeps } = rig({
          processor: async () => Promise.reject(stepError(category, 'AWS.ServiceUnavailable: down')),
        });
        const result = await runner.run([], EXECUTION);
        expect(result.status).to.equal('FAILED');
        if (result.status !== 'FAILED') return;
        expect(result.error.Error).to.equal(stepErrorName(category));
        expect(
          calls.filter((call) => call === 'processor'),
          category,
        ).to.have.length(1);
        expect(sleeps).to.deep.equal([]);
      }
    });

    it("releases the claim after a retryable failure, holds the record back for the release's delay, then fails the execution so the queue redelivers it", async () => {
      const releases: unknown[] = [];
      const { runner, calls, parked, heldBack } = rig({
        idempotency: async (state) => {
          if (state.error === undefined) return { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' };
          releases.push(state.error);
          return { verdict: 'RETRY', delaySeconds: 2 };
        },
        processor: async () => Promise.reject(stepError('TRANSIENT', 'AWS.ThrottlingException: slow down')),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      if (result.status !== 'FAILED') return;
      expect(result.error.Error).to.equal('Pipeline.TRANSIENT');
      expect(releases).to.have.length(1);
      expect(parked).to.deep.equal([]);
      expect(calls).to.deep.equal(['idempotency', 'processor', 'idempotency']);
      expect(heldBack).to.deep.equal([2]);
      expect(result.visited.map((visit) => visit.step)).to.deep.equal([
        'ClaimIdempotency',
        'RouteClaimDecision',
        'ProcessOrder',
        'ReleaseClaim',
        'RouteReleaseVerdict',
        'HoldBackForRetry',
        'RetryLater',
      ]);
    });

    it("re-sends a record it cannot hold back, with the release's delay, and ends the execution well so that the original is acknowledged", async () => {
      const { runner, requeued } = rig(
        {
          idempotency: async (state) =>
            state.error === undefined
              ? { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' }
              : { verdict: 'RETRY', delaySeconds: 2 },
          processor: async () => Promise.reject(stepError('TRANSIENT', 'AWS.ThrottlingException: slow down')),
        },
        0.5,
        async () => {
          throw namedError('Sqs.ReceiptHandleIsInvalidException', 'The receipt handle has expired');
        },
      );
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(requeued).to.deep.equal([2]);
      expect(result.visited.slice(-3)).to.deep.equal([
        { step: 'HoldBackForRetry', error: 'Sqs.ReceiptHandleIsInvalidException' },
        { step: 'RequeueForRetry' },
        { step: 'Requeued' },
      ]);
    });

    it("still fails the execution with the step's own error when the record can neither be held back nor re-sent, so the queue redelivers it later", async () => {
      const { runner, requeued } = rig(
        { processor: async () => Promise.reject(stepError('TRANSIENT', 'AWS.ThrottlingException: slow down')) },
        0.5,
        async () => {
          throw namedError('Sqs.ReceiptHandleIsInvalidException', 'The receipt handle has expired');
        },
        true,
      );
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      if (result.status !== 'FAILED') return;
      // The processor's failure, not the hold-back's: the caught error is what the execution reports.
      expect(result.error.Error).to.equal('Pipeline.TRANSIENT');
      expect(requeued).to.deep.equal([]);
      expect(result.visited.slice(-3)).to.deep.equal([
        { step: 'HoldBackForRetry', error: 'Sqs.ReceiptHandleIsInvalidException' },
        { step: 'RequeueForRetry', error: 'Sqs.SqsException' },
        { step: 'RetryLater' },
      ]);
    });

    it("retries a hold-back that failed, on the step's schedule with full jitter, and holds the record back once the change goes through", async () => {
      let refusals = 2;
      const heldBack: number[] = [];
      const { runner, sleeps } = rig(
        {
          idempotency: async (state) =>
            state.error === undefined
              ? { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' }
              : { verdict: 'RETRY', delaySeconds: 2 },
          processor: async () => Promise.reject(stepError('TRANSIENT', 'AWS.ThrottlingException: slow down')),
        },
        0.5,
        async (_state, delaySeconds) => {
          if (refusals-- > 0) throw namedError('Sqs.SqsException', 'We encountered an internal error');
          heldBack.push(delaySeconds);
        },
      );
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      expect(heldBack).to.deep.equal([2]);
      // interval × rate^n with random 0.5: half of 1 s, then half of 2 s (the processor's own retries are not invocation errors)
      expect(sleeps).to.deep.equal([retryDelayMs(HOLD_BACK_RETRY, 0, () => 0.5), retryDelayMs(HOLD_BACK_RETRY, 1, () => 0.5)]);
      expect(sleeps).to.deep.equal([500, 1_000]);
      expect(result.visited.slice(-2)).to.deep.equal([{ step: 'HoldBackForRetry' }, { step: 'RetryLater' }]);
    });

    it(`gives the hold-back up after ${1 + HOLD_BACK_RETRY.maxAttempts} tries, within the schedule's longest wait`, async () => {
      let tries = 0;
      const { runner, sleeps } = rig(
        { processor: async () => Promise.reject(stepError('TRANSIENT', 'AWS.ThrottlingException: slow down')) },
        0.999,
        async () => {
          tries += 1;
          throw namedError('Sqs.SqsException', 'We encountered an internal error');
        },
      );
      const result = await runner.run([], EXECUTION);
      expect(tries).to.equal(1 + HOLD_BACK_RETRY.maxAttempts);
      expect(sleeps.reduce((sum, ms) => sum + ms, 0)).to.be.at.most(7_000);
      expect(result.visited.slice(-3)).to.deep.equal([
        { step: 'HoldBackForRetry', error: 'Sqs.SqsException' },
        { step: 'RequeueForRetry' },
        { step: 'Requeued' },
      ]);
    });

    it('refuses, as SQS would, a RETRY without a whole-second delay: nothing is held back or re-sent and the execution fails as before', async () => {
      for (const delaySeconds of [undefined, -1, 1.5, '3']) {
        const { runner, heldBack, requeued } = rig({
          idempotency: async (state) =>
            state.error === undefined ? { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' } : { verdict: 'RETRY', delaySeconds },
          processor: async () => Promise.reject(stepError('TRANSIENT', 'AWS.ThrottlingException: slow down')),
        });
        const result = await runner.run([], EXECUTION);
        expect(result.status, String(delaySeconds)).to.equal('FAILED');
        expect(heldBack, String(delaySeconds)).to.deep.equal([]);
        expect(requeued, String(delaySeconds)).to.deep.equal([]);
        expect(result.visited.slice(-3), String(delaySeconds)).to.deep.equal([
          { step: 'HoldBackForRetry', error: 'Sqs.InvalidParameterValueException' },
          { step: 'RequeueForRetry', error: 'Sqs.InvalidParameterValueException' },
          { step: 'RetryLater' },
        ]);
      }
    });

    it('parks with the failure the release recorded when it says the attempts are spent', async () => {
      const { runner, parked } = rig({
        idempotency: async (state) =>
          state.error === undefined
            ? { decision: { kind: 'PROCEED', attempt: 3 }, ownerToken: 'o' }
            : { verdict: 'PARK', failure: { category: 'PROCESSING', code: 'RULES.ENGINE_DOWN' } },
        processor: async () => Promise.reject(stepError('PROCESSING', 'RULES.ENGINE_DOWN: no answer')),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(parked).to.deep.equal([{ category: 'PROCESSING', code: 'RULES.ENGINE_DOWN' }]);
      expect(result.visited.map((visit) => visit.step).slice(-3)).to.deep.equal(['ReleaseClaim', 'RouteReleaseVerdict', 'ParkReleased']);
    });

    it("parks the copy of a message whose record is already PARKED, with the record's failure, instead of acknowledging it", async () => {
      const { runner, parked, calls } = rig({
        idempotency: async () => ({
          decision: { kind: 'PARKED' },
          ownerToken: 'o',
          lastError: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' },
        }),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(parked).to.deep.equal([{ category: 'PERMANENT', code: 'SIMULATED.PERMANENT' }]);
      expect(calls).to.deep.equal(['idempotency']);
      expect(result.visited.map((visit) => visit.step).slice(-2)).to.deep.equal(['RouteClaimDecision', 'ParkRecorded']);
    });

    it('retries a claim whose own write failed TRANSIENT, instead of failing the execution with no backoff set, and then processes the order', async () => {
      let refusals = 2;
      const { runner, sleeps } = rig({
        idempotency: async () => {
          if (refusals-- > 0) throw stepError('TRANSIENT', 'AWS.InternalServerError: try again');
          return { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' };
        },
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(sleeps).to.have.length(2);
      expect(result.visited.find((visit) => visit.step === 'ClaimIdempotency')?.tries).to.equal(3);
    });

    it('retries a release whose own write failed TRANSIENT, and then holds the record back for its backoff', async () => {
      let refusals = 2;
      const { runner, heldBack, sleeps } = rig({
        idempotency: async (state) => {
          if (state.error === undefined) return { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' };
          if (refusals-- > 0) throw stepError('TRANSIENT', 'AWS.InternalServerError: try again');
          return { verdict: 'RETRY', delaySeconds: 2 };
        },
        processor: async () => Promise.reject(stepError('PROCESSING', 'RULES.ENGINE_DOWN: no answer')),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      expect(heldBack).to.deep.equal([2]);
      expect(sleeps).to.have.length(2);
      expect(result.visited.find((visit) => visit.step === 'ReleaseClaim')?.tries).to.equal(3);
    });
  });
});
