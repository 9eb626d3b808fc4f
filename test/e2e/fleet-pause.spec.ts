import { expect } from 'chai';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';
import { FLEET_PAUSE_FUNCTION } from '../../harness/pipeline/fleet-flow-control.js';
import type { MetricsSnapshot } from '../../harness/observation/metrics-snapshot.js';
import type { FleetFlowView } from '../../harness/pipeline/fleet-flow-control.js';
import { OrderMother } from '../domain/order-mother.js';
import { startTestHarness, type RunningHarness } from './support/harness-fixture.js';

const { failureThreshold, volume } = SERVICE_BREAKER_SETTINGS.dynamodb;
const CLEAN_OPENING = volume?.cleanRunFailures ?? failureThreshold;
const RECOVERY_MS = 2_000;
const OUTAGE_MS = 12_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface OutageSeen {
  readonly startedAt: number;
  readonly pausedAt: number | undefined;
  readonly invocationsStartedWhilePaused: number;
  readonly during: FleetFlowView;
  /** DynamoDB calls made during the outage, by caller (execution environment, or the probe's function). */
  readonly callsDuring: ReadonlyMap<string, number>;
  readonly endedAt: number;
  readonly resumed: boolean;
  readonly after: MetricsSnapshot;
  readonly accepted: number;
}

/**
 * Orders keep coming while DynamoDB is down for the workers (and the probe) for OUTAGE_MS; then it is back
 * and every accepted order must succeed. `workerLatencyMs` slows the workers' DynamoDB calls before the
 * outage, so batches overlap and several environments are calling when it begins.
 */
async function outage(running: RunningHarness, workerLatencyMs: number): Promise<OutageSeen> {
  const { harness, client } = running;
  const workersAndProbe = ['worker', FLEET_PAUSE_FUNCTION];
  harness.faults.update({ latencyMs: { dynamodb: workerLatencyMs }, functions: workersAndProbe });
  const keys: string[] = [];
  const post = async (index: number): Promise<void> => {
    const answer = await client.postOrder(OrderMother.valid({ orderId: `fleet-pause-${index}` }));
    expect(answer.status).to.equal(202);
    keys.push(String(answer.body.idempotencyKey));
  };
  for (let index = 0; index < 40; index++) await post(index);
  const callersBefore = harness.faults.injectedBy('dynamodb');
  harness.faults.update({ failureRate: { dynamodb: 1 }, functions: workersAndProbe });
  const startedAt = Date.now();
  let pausedAt: number | undefined;
  let invocationsWhenPaused = 0;
  let index = 40;
  while (Date.now() - startedAt < OUTAGE_MS) {
    await post(index++);
    if (pausedAt === undefined && harness.fleetFlow?.isPaused() === true) {
      pausedAt = Date.now();
      invocationsWhenPaused = harness.eventSource.stats().invocations;
    }
    await sleep(50);
  }
  const invocationsStartedWhilePaused = harness.eventSource.stats().invocations - invocationsWhenPaused;
  const during = harness.fleetFlow!.view();
  const callsDuring = harness.faults.injectedBy('dynamodb', callersBefore);
  const endedAt = Date.now();
  harness.faults.update({ failureRate: {}, latencyMs: {} });
  for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED'], 60_000);
  const after = await client.metrics();
  const resumed = !harness.fleetFlow!.isPaused();
  return { startedAt, pausedAt, invocationsStartedWhilePaused, during, callsDuring, endedAt, resumed, after, accepted: keys.length };
}

/** The workers' DynamoDB calls during the outage, by execution environment. */
function workerCalls(seen: OutageSeen): [string, number][] {
  return [...seen.callsDuring].filter(([caller]) => caller.startsWith('worker#'));
}

/** What the pause promises, whatever the onset looked like. */
function expectThePausesBound(seen: OutageSeen): void {
  const { pausedAt, startedAt, during } = seen;
  expect(pausedAt, 'the fleet paused').to.not.equal(undefined);
  expect(pausedAt! - startedAt, 'within a few seconds of the outage').to.be.below(5_000);
  expect(seen.invocationsStartedWhilePaused, 'worker invocations started while paused').to.equal(0);
  expect(during.pauses).to.equal(1);
  // What the outage cost DynamoDB: each environment that was calling paid its own clean opening (at most
  // 2 × the threshold: no failure before the outage), and after the pause only the fleet's probe called.
  // One more per environment: with a 2 s recovery, an invocation's last in-process retry (within
  // RETRY_BUDGET_MS) may meet its own breaker half-open; with the real 30 s it cannot (bench:fleet-outage).
  for (const [environment, calls] of workerCalls(seen)) expect(calls, environment).to.be.at.most(CLEAN_OPENING + 1);
  expect(seen.callsDuring.get(FLEET_PAUSE_FUNCTION) ?? 0, 'the probes reached DynamoDB').to.equal(during.probes);
  expect([...seen.callsDuring.keys()].filter((caller) => !caller.startsWith('worker#') && caller !== FLEET_PAUSE_FUNCTION)).to.deep.equal(
    [],
  );
  expect(during.probes, 'one probe per recovery period').to.be.at.most(Math.ceil((seen.endedAt - pausedAt!) / RECOVERY_MS) + 1);
  expect(during.probes).to.be.at.least(Math.floor((OUTAGE_MS - (pausedAt! - startedAt)) / RECOVERY_MS) - 2);
  expect(seen.resumed, 'resumed').to.equal(true);
  expect(seen.after.counters.messagesRedriven + seen.after.counters.messagesParked, 'messages that reached the DLQ').to.equal(0);
  expect(seen.after.commits).to.deep.equal({ total: seen.accepted, committedTwice: [] });
}

/*
 * Fleet flow control in the harness: eight worker environments with breakers of their own, DynamoDB down
 * for the workers for 12 s, three times (maxReceiveCount − 1) × the breakers' recovery: longer than
 * holding records back can spare their receive counts. With the pause, the event source stops receiving
 * once a breaker opens, one probe per recovery period finds DynamoDB back, and nothing reaches the DLQ.
 */
describe('Local harness: the fleet pause (--fleet-pause)', function () {
  this.timeout(120_000);
  let running: RunningHarness | undefined;

  beforeEach(async () => {
    running = await startTestHarness({ fleetPause: true, maxConcurrency: 8, breakerRecoveryMs: RECOVERY_MS, logLevel: 'WARN' });
  });

  afterEach(async () => {
    await running?.harness.stop();
    running = undefined;
  });

  it('stops receiving while DynamoDB is down, probes once per recovery period for the whole fleet, and loses and parks nothing', async () => {
    const seen = await outage(running!, 0);

    expectThePausesBound(seen);
    expect(workerCalls(seen).length, 'environments that called DynamoDB during the outage').to.be.within(1, 8);
  });

  it('charges each environment calling at the onset its own opening, and nothing more after the pause', async () => {
    // Prepare / Act: slow DynamoDB calls before the outage, so batches overlap across environments
    const seen = await outage(running!, 300);

    // Assess
    expectThePausesBound(seen);
    expect(workerCalls(seen).length, 'environments that called DynamoDB during the outage').to.be.at.least(2);
  });
});
