import { expect } from 'chai';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { EventBus } from '../../application/ports/event-bus.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { Random } from '../../application/ports/random.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { GuardedDeadLetterQueue, GuardedEventBus, GuardedIdempotencyStore } from '../../application/resilience/guarded-ports.js';
import { SERVICE_BREAKER_SETTINGS, SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';
import { RETRY_POLICIES } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError } from '../../domain/errors.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { parseFaultUpdate } from '../../harness/faults/fault-update.js';
import { FaultInjection, InjectedServiceError, noFaults, type FaultSettings } from '../../harness/faults/faults.js';
import { FaultyDeadLetterQueue, FaultyEventBus, FaultyIdempotencyStore, FaultyOrderQueue } from '../../harness/faults/faulty-ports.js';
import { invoke } from '../../harness/emulation/lambda/invocation.js';

const NOW = Date.UTC(2026, 0, 1);
const RECORD: IdempotencyRecord = {
  key: 'order-1',
  status: 'SUCCEEDED',
  payloadHash: 'hash-1',
  attempts: 1,
  expiresAt: NOW / 1_000 + 86_400,
  createdAt: NOW,
  updatedAt: NOW,
};
const EVENT = { eventId: 'event-1', source: 'orders.pipeline', detailType: 'OrderProcessed', detail: {}, time: NOW };
const MESSAGE = { id: 'order', body: '{}', attributes: {} };

/** The real adapters' stand-ins: each records that the call reached it, which a failed call must not. */
class ReachedPorts {
  readonly reached: string[] = [];

  readonly orderQueue: OrderQueue = {
    send: async () => this.reach('orderQueue.send', { sent: [{ id: 'order', messageId: 'message-1' }], failed: [] }),
    changeVisibility: async () => this.reach('orderQueue.changeVisibility', undefined),
  };

  readonly deadLetterQueue: DeadLetterQueue = {
    send: async () => this.reach('deadLetterQueue.send', { sent: [{ id: 'order', messageId: 'message-2' }], failed: [] }),
    receive: async () => this.reach('deadLetterQueue.receive', []),
    delete: async () => this.reach('deadLetterQueue.delete', []),
  };

  readonly store: IdempotencyStore = {
    reserve: async () => this.reach('store.reserve', { kind: 'DUPLICATE' as const, record: RECORD }),
    releaseReservation: async () => this.reach('store.releaseReservation', true),
    findAwaitingSend: async () => this.reach('store.findAwaitingSend', [RECORD]),
    markReservationSent: async () => this.reach('store.markReservationSent', true),
    claim: async () => this.reach('store.claim', { kind: 'ALREADY_SUCCEEDED' as const, record: RECORD }),
    recordOutcome: async () => this.reach('store.recordOutcome', RECORD),
    complete: async () => this.reach('store.complete', RECORD),
    fail: async () => this.reach('store.fail', RECORD),
    park: async () => this.reach('store.park', RECORD),
    markDelivered: async () => this.reach('store.markDelivered', RECORD),
    replay: async () => this.reach('store.replay', { replayed: false as const, record: RECORD }),
    find: async () => this.reach('store.find', [RECORD]),
    get: async () => this.reach('store.get', RECORD),
  };

  readonly bus: EventBus = {
    publish: async () => this.reach('bus.publish', { published: [EVENT], failed: [] }),
  };

  private reach<T>(name: string, value: T): T {
    this.reached.push(name);
    return value;
  }
}

interface Decorated {
  readonly orderQueue: FaultyOrderQueue;
  readonly deadLetterQueue: FaultyDeadLetterQueue;
  readonly store: FaultyIdempotencyStore;
  readonly bus: FaultyEventBus;
}

function decorate(inner: ReachedPorts, faults: FaultInjection): Decorated {
  return {
    orderQueue: new FaultyOrderQueue(inner.orderQueue, faults),
    deadLetterQueue: new FaultyDeadLetterQueue(inner.deadLetterQueue, faults),
    store: new FaultyIdempotencyStore(inner.store, faults),
    bus: new FaultyEventBus(inner.bus, faults),
  };
}

/** Every port call a decorator wraps, with the service and the API operation it stands for. */
interface PortCall {
  readonly name: string;
  readonly service: ServiceName;
  readonly operation: string;
  readonly call: (ports: Decorated) => Promise<unknown>;
}

const PORT_CALLS: readonly PortCall[] = [
  { name: 'orderQueue.send', service: 'sqs', operation: 'SendMessageBatch', call: (p) => p.orderQueue.send([MESSAGE]) },
  {
    name: 'orderQueue.changeVisibility',
    service: 'sqs',
    operation: 'ChangeMessageVisibilityBatch',
    call: (p) => p.orderQueue.changeVisibility([{ receiptHandle: 'r-1', timeoutSeconds: 2 }]),
  },
  { name: 'deadLetterQueue.send', service: 'sqs', operation: 'SendMessageBatch', call: (p) => p.deadLetterQueue.send([MESSAGE]) },
  { name: 'deadLetterQueue.receive', service: 'sqs', operation: 'ReceiveMessage', call: (p) => p.deadLetterQueue.receive(10, 30) },
  { name: 'deadLetterQueue.delete', service: 'sqs', operation: 'DeleteMessageBatch', call: (p) => p.deadLetterQueue.delete(['r-1']) },
  {
    name: 'store.claim',
    service: 'dynamodb',
    operation: 'PutItem',
    call: (p) =>
      p.store.claim({ key: 'order-1', payloadHash: 'hash-1', ownerToken: 'owner', now: NOW, leaseMs: 30_000, ttlSeconds: 86_400 }),
  },
  {
    name: 'store.recordOutcome',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.recordOutcome('order-1', 'owner', { orderId: 'o-1', currency: 'EUR', totalMinor: 100 }, NOW),
  },
  { name: 'store.complete', service: 'dynamodb', operation: 'UpdateItem', call: (p) => p.store.complete('order-1', 'owner', NOW) },
  {
    name: 'store.fail',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.fail('order-1', 'owner', { category: 'TRANSIENT', code: 'X' }, false, NOW),
  },
  {
    name: 'store.park',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.park('order-1', { category: 'PERMANENT', code: 'X' }, NOW),
  },
  { name: 'store.get', service: 'dynamodb', operation: 'GetItem', call: (p) => p.store.get('order-1', NOW) },
  { name: 'store.releaseReservation', service: 'dynamodb', operation: 'DeleteItem', call: (p) => p.store.releaseReservation(RECORD, NOW) },
  { name: 'store.findAwaitingSend', service: 'dynamodb', operation: 'Query', call: (p) => p.store.findAwaitingSend(NOW, 10, NOW) },
  {
    name: 'store.markReservationSent',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.markReservationSent(RECORD, 5_000, NOW),
  },
  { name: 'bus.publish', service: 'eventbridge', operation: 'PutEvents', call: (p) => p.bus.publish([EVENT]) },
];

/** A Random that counts its draws, so a test can tell that a decision was never drawn. */
class CountingRandom implements Random {
  draws = 0;
  private readonly inner: SeededRandom;

  constructor(seed: number) {
    this.inner = new SeededRandom(seed);
  }

  next(): number {
    this.draws += 1;
    return this.inner.next();
  }
}

function settings(changes: Partial<FaultSettings>): FaultSettings {
  return { ...noFaults(), ...changes };
}

/** The faults over stand-in adapters, with a manual clock behind the latency. */
function setUp(
  initial: Partial<FaultSettings>,
  seed = 1,
): { faults: FaultInjection; inner: ReachedPorts; ports: Decorated; clock: ManualClock; random: CountingRandom } {
  const clock = new ManualClock();
  const random = new CountingRandom(seed);
  const faults = new FaultInjection(settings(initial), random, (ms) => clock.sleep(ms));
  const inner = new ReachedPorts();
  return { faults, inner, ports: decorate(inner, faults), clock, random };
}

/** How a call ended: what it returned, or the error it threw. */
async function settle(
  promise: Promise<unknown>,
): Promise<{ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Lets every promise continuation already queued run (one macrotask turn), so "not yet" means not yet. */
function settleQueuedWork(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

/** Whether each of `calls` publishes failed, one after the other, under a 50 % EventBridge fault rate. */
async function failureSequence(seed: number, calls: number): Promise<boolean[]> {
  const { ports } = setUp({ failureRate: { eventbridge: 0.5 } }, seed);
  const failed: boolean[] = [];
  for (let index = 0; index < calls; index += 1) failed.push(!(await settle(ports.bus.publish([EVENT]))).ok);
  return failed;
}

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

  describe('counts (GET /admin/faults)', () => {
    it('reports, per service, exactly the failures that were thrown, and the crashes that happened', async () => {
      // Prepare
      const { faults, inner, ports } = setUp({ failureRate: { dynamodb: 0.4, sqs: 0.3, eventbridge: 0.5 } }, 5);
      const thrown: Record<ServiceName, number> = { dynamodb: 0, sqs: 0, eventbridge: 0 };
      const requestIds: Record<ServiceName, string[]> = { dynamodb: [], sqs: [], eventbridge: [] };

      // Act
      for (let round = 0; round < 30; round += 1) {
        for (const portCall of PORT_CALLS) {
          const outcome = await settle(portCall.call(ports));
          if (outcome.ok) continue;
          thrown[portCall.service] += 1;
          requestIds[portCall.service].push((outcome.error as InjectedServiceError).$metadata.requestId);
        }
      }
      faults.update({ failureRate: {}, crashAfter: { process: 1 } });
      const completions = (): number => inner.reached.filter((name) => name === 'store.complete').length;
      const completionsBefore = completions();
      const crashed = await invoke({ functionName: 'worker', requestId: 'worker-request', timeoutMs: 5_000 }, () =>
        ports.store.complete('order-1', 'owner', NOW),
      );

      // Assess
      for (const service of SERVICE_NAMES) {
        expect(thrown[service], `${service} failed at least once`).to.be.greaterThan(0);
        // Each service numbers its own injected failures: the request id a log line shows finds the count.
        expect(requestIds[service]).to.deep.equal(Array.from({ length: thrown[service] }, (_, index) => `injected-${index + 1}`));
      }
      expect(crashed.kind).to.equal('crashed');
      expect(completions(), 'the crash came before the completion write').to.equal(completionsBefore);
      expect(faults.counts()).to.deep.equal({ injected: thrown, crashes: 1 });
    });

    it('hands out a copy: a count read earlier does not change under later faults', async () => {
      // Prepare
      const { faults, ports } = setUp({ failureRate: { sqs: 1 } });
      const before = faults.counts();

      // Act
      await settle(ports.orderQueue.send([MESSAGE]));

      // Assess
      expect(before.injected.sqs).to.equal(0);
      expect(faults.counts().injected.sqs).to.equal(1);
    });
  });

  describe('runtime update (PUT /admin/faults)', () => {
    const applied = (faults: FaultInjection, body: unknown): void => {
      const parsed = parseFaultUpdate(body);
      if ('problems' in parsed) throw new Error(parsed.problems.join('; '));
      faults.update(parsed.update);
    };

    it('takes effect on the next call, changes only the fields given, and {} clears the failures', async () => {
      // Prepare
      const { faults, ports } = setUp({});
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok).to.equal(true);

      // Act / Assess
      applied(faults, { faults: { sqs: 1 } });
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok).to.equal(false);

      applied(faults, { latency: { dynamodb: '10ms' } });
      expect(faults.settings().failureRate, 'a latency change keeps the failures').to.deep.equal({ sqs: 1 });
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok).to.equal(false);

      applied(faults, { faults: {} });
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok).to.equal(true);
      expect(faults.settings()).to.deep.equal({ failureRate: {}, latencyMs: { dynamodb: 10 }, crashAfter: {} });
    });

    it('clears every fault with an empty body, as the README says', async () => {
      // Prepare
      const { faults, ports } = setUp({
        failureRate: { sqs: 1 },
        latencyMs: { dynamodb: 5 },
        crashAfter: { process: 0.5 },
        functions: ['worker'],
      });

      // Act
      applied(faults, {});

      // Assess
      expect(faults.settings()).to.deep.include({ failureRate: {}, latencyMs: {}, crashAfter: {} });
      expect(faults.settings().functions).to.equal(undefined);
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok).to.equal(true);
    });

    it('refuses an unknown function name instead of accepting it silently', () => {
      const parsed = parseFaultUpdate({ functions: ['worker', 'wroker'] });

      expect(parsed)
        .to.have.property('problems')
        .that.deep.equals([
          'functions: unknown function(s) wroker (one of ingest, validate, publish, worker, redrive, consume-pipe, idempotency, processor, outbox-relay)',
        ]);
    });

    it('narrows faults to some functions, and null reaches every function again', async () => {
      // Prepare
      const { faults, ports } = setUp({ failureRate: { eventbridge: 1 } });

      // Act / Assess
      applied(faults, { functions: ['worker'] });
      expect((await settle(ports.bus.publish([EVENT]))).ok, 'outside the worker').to.equal(true);

      applied(faults, { functions: null });
      expect((await settle(ports.bus.publish([EVENT]))).ok).to.equal(false);
    });

    it('narrows failures to some API operations, and null fails every operation again', async () => {
      // Prepare: SQS fails, but only its visibility changes
      const { faults, ports } = setUp({ failureRate: { sqs: 1 } });

      // Act / Assess
      applied(faults, { operations: ['ChangeMessageVisibilityBatch'] });
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok, 'a send is another operation').to.equal(true);
      expect((await settle(ports.orderQueue.changeVisibility([{ receiptHandle: 'r-1', timeoutSeconds: 2 }]))).ok).to.equal(false);

      applied(faults, { operations: null });
      expect((await settle(ports.orderQueue.send([MESSAGE]))).ok).to.equal(false);
      expect(parseFaultUpdate({ operations: 'ChangeMessageVisibilityBatch' })).to.have.property('problems');
    });

    it('adds latency from the next call on', async () => {
      // Prepare
      const { faults, inner, ports, clock } = setUp({});

      // Act
      applied(faults, { latency: { sqs: 30 } });
      const pending = ports.deadLetterQueue.receive(10, 30);
      await settleQueuedWork();
      const reachedEarly = [...inner.reached];
      await clock.advance(30);
      await pending;

      // Assess
      expect(reachedEarly).to.deep.equal([]);
      expect(inner.reached).to.deep.equal(['deadLetterQueue.receive']);
    });
  });
});
