import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { Logger } from '../../application/ports/logger.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import { mapWithConcurrency } from '../../application/support/concurrency.js';
import { parkInDeadLetterQueue } from '../../application/resilience/dead-letter-parking.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import type { createIdempotencyHandler } from '../../handlers/idempotency.js';
import type { createProcessorHandler } from '../../handlers/processor.js';
import type { createPublishHandler, PublishState } from '../../handlers/publish.js';
import { messageOf, recordOf, type ConsumeState } from '../../handlers/lambda-events/step-input.js';
import type { createValidateHandler, IngestState } from '../../handlers/validate.js';
import type { PolledQueue } from '../emulation/event-sources/polled-queue.js';
import type { StepFunctions, WorkflowRunner, WorkflowState } from '../emulation/step-functions/workflow-runner.js';

/*
 * The orchestrated topology: the five single-purpose handlers, invoked as workflow tasks. The workflow
 * state is untyped JSON, as in Step Functions; each handler checks what it reads from it.
 */

/** The task functions the workflows invoke, each the handler of its function's environments. */
export interface StepHandlers {
  readonly validate: ReturnType<typeof createValidateHandler>;
  readonly publish: ReturnType<typeof createPublishHandler>;
  readonly idempotency: ReturnType<typeof createIdempotencyHandler>;
  readonly processor: ReturnType<typeof createProcessorHandler>;
}

export function createStepFunctions(handlers: StepHandlers): StepFunctions {
  return {
    validate: (state) => handlers.validate(state as unknown as IngestState),
    publish: (state) => handlers.publish(state as unknown as PublishState),
    idempotency: (state) => handlers.idempotency(state as unknown as ConsumeState),
    processor: (state) => handlers.processor(state as unknown as ConsumeState),
  };
}

/**
 * The park step: the Step Functions SQS integration sending the record to the DLQ, with the reason in its
 * attributes. A service integration, not a function: no function's breakers stand in between.
 */
export function parkQueueRecord(dlq: DeadLetterQueue): (state: WorkflowState, failure: FailureInfo) => Promise<void> {
  return async (state, failure) => {
    const message = messageOf(state as unknown as ConsumeState);
    const claim = (state as unknown as ConsumeState).claim;
    if (!(await parkInDeadLetterQueue(dlq, message, failure, claim?.decision.attempt ?? message.receiveCount))) {
      throw new Error('the dead-letter queue did not take the parked record');
    }
  };
}

/**
 * The hold-back step: the Step Functions SQS integration (ChangeMessageVisibility) on the queue the
 * record came from, found by the record's `eventSourceARN` among the queues the pipes poll, with the
 * record's receipt handle. Throws when no polled queue has that ARN or the queue refuses the change; the
 * workflow then fails the execution as it would have anyway, and the message comes back later.
 */
export function holdBackQueueRecord(queues: () => readonly PolledQueue[]): (state: WorkflowState, delaySeconds: number) => Promise<void> {
  return async (state, delaySeconds) => {
    const record = recordOf(state as unknown as ConsumeState);
    const queue = queues().find((candidate) => candidate.arn === record.eventSourceARN);
    if (queue === undefined) throw new Error(`no polled queue has the record's source ARN ${record.eventSourceARN}`);
    await queue.changeVisibility(record.receiptHandle, delaySeconds);
  };
}

/**
 * The requeue step: the Step Functions SQS integration (SendMessage) sending a copy of the record, its
 * body and string attributes, with `delaySeconds` as DelaySeconds. Deployed, the copy goes to the queue
 * named by the record's `eventSourceARN`; here it goes through the pipeline's order queue adapter (with
 * the harness' faults, without a breaker: Step Functions has none), which routes an order by its key to the
 * queue that carried it, as the publisher did. Throws when the queue refuses the copy.
 */
export function requeueQueueRecord(queue: OrderQueue): (state: WorkflowState, delaySeconds: number) => Promise<void> {
  return async (state, delaySeconds) => {
    const message = messageOf(state as unknown as ConsumeState);
    const result = await queue.send([{ id: 'requeue', body: message.body, attributes: message.attributes, delaySeconds }]);
    const [failure] = result.failed;
    if (failure !== undefined) throw Object.assign(new Error(failure.message), { name: `Sqs.${failure.code}` });
  };
}

/**
 * EventBridge Pipes from the order queue to the consume workflow: one execution per record (a Pipe
 * sends each as a one-element batch), a record whose execution failed goes back to the queue.
 */
export function createConsumePipe(
  runner: WorkflowRunner,
  concurrency: number,
  logger: Logger,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const failures = await mapWithConcurrency(event.Records, concurrency, async (record: SQSRecord) => {
      const name = `${record.messageId}-r${record.attributes.ApproximateReceiveCount}-${randomUUID().slice(0, 8)}`;
      const result = await runner.run([record], { id: `arn:aws:states:local:000000000000:execution:${runner.name}:${name}`, name });
      const path = result.visited.map((visit) => visit.step).join(' → ');
      const idempotencyKey = record.messageAttributes[MESSAGE_ATTRIBUTES.idempotencyKey]?.stringValue;
      const fields = { workflow: runner.name, execution: name, path, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) };
      if (result.status === 'SUCCEEDED') {
        logger.info('workflow execution succeeded', fields);
        return undefined;
      }
      logger.warn('workflow execution failed; the record returns to the queue', { ...fields, error: result.error.Error });
      return record.messageId;
    });
    return { batchItemFailures: failures.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The ARN the harness gives its ingest workflow, in the shape of a real one. */
export const LOCAL_INGEST_STATE_MACHINE_ARN = 'arn:aws:states:local:000000000000:stateMachine:ingest';
