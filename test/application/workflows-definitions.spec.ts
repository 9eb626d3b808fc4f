import { expect } from 'chai';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import { IDEMPOTENCY_STATUSES } from '../../domain/idempotency.js';
import {
  CLAIM_DECISION_FIELD,
  CLAIM_ROUTES,
  CONSUME_WORKFLOW,
  HOLD_BACK_RETRY,
  IDEMPOTENCY_STEP_RETRY,
  REQUEUE_RETRY,
  INGEST_WORKFLOW,
  WORKFLOWS,
  workflowProblems,
  type TaskStep,
} from '../../application/workflows/index.js';
import { reachableFrom, happyPathFunctions, tasksOf } from './workflows.fixtures.js';

describe('Workflows: the shared definitions', () => {
  for (const definition of WORKFLOWS) {
    describe(`Workflow: ${definition.name}`, () => {
      it('has no integrity problem (every next exists, every step reachable, catches cover non-retryable categories)', () => {
        expect(workflowProblems(definition)).to.deep.equal([]);
      });

      it('catches VALIDATION and PERMANENT on every task and retries only categories that may succeed later', () => {
        for (const [, task] of tasksOf(definition)) {
          const caught = task.catch.flatMap((rule) => rule.categories);
          expect(caught).to.include.members(['VALIDATION', 'PERMANENT']);
          for (const category of task.retry.flatMap((rule) => rule.categories)) {
            expect(RETRY_POLICIES[category].retryable, category).to.equal(true);
          }
        }
      });
    });
  }

  describe('Constant: INGEST_WORKFLOW', () => {
    it('validates, then publishes', () => {
      expect(happyPathFunctions(INGEST_WORKFLOW)).to.deep.equal(['validate', 'publish']);
    });

    it('fails the execution with the caught error when an order is rejected', () => {
      const validate = INGEST_WORKFLOW.steps[INGEST_WORKFLOW.startAt] as TaskStep;
      const onValidation = validate.catch.find((rule) => rule.categories.includes('VALIDATION'));
      expect(INGEST_WORKFLOW.steps[onValidation?.next ?? '']).to.deep.equal({ type: 'fail', error: { source: 'caught' } });
    });
  });

  describe('Constant: CONSUME_WORKFLOW', () => {
    it('claims, then processes and commits: no step calls the event bus (the outbox relay delivers)', () => {
      expect(happyPathFunctions(CONSUME_WORKFLOW)).to.deep.equal(['idempotency', 'processor']);
      const tasks = Object.values(CONSUME_WORKFLOW.steps).flatMap((step) => (step.type === 'task' ? [step.function] : []));
      expect(tasks).to.not.include('outbox-relay');
    });

    it('branches on the idempotency step output with a case for every decision kind', () => {
      const claim = CONSUME_WORKFLOW.steps[CONSUME_WORKFLOW.startAt] as TaskStep;
      const choice = CONSUME_WORKFLOW.steps[claim.next];
      expect(choice?.type).to.equal('choice');
      if (choice?.type !== 'choice') return;
      expect(choice.field).to.deep.equal([claim.resultKey, 'decision', 'kind']);
      expect(choice.field).to.deep.equal(CLAIM_DECISION_FIELD);
      expect(choice.cases.map((c) => c.equals)).to.have.members(['PROCEED', 'ALREADY_SUCCEEDED', 'IN_PROGRESS', 'CONFLICT', 'PARKED']);
    });

    it('short-circuits every decision other than PROCEED: no business step or event runs after it', () => {
      for (const [kind, next] of Object.entries(CLAIM_ROUTES)) {
        const functions = [...reachableFrom(CONSUME_WORKFLOW, next)]
          .map((name) => CONSUME_WORKFLOW.steps[name])
          .flatMap((step) => (step?.type === 'task' ? [step.function] : []));
        if (kind === 'PROCEED') expect(functions).to.include.members(['processor']);
        else expect(functions, kind).to.deep.equal([]);
      }
    });

    it("parks a conflicting key as VALIDATION, acknowledges finished work, and parks a PARKED record's copy again", () => {
      expect(CONSUME_WORKFLOW.steps[CLAIM_ROUTES.CONFLICT]).to.deep.include({ type: 'park' });
      expect(CONSUME_WORKFLOW.steps[CLAIM_ROUTES.ALREADY_SUCCEEDED]?.type).to.equal('succeed');
      // Not acknowledged: the execution that marked it PARKED may have failed to send it to the DLQ.
      expect(CONSUME_WORKFLOW.steps[CLAIM_ROUTES.PARKED]).to.deep.equal({
        type: 'park',
        reason: { source: 'state', path: ['claim', 'lastError'] },
      });
      expect(CONSUME_WORKFLOW.steps[CLAIM_ROUTES.IN_PROGRESS]?.type).to.equal('fail');
      // the record statuses the decisions come from are still the ones this routing was written for
      expect(IDEMPOTENCY_STATUSES).to.include.members(['SUCCEEDED', 'PARKED', 'INFLIGHT']);
    });

    it('parks the message of a non-retryable failure of the claim step, which has no claim to release', () => {
      const claim = CONSUME_WORKFLOW.steps.ClaimIdempotency as TaskStep;
      expect(claim.catch).to.deep.equal([{ categories: ['VALIDATION', 'PERMANENT'], next: 'Park' }]);
      // A claim that failed has no release to draw a backoff: its own TRANSIENT and TIMEOUT errors are retried in place.
      expect(claim.retry).to.deep.equal([IDEMPOTENCY_STEP_RETRY]);
      expect(CONSUME_WORKFLOW.steps.Park).to.deep.equal({ type: 'park', reason: { source: 'caught' } });
    });

    it("releases the claim of every failure after it, then retries through the queue after the release's backoff delay or parks with what the release recorded", () => {
      for (const name of ['ProcessOrder']) {
        const task = CONSUME_WORKFLOW.steps[name] as TaskStep;
        expect(task.catch, name).to.have.length(1);
        expect(task.catch[0]?.categories, name).to.have.members([
          'VALIDATION',
          'PERMANENT',
          'TRANSIENT',
          'TIMEOUT',
          'PROCESSING',
          'UNKNOWN',
        ]);
        expect(task.catch[0]?.next, name).to.equal('ReleaseClaim');
      }
      expect(CONSUME_WORKFLOW.steps.ReleaseClaim).to.deep.include({ type: 'task', function: 'idempotency', next: 'RouteReleaseVerdict' });
      expect(CONSUME_WORKFLOW.steps.RouteReleaseVerdict).to.deep.include({
        cases: [
          { equals: 'PARK', next: 'ParkReleased' },
          { equals: 'RETRY', next: 'HoldBackForRetry' },
        ],
        otherwise: 'RetryLater',
      });
      // The message is held back for the release's delay, the change retried (a failed one costs the whole
      // visibility timeout); should every try fail, the execution fails all the same.
      expect(CONSUME_WORKFLOW.steps.HoldBackForRetry).to.deep.equal({
        type: 'hold-back',
        delaySecondsPath: ['release', 'delaySeconds'],
        retry: HOLD_BACK_RETRY,
        next: 'RetryLater',
        onError: 'RequeueForRetry',
      });
      // Should every try fail, the retry travels in a copy delayed by the same backoff, and the original is
      // acknowledged; only when SQS refuses the copy too does the message wait out its visibility timeout.
      expect(CONSUME_WORKFLOW.steps.RequeueForRetry).to.deep.equal({
        type: 'requeue',
        delaySecondsPath: ['release', 'delaySeconds'],
        retry: REQUEUE_RETRY,
        next: 'Requeued',
        onError: 'RetryLater',
      });
      expect(CONSUME_WORKFLOW.steps.Requeued?.type).to.equal('succeed');
      expect(CONSUME_WORKFLOW.steps.ParkReleased).to.deep.equal({
        type: 'park',
        reason: { source: 'state', path: ['release', 'failure'] },
      });
      expect(CONSUME_WORKFLOW.steps.RetryLater).to.deep.equal({ type: 'fail', error: { source: 'caught' } });
      // A release that fails parks nothing: the execution fails with the release's error and the queue redelivers.
      expect((CONSUME_WORKFLOW.steps.ReleaseClaim as TaskStep).catch).to.deep.equal([
        { categories: ['VALIDATION', 'PERMANENT'], next: 'RetryLater' },
      ]);
      // A release not recorded costs the message its visibility timeout: its own TRANSIENT and TIMEOUT errors are retried too.
      expect((CONSUME_WORKFLOW.steps.ReleaseClaim as TaskStep).retry).to.deep.equal([IDEMPOTENCY_STEP_RETRY]);
    });
  });
});
