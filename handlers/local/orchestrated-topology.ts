import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../../application/config.js';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { Logger } from '../../application/ports/logger.js';
import { mapWithConcurrency } from '../../application/services/concurrency.js';
import { parkInDeadLetterQueue } from '../../application/services/dead-letter-parking.js';
import { TOKENS } from '../../application/tokens.js';
import { categoryOfStepError } from '../../application/workflows/index.js';
import { errorForCategory } from '../../domain/errors.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import type { FieldViolation, PricedOrder } from '../../domain/order.js';
import { createEventsHandler } from '../events.js';
import { failureResponse } from '../http/failure-response.js';
import { isResponse, parseJsonRequest } from '../http/request.js';
import { badRequest, json, type HttpResponse } from '../http/response.js';
import { createIdempotencyHandler } from '../idempotency.js';
import { createProcessorHandler } from '../processor.js';
import { createPublishHandler, type PublishState } from '../publish.js';
import { messageOf, type ConsumeState } from '../step-input.js';
import { createValidateHandler, type IngestState } from '../validate.js';
import type { StepFunctions, WorkflowRunner, WorkflowState } from './workflow-runner.js';
import { messageOfCause } from './workflow-runner.js';

/*
 * The orchestrated topology: the five single-purpose handlers, invoked as workflow tasks. The workflow
 * state is untyped JSON, as in Step Functions; each handler checks what it reads from it.
 */

export function createStepFunctions(containerOf: () => Container): StepFunctions {
  const validate = createValidateHandler(containerOf);
  const publish = createPublishHandler(containerOf);
  const idempotency = createIdempotencyHandler(containerOf);
  const processor = createProcessorHandler(containerOf);
  const events = createEventsHandler(containerOf);
  return {
    validate: (state) => validate(state as unknown as IngestState),
    publish: (state) => publish(state as unknown as PublishState),
    idempotency: (state) => idempotency(state as unknown as ConsumeState),
    processor: (state) => processor(state as unknown as ConsumeState),
    events: (state) => events(state as unknown as ConsumeState),
  };
}

/** The park step: the Step Functions SQS integration sending the record to the DLQ, with the reason in its attributes. */
export function parkQueueRecord(containerOf: () => Container): (state: WorkflowState, failure: FailureInfo) => Promise<void> {
  return async (state, failure) => {
    const message = messageOf(state as unknown as ConsumeState);
    const claim = (state as unknown as ConsumeState).claim;
    const dlq = containerOf().get<DeadLetterQueue>(TOKENS.DeadLetterQueue);
    if (!(await parkInDeadLetterQueue(dlq, message, failure, claim?.decision.attempt ?? message.receiveCount))) {
      throw new Error('the dead-letter queue did not take the parked record');
    }
  };
}

/**
 * EventBridge Pipes from the order queue to the consume workflow: one execution per record (a Pipe
 * sends each as a one-element batch), a record whose execution failed goes back to the queue.
 */
export function createConsumePipe(runner: WorkflowRunner, concurrency: number, logger: Logger): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const failures = await mapWithConcurrency(event.Records, concurrency, async (record: SQSRecord) => {
      const name = `${record.messageId}-r${record.attributes.ApproximateReceiveCount}-${randomUUID().slice(0, 8)}`;
      const result = await runner.run([record], { id: `arn:aws:states:local:000000000000:execution:${runner.name}:${name}`, name });
      const path = result.visited.map((visit) => visit.step).join(' → ');
      if (result.status === 'SUCCEEDED') {
        logger.info('workflow execution succeeded', { workflow: runner.name, execution: name, path });
        return undefined;
      }
      logger.warn('workflow execution failed; the record returns to the queue', { workflow: runner.name, execution: name, path, error: result.error.Error });
      return record.messageId;
    });
    return { batchItemFailures: failures.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * POST /orders in the orchestrated topology: the HTTP API starting the ingest workflow synchronously
 * (an Express workflow) and answering from its result. The edge checks (JSON, size, headers) are the
 * same as the composed ingest's; the workflow receives the request body.
 */
export function createWorkflowIngest(runner: WorkflowRunner, config: PipelineConfig, logger: Logger): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return async (event) => {
    const request = parseJsonRequest(event, config);
    if (isResponse(request)) return request;
    const name = request.correlationId;
    const result = await runner.run(request.body, { id: `arn:aws:states:local:000000000000:express:${runner.name}:${name}`, name });
    const headers = { 'x-correlation-id': request.correlationId };
    if (result.status === 'SUCCEEDED') {
      const validated = result.output.validated as { readonly priced: PricedOrder } | undefined;
      const published = result.output.published as { readonly messageId: string; readonly idempotencyKey: string } | undefined;
      const priced = validated?.priced;
      return json(202, {
        status: 'ACCEPTED', orderId: priced?.orderId, idempotencyKey: published?.idempotencyKey, messageId: published?.messageId, correlationId: request.correlationId,
        ...(priced === undefined ? {} : { totals: { currency: priced.currency, subtotalMinor: priced.subtotalMinor, taxMinor: priced.taxMinor, totalMinor: priced.totalMinor } }),
      }, { ...headers, ...(published === undefined ? {} : { location: `/orders/${encodeURIComponent(published.idempotencyKey)}` }) });
    }
    const category = categoryOfStepError(result.error.Error);
    const message = messageOfCause(result.error.Cause);
    if (category === 'VALIDATION') return badRequest(violationsIn(message), request.correlationId);
    const error = errorForCategory(category ?? 'UNKNOWN', message, { code: /^([A-Z][A-Z0-9_.]+):/.exec(message)?.[1] ?? result.error.Error });
    return failureResponse(error, request.correlationId, logger);
  };
}

/** The validate step puts every violation, as JSON, in its error message (`ORDER.INVALID: [...]`). */
function violationsIn(message: string): FieldViolation[] {
  const json = message.slice(message.indexOf(':') + 1).trim();
  try {
    const parsed: unknown = JSON.parse(json);
    if (Array.isArray(parsed)) return parsed as FieldViolation[];
  } catch {
    // not the validate step's list: report the message as one violation
  }
  return [{ path: '', code: 'ORDER.INVALID', message }];
}
