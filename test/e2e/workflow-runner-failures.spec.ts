import { expect } from 'chai';
import { INVOCATION_RETRY } from '../../application/workflows/index.js';
import { currentInvocation, never } from '../../harness/emulation/lambda/invocation.js';
import { CRASHED_TASK_ERROR } from '../../harness/emulation/step-functions/workflow-runner.js';
import { stepError, rig, EXECUTION } from './workflow-runner.fixtures.js';

describe('Class: WorkflowRunner', () => {
  describe('Method: run', () => {
    it("fails the execution with the release's own error when the release cannot be recorded, parking nothing", async () => {
      const { runner, parked } = rig({
        idempotency: async (state) => {
          if (state.error === undefined) return { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' };
          throw stepError('PERMANENT', 'AWS.AccessDeniedException: not allowed');
        },
        processor: async () => Promise.reject(stepError('PROCESSING', 'RULES.ENGINE_DOWN: no answer')),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      if (result.status !== 'FAILED') return;
      expect(result.error.Error).to.equal('Pipeline.PERMANENT');
      expect(parked).to.deep.equal([]);
      expect(result.visited.map((visit) => visit.step).slice(-2)).to.deep.equal(['ReleaseClaim', 'RetryLater']);
    });

    it('retries a timed-out invocation, then fails the execution with Sandbox.Timedout when the retries are spent', async () => {
      const { runner, calls } = rig({ processor: async () => never() });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      if (result.status !== 'FAILED') return;
      expect(result.error.Error).to.equal('Sandbox.Timedout');
      expect(calls.filter((call) => call === 'processor')).to.have.length(1 + INVOCATION_RETRY.maxAttempts);
      // Caught after the retries, the timeout releases the claim, which sends the record back to the queue after its backoff.
      expect(result.visited.map((visit) => visit.step).slice(-4)).to.deep.equal([
        'ReleaseClaim',
        'RouteReleaseVerdict',
        'HoldBackForRetry',
        'RetryLater',
      ]);
    });

    it('catches a VALIDATION failure at once (no retry), releases the claim and parks the record with the category and code', async () => {
      const { runner, parked, calls } = rig({
        processor: async () => Promise.reject(stepError('VALIDATION', 'ORDER.INVALID: order violates business rules')),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('SUCCEEDED');
      expect(calls).to.deep.equal(['idempotency', 'processor', 'idempotency']);
      expect(parked).to.deep.equal([{ category: 'VALIDATION', code: 'ORDER.INVALID' }]);
    });

    it('routes on the claim decision: a record held by another worker fails the execution so the queue redelivers it', async () => {
      const { runner, calls } = rig({
        idempotency: async () => ({ decision: { kind: 'IN_PROGRESS', retryAfterMs: 1_000 }, ownerToken: 'o' }),
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      if (result.status !== 'FAILED') return;
      expect(result.error.Error).to.equal('Pipeline.IN_PROGRESS');
      expect(calls).to.deep.equal(['idempotency']);
    });

    it('reports a task whose invocation crashed as Runtime.ExitError, which no rule retries or catches', async () => {
      const { runner, calls } = rig({
        processor: async () => {
          currentInvocation()?.crash('died');
          return never();
        },
      });
      const result = await runner.run([], EXECUTION);
      expect(result.status).to.equal('FAILED');
      if (result.status !== 'FAILED') return;
      expect(result.error.Error).to.equal(CRASHED_TASK_ERROR);
      expect(calls.filter((call) => call === 'processor')).to.have.length(1);
    });
  });
});
