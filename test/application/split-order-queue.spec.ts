import { expect } from 'chai';
import { InMemorySqs } from '../../adapters/memory/in-memory-sqs.js';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryOrderQueue } from '../../adapters/memory/memory-order-queue.js';
import type { OutboundMessage } from '../../application/ports/queue-message.js';
import { SplitOrderQueue } from '../../application/orders/split-order-queue.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { routesToNewTopology } from '../../domain/traffic-split.js';

function rig(sharePercent: number) {
  const sqs = new InMemorySqs({ clock: new ManualClock({ start: 0 }) });
  for (const name of ['orders', 'orders-orchestrated']) sqs.createQueue(name, { visibilityTimeoutSeconds: 30 });
  const queue = new SplitOrderQueue(new MemoryOrderQueue(sqs, 'orders'), new MemoryOrderQueue(sqs, 'orders-orchestrated'), sharePercent);
  const keysIn = (name: string): string[] => sqs.peekAll(name).map((m) => m.attributes[MESSAGE_ATTRIBUTES.idempotencyKey] ?? '(none)');
  return { sqs, queue, keysIn };
}

function order(id: string, key: string | null = `key-${id}`): OutboundMessage {
  return { id, body: `{"n":"${id}"}`, attributes: key === null ? {} : { [MESSAGE_ATTRIBUTES.idempotencyKey]: key } };
}

const MESSAGES = Array.from({ length: 40 }, (_, index) => order(`m${index}`));

describe('Class: SplitOrderQueue', () => {
  describe('Method: send', () => {
    it('sends each order to the orchestrated queue or the primary by its idempotency key, and reports every one sent', async () => {
      const { queue, keysIn } = rig(50);

      const result = await queue.send(MESSAGES);

      expect(result.failed).to.deep.equal([]);
      expect(result.sent.map((s) => s.id)).to.have.members(MESSAGES.map((m) => m.id));
      const expectedOrchestrated = MESSAGES.map((m) => m.attributes[MESSAGE_ATTRIBUTES.idempotencyKey] ?? '').filter((key) =>
        routesToNewTopology(key, 50),
      );
      expect(keysIn('orders-orchestrated')).to.have.members(expectedOrchestrated);
      expect(keysIn('orders')).to.have.length(MESSAGES.length - expectedOrchestrated.length);
      expect(expectedOrchestrated.length, 'both queues are used at 50 %').to.be.within(1, MESSAGES.length - 1);
    });

    it('sends every copy of one order the same way', async () => {
      const { queue, keysIn } = rig(50);
      const key = MESSAGES.map((m) => m.attributes[MESSAGE_ATTRIBUTES.idempotencyKey] ?? '').find((k) => routesToNewTopology(k, 50)) ?? '';

      await queue.send([order('a', key), order('b', key)]);
      await queue.send([order('c', key)]);

      expect(keysIn('orders-orchestrated')).to.deep.equal([key, key, key]);
      expect(keysIn('orders')).to.deep.equal([]);
    });

    it('keeps everything on the primary at 0 % and moves everything at 100 %', async () => {
      const none = rig(0);
      await none.queue.send(MESSAGES);
      expect(none.keysIn('orders')).to.have.length(MESSAGES.length);
      expect(none.keysIn('orders-orchestrated')).to.deep.equal([]);

      const all = rig(100);
      await all.queue.send(MESSAGES);
      expect(all.keysIn('orders-orchestrated')).to.have.length(MESSAGES.length);
      expect(all.keysIn('orders')).to.deep.equal([]);
    });

    it('leaves a message without an idempotency key on the primary, where the worker parks it as unreadable', async () => {
      const { queue, keysIn } = rig(100);
      await queue.send([order('x', null)]);
      expect(keysIn('orders')).to.deep.equal(['(none)']);
    });

    it('reports the half a queue refused as failed, with the classified refusal, and keeps what the other queue took', async () => {
      const { sqs, queue, keysIn } = rig(50);
      sqs.deleteQueue('orders-orchestrated');

      const result = await queue.send(MESSAGES);

      const orchestratedIds = MESSAGES.filter((m) => routesToNewTopology(m.attributes[MESSAGE_ATTRIBUTES.idempotencyKey] ?? '', 50)).map(
        (m) => m.id,
      );
      expect(result.failed.map((f) => f.id)).to.have.members(orchestratedIds);
      for (const failure of result.failed) expect(failure).to.include({ category: 'PERMANENT', code: 'AWS.QueueDoesNotExist' });
      expect(result.sent).to.have.length(MESSAGES.length - orchestratedIds.length);
      expect(keysIn('orders')).to.have.length(MESSAGES.length - orchestratedIds.length);
    });

    it('throws the refusal when every queue it used refused the call, as an adapter does', async () => {
      const { sqs, queue } = rig(0);
      sqs.deleteQueue('orders');
      let thrown: unknown;
      try {
        await queue.send(MESSAGES);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.an('error').with.property('name', 'QueueDoesNotExist');
    });
  });

  describe('Method: changeVisibility', () => {
    it('holds back messages of the primary queue, the one the composed worker consumes', async () => {
      const { sqs, queue } = rig(0);
      await queue.send([order('v')]);
      const [received] = sqs.receiveMessages('orders', { maxMessages: 1 });

      await queue.changeVisibility([{ receiptHandle: received?.receiptHandle ?? '', timeoutSeconds: 600 }]);

      expect(sqs.peekAll('orders')[0]?.visibleAt).to.equal(600_000);
    });
  });

  it('refuses a share that is not a whole percentage', () => {
    const sqs = new InMemorySqs({ clock: new ManualClock({ start: 0 }) });
    expect(() => new SplitOrderQueue(new MemoryOrderQueue(sqs, 'a'), new MemoryOrderQueue(sqs, 'b'), 150)).to.throw(/whole percentage/);
  });
});
