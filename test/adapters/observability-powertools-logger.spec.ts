import { expect } from 'chai';
import { PowertoolsLogger } from '../../adapters/observability/powertools-logger.js';
import { captureOutput, jsonLines, lambdaContext } from './observability.fixtures.js';

describe('Class: PowertoolsLogger', () => {
  describe('Method: info', () => {
    it('writes one JSON object per line with level, message, timestamp, service and the fields', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });

      const output = captureOutput(() => logger.info('order accepted', { orderId: 'order-1', correlationId: 'corr-1' }));

      const lines = jsonLines(output.stdout);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include({
        level: 'INFO',
        message: 'order accepted',
        service: 'orders',
        orderId: 'order-1',
        correlationId: 'corr-1',
      });
      expect(Number.isNaN(Date.parse(String(lines[0]?.timestamp)))).to.equal(false);
    });
  });

  describe('Method: warn / error', () => {
    it('writes WARN and ERROR lines as JSON too', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });

      const output = captureOutput(() => {
        logger.warn('retrying', { attempt: 2 });
        logger.error('parked', { category: 'PERMANENT' });
      });

      const lines = jsonLines([...output.stdout, ...output.stderr]);
      expect(lines.map((line) => [line.level, line.message])).to.have.deep.members([
        ['WARN', 'retrying'],
        ['ERROR', 'parked'],
      ]);
    });
  });

  describe('Method: debug', () => {
    it('is written at level DEBUG and left out at INFO', () => {
      const quiet = new PowertoolsLogger({ serviceName: 'orders', logLevel: 'INFO' });
      const verbose = new PowertoolsLogger({ serviceName: 'orders', logLevel: 'DEBUG' });

      const output = captureOutput(() => {
        quiet.debug('hidden');
        verbose.debug('shown');
      });

      expect(jsonLines(output.stdout).map((line) => line.message)).to.deep.equal(['shown']);
    });
  });

  describe('Method: child', () => {
    it('adds its context to every line of the child and its children, never to the parent', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });
      const perRequest = logger.child({ correlationId: 'corr-1' });
      const perOrder = perRequest.child({ orderId: 'order-1' });

      const output = captureOutput(() => {
        perOrder.info('processed', { totalMinor: 4_498 });
        logger.info('batch done');
      });

      const [fromChild, fromParent] = jsonLines(output.stdout);
      expect(fromChild).to.include({
        message: 'processed',
        correlationId: 'corr-1',
        orderId: 'order-1',
        totalMinor: 4_498,
        service: 'orders',
      });
      expect(fromParent).to.not.have.any.keys('correlationId', 'orderId');
    });
  });

  describe('Method: addLambdaContext', () => {
    it('adds the request id and the cold start flag to the lines that follow', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });

      const output = captureOutput(() => {
        logger.addLambdaContext(lambdaContext);
        logger.info('invoked');
      });

      expect(jsonLines(output.stdout)[0]).to.include({ function_request_id: 'req-1234', function_name: 'orders-worker' });
      expect(jsonLines(output.stdout)[0]).to.have.property('cold_start').that.is.a('boolean');
    });
  });
});
