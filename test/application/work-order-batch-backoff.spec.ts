import { expect } from 'chai';
import { backoffPolicyOf } from '../../application/config/pipeline-config.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import { visibilityRetryBudgetMs } from '../../application/resilience/visibility-retry.js';
import { backoffEnvelope } from '../../domain/backoff.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { IdempotencyRecord, OutcomeSummary } from '../../domain/idempotency.js';
import type { OutboxEntry } from '../../domain/outbox.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

/** What SQS answers when it fails on its side (HTTP 500): TRANSIENT to the classifier, counted by the SQS breaker. */
function sqsInternalError(): Error {
  return Object.assign(new Error('We encountered an internal error. Please try again.'), {
    name: 'InternalError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

/** The order queue with ChangeMessageVisibility failing its first `failures` calls (Infinity: always), and sends optionally refused. */
class FlakyVisibilityQueue implements OrderQueue {
  visibilityCalls = 0;
  /** The worker's sends; the edge's, before `armed`, are not counted and never refused. */
  sendCalls = 0;
  armed = false;

  constructor(
    private readonly inner: OrderQueue,
    private readonly failures: number,
    private readonly refuseSends = false,
  ) {}

  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    if (!this.armed) return this.inner.send(messages);
    this.sendCalls += 1;
    if (this.refuseSends) throw sqsInternalError();
    return this.inner.send(messages);
  }

  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    this.visibilityCalls += 1;
    if (this.visibilityCalls <= this.failures) throw sqsInternalError();
    return this.inner.changeVisibility(changes);
  }
}

/** As deployed: a 60 s worker and its queue's 6 × 60 + 2 s visibility timeout, so "after the visibility timeout" cannot pass for "on time". */
const VISIBILITY_TIMEOUT_SECONDS = 362;
/** Whole-second rounding of a delay, and the auto-advancing clock's own steps. */
const SLACK_MS = 1_000;

/** The fixture over a flaky order queue; `queue()` arms it (the orders are accepted first) and returns it. */
function setUp(failures: number, refuseSends = false): { fixture: PipelineFixture; queue: () => FlakyVisibilityQueue } {
  let flaky: FlakyVisibilityQueue | undefined;
  const fixture = new PipelineFixture({
    queues: { visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS },
    wrapOrderQueue: (inner) => (flaky = new FlakyVisibilityQueue(inner, failures, refuseSends)),
  });
  return {
    fixture,
    queue: () => {
      if (flaky === undefined) throw new Error('the fixture did not build the order queue');
      flaky.armed = true;
      return flaky;
    },
  };
}

/** The latest a retry of `attempt` may come back: the policy's largest delay, plus the visibility retries' budget and slack. */
function latestReturnMs(fixture: PipelineFixture, attempt: number): number {
  return backoffEnvelope(backoffPolicyOf(fixture.config), attempt, undefined).max * 1_000 + visibilityRetryBudgetMs() + SLACK_MS;
}

describe('Class: WorkOrderBatch (backoff when the visibility change fails)', () => {
  describe('Method: execute', () => {
    for (const failures of [1, 3]) {
      it(`sets the backoff on a later try when the change fails ${failures} time(s): the record reappears within its backoff bounds`, async () => {
        // Prepare
        const { fixture, queue } = setUp(failures);
        const key = await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 1 } });
        queue();
        const failedAt = fixture.clock.now();

        // Act
        const invocation = await fixture.deliver({ remainingTimeMs: 60_000 });

        // Assess
        expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['RETRY']);
        expect(queue().visibilityCalls, 'the failed calls and the one that went through').to.equal(failures + 1);
        const [waiting] = fixture.orderQueue();
        expect(waiting?.visibleAt).to.be.at.most(failedAt + latestReturnMs(fixture, 1));
        expect(fixture.logger.linesAt('WARN').map((line) => line.message)).to.not.include('could not set backoff visibility');
        await fixture.drain({ remainingTimeMs: 60_000 });
        expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 2 });
      });
    }

    it('keeps a record whose backoff can never be set in the invocation, and works it again once its delay is over', async () => {
      // Prepare
      const { fixture, queue } = setUp(Number.POSITIVE_INFINITY);
      const key = await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 1 } });
      queue();
      const startedAt = fixture.clock.now();

      // Act
      const invocation = await fixture.deliver({ remainingTimeMs: 60_000 });

      // Assess: one invocation, two attempts, the second within the first one's backoff bounds
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['SUCCEEDED']);
      expect(invocation?.result.batchItemFailures).to.deep.equal([]);
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 2 });
      expect(fixture.clock.now() - startedAt).to.be.at.most(latestReturnMs(fixture, 1));
      expect(queue().visibilityCalls, 'tried, within the bounded retries').to.be.within(2, 4);
      expect(queue().sendCalls, 'no copy needed').to.equal(0);
      expect(fixture.metrics.total('BackoffFallbacks', { fallback: 'kept' })).to.equal(1);
      expect(fixture.orderQueue(), 'acknowledged: the event source deleted it').to.deep.equal([]);
    });

    it('keeps it attempt after attempt while the change keeps failing (and the SQS breaker opens), each retry within its own bounds', async () => {
      // Prepare: three failed attempts, each with a larger backoff; the fifth failed change opens the SQS breaker
      const { fixture } = setUp(Number.POSITIVE_INFINITY);
      const key = await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 3 } });
      const startedAt = fixture.clock.now();

      // Act
      const invocation = await fixture.deliver({ remainingTimeMs: 60_000 });

      // Assess
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['SUCCEEDED']);
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 4 });
      expect(fixture.breakers.state('sqs').status).to.equal('OPEN');
      const latest = [1, 2, 3].reduce((sum, attempt) => sum + latestReturnMs(fixture, attempt), 0);
      expect(fixture.clock.now() - startedAt).to.be.at.most(latest);
      expect(fixture.clock.now() - startedAt, "far from the queue's visibility timeout").to.be.below(
        (VISIBILITY_TIMEOUT_SECONDS * 1_000) / 10,
      );
    });

    it('re-sends a copy with the backoff as its delay, and acknowledges the record, when too little time is left to keep it', async () => {
      // Prepare
      const { fixture, queue } = setUp(Number.POSITIVE_INFINITY);
      const key = await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 1 } });
      queue();
      const failedAt = fixture.clock.now();

      // Act: enough time to work the record once, not to wait for its backoff and work it again
      const invocation = await fixture.deliver({ remainingTimeMs: 3_900 });

      // Assess
      const original = invocation?.messages[0]?.messageId;
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['REQUEUED']);
      expect(invocation?.result.batchItemFailures, 'the original is acknowledged').to.deep.equal([]);
      expect(queue().sendCalls).to.equal(1);
      const [copy] = fixture.orderQueue();
      expect(fixture.orderQueue()).to.have.length(1);
      expect(copy?.messageId).to.not.equal(original);
      expect(copy?.visibleAt).to.be.at.most(failedAt + latestReturnMs(fixture, 1));
      expect(fixture.metrics.total('BackoffFallbacks', { fallback: 'requeued' })).to.equal(1);

      // Act: the copy comes back and is worked as the next attempt
      await fixture.drain({ remainingTimeMs: 60_000 });

      // Assess
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 2 });
      expect(fixture.metrics.total('OrdersProcessed')).to.equal(1);
      expect(fixture.deadLetters()).to.deep.equal([]);
    });

    it('returns the record to the queue, to come back after its visibility timeout, only when SQS refuses the copy too', async () => {
      // Prepare
      const { fixture, queue } = setUp(Number.POSITIVE_INFINITY, true);
      await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 1 } });
      queue();

      // Act
      const invocation = await fixture.deliver({ remainingTimeMs: 3_900 });

      // Assess
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['RETRY']);
      expect(invocation?.result.batchItemFailures).to.deep.equal([invocation?.messages[0]?.messageId]);
      expect(queue().sendCalls).to.equal(1);
      expect(fixture.metrics.total('BackoffFallbacks', { fallback: 'queueDefault' })).to.equal(1);
      const warning = fixture.logger.linesAt('WARN').find((line) => line.message.startsWith('backoff visibility not set'));
      expect(warning?.fields).to.deep.include({ queueDefault: 1 });
    });
  });
});

/** A store whose completion write fails its first `failures` calls, as DynamoDB answering 500 does. */
class FlakyCompletionStore extends MemoryIdempotencyStore {
  completions = 0;
  failures = 0;

  override async complete(
    key: string,
    ownerToken: string,
    now: number,
    outcome?: OutcomeSummary,
    events?: readonly OutboxEntry[],
  ): Promise<IdempotencyRecord> {
    this.completions += 1;
    if (this.completions <= this.failures) {
      throw Object.assign(new Error('Internal server error'), {
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      });
    }
    return super.complete(key, ownerToken, now, outcome, events);
  }
}

describe('Class: WorkOrderBatch (completion write failing)', () => {
  describe('Method: execute', () => {
    it('writes the completion on a later try in the same invocation, instead of leaving the record leased for the rest of it', async () => {
      // Prepare
      const store = new FlakyCompletionStore();
      const flaky = new PipelineFixture({ store });
      const key = await flaky.accept(OrderMother.valid());
      store.failures = 2;
      const startedAt = flaky.clock.now();

      // Act
      const invocation = await flaky.deliver({ remainingTimeMs: 60_000 });

      // Assess
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['SUCCEEDED']);
      expect(store.completions).to.equal(3);
      expect(await flaky.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 1 });
      expect(flaky.clock.now() - startedAt).to.be.at.most(visibilityRetryBudgetMs());
    });
  });
});
