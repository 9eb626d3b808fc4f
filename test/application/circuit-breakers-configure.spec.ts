import { expect } from 'chai';
import { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Metrics } from '../../application/ports/metrics.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { TOKENS } from '../../application/tokens.js';
import { PermanentError } from '../../domain/errors.js';
import type { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import type { ManualClock, RecordingLogger } from './circuit-breakers.fixtures.js';
import { serviceUnavailable, ok, fails, ONE_STRIKE, breakerRig, tripDynamo } from './circuit-breakers.fixtures.js';

describe('Class: CircuitBreakers', () => {
  let clock: ManualClock;
  let logger: RecordingLogger;
  let metrics: RecordingMetrics;
  let breakers: CircuitBreakers;

  beforeEach(() => {
    ({ clock, logger, metrics, breakers } = breakerRig());
  });

  describe('Method: configure', () => {
    it('uses the seed settings until told otherwise', () => {
      expect(breakers.settingsOf('sqs')).to.include({ failureThreshold: 5, recoveryTimeoutMs: 60_000 });
    });

    it('throws on settings that could never open or never probe', () => {
      expect(() => breakers.configure({ sqs: { failureThreshold: 0, recoveryTimeoutMs: 1, halfOpenMaxProbes: 1 } })).to.throw(
        PermanentError,
        /failureThreshold/,
      );
      expect(breakers.settingsOf('sqs').failureThreshold).to.equal(5);
    });
  });

  describe('Method: reset', () => {
    it('closes an open breaker', async () => {
      await tripDynamo(breakers);

      breakers.reset('dynamodb');

      expect(breakers.state('dynamodb')).to.deep.equal({ status: 'CLOSED', failures: 0 });
      expect(await breakers.run('dynamodb', ok)).to.equal('ok');
    });
  });

  describe('Wiring', () => {
    it('is built by inversify from explicit tokens alone', async () => {
      // Prepare
      const container = new Container();
      container.bind<Clock>(TOKENS.Clock).toConstantValue(clock);
      container.bind<Logger>(TOKENS.Logger).toConstantValue(logger);
      container.bind<Metrics>(TOKENS.Metrics).toConstantValue(metrics);
      container.bind(TOKENS.CircuitBreakers).to(CircuitBreakers).inSingletonScope();

      // Act
      const resolved = container.get<CircuitBreakers>(TOKENS.CircuitBreakers);
      resolved.configure({ sqs: ONE_STRIKE });
      await resolved.run('sqs', fails(serviceUnavailable())).catch(() => undefined);

      // Assess
      expect(container.get<CircuitBreakers>(TOKENS.CircuitBreakers)).to.equal(resolved);
      expect(logger.lines).to.have.length(1);
      expect(metrics.named('CircuitBreakerOpened')).to.have.length(1);
    });
  });
});
