import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { Logger } from '../application/ports/logger.js';
import { TOKENS } from '../application/tokens.js';
import { LookUpOrder } from '../application/use-cases/look-up-order.js';
import { statusComposition } from './composition/functions/status.js';
import { containerAtInit } from './composition/function-container.js';
import { failureResponse } from './http/failure-response.js';
import { orderView } from './http/order-view.js';
import { correlationIdOf } from './http/request.js';
import { queryViolations } from './http/query.js';
import { badRequest, json, type HttpResponse } from './http/response.js';

/** GET /orders/{idempotencyKey}: where an order is, and why (the `Location` a 202 points to). */
export const handler = createStatusHandler(containerAtInit(statusComposition));

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createStatusHandler(containerOf: () => Container): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return async (event) => {
    const correlationId = correlationIdOf(event);
    const headers = { 'x-correlation-id': correlationId };
    // It takes no query parameter: one given is refused with the reason, not ignored.
    const refused = queryViolations(event.rawQueryString);
    if (refused.length > 0) return badRequest(refused, correlationId);
    const key = event.pathParameters?.idempotencyKey ?? '';
    if (key === '') return json(404, { message: 'no idempotency key in the path' }, headers);
    const root = containerOf();
    try {
      const record = await root.get(LookUpOrder).execute(key);
      if (record === undefined) return json(404, { message: `no order with idempotency key ${key}` }, headers);
      return json(200, orderView(record), headers);
    } catch (error) {
      return failureResponse(error, correlationId, root.get<Logger>(TOKENS.Logger));
    }
  };
}
