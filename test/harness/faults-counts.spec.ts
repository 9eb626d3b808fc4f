import { expect } from 'chai';
import { SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';
import { parseFaultUpdate } from '../../harness/faults/fault-update.js';
import type { FaultInjection, InjectedServiceError } from '../../harness/faults/faults.js';
import { Container } from 'inversify';
import { FunctionFleet } from '../../harness/emulation/lambda/function-fleet.js';
import { invoke } from '../../harness/emulation/lambda/invocation.js';
import { NOW, EVENT, MESSAGE, PORT_CALLS, setUp, settle, settleQueuedWork } from './faults.fixtures.js';

describe('Local harness: fault injection (harness/faults/faults.ts, faulty-ports.ts)', () => {
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

    it('attributes each failure to its caller: the execution environment, else the invocation, else outside-invocations', async () => {
      // Prepare
      const { faults, ports } = setUp({ failureRate: { dynamodb: 1 } });
      const fleet = new FunctionFleet({
        functionName: 'worker',
        services: ['dynamodb'],
        build: () => new Container(),
        handlerOf: () => () => settle(ports.store.complete('order-1', 'owner', NOW)),
      });
      const inWorker = (requestId: string): Promise<unknown> =>
        invoke({ functionName: 'worker', requestId, timeoutMs: 5_000 }, () => fleet.handler());

      // Act: two overlapping worker invocations (two environments), one more on the first, a probe, a call outside
      await Promise.all([inWorker('w-1'), inWorker('w-2')]);
      await inWorker('w-3');
      await invoke({ functionName: 'fleet-pause', requestId: 'probe', timeoutMs: 5_000 }, () =>
        settle(ports.store.complete('order-1', 'owner', NOW)),
      );
      await settle(ports.store.complete('order-1', 'owner', NOW));

      // Assess
      expect(faults.injectedBy('dynamodb')).to.deep.equal(
        new Map([
          ['worker#1', 2],
          ['worker#2', 1],
          ['fleet-pause', 1],
          ['outside-invocations', 1],
        ]),
      );
      expect(faults.injectedBy('sqs').size).to.equal(0);
      expect(
        faults.injectedBy(
          'dynamodb',
          new Map([
            ['worker#1', 2],
            ['fleet-pause', 0],
          ]),
        ),
        'since an earlier reading',
      ).to.deep.equal(
        new Map([
          ['worker#2', 1],
          ['fleet-pause', 1],
          ['outside-invocations', 1],
        ]),
      );
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
