import { ServiceError } from './service-error.js';

/** A refusal by the in-memory SQS broker; the broker's callers tell its errors from anything else by this class. */
export class SqsServiceError extends ServiceError {}
