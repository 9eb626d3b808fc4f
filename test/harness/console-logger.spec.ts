import { expect } from 'chai';
import type { LogLevel } from '../../application/ports/logger.js';
import { ConsoleLogger, type ConsoleLoggerOptions } from '../../harness/server/console-logger.js';
import { DEFAULT_HARNESS_OPTIONS } from '../../harness/cli/options.js';

const AT = Date.UTC(2026, 0, 1, 12, 34, 56, 789);
const ANSI_ESCAPE = '\x1b[';

function loggerWriting(lines: string[], options: Partial<ConsoleLoggerOptions> = {}): ConsoleLogger {
  return new ConsoleLogger({
    serviceName: 'orders',
    level: 'DEBUG',
    pretty: false,
    write: (line) => lines.push(line),
    now: () => AT,
    ...options,
  });
}

function parsedLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Class: ConsoleLogger (harness/server/console-logger.ts)', () => {
  describe('JSON lines (the default)', () => {
    it('is what the harness writes unless --pretty is given', () => {
      expect(DEFAULT_HARNESS_OPTIONS.pretty).to.equal(false);
    });

    it('writes one JSON object per call with level, message, timestamp and service, then the fields', () => {
      // Prepare
      const lines: string[] = [];
      const logger = loggerWriting(lines);

      // Act
      logger.info('harness started', { url: 'http://127.0.0.1:3000', faults: { dynamodb: 0.2 } });
      logger.warn('messages left on the in-memory queues are lost at exit', { orders: { visible: 1, inFlight: 0, delayed: 0 } });

      // Assess
      expect(parsedLines(lines)).to.deep.equal([
        {
          level: 'INFO',
          message: 'harness started',
          timestamp: '2026-01-01T12:34:56.789Z',
          service: 'orders',
          url: 'http://127.0.0.1:3000',
          faults: { dynamodb: 0.2 },
        },
        {
          level: 'WARN',
          message: 'messages left on the in-memory queues are lost at exit',
          timestamp: '2026-01-01T12:34:56.789Z',
          service: 'orders',
          orders: { visible: 1, inFlight: 0, delayed: 0 },
        },
      ]);
    });

    it('never lets a field replace its own level, message, timestamp or service', () => {
      const lines: string[] = [];
      loggerWriting(lines).warn('order attempt failed', {
        message: 'boom',
        service: 'dynamodb',
        level: 'DEBUG',
        timestamp: 'then',
        attempt: 2,
      });

      expect(parsedLines(lines)).to.deep.equal([
        { level: 'WARN', message: 'order attempt failed', timestamp: '2026-01-01T12:34:56.789Z', service: 'orders', attempt: 2 },
      ]);
    });

    it("still writes the line's own fields when a field refers back to itself", () => {
      const lines: string[] = [];
      const loop: Record<string, unknown> = { name: 'loop' };
      loop.self = loop;

      loggerWriting(lines).error('request failed', { loop });

      expect(parsedLines(lines)).to.deep.equal([
        { level: 'ERROR', message: 'request failed', timestamp: '2026-01-01T12:34:56.789Z', service: 'orders', unserializableFields: true },
      ]);
    });

    it('keeps each entry on one line, whatever the message and fields contain', () => {
      // Prepare
      const lines: string[] = [];

      // Act
      loggerWriting(lines).error('route failed\nat /orders', { error: 'first line\nsecond line' });

      // Assess
      expect(lines).to.have.length(1);
      expect(lines[0]).to.not.include('\n');
      expect(parsedLines(lines)[0]).to.deep.include({ message: 'route failed\nat /orders', error: 'first line\nsecond line' });
    });

    it("puts a child's context on every line, and a call's own field wins over the context", () => {
      // Prepare
      const lines: string[] = [];
      const worker = loggerWriting(lines)
        .child({ component: 'event-source', requestId: 'r-1' })
        .child({ correlationId: 'c-1', orderId: 'o-1' });

      // Act
      worker.info('batch received', { size: 3 });
      worker.info('batch retried', { requestId: 'r-2' });

      // Assess
      const [first, second] = parsedLines(lines);
      expect(first).to.deep.include({ component: 'event-source', requestId: 'r-1', correlationId: 'c-1', orderId: 'o-1', size: 3 });
      expect(second).to.deep.include({ component: 'event-source', requestId: 'r-2', correlationId: 'c-1', orderId: 'o-1' });
    });

    it('writes an Error by its name and message, and a bigint as text, instead of losing them', () => {
      // Prepare
      const lines: string[] = [];
      const failure = new RangeError('seed out of range');

      // Act
      loggerWriting(lines).error('could not start', { error: failure, bytes: 12n });

      // Assess: JSON.stringify alone writes an Error as {} and throws on a bigint.
      expect(parsedLines(lines)[0]).to.deep.include({ error: { name: 'RangeError', message: 'seed out of range' }, bytes: '12' });
    });
  });

  describe('level', () => {
    const written = (level: LogLevel, pretty: boolean): string[] => {
      const lines: string[] = [];
      const logger = loggerWriting(lines, { level, pretty });
      logger.debug('debug line');
      logger.info('info line');
      logger.warn('warn line');
      logger.error('error line');
      return lines;
    };

    for (const pretty of [false, true]) {
      it(`writes the configured level and above, nothing below (${pretty ? 'pretty' : 'JSON'})`, () => {
        // Act
        const atInfo = written('INFO', pretty);
        const atError = written('ERROR', pretty);
        const atDebug = written('DEBUG', pretty);

        // Assess
        expect(atDebug).to.have.length(4);
        expect(atInfo).to.have.length(3);
        expect(atInfo.some((line) => line.includes('debug line'))).to.equal(false);
        expect(atError).to.have.length(1);
        expect(atError[0]).to.include('error line');
      });
    }
  });

  describe('pretty lines (--pretty)', () => {
    it('writes time, level, message and the fields as key=value, readable and not JSON', () => {
      // Prepare
      const lines: string[] = [];
      const logger = loggerWriting(lines, { pretty: true });

      // Act
      logger.info('harness started', { url: 'http://127.0.0.1:3000', backend: 'memory', faults: { dynamodb: 0.2 } });
      logger.warn('circuit breaker state changed', { from: 'CLOSED', to: 'OPEN' });
      logger.debug('queue empty');

      // Assess
      expect(lines).to.deep.equal([
        '12:34:56.789 INFO  harness started  url=http://127.0.0.1:3000 backend=memory faults={"dynamodb":0.2}',
        '12:34:56.789 WARN  circuit breaker state changed  from=CLOSED to=OPEN',
        '12:34:56.789 DEBUG queue empty',
      ]);
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).to.throw(SyntaxError);
    });

    it("shows a child's context with the fields, and an Error by its name and message", () => {
      // Prepare
      const lines: string[] = [];
      const http = loggerWriting(lines, { pretty: true }).child({ component: 'http' });

      // Act
      http.error('route failed', { path: '/orders', error: new TypeError('body is not JSON') });

      // Assess
      expect(lines).to.deep.equal([
        '12:34:56.789 ERROR route failed  component=http path=/orders error={"name":"TypeError","message":"body is not JSON"}',
      ]);
    });

    it('colours only the level tag, and only when asked to (a terminal)', () => {
      // Prepare
      const plain: string[] = [];
      const coloured: string[] = [];

      // Act
      loggerWriting(plain, { pretty: true }).warn('slow dependency', { service: 'dynamodb' });
      loggerWriting(coloured, { pretty: true, colour: true }).warn('slow dependency', { service: 'dynamodb' });

      // Assess
      expect(plain[0]).to.not.include(ANSI_ESCAPE);
      expect(coloured[0]).to.equal('12:34:56.789 \x1b[33mWARN \x1b[0m slow dependency  service=dynamodb');
    });

    it('never colours JSON lines, even when colour is on', () => {
      // Prepare
      const lines: string[] = [];

      // Act
      loggerWriting(lines, { colour: true }).error('boom');

      // Assess
      expect(lines[0]).to.not.include(ANSI_ESCAPE);
      expect(parsedLines(lines)[0]).to.deep.include({ level: 'ERROR', message: 'boom' });
    });
  });
});
