import { ContainerModule, type Container } from 'inversify';
import type { PipelineConfig } from '../../application/config/pipeline-config.js';
import type { WorkflowStarter } from '../../application/ports/workflow-starter.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { TOKENS } from '../../application/tokens.js';
import { SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';
import { ADAPTERS } from '../../application/tokens.js';
import { outboxRelayComposition } from '../../handlers/composition/functions/outbox-relay.js';
import { idempotencyComposition } from '../../handlers/composition/functions/idempotency.js';
import { ingestComposition } from '../../handlers/composition/functions/ingest.js';
import { orchestratedIngestComposition } from '../../handlers/composition/functions/orchestrated-ingest.js';
import { processorComposition } from '../../handlers/composition/functions/processor.js';
import { publishComposition } from '../../handlers/composition/functions/publish.js';
import { redriveComposition } from '../../handlers/composition/functions/redrive.js';
import { validateComposition } from '../../handlers/composition/functions/validate.js';
import { workerComposition } from '../../handlers/composition/functions/worker.js';
import { createOutboxRelayHandler } from '../../handlers/outbox-relay.js';
import { composeOverAdapters, type FunctionComposition } from '../../handlers/composition/function-container.js';
import { createIdempotencyHandler } from '../../handlers/idempotency.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { createOrchestratedIngestHandler } from '../../handlers/orchestrated-ingest.js';
import { createProcessorHandler } from '../../handlers/processor.js';
import { createPublishHandler } from '../../handlers/publish.js';
import { createRedriveHandler } from '../../handlers/redrive.js';
import type { RuntimeServices } from '../../handlers/composition/runtime-module.js';
import { createValidateHandler } from '../../handlers/validate.js';
import { createWorkerHandler } from '../../handlers/worker.js';
import { FunctionFleet } from '../emulation/lambda/function-fleet.js';
import { shortenBreakerRecovery } from './breaker-recovery.js';

/*
 * The pipeline's functions as the harness runs them: each from its own composition, as deployed, in
 * execution environments of its own (harness/emulation/lambda/function-fleet.ts), over adapters that every function
 * shares (the same queues, table and bus, behind the fault decorators). So a function's breakers see
 * only its own calls: DynamoDB failing for the worker opens the worker's breaker, not the edge's.
 */

export interface FleetSettings {
  readonly config: PipelineConfig;
  readonly services: RuntimeServices;
  /** Binds the ADAPTERS tokens: the harness' fault-wrapped adapters. */
  readonly adapters: Container;
  /** `--breaker-recovery`: one recovery time for every environment's breakers. */
  readonly breakerRecoveryMs?: number;
}

export type FleetFunctionName =
  'ingest' | 'validate' | 'publish' | 'idempotency' | 'processor' | 'worker' | 'outbox-relay' | 'redrive' | 'orchestrated-ingest';

export class HarnessFunctions {
  readonly ingest: FunctionFleet<ReturnType<typeof createIngestHandler>>;
  readonly validate: FunctionFleet<ReturnType<typeof createValidateHandler>>;
  readonly publish: FunctionFleet<ReturnType<typeof createPublishHandler>>;
  readonly idempotency: FunctionFleet<ReturnType<typeof createIdempotencyHandler>>;
  readonly processor: FunctionFleet<ReturnType<typeof createProcessorHandler>>;
  readonly worker: FunctionFleet<ReturnType<typeof createWorkerHandler>>;
  readonly outboxRelay: FunctionFleet<ReturnType<typeof createOutboxRelayHandler>>;
  readonly redrive: FunctionFleet<ReturnType<typeof createRedriveHandler>>;
  private orchestratedIngestFleet: FunctionFleet<ReturnType<typeof createOrchestratedIngestHandler>> | undefined;
  private readonly adapters: ContainerModule;

  constructor(private readonly settings: FleetSettings) {
    this.adapters = sharedAdapters(settings.adapters);
    this.ingest = this.fleet('ingest', ingestComposition, createIngestHandler);
    this.validate = this.fleet('validate', validateComposition, createValidateHandler);
    this.publish = this.fleet('publish', publishComposition, createPublishHandler);
    this.idempotency = this.fleet('idempotency', idempotencyComposition, createIdempotencyHandler);
    this.processor = this.fleet('processor', processorComposition, createProcessorHandler);
    this.worker = this.fleet('worker', workerComposition, createWorkerHandler);
    this.outboxRelay = this.fleet('outbox-relay', outboxRelayComposition, createOutboxRelayHandler);
    this.redrive = this.fleet('redrive', redriveComposition, createRedriveHandler);
  }

  /** The orchestrated edge, whose StartSyncExecution reaches `starter` (the harness' workflow runner). */
  orchestratedIngest(starter: WorkflowStarter): FunctionFleet<ReturnType<typeof createOrchestratedIngestHandler>> {
    this.orchestratedIngestFleet ??= this.fleet(
      'orchestrated-ingest',
      orchestratedIngestComposition,
      createOrchestratedIngestHandler,
      (container) => {
        container.bind<WorkflowStarter>(TOKENS.WorkflowStarter).toConstantValue(starter);
      },
    );
    return this.orchestratedIngestFleet;
  }

  all(): ReadonlyArray<FunctionFleet<(...args: never[]) => Promise<unknown>>> {
    const fleets = [
      this.ingest,
      this.validate,
      this.publish,
      this.idempotency,
      this.processor,
      this.worker,
      this.outboxRelay,
      this.redrive,
      this.orchestratedIngestFleet,
    ];
    return fleets.filter((fleet) => fleet !== undefined);
  }

  /** Breakers configured as every environment's are, never called: what a function's breakers look like before its first call. */
  referenceBreakers(): CircuitBreakers {
    const { config, services, breakerRecoveryMs } = this.settings;
    const breakers = new CircuitBreakers(services.clock, services.logger, services.metrics);
    breakers.configure(config.breakers);
    if (breakerRecoveryMs !== undefined) shortenBreakerRecovery(breakers, breakerRecoveryMs);
    return breakers;
  }

  /** Changes every environment of the named functions, now and later (a new deployment of their code). */
  customize(functions: readonly FleetFunctionName[], change: (container: Container) => void): void {
    for (const fleet of this.all()) if ((functions as readonly string[]).includes(fleet.functionName)) fleet.customize(change);
  }

  private fleet<H extends (...args: never[]) => Promise<unknown>>(
    functionName: FleetFunctionName,
    composition: FunctionComposition,
    create: (containerOf: () => Container) => H,
    extra?: (container: Container) => void,
  ): FunctionFleet<H> {
    const { config, services, breakerRecoveryMs } = this.settings;
    return new FunctionFleet<H>({
      functionName,
      services: breakerServicesOf(composition),
      build: (environment) => {
        const container = composeOverAdapters(
          composition,
          config,
          { ...services, logger: services.logger.child({ environment }) },
          this.adapters,
        );
        extra?.(container);
        if (breakerRecoveryMs !== undefined)
          shortenBreakerRecovery(container.get<CircuitBreakers>(TOKENS.CircuitBreakers), breakerRecoveryMs);
        return container;
      },
      handlerOf: (container) => create(() => container),
    });
  }
}

/** The breakers a composition's guarded ports go through (Step Functions has none: see handlers/composition/aws-bindings/sfn.ts). */
function breakerServicesOf(composition: FunctionComposition): ServiceName[] {
  return SERVICE_NAMES.filter((service) => composition.services.some((adapters) => adapters.service.toLowerCase() === service));
}

/** The ADAPTERS bindings of `adapters`, as constants every environment shares. */
function sharedAdapters(adapters: Container): ContainerModule {
  return new ContainerModule(({ bind }) => {
    for (const token of Object.values(ADAPTERS)) {
      if (adapters.isBound(token)) bind(token).toConstantValue(adapters.get(token));
    }
  });
}
