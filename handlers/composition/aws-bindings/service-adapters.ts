import type { ContainerModuleLoadOptions } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { Random } from '../../../application/ports/random.js';
import type { ClientConfig, ServiceId } from '../../../adapters/aws/client-config.js';

export interface RetryTools {
  readonly clock: Clock;
  readonly random: Random;
}

/**
 * One AWS service's adapters, with the one client they share. A function's composition lists the
 * services it calls; only those modules are imported, so the others' SDKs are not in its bundle.
 */
export interface AwsServiceAdapters {
  readonly service: ServiceId;
  readonly bind: (
    bind: ContainerModuleLoadOptions['bind'],
    config: PipelineConfig,
    retryTools: RetryTools,
    clientConfig: ClientConfig,
  ) => void;
}
