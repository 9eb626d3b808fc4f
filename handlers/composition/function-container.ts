import 'reflect-metadata';
import { Container, ContainerModule, type Newable } from 'inversify';
import { ConfigurationError, loadConfig, type PipelineConfig } from '../../application/config/pipeline-config.js';
import { clientConfig, type AwsClientOptions } from '../../adapters/aws/client-config.js';
import type { AwsServiceAdapters } from './aws-bindings/service-adapters.js';
import { defaultServices, guardedPortsModule, runtimeModule, useCasesModule, type RuntimeServices } from './runtime-module.js';

/**
 * What one deployed function binds: the AWS services it calls (their adapters and one client each) and
 * the use cases its handler resolves (with the use cases those depend on). Nothing else: no other
 * service's client, no use case it never calls, no in-memory fake.
 */
export interface FunctionComposition {
  readonly services: readonly AwsServiceAdapters[];
  readonly useCases: ReadonlyArray<Newable<object>>;
}

/** The function's container over its own services, the adapters built with `clientOptions` (tests point them anywhere). */
export function composeFunction(
  composition: FunctionComposition,
  config: PipelineConfig,
  services: RuntimeServices = defaultServices(config),
  clientOptions: AwsClientOptions = {},
): Container {
  if (config.backend !== 'aws') {
    throw new ConfigurationError([
      "PIPELINE_BACKEND must be aws in a deployed function (the memory backend is the harness' and the tests')",
    ]);
  }
  const configFor = clientConfig(clientOptions);
  const retryTools = { clock: services.clock, random: services.random };
  const adapters = new ContainerModule(({ bind }) => {
    for (const service of composition.services) service.bind(bind, config, retryTools, configFor(service.service));
  });
  return composeOverAdapters(composition, config, services, adapters);
}

/**
 * The function's container over adapters bound elsewhere (`adapters` binds the ADAPTERS tokens): its own
 * breakers, the guarded ports of its composition's services only, and its use cases. The local harness
 * builds each emulated execution environment this way, over adapters every function shares.
 */
export function composeOverAdapters(
  composition: FunctionComposition,
  config: PipelineConfig,
  services: RuntimeServices,
  adapters: ContainerModule,
): Container {
  const container = new Container();
  container.load(
    runtimeModule(config, services),
    guardedPortsModule(
      config,
      composition.services.map((service) => service.service),
    ),
    adapters,
    useCasesModule(composition.useCases),
  );
  return container;
}

let built = false;

/**
 * The container for a handler module's `handler`. Inside Lambda (AWS_LAMBDA_FUNCTION_NAME is set) it is
 * built right away, at module scope, so configuration is validated and the SDK clients are created
 * during INIT rather than on the first request; a bad configuration then fails INIT with an error that
 * names every problem. Anywhere else (tests, the harness, tools importing a handler module) nothing is
 * built until the first call.
 */
export function containerAtInit(
  composition: FunctionComposition,
  env: Readonly<Record<string, string | undefined>> = process.env,
): () => Container {
  let cached: Container | undefined;
  const container = (): Container => {
    if (cached === undefined) {
      cached = composeFunction(composition, loadConfig(env));
      built = true;
    }
    return cached;
  };
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) container();
  return container;
}

/** Whether this execution environment has built its function's container yet. */
export function containerBuilt(): boolean {
  return built;
}
