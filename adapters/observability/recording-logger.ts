import type { LogContext, Logger, LogLevel } from '../../application/ports/logger.js';

export interface RecordedLogLine {
  readonly level: LogLevel;
  readonly message: string;
  /** The child contexts and the call's fields, merged (later keys win). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Captures log lines in memory for tests; children write to the same list. */
export class RecordingLogger implements Logger {
  private readonly sink: RecordedLogLine[];
  private readonly context: LogContext;

  constructor(context: LogContext = {}, sink: RecordedLogLine[] = []) {
    this.context = context;
    this.sink = sink;
  }

  debug(message: string, fields?: LogContext): void {
    this.record('DEBUG', message, fields);
  }

  info(message: string, fields?: LogContext): void {
    this.record('INFO', message, fields);
  }

  warn(message: string, fields?: LogContext): void {
    this.record('WARN', message, fields);
  }

  error(message: string, fields?: LogContext): void {
    this.record('ERROR', message, fields);
  }

  child(context: LogContext): Logger {
    return new RecordingLogger({ ...this.context, ...context }, this.sink);
  }

  lines(): readonly RecordedLogLine[] {
    return [...this.sink];
  }

  linesAt(level: LogLevel): readonly RecordedLogLine[] {
    return this.sink.filter((line) => line.level === level);
  }

  clear(): void {
    this.sink.length = 0;
  }

  private record(level: LogLevel, message: string, fields: LogContext | undefined): void {
    this.sink.push({ level, message, fields: { ...this.context, ...fields } });
  }
}
