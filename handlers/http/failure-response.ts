import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError } from '../../domain/errors.js';
import type { Logger } from '../../application/ports/logger.js';
import { json, type HttpResponse } from './response.js';

/**
 * A failure behind the edge, shaped for the client: 503 with Retry-After when trying again can help
 * (TRANSIENT, TIMEOUT), 500 otherwise. The category and code are shown; internals are not.
 */
export function failureResponse(error: unknown, correlationId: string, logger: Logger): HttpResponse {
  const { category, code, message } = classifyError(error);
  logger.error('request failed', { correlationId, category, code, error: message });
  const retryable = category === 'TRANSIENT' || category === 'TIMEOUT';
  const retryAfter = error instanceof CircuitOpenError ? Math.max(1, Math.ceil(error.retryAfterMs / 1000)) : 1;
  return json(
    retryable ? 503 : 500,
    {
      error: category,
      code,
      message: retryable ? 'temporarily unavailable, try again' : 'the request could not be completed',
      correlationId,
    },
    { 'x-correlation-id': correlationId, ...(retryable ? { 'retry-after': String(retryAfter) } : {}) },
  );
}
