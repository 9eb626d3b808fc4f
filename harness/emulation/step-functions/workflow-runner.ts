import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../application/ports/logger.js';
import type { FailureInfo } from '../../../domain/idempotency.js';
import {
  assertSoundWorkflow,
  CAUGHT_ERROR_KEY,
  categoryOfInvocationError,
  categoryOfStepError,
  EXECUTION_KEY,
  MAX_REQUEUE_DELAY_SECONDS,
  type CaughtError,
  type HoldBackStep,
  type RequeueStep,
  type RetryRule,
  type StepFunctionName,
  type TaskStep,
  type WorkflowDefinition,
} from '../../../application/workflows/index.js';
import { invoke } from '../lambda/invocation.js';
import {
  causeOf,
  caughtIn,
  errorName,
  failed,
  parkReason,
  readPath,
  retries,
  retryDelayMs,
  type ExecutionResult,
  type StepVisit,
  type WorkflowState,
} from './execution-state.js';

export { failureOf, messageOfCause, retryDelayMs, type ExecutionResult, type StepVisit, type WorkflowState } from './execution-state.js';

/** The functions the workflows' tasks invoke, each with the whole workflow state (the `outbox-relay` function is never a task). */
export type StepFunctions = Readonly<Partial<Record<StepFunctionName, (state: WorkflowState) => Promise<unknown>>>>;

export interface WorkflowRunnerServices {
  readonly steps: StepFunctions;
  /** What a park step does: send the execution's queue record to the DLQ with the reason. */
  readonly park: (state: WorkflowState, failure: FailureInfo) => Promise<void>;
  /** What a hold-back step does: set the visibility timeout of the execution's queue record (ChangeMessageVisibility). */
  readonly holdBack: (state: WorkflowState, delaySeconds: number) => Promise<void>;
  /** What a requeue step does: send a copy of the execution's queue record to its queue with DelaySeconds (SendMessage). */
  readonly requeue: (state: WorkflowState, delaySeconds: number) => Promise<void>;
  /** Each task is one Lambda invocation with this timeout. */
  readonly functionTimeoutMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
}

/** Error names Lambda reports for an invocation that died or ran out of time (never a pipeline category). */
export const CRASHED_TASK_ERROR = 'Runtime.ExitError';
export const TIMED_OUT_TASK_ERROR = 'Sandbox.Timedout';

/** A guard against a definition that slipped past the integrity check: no real workflow is this long. */
const MAX_TRANSITIONS = 1_000;

/**
 * Runs a workflow definition as Step Functions would: the very objects in application/workflows, so
 * the harness and the rendered state machine cannot disagree on the steps. Each task invokes its step
 * function with the whole state and stores the result under `resultKey`; a failure is matched by its
 * error name (`Pipeline.<CATEGORY>`, or an invocation error such as `Sandbox.Timedout`) against the
 * task's Retry rules (interval × backoffRate^n, capped, with full jitter; an `invocation` rule only
 * matches invocation errors) and then its Catch rules; an error no rule names fails the execution.
 */
export class WorkflowRunner {
  constructor(
    private readonly definition: WorkflowDefinition,
    private readonly services: WorkflowRunnerServices,
  ) {
    assertSoundWorkflow(definition);
  }

  get name(): string {
    return this.definition.name;
  }

  async run(
    input: unknown,
    execution: { readonly id: string; readonly name: string; readonly idempotencyKey?: string; readonly simulation?: unknown },
  ): Promise<ExecutionResult> {
    let state: Record<string, unknown> = { [this.definition.input.key]: input, [EXECUTION_KEY]: execution };
    const visited: StepVisit[] = [];
    let name = this.definition.startAt;
    for (let transitions = 0; transitions < MAX_TRANSITIONS; transitions += 1) {
      const step = this.definition.steps[name];
      if (step === undefined) return failed({ Error: 'States.Runtime', Cause: `no step named ${name}` }, state, visited);
      switch (step.type) {
        case 'succeed':
          visited.push({ step: name });
          return { status: 'SUCCEEDED', output: state, visited };
        case 'fail': {
          visited.push({ step: name });
          const error = step.error.source === 'fixed' ? { Error: step.error.name, Cause: step.error.cause } : caughtIn(state);
          return failed(error, state, visited);
        }
        case 'park': {
          const failure = parkReason(step.reason, state);
          visited.push({ step: name });
          try {
            await this.services.park(state, failure);
          } catch (error) {
            return failed({ Error: errorName(error), Cause: causeOf(error) }, state, visited);
          }
          return { status: 'SUCCEEDED', output: state, visited };
        }
        case 'requeue': {
          const error = await this.requeue(step, state);
          visited.push({ step: name, ...(error === undefined ? {} : { error }) });
          name = error === undefined ? step.next : step.onError;
          break;
        }
        case 'hold-back': {
          const error = await this.holdBack(step, state);
          visited.push({ step: name, ...(error === undefined ? {} : { error }) });
          name = error === undefined ? step.next : step.onError;
          break;
        }
        case 'choice': {
          const value = readPath(state, step.field);
          visited.push({ step: name });
          name = step.cases.find((choice) => choice.equals === value)?.next ?? step.otherwise;
          break;
        }
        case 'task': {
          const outcome = await this.runTask(name, step, state);
          visited.push({ step: name, tries: outcome.tries, ...(outcome.error === undefined ? {} : { error: outcome.error.Error }) });
          if (outcome.error === undefined) {
            state = { ...state, [step.resultKey]: outcome.result };
            name = step.next;
            break;
          }
          const category = categoryOfStepError(outcome.error.Error) ?? categoryOfInvocationError(outcome.error.Error);
          const caught = category === undefined ? undefined : step.catch.find((rule) => rule.categories.includes(category));
          if (caught === undefined) return failed(outcome.error, state, visited);
          state = { ...state, [CAUGHT_ERROR_KEY]: outcome.error };
          name = caught.next;
          break;
        }
      }
    }
    return failed({ Error: 'States.Runtime', Cause: `more than ${MAX_TRANSITIONS} transitions` }, state, visited);
  }

  /**
   * The error name when the change failed on every try (the step then goes to its `onError`), else
   * undefined. Every error is retried on the step's schedule, as its rendered `States.ALL` Retrier does.
   */
  private async holdBack(step: HoldBackStep, state: WorkflowState): Promise<string | undefined> {
    const delaySeconds = readPath(state, step.delaySecondsPath);
    for (let retriesBefore = 0; ; retriesBefore += 1) {
      try {
        // As SQS would refuse it (the rendered state passes the value through as VisibilityTimeout).
        if (typeof delaySeconds !== 'number' || !Number.isInteger(delaySeconds) || delaySeconds < 0) {
          throw Object.assign(new Error(`VisibilityTimeout must be a whole number of seconds ≥ 0, got ${JSON.stringify(delaySeconds)}`), {
            name: 'Sqs.InvalidParameterValueException',
          });
        }
        await this.services.holdBack(state, delaySeconds);
        return undefined;
      } catch (error) {
        if (retriesBefore < step.retry.maxAttempts) {
          const delayMs = retryDelayMs(step.retry, retriesBefore, this.services.random);
          this.services.logger.info('hold-back retried', {
            workflow: this.definition.name,
            error: errorName(error),
            retry: retriesBefore + 1,
            delayMs,
          });
          await this.services.sleep(delayMs);
          continue;
        }
        this.services.logger.warn('could not hold the message back', {
          workflow: this.definition.name,
          tries: retriesBefore + 1,
          error: causeOf(error),
        });
        return errorName(error);
      }
    }
  }

  /** As holdBack, for a requeue step: DelaySeconds is the delay capped at SQS's 900 s, as the rendered state computes it. */
  private async requeue(step: RequeueStep, state: WorkflowState): Promise<string | undefined> {
    const delaySeconds = readPath(state, step.delaySecondsPath);
    for (let retriesBefore = 0; ; retriesBefore += 1) {
      try {
        if (typeof delaySeconds !== 'number' || !Number.isInteger(delaySeconds) || delaySeconds < 0) {
          throw Object.assign(new Error(`DelaySeconds must be a whole number of seconds ≥ 0, got ${JSON.stringify(delaySeconds)}`), {
            name: 'Sqs.InvalidParameterValueException',
          });
        }
        await this.services.requeue(state, Math.min(delaySeconds, MAX_REQUEUE_DELAY_SECONDS));
        this.services.logger.info('record re-sent with its backoff as DelaySeconds', { workflow: this.definition.name, delaySeconds });
        return undefined;
      } catch (error) {
        if (retriesBefore < step.retry.maxAttempts) {
          await this.services.sleep(retryDelayMs(step.retry, retriesBefore, this.services.random));
          continue;
        }
        this.services.logger.warn("could not re-send the record; it returns after the queue's visibility timeout", {
          workflow: this.definition.name,
          tries: retriesBefore + 1,
          error: causeOf(error),
        });
        return errorName(error);
      }
    }
  }

  private async runTask(
    name: string,
    step: TaskStep,
    state: WorkflowState,
  ): Promise<{ tries: number; result?: unknown; error?: CaughtError }> {
    const retriesUsed = new Map<RetryRule, number>();
    for (let tries = 1; ; tries += 1) {
      const attempt = await this.invokeTask(step, state);
      if (attempt.error === undefined) return { tries, result: attempt.result };
      const rule = step.retry.find((candidate) => retries(candidate, attempt.error?.Error ?? ''));
      const used = rule === undefined ? 0 : (retriesUsed.get(rule) ?? 0);
      if (rule === undefined || used >= rule.maxAttempts) return { tries, error: attempt.error };
      retriesUsed.set(rule, used + 1);
      const delayMs = retryDelayMs(rule, used, this.services.random);
      this.services.logger.info('workflow task retried', {
        workflow: this.definition.name,
        step: name,
        error: attempt.error.Error,
        retry: used + 1,
        delayMs,
      });
      await this.services.sleep(delayMs);
    }
  }

  private async invokeTask(step: TaskStep, state: WorkflowState): Promise<{ result?: unknown; error?: CaughtError }> {
    const fn = this.services.steps[step.function];
    if (fn === undefined) throw new Error(`workflow ${this.definition.name}: step ${step.function} is not a task function`);
    const end = await invoke({ functionName: step.function, requestId: randomUUID(), timeoutMs: this.services.functionTimeoutMs }, () =>
      fn(state),
    );
    switch (end.kind) {
      case 'returned':
        // Step Functions passes JSON between states: what cannot survive that does not reach the next step.
        return { result: JSON.parse(JSON.stringify(end.value ?? null)) as unknown };
      case 'threw':
        return { error: { Error: errorName(end.error), Cause: causeOf(end.error) } };
      case 'crashed':
        return { error: { Error: CRASHED_TASK_ERROR, Cause: JSON.stringify({ errorType: CRASHED_TASK_ERROR, errorMessage: end.reason }) } };
      case 'timed-out':
        return {
          error: {
            Error: TIMED_OUT_TASK_ERROR,
            Cause: JSON.stringify({ errorType: TIMED_OUT_TASK_ERROR, errorMessage: 'Task timed out' }),
          },
        };
    }
  }
}
