import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../application/config.js';
import type { Logger } from '../application/ports/logger.js';
import { TOKENS } from '../application/tokens.js';
import { IngestOrder, type IngestOrderResult } from '../application/use-cases/ingest-order.js';
import { ValidateOrder } from '../application/use-cases/validate-order.js';
import { ingestComposition } from './compositions/ingest.js';
import { containerAtInit } from './function-container.js';
import { failureResponse } from './http/failure-response.js';
import { isResponse, parseJsonRequest, violationsOf } from './http/request.js';
import { badRequest, json, type HttpResponse } from './http/response.js';

/** POST /orders: validate → publish, answering known duplicates at the edge. */
export const handler = createIngestHandler(containerAtInit(ingestComposition));

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createIngestHandler(containerOf: () => Container): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return async (event) => {
    const root = containerOf();
    const config = root.get<PipelineConfig>(TOKENS.PipelineConfig);
    const request = parseJsonRequest(event, config, (body) => violationsOf(root.get(ValidateOrder).execute({ body })));
    if (isResponse(request)) return request;
    try {
      const result = await root.get(IngestOrder).execute(request);
      return ingestResponse(result, request.correlationId);
    } catch (error) {
      return failureResponse(error, request.correlationId, root.get<Logger>(TOKENS.Logger));
    }
  };
}

export function ingestResponse(result: IngestOrderResult, correlationId: string): HttpResponse {
  const headers = { 'x-correlation-id': correlationId };
  switch (result.kind) {
    case 'INVALID':
      return badRequest(result.violations, correlationId);
    case 'ACCEPTED':
      return json(202, {
        status: 'ACCEPTED', orderId: result.orderId, idempotencyKey: result.idempotencyKey, messageId: result.messageId, correlationId,
        totals: { currency: result.priced.currency, subtotalMinor: result.priced.subtotalMinor, taxMinor: result.priced.taxMinor, totalMinor: result.priced.totalMinor },
      }, { ...headers, location: `/orders/${encodeURIComponent(result.idempotencyKey)}` });
    case 'DUPLICATE':
      return json(200, {
        status: result.record.status, duplicate: true, orderId: result.orderId, idempotencyKey: result.idempotencyKey, correlationId,
        ...(result.record.outcome === undefined ? {} : { outcome: result.record.outcome }),
        ...(result.record.lastError === undefined ? {} : { lastError: result.record.lastError }),
      }, headers);
    case 'IN_PROGRESS':
      return json(409, { error: 'IN_PROGRESS', message: 'this order is being processed; retry later', idempotencyKey: result.idempotencyKey, correlationId },
        { ...headers, 'retry-after': String(result.retryAfterSeconds) });
    case 'KEY_REUSED':
      return json(422, { error: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different payload', idempotencyKey: result.idempotencyKey, correlationId }, headers);
  }
}
