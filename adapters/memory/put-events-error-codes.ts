import type { ErrorCategory } from '../../domain/error-category.js';

// The per-entry ErrorCode values of a PutEvents response. Only the first two are worth re-sending; the
// SDK's own retry never sees any of them, since the response itself is a 200.
const RETRYABLE = new Set(['InternalFailure', 'ThrottlingException']);
const NOT_RETRYABLE = new Set([
  'AccessDeniedException',
  'InvalidArgument',
  'MalformedDetail',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

/** TRANSIENT for the retryable codes, PERMANENT for the known others, UNKNOWN for a code never seen. */
export function putEventsErrorCategory(errorCode: string): ErrorCategory {
  if (RETRYABLE.has(errorCode)) return 'TRANSIENT';
  if (NOT_RETRYABLE.has(errorCode)) return 'PERMANENT';
  return 'UNKNOWN';
}
