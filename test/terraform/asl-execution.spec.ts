import { expect } from 'chai';
import jsonata from 'jsonata';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { CONSUME_WORKFLOW } from '../../application/workflows/consume-workflow.js';
import { requestExecutionInput } from '../../application/workflows/execution-input.js';
import { INGEST_WORKFLOW } from '../../application/workflows/ingest-workflow.js';
import type { SyncExecutionRequest } from '../../application/ports/workflow-starter.js';
import { stepErrorName } from '../../application/workflows/step-error.js';
import type { StepFunctionName } from '../../application/workflows/pipeline-function.js';
import type { WorkflowDefinition } from '../../application/workflows/workflow-definition.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import { WorkflowRunner, type StepFunctions, type WorkflowState } from '../../harness/emulation/step-functions/workflow-runner.js';
import { renderAsl, SQS_CHANGE_MESSAGE_VISIBILITY, type AslBindings, type AslState, type AslStateMachine } from '../../terraform/asl.js';

/*
 * The rendered state machines executed, JSONata and all, by a small interpreter of the parts of Amazon
 * States Language they use, side by side with the harness' WorkflowRunner on the same step functions:
 * the path, the outcome and what a park sends must agree. String checks on the rendering cannot catch
 * an expression that evaluates to the wrong thing; this does.
 */

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const SQS_SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';
const ARN_PREFIX = 'arn:aws:lambda:eu-west-1:111122223333:function:';
const BINDINGS: AslBindings = {
  functionArns: Object.fromEntries(
    (['validate', 'publish', 'idempotency', 'processor', 'outbox-relay'] as const).map((name) => [name, `${ARN_PREFIX}${name}:live`]),
  ),
  deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dlq',
};
const EXECUTION = { id: 'arn:aws:states:eu-west-1:111122223333:express:consume:exec-1', name: 'exec-1' };

interface Outcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly path: readonly string[];
  readonly error?: string;
  /** What park steps sent: the failure attributes. */
  readonly parked: readonly (FailureInfo & { readonly attempts: string })[];
  /** What hold-back steps set: the record's receipt handle and its new visibility timeout. */
  readonly heldBack: readonly HeldBack[];
  /** What requeue steps sent back to the record's queue. */
  readonly requeued: readonly Requeued[];
}

interface Requeued {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly delaySeconds: number;
}

interface HeldBack {
  readonly receiptHandle: string;
  readonly seconds: number;
}

/** How the queue answers a hold-back in a scenario. */
type HoldBackAnswer = 'accepts' | 'refuses';
const REFUSED_HOLD_BACK = 'Sqs.ReceiptHandleIsInvalidException';
/** The queue URL of every ChangeMessageVisibility the rendered machines sent. */
const changedQueueUrls: string[] = [];
/** The queue URL of every copy the rendered machines re-sent. */
const requeuedQueueUrls: string[] = [];
/** How the queue answers a requeue's SendMessage in a scenario. */
type RequeueAnswer = 'accepts' | 'refuses';
const REFUSED_REQUEUE = 'Sqs.SqsException';

type StepError = Error & { readonly name: string };

function stepError(name: string, message: string): StepError {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A Lambda error as Step Functions sees it in a Catch. */
function errorOutput(error: unknown): { Error: string; Cause: string } {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) };
}

async function evaluate(template: unknown, states: Record<string, unknown>): Promise<unknown> {
  if (typeof template === 'string') {
    const match = /^\{%([\s\S]*)%\}$/.exec(template.trim());
    if (match === null) return template;
    const expression = jsonata(match[1] ?? '');
    // One of the functions Step Functions adds to JSONata (with $hash, $random, $uuid, $partition, $range).
    expression.registerFunction('parse', (text: string): unknown => JSON.parse(text), '<s:x>');
    return expression.evaluate({}, { states });
  }
  if (Array.isArray(template)) return Promise.all(template.map((item) => evaluate(item, states)));
  if (typeof template === 'object' && template !== null) {
    const entries = await Promise.all(Object.entries(template).map(async ([key, value]) => [key, await evaluate(value, states)] as const));
    return Object.fromEntries(entries);
  }
  return template;
}

function matches(errorEquals: unknown, name: string): boolean {
  const names = errorEquals as string[];
  return names.includes(name) || names.includes('States.ALL');
}

/** Runs a rendered state machine: Pass, Task (Lambda invoke, SQS send, SQS change visibility), Choice, Succeed, Fail, with Retry and Catch. */
async function runAsl(
  machine: AslStateMachine,
  input: unknown,
  steps: StepFunctions,
  holdBack: HoldBackAnswer = 'accepts',
  requeue: RequeueAnswer = 'accepts',
): Promise<Outcome> {
  const requeued: Requeued[] = [];
  const path: string[] = [];
  const parked: (FailureInfo & { attempts: string })[] = [];
  const heldBack: HeldBack[] = [];
  const context = { Execution: { Id: EXECUTION.id, Name: EXECUTION.name } };
  let current: unknown = input;
  let name = machine.StartAt;
  for (let transitions = 0; transitions < 100; transitions += 1) {
    const state = machine.States[name] as AslState & Record<string, unknown>;
    path.push(name);
    const states = { input: current, context };
    switch (state.Type) {
      case 'Pass':
        current = await evaluate(state.Output, states);
        name = String(state.Next);
        break;
      case 'Succeed':
        return { status: 'SUCCEEDED', path, parked, heldBack, requeued };
      case 'Fail':
        return { status: 'FAILED', path, parked, heldBack, requeued, error: String(await evaluate(state.Error, states)) };
      case 'Choice': {
        const choices = state.Choices as { Condition: string; Next: string }[];
        let next = String(state.Default);
        for (const choice of choices) {
          if ((await evaluate(choice.Condition, states)) === true) {
            next = choice.Next;
            break;
          }
        }
        name = next;
        break;
      }
      case 'Task': {
        const args = (await evaluate(state.Arguments, states)) as Record<string, unknown>;
        let result: unknown;
        let failure: { Error: string; Cause: string } | undefined;
        const retries = (state.Retry as { ErrorEquals: string[]; MaxAttempts: number }[] | undefined) ?? [];
        const used = new Map<number, number>();
        for (;;) {
          try {
            if (state.Resource === LAMBDA_INVOKE) {
              const fn = String(args.FunctionName)
                .slice(ARN_PREFIX.length)
                .replace(/:live$/, '') as StepFunctionName;
              const task = steps[fn];
              if (task === undefined) throw new Error(`the state machine invokes ${fn}, which is not a workflow task`);
              result = { Payload: JSON.parse(JSON.stringify((await task(args.Payload as WorkflowState)) ?? null)) as unknown };
            } else if (state.Resource === SQS_SEND_MESSAGE && args.QueueUrl !== BINDINGS.deadLetterQueueUrl) {
              if (requeue === 'refuses') throw stepError(REFUSED_REQUEUE, 'We encountered an internal error');
              const attributes = args.MessageAttributes as Record<string, { StringValue: string }>;
              requeuedQueueUrls.push(String(args.QueueUrl));
              requeued.push({
                body: String(args.MessageBody),
                attributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue])),
                delaySeconds: args.DelaySeconds as number,
              });
              result = { MessageId: 'm-copy' };
            } else if (state.Resource === SQS_SEND_MESSAGE) {
              const attributes = args.MessageAttributes as Record<string, { StringValue: string }>;
              parked.push({
                category: attributes[MESSAGE_ATTRIBUTES.errorCategory]?.StringValue as FailureInfo['category'],
                code: String(attributes[MESSAGE_ATTRIBUTES.errorCode]?.StringValue),
                attempts: String(attributes[MESSAGE_ATTRIBUTES.attempts]?.StringValue),
              });
              result = { MessageId: 'm' };
            } else if (state.Resource === SQS_CHANGE_MESSAGE_VISIBILITY) {
              if (holdBack === 'refuses') throw stepError(REFUSED_HOLD_BACK, 'The receipt handle has expired');
              changedQueueUrls.push(String(args.QueueUrl));
              heldBack.push({ receiptHandle: String(args.ReceiptHandle), seconds: args.VisibilityTimeout as number });
              result = {};
            } else {
              throw new Error(`state ${name}: resource ${String(state.Resource)} is not interpreted here`);
            }
            failure = undefined;
            break;
          } catch (error) {
            failure = errorOutput(error);
            const index = retries.findIndex((rule) => matches(rule.ErrorEquals, failure?.Error ?? ''));
            const rule = retries[index];
            if (rule === undefined || (used.get(index) ?? 0) >= rule.MaxAttempts) break;
            used.set(index, (used.get(index) ?? 0) + 1);
          }
        }
        if (failure === undefined) {
          current = state.Output === undefined ? result : await evaluate(state.Output, { ...states, result });
          if (state.End === true) return { status: 'SUCCEEDED', path, parked, heldBack, requeued };
          name = String(state.Next);
          break;
        }
        const caught = ((state.Catch as { ErrorEquals: string[]; Output: string; Next: string }[] | undefined) ?? []).find((rule) =>
          matches(rule.ErrorEquals, failure?.Error ?? ''),
        );
        if (caught === undefined) return { status: 'FAILED', path, parked, heldBack, requeued, error: failure.Error };
        current = await evaluate(caught.Output, { ...states, errorOutput: failure });
        name = caught.Next;
        break;
      }
      default:
        throw new Error(`state ${name}: type ${String(state.Type)} is not interpreted here`);
    }
  }
  throw new Error('more than 100 transitions');
}

async function runHarness(
  definition: WorkflowDefinition,
  input: unknown,
  steps: StepFunctions,
  {
    holdBack = 'accepts',
    requeue = 'accepts',
    carried = {},
  }: { holdBack?: HoldBackAnswer; requeue?: RequeueAnswer; carried?: Omit<SyncExecutionRequest, 'name'> } = {},
): Promise<Outcome> {
  const requeued: Requeued[] = [];
  const parked: (FailureInfo & { attempts: string })[] = [];
  const heldBack: HeldBack[] = [];
  const runner = new WorkflowRunner(definition, {
    steps,
    park: async (state, failure) => {
      const claim = state.claim as { decision?: { attempt?: number } } | undefined;
      const message = state[definition.input.key] as { attributes?: { ApproximateReceiveCount?: string } };
      parked.push({ ...failure, attempts: String(claim?.decision?.attempt ?? message.attributes?.ApproximateReceiveCount ?? 1) });
    },
    holdBack: async (state, seconds) => {
      if (holdBack === 'refuses') throw stepError(REFUSED_HOLD_BACK, 'The receipt handle has expired');
      heldBack.push({ receiptHandle: String((state[definition.input.key] as { receiptHandle?: string }).receiptHandle), seconds });
    },
    requeue: async (state, delaySeconds) => {
      if (requeue === 'refuses') throw stepError(REFUSED_REQUEUE, 'We encountered an internal error');
      const record = state[definition.input.key] as { body: string; messageAttributes: Record<string, { stringValue?: string }> };
      const attributes = Object.fromEntries(
        Object.entries(record.messageAttributes).flatMap(([name, value]) =>
          value.stringValue === undefined ? [] : [[name, value.stringValue]],
        ),
      );
      requeued.push({ body: record.body, attributes, delaySeconds });
    },
    functionTimeoutMs: 1_000,
    random: () => 0,
    sleep: async () => undefined,
    logger: new RecordingLogger(),
  });
  const unwrapped = definition.input.kind === 'queue-record' ? (input as unknown[])[0] : input;
  const result = await runner.run(unwrapped, { ...EXECUTION, ...carried });
  const path = result.visited.map((visit) => visit.step);
  return result.status === 'SUCCEEDED'
    ? { status: 'SUCCEEDED', path, parked, heldBack, requeued }
    : { status: 'FAILED', path, parked, heldBack, requeued, error: result.error.Error };
}

const RECORD = {
  messageId: 'm-1',
  receiptHandle: 'rh-1',
  body: '{"order":{}}',
  attributes: { ApproximateReceiveCount: '4' },
  messageAttributes: { orderId: { stringValue: 'o-1', dataType: 'String' } },
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:orders',
  awsRegion: 'eu-west-1',
};

function consumeSteps(overrides: Partial<StepFunctions>): StepFunctions {
  const unused = async (): Promise<never> => Promise.reject(new Error('not part of this workflow'));
  return {
    validate: unused,
    publish: unused,
    idempotency: async (state) =>
      state.error === undefined
        ? { decision: { kind: 'PROCEED', attempt: 2 }, ownerToken: 'o' }
        : { verdict: 'RETRY', failure: { category: 'TRANSIENT', code: 'AWS.ThrottlingException' }, delaySeconds: 3 },
    processor: async () => ({ outcome: { totalMinor: 1 } }),
    // The outbox relay, which no workflow invokes any more: reaching it fails the scenario.
    'outbox-relay': unused,
    ...overrides,
  };
}

const TRANSIENT_PROCESSOR: Partial<StepFunctions> = {
  processor: async () => Promise.reject(stepError(stepErrorName('TRANSIENT'), 'AWS.ThrottlingException: slow down')),
};

const SCENARIOS: readonly {
  readonly title: string;
  readonly steps: Partial<StepFunctions>;
  readonly holdBack?: HoldBackAnswer;
  readonly requeue?: RequeueAnswer;
  readonly expected: Partial<Outcome>;
}[] = [
  {
    title: 'a first delivery, processed and committed with its events',
    steps: {},
    expected: { status: 'SUCCEEDED', parked: [], heldBack: [] },
  },
  {
    title: "a step failure after the claim, released for a retry and held back for the release's delay",
    steps: TRANSIENT_PROCESSOR,
    expected: { status: 'FAILED', error: stepErrorName('TRANSIENT'), parked: [], heldBack: [{ receiptHandle: 'rh-1', seconds: 3 }] },
  },
  {
    title: "a step failure after the claim whose hold-back the queue refuses, re-sent with the release's delay and acknowledged",
    steps: TRANSIENT_PROCESSOR,
    holdBack: 'refuses',
    expected: {
      status: 'SUCCEEDED',
      parked: [],
      heldBack: [],
      requeued: [{ body: RECORD.body, attributes: { orderId: 'o-1' }, delaySeconds: 3 }],
    },
  },
  {
    title: "a step failure after the claim whose hold-back and copy the queue both refuse, failing with the step's error all the same",
    steps: TRANSIENT_PROCESSOR,
    holdBack: 'refuses',
    requeue: 'refuses',
    expected: { status: 'FAILED', error: stepErrorName('TRANSIENT'), parked: [], heldBack: [], requeued: [] },
  },
  {
    title: 'an invocation timeout after the claim, released and parked with what the release recorded',
    steps: {
      processor: async () => Promise.reject(stepError('Sandbox.Timedout', 'Task timed out after 30.00 seconds')),
      idempotency: async (state) =>
        state.error === undefined
          ? { decision: { kind: 'PROCEED', attempt: 5 }, ownerToken: 'o' }
          : { verdict: 'PARK', failure: { category: 'TIMEOUT', code: 'STEP.TIMEOUT' } },
    },
    expected: { status: 'SUCCEEDED', parked: [{ category: 'TIMEOUT', code: 'STEP.TIMEOUT', attempts: '5' }] },
  },
  {
    title: 'a permanent failure of the claim step, parked with the caught category and code',
    steps: { idempotency: async () => Promise.reject(stepError(stepErrorName('PERMANENT'), 'AWS.AccessDeniedException: no')) },
    expected: { status: 'SUCCEEDED', parked: [{ category: 'PERMANENT', code: 'AWS.AccessDeniedException', attempts: '4' }] },
  },
  {
    title: "a copy of a message whose record is PARKED, parked again with the record's failure",
    steps: {
      idempotency: async () => ({
        decision: { kind: 'PARKED' },
        ownerToken: 'o',
        lastError: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' },
      }),
    },
    expected: { status: 'SUCCEEDED', parked: [{ category: 'PERMANENT', code: 'SIMULATED.PERMANENT', attempts: '4' }] },
  },
  {
    title: 'a key reused for another payload, parked as VALIDATION',
    steps: { idempotency: async () => ({ decision: { kind: 'CONFLICT' }, ownerToken: 'o' }) },
    expected: { status: 'SUCCEEDED', parked: [{ category: 'VALIDATION', code: 'IDEMPOTENCY.KEY_REUSED', attempts: '4' }] },
  },
  {
    title: 'a duplicate of finished work, acknowledged',
    steps: { idempotency: async () => ({ decision: { kind: 'ALREADY_SUCCEEDED' }, ownerToken: 'o' }) },
    expected: { status: 'SUCCEEDED', parked: [] },
  },
  {
    title: 'a release that cannot be recorded, failing the execution with its own error',
    steps: {
      processor: async () => Promise.reject(stepError(stepErrorName('PROCESSING'), 'RULES.DOWN: no')),
      idempotency: async (state) => {
        if (state.error === undefined) return { decision: { kind: 'PROCEED', attempt: 1 }, ownerToken: 'o' };
        throw stepError(stepErrorName('PERMANENT'), 'AWS.ResourceNotFoundException: no table');
      },
    },
    expected: { status: 'FAILED', error: stepErrorName('PERMANENT'), parked: [] },
  },
];

describe('The rendered state machines, executed', () => {
  const consume = renderAsl(CONSUME_WORKFLOW, BINDINGS);

  for (const scenario of SCENARIOS) {
    it(`consume: ${scenario.title}, exactly as the harness runs it`, async () => {
      const steps = consumeSteps(scenario.steps);

      const deployed = await runAsl(consume, [RECORD], steps, scenario.holdBack, scenario.requeue);
      const local = await runHarness(CONSUME_WORKFLOW, [RECORD], steps, {
        holdBack: scenario.holdBack,
        ...(scenario.requeue === undefined ? {} : { requeue: scenario.requeue }),
      });

      expect(deployed).to.deep.include(scenario.expected);
      // The rendering adds one state of its own in front, which shapes the input.
      expect({ ...deployed, path: deployed.path.slice(1) }).to.deep.equal(local);
    });
  }

  it("consume: holds the record back on the queue it came from, whose URL the state machine builds from the record's source ARN", async () => {
    changedQueueUrls.length = 0;

    await runAsl(consume, [RECORD], consumeSteps(TRANSIENT_PROCESSOR));

    expect(changedQueueUrls).to.deep.equal(['https://sqs.eu-west-1.amazonaws.com/111122223333/orders']);
  });

  it('consume: re-sends a record it cannot hold back to the queue it came from', async () => {
    requeuedQueueUrls.length = 0;

    await runAsl(consume, [RECORD], consumeSteps(TRANSIENT_PROCESSOR), 'refuses');

    expect(requeuedQueueUrls).to.deep.equal(['https://sqs.eu-west-1.amazonaws.com/111122223333/orders']);
  });

  it("ingest: a rejected order fails the execution with the validate step's error, as the harness does", async () => {
    const steps: StepFunctions = {
      ...consumeSteps({}),
      validate: async () => Promise.reject(stepError(stepErrorName('VALIDATION'), 'ORDER.INVALID: [...]')),
      publish: async () => ({ messageId: 'm', idempotencyKey: 'k' }),
    };
    const ingest = renderAsl(INGEST_WORKFLOW, BINDINGS);

    const deployed = await runAsl(ingest, requestExecutionInput(INGEST_WORKFLOW, { orderId: 'o-1' }, EXECUTION), steps);
    const local = await runHarness(INGEST_WORKFLOW, { orderId: 'o-1' }, steps);

    expect(deployed).to.deep.include({ status: 'FAILED', error: stepErrorName('VALIDATION') });
    expect({ ...deployed, path: deployed.path.slice(1) }).to.deep.equal(local);
  });

  for (const carried of [
    {},
    { idempotencyKey: 'client-key-1' },
    { idempotencyKey: 'client-key-2', simulation: { kind: 'transient', times: 1 } as const },
  ]) {
    it(`ingest: the steps see the body and the execution ${JSON.stringify(carried)} the edge started with, exactly as the harness passes them`, async () => {
      // Prepare: steps that record the state each receives.
      const seen = (): { states: WorkflowState[]; steps: StepFunctions } => {
        const states: WorkflowState[] = [];
        return {
          states,
          steps: {
            ...consumeSteps({}),
            validate: async (state) => {
              states.push(state);
              return { order: { orderId: 'o-1' } };
            },
            publish: async (state) => {
              states.push(state);
              return { kind: 'PUBLISHED', messageId: 'm', idempotencyKey: 'k' };
            },
          },
        };
      };
      const deployedSeen = seen();
      const localSeen = seen();
      const body = { orderId: 'o-1', items: [] };

      // Act
      const deployed = await runAsl(
        renderAsl(INGEST_WORKFLOW, BINDINGS),
        requestExecutionInput(INGEST_WORKFLOW, body, { ...EXECUTION, ...carried }),
        deployedSeen.steps,
      );
      const local = await runHarness(INGEST_WORKFLOW, body, localSeen.steps, { carried });

      // Assess
      expect(deployed).to.deep.include({ status: 'SUCCEEDED' });
      expect({ ...deployed, path: deployed.path.slice(1) }).to.deep.equal(local);
      expect(deployedSeen.states).to.deep.equal(localSeen.states);
      expect(deployedSeen.states[1]).to.deep.include({ request: body, execution: { ...EXECUTION, ...carried } });
    });
  }
});
