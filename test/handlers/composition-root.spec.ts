import { expect } from 'chai';
import type { Newable } from 'inversify';
import { loadConfig, type PipelineConfig } from '../../application/config.js';
import { GuardedDeadLetterQueue, GuardedEventBus, GuardedIdempotencyStore, GuardedOrderQueue } from '../../application/resilience/guarded-ports.js';
import { TOKENS } from '../../application/tokens.js';
import { ClaimIdempotency } from '../../application/use-cases/claim-idempotency.js';
import { IngestOrder } from '../../application/use-cases/ingest-order.js';
import { AnnounceProcessedOrder, ProcessClaimedOrder } from '../../application/use-cases/orchestrated-steps.js';
import { ProcessOrder } from '../../application/use-cases/process-order.js';
import { PublishOrderEvents } from '../../application/use-cases/publish-order-events.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { RedriveDeadLetters } from '../../application/use-cases/redrive-dead-letters.js';
import { ValidateOrder } from '../../application/use-cases/validate-order.js';
import { WorkOrderBatch } from '../../application/use-cases/work-order-batch.js';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { ManualClock } from '../../adapters/memory/manual-clock.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { ADAPTERS } from '../../handlers/adapter-tokens.js';
import { awsAdaptersModule } from '../../handlers/aws-adapters-module.js';
import { adaptersFor, createContainer, type RuntimeServices } from '../../handlers/composition-root.js';

const USE_CASES: ReadonlyArray<Newable<object>> = [
  ValidateOrder, PublishOrder, IngestOrder, ClaimIdempotency, ProcessOrder, PublishOrderEvents, WorkOrderBatch, RedriveDeadLetters,
  ProcessClaimedOrder, AnnounceProcessedOrder,
];

const AWS_ENV = {
  PIPELINE_BACKEND: 'aws',
  ORDER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders',
  DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders-dlq',
  IDEMPOTENCY_TABLE_NAME: 'orders-idempotency',
  EVENT_BUS_NAME: 'orders-bus',
};

function services(): RuntimeServices {
  return { clock: new ManualClock(), random: new SeededRandom(1), logger: new RecordingLogger(), metrics: new RecordingMetrics() };
}

describe('Function: createContainer', () => {
  const backends: ReadonlyArray<[string, PipelineConfig, (config: PipelineConfig, s: RuntimeServices) => ReturnType<typeof adaptersFor>]> = [
    ['memory', loadConfig({ PIPELINE_BACKEND: 'memory' }), adaptersFor],
    // Clients pointed at a closed port: building the container must not call anything.
    ['aws', loadConfig(AWS_ENV), (config, s) => awsAdaptersModule(config, s.clock, s.random, createAwsClients({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' }))],
  ];

  for (const [backend, config, adapters] of backends) {
    it(`resolves every use case, once, on the ${backend} backend`, () => {
      // Prepare
      const runtime = services();
      const root = createContainer(config, adapters(config, runtime), runtime);

      // Act & Assess
      for (const useCase of USE_CASES) {
        const resolved = root.get(useCase);
        expect(resolved, useCase.name).to.be.instanceOf(useCase);
        expect(root.get(useCase), `${useCase.name} is a singleton`).to.equal(resolved);
      }
      expect(root.get(TOKENS.PipelineConfig)).to.equal(config);
    });

    it(`puts every port of the ${backend} backend behind its circuit breaker`, () => {
      // Prepare
      const runtime = services();
      const root = createContainer(config, adapters(config, runtime), runtime);

      // Assess
      expect(root.get(TOKENS.OrderQueue)).to.be.instanceOf(GuardedOrderQueue);
      expect(root.get(TOKENS.DeadLetterQueue)).to.be.instanceOf(GuardedDeadLetterQueue);
      expect(root.get(TOKENS.IdempotencyStore)).to.be.instanceOf(GuardedIdempotencyStore);
      expect(root.get(TOKENS.EventBus)).to.be.instanceOf(GuardedEventBus);
      expect(root.get(ADAPTERS.IdempotencyStore)).to.be.instanceOf(backend === 'aws' ? DynamoDbIdempotencyStore : MemoryIdempotencyStore);
    });
  }
});
