import type { EventFailure, PipelineEvent } from '../../application/ports/event-bus.js';
import { classifyError } from '../../domain/error-classifier.js';

// The per-entry ErrorCode values of a PutEvents response worth re-sending (AWS: only these two). Every
// other code (AccessDeniedException, InvalidArgument, MalformedDetail, NotAuthorized…) is final. The
// SDK's own retry never sees any of them, since the response itself is a 200.
const RETRYABLE_ERROR_CODES = new Set(['InternalFailure', 'ThrottlingException']);

export function isRetryablePutEventsErrorCode(errorCode: string): boolean {
  return RETRYABLE_ERROR_CODES.has(errorCode);
}

/** The failure of one entry, classified by the one classifier as if the service had thrown the code. */
export function putEventsEntryFailure(event: PipelineEvent, errorCode: string): EventFailure {
  const shape = isRetryablePutEventsErrorCode(errorCode)
    ? { name: errorCode, message: errorCode, $retryable: {} }
    : { name: errorCode, message: errorCode, $fault: 'client' };
  const { category, code } = classifyError(shape);
  return { event, code, category };
}
