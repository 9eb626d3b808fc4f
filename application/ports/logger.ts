export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Keys every line may carry: correlation and identity, never personal data. */
export interface LogContext {
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly orderId?: string;
  readonly [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: LogContext): void;
  info(message: string, fields?: LogContext): void;
  warn(message: string, fields?: LogContext): void;
  error(message: string, fields?: LogContext): void;
  /** A logger whose every line also carries `context`. */
  child(context: LogContext): Logger;
}
