import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Logger } from '../../application/ports/logger.js';
import { toHttpApiEvent, type IncomingRequest } from '../emulation/lambda/api-gateway-event.js';
import { jsonResponse, type Route, type RouteResponse } from './http-server.js';
import { invoke } from '../emulation/lambda/invocation.js';

export type HttpApiFunction = (event: APIGatewayProxyEventV2) => Promise<unknown>;

/**
 * A route of the HTTP API integrated with a Lambda function (payload 2.0): the request becomes an
 * event, the function's structured answer becomes the response. A throw or a crash answers 500 and a
 * timeout 503, with API Gateway's own bodies.
 */
export function lambdaRoute(
  method: 'GET' | 'POST',
  path: string,
  functionName: string,
  fn: HttpApiFunction,
  timeoutMs: number,
  logger: Logger,
): Route {
  const routeKey = `${method} ${path}`;
  return {
    method,
    path,
    handle: async (request: IncomingRequest): Promise<RouteResponse> => {
      const end = await invoke({ functionName, requestId: request.requestId, timeoutMs }, () => fn(toHttpApiEvent(request, routeKey)));
      switch (end.kind) {
        case 'returned':
          return fromLambdaResult(end.value);
        case 'threw':
          logger.error('function threw; answering 500', {
            functionName,
            requestId: request.requestId,
            error: end.error instanceof Error ? end.error.message : String(end.error),
          });
          return jsonResponse(500, { message: 'Internal Server Error' });
        case 'crashed':
          logger.error('function crashed; answering 500', { functionName, requestId: request.requestId, reason: end.reason });
          return jsonResponse(500, { message: 'Internal Server Error' });
        case 'timed-out':
          logger.error('function timed out; answering 503', { functionName, requestId: request.requestId });
          return jsonResponse(503, { message: 'Service Unavailable' });
      }
    },
  };
}

/** HTTP API's reading of a 2.0 answer: a structured result is used as is; anything else is a 200 JSON body. */
function fromLambdaResult(value: unknown): RouteResponse {
  if (typeof value === 'object' && value !== null && typeof (value as { statusCode?: unknown }).statusCode === 'number') {
    const result = value as { statusCode: number; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: boolean };
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, header]) => [name, String(header)]));
    const text = typeof result.body === 'string' ? result.body : '';
    return { statusCode: result.statusCode, headers, body: result.isBase64Encoded === true ? Buffer.from(text, 'base64') : text };
  }
  return jsonResponse(200, value ?? null);
}
