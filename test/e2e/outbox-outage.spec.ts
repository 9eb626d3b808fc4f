import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import type { MetricsSnapshot } from '../../harness/observation/metrics-snapshot.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses, type RunningHarness } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

/*
 * Timers short enough for a spec, in the proportions of a deployed stage: the redelivery period (the
 * redrive's schedule) is longer than the breaker's recovery, and the sweep age is shorter than the time
 * the pipe takes to give up on a batch (10 retries, each spanning one breaker recovery while the relay
 * waits its breaker out). The outage lasts twice the pipe's give-up time, measured in the run itself.
 */
const PERIOD_MS = 2_000;
const BREAKER_RECOVERY_MS = 1_000;
const SWEEP_AGE_SECONDS = 3;
const ORDERS = 40;

interface Sample {
  readonly at: number;
  readonly notes: number;
  readonly owing: number;
}

function notesOf(metrics: MetricsSnapshot): number {
  const { visible, inFlight, delayed } = metrics.outbox.deadLetterQueue;
  return visible + inFlight + delayed;
}

/** Samples the outbox DLQ's notes and the records owing events until stopped. */
function sampleOutbox(running: RunningHarness): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let stopped = false;
  const sample = async (): Promise<void> => {
    const metrics = await running.client.metrics();
    samples.push({ at: Date.now(), notes: notesOf(metrics), owing: metrics.outbox.pendingRecords });
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  // A last sample once stopped: the caller's own look may have seen a change the loop has not yet.
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await sample();
      return samples;
    },
  };
}

describe("Transactional outbox: an EventBridge outage of twice the pipe's give-up time strands nothing", function () {
  this.timeout(240_000);
  const harnesses = useTestHarnesses();

  it('parks no order, delivers every event within one redelivery period of the recovery, and deletes no DLQ note while records still owe events', async () => {
    const running = await harnesses.start(
      { redriveEveryMs: PERIOD_MS, breakerRecoveryMs: BREAKER_RECOVERY_MS, maxConcurrency: 4 },
      { OUTBOX_SWEEP_AGE_SECONDS: String(SWEEP_AGE_SECONDS) },
    );
    const { client } = running;
    const sampler = sampleOutbox(running);

    // EventBridge goes down; orders keep coming and are all worked.
    await client.setFaults({ faults: { eventbridge: 1 } });
    const downAt = Date.now();
    const keys: string[] = [];
    for (let index = 0; index < ORDERS; index++) {
      const answer = await client.postOrder(OrderMother.valid({ orderId: `eb-outage-${index}` }));
      expect(answer.status).to.equal(202);
      keys.push(String(answer.body.idempotencyKey));
    }
    // The pipe's give-up time, as this run measures it: from the outage to its first batch given up on.
    await waitFor(
      'the pipe to give up on a batch',
      async () => ((await client.metrics()).outbox.deadLettered > 0 ? true : undefined),
      120_000,
      100,
    );
    const giveUpMs = Date.now() - downAt;
    const outageMs = 2 * giveUpMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + outageMs - Date.now())));
    const during = await client.metrics();
    const progressDuring = await client.progress();

    // Recovery.
    await client.setFaults({ faults: {} });
    const upAt = Date.now();
    const settled = await waitFor(
      'no record owing events',
      async () => {
        const metrics = await client.metrics();
        return metrics.outbox.pendingRecords === 0 ? metrics : undefined;
      },
      60_000,
      50,
    );
    const deliveredWithinMs = Date.now() - upAt;
    // Notes are answered once a sweep's cutoff (now − sweep age) has passed their send time.
    const end = await waitFor(
      'every DLQ note answered',
      async () => {
        const metrics = await client.metrics();
        return notesOf(metrics) === 0 ? metrics : undefined;
      },
      SWEEP_AGE_SECONDS * 1000 + 4 * PERIOD_MS,
      100,
    );
    const samples = await sampler.stop();

    console.log(
      `      outage ${outageMs} ms (pipe give-up ${giveUpMs} ms); every event delivered ${deliveredWithinMs} ms after recovery; ` +
        `${during.outbox.deadLettered} batches given up on; pipe invocations ${during.outbox.invocations}`,
    );
    expect(during.outbox.deadLettered, 'the pipe did give up during the outage').to.be.greaterThan(0);
    expect(during.records.byStatus.SUCCEEDED, 'every order worked while the bus was down').to.equal(ORDERS);
    expect(end.parked, 'no order parked for the bus').to.equal(0);
    expect(settled.outbox.pendingRecords).to.equal(0);
    expect(end.outbox.pendingRecords, 'records owing events at the end').to.equal(0);
    expect(progressDuring.records, 'GET /admin/progress during the outage: all worked, all owing').to.deep.equal({
      records: ORDERS,
      unsettled: 0,
      owingEvents: ORDERS,
    });
    expect((await client.progress()).records, 'and after').to.deep.equal({ records: ORDERS, unsettled: 0, owingEvents: 0 });
    expect(deliveredWithinMs, 'within one redelivery period (plus one breaker recovery) of the recovery').to.be.at.most(
      PERIOD_MS + BREAKER_RECOVERY_MS + 1_000,
    );
    const processed = await client.events({ type: EVENT_TYPES.processed });
    expect(new Set(processed.map((event) => String(event.detail.idempotencyKey)))).to.have.keys(keys);
    const byKey = new Map<string, Set<string>>();
    for (const event of processed)
      byKey.set(String(event.detail.idempotencyKey), (byKey.get(String(event.detail.idempotencyKey)) ?? new Set()).add(event.eventId));
    expect(
      [...byKey.values()].every((ids) => ids.size === 1),
      'a re-delivery keeps its eventId',
    ).to.equal(true);
    // A note deleted (fewer notes than the sample before) while records still owe events would be the stranding bug.
    const deletions = samples.filter((sample, index) => index > 0 && sample.notes < (samples[index - 1]?.notes ?? 0));
    expect(deletions.length, 'notes were deleted during the run').to.be.greaterThan(0);
    expect(
      deletions.filter((sample) => sample.owing > 0),
      'no DLQ note deleted while records owe events',
    ).to.deep.equal([]);
  });
});
