import type { Clock } from '../../application/ports/clock.js';
import type { LogContext, Logger } from '../../application/ports/logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { expect } from 'chai';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import type { BreakerSettings } from '../../domain/circuit-breaker/index.js';

export class ManualClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  sleep(ms: number): Promise<void> {
    this.advance(ms);
    return Promise.resolve();
  }
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: LogContext | undefined;
}

export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string, fields?: LogContext): void {
    this.lines.push({ level: 'DEBUG', message, fields });
  }
  info(message: string, fields?: LogContext): void {
    this.lines.push({ level: 'INFO', message, fields });
  }
  warn(message: string, fields?: LogContext): void {
    this.lines.push({ level: 'WARN', message, fields });
  }
  error(message: string, fields?: LogContext): void {
    this.lines.push({ level: 'ERROR', message, fields });
  }
  child(): Logger {
    return this;
  }
}

/** A call whose end the test decides, to hold a probe in flight. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const serviceUnavailable = (): Error =>
  Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
export const accessDenied = (): Error =>
  Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
export const ok = (): Promise<string> => Promise.resolve('ok');
export const fails = (error: unknown) => (): Promise<never> => Promise.reject(error);

export const ONE_STRIKE: BreakerSettings = { failureThreshold: 1, recoveryTimeoutMs: 10_000, halfOpenMaxProbes: 1 };

/** Fresh breakers over a manual clock, a recording logger and recording metrics. */
export function breakerRig(): { clock: ManualClock; logger: RecordingLogger; metrics: RecordingMetrics; breakers: CircuitBreakers } {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  return { clock, logger, metrics, breakers: new CircuitBreakers(clock, logger, metrics) };
}

/** Opens the DynamoDB breaker with one failure (ONE_STRIKE settings). */
export async function tripDynamo(breakers: CircuitBreakers): Promise<void> {
  breakers.configure({ dynamodb: ONE_STRIKE });
  await breakers.run('dynamodb', fails(serviceUnavailable())).catch(() => undefined);
  expect(breakers.state('dynamodb').status).to.equal('OPEN');
}
