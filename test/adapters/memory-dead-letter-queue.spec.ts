import { expect } from 'chai';
import { MemoryDeadLetterQueue } from '../../adapters/memory/memory-dead-letter-queue.js';
import { anOrderMessage } from './contract/contract-support.js';
import { aBroker } from './memory.fixtures.js';

describe('Class: MemoryDeadLetterQueue', () => {
  describe('Method: delete', () => {
    it('returns a stale receipt handle as not deleted', async () => {
      const { sqs, clock } = aBroker();
      const dlq = new MemoryDeadLetterQueue(sqs, 'orders-dlq');
      await dlq.send([anOrderMessage(1)]);
      const [first] = await dlq.receive(1, 30);
      await clock.advance(30_000);
      await dlq.receive(1, 30);

      expect(await dlq.delete([first?.receiptHandle ?? ''])).to.deep.equal([first?.receiptHandle]);
      expect(sqs.stats('orders-dlq').inFlight).to.equal(1);
    });
  });
});
