import { expect } from 'chai';
import type { ReservationDecision, ReservationRequest } from '../../domain/idempotency-reservation.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { TransientError } from '../../domain/errors.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** The memory store, with reservations failing as a DynamoDB outage fails them while `down`. */
class OutageStore extends MemoryIdempotencyStore {
  down = false;
  override reserve(request: ReservationRequest): Promise<ReservationDecision> {
    if (this.down) return Promise.reject(new TransientError('DynamoDB unavailable', { code: 'ServiceUnavailable' }));
    return super.reserve(request);
  }
}

function fixtureWith(mode: 'strict' | 'buffer' | undefined): { fixture: PipelineFixture; store: OutageStore } {
  const store = new OutageStore();
  const fixture = new PipelineFixture({ store, ...(mode === undefined ? {} : { env: { STORE_OUTAGE_MODE: mode } }) });
  return { fixture, store };
}

describe('The edge during a store outage (STORE_OUTAGE_MODE)', () => {
  it('strict, the default: refuses the order (TRANSIENT: 503 with Retry-After) and queues nothing', async () => {
    const { fixture, store } = fixtureWith(undefined);
    store.down = true;

    const refused = await fixture.ingest(OrderMother.valid(), { idempotencyKey: 'k-1' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(fixture.config.storeOutageMode).to.equal('strict');
    expect(refused).to.be.instanceOf(TransientError);
    expect(fixture.orderQueue()).to.have.length(0);
  });

  it("buffer: accepts and queues the order without a reservation; the worker's claim records it once the store is back", async () => {
    const { fixture, store } = fixtureWith('buffer');
    store.down = true;

    const accepted = await fixture.ingest(OrderMother.valid(), { idempotencyKey: 'k-1' });
    store.down = false;
    await fixture.drain();

    expect(accepted.kind).to.equal('ACCEPTED');
    expect(await fixture.record('k-1')).to.deep.include({ status: 'SUCCEEDED' });
    expect(fixture.metrics.total('OrdersAcceptedUnreserved')).to.equal(1);
  });

  it('buffer: a same-payload re-post during the outage is accepted twice and committed once (the worker suppresses the copy)', async () => {
    const { fixture, store } = fixtureWith('buffer');
    const order = OrderMother.valid();
    store.down = true;

    const answers = [await fixture.ingest(order, { idempotencyKey: 'k-dup' }), await fixture.ingest(order, { idempotencyKey: 'k-dup' })];
    store.down = false;
    await fixture.drain();

    expect(answers.map((answer) => answer.kind)).to.deep.equal(['ACCEPTED', 'ACCEPTED']);
    expect(await fixture.record('k-dup')).to.deep.include({ status: 'SUCCEEDED', attempts: 1 });
    expect(fixture.deadLetters()).to.have.length(0);
  });

  it('what buffer gives up: a conflicting re-post (same key, other payload) is answered 202, not 422, and the first claimed wins, not the first accepted', async () => {
    // Prepare: in strict mode the second POST would be answered 422 (key reused) at once
    const strict = fixtureWith(undefined).fixture;
    await strict.ingest(OrderMother.valid({ orderId: 'first' }), { idempotencyKey: 'k-conflict' });
    const strictAnswer = await strict.ingest(OrderMother.valid({ orderId: 'second' }), { idempotencyKey: 'k-conflict' });
    const { fixture, store } = fixtureWith('buffer');
    store.down = true;
    // Act: both posted during the outage; the worker gets the second one first
    const answers = [
      await fixture.ingest(OrderMother.valid({ orderId: 'first' }), { idempotencyKey: 'k-conflict' }),
      await fixture.ingest(OrderMother.valid({ orderId: 'second' }), { idempotencyKey: 'k-conflict' }),
    ];
    store.down = false;
    const [first, second] = fixture.receive(2);
    await fixture.work([second!]);
    await fixture.work([first!]);
    // Assess
    expect(strictAnswer.kind).to.not.equal('ACCEPTED');
    expect(answers.map((answer) => answer.kind)).to.deep.equal(['ACCEPTED', 'ACCEPTED']);
    expect((await fixture.record('k-conflict'))?.orderId).to.equal('second');
    expect(fixture.deadLetters().map((message) => message.attributes.errorCode)).to.deep.equal(['IDEMPOTENCY.KEY_REUSED']);
  });

  it('buffer: a store that answers still decides (a key reused with another payload is refused at the edge, not queued)', async () => {
    const { fixture } = fixtureWith('buffer');
    await fixture.ingest(OrderMother.valid({ orderId: 'first' }), { idempotencyKey: 'k-known' });

    const again = await fixture.ingest(OrderMother.valid({ orderId: 'other' }), { idempotencyKey: 'k-known' });

    expect(again.kind).to.not.equal('ACCEPTED');
    expect(fixture.orderQueue()).to.have.length(1);
  });
});
