import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { motoHarnessEnv, useMotoServer } from '../../tools/moto/moto.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses, type RunningHarness } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

const moto = useMotoServer();

/** The outbox sweep may take any record still owing events: no wait for the pipe in a test. */
const SWEEP_AT_ONCE = { OUTBOX_SWEEP_AGE_SECONDS: '0' };

function motoEnv(): Readonly<Record<string, string>> {
  return { ...motoHarnessEnv(moto.server), ...SWEEP_AT_ONCE };
}

/**
 * EventBridge refuses every call for a sustained period while orders flow; then it recovers. No order
 * may wait for it, none may be parked for it, and afterwards every success has its OrderProcessed.
 */
async function eventBridgeOutage(running: RunningHarness, orders: number, outageMs: number): Promise<void> {
  const { client } = running;
  await client.setFaults({ faults: { eventbridge: 1 } });
  const started = Date.now();
  const keys: string[] = [];
  for (let index = 0; index < orders; index += 1) {
    const accepted = await client.postOrder(OrderMother.valid({ orderId: `outage-${index}` }));
    expect(accepted.status, 'accepted at the edge while the bus is down').to.equal(202);
    keys.push(String(accepted.body.idempotencyKey));
  }

  // While the bus is down: every order is worked to SUCCEEDED; none waits for, or is parked for, the bus.
  const during = await waitFor(
    'every order SUCCEEDED while EventBridge is down',
    async () => {
      const metrics = await client.metrics();
      return metrics.records.byStatus.SUCCEEDED === orders ? metrics : undefined;
    },
    240_000,
    200,
  );
  expect(during.parked, 'no order parked because of events').to.equal(0);
  expect(during.records.byStatus.RETRY + during.records.byStatus.INFLIGHT).to.equal(0);
  expect(during.events.byType[EVENT_TYPES.processed] ?? 0, 'nothing announced while the bus refuses').to.equal(0);
  // Two per order: OrderPublished (committed by the first claim) and OrderProcessed (by the completion).
  expect(during.outbox.pendingEvents, 'every announcement waits in its record').to.equal(2 * orders);
  const left = outageMs - (Date.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));

  // Recovery: the pipe's retries and the redrive's sweep deliver everything.
  await client.setFaults({ faults: {} });
  // The harness' schedule runs the redrive and the outbox redelivery every 500 ms, as the stack's schedules do.
  const after = await waitFor(
    'every OrderProcessed delivered after the recovery',
    async () => {
      const metrics = await client.metrics();
      return metrics.outbox?.pendingEvents === 0 && metrics.outbox.deadLetterQueue.depth === 0 ? metrics : undefined;
    },
    240_000,
    1_000,
  );
  expect(after.parked).to.equal(0);
  expect(after.commits.committedTwice).to.deep.equal([]);
  const processed = await client.events({ type: EVENT_TYPES.processed });
  const byKey = new Map<string, Set<string>>();
  for (const event of processed) {
    const key = String(event.detail.idempotencyKey);
    byKey.set(key, (byKey.get(key) ?? new Set()).add(event.eventId));
  }
  expect([...byKey.keys()].sort(), 'every success announced').to.deep.equal([...keys].sort());
  expect(
    [...byKey.values()].every((ids) => ids.size === 1),
    'a re-delivery keeps its eventId: one announcement per order',
  ).to.equal(true);
  const published = new Map<string, Set<string>>();
  for (const event of await client.events({ type: EVENT_TYPES.published })) {
    const key = String(event.detail.idempotencyKey);
    published.set(key, (published.get(key) ?? new Set()).add(event.eventId));
  }
  expect([...published.keys()].sort(), 'every queued order announced as published, through the outbox').to.deep.equal([...keys].sort());
  expect(
    [...published.values()].every((ids) => ids.size === 1),
    'one OrderPublished per order',
  ).to.equal(true);
}

describe("Transactional outbox: an order's fate never depends on EventBridge", function () {
  this.timeout(600_000);
  const harnesses = useTestHarnesses();

  it('memory backend: 300 orders through a 10 s EventBridge outage: all SUCCEEDED, none parked, every OrderProcessed delivered after it', async () => {
    const running = await harnesses.start({ maxConcurrency: 4 }, SWEEP_AT_ONCE);
    await eventBridgeOutage(running, 300, 10_000);
  });

  it("aws backend (moto, the table's real stream): 30 orders through a 5 s outage, the same guarantees", async () => {
    await moto.server.reset();
    // moto answers a few requests a second once its table holds the orders: the scheduled run (index
    // look-ups, the reservation sweep, the DLQ) every 2 s rather than 0.5 s, and 10 s per invocation, so
    // the emulator is not what the relay waits for.
    const running = await harnesses.start(
      {
        backend: 'aws',
        bootstrap: true,
        maxConcurrency: 4,
        redriveEveryMs: 2_000,
        functionTimeoutSeconds: 10,
        visibilityTimeoutSeconds: 60,
      },
      motoEnv(),
    );
    await eventBridgeOutage(running, 30, 5_000);
  });

  it("shows each committed event's delivery state on GET /orders/{key}, and the pipe's lag on /metrics", async () => {
    const { client } = await harnesses.start({}, SWEEP_AT_ONCE);
    await client.setFaults({ faults: { eventbridge: 1 } });
    const key = String((await client.postOrder(OrderMother.valid({ orderId: 'state-1' }))).body.idempotencyKey);
    const pending = await client.waitForStatus(key, ['SUCCEEDED'], 15_000, false);
    expect(pending.outbox.map((entry) => [entry.detailType, entry.delivered])).to.deep.equal([
      [EVENT_TYPES.published, false],
      [EVENT_TYPES.processed, false],
    ]);
    await waitFor('the pipe to report a lag while the bus refuses', async () =>
      (await client.metrics()).outbox.lagMs > 0 ? true : undefined,
    );
    await client.setFaults({ faults: {} });
    const delivered = await client.waitForStatus(key, ['SUCCEEDED'], 30_000);
    expect(delivered.outbox.map((entry) => [entry.detailType, entry.delivered])).to.deep.equal([
      [EVENT_TYPES.published, true],
      [EVENT_TYPES.processed, true],
    ]);
    expect(delivered.events.map((event) => event.eventId)).to.include.members(delivered.outbox.map((entry) => entry.eventId));
  });
});
