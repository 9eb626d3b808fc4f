import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { PipelineConfig } from '../application/config.js';
import { TOKENS } from '../application/tokens.js';
import { ValidateOrder } from '../application/use-cases/validate-order.js';
import { container } from './composition-root.js';
import { isResponse, parseJsonRequest } from './http/request.js';
import { badRequest, json, type HttpResponse } from './http/response.js';

/** POST /validate: schema and business rules only; nothing is published. */
export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  const root = container();
  const request = parseJsonRequest(event, root.get<PipelineConfig>(TOKENS.PipelineConfig));
  if (isResponse(request)) return request;
  const result = root.get(ValidateOrder).execute({ body: request.body, ...(request.simulation === undefined ? {} : { simulation: request.simulation }) });
  if (!result.ok) return badRequest(result.violations, request.correlationId);
  return json(200, { valid: true, order: result.order, priced: result.priced, correlationId: request.correlationId }, { 'x-correlation-id': request.correlationId });
}
