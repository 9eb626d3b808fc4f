import { expect } from 'chai';
import type { LogContext, Logger } from '../../application/ports/logger.js';
import { LazyChildLogger } from '../../application/support/lazy-child-logger.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';

/** Counts the children its parent builds. */
class CountingLogger extends RecordingLogger {
  children = 0;

  override child(context: LogContext): Logger {
    this.children += 1;
    return super.child(context);
  }
}

describe('Class: LazyChildLogger', () => {
  it("builds no child logger while nothing is logged (the worker's happy path)", () => {
    const parent = new CountingLogger();
    new LazyChildLogger(parent, { orderId: 'o-1' });
    expect(parent.children).to.equal(0);
  });

  it("builds the child once, on the first line, and every line carries its context, a child's too", () => {
    const parent = new CountingLogger();
    const log = new LazyChildLogger(parent, { orderId: 'o-1', correlationId: 'c-1' });

    log.warn('first', { attempt: 1 });
    log.error('second');
    expect(parent.children).to.equal(1);
    const child = log.child({ step: 'complete' });
    expect(parent.children, 'a child of the lazy logger is lazy too').to.equal(1);
    child.info('third');

    const lines = parent.lines();
    expect(lines.map((line) => line.message)).to.deep.equal(['first', 'second', 'third']);
    for (const line of lines) expect(line.fields).to.include({ orderId: 'o-1', correlationId: 'c-1' });
    expect(lines[2]?.fields).to.include({ step: 'complete' });
  });
});
