import { expect } from 'chai';
import fc from 'fast-check';
import { ERROR_CATEGORIES, RETRY_POLICIES } from '../../domain/error-category.js';
import { CONSUME_WORKFLOW, INGEST_WORKFLOW, WORKFLOWS, workflowProblems, type TaskStep } from '../../application/workflows/index.js';
import { tasksOf, withStep } from './workflows.fixtures.js';

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
