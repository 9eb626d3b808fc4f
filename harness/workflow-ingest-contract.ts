import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { PipelineConfig } from '../application/config.js';
import type { Logger } from '../application/ports/logger.js';
import { knownAnswer, type PublishOrderResult } from '../application/use-cases/publish-order.js';
import { failureOfStepError, messageOfCause } from '../application/workflows/step-error.js';
import { errorForCategory } from '../domain/errors.js';
import type { FieldViolation, PricedOrder } from '../domain/order.js';
import { failureResponse } from '../handlers/http/failure-response.js';
import { ingestResponse } from '../handlers/http/order-response.js';
import { isResponse, parseJsonRequest } from '../handlers/http/request.js';
import { badRequest, type HttpResponse } from '../handlers/http/response.js';
import type { WorkflowRunner } from './workflow-runner.js';

/**
 * POST /orders of the orchestrated topology, keeping the one HTTP contract of both topologies: the same
 * edge checks as the composed ingest (415, 400 with every reason, the Idempotency-Key header), then the
 * ingest workflow (validate → publish, which reserves the key), whose result is answered as the composed
 * ingest answers it: 202, 200 duplicate, 409 + Retry-After, 422 key reused, 400, 503 + Retry-After.
 * The client's key (and a failure simulation the configuration allows) reaches the publish step in the
 * execution (`execution.idempotencyKey`, `execution.simulation`); see the
 * README ("One HTTP contract") for what carries it when deployed.
 */
export function createContractWorkflowIngest(
  runner: WorkflowRunner, stateMachineArn: string, config: PipelineConfig, logger: Logger,
): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return async (event) => {
    const request = parseJsonRequest(event, config);
    if (isResponse(request)) return request;
    const { correlationId, idempotencyKey, simulation } = request;
    const name = event.requestContext.requestId;
    const id = `${stateMachineArn.replace(':stateMachine:', ':express:')}:${name}`;
    const result = await runner.run(request.body, {
      id, name, ...(idempotencyKey === undefined ? {} : { idempotencyKey }), ...(simulation === undefined ? {} : { simulation }),
    });
    if (result.status === 'SUCCEEDED') {
      const output = result.output as { validated: { order: { orderId: string }; priced: PricedOrder }; published: PublishOrderResult };
      const { order, priced } = output.validated;
      const { published } = output;
      if (published.kind === 'KNOWN') return ingestResponse(knownAnswer(published.known, order.orderId, published.idempotencyKey), correlationId);
      return ingestResponse({ kind: 'ACCEPTED', orderId: order.orderId, idempotencyKey: published.idempotencyKey, messageId: published.messageId, priced }, correlationId);
    }
    const failure = failureOfStepError(result.error);
    if (failure.code === 'ORDER.INVALID') return badRequest(violationsIn(result.error.Cause), correlationId);
    if (failure.code === 'IDEMPOTENCY.KEY_REUSED') {
      return ingestResponse({ kind: 'KEY_REUSED', idempotencyKey: idempotencyKey ?? '' }, correlationId);
    }
    return failureResponse(errorForCategory(failure.category, messageOfCause(result.error.Cause), { code: failure.code }), correlationId, logger);
  };
}

/** The violations a rejected validate step carries in its message (`ORDER.INVALID: [...]`). */
function violationsIn(cause: string): readonly FieldViolation[] {
  const message = messageOfCause(cause);
  try {
    const parsed: unknown = JSON.parse(message.slice(message.indexOf('[')));
    return Array.isArray(parsed) ? (parsed as FieldViolation[]) : [];
  } catch {
    return [];
  }
}
