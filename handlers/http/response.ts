import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldViolation } from '../../domain/order.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string; headers: Record<string, string> };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** Every field-level reason at once, in one stable shape. */
export function badRequest(violations: readonly FieldViolation[], correlationId: string, statusCode = 400): HttpResponse {
  return json(
    statusCode,
    { error: 'VALIDATION', message: 'the request is invalid', correlationId, violations },
    { 'x-correlation-id': correlationId },
  );
}
