import { Logger as PowertoolsBaseLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { LogContext, Logger, LogLevel } from '../../application/ports/logger.js';

export interface PowertoolsLoggerOptions {
  /** The `service` key of every line. */
  readonly serviceName: string;
  /** Defaults to POWERTOOLS_LOG_LEVEL / AWS_LAMBDA_LOG_LEVEL, else INFO. */
  readonly logLevel?: LogLevel;
  /** Share of invocations logged at DEBUG (0–1), decided again by `addLambdaContext`. */
  readonly sampleRateValue?: number;
  readonly persistentKeys?: LogContext;
}

/**
 * Structured JSON logs through Powertools: one JSON object per line with level, message, timestamp,
 * service, cold_start, function_request_id and xray_trace_id (once `addLambdaContext` was called), plus
 * the given fields. Per-request keys (correlationId, orderId) belong in a `child`, never in this shared
 * instance, so nothing lingers from one invocation to the next.
 */
export class PowertoolsLogger implements Logger {
  private base: PowertoolsBaseLogger | undefined;
  private readonly build: () => PowertoolsBaseLogger;

  /**
   * The Powertools logger itself is built on the first line or context, not here: a function's hot path
   * (the worker's happy path) logs nothing, so INIT does not pay for a logger it may never use.
   */
  constructor(options: PowertoolsLoggerOptions | PowertoolsBaseLogger) {
    if (options instanceof PowertoolsBaseLogger) {
      this.base = options;
      this.build = () => options;
      return;
    }
    const settings = {
      serviceName: options.serviceName,
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      ...(options.sampleRateValue === undefined ? {} : { sampleRateValue: options.sampleRateValue }),
      ...(options.persistentKeys === undefined ? {} : { persistentKeys: { ...options.persistentKeys } }),
    };
    this.build = () => new PowertoolsBaseLogger(settings);
  }

  private get logger(): PowertoolsBaseLogger {
    this.base ??= this.build();
    return this.base;
  }

  debug(message: string, fields?: LogContext): void {
    this.logger.debug(message, { ...fields });
  }

  info(message: string, fields?: LogContext): void {
    this.logger.info(message, { ...fields });
  }

  warn(message: string, fields?: LogContext): void {
    this.logger.warn(message, { ...fields });
  }

  error(message: string, fields?: LogContext): void {
    this.logger.error(message, { ...fields });
  }

  child(context: LogContext): Logger {
    return new PowertoolsLogger(this.logger.createChild({ persistentKeys: { ...context } }));
  }

  /** Call at the start of every invocation: request id, cold start and a fresh sampling decision. */
  addLambdaContext(context: Context): void {
    this.logger.addContext(context);
    this.logger.refreshSampleRateCalculation();
  }
}
