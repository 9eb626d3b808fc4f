import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import type { SyncExecutionRequest } from '../../application/ports/workflow-starter.js';
import { stepErrorName } from '../../application/workflows/step-error.js';
import type { WorkflowDefinition } from '../../application/workflows/workflow-definition.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import { WorkflowRunner, type StepFunctions } from '../../harness/emulation/step-functions/workflow-runner.js';
import type { Outcome, Requeued, HeldBack, HoldBackAnswer, RequeueAnswer } from './asl-execution.fixtures.js';
import { EXECUTION, REFUSED_HOLD_BACK, REFUSED_REQUEUE, stepError } from './asl-execution.fixtures.js';

export async function runHarness(
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

export const RECORD = {
  messageId: 'm-1',
  receiptHandle: 'rh-1',
  body: '{"order":{}}',
  attributes: { ApproximateReceiveCount: '4' },
  messageAttributes: { orderId: { stringValue: 'o-1', dataType: 'String' } },
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:orders',
  awsRegion: 'eu-west-1',
};

export function consumeSteps(overrides: Partial<StepFunctions>): StepFunctions {
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

export const TRANSIENT_PROCESSOR: Partial<StepFunctions> = {
  processor: async () => Promise.reject(stepError(stepErrorName('TRANSIENT'), 'AWS.ThrottlingException: slow down')),
};

export const SCENARIOS: readonly {
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
