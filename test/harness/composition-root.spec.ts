import { expect } from 'chai';
import type { Newable } from 'inversify';
import { loadConfig, type PipelineConfig } from '../../application/config/pipeline-config.js';
import {
  GuardedDeadLetterQueue,
  GuardedEventBus,
  GuardedIdempotencyStore,
  GuardedOrderQueue,
} from '../../application/resilience/guarded-ports.js';
import { TOKENS } from '../../application/tokens.js';
import { ClaimIdempotency } from '../../application/use-cases/claim-idempotency.js';
import { IngestOrder } from '../../application/use-cases/ingest-order.js';
import { ProcessClaimedOrder, ReleaseFailedClaim } from '../../application/use-cases/orchestrated-steps.js';
import { RedeliverOutbox } from '../../application/use-cases/redeliver-outbox.js';
import { RelayOutboxEvents } from '../../application/use-cases/relay-outbox-events.js';
import { ReplayParkedOrders } from '../../application/use-cases/replay-parked-orders.js';
import { ProcessOrder } from '../../application/use-cases/process-order.js';
import { PublishOrderEvents } from '../../application/use-cases/publish-order-events.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { RedriveDeadLetters } from '../../application/use-cases/redrive-dead-letters.js';
import { ValidateOrder } from '../../application/use-cases/validate-order.js';
import { WorkOrderBatch } from '../../application/use-cases/work-order-batch.js';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { ADAPTERS } from '../../application/tokens.js';
import { awsAdaptersModule } from '../../harness/pipeline/composition/aws-adapters-module.js';
import { adaptersFor, createContainer, type RuntimeServices } from '../../harness/pipeline/composition/composition-root.js';
import { createMemoryInfrastructure, memoryAdaptersModule } from '../../harness/pipeline/composition/memory-adapters-module.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import { SplitOrderQueue } from '../../application/orders/split-order-queue.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { CLOSED_AWS_ENV, recordingServices } from '../support/closed-aws-env.js';

const USE_CASES: ReadonlyArray<Newable<object>> = [
  ValidateOrder,
  PublishOrder,
  IngestOrder,
  ClaimIdempotency,
  ProcessOrder,
  PublishOrderEvents,
  WorkOrderBatch,
  RedriveDeadLetters,
  ProcessClaimedOrder,
  ReleaseFailedClaim,
  RelayOutboxEvents,
  RedeliverOutbox,
  ReplayParkedOrders,
];

describe('Function: createContainer', () => {
  const backends: ReadonlyArray<[string, PipelineConfig, (config: PipelineConfig, s: RuntimeServices) => ReturnType<typeof adaptersFor>]> =
    [
      ['memory', loadConfig({ PIPELINE_BACKEND: 'memory' }), adaptersFor],
      // Clients pointed at a closed port: building the container must not call anything.
      [
        'aws',
        loadConfig(CLOSED_AWS_ENV),
        (config, s) =>
          awsAdaptersModule(config, s.clock, s.random, createAwsClients({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' })),
      ],
    ];

  for (const [backend, config, adapters] of backends) {
    it(`resolves every use case, once, on the ${backend} backend`, () => {
      // Prepare
      const runtime = recordingServices();
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
      const runtime = recordingServices();
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

describe('Composition: the traffic split of topology both', () => {
  it('sends the configured share of orders to the orchestrated queue, behind the SQS breaker (memory backend)', async () => {
    const config = loadConfig({ PIPELINE_BACKEND: 'memory', ORCHESTRATED_SHARE_PERCENT: '100' });
    const runtime = recordingServices();
    const infrastructure = createMemoryInfrastructure(config, runtime.clock, runtime.random);
    const root = createContainer(config, memoryAdaptersModule(infrastructure), runtime);

    await root
      .get<OrderQueue>(TOKENS.OrderQueue)
      .send([{ id: 'a', body: '{}', attributes: { [MESSAGE_ATTRIBUTES.idempotencyKey]: 'k-1' } }]);

    expect(root.get(TOKENS.OrderQueue)).to.be.instanceOf(GuardedOrderQueue);
    expect(infrastructure.sqs.peekAll(infrastructure.queues.orchestratedQueueName)).to.have.length(1);
    expect(infrastructure.sqs.peekAll(infrastructure.queues.orderQueueName)).to.have.length(0);
  });

  it('splits only when a share is configured, on the aws backend too', () => {
    const runtime = recordingServices();
    const clients = createAwsClients({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    const split = loadConfig({
      ...CLOSED_AWS_ENV,
      ORCHESTRATED_SHARE_PERCENT: '10',
      ORCHESTRATED_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders-orchestrated',
    });
    const single = loadConfig(CLOSED_AWS_ENV);

    const splitRoot = createContainer(split, awsAdaptersModule(split, runtime.clock, runtime.random, clients), runtime);
    const singleRoot = createContainer(single, awsAdaptersModule(single, runtime.clock, runtime.random, clients), runtime);

    expect(splitRoot.get(ADAPTERS.OrderQueue)).to.be.instanceOf(SplitOrderQueue);
    expect(singleRoot.get(ADAPTERS.OrderQueue)).to.not.be.instanceOf(SplitOrderQueue);
    const memory = loadConfig({ PIPELINE_BACKEND: 'memory' });
    expect(createMemoryInfrastructure(memory, runtime.clock, runtime.random).sqs.queueNames()).to.not.include('orders-orchestrated');
  });
});
