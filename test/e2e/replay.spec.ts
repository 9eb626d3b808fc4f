import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { ProcessOrder, type ProcessOrderInput } from '../../application/use-cases/process-order.js';
import { PermanentError } from '../../domain/errors.js';
import type { OutcomeSummary } from '../../domain/idempotency.js';
import type { HarnessFunctions } from '../../harness/pipeline/functions.js';
import type { MemoryBackend } from '../../harness/backends/memory-backend.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

/**
 * A business rule that fails for good until "the fix is deployed", as a bug that parks orders would: in
 * every environment, now and later, of each function that runs the business step.
 */
function breakBusinessStep(functions: HarnessFunctions): { fix(): void } {
  let fixed = false;
  functions.customize(['worker', 'processor', 'redrive'], (container) => {
    const original = container.get(ProcessOrder);
    const broken = Object.create(original) as ProcessOrder;
    broken.execute = async (input: ProcessOrderInput): Promise<OutcomeSummary> => {
      if (!fixed) throw new PermanentError('pricing rules rejected the order (a bug, since fixed)', { code: 'RULES.BUG' });
      return original.execute(input);
    };
    container.rebind(ProcessOrder).toConstantValue(broken);
  });
  return {
    fix: () => {
      fixed = true;
    },
  };
}

describe("Replay of parked orders (POST /admin/replay, the redrive function's replay input)", function () {
  this.timeout(60_000);
  const harnesses = useTestHarnesses();

  it('brings back an order parked by a permanent failure once its cause is fixed: SUCCEEDED, one business effect, each step announced once', async () => {
    const { client, harness } = await harnesses.start();
    const bug = breakBusinessStep(harness.functions);
    const key = String((await client.postOrder(OrderMother.valid({ orderId: 'replay-1' }))).body.idempotencyKey);
    await client.waitForStatus(key, ['PARKED']);
    await waitFor('the redrive to park it for good', async () => {
      const metrics = await client.metrics();
      return metrics.deadLetterQueue.depth === 0 && (await client.events({ type: EVENT_TYPES.parked, idempotencyKey: key })).length === 1
        ? true
        : undefined;
    });

    bug.fix();
    const answer = await client.replay({ keys: [key] });

    expect(answer.status).to.equal(200);
    expect(answer.body).to.deep.equal({ replayed: [{ key, resumed: false, replay: 1 }], refused: [] });
    const done = await client.waitForStatus(key, ['SUCCEEDED']);
    expect(done.replays).to.equal(1);
    expect(harness.commits.commitsOf(key), 'exactly one business effect').to.equal(1);
    const types = (await client.events({ idempotencyKey: key })).map((event) => event.detailType).sort();
    expect(types).to.deep.equal(
      [EVENT_TYPES.failed, EVENT_TYPES.parked, EVENT_TYPES.processed, EVENT_TYPES.published, EVENT_TYPES.replayed].sort(),
    );
    const [replayed] = await client.events({ type: EVENT_TYPES.replayed, idempotencyKey: key });
    expect(replayed?.detail).to.include({ replay: 1, resumed: false, previousCategory: 'PERMANENT', previousCode: 'RULES.BUG' });

    // A key that is no longer parked, one that never was, and a request that names nothing are refused with reasons.
    const again = await client.replay({ keys: [key, 'no-such-key'] });
    expect(again.body).to.deep.include({ replayed: [] });
    expect(
      (again.body.refused as { key: string; reason: string }[]).map(({ key: refusedKey, reason }) => [refusedKey, reason]),
    ).to.deep.equal([
      [key, 'NOT_PARKED'],
      ['no-such-key', 'NOT_FOUND'],
    ]);
    expect((await client.replay({})).status).to.equal(400);
    expect((await client.replay({ category: 'NOT_A_CATEGORY' })).status).to.equal(400);
    await waitFor('the pipeline to come to rest', async () => ((await harness.quiet()) ? true : undefined));
    expect(harness.commits.committedTwice()).to.deep.equal([]);
  });

  it('re-delivers the announcement of an order whose outcome was committed before it was parked, without running the business step', async () => {
    const { client, harness } = await harnesses.start();
    // What the old coupling left behind: the business step committed its outcome, then the order was parked (the events step timed out).
    const store = (harness.backend as MemoryBackend).infrastructure.store;
    const now = Date.now();
    const key = 'committed-then-parked';
    await store.claim({
      key,
      payloadHash: 'hash-1',
      ownerToken: 'old-worker',
      now,
      leaseMs: 30_000,
      ttlSeconds: 3_600,
      orderId: 'replay-2',
      correlationId: 'corr-replay-2',
    });
    await store.recordOutcome(key, 'old-worker', { orderId: 'replay-2', totalMinor: 4_498 }, now);
    await store.fail(key, 'old-worker', { category: 'TIMEOUT', code: 'EVENTS.TIMEOUT' }, true, now);

    const answer = await client.replay({ category: 'TIMEOUT' });

    expect(answer.body).to.deep.equal({ replayed: [{ key, resumed: true, replay: 1 }], refused: [] });
    const done = await client.waitForStatus(key, ['SUCCEEDED']);
    expect(done.outbox.map((entry) => entry.detailType)).to.deep.equal([EVENT_TYPES.processed, EVENT_TYPES.replayed]);
    const [processed] = await client.events({ type: EVENT_TYPES.processed, idempotencyKey: key });
    expect(processed?.detail).to.deep.include({ outcome: { orderId: 'replay-2', totalMinor: 4_498 }, correlationId: 'corr-replay-2' });
    const metrics = await client.metrics();
    expect(metrics.counters.ordersProcessed, 'the business step did not run again').to.equal(0);
    expect(harness.commits.commitsOf(key)).to.equal(0);
  });
});
