import type { ContainerModuleLoadOptions } from 'inversify';
import { ConfigurationError, type PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { WorkflowStarter } from '../../../application/ports/workflow-starter.js';
import { TOKENS } from '../../../application/tokens.js';
import { INGEST_WORKFLOW } from '../../../application/workflows/ingest-workflow.js';
import type { ClientConfig } from '../../../adapters/aws/client-config.js';
import { createSfnClient } from '../../../adapters/aws/sfn-client.js';
import { SfnWorkflowStarter } from '../../../adapters/aws/sfn-workflow-starter.js';
import type { AwsServiceAdapters } from './service-adapters.js';

/**
 * The Step Functions adapter: starts the ingest workflow. Bound straight to the port, with no circuit
 * breaker: the steps behind it guard their own services, and a throttled start is answered 503 +
 * Retry-After at once.
 */
export function bindSfnAdapters(
  bind: ContainerModuleLoadOptions['bind'],
  config: PipelineConfig,
  client: ReturnType<typeof createSfnClient>,
): void {
  if (config.ingestStateMachineArn === undefined)
    throw new ConfigurationError(['INGEST_STATE_MACHINE_ARN is required by the orchestrated edge']);
  bind<WorkflowStarter>(TOKENS.WorkflowStarter).toConstantValue(
    new SfnWorkflowStarter({ client, stateMachineArn: config.ingestStateMachineArn, definition: INGEST_WORKFLOW }),
  );
}

export const SFN_ADAPTERS: AwsServiceAdapters = {
  service: 'SFN',
  bind: (bind, config, _retryTools, clientConfig: ClientConfig) => bindSfnAdapters(bind, config, createSfnClient(clientConfig)),
};
