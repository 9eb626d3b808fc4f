import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../application/config/pipeline-config.js';
import type { FailureSimulation } from '../application/orders/failure-simulation.js';
import type { Logger } from '../application/ports/logger.js';
import { parseOrderShape } from '../application/orders/order-schema.js';
import { TOKENS } from '../application/tokens.js';
import { knownAnswer, PublishOrder, type PublishOrderResult } from '../application/use-cases/publish-order.js';
import { ValidationError } from '../domain/errors.js';
import type { Order } from '../domain/order.js';
import { asStep } from './lambda-events/step-input.js';
import { ingestResponse } from './http/order-response.js';
import { publishComposition } from './composition/functions/publish.js';
import { containerAtInit } from './composition/function-container.js';
import { failureResponse } from './http/failure-response.js';
import { isResponse, parseJsonRequest, violationsOf } from './http/request.js';
import { badRequest, json, type HttpResponse } from './http/response.js';

/**
 * POST /publish: enqueues an order the validate step accepted. Business rules are validate's job; the
 * shape is still checked here, because this edge is reachable on its own.
 */
export const handler = createPublishHandler(containerAtInit(publishComposition));

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createPublishHandler(
  containerOf: () => Container,
): (event: APIGatewayProxyEventV2 | PublishState) => Promise<HttpResponse | PublishOrderResult> {
  return async (event) => {
    if (!('requestContext' in event)) return publishTask(containerOf(), event);
    const root = containerOf();
    const request = parseJsonRequest(event, root.get<PipelineConfig>(TOKENS.PipelineConfig), (body) => violationsOf(parseOrderShape(body)));
    if (isResponse(request)) return request;
    const shape = parseOrderShape(request.body);
    if (!shape.ok) return badRequest(shape.violations, request.correlationId);
    try {
      const published = await root.get(PublishOrder).execute({
        order: shape.order,
        correlationId: request.correlationId,
        ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
        ...(request.simulation === undefined ? {} : { simulation: request.simulation }),
      });
      if (published.kind === 'KNOWN')
        return ingestResponse(knownAnswer(published.known, shape.order.orderId, published.idempotencyKey), request.correlationId);
      const { kind: _kind, ...sent } = published;
      return json(
        202,
        { status: 'PUBLISHED', orderId: shape.order.orderId, ...sent, correlationId: request.correlationId },
        { 'x-correlation-id': request.correlationId },
      );
    } catch (error) {
      return failureResponse(error, request.correlationId, root.get<Logger>(TOKENS.Logger));
    }
  };
}

/** The ingest workflow's state after the validate task. */
export interface PublishState {
  readonly validated: { readonly order: Order };
  /** `idempotencyKey`: the client's Idempotency-Key header, when the execution was started with it. */
  readonly execution?: { readonly name?: string; readonly idempotencyKey?: string; readonly simulation?: FailureSimulation };
}

/**
 * The ingest workflow's second task: the order was validated by the first. A key reused for another
 * payload fails the step (the execution is Rejected, as the composed edge's 422).
 */
async function publishTask(root: Container, state: PublishState): Promise<PublishOrderResult> {
  return asStep(async () => {
    const published = await root.get(PublishOrder).execute({
      order: state.validated.order,
      correlationId: state.execution?.name ?? 'workflow',
      ...(state.execution?.idempotencyKey === undefined ? {} : { idempotencyKey: state.execution.idempotencyKey }),
      ...(state.execution?.simulation === undefined ? {} : { simulation: state.execution.simulation }),
    });
    if (published.kind === 'KNOWN' && published.known.kind === 'KEY_REUSED') {
      throw new ValidationError('this Idempotency-Key was used for a different payload', {
        code: 'IDEMPOTENCY.KEY_REUSED',
        context: { key: published.idempotencyKey },
      });
    }
    return published;
  });
}
