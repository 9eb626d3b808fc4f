import jsonata from 'jsonata';
import type { StepFunctionName } from '../../application/workflows/pipeline-function.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import { type StepFunctions, type WorkflowState } from '../../harness/emulation/step-functions/workflow-runner.js';
import { SQS_CHANGE_MESSAGE_VISIBILITY, type AslBindings, type AslState, type AslStateMachine } from '../../terraform/asl.js';

/*
 * The rendered state machines executed, JSONata and all, by a small interpreter of the parts of Amazon
 * States Language they use, side by side with the harness' WorkflowRunner on the same step functions:
 * the path, the outcome and what a park sends must agree. String checks on the rendering cannot catch
 * an expression that evaluates to the wrong thing; this does.
 */

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const SQS_SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';
export const ARN_PREFIX = 'arn:aws:lambda:eu-west-1:111122223333:function:';
export const BINDINGS: AslBindings = {
  functionArns: Object.fromEntries(
    (['validate', 'publish', 'idempotency', 'processor', 'outbox-relay'] as const).map((name) => [name, `${ARN_PREFIX}${name}:live`]),
  ),
  deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dlq',
};
export const EXECUTION = { id: 'arn:aws:states:eu-west-1:111122223333:express:consume:exec-1', name: 'exec-1' };

export interface Outcome {
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

export interface Requeued {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly delaySeconds: number;
}

export interface HeldBack {
  readonly receiptHandle: string;
  readonly seconds: number;
}

/** How the queue answers a hold-back in a scenario. */
export type HoldBackAnswer = 'accepts' | 'refuses';
export const REFUSED_HOLD_BACK = 'Sqs.ReceiptHandleIsInvalidException';
/** The queue URL of every ChangeMessageVisibility the rendered machines sent. */
export const changedQueueUrls: string[] = [];
/** The queue URL of every copy the rendered machines re-sent. */
export const requeuedQueueUrls: string[] = [];
/** How the queue answers a requeue's SendMessage in a scenario. */
export type RequeueAnswer = 'accepts' | 'refuses';
export const REFUSED_REQUEUE = 'Sqs.SqsException';

export type StepError = Error & { readonly name: string };

export function stepError(name: string, message: string): StepError {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A Lambda error as Step Functions sees it in a Catch. */
export function errorOutput(error: unknown): { Error: string; Cause: string } {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) };
}

export async function evaluate(template: unknown, states: Record<string, unknown>): Promise<unknown> {
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

export function matches(errorEquals: unknown, name: string): boolean {
  const names = errorEquals as string[];
  return names.includes(name) || names.includes('States.ALL');
}

/** Runs a rendered state machine: Pass, Task (Lambda invoke, SQS send, SQS change visibility), Choice, Succeed, Fail, with Retry and Catch. */
export async function runAsl(
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
