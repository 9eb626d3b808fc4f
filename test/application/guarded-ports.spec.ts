import { expect } from 'chai';
import {
  batchFailureCategory,
  GuardedDeadLetterQueue,
  GuardedEventBus,
  GuardedOrderQueue,
} from '../../application/resilience/guarded-ports.js';
import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import { CircuitOpenError } from '../../domain/errors.js';
import {
  MESSAGE,
  EVENT,
  serviceUnavailable,
  FakeOrderQueue,
  FakeDeadLetterQueue,
  FakeEventBus,
  newBreakers,
  open,
} from './guarded-ports.fixtures.js';
import { CASES } from './guarded-ports.cases.js';

describe('Module: guarded-ports', () => {
  for (const portCase of CASES) {
    describe(`Method: ${portCase.label}`, () => {
      it('hands the arguments to the inner port and returns its answer', async () => {
        // Prepare
        const { inner, call } = portCase.build(newBreakers());

        // Act
        const result = await call();

        // Assess
        expect(inner.calls).to.deep.equal([[portCase.method, portCase.args]]);
        expect(result).to.deep.equal(portCase.expected);
      });

      it(`fails fast with CircuitOpenError, without calling, while the ${portCase.service} breaker is open`, async () => {
        const breakers = newBreakers();
        await open(breakers, portCase.service);
        const { inner, call } = portCase.build(breakers);

        const thrown = await call().catch((error: unknown) => error);

        expect(thrown).to.be.instanceOf(CircuitOpenError).with.property('service', portCase.service);
        expect(inner.calls).to.deep.equal([]);
      });

      it('is not held back by the breakers of the other services', async () => {
        const breakers = newBreakers();
        for (const other of SERVICE_NAMES.filter((name) => name !== portCase.service)) await open(breakers, other);
        const { call } = portCase.build(breakers);

        expect(await call()).to.deep.equal(portCase.expected);
      });

      it(`counts the inner port's failure against ${portCase.service} and rethrows it`, async () => {
        const breakers = newBreakers();
        const { inner, call } = portCase.build(breakers);
        const failure = serviceUnavailable();
        inner.failure = failure;

        const thrown = await call().catch((error: unknown) => error);

        expect(thrown).to.equal(failure);
        expect(breakers.state(portCase.service).status).to.equal('OPEN');
      });
    });
  }

  describe('Batch results', () => {
    it('counts a send in which every entry was throttled', async () => {
      const breakers = newBreakers();
      const inner = new FakeOrderQueue();
      inner.sendResult = { sent: [], failed: [{ id: 'm1', code: 'AWS.ThrottlingException', category: 'TRANSIENT', message: 'slow down' }] };

      const result = await new GuardedOrderQueue(inner, breakers).send([MESSAGE]);

      expect(result).to.equal(inner.sendResult);
      expect(breakers.state('sqs').status).to.equal('OPEN');
    });

    it('does not count a send in which some entries got through', async () => {
      const breakers = newBreakers();
      const inner = new FakeDeadLetterQueue();
      inner.sendResult = {
        sent: [{ id: 'm1', messageId: 'x' }],
        failed: [{ id: 'm2', code: 'AWS.InternalError', category: 'TRANSIENT', message: '' }],
      };

      await new GuardedDeadLetterQueue(inner, breakers).send([MESSAGE]);

      expect(breakers.state('sqs').status).to.equal('CLOSED');
    });

    it('counts a publish in which every event failed for the service, not one rejected as invalid', async () => {
      const breakers = newBreakers();
      const inner = new FakeEventBus();
      inner.publishResult = { published: [], failed: [{ event: EVENT, code: 'MalformedDetail', category: 'PERMANENT' }] };
      await new GuardedEventBus(inner, breakers).publish([EVENT]);
      expect(breakers.state('eventbridge').status).to.equal('CLOSED');

      inner.publishResult = { published: [], failed: [{ event: EVENT, code: 'InternalFailure', category: 'TRANSIENT' }] };
      await new GuardedEventBus(inner, breakers).publish([EVENT]);
      expect(breakers.state('eventbridge').status).to.equal('OPEN');
    });
  });

  describe('Function: batchFailureCategory', () => {
    it('is undefined when anything succeeded or nothing failed', () => {
      expect(batchFailureCategory(1, [{ category: 'TRANSIENT' }])).to.equal(undefined);
      expect(batchFailureCategory(0, [])).to.equal(undefined);
    });

    it('prefers a category that trips breakers over the first one', () => {
      expect(batchFailureCategory(0, [{ category: 'VALIDATION' }, { category: 'TIMEOUT' }])).to.equal('TIMEOUT');
      expect(batchFailureCategory(0, [{ category: 'VALIDATION' }, { category: 'PERMANENT' }])).to.equal('VALIDATION');
    });
  });
});
