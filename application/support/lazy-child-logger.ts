import type { LogContext, Logger } from '../ports/logger.js';

/**
 * A child logger built on its first line: on the happy path a record logs nothing, and building a
 * Powertools child per record was the worker's largest per-record cost. Lines carry the same context.
 */
export class LazyChildLogger implements Logger {
  private built: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly context: LogContext,
  ) {}

  debug(message: string, fields?: LogContext): void {
    this.logger().debug(message, fields);
  }

  info(message: string, fields?: LogContext): void {
    this.logger().info(message, fields);
  }

  warn(message: string, fields?: LogContext): void {
    this.logger().warn(message, fields);
  }

  error(message: string, fields?: LogContext): void {
    this.logger().error(message, fields);
  }

  /** Still lazy: a child of the real parent with both contexts (the later keys win, as in a child of a child). */
  child(context: LogContext): Logger {
    return new LazyChildLogger(this.parent, { ...this.context, ...context });
  }

  private logger(): Logger {
    this.built ??= this.parent.child(this.context);
    return this.built;
  }
}
