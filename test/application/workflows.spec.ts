import { expect } from 'chai';
import fc from 'fast-check';
import { ERROR_CATEGORIES, RETRY_POLICIES } from '../../domain/error-category.js';
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
  categoryOfInvocationError,
  categoryOfStepError,
  stepErrorName,
  successorsOf,
  workflowProblems,
  type TaskStep,
  type WorkflowDefinition,
  type WorkflowStep,
} from '../../application/workflows/index.js';

/** Every step reachable from `from`, `from` included. */
function reachableFrom(definition: WorkflowDefinition, from: string): Set<string> {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    const step = definition.steps[name];
    if (seen.has(name) || step === undefined) continue;
    seen.add(name);
    pending.push(...successorsOf(step));
  }
  return seen;
}

/** The functions invoked along the success path (each task's `next`, each choice's first case). */
function happyPathFunctions(definition: WorkflowDefinition): string[] {
  const functions: string[] = [];
  let name: string | undefined = definition.startAt;
  for (let hops = 0; name !== undefined && hops < 50; hops += 1) {
    const step: WorkflowStep | undefined = definition.steps[name];
    if (step === undefined || step.type === 'succeed' || step.type === 'fail' || step.type === 'park') break;
    if (step.type === 'task') {
      functions.push(step.function);
      name = step.next;
    } else if (step.type === 'hold-back' || step.type === 'requeue') {
      name = step.next;
    } else {
      name = step.cases.find((choice) => choice.equals === 'PROCEED')?.next ?? step.cases[0]?.next;
    }
  }
  return functions;
}

function tasksOf(definition: WorkflowDefinition): [string, TaskStep][] {
  return Object.entries(definition.steps).filter((entry): entry is [string, TaskStep] => entry[1].type === 'task');
}

function withStep(definition: WorkflowDefinition, name: string, step: WorkflowStep): WorkflowDefinition {
  return { ...definition, steps: { ...definition.steps, [name]: step } };
}

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

describe('Function: workflowProblems', () => {
  it('reports a next that names no step', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WORKFLOWS), fc.nat(), fc.string({ minLength: 1, maxLength: 20 }), (definition, pick, missing) => {
        fc.pre(!(missing in definition.steps));
        const tasks = tasksOf(definition);
        const [name, task] = tasks[pick % tasks.length] as [string, TaskStep];
        const problems = workflowProblems(withStep(definition, name, { ...task, next: missing }));
        expect(problems).to.include(`${name}: next "${missing}" is not a step`);
      }),
    );
  });

  it('reports a non-retryable category that a task does not catch', () => {
    const nonRetryable = ERROR_CATEGORIES.filter((category) => !RETRY_POLICIES[category].retryable);
    fc.assert(
      fc.property(fc.constantFrom(...WORKFLOWS), fc.nat(), fc.constantFrom(...nonRetryable), (definition, pick, category) => {
        const tasks = tasksOf(definition);
        const [name, task] = tasks[pick % tasks.length] as [string, TaskStep];
        const catches = task.catch.map((rule) => ({ ...rule, categories: rule.categories.filter((c) => c !== category) }));
        const problems = workflowProblems(withStep(definition, name, { ...task, catch: catches }));
        expect(problems).to.include(`${name}: does not catch ${category}, which can never succeed on another try`);
      }),
    );
  });

  it('reports a retry of a category that can never succeed on another try', () => {
    const [name, task] = tasksOf(CONSUME_WORKFLOW)[0] as [string, TaskStep];
    const retry = [{ categories: ['PERMANENT' as const], scope: 'all' as const, intervalSeconds: 1, maxAttempts: 2, backoffRate: 2 }];
    expect(workflowProblems(withStep(CONSUME_WORKFLOW, name, { ...task, retry }))).to.include(
      `${name}: retries PERMANENT, which can never succeed on another try`,
    );
  });

  it('reports an invocation-only retry of a category no invocation error belongs to', () => {
    const [name, task] = tasksOf(CONSUME_WORKFLOW)[0] as [string, TaskStep];
    const retry = [
      { categories: ['PROCESSING' as const], scope: 'invocation' as const, intervalSeconds: 1, maxAttempts: 2, backoffRate: 2 },
    ];
    expect(workflowProblems(withStep(CONSUME_WORKFLOW, name, { ...task, retry }))).to.include(
      `${name}: retry[0]: no invocation error is PROCESSING, so retrying it on invocation errors only matches nothing`,
    );
  });

  it('reports a hold-back step in a workflow with no queue record, with a delay path that is not plain field names, or with a retry Step Functions refuses', () => {
    const retry = { intervalSeconds: 0, maxAttempts: 3, backoffRate: 0.5 };
    const holdBack = {
      type: 'hold-back' as const,
      delaySecondsPath: ['release', 'delay seconds'],
      retry,
      next: 'Accepted',
      onError: 'Rejected',
    };
    const ingest = withStep(INGEST_WORKFLOW, 'HoldBack', holdBack);
    expect(workflowProblems(ingest)).to.include.members([
      'HoldBack: a hold-back step needs a queue-record workflow',
      "HoldBack: the delay's path must be one or more plain field names",
      'HoldBack: retry: intervalSeconds must be a whole number ≥ 1',
      'HoldBack: retry: backoffRate must be ≥ 1',
    ]);
  });

  it('reports an unreachable step', () => {
    const problems = workflowProblems(withStep(INGEST_WORKFLOW, 'Orphan', { type: 'succeed', comment: 'never reached' }));
    expect(problems).to.include('Orphan is unreachable from ValidateOrder');
  });

  it('reports a loop', () => {
    const [name, task] = tasksOf(INGEST_WORKFLOW)[1] as [string, TaskStep];
    const problems = workflowProblems(withStep(INGEST_WORKFLOW, name, { ...task, next: INGEST_WORKFLOW.startAt }));
    expect(problems).to.include('the steps form a loop; retries belong in retry rules');
  });

  it('reports a park step in a workflow that has no message to park', () => {
    const [name, task] = tasksOf(INGEST_WORKFLOW)[0] as [string, TaskStep];
    const parked = withStep(withStep(INGEST_WORKFLOW, 'Park', { type: 'park', reason: { source: 'caught' } }), name, {
      ...task,
      catch: [{ categories: ['VALIDATION', 'PERMANENT'], next: 'Park' }],
    });
    expect(workflowProblems(parked)).to.include('Park: a park step needs a queue-record workflow');
  });

  it('reports two tasks that store their results under the same key', () => {
    const [[, first], [secondName, second]] = tasksOf(CONSUME_WORKFLOW) as [[string, TaskStep], [string, TaskStep]];
    const problems = workflowProblems(withStep(CONSUME_WORKFLOW, secondName, { ...second, resultKey: first.resultKey }));
    expect(problems).to.include(`state key "${first.resultKey}" is used twice`);
  });
});

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
