import { expect } from 'chai';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';

describe('Class: RecordingLogger', () => {
  describe('Method: child', () => {
    it('records the child context merged with the call fields, in the shared list', () => {
      const logger = new RecordingLogger();
      const child = logger.child({ correlationId: 'corr-1' }).child({ orderId: 'order-1' });

      child.warn('retrying', { attempt: 2 });
      logger.info('plain');

      expect(logger.lines()).to.deep.equal([
        { level: 'WARN', message: 'retrying', fields: { correlationId: 'corr-1', orderId: 'order-1', attempt: 2 } },
        { level: 'INFO', message: 'plain', fields: {} },
      ]);
      expect(logger.linesAt('WARN')).to.have.length(1);
    });
  });
});
