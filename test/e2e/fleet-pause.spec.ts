import { expect } from 'chai';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';
import { FLEET_PAUSE_FUNCTION } from '../../harness/pipeline/fleet-flow-control.js';
import { OrderMother } from '../domain/order-mother.js';
import { startTestHarness, type RunningHarness } from './support/harness-fixture.js';

const { failureThreshold, volume } = SERVICE_BREAKER_SETTINGS.dynamodb;
const CLEAN_OPENING = volume?.cleanRunFailures ?? failureThreshold;

function callsSince(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...after].map(([caller, count]) => [caller, count - (before.get(caller) ?? 0)] as const).filter(([, made]) => made > 0));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/*
 * Fleet flow control in the harness: eight worker environments with breakers of their own, DynamoDB down
 * for the workers for 12 s, three times (maxReceiveCount − 1) × the breakers' recovery: longer than
 * holding records back can spare their receive counts. With the pause, the event source stops receiving
 * once a breaker opens, one probe per recovery period finds DynamoDB back, and nothing reaches the DLQ.
 */
describe('Local harness: the fleet pause (--fleet-pause)', function () {
  this.timeout(120_000);
  let running: RunningHarness | undefined;

  afterEach(async () => {
    await running?.harness.stop();
    running = undefined;
  });

  it('stops receiving while DynamoDB is down, probes once per recovery period for the whole fleet, and loses and parks nothing', async () => {
    // Prepare
    const recoveryMs = 2_000;
    const outageMs = 12_000;
    running = await startTestHarness({ fleetPause: true, maxConcurrency: 8, breakerRecoveryMs: recoveryMs, logLevel: 'WARN' });
    const { harness, client } = running;
    const keys: string[] = [];
    const post = async (index: number): Promise<void> => {
      const answer = await client.postOrder(OrderMother.valid({ orderId: `fleet-pause-${index}` }));
      expect(answer.status).to.equal(202);
      keys.push(String(answer.body.idempotencyKey));
    };
    for (let index = 0; index < 40; index++) await post(index);
    // Act: DynamoDB down for the workers (and the probe) while orders keep coming
    const callersBefore = harness.faults.injectedBy('dynamodb');
    harness.faults.update({ failureRate: { dynamodb: 1 }, functions: ['worker', FLEET_PAUSE_FUNCTION] });
    const startedAt = Date.now();
    let pausedAt: number | undefined;
    let invocationsWhenPaused = 0;
    let index = 40;
    while (Date.now() - startedAt < outageMs) {
      await post(index++);
      if (pausedAt === undefined && harness.fleetFlow?.isPaused() === true) {
        pausedAt = Date.now();
        invocationsWhenPaused = harness.eventSource.stats().invocations;
      }
      await sleep(50);
    }
    const invocationsAtEnd = harness.eventSource.stats().invocations;
    const during = harness.fleetFlow!.view();
    const callsDuring = callsSince(callersBefore, harness.faults.injectedBy('dynamodb'));
    harness.faults.update({ failureRate: {} });
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED'], 60_000);
    const after = await client.metrics();

    // Assess
    expect(pausedAt, 'the fleet paused').to.not.equal(undefined);
    expect(pausedAt! - startedAt, 'within a few seconds of the outage').to.be.below(5_000);
    expect(invocationsAtEnd - invocationsWhenPaused, 'worker invocations started while paused').to.equal(0);
    expect(during.pauses).to.equal(1);
    // What the outage cost DynamoDB: each environment that was calling paid its own clean opening (at most
    // 2 × the threshold: no failure before the outage), and after the pause only the fleet's probe called.
    // One more per environment: with a 2 s recovery, an invocation's last in-process retry (within
    // RETRY_BUDGET_MS) may meet its own breaker half-open; with the real 30 s it cannot (bench:fleet-outage).
    const workerCalls = [...callsDuring].filter(([caller]) => caller.startsWith('worker#'));
    expect(workerCalls.length, 'environments that called DynamoDB during the outage').to.be.within(1, 8);
    for (const [environment, calls] of workerCalls) expect(calls, environment).to.be.at.most(CLEAN_OPENING + 1);
    expect(callsDuring.get(FLEET_PAUSE_FUNCTION) ?? 0, 'the probes reached DynamoDB').to.equal(during.probes);
    expect([...callsDuring.keys()].filter((caller) => !caller.startsWith('worker#') && caller !== FLEET_PAUSE_FUNCTION)).to.deep.equal([]);
    expect(during.probes, 'one probe per recovery period').to.be.at.most(Math.ceil((Date.now() - pausedAt!) / recoveryMs) + 1);
    expect(during.probes).to.be.at.least(Math.floor((outageMs - (pausedAt! - startedAt)) / recoveryMs) - 2);
    expect(harness.fleetFlow!.isPaused(), 'resumed').to.equal(false);
    expect(after.counters.messagesRedriven + after.counters.messagesParked, 'messages that reached the DLQ').to.equal(0);
    expect(after.commits).to.deep.equal({ total: keys.length, committedTwice: [] });
  });
});
