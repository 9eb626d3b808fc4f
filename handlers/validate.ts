import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../application/config/pipeline-config.js';
import type { Metrics } from '../application/ports/metrics.js';
import { TOKENS } from '../application/tokens.js';
import { ValidateOrder } from '../application/use-cases/validate-order.js';
import { ValidationError } from '../domain/errors.js';
import type { Order, PricedOrder } from '../domain/order.js';
import { validateComposition } from './composition/functions/validate.js';
import { containerAtInit } from './composition/function-container.js';
import { asStep } from './lambda-events/step-input.js';
import { isResponse, parseJsonRequest, violationsOf } from './http/request.js';
import { badRequest, json, type HttpResponse } from './http/response.js';

/** The ingest workflow's state when Step Functions invokes this function as a task. */
export interface IngestState {
  readonly request: unknown;
  readonly execution?: { readonly name?: string };
}

/**
 * POST /validate: schema and business rules only; nothing is published. Also the ingest workflow's
 * first task, where an invalid order fails with `Pipeline.VALIDATION` and every reason in the cause.
 */
export const handler = createValidateHandler(containerAtInit(validateComposition));

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createValidateHandler(
  containerOf: () => Container,
): (event: APIGatewayProxyEventV2 | IngestState) => Promise<HttpResponse | { order: Order; priced: PricedOrder }> {
  return async (event) => {
    if (!('requestContext' in event)) return validateTask(containerOf(), event);
    const root = containerOf();
    const request = parseJsonRequest(event, root.get<PipelineConfig>(TOKENS.PipelineConfig), (body) =>
      violationsOf(root.get(ValidateOrder).execute({ body })),
    );
    if (isResponse(request)) return request;
    const result = root
      .get(ValidateOrder)
      .execute({ body: request.body, ...(request.simulation === undefined ? {} : { simulation: request.simulation }) });
    if (!result.ok) return badRequest(result.violations, request.correlationId);
    return json(
      200,
      { valid: true, order: result.order, priced: result.priced, correlationId: request.correlationId },
      { 'x-correlation-id': request.correlationId },
    );
  };
}

async function validateTask(root: Container, state: IngestState): Promise<{ order: Order; priced: PricedOrder }> {
  return asStep(async () => {
    const result = root.get(ValidateOrder).execute({ body: state.request });
    if (!result.ok) {
      // Counted as the composed ingest counts a rejection, so /metrics reads alike in both topologies.
      root.get<Metrics>(TOKENS.Metrics).add('OrdersRejected', 1, 'Count');
      throw new ValidationError(JSON.stringify(result.violations), { code: 'ORDER.INVALID' });
    }
    return { order: result.order, priced: result.priced };
  });
}
