import type { ErrorCategory } from './error-category.js';

export interface PipelineErrorOptions {
  readonly code: string;
  readonly cause?: unknown;
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * The error taxonomy, one class per category (ErrorCategory), and the two errors with fields of their own.
 *
 * Base of every error the pipeline raises on purpose. It carries its category and a stable,
 * dot-separated `code` (`ORDER.INVALID`, `BREAKER.OPEN`) that dashboards and alarms can key on.
 */
export abstract class PipelineError extends Error {
  abstract readonly category: ErrorCategory;
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  // Public, so that each category's class needs no constructor of its own; abstract, so only they are built.
  constructor(message: string, options: PipelineErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.context = options.context ?? {};
  }
}

export class ValidationError extends PipelineError {
  readonly category = 'VALIDATION' as const;
}

export class TransientError extends PipelineError {
  readonly category = 'TRANSIENT' as const;
}

export class PermanentError extends PipelineError {
  readonly category = 'PERMANENT' as const;
}

export class TimeoutError extends PipelineError {
  readonly category = 'TIMEOUT' as const;
}

export class ProcessingError extends PipelineError {
  readonly category = 'PROCESSING' as const;
}

/** Raised instead of calling a dependency whose breaker is open. TRANSIENT, but never counted by a breaker. */
export class CircuitOpenError extends TransientError {
  readonly service: string;
  readonly retryAfterMs: number;
  constructor(service: string, retryAfterMs: number) {
    super(`circuit for ${service} is open`, { code: 'BREAKER.OPEN', context: { service, retryAfterMs } });
    this.service = service;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A state machine was asked for a transition its table does not allow. Always a bug: fail loudly. */
export class IllegalTransitionError extends PermanentError {
  constructor(machine: string, from: string, event: string) {
    super(`${machine}: illegal transition from ${from} on ${event}`, {
      code: 'STATE.ILLEGAL_TRANSITION',
      context: { machine, from, event },
    });
  }
}

export class UnknownError extends PipelineError {
  readonly category = 'UNKNOWN' as const;
}

/** The error class for a category, for failures reported as data (partial batch results) that must be raised. */
export function errorForCategory(category: ErrorCategory, message: string, options: PipelineErrorOptions): PipelineError {
  switch (category) {
    case 'VALIDATION':
      return new ValidationError(message, options);
    case 'TRANSIENT':
      return new TransientError(message, options);
    case 'TIMEOUT':
      return new TimeoutError(message, options);
    case 'PERMANENT':
      return new PermanentError(message, options);
    case 'PROCESSING':
      return new ProcessingError(message, options);
    case 'UNKNOWN':
      return new UnknownError(message, options);
  }
}
