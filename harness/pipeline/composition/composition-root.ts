import 'reflect-metadata';
import { Container, type ContainerModule, type Newable } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import { ClaimIdempotency } from '../../../application/use-cases/claim-idempotency.js';
import { IngestOrder } from '../../../application/use-cases/ingest-order.js';
import { ProcessOrder } from '../../../application/use-cases/process-order.js';
import { PublishOrderEvents } from '../../../application/use-cases/publish-order-events.js';
import { LookUpOrder } from '../../../application/use-cases/look-up-order.js';
import { PublishOrder } from '../../../application/use-cases/publish-order.js';
import { RedriveDeadLetters } from '../../../application/use-cases/redrive-dead-letters.js';
import { ResolveStrandedReservations } from '../../../application/use-cases/resolve-stranded-reservations.js';
import { ValidateOrder } from '../../../application/use-cases/validate-order.js';
import { WorkOrderBatch } from '../../../application/use-cases/work-order-batch.js';
import { ProcessClaimedOrder, ReleaseFailedClaim } from '../../../application/use-cases/orchestrated-steps.js';
import { RelayOutboxEvents } from '../../../application/use-cases/relay-outbox-events.js';
import { RedeliverOutbox } from '../../../application/use-cases/redeliver-outbox.js';
import { ReplayParkedOrders } from '../../../application/use-cases/replay-parked-orders.js';
import { awsAdaptersModule } from './aws-adapters-module.js';
import { createMemoryInfrastructure, memoryAdaptersModule } from './memory-adapters-module.js';
import {
  defaultServices,
  guardedPortsModule,
  runtimeModule,
  useCasesModule,
  type RuntimeServices,
} from '../../../handlers/composition/runtime-module.js';

export { defaultServices, hasOutboxDeadLetterQueue, type RuntimeServices } from '../../../handlers/composition/runtime-module.js';

/**
 * The whole pipeline in one container, on either backend: the local harness (which plays every function
 * in one process) and the tests. A deployed function never imports this file: it builds its own container
 * from its composition (handlers/compositions/, handlers/composition/function-container.ts), which binds only what it uses.
 */
export const ALL_USE_CASES: ReadonlyArray<Newable<object>> = [
  ValidateOrder,
  PublishOrder,
  IngestOrder,
  ClaimIdempotency,
  ProcessOrder,
  PublishOrderEvents,
  WorkOrderBatch,
  RedriveDeadLetters,
  ProcessClaimedOrder,
  RelayOutboxEvents,
  RedeliverOutbox,
  ReplayParkedOrders,
  ReleaseFailedClaim,
  LookUpOrder,
  ResolveStrandedReservations,
];

/** Everything but the adapters: configuration, runtime services, breakers, every breaker-guarded port and every use case. */
export function coreModules(config: PipelineConfig, services: RuntimeServices): ContainerModule[] {
  return [runtimeModule(config, services), guardedPortsModule(config), useCasesModule(ALL_USE_CASES)];
}

export function createContainer(
  config: PipelineConfig,
  adapters: ContainerModule,
  services: RuntimeServices = defaultServices(config),
): Container {
  const container = new Container();
  container.load(...coreModules(config, services), adapters);
  return container;
}

/** The adapters module the configuration asks for. */
export function adaptersFor(config: PipelineConfig, services: RuntimeServices): ContainerModule {
  return config.backend === 'aws'
    ? awsAdaptersModule(config, services.clock, services.random)
    : memoryAdaptersModule(createMemoryInfrastructure(config, services.clock, services.random));
}
