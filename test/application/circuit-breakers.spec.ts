import { expect } from 'chai';
import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { CircuitOpenError, TransientError, ValidationError } from '../../domain/errors.js';
import { LeaseLostError } from '../../domain/idempotency.js';
import type { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import type { ManualClock, RecordingLogger } from './circuit-breakers.fixtures.js';
import { deferred, serviceUnavailable, accessDenied, ok, fails, ONE_STRIKE, breakerRig, tripDynamo } from './circuit-breakers.fixtures.js';

describe('Class: CircuitBreakers', () => {
  let clock: ManualClock;
  let logger: RecordingLogger;
  let metrics: RecordingMetrics;
  let breakers: CircuitBreakers;

  beforeEach(() => {
    ({ clock, logger, metrics, breakers } = breakerRig());
  });

  describe('Method: run', () => {
    it('returns what the call returns and keeps the breaker closed', async () => {
      const result = await breakers.run('sqs', () => Promise.resolve({ sent: 3 }));

      expect(result).to.deep.equal({ sent: 3 });
      expect(breakers.state('sqs')).to.deep.include({ status: 'CLOSED', failures: 0 });
    });

    it('rethrows the very error the call threw', async () => {
      const original = serviceUnavailable();

      const thrown = await breakers.run('sqs', fails(original)).catch((error: unknown) => error);

      expect(thrown).to.equal(original);
    });

    it('opens after the seed threshold of transient failures (DynamoDB: 3)', async () => {
      for (let i = 0; i < 2; i += 1) await breakers.run('dynamodb', fails(serviceUnavailable())).catch(() => undefined);
      expect(breakers.state('dynamodb').status).to.equal('CLOSED');

      await breakers.run('dynamodb', fails(serviceUnavailable())).catch(() => undefined);

      expect(breakers.state('dynamodb')).to.deep.equal({ status: 'OPEN', openedAt: clock.now(), rule: 'count' });
    });

    it('throws CircuitOpenError without calling while open', async () => {
      // Prepare
      await tripDynamo(breakers);
      clock.advance(4_000);
      let called = false;

      // Act
      const thrown = await breakers
        .run('dynamodb', () => {
          called = true;
          return ok();
        })
        .catch((error: unknown) => error);

      // Assess
      expect(called).to.equal(false);
      expect(thrown).to.be.instanceOf(CircuitOpenError);
      expect(thrown).to.include({ service: 'dynamodb', retryAfterMs: 6_000, code: 'BREAKER.OPEN' });
      expect(metrics.named('CircuitBreakerRejected')).to.deep.equal([
        { name: 'CircuitBreakerRejected', value: 1, unit: 'Count', dimensions: { service: 'dynamodb' }, resolution: 'standard' },
      ]);
    });

    it('keeps the breakers of different services apart', async () => {
      await tripDynamo(breakers);

      expect(await breakers.run('sqs', ok)).to.equal('ok');
      expect(await breakers.run('eventbridge', ok)).to.equal('ok');
    });

    const harmless: readonly [string, () => unknown][] = [
      ['a permanent AWS error (403)', accessDenied],
      ['a ValidationError', () => new ValidationError('bad order', { code: 'ORDER.INVALID' })],
      ['a LeaseLostError the pipeline raised itself', () => new LeaseLostError('key-1', 'owner-1')],
      ['a CircuitOpenError of another breaker', () => new CircuitOpenError('sqs', 1_000)],
      ['a TransientError the pipeline raised without a foreign cause', () => new TransientError('retry later', { code: 'TEST.OWN' })],
    ];
    for (const [label, makeError] of harmless) {
      it(`never counts ${label} against the dependency`, async () => {
        breakers.configure({ dynamodb: ONE_STRIKE });

        for (let i = 0; i < 5; i += 1) await breakers.run('dynamodb', fails(makeError())).catch(() => undefined);

        expect(breakers.state('dynamodb')).to.deep.include({ status: 'CLOSED', failures: 0 });
      });
    }

    it('counts a TransientError that an adapter wrapped around the SDK error', async () => {
      breakers.configure({ dynamodb: ONE_STRIKE });
      const translated = new TransientError('dynamodb throttled', { code: 'AWS.ThrottlingException', cause: serviceUnavailable() });

      await breakers.run('dynamodb', fails(translated)).catch(() => undefined);

      expect(breakers.state('dynamodb').status).to.equal('OPEN');
    });

    it('counts a timeout from the network layer', async () => {
      breakers.configure({ eventbridge: ONE_STRIKE });

      await breakers.run('eventbridge', fails(Object.assign(new Error('socket timeout'), { code: 'ETIMEDOUT' }))).catch(() => undefined);

      expect(breakers.state('eventbridge').status).to.equal('OPEN');
    });

    it('counts a result that failureOf judges a failure, and returns the result unchanged', async () => {
      breakers.configure({ sqs: ONE_STRIKE });
      const result = { sent: [], failed: ['throttled'] };

      const returned = await breakers.run('sqs', () => Promise.resolve(result), {
        failureOf: (r) => (r.sent.length === 0 ? 'TRANSIENT' : undefined),
      });

      expect(returned).to.equal(result);
      expect(breakers.state('sqs').status).to.equal('OPEN');
    });

    it('lets exactly one probe through once the recovery time has passed; others wait for its verdict', async () => {
      // Prepare
      await tripDynamo(breakers);
      clock.advance(ONE_STRIKE.recoveryTimeoutMs);
      const probe = deferred<string>();
      let secondCalled = false;

      // Act
      const probing = breakers.run('dynamodb', () => probe.promise);
      const second = breakers.run('dynamodb', () => {
        secondCalled = true;
        return ok();
      });
      await Promise.resolve();
      expect(secondCalled).to.equal(false);
      probe.resolve('recovered');

      // Assess
      expect(await second).to.equal('ok');
      expect(await probing).to.equal('recovered');
      expect(breakers.state('dynamodb').status).to.equal('CLOSED');
      expect(await breakers.run('dynamodb', ok)).to.equal('ok');
    });

    it('reopens from the moment a probe fails', async () => {
      await tripDynamo(breakers);
      clock.advance(ONE_STRIKE.recoveryTimeoutMs + 500);

      await breakers.run('dynamodb', fails(serviceUnavailable())).catch(() => undefined);

      expect(breakers.state('dynamodb')).to.deep.equal({ status: 'OPEN', openedAt: clock.now(), rule: 'probe' });
      expect(breakers.retryAfterMs('dynamodb')).to.equal(ONE_STRIKE.recoveryTimeoutMs);
    });

    it('gives the probe slot back when the probe fails for a reason that is not the dependency', async () => {
      await tripDynamo(breakers);
      clock.advance(ONE_STRIKE.recoveryTimeoutMs);

      await breakers.run('dynamodb', fails(new LeaseLostError('key-1', 'owner-1'))).catch(() => undefined);

      expect(breakers.state('dynamodb')).to.deep.equal({ status: 'HALF_OPEN', probesInFlight: 0 });
      expect(await breakers.run('dynamodb', ok)).to.equal('ok');
      expect(breakers.state('dynamodb').status).to.equal('CLOSED');
    });

    it('does not let a probe of an earlier half-open spell free the slot of the current probe', async () => {
      // Prepare: a call made while CLOSED is still running when the breaker opens (admission allows two
      // calls at threshold 2; the threshold then drops to 1, as a reconfiguration or a sliding window can)
      breakers.configure({ dynamodb: { ...ONE_STRIKE, failureThreshold: 2 } });
      const lateCall = deferred<string>();
      const late = breakers.run('dynamodb', () => lateCall.promise).catch(() => undefined);
      const failingCall = deferred<string>();
      const failing = breakers.run('dynamodb', () => failingCall.promise).catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      breakers.configure({ dynamodb: ONE_STRIKE });
      failingCall.reject(serviceUnavailable());
      await failing;
      clock.advance(ONE_STRIKE.recoveryTimeoutMs);
      const firstProbe = deferred<string>();
      const first = breakers.run('dynamodb', () => firstProbe.promise).catch(() => undefined);
      // the late call fails while the first probe runs: OPEN again, and a second spell starts
      lateCall.reject(serviceUnavailable());
      await late;
      clock.advance(ONE_STRIKE.recoveryTimeoutMs);
      const secondProbe = deferred<string>();
      const second = breakers.run('dynamodb', () => secondProbe.promise);

      // Act: the first probe ends with an error that does not count
      firstProbe.reject(new LeaseLostError('key-1', 'owner-1'));
      await first;

      // Assess: the second probe still holds the only slot
      expect(breakers.state('dynamodb')).to.deep.equal({ status: 'HALF_OPEN', probesInFlight: 1 });
      const waiting = breakers.run('dynamodb', ok);
      secondProbe.reject(new LeaseLostError('key-2', 'owner-2'));
      await second.catch(() => undefined);
      // the freed slot goes to the waiting call, which probes and closes the breaker
      expect(await waiting).to.equal('ok');
      expect(breakers.state('dynamodb').status).to.equal('CLOSED');
    });

    it('logs every change of state and counts openings per service', async () => {
      await tripDynamo(breakers);
      clock.advance(ONE_STRIKE.recoveryTimeoutMs);
      await breakers.run('dynamodb', ok);

      expect(logger.lines.map((line) => [line.level, line.message, line.fields])).to.deep.equal([
        ['WARN', 'circuit breaker state changed', { dependency: 'dynamodb', from: 'CLOSED', to: 'OPEN', rule: 'count' }],
        ['WARN', 'circuit breaker state changed', { dependency: 'dynamodb', from: 'OPEN', to: 'HALF_OPEN' }],
        ['WARN', 'circuit breaker state changed', { dependency: 'dynamodb', from: 'HALF_OPEN', to: 'CLOSED' }],
      ]);
      // Per second: the fleet pause's alarm reads the openings in 10 s periods.
      expect(metrics.named('CircuitBreakerOpened')).to.deep.equal([
        { name: 'CircuitBreakerOpened', value: 1, unit: 'Count', dimensions: { service: 'dynamodb' }, resolution: 'high' },
      ]);
      expect(metrics.named('CircuitBreakerOpenedByRule')).to.deep.equal([
        {
          name: 'CircuitBreakerOpenedByRule',
          value: 1,
          unit: 'Count',
          dimensions: { service: 'dynamodb', rule: 'count' },
          resolution: 'standard',
        },
      ]);
      expect(metrics.named('CircuitBreakerState').map((point) => point.value)).to.deep.equal([2, 1, 0]);
    });

    it('writes no log line and no metric on the healthy path', async () => {
      for (let i = 0; i < 10; i += 1) await breakers.run('sqs', ok);

      expect(logger.lines).to.deep.equal([]);
      expect(metrics.points()).to.deep.equal([]);
    });
  });

  describe('Method: isOpen', () => {
    it('is true while open and false once a probe is due', async () => {
      await tripDynamo(breakers);
      expect(breakers.isOpen('dynamodb')).to.equal(true);

      clock.advance(ONE_STRIKE.recoveryTimeoutMs);

      expect(breakers.isOpen('dynamodb')).to.equal(false);
      expect(breakers.retryAfterMs('dynamodb')).to.equal(0);
      expect(breakers.isOpen('sqs')).to.equal(false);
    });
  });

  describe('Method: snapshot', () => {
    it('returns every service state as plain data that does not change afterwards', async () => {
      const before = breakers.snapshot();
      await tripDynamo(breakers);

      expect(before.dynamodb.status).to.equal('CLOSED');
      expect(JSON.parse(JSON.stringify(breakers.snapshot()))).to.deep.equal({
        dynamodb: { status: 'OPEN', openedAt: clock.now(), rule: 'count' },
        sqs: { status: 'CLOSED', failures: 0 },
        eventbridge: { status: 'CLOSED', failures: 0 },
      });
    });
  });
});
