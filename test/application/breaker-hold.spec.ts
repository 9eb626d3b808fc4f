import { expect } from 'chai';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';

import { RedriveDeadLetters } from '../../application/use-cases/redrive-dead-letters.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { failuresToOpen } from '../../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';
import type { ClaimDecision, ClaimRequest } from '../../domain/idempotency.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** A store whose claims fail while `down` (DynamoDB unreachable), counting every claim that reached it. */
class OutageStore extends MemoryIdempotencyStore {
  claims = 0;
  down = false;

  override async claim(request: ClaimRequest): Promise<ClaimDecision> {
    this.claims += 1;
    if (this.down)
      throw Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      });
    return super.claim(request);
  }
}

const RECOVERY_MS = SERVICE_BREAKER_SETTINGS.dynamodb.recoveryTimeoutMs;

describe('Holding records while a breaker is open', () => {
  for (const [label, cold] of [
    ["a cold breaker: the seed's 3", true],
    ["a breaker that saw the ingest's 10 lookups succeed: the failures it still takes", false],
  ] as const) {
    it(`a batch of 10 against a dead DynamoDB costs what the breaker still takes (${label}), and every record returns only when the probe is due`, async () => {
      // Prepare
      const store = new OutageStore();
      const fixture = new PipelineFixture({ store });
      for (let i = 0; i < 10; i++) await fixture.accept(OrderMother.valid({ orderId: `order-${i}` }));
      if (cold) fixture.breakers.reset();
      const budget = failuresToOpen(fixture.breakers.state('dynamodb'), SERVICE_BREAKER_SETTINGS.dynamodb, fixture.clock.now());
      store.down = true;

      // Act
      const invocation = await fixture.deliver({ remainingTimeMs: 60_000 });

      // Assess
      expect(store.claims).to.equal(budget);
      if (cold) expect(budget).to.equal(SERVICE_BREAKER_SETTINGS.dynamodb.failureThreshold);
      expect(invocation?.result.batchItemFailures).to.have.length(10);
      const probeDue = fixture.clock.now() + fixture.breakers.retryAfterMs('dynamodb');
      for (const message of fixture.orderQueue()) expect(message.visibleAt).to.be.at.least(probeDue);
    });
  }

  it('an outage shorter than (maxReceiveCount − 1) × recovery leaves no order in the DLQ and costs threshold + one probe per period', async () => {
    // Prepare
    const maxReceiveCount = 5;
    const store = new OutageStore();
    const fixture = new PipelineFixture({ store, queues: { maxReceiveCount } });
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) keys.push(await fixture.accept(OrderMother.valid({ orderId: `order-${i}` })));
    const outageMs = (maxReceiveCount - 1) * RECOVERY_MS - 1_000;
    const end = fixture.clock.now() + outageMs;
    const budget = failuresToOpen(fixture.breakers.state('dynamodb'), SERVICE_BREAKER_SETTINGS.dynamodb, fixture.clock.now());
    store.down = true;

    // Act: the event source polls throughout the outage
    while (fixture.clock.now() < end) {
      await fixture.deliver({ remainingTimeMs: 60_000 });
      if (!(await fixture.advanceToNextVisible())) break;
    }
    const claimsDuringOutage = store.claims;
    store.down = false;
    await fixture.drain({ remainingTimeMs: 60_000 });

    // Assess
    expect(claimsDuringOutage).to.be.at.most(budget + Math.ceil(outageMs / RECOVERY_MS));
    expect(fixture.deadLetters()).to.deep.equal([]);
    for (const key of keys) expect((await fixture.record(key))?.status).to.equal('SUCCEEDED');
  });

  it('the redrive sends a never-claimed message back without spending its redrive budget, and it then succeeds', async () => {
    // Prepare: SQS moves a message nobody claimed (held back every time) to the DLQ after maxReceiveCount receives
    const fixture = new PipelineFixture({ queues: { maxReceiveCount: 5 } });
    const key = await fixture.accept(OrderMother.valid());
    for (let receive = 0; receive < 10 && fixture.deadLetters().length === 0; receive++) {
      fixture.receive();
      await fixture.advanceToNextVisible();
    }
    const [dead] = fixture.deadLetters();
    expect(dead?.attributes[MESSAGE_ATTRIBUTES.errorCategory], 'moved by SQS').to.equal(undefined);

    // Act
    const report = await fixture.get(RedriveDeadLetters).execute();

    // Assess
    expect(report).to.deep.include({ redriven: 1, parked: 0 });
    const [copy] = fixture.orderQueue();
    expect(copy?.attributes).to.deep.include({ [MESSAGE_ATTRIBUTES.redriveAttempt]: '0', [MESSAGE_ATTRIBUTES.heldRedrives]: '1' });
    await fixture.drain({ remainingTimeMs: 60_000 });
    expect((await fixture.record(key))?.status).to.equal('SUCCEEDED');
  });
});
