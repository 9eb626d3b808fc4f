import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import { loadConfig, type PipelineConfig } from '../application/config.js';
import type { Clock } from '../application/ports/clock.js';
import type { DeadLetterQueue } from '../application/ports/dead-letter-queue.js';
import type { EventBus } from '../application/ports/event-bus.js';
import type { IdempotencyStore } from '../application/ports/idempotency-store.js';
import type { Logger } from '../application/ports/logger.js';
import type { Metrics } from '../application/ports/metrics.js';
import type { OrderQueue } from '../application/ports/order-queue.js';
import type { Random } from '../application/ports/random.js';
import { CircuitBreakers } from '../application/resilience/circuit-breakers.js';
import { GuardedDeadLetterQueue, GuardedEventBus, GuardedIdempotencyStore, GuardedOrderQueue } from '../application/resilience/guarded-ports.js';
import { TOKENS } from '../application/tokens.js';
import { ClaimIdempotency } from '../application/use-cases/claim-idempotency.js';
import { IngestOrder } from '../application/use-cases/ingest-order.js';
import { ProcessOrder } from '../application/use-cases/process-order.js';
import { PublishOrderEvents } from '../application/use-cases/publish-order-events.js';
import { PublishOrder } from '../application/use-cases/publish-order.js';
import { RedriveDeadLetters } from '../application/use-cases/redrive-dead-letters.js';
import { ValidateOrder } from '../application/use-cases/validate-order.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { ProcessClaimedOrder, ReleaseFailedClaim } from '../application/use-cases/orchestrated-steps.js';
import { RelayOutboxEvents } from '../application/use-cases/relay-outbox-events.js';
import { RedeliverOutbox } from '../application/use-cases/redeliver-outbox.js';
import { ReplayParkedOrders } from '../application/use-cases/replay-parked-orders.js';
import { EmfMetrics } from '../adapters/observability/emf-metrics.js';
import { PowertoolsLogger } from '../adapters/observability/powertools-logger.js';
import { MathRandom } from '../adapters/system/math-random.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { awsAdaptersModule } from './aws-adapters-module.js';
import { createMemoryInfrastructure, memoryAdaptersModule } from './memory-adapters-module.js';
import { ADAPTERS } from './adapter-tokens.js';

/** Process-wide services; tests and the harness pass their own (manual clock, seeded random, recorders). */
export interface RuntimeServices {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function defaultServices(config: PipelineConfig): RuntimeServices {
  return {
    clock: new SystemClock(),
    random: new MathRandom(),
    logger: new PowertoolsLogger({ serviceName: config.serviceName }),
    metrics: new EmfMetrics({ serviceName: config.serviceName }),
  };
}

/**
 * Everything but the adapters: configuration, runtime services, breakers, the breaker-guarded ports
 * (every port call of every backend goes through its service's breaker) and the use cases.
 */
export function coreModule(config: PipelineConfig, services: RuntimeServices): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<PipelineConfig>(TOKENS.PipelineConfig).toConstantValue(config);
    bind<Clock>(TOKENS.Clock).toConstantValue(services.clock);
    bind<Random>(TOKENS.Random).toConstantValue(services.random);
    bind<Logger>(TOKENS.Logger).toConstantValue(services.logger);
    bind<Metrics>(TOKENS.Metrics).toConstantValue(services.metrics);
    bind<CircuitBreakers>(TOKENS.CircuitBreakers).toDynamicValue(() => {
      const breakers = new CircuitBreakers(services.clock, services.logger, services.metrics);
      breakers.configure(config.breakers);
      return breakers;
    }).inSingletonScope();
    const breakers = (context: { get<T>(id: symbol): T }): CircuitBreakers => context.get<CircuitBreakers>(TOKENS.CircuitBreakers);
    bind<OrderQueue>(TOKENS.OrderQueue).toDynamicValue((ctx) => new GuardedOrderQueue(ctx.get<OrderQueue>(ADAPTERS.OrderQueue), breakers(ctx))).inSingletonScope();
    bind<DeadLetterQueue>(TOKENS.DeadLetterQueue).toDynamicValue((ctx) => new GuardedDeadLetterQueue(ctx.get<DeadLetterQueue>(ADAPTERS.DeadLetterQueue), breakers(ctx))).inSingletonScope();
    bind<IdempotencyStore>(TOKENS.IdempotencyStore).toDynamicValue((ctx) => new GuardedIdempotencyStore(ctx.get<IdempotencyStore>(ADAPTERS.IdempotencyStore), breakers(ctx))).inSingletonScope();
    if (hasOutboxDeadLetterQueue(config)) {
      bind<DeadLetterQueue>(TOKENS.OutboxDeadLetterQueue).toDynamicValue((ctx) => new GuardedDeadLetterQueue(ctx.get<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue), breakers(ctx))).inSingletonScope();
    }
    bind<EventBus>(TOKENS.EventBus).toDynamicValue((ctx) => new GuardedEventBus(ctx.get<EventBus>(ADAPTERS.EventBus), breakers(ctx))).inSingletonScope();
    bind(ValidateOrder).toSelf().inSingletonScope();
    bind(PublishOrder).toSelf().inSingletonScope();
    bind(IngestOrder).toSelf().inSingletonScope();
    bind(ClaimIdempotency).toSelf().inSingletonScope();
    bind(ProcessOrder).toSelf().inSingletonScope();
    bind(PublishOrderEvents).toSelf().inSingletonScope();
    bind(WorkOrderBatch).toSelf().inSingletonScope();
    bind(RedriveDeadLetters).toSelf().inSingletonScope();
    bind(ProcessClaimedOrder).toSelf().inSingletonScope();
    bind(RelayOutboxEvents).toSelf().inSingletonScope();
    bind(RedeliverOutbox).toSelf().inSingletonScope();
    bind(ReplayParkedOrders).toSelf().inSingletonScope();
    bind(ReleaseFailedClaim).toSelf().inSingletonScope();
  });
}

/** The outbox pipe's DLQ exists in memory, and on AWS where the stage gives its URL (the redrive's). */
export function hasOutboxDeadLetterQueue(config: PipelineConfig): boolean {
  return config.backend === 'memory' || config.outboxDeadLetterQueueUrl !== undefined;
}

export function createContainer(config: PipelineConfig, adapters: ContainerModule, services: RuntimeServices = defaultServices(config)): Container {
  const container = new Container();
  container.load(coreModule(config, services), adapters);
  return container;
}

/** The adapters module the configuration asks for. */
export function adaptersFor(config: PipelineConfig, services: RuntimeServices): ContainerModule {
  return config.backend === 'aws'
    ? awsAdaptersModule(config, services.clock, services.random)
    : memoryAdaptersModule(createMemoryInfrastructure(config, services.clock, services.random));
}

let cached: Container | undefined;

/**
 * The container for a handler module's `handler`. Inside Lambda (AWS_LAMBDA_FUNCTION_NAME is set) it is
 * built right away, at module scope, so configuration is validated and the SDK clients are created
 * during INIT rather than on the first request; a bad configuration then fails INIT with an error that
 * names every problem. Anywhere else (tests, the harness, tools importing a handler module) nothing is
 * built until the first call.
 */
export function containerAtInit(env: Readonly<Record<string, string | undefined>> = process.env): () => Container {
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) container();
  return container;
}

/** Whether this execution environment has built its container yet. */
export function containerBuilt(): boolean {
  return cached !== undefined;
}

/** Built once per execution environment (cold start), from validated environment variables. */
export function container(): Container {
  if (cached === undefined) {
    const config = loadConfig(process.env);
    const services = defaultServices(config);
    cached = createContainer(config, adaptersFor(config, services), services);
  }
  return cached;
}
