import { ContainerModule, type Newable } from 'inversify';
import type { PipelineConfig } from '../../application/config/pipeline-config.js';
import type { Clock } from '../../application/ports/clock.js';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { EventBus } from '../../application/ports/event-bus.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Metrics } from '../../application/ports/metrics.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { Random } from '../../application/ports/random.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import {
  GuardedDeadLetterQueue,
  GuardedEventBus,
  GuardedIdempotencyStore,
  GuardedOrderQueue,
} from '../../application/resilience/guarded-ports.js';
import { TOKENS } from '../../application/tokens.js';
import type { ServiceId } from '../../adapters/aws/client-config.js';
import { EmfMetrics } from '../../adapters/observability/emf-metrics.js';
import { PowertoolsLogger } from '../../adapters/observability/powertools-logger.js';
import { MathRandom } from '../../adapters/system/math-random.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { ADAPTERS } from '../../application/tokens.js';

/** Process-wide services; tests and the harness pass their own (manual clock, seeded random, recorders). */
export interface RuntimeServices {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export const ALL_SERVICES: readonly ServiceId[] = ['SQS', 'DYNAMODB', 'EVENTBRIDGE'];

export function defaultServices(config: PipelineConfig): RuntimeServices {
  return {
    clock: new SystemClock(),
    random: new MathRandom(),
    logger: new PowertoolsLogger({ serviceName: config.serviceName }),
    metrics: new EmfMetrics({ serviceName: config.serviceName }),
  };
}

/** Configuration, runtime services and the circuit breakers: what every function binds. */
export function runtimeModule(config: PipelineConfig, services: RuntimeServices): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<PipelineConfig>(TOKENS.PipelineConfig).toConstantValue(config);
    bind<Clock>(TOKENS.Clock).toConstantValue(services.clock);
    bind<Random>(TOKENS.Random).toConstantValue(services.random);
    bind<Logger>(TOKENS.Logger).toConstantValue(services.logger);
    bind<Metrics>(TOKENS.Metrics).toConstantValue(services.metrics);
    // The stage's breaker settings (BREAKER_SETTINGS) over the per-service defaults.
    bind<CircuitBreakers>(TOKENS.CircuitBreakers)
      .toDynamicValue(() => {
        const breakers = new CircuitBreakers(services.clock, services.logger, services.metrics);
        breakers.configure(config.breakers);
        return breakers;
      })
      .inSingletonScope();
  });
}

/**
 * The breaker-guarded ports of the given services (every port call goes through its service's breaker),
 * over the unguarded adapters an adapters module binds. A port whose service is not listed is not bound:
 * a use case that needs it fails to resolve, so a function's composition cannot forget a service.
 */
export function guardedPortsModule(config: PipelineConfig, services: readonly ServiceId[] = ALL_SERVICES): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const breakers = (context: { get<T>(id: symbol): T }): CircuitBreakers => context.get<CircuitBreakers>(TOKENS.CircuitBreakers);
    if (services.includes('SQS')) {
      bind<OrderQueue>(TOKENS.OrderQueue)
        .toDynamicValue((ctx) => new GuardedOrderQueue(ctx.get<OrderQueue>(ADAPTERS.OrderQueue), breakers(ctx)))
        .inSingletonScope();
      bind<DeadLetterQueue>(TOKENS.DeadLetterQueue)
        .toDynamicValue((ctx) => new GuardedDeadLetterQueue(ctx.get<DeadLetterQueue>(ADAPTERS.DeadLetterQueue), breakers(ctx)))
        .inSingletonScope();
      if (hasOutboxDeadLetterQueue(config)) {
        bind<DeadLetterQueue>(TOKENS.OutboxDeadLetterQueue)
          .toDynamicValue((ctx) => new GuardedDeadLetterQueue(ctx.get<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue), breakers(ctx)))
          .inSingletonScope();
      }
    }
    if (services.includes('DYNAMODB')) {
      bind<IdempotencyStore>(TOKENS.IdempotencyStore)
        .toDynamicValue((ctx) => new GuardedIdempotencyStore(ctx.get<IdempotencyStore>(ADAPTERS.IdempotencyStore), breakers(ctx)))
        .inSingletonScope();
    }
    if (services.includes('EVENTBRIDGE')) {
      bind<EventBus>(TOKENS.EventBus)
        .toDynamicValue((ctx) => new GuardedEventBus(ctx.get<EventBus>(ADAPTERS.EventBus), breakers(ctx)))
        .inSingletonScope();
    }
  });
}

/** The outbox pipe's DLQ exists in memory, and on AWS where the stage gives its URL (the redrive's). */
export function hasOutboxDeadLetterQueue(config: PipelineConfig): boolean {
  return config.backend === 'memory' || config.outboxDeadLetterQueueUrl !== undefined;
}

/** Binds each use case to itself, once per container. */
export function useCasesModule(useCases: ReadonlyArray<Newable<object>>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    for (const useCase of useCases) bind(useCase).toSelf().inSingletonScope();
  });
}
