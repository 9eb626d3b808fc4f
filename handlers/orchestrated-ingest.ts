import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../application/config/pipeline-config.js';
import type { Logger } from '../application/ports/logger.js';
import { TOKENS } from '../application/tokens.js';
import { IngestOrderByWorkflow } from '../application/use-cases/ingest-order-by-workflow.js';
import { orchestratedIngestComposition } from './composition/functions/orchestrated-ingest.js';
import { containerAtInit } from './composition/function-container.js';
import { failureResponse } from './http/failure-response.js';
import { ingestResponse } from './http/order-response.js';
import { isResponse, parseJsonRequest } from './http/request.js';
import type { HttpResponse } from './http/response.js';

/**
 * POST /orders of the orchestrated topology (POST /orchestrated/orders while both run): the composed
 * ingest's edge checks (415, 400 with every reason, the Idempotency-Key header), then the ingest workflow
 * run to its end, answered as the composed ingest answers: 202, 200 duplicate, 409 + Retry-After, 422 key
 * reused, 400, 503 + Retry-After. The local harness runs this same handler over its workflow runner.
 */
export const handler = createOrchestratedIngestHandler(containerAtInit(orchestratedIngestComposition));

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createOrchestratedIngestHandler(containerOf: () => Container): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return async (event) => {
    const root = containerOf();
    const request = parseJsonRequest(event, root.get<PipelineConfig>(TOKENS.PipelineConfig));
    if (isResponse(request)) return request;
    try {
      // The API's request id names the execution: unique per request, and the steps log it.
      const result = await root.get(IngestOrderByWorkflow).execute({ ...request, executionName: event.requestContext.requestId });
      return ingestResponse(result, request.correlationId);
    } catch (error) {
      return failureResponse(error, request.correlationId, root.get<Logger>(TOKENS.Logger));
    }
  };
}
