import type { IngestOrderResult } from '../../application/use-cases/ingest-order.js';
import { badRequest, json, type HttpResponse } from './response.js';

/** The HTTP answer for an order at the edge, the same from POST /orders, POST /publish and the orchestrated ingest. */
export function ingestResponse(result: IngestOrderResult, correlationId: string): HttpResponse {
  const headers = { 'x-correlation-id': correlationId };
  switch (result.kind) {
    case 'INVALID':
      return badRequest(result.violations, correlationId);
    case 'ACCEPTED':
      return json(
        202,
        {
          status: 'ACCEPTED',
          orderId: result.orderId,
          idempotencyKey: result.idempotencyKey,
          messageId: result.messageId,
          correlationId,
          totals: {
            currency: result.priced.currency,
            subtotalMinor: result.priced.subtotalMinor,
            taxMinor: result.priced.taxMinor,
            totalMinor: result.priced.totalMinor,
          },
        },
        { ...headers, location: `/orders/${encodeURIComponent(result.idempotencyKey)}` },
      );
    case 'DUPLICATE':
      return json(
        200,
        {
          status: result.record.status,
          duplicate: true,
          orderId: result.orderId,
          idempotencyKey: result.idempotencyKey,
          correlationId,
          ...(result.record.outcome === undefined ? {} : { outcome: result.record.outcome }),
          ...(result.record.lastError === undefined ? {} : { lastError: result.record.lastError }),
        },
        headers,
      );
    case 'IN_PROGRESS':
      return json(
        409,
        {
          error: 'IN_PROGRESS',
          message: 'this order is being processed; retry later',
          idempotencyKey: result.idempotencyKey,
          correlationId,
        },
        { ...headers, 'retry-after': String(result.retryAfterSeconds) },
      );
    case 'KEY_REUSED':
      return json(
        422,
        {
          error: 'IDEMPOTENCY_KEY_REUSED',
          message: 'this Idempotency-Key was used for a different payload',
          idempotencyKey: result.idempotencyKey,
          correlationId,
        },
        headers,
      );
  }
}
