import type { ErrorCategory } from '../domain/error-category.js';
import { MESSAGE_ATTRIBUTES } from '../domain/dead-letter-analysis.js';
import type { StepFunctionName } from '../application/workflows/pipeline-function.js';
import { EXECUTION_INPUT_FIELDS } from '../application/workflows/execution-input.js';
import { INVOCATION_ERRORS, stepErrorName } from '../application/workflows/step-error.js';
import {
  CAUGHT_ERROR_KEY,
  EXECUTION_KEY,
  MAX_REQUEUE_DELAY_SECONDS,
  type CatchRule,
  type ChoiceStep,
  type FailStep,
  type HoldBackStep,
  type ParkStep,
  type RequeueStep,
  type RetryRule,
  type RetrySchedule,
  type TaskStep,
  type WorkflowDefinition,
  type WorkflowStep,
} from '../application/workflows/workflow-definition.js';
import { assertSoundWorkflow } from '../application/workflows/workflow-integrity.js';

/**
 * Renders a shared WorkflowDefinition to Amazon States Language.
 *
 * JSONata is the query language because it gives exactly the state model the harness interprets: a
 * task's output is stored under its result key with `$merge`, a caught error under `error`. (JSONPath
 * can only wrap the Lambda response, `{ Payload: … }`, or needs an extra state per task.) JSONata also
 * lets the park step copy the message's own attributes to the dead-letter queue, whatever they are.
 */

export interface AslBindings {
  /** The ARN each step function is invoked by (its `live` alias, so weighted routing applies). */
  readonly functionArns: Readonly<Partial<Record<StepFunctionName, string>>>;
  /** Where park steps send messages; required when the workflow has one. */
  readonly deadLetterQueueUrl?: string;
}

export type AslState = Readonly<Record<string, unknown>>;

export interface AslStateMachine {
  readonly Comment: string;
  readonly QueryLanguage: 'JSONata';
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** The state every execution starts in: it shapes the input into the workflow state. */
export const PREPARE_STATE = 'PrepareWorkflowState';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const SQS_SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';
/** The AWS SDK integration (the optimised SQS integration has no ChangeMessageVisibility); its arguments are the API's, in PascalCase. */
export const SQS_CHANGE_MESSAGE_VISIBILITY = 'arn:aws:states:::aws-sdk:sqs:changeMessageVisibility';

/** The ErrorEquals list a catch (or an `all` retry) of `categories` renders to: step errors and invocation errors. */
export function errorNamesFor(categories: readonly ErrorCategory[]): string[] {
  return categories.flatMap((category) => [stepErrorName(category), ...(INVOCATION_ERRORS[category] ?? [])]);
}

/** The ErrorEquals list of an `invocation` retry: only the errors of the invocation itself. */
export function invocationErrorNamesFor(categories: readonly ErrorCategory[]): string[] {
  return categories.flatMap((category) => INVOCATION_ERRORS[category] ?? []);
}

export function renderAsl(definition: WorkflowDefinition, bindings: AslBindings): AslStateMachine {
  assertSoundWorkflow(definition);
  if (PREPARE_STATE in definition.steps) throw new Error(`workflow ${definition.name}: ${PREPARE_STATE} is reserved`);
  const states: Record<string, AslState> = { [PREPARE_STATE]: prepareState(definition) };
  for (const [name, step] of Object.entries(definition.steps)) states[name] = renderStep(definition, name, step, bindings);
  return { Comment: definition.comment, QueryLanguage: 'JSONata', StartAt: PREPARE_STATE, States: states };
}

function prepareState(definition: WorkflowDefinition): AslState {
  // Pipes always sends a batch, a JSON array even for one record; the edge starts a request's execution
  // with the body under the input key and the client's key beside it (application/workflows/execution-input.ts).
  const request = definition.input.kind === 'request-body';
  const input = request ? `$states.input.${definition.input.key}` : '$states.input[0]';
  // A field the input lacks evaluates to nothing, and JSONata leaves it out of the object, as the harness does.
  const carried = request ? EXECUTION_INPUT_FIELDS.map((field) => `, '${field}': $states.input.${field}`).join('') : '';
  const execution = `{'id': $states.context.Execution.Id, 'name': $states.context.Execution.Name${carried}}`;
  return {
    Type: 'Pass',
    Comment: 'Shape the input into the workflow state',
    Output: `{% {'${definition.input.key}': ${input}, '${EXECUTION_KEY}': ${execution}} %}`,
    Next: definition.startAt,
  };
}

function renderStep(definition: WorkflowDefinition, name: string, step: WorkflowStep, bindings: AslBindings): AslState {
  switch (step.type) {
    case 'task':
      return taskState(name, step, bindings);
    case 'choice':
      return choiceState(step);
    case 'succeed':
      return { Type: 'Succeed', Comment: step.comment };
    case 'fail':
      return failState(step);
    case 'park':
      return parkState(definition, name, step, bindings);
    case 'hold-back':
      return holdBackState(definition, step);
    case 'requeue':
      return requeueState(definition, step);
  }
}

function taskState(name: string, step: TaskStep, bindings: AslBindings): AslState {
  const functionArn = bindings.functionArns[step.function];
  if (functionArn === undefined) throw new Error(`${name}: no ARN bound for function ${step.function}`);
  return {
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Arguments: { FunctionName: functionArn, Payload: '{% $states.input %}' },
    Output: `{% $merge([$states.input, {'${step.resultKey}': $states.result.Payload}]) %}`,
    ...(step.retry.length === 0 ? {} : { Retry: step.retry.map(retrier) }),
    ...(step.catch.length === 0 ? {} : { Catch: step.catch.map(catcher) }),
    Next: step.next,
  };
}

function retrier(rule: RetryRule): AslState {
  return {
    ErrorEquals: rule.scope === 'invocation' ? invocationErrorNamesFor(rule.categories) : errorNamesFor(rule.categories),
    ...retrySchedule(rule),
  };
}

function retrySchedule(rule: RetrySchedule): AslState {
  return {
    IntervalSeconds: rule.intervalSeconds,
    MaxAttempts: rule.maxAttempts,
    BackoffRate: rule.backoffRate,
    ...(rule.maxDelaySeconds === undefined ? {} : { MaxDelaySeconds: rule.maxDelaySeconds }),
    JitterStrategy: 'FULL',
  };
}

function catcher(rule: CatchRule): AslState {
  return {
    ErrorEquals: errorNamesFor(rule.categories),
    Output: `{% $merge([$states.input, {'${CAUGHT_ERROR_KEY}': $states.errorOutput}]) %}`,
    Next: rule.next,
  };
}

function choiceState(step: ChoiceStep): AslState {
  const field = `$states.input.${step.field.join('.')}`;
  return {
    Type: 'Choice',
    Choices: step.cases.map((choice) => ({ Condition: `{% ${field} = ${JSON.stringify(choice.equals)} %}`, Next: choice.next })),
    Default: step.otherwise,
  };
}

function failState(step: FailStep): AslState {
  if (step.error.source === 'fixed') return { Type: 'Fail', Error: step.error.name, Cause: step.error.cause };
  return {
    Type: 'Fail',
    Error: `{% $states.input.${CAUGHT_ERROR_KEY}.Error %}`,
    Cause: `{% $states.input.${CAUGHT_ERROR_KEY}.Cause %}`,
  };
}

/**
 * JSONata for the category and code a park sends. A caught error is a `Pipeline.<CATEGORY>` step error
 * (the claim step's Catch only takes those) whose Cause message starts with the code; a state path holds
 * the `{ category, code }` a step recorded (the release step's, or a PARKED record's).
 */
function parkReasonExpressions(reason: ParkStep['reason'], caught: string): [string, string] {
  switch (reason.source) {
    case 'fixed':
      return [JSON.stringify(reason.category), JSON.stringify(reason.code)];
    case 'caught':
      return [
        `$substringAfter(${caught}.Error, 'Pipeline.')`,
        `($contains(${caught}.Cause, '"errorMessage"') ? $substringBefore($parse(${caught}.Cause).errorMessage, ':') : ${caught}.Error)`,
      ];
    case 'state': {
      const at = `$states.input.${reason.path.join('.')}`;
      return [`(${at}.category ? ${at}.category : 'UNKNOWN')`, `(${at}.code ? ${at}.code : 'STEP.UNKNOWN')`];
    }
  }
}

/**
 * Sends the record's body to the DLQ with its own string attributes, plus the failure's category and
 * code and the receive count, the attributes the composed worker sets when it parks; then ends well, so
 * the pipe deletes the original. A step error's Cause is the Lambda error JSON whose message starts
 * with the domain code (`ORDER.INVALID: …`).
 */
function parkState(definition: WorkflowDefinition, name: string, step: ParkStep, bindings: AslBindings): AslState {
  if (bindings.deadLetterQueueUrl === undefined) throw new Error(`${name}: park needs deadLetterQueueUrl`);
  const message = `$states.input.${definition.input.key}`;
  const caught = `$states.input.${CAUGHT_ERROR_KEY}`;
  const [category, code] = parkReasonExpressions(step.reason, caught);
  const copied = `$each(${message}.messageAttributes, function($v, $k) { $v.stringValue ? {$k: {'DataType': 'String', 'StringValue': $v.stringValue}} : {} })`;
  const failure = [
    `'${MESSAGE_ATTRIBUTES.errorCategory}': {'DataType': 'String', 'StringValue': ${category}}`,
    `'${MESSAGE_ATTRIBUTES.errorCode}': {'DataType': 'String', 'StringValue': ${code}}`,
    // The claim's attempt when there is a claim (as the worker and the harness record it), else the receive count.
    `'${MESSAGE_ATTRIBUTES.attempts}': {'DataType': 'String', 'StringValue': $string($states.input.claim.decision.attempt ? $states.input.claim.decision.attempt : (${message}.attributes.ApproximateReceiveCount ? ${message}.attributes.ApproximateReceiveCount : 1))}`,
  ].join(', ');
  return {
    Type: 'Task',
    Comment: 'Park the message in the dead-letter queue with the reason in its attributes',
    Resource: SQS_SEND_MESSAGE,
    Arguments: {
      QueueUrl: bindings.deadLetterQueueUrl,
      MessageBody: `{% ${message}.body %}`,
      MessageAttributes: `{% $merge($append(${copied}, [{${failure}}])) %}`,
    },
    Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' }],
    End: true,
  };
}

/**
 * JSONata for the URL of the queue a record came from, built from the record's `eventSourceARN`
 * (`arn:<partition>:sqs:<region>:<account>:<name>`): the record Pipes delivers carries the queue's ARN
 * and the receipt handle, not its URL, and this way one state machine serves every queue a pipe feeds it from.
 */
export function queueUrlExpression(record: string): string {
  const part = (index: number): string => `$split(${record}.eventSourceARN, ':')[${index}]`;
  const domain = `(${part(1)} = 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com')`;
  return `'https://sqs.' & ${part(3)} & '.' & ${domain} & '/' & ${part(4)} & '/' & ${part(5)}`;
}

/**
 * Sets the record's visibility timeout to the delay in the state, so the queue redelivers it after that
 * backoff; the state goes on unchanged. Any error of the call is caught and leads to `onError` with the
 * state unchanged (the caught error a Fail after it reports stays the step's failure, not this one's):
 * the message keeps the visibility timeout it was received with and comes back after it, so a failed
 * change delays the retry but loses nothing.
 */
/**
 * Sends a copy of the record (its body and string attributes) to the queue it came from, with the delay in
 * the state as DelaySeconds (at most 900), and goes on with the state unchanged to a step that ends the
 * execution well, so that the pipe deletes the original. A failed send, after its retries, leads to
 * `onError` with the state unchanged.
 */
function requeueState(definition: WorkflowDefinition, step: RequeueStep): AslState {
  const record = `$states.input.${definition.input.key}`;
  const copied = `$each(${record}.messageAttributes, function($v, $k) { $v.stringValue ? {$k: {'DataType': 'String', 'StringValue': $v.stringValue}} : {} })`;
  return {
    Type: 'Task',
    Comment: 'Re-send the record with its backoff as DelaySeconds: the retry travels in the copy, the original is acknowledged',
    Resource: SQS_SEND_MESSAGE,
    Arguments: {
      QueueUrl: `{% ${queueUrlExpression(record)} %}`,
      MessageBody: `{% ${record}.body %}`,
      MessageAttributes: `{% $merge($append(${copied}, [])) %}`,
      DelaySeconds: `{% $min([$states.input.${step.delaySecondsPath.join('.')}, ${MAX_REQUEUE_DELAY_SECONDS}]) %}`,
    },
    Output: '{% $states.input %}',
    Retry: [{ ErrorEquals: ['States.ALL'], ...retrySchedule(step.retry) }],
    Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: step.onError }],
    Next: step.next,
  };
}

function holdBackState(definition: WorkflowDefinition, step: HoldBackStep): AslState {
  const record = `$states.input.${definition.input.key}`;
  return {
    Type: 'Task',
    Comment: 'Hold the message back for the backoff delay: the queue redelivers it after that, not after its visibility timeout',
    Resource: SQS_CHANGE_MESSAGE_VISIBILITY,
    Arguments: {
      QueueUrl: `{% ${queueUrlExpression(record)} %}`,
      ReceiptHandle: `{% ${record}.receiptHandle %}`,
      VisibilityTimeout: `{% $states.input.${step.delaySecondsPath.join('.')} %}`,
    },
    Output: '{% $states.input %}',
    // Any error: a visibility change can be repeated safely, and one not made costs the whole visibility timeout.
    Retry: [{ ErrorEquals: ['States.ALL'], ...retrySchedule(step.retry) }],
    // A failed change fails nothing more: the execution still ends failed and the queue redelivers the message later.
    Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: step.onError }],
    Next: step.next,
  };
}
