import { ContainerModule } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { Random } from '../../../application/ports/random.js';
import { createAwsClients, type AwsClients } from '../../../adapters/aws/clients.js';
import { bindDynamoDbAdapters } from '../../../handlers/composition/aws-bindings/dynamodb.js';
import { bindEventBridgeAdapters } from '../../../handlers/composition/aws-bindings/eventbridge.js';
import { bindSqsAdapters } from '../../../handlers/composition/aws-bindings/sqs.js';

/**
 * Every AWS SDK v3 adapter, over the given clients: the harness' aws backend, the tools and the tests.
 * A deployed function binds only its own services' adapters (see function-container.ts).
 */
export function awsAdaptersModule(
  config: PipelineConfig,
  clock: Clock,
  random: Random,
  clients: AwsClients = createAwsClients(),
): ContainerModule {
  const retryTools = { clock, random };
  return new ContainerModule(({ bind }) => {
    bindSqsAdapters(bind, config, retryTools, clients.sqs);
    bindDynamoDbAdapters(bind, config, clients.dynamodb);
    bindEventBridgeAdapters(bind, config, retryTools, clients.eventBridge);
  });
}
