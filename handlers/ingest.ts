import 'reflect-metadata';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Container } from 'inversify';
import type { PipelineConfig } from '../application/config/pipeline-config.js';
import type { Logger } from '../application/ports/logger.js';
import { TOKENS } from '../application/tokens.js';
import { IngestOrder } from '../application/use-cases/ingest-order.js';
import { ValidateOrder } from '../application/use-cases/validate-order.js';
import { ingestComposition } from './composition/functions/ingest.js';
import { containerAtInit } from './composition/function-container.js';
import { failureResponse } from './http/failure-response.js';
import { isResponse, parseJsonRequest, violationsOf } from './http/request.js';
import { ingestResponse } from './http/order-response.js';
import type { HttpResponse } from './http/response.js';

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

export { ingestResponse };
