import { ERROR_CATEGORIES, RETRY_POLICIES, type ErrorCategory } from '../../domain/error-category.js';
import { isStepFunctionName } from './pipeline-function.js';
import { INVOCATION_ERRORS } from './step-error.js';
import {
  CAUGHT_ERROR_KEY,
  EXECUTION_KEY,
  successorsOf,
  type ChoiceStep,
  type RetryRule,
  type RetrySchedule,
  type TaskStep,
  type WorkflowDefinition,
} from './workflow-definition.js';

const MAX_STATE_NAME_LENGTH = 80; // Step Functions' limit on a state name
const NON_RETRYABLE: readonly ErrorCategory[] = ERROR_CATEGORIES.filter((category) => !RETRY_POLICIES[category].retryable);

/**
 * Every reason `definition` is not a sound workflow (empty when it is): dangling or unreachable steps,
 * loops, a retry of a failure that can never succeed, a non-retryable failure a task does not catch,
 * state keys that collide, a park or hold-back step where there is no message to park or hold back.
 */
export function workflowProblems(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const names = Object.keys(definition.steps);
  if (!(definition.startAt in definition.steps)) problems.push(`startAt "${definition.startAt}" is not a step`);
  for (const name of names) {
    if (name.length === 0 || name.length > MAX_STATE_NAME_LENGTH)
      problems.push(`step name "${name}" must be 1-${MAX_STATE_NAME_LENGTH} characters`);
    const step = definition.steps[name];
    if (step === undefined) continue;
    for (const next of successorsOf(step)) {
      if (!(next in definition.steps)) problems.push(`${name}: next "${next}" is not a step`);
    }
    if (step.type === 'task') problems.push(...taskProblems(name, step));
    if (step.type === 'choice') problems.push(...choiceProblems(name, step));
    if (step.type === 'park' && definition.input.kind !== 'queue-record')
      problems.push(`${name}: a park step needs a queue-record workflow`);
    if (step.type === 'hold-back' && definition.input.kind !== 'queue-record')
      problems.push(`${name}: a hold-back step needs a queue-record workflow`);
    if (step.type === 'hold-back' && !isStatePath(step.delaySecondsPath))
      problems.push(`${name}: the delay's path must be one or more plain field names`);
    if (step.type === 'hold-back') problems.push(...scheduleProblems(`${name}: retry`, step.retry));
    if (step.type === 'requeue' && definition.input.kind !== 'queue-record')
      problems.push(`${name}: a requeue step needs a queue-record workflow`);
    if (step.type === 'requeue' && !isStatePath(step.delaySecondsPath))
      problems.push(`${name}: the delay's path must be one or more plain field names`);
    if (step.type === 'requeue') problems.push(...scheduleProblems(`${name}: retry`, step.retry));
    if (step.type === 'park' && step.reason.source === 'state' && !isStatePath(step.reason.path)) {
      problems.push(`${name}: the park reason's path must be one or more plain field names`);
    }
  }
  problems.push(...keyProblems(definition), ...graphProblems(definition));
  return problems;
}

/** Throws when the definition is unsound; the renderer and the harness call it before using one. */
export function assertSoundWorkflow(definition: WorkflowDefinition): void {
  const problems = workflowProblems(definition);
  if (problems.length > 0) throw new Error(`workflow ${definition.name} is unsound: ${problems.join('; ')}`);
}

function taskProblems(name: string, step: TaskStep): string[] {
  const problems: string[] = [];
  if (!isStepFunctionName(step.function)) problems.push(`${name}: ${String(step.function)} is not a step function`);
  const retried = step.retry.flatMap((rule) => rule.categories);
  const caught = step.catch.flatMap((rule) => rule.categories);
  for (const category of duplicates(retried)) problems.push(`${name}: ${category} is in more than one retry rule`);
  for (const category of duplicates(caught)) problems.push(`${name}: ${category} is in more than one catch rule`);
  for (const category of retried) {
    if (!RETRY_POLICIES[category].retryable) problems.push(`${name}: retries ${category}, which can never succeed on another try`);
  }
  for (const category of NON_RETRYABLE) {
    if (!caught.includes(category)) problems.push(`${name}: does not catch ${category}, which can never succeed on another try`);
  }
  step.retry.forEach((rule, index) => problems.push(...retryRuleProblems(`${name}: retry[${index}]`, rule)));
  step.catch.forEach((rule, index) => {
    if (rule.categories.length === 0) problems.push(`${name}: catch[${index}] names no category`);
  });
  return problems;
}

function retryRuleProblems(where: string, rule: RetryRule): string[] {
  const problems: string[] = [];
  if (rule.categories.length === 0) problems.push(`${where} names no category`);
  if (rule.scope === 'invocation') {
    for (const category of rule.categories) {
      if (INVOCATION_ERRORS[category] === undefined)
        problems.push(`${where}: no invocation error is ${category}, so retrying it on invocation errors only matches nothing`);
    }
  }
  return [...problems, ...scheduleProblems(where, rule)];
}

/** The limits Step Functions puts on a Retrier's numbers. */
function scheduleProblems(where: string, rule: RetrySchedule): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(rule.intervalSeconds) || rule.intervalSeconds < 1)
    problems.push(`${where}: intervalSeconds must be a whole number ≥ 1`);
  if (!Number.isInteger(rule.maxAttempts) || rule.maxAttempts < 0 || rule.maxAttempts > 99_999_999)
    problems.push(`${where}: maxAttempts must be a whole number ≥ 0`);
  if (!(rule.backoffRate >= 1)) problems.push(`${where}: backoffRate must be ≥ 1`);
  if (rule.maxDelaySeconds !== undefined && (!Number.isInteger(rule.maxDelaySeconds) || rule.maxDelaySeconds < rule.intervalSeconds)) {
    problems.push(`${where}: maxDelaySeconds must be a whole number ≥ intervalSeconds`);
  }
  return problems;
}

function choiceProblems(name: string, step: ChoiceStep): string[] {
  const problems: string[] = [];
  if (step.field.length === 0 || step.field.some((segment) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment))) {
    problems.push(`${name}: field must be a non-empty list of identifiers`);
  }
  if (step.cases.length === 0) problems.push(`${name}: has no cases`);
  for (const value of duplicates(step.cases.map((choice) => choice.equals))) problems.push(`${name}: case "${value}" appears twice`);
  return problems;
}

/** Result keys, the input key and the reserved keys must all differ, or one step would overwrite another's data. */
function keyProblems(definition: WorkflowDefinition): string[] {
  const tasks = Object.values(definition.steps).filter((step): step is TaskStep => step.type === 'task');
  const keys = [definition.input.key, CAUGHT_ERROR_KEY, EXECUTION_KEY, ...tasks.map((task) => task.resultKey)];
  const problems = duplicates(keys).map((key) => `state key "${key}" is used twice`);
  for (const key of keys) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) problems.push(`state key "${key}" must be an identifier`);
  }
  return problems;
}

/** Every step reachable from startAt, no loops, and some path ends in success. */
function graphProblems(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const reached = new Set<string>();
  const visiting = new Set<string>();
  let loop = false;
  const visit = (name: string): void => {
    if (visiting.has(name)) {
      loop = true;
      return;
    }
    if (reached.has(name)) return;
    const step = definition.steps[name];
    if (step === undefined) return;
    reached.add(name);
    visiting.add(name);
    for (const next of successorsOf(step)) visit(next);
    visiting.delete(name);
  };
  visit(definition.startAt);
  if (loop) problems.push('the steps form a loop; retries belong in retry rules');
  for (const name of Object.keys(definition.steps)) {
    if (!reached.has(name)) problems.push(`${name} is unreachable from ${definition.startAt}`);
  }
  if (![...reached].some((name) => definition.steps[name]?.type === 'succeed')) problems.push('no path ends in a succeed step');
  return problems;
}

function duplicates<T>(values: readonly T[]): T[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/** A path JSONata and the harness read alike: plain identifiers, at least one. */
function isStatePath(path: readonly string[]): boolean {
  return path.length > 0 && path.every((segment) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment));
}
