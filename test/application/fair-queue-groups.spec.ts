import { expect } from 'chai';
import fc from 'fast-check';
import { tenantOf, UNKNOWN_TENANT } from '../../application/orders/order-message.js';
import { RedriveDeadLetters } from '../../application/use-cases/redrive-dead-letters.js';
import type { SqsSendBatchEntry } from '../../adapters/memory/sqs-types.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** Every entry the pipeline hands the broker for `queueName`, whichever use case sent it. */
function recordSends(fixture: PipelineFixture, queueName: string): SqsSendBatchEntry[] {
  const seen: SqsSendBatchEntry[] = [];
  const sqs = fixture.infrastructure.sqs;
  const original = sqs.sendMessageBatch.bind(sqs);
  sqs.sendMessageBatch = (name, entries) => {
    if (name === queueName) seen.push(...entries);
    return original(name, entries);
  };
  return seen;
}

describe('SQS fair queues: every send to the order queue carries its customer as MessageGroupId', () => {
  it("the edge, the worker's backoff and the redrive all send with the order's customer", async () => {
    // Prepare: orders of three customers, one failing transiently until it reaches the DLQ
    const fixture = new PipelineFixture({ queues: { maxReceiveCount: 2 } });
    const sends = recordSends(fixture, fixture.orderQueueName);
    const customers = ['cust-a', 'cust-b', 'cust-c'];
    for (const [index, customerId] of customers.entries())
      await fixture.accept(OrderMother.valid({ orderId: `fair-${index}`, customerId }));
    await fixture.accept(OrderMother.valid({ orderId: 'fair-retried', customerId: 'cust-d' }), {
      simulation: { kind: 'transient', times: 3 },
    });
    // Act: work everything, let the DLQ'd order be redriven, work again
    await fixture.drain({ maxInvocations: 20 });
    await fixture.get(RedriveDeadLetters).execute();
    await fixture.drain({ maxInvocations: 20 });
    // Assess: each entry names the customer of the order in its body
    expect(sends.length, 'the redrive or the backoff sent again').to.be.above(4);
    for (const entry of sends) {
      const customerId = (JSON.parse(entry.body) as { order: { customerId: string } }).order.customerId;
      expect(entry.groupId, entry.body.slice(0, 80)).to.equal(customerId);
    }
    expect(new Set(sends.map((entry) => entry.groupId))).to.deep.equal(new Set([...customers, 'cust-d']));
  });

  describe('Function: tenantOf', () => {
    it("is the order's customer for any valid customer id, and a fixed tenant for a body that is not an order", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), (customerId) => {
          expect(tenantOf(JSON.stringify({ order: { customerId } }))).to.equal(customerId);
        }),
      );
      expect(tenantOf('not json')).to.equal(UNKNOWN_TENANT);
      expect(tenantOf(JSON.stringify({ order: { customerId: 'x'.repeat(129) } }))).to.equal(UNKNOWN_TENANT);
      expect(tenantOf('null')).to.equal(UNKNOWN_TENANT);
    });
  });
});
