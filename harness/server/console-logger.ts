import type { LogContext, Logger, LogLevel } from '../../application/ports/logger.js';

const RANK: Readonly<Record<LogLevel, number>> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };
const COLOURS: Readonly<Record<LogLevel, string>> = { DEBUG: '\x1b[90m', INFO: '\x1b[36m', WARN: '\x1b[33m', ERROR: '\x1b[31m' };
const RESET = '\x1b[0m';

export interface ConsoleLoggerOptions {
  readonly serviceName: string;
  readonly level: LogLevel;
  /** One line for people instead of one JSON object per line. */
  readonly pretty: boolean;
  /** Colours in pretty mode (a terminal). */
  readonly colour?: boolean;
  /** Receives each finished line, without its newline. */
  readonly write: (line: string) => void;
  readonly now?: () => number;
}

/**
 * The harness' logger: the same JSON keys as the Lambda logger (level, message, timestamp, service, and
 * the context and fields), one object per line; or, with `pretty`, a short line for a terminal.
 */
export class ConsoleLogger implements Logger {
  constructor(
    private readonly options: ConsoleLoggerOptions,
    private readonly context: LogContext = {},
  ) {}

  debug(message: string, fields?: LogContext): void {
    this.log('DEBUG', message, fields);
  }

  info(message: string, fields?: LogContext): void {
    this.log('INFO', message, fields);
  }

  warn(message: string, fields?: LogContext): void {
    this.log('WARN', message, fields);
  }

  error(message: string, fields?: LogContext): void {
    this.log('ERROR', message, fields);
  }

  child(context: LogContext): Logger {
    return new ConsoleLogger(this.options, { ...this.context, ...context });
  }

  private log(level: LogLevel, message: string, fields: LogContext | undefined): void {
    if (RANK[level] < RANK[this.options.level]) return;
    const timestamp = new Date((this.options.now ?? Date.now)()).toISOString();
    const data: Record<string, unknown> = { ...this.context, ...fields };
    this.options.write(
      this.options.pretty
        ? this.prettyLine(level, message, timestamp, data)
        : jsonLine(level, message, timestamp, this.options.serviceName, data),
    );
  }

  private prettyLine(level: LogLevel, message: string, timestamp: string, data: Record<string, unknown>): string {
    const tag = level.padEnd(5);
    const coloured = this.options.colour === true ? `${COLOURS[level]}${tag}${RESET}` : tag;
    const extras = Object.entries(data)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : safeJson(value)}`)
      .join(' ');
    return `${timestamp.slice(11, 23)} ${coloured} ${message}${extras === '' ? '' : `  ${extras}`}`;
  }
}

/** The logger's own fields come last, so a field of the same name cannot replace them (Powertools drops such fields). */
function jsonLine(level: LogLevel, message: string, timestamp: string, service: string, data: Record<string, unknown>): string {
  return safeJson({ ...data, level, message, timestamp, service });
}

function safeJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, inner: unknown) => {
        if (inner instanceof Error) return { name: inner.name, message: inner.message };
        if (typeof inner === 'bigint') return inner.toString();
        return inner;
      }) ?? String(value)
    );
  } catch {
    // A field that refers back to itself: keep the line's own fields, say what could not be written.
    if (typeof value !== 'object' || value === null) return String(value);
    const { level, message, timestamp, service } = value as Record<string, unknown>;
    return JSON.stringify({ level, message, timestamp, service, unserializableFields: true });
  }
}
