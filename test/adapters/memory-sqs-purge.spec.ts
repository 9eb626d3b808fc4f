import { expect } from 'chai';
import { aBroker } from './memory.fixtures.js';

describe('Class: InMemorySqs', () => {
  describe('Method: purge', () => {
    it('removes every message, in flight or not', () => {
      const { sqs } = aBroker();
      sqs.sendMessage('orders', { body: 'a' });
      sqs.sendMessage('orders', { body: 'b', delaySeconds: 60 });
      sqs.receiveMessages('orders');

      sqs.purge('orders');

      expect(sqs.stats('orders')).to.deep.equal({ visible: 0, inFlight: 0, delayed: 0 });
    });
  });
});
