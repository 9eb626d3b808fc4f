import type { ErrorCategory } from './error-category.js';
import { PipelineError } from './errors.js';

/** What the one classifier says about anything thrown. */
export interface Classification {
  readonly category: ErrorCategory;
  /** Stable code: the PipelineError code, `AWS.<ErrorName>`, `NODE.<errno>` or `UNKNOWN`. */
  readonly code: string;
  readonly message: string;
  /** The service asked us to slow down (HTTP 429 or a throttling error name). */
  readonly throttling: boolean;
  /** Attempts the AWS SDK already made (`$metadata.attempts`), so no layer retries on top blindly. */
  readonly sdkAttempts?: number;
}

// Smithy's own lists (the rules the AWS SDK v3 retry strategy uses).
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'ThrottledException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TIMEOUT_NODE_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_NAMES = new Set(['InternalFailure', 'InternalServerError', 'ServiceUnavailable', 'InternalError']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $retryable?: { readonly throttling?: boolean } | undefined;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly attempts?: unknown } | undefined;
  readonly cause?: unknown;
}

const MAX_CAUSE_DEPTH = 5;

/**
 * Maps anything thrown to one category. Nothing else in the code base decides whether a failure is
 * retried: adapters, the worker and the redrive all ask this function.
 */
export function classifyError(error: unknown): Classification {
  if (error instanceof PipelineError) {
    return { category: error.category, code: error.code, message: error.message, throttling: false };
  }
  if (typeof error !== 'object' || error === null) {
    return { category: 'UNKNOWN', code: 'UNKNOWN', message: describeNonObject(error), throttling: false };
  }
  return classifyShape(error, 0);
}

function classifyShape(shape: ErrorShape, depth: number): Classification {
  const name = typeof shape.name === 'string' ? shape.name : '';
  const nodeCode = typeof shape.code === 'string' ? shape.code : '';
  const message = typeof shape.message === 'string' ? shape.message : name || 'unknown error';
  const status = numberOrUndefined(shape.$metadata?.httpStatusCode);
  const sdkAttempts = numberOrUndefined(shape.$metadata?.attempts);
  const base = { message, ...(sdkAttempts === undefined ? {} : { sdkAttempts }) };
  const awsCode = `AWS.${name || nodeCode || status || 'Error'}`;

  if (status === 429 || shape.$retryable?.throttling === true || THROTTLING_NAMES.has(name)) {
    return { ...base, category: 'TRANSIENT', code: `AWS.${name || 'Throttling'}`, throttling: true };
  }
  if (TIMEOUT_NAMES.has(name) || TIMEOUT_NODE_CODES.has(nodeCode)) {
    return { ...base, category: 'TIMEOUT', code: nodeCode ? `NODE.${nodeCode}` : awsCode, throttling: false };
  }
  if (TRANSIENT_NODE_CODES.has(nodeCode)) {
    return { ...base, category: 'TRANSIENT', code: `NODE.${nodeCode}`, throttling: false };
  }
  if (shape.$retryable !== undefined || TRANSIENT_NAMES.has(name) || (status !== undefined && TRANSIENT_STATUS.has(status))) {
    return { ...base, category: 'TRANSIENT', code: awsCode, throttling: false };
  }
  if (shape.cause !== undefined && typeof shape.cause === 'object' && shape.cause !== null && depth < MAX_CAUSE_DEPTH) {
    const inner = shape.cause instanceof PipelineError ? classifyError(shape.cause) : classifyShape(shape.cause, depth + 1);
    if (inner.category !== 'UNKNOWN') return { ...inner, message };
  }
  if (status !== undefined && status >= 400) {
    // 4xx is a client error (access denied, validation, missing resource); 501 and the other 5xx the SDK
    // does not retry are server answers that repeating will not change.
    return { ...base, category: 'PERMANENT', code: awsCode, throttling: false };
  }
  if (shape.$fault === 'client') {
    return { ...base, category: 'PERMANENT', code: awsCode, throttling: false };
  }
  if (PROGRAMMING_ERRORS.has(name)) {
    return { ...base, category: 'PROCESSING', code: `JS.${name}`, throttling: false };
  }
  return { ...base, category: 'UNKNOWN', code: 'UNKNOWN', throttling: false };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function describeNonObject(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, 500);
  return `non-error value thrown: ${value === null ? 'null' : typeof value}`;
}
