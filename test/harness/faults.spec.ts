import { expect } from 'chai';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { GuardedDeadLetterQueue, GuardedEventBus, GuardedIdempotencyStore } from '../../application/resilience/guarded-ports.js';
import { SERVICE_BREAKER_SETTINGS, SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError } from '../../domain/errors.js';
import { InjectedServiceError } from '../../harness/faults/faults.js';
import { invoke } from '../../harness/emulation/lambda/invocation.js';
import { NOW, RECORD, EVENT, MESSAGE, PORT_CALLS, setUp, settle, settleQueuedWork, failureSequence } from './faults.fixtures.js';

describe('Local harness: fault injection (harness/faults/faults.ts, faulty-ports.ts)', () => {
  describe('failure probability', () => {
    for (const service of SERVICE_NAMES) {
      it(`fails every ${service} call at 1, without reaching the adapter, and leaves the other services' calls alone`, async () => {
        // Prepare
        const { inner, ports } = setUp({ failureRate: { [service]: 1 } });

        for (let round = 0; round < 20; round += 1) {
          for (const portCall of PORT_CALLS) {
            // Act
            const outcome = await settle(portCall.call(ports));

            // Assess
            if (portCall.service === service) {
              expect(outcome.ok, `${portCall.name} round ${round}`).to.equal(false);
              if (outcome.ok) continue;
              expect(outcome.error).to.be.instanceOf(InjectedServiceError);
              expect((outcome.error as Error).message).to.include(`${service} ${portCall.operation}`);
            } else {
              expect(outcome.ok, `${portCall.name} must not fail under ${service} faults`).to.equal(true);
            }
          }
        }
        const expectedReached = PORT_CALLS.filter((portCall) => portCall.service !== service).map((portCall) => portCall.name);
        expect(inner.reached).to.deep.equal(Array.from({ length: 20 }, () => expectedReached).flat());
      });
    }

    it("never fails at 0, hands the adapter's answer back unchanged, and draws no random number", async () => {
      // Prepare
      const { inner, ports, random } = setUp({ failureRate: { dynamodb: 0, sqs: 0, eventbridge: 0 } });

      // Act
      const outcomes = [];
      for (let round = 0; round < 20; round += 1) {
        for (const portCall of PORT_CALLS) outcomes.push(await settle(portCall.call(ports)));
      }

      // Assess
      expect(outcomes.every((outcome) => outcome.ok)).to.equal(true);
      expect(inner.reached).to.have.length(20 * PORT_CALLS.length);
      expect(await ports.store.get('order-1', NOW)).to.equal(RECORD);
      expect(await ports.bus.publish([EVENT])).to.deep.equal({ published: [EVENT], failed: [] });
      expect(random.draws, 'a probability of 0 must not consume the seeded sequence').to.equal(0);
    });

    it('fails about as often as the probability says (0.3 over 2,000 calls)', async () => {
      // Prepare
      const { ports } = setUp({ failureRate: { sqs: 0.3 } }, 11);

      // Act
      let failures = 0;
      for (let index = 0; index < 2_000; index += 1) {
        if (!(await settle(ports.orderQueue.send([MESSAGE]))).ok) failures += 1;
      }

      // Assess: a probability read the wrong way round (fail when the draw is above it) gives about 0.7.
      expect(failures / 2_000).to.be.within(0.25, 0.35);
    });
  });

  describe('the injected error', () => {
    const expected: Readonly<Record<ServiceName, { readonly name: string; readonly status: number }>> = {
      dynamodb: { name: 'InternalServerError', status: 500 },
      sqs: { name: 'ServiceUnavailable', status: 503 },
      eventbridge: { name: 'InternalException', status: 500 },
    };

    for (const service of SERVICE_NAMES) {
      it(`is shaped like the SDK's ${expected[service].status} ${expected[service].name} from ${service}, and classified TRANSIENT so breakers count it`, async () => {
        // Prepare
        const { ports } = setUp({ failureRate: { [service]: 1 } });
        const portCall = PORT_CALLS.find((candidate) => candidate.service === service);
        if (portCall === undefined) throw new Error(`no port call for ${service}`);

        // Act
        const outcome = await settle(portCall.call(ports));

        // Assess
        if (outcome.ok) throw new Error('the call should have failed');
        const error = outcome.error as InjectedServiceError;
        expect(error.name).to.equal(expected[service].name);
        expect(error.$fault).to.equal('server');
        expect(error.$metadata.httpStatusCode).to.equal(expected[service].status);
        expect(classifyError(error)).to.deep.include({ category: 'TRANSIENT', code: `AWS.${expected[service].name}`, throttling: false });
        expect(RETRY_POLICIES.TRANSIENT.tripsBreaker).to.equal(true);
      });
    }

    it("opens each service's breaker after its failure threshold, after which calls are refused before reaching the faults", async () => {
      // Prepare: the breakers sit above the fault decorators, as the harness binds them.
      const clock = new ManualClock({ start: NOW });
      const breakers = new CircuitBreakers(clock, new RecordingLogger(), new RecordingMetrics());
      const { faults, ports } = setUp({ failureRate: { dynamodb: 1, sqs: 1, eventbridge: 1 } });
      const guarded: Record<ServiceName, () => Promise<unknown>> = {
        dynamodb: () => new GuardedIdempotencyStore(ports.store, breakers).get('order-1', NOW),
        sqs: () => new GuardedDeadLetterQueue(ports.deadLetterQueue, breakers).receive(10, 30),
        eventbridge: () => new GuardedEventBus(ports.bus, breakers).publish([EVENT]),
      };

      for (const service of SERVICE_NAMES) {
        const threshold = SERVICE_BREAKER_SETTINGS[service].failureThreshold;
        // Act
        for (let index = 0; index < threshold; index += 1) await settle(guarded[service]());
        const refused = await settle(guarded[service]());

        // Assess
        expect(breakers.state(service).status, service).to.equal('OPEN');
        expect(refused.ok).to.equal(false);
        if (!refused.ok) expect(refused.error).to.be.instanceOf(CircuitOpenError);
        expect(faults.counts().injected[service], `${service}: the refused call never reached the faults`).to.equal(threshold);
      }
    });
  });

  describe('latency', () => {
    it('holds the call back by the configured time on the injected clock before it reaches the adapter', async () => {
      // Prepare
      const { inner, ports, clock } = setUp({ latencyMs: { dynamodb: 50 } });

      // Act
      const pending = ports.store.get('order-1', NOW);
      await clock.advance(49);
      await settleQueuedWork();
      const reachedEarly = [...inner.reached];
      await clock.advance(1);

      // Assess
      expect(reachedEarly).to.deep.equal([]);
      expect(inner.reached).to.deep.equal(['store.get']);
      expect(await pending).to.equal(RECORD);
    });

    it('comes before an injected failure: the call fails only once the latency has passed', async () => {
      // Prepare
      const { ports, clock } = setUp({ latencyMs: { eventbridge: 50 }, failureRate: { eventbridge: 1 } });
      let settled = false;
      const outcome = settle(ports.bus.publish([EVENT])).finally(() => {
        settled = true;
      });

      // Act
      await clock.advance(49);
      await settleQueuedWork();
      const settledEarly = settled;
      await clock.advance(1);

      // Assess
      expect(settledEarly).to.equal(false);
      expect((await outcome).ok).to.equal(false);
    });

    it('delays only the service it is set for', async () => {
      // Prepare
      const { inner, ports, clock } = setUp({ latencyMs: { dynamodb: 50 } });

      // Act
      await ports.orderQueue.send([MESSAGE]);
      await ports.bus.publish([EVENT]);

      // Assess
      expect(inner.reached).to.deep.equal(['orderQueue.send', 'bus.publish']);
      expect(clock.pendingSleeps()).to.equal(0);
    });
  });

  describe('function filter', () => {
    const inFunction = (functionName: string, call: () => Promise<unknown>): ReturnType<typeof invoke> =>
      invoke({ functionName, requestId: `${functionName}-request`, timeoutMs: 5_000 }, call);

    it('fails only calls made by the listed functions; other functions and code outside any invocation are untouched', async () => {
      // Prepare
      const { faults, inner, ports } = setUp({ failureRate: { dynamodb: 1 }, functions: ['worker', 'ingest'] });

      // Act
      const byWorker = await inFunction('worker', () => ports.store.get('order-1', NOW));
      const byIngest = await inFunction('ingest', () => ports.store.get('order-1', NOW));
      const byRedrive = await inFunction('redrive', () => ports.store.get('order-1', NOW));
      const outside = await settle(ports.store.get('order-1', NOW));

      // Assess
      expect(byWorker.kind).to.equal('threw');
      expect(byIngest.kind).to.equal('threw');
      expect(byRedrive.kind).to.equal('returned');
      expect(outside.ok).to.equal(true);
      expect(inner.reached).to.deep.equal(['store.get', 'store.get']);
      expect(faults.counts().injected.dynamodb).to.equal(2);
    });

    it('limits latency and crashes to the listed functions too', async () => {
      // Prepare
      const { faults, inner, ports, clock } = setUp({ latencyMs: { sqs: 50 }, crashAfter: { process: 1 }, functions: ['ingest'] });

      // Act
      const completed = await inFunction('worker', () => ports.store.complete('order-1', 'owner', NOW));
      const sent = await inFunction('worker', () => ports.orderQueue.send([MESSAGE]));

      // Assess
      expect(completed.kind).to.equal('returned');
      expect(sent.kind).to.equal('returned');
      expect(clock.pendingSleeps()).to.equal(0);
      expect(inner.reached).to.deep.equal(['store.complete', 'orderQueue.send']);
      expect(faults.counts().crashes).to.equal(0);
    });
  });

  describe('seed', () => {
    it('gives the same decisions for the same calls with the same seed, and different ones with another seed', async () => {
      // Act
      const first = await failureSequence(42, 200);
      const again = await failureSequence(42, 200);
      const otherSeed = await failureSequence(43, 200);

      // Assess
      expect(first).to.include(true).and.to.include(false);
      expect(again).to.deep.equal(first);
      expect(otherSeed).to.not.deep.equal(first);
    });

    it("keeps one service's decisions when another service with a probability of 0 is called in between", async () => {
      // Prepare
      const alone = await failureSequence(42, 200);
      const { ports } = setUp({ failureRate: { eventbridge: 0.5, sqs: 0 } }, 42);

      // Act
      const interleaved: boolean[] = [];
      for (let index = 0; index < 200; index += 1) {
        await ports.orderQueue.send([MESSAGE]);
        interleaved.push(!(await settle(ports.bus.publish([EVENT]))).ok);
      }

      // Assess
      expect(interleaved).to.deep.equal(alone);
    });
  });
});
