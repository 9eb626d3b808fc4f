import { expect } from 'chai';
import fc from 'fast-check';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { ProcessOrder, type ProcessOrderInput } from '../../application/use-cases/process-order.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { OutcomeSummary } from '../../domain/idempotency.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** A worker process that dies between the business step and the completion: the write never happens. */
class CrashBeforeCompletion extends MemoryIdempotencyStore {
  crashes = 0;

  constructor(private readonly crashFirst: number) {
    super();
  }

  override async complete(...args: Parameters<MemoryIdempotencyStore['complete']>) {
    if (this.crashes < this.crashFirst) {
      this.crashes += 1;
      throw new Error('Runtime.ExitError: the worker died after the business step');
    }
    return super.complete(...args);
  }
}

describe('Outbox guarantees: no announcement of an uncommitted outcome, every committed one delivered', () => {
  it('announces nothing while workers die between the business step and the completion, then exactly once per eventId', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), async (crashFirst) => {
        // Prepare
        const store = new CrashBeforeCompletion(crashFirst);
        const fixture = new PipelineFixture({ store, queues: { maxReceiveCount: 10 } });
        const key = await fixture.accept(OrderMother.valid({ orderId: `crash-${crashFirst}` }));
        const announcedBeforeCommit: number[] = [];

        // Act: the event source delivers until the queue is empty; the relay runs after every delivery
        for (let delivery = 0; delivery < 20; delivery += 1) {
          const invocation = await fixture.deliver({ remainingTimeMs: 60_000 });
          await fixture.relayOutbox();
          if ((await fixture.record(key))?.status !== 'SUCCEEDED') announcedBeforeCommit.push(fixture.events(EVENT_TYPES.processed).length);
          if (invocation === undefined && !(await fixture.advanceToNextVisible())) break;
        }
        // A pipe retry of an already delivered record re-sends nothing new under another id
        await fixture.relayOutbox();

        // Assess
        expect(store.crashes).to.equal(crashFirst);
        expect(
          announcedBeforeCommit.every((count) => count === 0),
          'no OrderProcessed before its commit',
        ).to.equal(true);
        expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED' });
        const processed = fixture.events(EVENT_TYPES.processed);
        expect(new Set(processed.map((event) => event.eventId)).size, 'one announcement').to.equal(1);
        expect(processed, 'delivered once').to.have.length(1);
      }),
      { numRuns: 8 },
    );
  });

  it("announces nothing from a worker whose lease ran out during its business step: the new owner's commit is the only one announced", async () => {
    // Prepare: worker A's business step stalls past its lease; worker B takes the order over
    const fixture = new PipelineFixture();
    const original = fixture.get(ProcessOrder);
    let releaseA: () => void = () => undefined;
    let calls = 0;
    const stalling = Object.create(original) as ProcessOrder;
    stalling.execute = async (input: ProcessOrderInput): Promise<OutcomeSummary> => {
      calls += 1;
      if (calls === 1)
        await new Promise<void>((resolve) => {
          releaseA = resolve;
        });
      return original.execute(input);
    };
    fixture.container.rebind(ProcessOrder).toConstantValue(stalling);
    const key = await fixture.accept(OrderMother.valid({ orderId: 'lease-lost' }));
    const [message] = fixture.receive(1);
    const workerA = fixture.work([message!], { requestId: 'worker-a', remainingTimeMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));

    // Act: the lease runs out, the message comes back to worker B, then A wakes up
    await fixture.clock.advance(60_000);
    const workerB = await fixture.work(fixture.receive(1), { requestId: 'worker-b', remainingTimeMs: 60_000 });
    releaseA();
    const a = await workerA;
    await fixture.relayOutbox();

    // Assess
    expect(workerB.result.outcomes[0]?.status).to.equal('SUCCEEDED');
    expect(a.result.outcomes[0]).to.deep.include({ status: 'RETRY', failure: { category: 'TRANSIENT', code: 'IDEMPOTENCY.LEASE_LOST' } });
    expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
    expect((await fixture.committedEvents(key, EVENT_TYPES.processed)).length, 'the loser committed nothing').to.equal(1);
    expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 2 });
  });
});
