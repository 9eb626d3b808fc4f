import { expect } from 'chai';
import { loadConfig } from '../../application/config/pipeline-config.js';
import type { FailureSimulation } from '../../application/orders/failure-simulation.js';
import { SCHEMA_VERSION, type OrderEnvelope } from '../../application/orders/order-message.js';
import { ProcessOrder } from '../../application/use-cases/process-order.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { PermanentError, TimeoutError, TransientError, ValidationError } from '../../domain/errors.js';
import type { Order } from '../../domain/order.js';
import { OrderMother } from '../domain/order-mother.js';

function envelope(order: Order = OrderMother.valid(), simulate?: FailureSimulation): OrderEnvelope {
  return {
    idempotencyKey: 'key-1',
    correlationId: 'corr-1',
    body: { schemaVersion: SCHEMA_VERSION, order, payloadHash: 'hash', acceptedAt: 0, ...(simulate === undefined ? {} : { simulate }) },
  };
}

function processor(env: Record<string, string> = {}): { process: ProcessOrder; logger: RecordingLogger; metrics: RecordingMetrics } {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const config = loadConfig({ PIPELINE_BACKEND: 'memory', ALLOW_FAILURE_SIMULATION: 'true', ...env });
  return { process: new ProcessOrder(logger, metrics, config), logger, metrics };
}

describe('Class: ProcessOrder', () => {
  describe('Method: execute', () => {
    it('returns a small outcome summary of the priced order', async () => {
      // Prepare
      const { process, metrics } = processor({ TAX_RATE_BASIS_POINTS: '1000' });

      // Act
      const outcome = await process.execute({ envelope: envelope(), attempt: 1 });

      // Assess
      expect(outcome).to.deep.equal({
        orderId: 'order-0001',
        currency: 'EUR',
        lineCount: 2,
        subtotalMinor: 4_498,
        taxMinor: 450,
        totalMinor: 4_948,
      });
      expect(metrics.total('OrdersProcessed')).to.equal(1);
    });

    it('re-checks the business rules of a queued order and fails it as VALIDATION', async () => {
      // Prepare: a currency this deployment stopped accepting after the order was queued
      const { process } = processor({ SUPPORTED_CURRENCIES: 'USD' });

      // Act
      const thrown = await process.execute({ envelope: envelope(), attempt: 1 }).catch((error: unknown) => error);

      // Assess
      expect(thrown).to.be.instanceOf(ValidationError);
      expect(thrown).to.have.property('code', 'ORDER.INVALID');
    });

    it('fails a transient simulation for its first N attempts, then succeeds', async () => {
      // Prepare
      const { process } = processor();
      const simulated = envelope(OrderMother.valid(), { kind: 'transient', times: 2 });

      // Act
      const attempts = await Promise.all(
        [1, 2, 3].map((attempt) => process.execute({ envelope: simulated, attempt }).catch((error: unknown) => error)),
      );

      // Assess
      expect(attempts[0]).to.be.instanceOf(TransientError).and.to.have.property('code', 'SIMULATED.TRANSIENT');
      expect(attempts[1]).to.be.instanceOf(TransientError);
      expect(attempts[2]).to.deep.include({ totalMinor: 4_498 });
    });

    it('fails a permanent simulation on every attempt and a timeout simulation as TIMEOUT', async () => {
      const { process } = processor();

      const permanent = await process
        .execute({ envelope: envelope(OrderMother.valid(), { kind: 'permanent', times: Number.MAX_SAFE_INTEGER }), attempt: 50 })
        .catch((e: unknown) => e);
      const timeout = await process
        .execute({ envelope: envelope(OrderMother.valid(), { kind: 'timeout', times: 1 }), attempt: 1 })
        .catch((e: unknown) => e);

      expect(permanent).to.be.instanceOf(PermanentError);
      expect(timeout).to.be.instanceOf(TimeoutError);
    });

    it('ignores a simulation, with a warning, where configuration disables it', async () => {
      // Prepare
      const { process, logger } = processor({ ALLOW_FAILURE_SIMULATION: 'false' });

      // Act
      const outcome = await process.execute({
        envelope: envelope(OrderMother.valid(), { kind: 'permanent', times: Number.MAX_SAFE_INTEGER }),
        attempt: 1,
      });

      // Assess
      expect(outcome).to.deep.include({ totalMinor: 4_498 });
      expect(logger.linesAt('WARN').map((l) => l.message)).to.deep.equal(['failure simulation requested but disabled; ignored']);
    });
  });
});
