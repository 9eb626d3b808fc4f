import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../application/config.js';
import type { Logger } from '../application/ports/logger.js';
import { parseOrderShape } from '../application/services/order-schema.js';
import { TOKENS } from '../application/tokens.js';
import { PublishOrder, type PublishOrderResult } from '../application/use-cases/publish-order.js';
import type { Order } from '../domain/order.js';
import { asStep } from './step-input.js';
import { publishComposition } from './compositions/publish.js';
import { containerAtInit } from './function-container.js';
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
      return json(202, { status: 'PUBLISHED', orderId: shape.order.orderId, ...published, correlationId: request.correlationId }, { 'x-correlation-id': request.correlationId });
    } catch (error) {
      return failureResponse(error, request.correlationId, root.get<Logger>(TOKENS.Logger));
    }
  };
}

/** The ingest workflow's state after the validate task. */
export interface PublishState {
  readonly validated: { readonly order: Order };
  readonly execution?: { readonly name?: string };
}

/** The ingest workflow's second task: the order was validated by the first. */
async function publishTask(root: Container, state: PublishState): Promise<PublishOrderResult> {
  return asStep(() => root.get(PublishOrder).execute({
    order: state.validated.order,
    correlationId: state.execution?.name ?? 'workflow',
  }));
}
